"""Passports and Mainland travel permits: format checks."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bankcrm.errors import InvalidIdentifier
from bankcrm.identity import hk_macau_travel, passport, taiwan_travel
from bankcrm.identity.hk_macau_travel import TravelRegion
from bankcrm.identity.passport import PassportKind
from bankcrm.identity.reasons import Reason
from bankcrm.testing.strategies import arbitrary_id_inputs


def _raised(call: Callable[[], object]) -> BaseException | None:
    """Run ``call`` and return what it raised (None if it returned)."""
    try:
        call()
    except Exception as err:  # the tests inspect it: only bankcrm errors are allowed
        return err
    return None


@pytest.mark.parametrize("number", ["E12345678", "EA1234567", "EH7654321", "G12345678"])
def test_prc_ordinary_passport_formats(number: str) -> None:
    for issuer in (None, "CN", "chn"):
        info = passport.validate(number, issuer=issuer)
        assert info.kind is PassportKind.CN_ORDINARY
        assert not info.verified


@pytest.mark.parametrize("number", ["E1234567", "E123456789", "EA123456", "X12345678", "K1234567"])
def test_prc_issuer_requires_a_prc_format(number: str) -> None:
    assert passport.explain(number, issuer="CN")[0].reason is Reason.FORMAT
    assert passport.is_valid(number)  # the permissive check accepts it otherwise


@pytest.mark.parametrize("number", ["C01X00T47", "123456789", "AB1234567", "P1234567A", "X1234"])
def test_foreign_passports_are_checked_permissively(number: str) -> None:
    assert passport.validate(number, issuer="DEU").kind is PassportKind.OTHER


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (None, Reason.MISSING),
        ("", Reason.EMPTY),
        ("()", Reason.EMPTY),
        ("E1234567#", Reason.CHARACTERS),
        ("E123", Reason.LENGTH),
        ("A" * 18, Reason.LENGTH),
        ("ABCDEFGH", Reason.FORMAT),  # no digit: a name typed in the wrong field
    ],
)
def test_passport_reasons(value: object, reason: Reason) -> None:
    assert passport.explain(value)[0].reason is reason
    with pytest.raises(InvalidIdentifier) as caught:
        passport.validate(value)
    assert caught.value.id_type == "PASSPORT"


def test_hk_and_macau_travel_permits() -> None:
    hk = hk_macau_travel.validate("ｈ1234-5678")
    assert (hk.number, hk.region, hk.person_number, hk.legacy) == (
        "H12345678",
        TravelRegion.HONG_KONG,
        "H12345678",
        False,
    )
    legacy = hk_macau_travel.validate("M12345678(02)")
    assert (legacy.number, legacy.region, legacy.person_number, legacy.legacy) == (
        "M1234567802",
        TravelRegion.MACAU,
        "M12345678",
        True,
    )


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (3.0, Reason.NOT_TEXT),
        ("H1234567?", Reason.CHARACTERS),
        ("K12345678", Reason.FORMAT),
        ("H1234567", Reason.LENGTH),
        ("H123456789", Reason.LENGTH),
        ("H1234567A", Reason.FORMAT),
    ],
)
def test_hk_macau_reasons(value: object, reason: Reason) -> None:
    assert hk_macau_travel.explain(value)[0].reason is reason
    with pytest.raises(InvalidIdentifier):
        hk_macau_travel.validate(value)


def test_taiwan_travel_permits() -> None:
    card = taiwan_travel.validate("1234 5678")
    assert (card.number, card.region, card.legacy) == ("12345678", TravelRegion.TAIWAN, False)
    old = taiwan_travel.validate(1234567801)
    assert (old.person_number, old.legacy) == ("12345678", True)


@pytest.mark.parametrize(
    ("value", "reason"),
    [("T1234567", Reason.FORMAT), ("1234567", Reason.LENGTH), ("123456789", Reason.LENGTH)],
)
def test_taiwan_reasons(value: object, reason: Reason) -> None:
    assert taiwan_travel.explain(value)[0].reason is reason


def test_messages_are_masked() -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        passport.validate("E1234567", issuer="CN")
    assert "E1234567" not in str(caught.value)


@given(arbitrary_id_inputs(), st.sampled_from([None, "CN", "FRA", "", "x" * 40]))
def test_never_raises_anything_but_bankcrm_errors(value: object, issuer: str | None) -> None:
    assert isinstance(passport.is_valid(value, issuer=issuer), bool)
    assert isinstance(passport.mask(value), str)
    for validate in (hk_macau_travel.validate, taiwan_travel.validate):
        err = _raised(lambda: validate(value))  # noqa: B023 - called at once
        assert err is None or isinstance(err, InvalidIdentifier)
    err = _raised(lambda: passport.validate(value, issuer=issuer))
    assert err is None or isinstance(err, InvalidIdentifier)


@given(st.sampled_from("HM"), st.text(alphabet="0123456789", min_size=8, max_size=8))
def test_generated_hk_macau_numbers_round_trip(letter: str, digits: str) -> None:
    number = letter + digits
    assert hk_macau_travel.normalize(number.lower()) == number
    assert hk_macau_travel.normalize(hk_macau_travel.format(number)) == number
