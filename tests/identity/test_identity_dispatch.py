"""validate_id: dispatch on the id type codes of a records frame."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import bankcrm.identity as identity
from bankcrm.errors import InvalidIdentifier
from bankcrm.identity import (
    fpr,
    hk_macau_travel,
    hmt_permit,
    mobile,
    passport,
    ric,
    taiwan_travel,
    uscc,
)
from bankcrm.identity.checksums import ric_check_char, uscc_check_char
from bankcrm.identity.dispatch import (
    IdentifierInfo,
    IdType,
    compact_id,
    detect_id_type,
    explain_id,
    format_id,
    is_valid_id,
    mask_id,
    normalize_id,
    parse_id_type,
    validate_id,
)
from bankcrm.identity.reasons import Reason
from bankcrm.testing.strategies import (
    arbitrary_id_inputs,
    valid_fprs,
    valid_hmt_permits,
    valid_rics,
    valid_usccs,
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


EXAMPLES = {
    IdType.RIC: "11010519491231002X",
    IdType.HMT_PERMIT: "810000199408230021",
    IdType.FPR: "932682198501010017",
    IdType.PASSPORT: "E12345678",
    IdType.HK_MO_TRAVEL: "H12345678",
    IdType.TW_TRAVEL: "12345678",
    IdType.USCC: "91350100M000100Y43",
    IdType.MOBILE: "13800138000",
}


def test_the_code_set_is_stable() -> None:
    # Records frames store these strings; renaming one is a breaking change.
    assert [t.value for t in IdType] == [
        "RIC",
        "HMT_PERMIT",
        "FPR",
        "PASSPORT",
        "HK_MO_TRAVEL",
        "TW_TRAVEL",
        "USCC",
        "MOBILE",
    ]
    assert set(EXAMPLES) == set(IdType)


@pytest.mark.parametrize(
    ("id_type", "module_validate"),
    [
        (IdType.RIC, ric.validate),
        (IdType.HMT_PERMIT, hmt_permit.validate),
        (IdType.FPR, fpr.validate),
        (IdType.PASSPORT, passport.validate),
        (IdType.HK_MO_TRAVEL, hk_macau_travel.validate),
        (IdType.TW_TRAVEL, taiwan_travel.validate),
        (IdType.USCC, uscc.validate),
        (IdType.MOBILE, mobile.validate),
    ],
)
def test_dispatch_reaches_the_module(
    id_type: IdType, module_validate: Callable[..., IdentifierInfo]
) -> None:
    value = EXAMPLES[id_type]
    expected = module_validate(value)
    assert validate_id(id_type, value) == expected
    assert validate_id(id_type.value.lower(), f" {value} ") == expected
    assert is_valid_id(id_type, value)
    assert explain_id(id_type, value) == ()
    assert normalize_id(id_type, value) == expected.number
    assert isinstance(format_id(id_type, value), str)
    assert isinstance(mask_id(id_type, value), str)
    assert compact_id(id_type, value) == value


def test_unknown_id_type() -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        validate_id("SSN", "078-05-1120")
    assert caught.value.reason == Reason.ID_TYPE
    assert not is_valid_id("SSN", "078-05-1120")
    assert explain_id(None, "x")[0].reason is Reason.ID_TYPE
    with pytest.raises(InvalidIdentifier):
        parse_id_type(42)


def test_swapped_arguments_do_not_leak_the_number() -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        validate_id("11010519491231002X", "RIC")
    assert caught.value.reason == Reason.ID_TYPE
    assert "11010519491231002X" not in str(caught.value)


@pytest.mark.parametrize(
    "number", ["91350100M000100Y43", "810000199408230021", "E12345678", "13800138000"]
)
def test_an_id_number_given_as_the_id_type_is_masked(number: str) -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        parse_id_type(number)
    message = str(caught.value) + repr(caught.value.args)
    assert number not in message
    assert "*" in message  # masked, not dropped: the message still helps


def test_a_str_subclass_is_read_as_its_plain_text() -> None:
    class Loud(str):
        def __len__(self) -> int:
            raise RuntimeError("no")

        def strip(self, chars: str | None = None) -> str:
            raise RuntimeError("no")

    assert parse_id_type(Loud("ric")) is IdType.RIC
    assert validate_id(Loud("RIC"), Loud("11010519491231002x")).number == "11010519491231002X"
    assert mask_id(Loud("SSN"), Loud("078-05-1120")) == "**********0"


def test_as_of_and_strict_are_passed_through() -> None:
    born_2030 = _with_check("11010520300101001")
    assert is_valid_id("RIC", born_2030)
    assert explain_id("RIC", born_2030, as_of=AS_OF)[0].reason is Reason.FUTURE_BIRTH_DATE
    unknown_county = _with_check("11019919800101001")
    assert is_valid_id("RIC", unknown_county)
    assert explain_id("RIC", unknown_county, strict=True)[0].reason is Reason.REGION
    unpublished_category = "94350100M000100Y4"
    code = unpublished_category + uscc_check_char(unpublished_category)
    assert is_valid_id("USCC", code)
    assert not is_valid_id("USCC", code, strict=True)


def test_public_aliases_required_by_the_issue() -> None:
    assert identity.validate_ric("11010519491231002X").number == "11010519491231002X"
    assert identity.is_valid_ric("11010519491231002X")
    assert identity.normalize_ric("110105491231002") == "11010519491231002X"
    assert identity.validate_uscc("91350100M000100Y43").number == "91350100M000100Y43"
    assert identity.is_valid_uscc("91350100M000100Y43")
    assert identity.normalize_mobile("0086 138 0013 8000") == "+8613800138000"
    assert identity.validate_id("RIC", "11010519491231002X").number == "11010519491231002X"


@pytest.mark.parametrize("id_type", list(IdType))
def test_detect_id_type_finds_the_examples(id_type: IdType) -> None:
    assert detect_id_type(EXAMPLES[id_type]) is id_type


@pytest.mark.parametrize(
    "phone", ["13800138000", "+86 138 0013 8000", "0086-139-0000-0000", "19912345678"]
)
def test_detect_id_type_finds_mainland_mobiles(phone: str) -> None:
    # Issue 9: an 11-digit mobile number was detected as a PASSPORT.
    assert detect_id_type(phone) is IdType.MOBILE


@given(
    st.one_of(
        valid_rics().map(lambda v: (IdType.RIC, v)),
        valid_hmt_permits().map(lambda v: (IdType.HMT_PERMIT, v)),
        valid_fprs().map(lambda v: (IdType.FPR, v)),
        valid_usccs().map(lambda v: (IdType.USCC, v)),
    )
)
def test_detect_id_type_on_generated_numbers(case: tuple[IdType, str]) -> None:
    id_type, number = case
    assert detect_id_type(number) is id_type


@given(
    st.one_of(st.sampled_from(list(IdType)), st.text(max_size=12), st.none()), arbitrary_id_inputs()
)
def test_never_raises_anything_but_bankcrm_errors(id_type: object, value: object) -> None:
    assert isinstance(is_valid_id(id_type, value, as_of=AS_OF), bool)
    findings = explain_id(id_type, value, as_of=AS_OF)
    assert isinstance(mask_id(id_type, value), str)
    err = _raised(lambda: validate_id(id_type, value, as_of=AS_OF))
    if err is None:
        assert findings == ()
    else:
        assert isinstance(err, InvalidIdentifier)
        assert err.reason == findings[0].reason
    detect_id_type(value)


# --- id type aliases as an editable policy table (issue 9) -----------------------------------


@pytest.mark.parametrize(
    ("alias", "id_type"),
    [
        ("身份证", IdType.RIC),
        ("居民身份证", IdType.RIC),
        ("01", IdType.RIC),
        ("id_card", IdType.RIC),
        (" ID-Card ", IdType.RIC),
        ("护照", IdType.PASSPORT),
        ("台胞证", IdType.TW_TRAVEL),
        ("统一社会信用代码", IdType.USCC),
    ],
)
def test_default_aliases(alias: str, id_type: IdType) -> None:
    assert parse_id_type(alias) is id_type
    assert is_valid_id(alias, EXAMPLES[id_type])


def test_a_bank_edits_the_alias_table(tmp_path: Path) -> None:
    from bankcrm.identity.dispatch import DEFAULT_ID_TYPE_ALIASES, IdTypeAliases
    from bankcrm.policy import load, save

    bank = IdTypeAliases(
        version="bank-2026", aliases={**DEFAULT_ID_TYPE_ALIASES.aliases, "20": "PASSPORT"}
    )
    assert parse_id_type("20", aliases=bank) is IdType.PASSPORT
    with pytest.raises(InvalidIdentifier):
        parse_id_type("20")
    assert load(IdTypeAliases, save(bank, tmp_path / "aliases.toml")) == bank


@pytest.mark.parametrize(
    "aliases", [{"01": "NOPE"}, {"": "RIC"}, {"x": "RIC", "X": "PASSPORT"}, ["01"]]
)
def test_a_bad_alias_table_is_a_policy_error(aliases: object) -> None:
    from bankcrm.errors import PolicyError
    from bankcrm.identity.dispatch import IdTypeAliases

    with pytest.raises(PolicyError):
        IdTypeAliases(aliases=aliases)


@pytest.mark.parametrize("code", ["99", "SSN", "身份证明"])
def test_an_unknown_id_type_is_shown_unmasked(code: str) -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        parse_id_type(code)
    assert repr(code) in str(caught.value)


def test_an_id_number_passed_as_the_id_type_stays_masked() -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        parse_id_type("11010519491231002X")
    assert "19491231" not in str(caught.value)
