"""Residence permits (810000/820000/830000) and foreigners' permanent residence cards."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from hypothesis import given

from bankcrm.errors import InvalidIdentifier
from bankcrm.identity import fpr, hmt_permit, ric
from bankcrm.identity.checksums import ric_check_char
from bankcrm.identity.fpr import FprLayout
from bankcrm.identity.hmt_permit import HmtRegion
from bankcrm.identity.reasons import Reason
from bankcrm.identity.ric import Gender
from bankcrm.testing.strategies import arbitrary_id_inputs, valid_fprs, valid_hmt_permits


def _raised(call: Callable[[], object]) -> BaseException | None:
    """Run ``call`` and return what it raised (None if it returned)."""
    try:
        call()
    except Exception as err:  # the tests inspect it: only bankcrm errors are allowed
        return err
    return None


AS_OF = date(2024, 6, 30)


def _with_check(body: str) -> str:
    return body + ric_check_char(body)


# Sample numbers published by the Beijing police with the permit's specimen (HK and Taiwan).
HK_SAMPLE = "810000199408230021"
TW_SAMPLE = "830000199201300022"
# A Macau number built to the published layout: 820000 + YYYYMMDD + sequence + MOD 11-2.
MO_BUILT = _with_check("82000019851111003")
# The 2023 card's layout sample: 9, Jiangsu (32), nationality 682, 1985-01-01, 001, check 7.
FPR_2023_SAMPLE = "932682198501010017"


@pytest.mark.parametrize(
    ("number", "region", "born", "gender"),
    [
        (HK_SAMPLE, HmtRegion.HONG_KONG, date(1994, 8, 23), Gender.FEMALE),
        (TW_SAMPLE, HmtRegion.TAIWAN, date(1992, 1, 30), Gender.FEMALE),
        (MO_BUILT, HmtRegion.MACAU, date(1985, 11, 11), Gender.MALE),
    ],
)
def test_residence_permit_examples(
    number: str, region: HmtRegion, born: date, gender: Gender
) -> None:
    info = hmt_permit.validate(number)
    assert (info.number, info.region, info.birth_date, info.gender) == (
        number,
        region,
        born,
        gender,
    )
    assert info.verified
    # A permit is not a resident id number, and the resident id validator says why.
    assert ric.explain(number)[0].reason is Reason.REGION


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (None, Reason.MISSING),
        ("  ", Reason.EMPTY),
        ("81000019940823002A", Reason.CHARACTERS),
        ("810000940823002", Reason.LENGTH),  # no 15-digit permits
        ("8100001994082300X1", Reason.FORMAT),
        ("11010519491231002X", Reason.REGION),
        (_with_check("81000119940823002"), Reason.REGION),
        (_with_check("81000019940832002"), Reason.BIRTH_DATE),
        ("810000199408230022", Reason.CHECK_CHARACTER),
    ],
)
def test_permit_reasons(value: object, reason: Reason) -> None:
    assert hmt_permit.explain(value)[0].reason is reason
    with pytest.raises(InvalidIdentifier) as caught:
        hmt_permit.validate(value)
    assert caught.value.reason == reason
    assert caught.value.id_type == "HMT_PERMIT"
    assert "810000199408230022" not in str(caught.value)


def test_permit_future_birth_date_needs_as_of() -> None:
    number = _with_check("81000020300101002")
    assert hmt_permit.is_valid(number)
    assert hmt_permit.explain(number, as_of=AS_OF)[0].reason is Reason.FUTURE_BIRTH_DATE


def test_fpr_2023_layout() -> None:
    info = fpr.validate(FPR_2023_SAMPLE)
    assert info.layout is FprLayout.DIGITS_18
    assert info.issuing_province_code == "32"
    assert info.issuing_province_name == "江苏省"
    assert info.nationality_code == "682"
    assert info.birth_date == date(1985, 1, 1)
    assert info.verified


def test_fpr_older_15_character_layout_is_format_only() -> None:
    info = fpr.validate("kaz 1100 9012 3105")
    assert info.number == "KAZ110090123105"
    assert info.layout is FprLayout.LETTERS_15
    assert info.nationality_code == "KAZ"
    assert not info.verified
    assert info.birth_date is None


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (["KAZ110090123105"], Reason.NOT_TEXT),
        ("KAZ-1100-9012-310#", Reason.CHARACTERS),
        ("KAZ1100901231", Reason.LENGTH),
        ("KA1110090123105", Reason.FORMAT),
        ("KAZ11009012310A", Reason.FORMAT),
        (_with_check("13268219850101001"), Reason.FORMAT),  # does not start with 9
        ("93268219850101001A", Reason.FORMAT),
        (_with_check("99968219850101001"), Reason.REGION),
        (_with_check("93268219850229001"), Reason.BIRTH_DATE),
        ("932682198501010018", Reason.CHECK_CHARACTER),
    ],
)
def test_fpr_reasons(value: object, reason: Reason) -> None:
    assert fpr.explain(value)[0].reason is reason
    with pytest.raises(InvalidIdentifier) as caught:
        fpr.validate(value)
    assert caught.value.reason == reason
    assert caught.value.id_type == "FPR"


def test_fpr_future_birth_date_needs_as_of() -> None:
    number = _with_check("93268220300101001")
    assert fpr.is_valid(number)
    assert not fpr.is_valid(number, as_of=AS_OF)


@given(arbitrary_id_inputs())
def test_never_raises_anything_but_bankcrm_errors(value: object) -> None:
    assert isinstance(hmt_permit.is_valid(value), bool)
    assert isinstance(fpr.is_valid(value), bool)
    assert isinstance(hmt_permit.mask(value), str)
    for validate in (hmt_permit.validate, fpr.validate):
        err = _raised(lambda: validate(value, as_of=AS_OF))  # noqa: B023 - called at once
        assert err is None or isinstance(err, InvalidIdentifier)


@given(valid_hmt_permits(as_of=AS_OF))
def test_valid_permits_survive_compact_format_and_validate(number: str) -> None:
    assert hmt_permit.validate(number, as_of=AS_OF).number == number
    assert hmt_permit.normalize(hmt_permit.compact(number)) == number
    assert hmt_permit.normalize(hmt_permit.format(number)) == number


@given(valid_hmt_permits())
def test_every_single_character_change_of_a_permit_is_detected(number: str) -> None:
    for at in range(18):
        for replacement in "0123456789X" if at == 17 else "0123456789":
            if replacement != number[at]:
                changed = number[:at] + replacement + number[at + 1 :]
                assert not hmt_permit.is_valid(changed), (at, replacement)


@given(valid_fprs(as_of=AS_OF))
def test_valid_fprs_survive_compact_format_and_validate(number: str) -> None:
    info = fpr.validate(number, as_of=AS_OF)
    assert info.number == number
    assert info.verified == (len(number) == 18)
    assert fpr.normalize(fpr.format(number)) == number
    assert fpr.normalize(number.lower()) == number
