"""Domain errors.

Errors carry a stable `code` and plain parameters, never a sentence: the API and the CLI turn
them into French or English text, so the domain stays free of presentation.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")


class DomainError(Exception):
    """Base of every rule the domain refuses."""

    code = "domain_error"

    def __init__(self, code: str | None = None, **params: Any) -> None:
        self.code = code or type(self).code
        self.params = params
        super().__init__(self.code, params)


class InvalidValueError(DomainError):
    """One value is malformed (a postal code, a NEQ, a price...).

    `field` names the value when the error is not raised inside a `FieldErrors` collection.
    """

    code = "invalid_value"

    def __init__(self, code: str | None = None, *, field: str | None = None, **params: Any) -> None:
        super().__init__(code, **params)
        self.field = field


@dataclass(frozen=True)
class FieldError:
    field: str
    code: str
    # `dataclasses.field`: to a type checker the bare name is the `field: str` attribute above.
    params: dict[str, Any] = dataclasses.field(default_factory=dict)


class ValidationFailedError(DomainError):
    """Several values were checked together; every violated rule is listed at once."""

    code = "validation_failed"

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__()
        self.errors = errors


class IllegalTransitionError(DomainError):
    """A lifecycle command that the current state does not allow."""

    code = "illegal_transition"

    def __init__(self, entity: str, action: str, state: str) -> None:
        super().__init__(entity=entity, action=action, state=state)


class RuleViolatedError(DomainError):
    """A business rule refused a well-formed command (stock below reservations, ...)."""

    code = "rule_violated"


class FieldErrors:
    """Collects the errors of many fields so that all of them are reported together."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def parse(self, name: str, parser: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
        with self.field(name):
            return parser(*args, **kwargs)
        return None

    @contextmanager
    def field(self, name: str) -> Iterator[None]:
        try:
            yield
        except ValidationFailedError as nested:
            self.errors.extend(
                FieldError(f"{name}.{e.field}", e.code, e.params) for e in nested.errors
            )
        except InvalidValueError as error:
            self.errors.append(FieldError(name, error.code, error.params))

    def merge(self, prefix: str, other: FieldErrors) -> None:
        self.errors.extend(
            FieldError(f"{prefix}.{e.field}", e.code, e.params) for e in other.errors
        )

    def add(self, name: str, code: str, **params: Any) -> None:
        self.errors.append(FieldError(name, code, params))

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationFailedError(list(self.errors))
