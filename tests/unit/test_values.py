"""Postal codes, regions, NEQ, geo points, contacts: parsing and normalisation."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.address import Address, PostalCode, parse_region
from domain.errors import InvalidValueError, ValidationFailedError
from domain.geo import GeoPoint
from domain.neq import NEQ
from domain.personal import parse_email, parse_phone
from domain.slug import slugify

FIRST = "ABCEGHJKLMNPRSTVXY"
OTHER = "ABCEGHJKLMNPRSTVWXYZ"


@st.composite
def postal_codes(draw: st.DrawFn) -> str:
    letters = [draw(st.sampled_from(FIRST)), draw(st.sampled_from(OTHER)),
               draw(st.sampled_from(OTHER))]
    digits = [str(draw(st.integers(0, 9))) for _ in range(3)]
    return f"{letters[0]}{digits[0]}{letters[1]}{digits[1]}{letters[2]}{digits[2]}"


@given(postal_codes(), st.sampled_from(["", " ", "-"]), st.booleans())
def test_any_valid_postal_code_normalises_to_upper_case_with_one_space(
    code: str, separator: str, lower: bool
) -> None:
    written = code[:3] + separator + code[3:]
    parsed = PostalCode.parse(written.lower() if lower else written)
    assert parsed.value == f"{code[:3]} {code[3:]}"
    assert parsed.forward_sortation_area == code[:3]
    assert PostalCode.parse(parsed.value) == parsed


@given(st.text(max_size=12))
def test_postal_code_parsing_never_accepts_garbage(text: str) -> None:
    try:
        parsed = PostalCode.parse(text)
    except InvalidValueError as error:
        assert error.code in ("postal_code_invalid", "text_control_characters")
    else:
        assert len(parsed.value) == 7 and parsed.value[3] == " " and parsed.value.isascii()


@pytest.mark.parametrize("code", ["D1A 1A1", "W1A 1A1", "H1O 1A1", "H1A1A", "12345", "H1A 1A1 1"])
def test_postal_codes_canada_post_never_issues_are_refused(code: str) -> None:
    with pytest.raises(InvalidValueError):
        PostalCode.parse(code)


def test_quebec_postal_codes_start_with_g_h_or_j() -> None:
    assert PostalCode.parse("G1R 1S1").is_in_quebec()
    assert PostalCode.parse("H2T 1N6").is_in_quebec()
    assert PostalCode.parse("J8X 3X7").is_in_quebec()
    assert not PostalCode.parse("K1A 0B1").is_in_quebec()


@pytest.mark.parametrize(("text", "code"), [("7", "07"), ("07", "07"), (" 17 ", "17"), ("1", "01")])
def test_region_codes_are_normalised_to_two_digits(text: str, code: str) -> None:
    assert parse_region(text) == code


@pytest.mark.parametrize("text", ["0", "18", "99", "x", ""])
def test_unknown_regions_are_refused(text: str) -> None:
    with pytest.raises(InvalidValueError, match="region_unknown"):
        parse_region(text)


def test_address_reports_every_bad_part_at_once() -> None:
    with pytest.raises(ValidationFailedError) as error:
        Address.parse(street="", municipality="", postal_code="nope", region="42")
    assert [(e.field, e.code) for e in error.value.errors] == [
        ("street", "street_invalid"), ("municipality", "municipality_invalid"),
        ("postal_code", "postal_code_invalid"), ("region", "region_unknown"),
    ]


@given(st.sampled_from(["11", "22", "33", "88"]), st.integers(0, 99_999_999))
def test_neq_with_a_known_kind_and_ten_digits_is_accepted(kind: str, rest: int) -> None:
    digits = f"{kind}{rest:08d}"
    if len(set(digits[2:])) == 1:
        return
    assert NEQ.parse(digits).value == digits
    assert NEQ.parse(f"{digits[:4]} {digits[4:7]} {digits[7:]}").value == digits


@given(st.text(max_size=14))
def test_neq_parsing_only_ever_yields_ten_digits(text: str) -> None:
    try:
        neq = NEQ.parse(text)
    except InvalidValueError as error:
        assert error.code in {"neq_malformed", "neq_unknown_kind", "neq_placeholder",
                              "text_control_characters"}
    else:
        assert neq.value.isascii() and neq.value.isdigit() and len(neq.value) == 10


@pytest.mark.parametrize(("text", "code"), [
    ("123456789", "neq_malformed"), ("12345678901", "neq_malformed"),
    ("11A4567890", "neq_malformed"),
    ("4412345678", "neq_unknown_kind"), ("1100000000", "neq_placeholder"),
])
def test_bad_neqs_say_why(text: str, code: str) -> None:
    with pytest.raises(InvalidValueError) as error:
        NEQ.parse(text)
    assert error.value.code == code


@pytest.mark.parametrize(("lat", "lon", "fields"), [
    (91, 0, ["lat"]), (0, -181, ["lon"]), (-90.5, 180.5, ["lat", "lon"]),
])
def test_geo_points_are_range_checked(lat: float, lon: float, fields: list[str]) -> None:
    with pytest.raises(ValidationFailedError) as error:
        GeoPoint(lat, lon)
    assert [e.field for e in error.value.errors] == fields


def test_distance_between_montreal_and_quebec_city_is_about_233_km() -> None:
    montreal, quebec = GeoPoint(45.5017, -73.5673), GeoPoint(46.8139, -71.2080)
    assert 230 < montreal.distance_km(quebec) < 236
    assert montreal.distance_km(montreal) == 0


def test_emails_keep_their_local_part_and_lower_their_domain() -> None:
    assert parse_email(" Marie.T@Exemple.QC.ca ") == "Marie.T@exemple.qc.ca"
    for bad in ["marie", "marie@", "@x.ca", "marie@localhost", "a b@x.ca"]:
        with pytest.raises(InvalidValueError, match="email_invalid"):
            parse_email(bad)


@pytest.mark.parametrize(
    "text", ["819-555-0199", "(819) 555-0199", "+1 819 555 0199", "18195550199"])
def test_phones_normalise_to_e164(text: str) -> None:
    assert parse_phone(text) == "+18195550199"


def test_slugs_are_ascii_words_joined_by_hyphens() -> None:
    assert slugify("Épicerie Fine « Chez Nous »", "Trois-Rivières") == (
        "epicerie-fine-chez-nous-trois-rivieres")
    assert slugify("!!!") == "commerce"


@pytest.mark.parametrize(("start", "months", "due"), [
    ("2026-01-31", 1, "2026-02-28"), ("2026-02-28", 24, "2028-02-28"),
    ("2027-12-15", 2, "2028-02-15"), ("2028-02-29", 12, "2029-02-28")])
def test_retention_counts_calendar_months(start: str, months: int, due: str) -> None:
    from datetime import datetime

    from application.privacy import months_after

    assert months_after(datetime.fromisoformat(start), months).date().isoformat() == due
