"""Mainland China mobile numbers, normalised to E.164 (``+8613800138000``).

A mainland mobile number has 11 digits, starts with ``1`` and its second digit is 3-9. It is
written with an optional country prefix (``+86``, ``0086``, ``86``), spaces, dashes, brackets
and full-width digits. Since number portability (2019-11-27) the prefix says nothing reliable
about the carrier, so no carrier is derived.

>>> normalize("+86 138-0013-8000")
'+8613800138000'
>>> normalize("（０086）13800138000")
'+8613800138000'
>>> explain("+1 415 555 0100")[0].reason.value
'format'

Findings in order: ``not_text``, ``empty``, ``characters`` (anything but digits and one
leading ``+``), ``format`` (another country code), ``length`` (not 11 national digits),
``format`` (not ``1[3-9]…``). There is no check digit.
"""

from __future__ import annotations

import math
import numbers
from decimal import Decimal

import attrs
import numpy as np

from bankcrm.identity._text import as_text, coerce_as_of, shape_findings
from bankcrm.identity.reasons import Finding, Reason, identifier_error
from bankcrm.pii import mask_phone

__all__ = [
    "ID_TYPE",
    "MobileInfo",
    "compact",
    "explain",
    "format",
    "is_valid",
    "mask",
    "normalize",
    "phone_text",
    "validate",
]

#: The id type code of mobile numbers (phones live in their own column, not in ``id_type``).
ID_TYPE = "MOBILE"
_LABEL = "mainland mobile number"
_NOUN = "a phone number"
_DIGITS = frozenset("0123456789")
_SECOND_DIGITS = frozenset("3456789")


def _masked_repr(value: str) -> str:
    return repr(mask_phone(value))


@attrs.frozen
class MobileInfo:
    """A valid mainland mobile number.

    Attributes:
        number: E.164 form, ``+86`` and 11 digits.
        national: the 11 national digits.
        verified: always ``False``: mobile numbers have no check digit.
    """

    number: str = attrs.field(repr=_masked_repr)
    national: str = attrs.field(repr=_masked_repr)
    verified: bool = False


def phone_text(value: object) -> str | None:
    """The text of a phone cell, or ``None`` if it cannot hold a phone number.

    Text is taken as it is. Spreadsheets and CSV readers store phone numbers as numbers, and an
    11-digit number fits a float exactly, so a whole non-negative number — ``int``, ``float``,
    ``Decimal`` or their NumPy forms — is written in decimal digits (``13800138000.0`` →
    ``"13800138000"``). Fractions, negatives, infinities, booleans, bytes and containers are
    not phone numbers (reason ``not_text``); ``None`` and NaN are missing. :func:`validate` and
    the batch path of :func:`bankcrm.identity.standardize` both read cells through here.

    >>> phone_text(13800138000.0), phone_text(13800138000.5), phone_text(True)
    ('13800138000', None, None)
    """
    if isinstance(value, str):
        return as_text(value)
    if isinstance(value, bool | np.bool_):
        return None
    if isinstance(value, numbers.Integral):
        return as_text(value)
    if isinstance(value, float | np.floating):
        number = float(value)
        if math.isfinite(number) and number >= 0 and number.is_integer():
            return str(int(number))
        return None
    if isinstance(value, Decimal):
        if value.is_finite() and value >= 0 and value == value.to_integral_value():
            return str(int(value))
        return None
    return None


def _shape(value: object) -> tuple[str, list[Finding]]:
    text = phone_text(value)
    return shape_findings(value if text is None else text, _NOUN)


def compact(value: object) -> str:
    """Normalise ``value`` without validating it (brackets dropped too).

    >>> compact("(+86) 138 0013 8000")
    '+8613800138000'
    """
    return _shape(value)[0].replace("(", "").replace(")", "")


def _check(value: object) -> tuple[MobileInfo | None, tuple[Finding, ...]]:
    text, findings = _shape(value)
    if findings:
        return None, tuple(findings)
    text = text.replace("(", "").replace(")", "")
    digits = text.removeprefix("+")
    if not digits:
        return None, (Finding(Reason.EMPTY, "the value is empty"),)
    if not set(digits) <= _DIGITS:
        detail = "only digits and a leading + are allowed"
        return None, (Finding(Reason.CHARACTERS, detail),)
    has_plus = len(digits) < len(text)
    if digits.startswith("0086"):
        national = digits[4:]
    elif digits.startswith("86") and (has_plus or len(digits) == 13):
        national = digits[2:]
    elif has_plus:
        return None, (Finding(Reason.FORMAT, "the country code is not +86"),)
    else:
        national = digits
    if len(national) != 11:
        detail = f"expected 11 national digits, got {len(national)}"
        return None, (Finding(Reason.LENGTH, detail),)
    if national[0] != "1" or national[1] not in _SECOND_DIGITS:
        detail = "a mainland mobile number starts with 13-19"
        return None, (Finding(Reason.FORMAT, detail),)
    return MobileInfo(number="+86" + national, national=national), ()


def validate(value: object, *, as_of: object = None, strict: bool = False) -> MobileInfo:
    """Validate a mainland mobile number.

    ``as_of`` and ``strict`` are accepted for a uniform signature and ignored.

    Raises:
        InvalidIdentifier: with the first finding's reason; the message is masked.

    >>> validate("1380013800")
    Traceback (most recent call last):
    ...
    bankcrm.errors.InvalidIdentifier: column 'phone': \
invalid mainland mobile number ******3800: expected 11 \
national digits, got 10 [rule: invalid_id; reason: length]
    """
    coerce_as_of(as_of)  # checked for a uniform contract, then unused
    del strict
    info, findings = _check(value)
    if info is None:
        known = phone_text(value) is not None
        masked = mask_phone(compact(value)) if known else f"<{type(value).__name__}>"
        raise identifier_error(
            findings, id_type=ID_TYPE, label=_LABEL, masked=masked, column="phone"
        )
    return info


def normalize(value: object, *, as_of: object = None, strict: bool = False) -> str:
    """Return the E.164 form of a valid mainland mobile number.

    Raises:
        InvalidIdentifier: if ``value`` is not a mainland mobile number.

    >>> normalize("0086-138 0013 8000")
    '+8613800138000'
    """
    return validate(value, as_of=as_of, strict=strict).number


def is_valid(value: object, *, as_of: object = None, strict: bool = False) -> bool:
    """Tell whether ``value`` is a mainland mobile number (never raises).

    >>> is_valid("13800138000"), is_valid("12800138000"), is_valid(13800138000)
    (True, False, True)
    >>> is_valid(13800138000.0)  # a phone column read as floats
    True
    """
    coerce_as_of(as_of)  # checked for a uniform contract, then unused
    del strict
    return _check(value)[0] is not None


def explain(value: object, *, as_of: object = None, strict: bool = False) -> tuple[Finding, ...]:
    """Return the finding against ``value`` (empty if it is valid).

    >>> explain("138 0013 800x")[0].reason.value
    'characters'
    """
    coerce_as_of(as_of)  # checked for a uniform contract, then unused
    del strict
    return _check(value)[1]


def format(value: object) -> str:
    """Write a valid number in the international grouping ``+86 138 0013 8000``.

    >>> format("13800138000")
    '+86 138 0013 8000'
    """
    national = validate(value).national
    return f"+86 {national[:3]} {national[3:7]} {national[7:]}"


def mask(value: object) -> str:
    """Mask a phone number, keeping its last four digits.

    >>> mask("+86 138 0013 8000")
    '*******8000'
    """
    return mask_phone(compact(value))
