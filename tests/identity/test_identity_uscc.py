"""Unified social credit codes (GB 32100): examples, letter authorities, reasons, properties."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import stdnum.cn.uscc as stdnum_uscc
from hypothesis import given
from hypothesis import strategies as st

from bankcrm.errors import InvalidIdentifier
from bankcrm.identity import uscc
from bankcrm.identity.checksums import USCC_ALPHABET, org_code_check_char, uscc_check_char
from bankcrm.identity.reasons import Finding, Reason
from bankcrm.testing.strategies import arbitrary_id_inputs, messy_forms, valid_usccs


def _raised(call: Callable[[], object]) -> BaseException | None:
    """Run ``call`` and return what it raised (None if it returned)."""
    try:
        call()
    except Exception as err:  # the tests inspect it: only bankcrm errors are allowed
        return err
    return None


STANDARD_EXAMPLE = "91350100M000100Y43"  # the example code printed in GB 32100-2015


def _code(first17: str) -> str:
    return first17 + uscc_check_char(first17)


def _code_with_org(prefix8: str, org_body: str) -> str:
    return _code(prefix8 + org_body + org_code_check_char(org_body))


def test_standard_example() -> None:
    info = uscc.validate(STANDARD_EXAMPLE, strict=True)
    assert info.number == STANDARD_EXAMPLE
    assert (info.authority, info.category) == ("9", "1")
    assert info.category_name == "enterprise"
    assert info.region_code == "350100"
    assert info.organisation_code == "M000100Y4"
    assert org_code_check_char("M000100Y") == "4"


@pytest.mark.parametrize(
    ("prefix8", "authority", "category"),
    [
        ("N2110105", "N", "village-level collective economic organisation"),
        ("N3330106", "N", "township-level collective economic organisation"),
        ("Y1110000", "Y", "other"),
        ("A1110000", "A", "military public institution"),
        ("53100000", "5", "foundation"),
        ("12440300", "1", "public institution"),
        ("31110105", "3", "law firm"),
        ("92440300", "9", "individual business"),
    ],
)
def test_every_kind_of_registration_authority(prefix8: str, authority: str, category: str) -> None:
    code = _code_with_org(prefix8, "MA01XY3K")
    info = uscc.validate(code, strict=True)
    assert info.authority == authority
    assert info.category_name == category
    # python-stdnum computes the same check character, even for codes it then rejects.
    assert stdnum_uscc.calc_check_digit(code) == code[17]


def test_stdnum_rejects_letter_authorities_that_bankcrm_accepts() -> None:
    code = _code_with_org("N2110105", "MA01XY3K")
    assert uscc.is_valid(code)
    assert not stdnum_uscc.is_valid(code)  # the known weakness (DOMAIN.md §1)


@pytest.mark.parametrize(
    ("value", "reason", "strict"),
    [
        (None, Reason.MISSING, False),
        ("", Reason.EMPTY, False),
        ("91350100M000100I43", Reason.CHARACTERS, False),  # I is not in the alphabet
        ("91350100M000100O43", Reason.CHARACTERS, False),
        ("91350100M000100S43", Reason.CHARACTERS, False),
        ("91350100M000100V43", Reason.CHARACTERS, False),
        ("91350100M000100Z43", Reason.CHARACTERS, False),
        ("91350100M000100Y4", Reason.LENGTH, False),
        ("91350100M000100Y433", Reason.LENGTH, False),
        (_code("01350100M000100Y4"), Reason.REGISTRATION_AUTHORITY, False),
        (_code("B1350100M000100Y4"), Reason.REGISTRATION_AUTHORITY, False),
        (_code("9A350100M000100Y4"), Reason.FORMAT, False),
        (_code("913501A0M000100Y4"), Reason.FORMAT, False),
        (_code("94350100M000100Y4"), Reason.REGISTRATION_AUTHORITY, True),  # unpublished 9-4
        (_code("Y2350100M000100Y4"), Reason.REGISTRATION_AUTHORITY, True),
        (_code("91990100M000100Y4"), Reason.REGION, True),
        (_code("91350100M000100Y5"), Reason.ORGANISATION_CODE, True),
        ("91350100M000100Y44", Reason.CHECK_CHARACTER, False),
    ],
)
def test_each_failure_has_its_reason(value: object, reason: Reason, strict: bool) -> None:
    findings = uscc.explain(value, strict=strict)
    assert findings
    assert findings[0].reason is reason
    with pytest.raises(InvalidIdentifier) as caught:
        uscc.validate(value, strict=strict)
    assert caught.value.reason == reason
    assert caught.value.id_type == "USCC"


def test_strict_only_checks_are_off_by_default() -> None:
    for first17 in ("94350100M000100Y4", "91990100M000100Y4", "91350100M000100Y5"):
        assert uscc.is_valid(_code(first17))
        assert not uscc.is_valid(_code(first17), strict=True)


def test_central_level_region_is_known_when_strict() -> None:
    assert uscc.is_valid(_code_with_org("11100000", "MA01XY3K"), strict=True)


def test_written_forms_and_masking() -> None:
    assert uscc.normalize(" ９１３５０１００ｍ000100y43 ") == STANDARD_EXAMPLE
    with pytest.raises(InvalidIdentifier) as caught:
        uscc.validate("91350100M000100Y44")
    assert "91350100M000100Y44" not in str(caught.value)


def test_the_result_repr_masks_the_code() -> None:
    shown = repr(uscc.validate(STANDARD_EXAMPLE))
    assert STANDARD_EXAMPLE not in shown
    assert "M000100Y4" not in shown
    assert "913501********0Y43" in shown


@given(arbitrary_id_inputs())
def test_never_raises_anything_but_bankcrm_errors(value: object) -> None:
    assert isinstance(uscc.is_valid(value), bool)
    findings = uscc.explain(value, strict=True)
    assert all(isinstance(f, Finding) for f in findings)
    assert isinstance(uscc.mask(value), str)
    err = _raised(lambda: uscc.validate(value))
    assert err is None or isinstance(err, InvalidIdentifier)


@given(st.data(), valid_usccs())
def test_valid_codes_survive_messy_forms_compact_and_format(data: st.DataObject, code: str) -> None:
    assert uscc.validate(code, strict=True).number == code
    assert uscc.validate(uscc.compact(code)).number == code
    assert uscc.validate(uscc.format(code)).number == code
    assert uscc.normalize(data.draw(messy_forms(code))) == code


@given(valid_usccs())
def test_every_single_character_change_is_detected(code: str) -> None:
    for at in range(18):
        for replacement in USCC_ALPHABET:
            if replacement != code[at]:
                changed = code[:at] + replacement + code[at + 1 :]
                assert not uscc.is_valid(changed), (at, replacement)


@given(valid_usccs())
def test_every_adjacent_transposition_is_detected(code: str) -> None:
    # MOD 31-3: weights 3**i mod 31 with 3 a primitive root mod 31, so adjacent weights always
    # differ and 31 is prime: every swap of two different characters changes the sum mod 31.
    for at in range(17):
        if code[at] != code[at + 1]:
            swapped = code[:at] + code[at + 1] + code[at] + code[at + 2 :]
            assert not uscc.is_valid(swapped), at


@given(
    st.sampled_from("123456789"),
    st.text(alphabet="0123456789", min_size=7, max_size=7),
    st.text(alphabet=USCC_ALPHABET, min_size=10, max_size=10),
)
def test_agrees_with_stdnum_on_digit_authorities(first: str, digits: str, rest: str) -> None:
    # Where stdnum's rules apply (a digit authority and digits in chars 2-8) it is right.
    code = first + digits + rest
    assert uscc.is_valid(code) == stdnum_uscc.is_valid(code)
    fixed = _code(code[:17])
    assert uscc.is_valid(fixed)
    assert stdnum_uscc.is_valid(fixed)
