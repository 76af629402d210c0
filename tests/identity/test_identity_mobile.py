"""Mainland mobile numbers → E.164."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given

from bankcrm.errors import InvalidIdentifier
from bankcrm.identity import mobile
from bankcrm.identity.reasons import Reason
from bankcrm.testing.strategies import arbitrary_id_inputs, mobile_pairs


def _raised(call: Callable[[], object]) -> BaseException | None:
    """Run ``call`` and return what it raised (None if it returned)."""
    try:
        call()
    except Exception as err:  # the tests inspect it: only bankcrm errors are allowed
        return err
    return None


@pytest.mark.parametrize(
    "written",
    [
        "13800138000",
        "138 0013 8000",
        "138-0013-8000",
        "+86 138 0013 8000",
        "+8613800138000",
        "0086 13800138000",
        "008613800138000",
        "8613800138000",
        "(+86) 138-0013-8000",
        "（＋８６）１３８００１３８０００",
        "１３８\u3000００１３\u3000８０００",
        "\u202a+86 138 0013 8000\u202c",  # a bidi embedding, as mail clients paste phones
        "\u200e138-0013-8000\u200e",
        13800138000,
    ],
)
def test_written_forms_normalise_to_e164(written: object) -> None:
    assert mobile.normalize(written) == "+8613800138000"


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (None, Reason.MISSING),
        (13800138000.5, Reason.NOT_TEXT),  # a whole float is a phone (issue 9)
        (float("inf"), Reason.NOT_TEXT),
        ("", Reason.EMPTY),
        ("+", Reason.EMPTY),
        ("138 0013 800x", Reason.CHARACTERS),
        ("138+00138000", Reason.CHARACTERS),
        ("+1 415 555 0100", Reason.FORMAT),
        ("+852 9123 4567", Reason.FORMAT),
        ("1380013800", Reason.LENGTH),
        ("+86 1380013800", Reason.LENGTH),
        ("010 6552 9988", Reason.FORMAT),  # a Beijing landline has 11 digits too
        ("12800138000", Reason.FORMAT),
        ("23800138000", Reason.FORMAT),
    ],
)
def test_reasons(value: object, reason: Reason) -> None:
    assert mobile.explain(value)[0].reason is reason
    with pytest.raises(InvalidIdentifier) as caught:
        mobile.validate(value)
    assert caught.value.reason == reason
    assert caught.value.id_type == "MOBILE"


def test_messages_and_reprs_are_masked() -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        mobile.validate("2380013800")
    assert "2380013800" not in str(caught.value)
    assert "13800138000" not in repr(mobile.validate("13800138000"))
    assert mobile.mask("+86 138 0013 8000") == "*******8000"


def test_format() -> None:
    assert mobile.format("008613800138000") == "+86 138 0013 8000"


@given(mobile_pairs())
def test_messy_forms_normalise_and_round_trip(pair: tuple[str, str]) -> None:
    messy, e164 = pair
    info = mobile.validate(messy)
    assert info.number == e164
    assert info.national == e164[3:]
    assert mobile.normalize(mobile.format(messy)) == e164
    assert mobile.normalize(e164) == e164  # idempotent


@given(arbitrary_id_inputs())
def test_never_raises_anything_but_bankcrm_errors(value: object) -> None:
    assert isinstance(mobile.is_valid(value), bool)
    assert isinstance(mobile.mask(value), str)
    findings = mobile.explain(value)
    err = _raised(lambda: mobile.validate(value))
    if err is None:
        assert findings == ()
    else:
        assert isinstance(err, InvalidIdentifier)
        assert err.reason == findings[0].reason
