"""One contract for every key store: the in-memory fake is held to the real ones' behaviour."""

from __future__ import annotations

from collections.abc import Iterator
from uuid import uuid4

import pytest

from adapters.keystores import InMemoryKeyStore, SubjectForgottenError
from api.container import build_container
from application.ports import KeyStore
from application.settings import Settings


@pytest.fixture(params=["memory", "real"])
def keys(request: pytest.FixtureRequest, settings: Settings) -> Iterator[KeyStore]:
    if request.param == "memory":
        yield InMemoryKeyStore()
        return
    container = build_container(settings)
    yield container.keys
    container.close()


def test_a_key_is_made_once_per_subject(keys: KeyStore) -> None:
    subject = uuid4()
    first = keys.get_or_create(subject)
    assert len(first) == 32
    assert keys.get_or_create(subject) == first
    assert keys.get(subject) == first
    assert keys.get_or_create(uuid4()) != first


def test_an_unknown_subject_has_no_key(keys: KeyStore) -> None:
    assert keys.get(uuid4()) is None


def test_a_deleted_key_is_gone_and_never_made_again(keys: KeyStore) -> None:
    subject = uuid4()
    keys.get_or_create(subject)
    assert keys.delete(subject) is True
    assert keys.get(subject) is None
    with pytest.raises(SubjectForgottenError):
        keys.get_or_create(subject)
    assert keys.delete(subject) is False
