"""Canadian postal addresses, with the Québec administrative region."""

from __future__ import annotations

import re
from dataclasses import dataclass

from domain.errors import FieldErrors, InvalidValueError
from domain.quebec import REGIONS
from domain.text import identifier_text, plain_text

# Canada Post: letters D, F, I, O, Q, U never appear; W and Z never start a code.
_POSTAL = re.compile(
    r"^([ABCEGHJ-NPRSTVXY])([0-9])([ABCEGHJ-NPRSTV-Z]) ?([0-9])([ABCEGHJ-NPRSTV-Z])([0-9])$"
)
QUEBEC_POSTAL_LETTERS = frozenset("GHJ")
MAX_LINE = 200


@dataclass(frozen=True)
class PostalCode:
    value: str  # normalised: "H2X 1Y4"

    @classmethod
    def parse(cls, text: str) -> PostalCode:
        compact = re.sub(r"[\s-]+", "", identifier_text(text)).upper()
        match = _POSTAL.match(compact)
        if not match:
            raise InvalidValueError("postal_code_invalid")
        groups = match.groups()
        return cls("".join(groups[:3]) + " " + "".join(groups[3:]))

    @property
    def forward_sortation_area(self) -> str:
        """The first three characters: a region, never a person."""
        return self.value[:3]

    def is_in_quebec(self) -> bool:
        return self.value[0] in QUEBEC_POSTAL_LETTERS


def parse_region(text: str) -> str:
    code = str(text).strip().zfill(2)
    if code not in REGIONS:
        raise InvalidValueError("region_unknown")
    return code


def _line(text: str, code: str) -> str:
    line = " ".join(plain_text(text).split())
    if not line or len(line) > MAX_LINE:
        raise InvalidValueError(code, max_length=MAX_LINE)
    return line


@dataclass(frozen=True)
class Address:
    street: str
    municipality: str
    postal_code: PostalCode
    region: str
    province: str = "QC"

    @classmethod
    def parse(
        cls, *, street: str, municipality: str, postal_code: str, region: str, province: str = "QC"
    ) -> Address:
        errors = FieldErrors()
        street_ = errors.parse("street", _line, street, "street_invalid")
        municipality_ = errors.parse("municipality", _line, municipality, "municipality_invalid")
        postal = errors.parse("postal_code", PostalCode.parse, postal_code)
        region_ = errors.parse("region", parse_region, region)
        province_ = str(province).strip().upper()
        errors.raise_if_any()
        assert street_ and municipality_ and postal and region_
        return cls(street_, municipality_, postal, region_, province_)

    def quebec_errors(self) -> FieldErrors:
        """Why this address is not a Québec address, if it is not."""
        errors = FieldErrors()
        if self.province != "QC":
            errors.add("province", "province_not_quebec")
        if not self.postal_code.is_in_quebec():
            errors.add("postal_code", "postal_code_not_quebec")
        return errors
