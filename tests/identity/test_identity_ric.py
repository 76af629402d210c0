"""Resident id numbers (GB 11643): published examples, reasons, properties, stdnum cross-checks."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

import numpy as np
import pandas as pd
import pytest
import stdnum.cn.ric as stdnum_ric
from hypothesis import given
from hypothesis import strategies as st

from bankcrm.errors import InputError, InvalidIdentifier
from bankcrm.identity import ric
from bankcrm.identity.checksums import ric_check_char
from bankcrm.identity.reasons import Finding, Reason
from bankcrm.identity.regions import is_known_region
from bankcrm.testing.strategies import (
    arbitrary_id_inputs,
    invalid_rics,
    legacy_rics,
    messy_rics,
    valid_rics,
)


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


# --- published examples ------------------------------------------------------------------


def test_standard_example_beijing_chaoyang() -> None:
    # GB 11643-1999's worked example: Beijing Chaoyang, born 1949-12-31, sequence 002 (female).
    info = ric.validate("11010519491231002X")
    assert info.number == "11010519491231002X"
    assert info.region_code == "110105"
    assert info.province_name == "北京市"
    assert info.county_name == "朝阳区"
    assert info.birth_date == date(1949, 12, 31)
    assert info.sequence == "002"
    assert info.gender is ric.Gender.FEMALE
    assert not info.upgraded_from_15
    assert info.verified


def test_standard_example_shantou_born_1880() -> None:
    # The standard's second example is born in 1880: the lower bound must admit it.
    info = ric.validate("440524188001010014")
    assert info.birth_date == date(1880, 1, 1)
    assert info.gender is ric.Gender.MALE
    assert info.province_name == "广东省"


def test_legacy_example_upgrades_to_the_standard_example() -> None:
    info = ric.validate("110105491231002")
    assert info.number == "11010519491231002X"
    assert info.upgraded_from_15
    assert not info.verified
    assert ric.upgrade("110105491231002") == "11010519491231002X"


@pytest.mark.parametrize(
    "written",
    [
        "11010519491231002x",
        " 110105 19491231 002X ",
        "110105-19491231-002X",
        "１１０１０５１９４９１２３１００２Ｘ",
        "１１０１０５\u3000１９４９１２３１\u3000００２ｘ",
        "110105\u200b19491231002X",
        "110105—19491231—002X",
        "\u200e11010519491231002X\u200f",  # bidi marks from text copied out of web pages
        "\u202a110105 19491231 002x\u202c",  # a bidi embedding around the number
        "\u206611010519491231002X\u2069",  # a bidi isolate
        "\xa011010519491231002X\xa0",  # no-break spaces from a spreadsheet
        "11010519491231002X\x00\x00",  # NUL padding of a fixed-width field
    ],
)
def test_written_forms_are_accepted(written: str) -> None:
    assert ric.normalize(written) == "11010519491231002X"


def test_integer_input_is_read_as_digits() -> None:
    assert ric.is_valid(440524188001010014)
    assert ric.normalize(110105491231002) == "11010519491231002X"


# --- reasons -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (None, Reason.MISSING),
        (1.1010519491231002e17, Reason.NOT_TEXT),
        (b"11010519491231002X", Reason.NOT_TEXT),
        (["11010519491231002X"], Reason.NOT_TEXT),
        (True, Reason.NOT_TEXT),
        ("", Reason.EMPTY),
        (" \u3000 - ", Reason.EMPTY),
        ("1101051949123100", Reason.LENGTH),
        ("11010519491231002X0", Reason.LENGTH),
        ("1" * 300, Reason.LENGTH),
        ("11010519491231002Y", Reason.CHARACTERS),
        ("110105194912310０2A", Reason.CHARACTERS),
        ("1101051949123100X2", Reason.FORMAT),
        ("11010549123100X", Reason.FORMAT),
        (_with_check("99010519491231002"), Reason.REGION),
        (_with_check("00010519491231002"), Reason.REGION),
        (_with_check("11010519491331002"), Reason.BIRTH_DATE),
        (_with_check("11010519490230002"), Reason.BIRTH_DATE),
        (_with_check("11010518491231002"), Reason.BIRTH_DATE),  # before 1850
        ("110105490230002", Reason.BIRTH_DATE),
        ("110105194912310021", Reason.CHECK_CHARACTER),
    ],
)
def test_each_failure_has_its_reason(value: object, reason: Reason) -> None:
    findings = ric.explain(value)
    assert findings
    assert findings[0].reason is reason
    with pytest.raises(InvalidIdentifier) as caught:
        ric.validate(value)
    assert caught.value.reason == reason
    assert caught.value.id_type == "RIC"
    assert not ric.is_valid(value)


def test_explain_collects_every_independent_finding() -> None:
    value = "990105 19491331 0021"  # unknown province, month 13, wrong check character
    assert [f.reason for f in ric.explain(value)] == [
        Reason.REGION,
        Reason.BIRTH_DATE,
        Reason.CHECK_CHARACTER,
    ]


def test_explain_is_empty_for_a_valid_number() -> None:
    assert ric.explain("11010519491231002X") == ()


# --- region decisions --------------------------------------------------------------------


def test_unknown_county_is_tolerated_by_default_and_rejected_when_strict() -> None:
    number = _with_check("11019919800101001")
    assert not is_known_region("110199")
    info = ric.validate(number)
    assert info.county_name is None
    assert not info.region_known
    assert info.province_name == "北京市"
    assert ric.explain(number, strict=True)[0].reason is Reason.REGION
    assert not ric.is_valid(number, strict=True)


def test_withdrawn_county_code_stays_valid_even_when_strict() -> None:
    # 110103 (Chongwen district) was withdrawn in 2010; its people kept their numbers.
    info = ric.validate(_with_check("11010319700101001"), strict=True)
    assert info.county_name == "崇文区"


def test_unknown_province_is_a_region_failure_in_default_mode() -> None:
    assert ric.explain(_with_check("99010119800101001"))[0].reason is Reason.REGION


@pytest.mark.parametrize("prefix", ["810000", "820000", "830000"])
def test_residence_permit_prefixes_are_not_resident_ids(prefix: str) -> None:
    findings = ric.explain(_with_check(prefix + "19900101002"))
    assert findings[0].reason is Reason.REGION
    assert "HMT_PERMIT" in findings[0].detail


# --- dates -------------------------------------------------------------------------------


def test_future_birth_date_is_rejected_only_with_as_of() -> None:
    number = _with_check("11010520300101001")
    assert ric.is_valid(number)
    assert ric.explain(number, as_of=AS_OF) == (
        Finding(Reason.FUTURE_BIRTH_DATE, "the birth date is after 2024-06-30"),
    )
    # The boundary: born on as_of is fine, the day after is not.
    assert ric.is_valid(_with_check("11010520240630001"), as_of=AS_OF)
    assert not ric.is_valid(_with_check("11010520240701001"), as_of=AS_OF)


def test_a_midnight_datetime_as_of_is_its_date_and_a_time_of_day_is_refused() -> None:
    number = _with_check("11010520240630001")
    assert ric.is_valid(number, as_of=datetime(2024, 6, 30))
    assert ric.is_valid(number, as_of="2024-06-30")
    assert ric.is_valid(number, as_of=np.datetime64("2024-06-30"))
    with pytest.raises(InputError, match="time of day") as info:
        ric.is_valid(number, as_of=datetime(2024, 6, 30, 0, 0, 1))
    assert (info.value.column, info.value.rule) == ("as_of", "date")


@pytest.mark.parametrize("as_of", ["2024-06-31", 20240630, pd.NaT, "2024-06-30T09:00"])
def test_bad_as_of_is_an_input_error(as_of: object) -> None:
    with pytest.raises(InputError):
        ric.validate("11010519491231002X", as_of=as_of)
    with pytest.raises(InputError):
        ric.is_valid("11010519491231002X", as_of=as_of)


def test_pandas_timestamp_as_of_is_accepted() -> None:
    assert ric.is_valid("11010519491231002X", as_of=pd.Timestamp("2024-06-30"))


def test_leap_days() -> None:
    assert ric.is_valid(_with_check("11010520000229001"))
    assert ric.explain(_with_check("11010519000229001"))[0].reason is Reason.BIRTH_DATE


# --- masking -----------------------------------------------------------------------------


def test_messages_and_reprs_never_show_the_number() -> None:
    number = "110105194912310021"
    with pytest.raises(InvalidIdentifier) as caught:
        ric.validate(number)
    assert number not in str(caught.value)
    assert "110105********0021" in str(caught.value)
    info = ric.validate("11010519491231002X")
    assert "11010519491231002X" not in repr(info)
    assert ric.mask("11010519491231002x") == "110105********002X"


# --- properties --------------------------------------------------------------------------


@given(arbitrary_id_inputs())
def test_never_raises_anything_but_bankcrm_errors(value: object) -> None:
    assert isinstance(ric.is_valid(value), bool)
    findings = ric.explain(value)
    assert all(isinstance(f, Finding) for f in findings)
    assert isinstance(ric.compact(value), str)
    assert isinstance(ric.mask(value), str)
    err = _raised(lambda: ric.validate(value))
    if err is None:
        assert findings == ()
        assert len(ric.validate(value).number) == 18
    else:
        assert isinstance(err, InvalidIdentifier)
        assert findings
        assert err.reason == findings[0].reason


@given(valid_rics(as_of=AS_OF))
def test_valid_numbers_survive_compact_format_and_validate(number: str) -> None:
    info = ric.validate(number, as_of=AS_OF, strict=True)
    assert info.number == number
    assert ric.validate(ric.compact(number)).number == number
    assert ric.validate(ric.format(number)).number == number
    assert info.birth_date == date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    assert (info.gender is ric.Gender.MALE) == (int(number[16]) % 2 == 1)


@given(messy_rics())
def test_messy_written_forms_normalise_to_the_number(pair: tuple[str, str]) -> None:
    messy, number = pair
    assert ric.normalize(messy) == number


@given(legacy_rics())
def test_upgrade_then_validate(legacy: str) -> None:
    upgraded = ric.upgrade(legacy)
    assert len(upgraded) == 18
    assert upgraded[:6] == legacy[:6]
    assert upgraded[6:8] == "19"
    assert upgraded[8:17] == legacy[6:]
    info = ric.validate(upgraded, strict=True)
    assert not info.upgraded_from_15
    legacy_info = ric.validate(legacy)
    assert legacy_info.upgraded_from_15
    assert legacy_info.number == upgraded
    assert legacy_info.birth_date == info.birth_date


@given(valid_rics())
def test_every_single_character_change_is_detected(number: str) -> None:
    for at in range(18):
        alphabet = "0123456789X" if at == 17 else "0123456789"
        for replacement in alphabet:
            if replacement != number[at]:
                changed = number[:at] + replacement + number[at + 1 :]
                assert not ric.is_valid(changed), (at, replacement)


@given(valid_rics())
def test_every_adjacent_transposition_is_detected(number: str) -> None:
    # MOD 11-2: swapping a, b at weights w, w' changes the sum by (a - b)(w - w'), and adjacent
    # weights differ mod 11, so every swap of two different characters is caught.
    for at in range(17):
        if number[at] != number[at + 1]:
            swapped = number[:at] + number[at + 1] + number[at] + number[at + 2 :]
            assert not ric.is_valid(swapped), at


@given(invalid_rics(as_of=AS_OF))
def test_generated_invalid_numbers_fail_for_their_reason(case: tuple[object, Reason]) -> None:
    value, reason = case
    findings = ric.explain(value, as_of=AS_OF)
    assert findings
    assert findings[0].reason is reason


# --- python-stdnum cross-checks (where it is right) --------------------------------------


@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_check_character_agrees_with_stdnum(body: str) -> None:
    assert ric_check_char(body) == stdnum_ric.calc_check_digit(body + "0")


@given(valid_rics(as_of=AS_OF))
def test_stdnum_accepted_numbers_are_accepted(number: str) -> None:
    # stdnum also rejects codes not in use in the birth year (people keep older codes), so only
    # one direction holds: whatever it accepts, bankcrm accepts with the same birth date.
    if stdnum_ric.is_valid(number):
        assert ric.validate(number).birth_date == stdnum_ric.get_birth_date(number)


def test_unknown_county_that_crashes_stdnum_is_handled() -> None:
    number = _with_check("11019919800101001")
    assert ric.is_valid(number)  # python-stdnum 2.2 raises KeyError here instead
    assert not ric.is_valid(number, strict=True)


@pytest.mark.parametrize(
    "value", [None, 19491231, "1949123", "１９４９１２３１", "1949-1-1", "\u0661" * 8]
)
def test_parse_birth_date_reads_only_eight_ascii_digits(value: object) -> None:
    assert ric.parse_birth_date(value) is None
    assert ric.parse_birth_date("19491231") == date(1949, 12, 31)


@pytest.mark.parametrize(
    ("number", "municipality"),
    [
        ("11010519491231002X", "北京市"),
        ("310104199001010015", "上海市"),
        ("120101199001010016", "天津市"),
        ("500101199001010017", "重庆市"),
    ],
)
def test_prefecture_of_a_municipality_is_the_municipality(number: str, municipality: str) -> None:
    number = number[:17] + ric_check_char(number[:17])
    info = ric.validate(number)
    assert info.prefecture_name == municipality
    assert info.province_name == municipality


def test_prefecture_of_a_province_county_and_directly_administered_county() -> None:
    from bankcrm.identity.regions import lookup_region

    assert lookup_region("350102") is not None
    assert lookup_region("350102").prefecture_name == "福州市"  # type: ignore[union-attr]
    assert lookup_region("429004").prefecture_name is None  # type: ignore[union-attr]  # 仙桃市
