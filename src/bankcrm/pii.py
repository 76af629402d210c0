"""Masking of personal identifiers for reprs, error messages and logs.

An identity number keeps only its 6-digit region code and its last four characters; a phone
number keeps only its last four digits. Everything else becomes ``*``. Free text (an error
message, a log line) can be scrubbed with :func:`mask_text`, which finds identity numbers and
mainland mobile numbers inside it.

>>> mask_id_number("11010519491231002X")
'110105********002X'
>>> mask_phone("+86 138-0013-8000")
'*******8000'
>>> mask_text("row 3: id 11010519491231002X, phone 13800138000")
'row 3: id 110105********002X, phone *******8000'
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["mask_id_number", "mask_phone", "mask_text", "mask_value"]

_MASK = "*"

# 15 to 18 characters that start with six digits: resident ids, residence permits, legacy ids;
# only digits bound them, so an id glued to letters ("id11010519491231002X") is still found.
_ID_IN_TEXT = re.compile(r"(?<![0-9])\d{14}(?:\d{3}[0-9Xx]|\d)(?![0-9])")
# Mainland mobiles with optional +86 / 0086 and separators.
_PHONE_IN_TEXT = re.compile(
    r"(?<![0-9])(?:\+?86[ -]?|0086[ -]?)?1\d{2}[ -]?\d{4}[ -]?\d{4}(?![0-9])"
)


def mask_id_number(value: object) -> str:
    """Mask an identity-like number, keeping the region code and the last four characters.

    Short or unparseable values are masked entirely except for their last character, so that
    even garbage never leaks in full.

    >>> mask_id_number("110105491231002")
    '110105*****1002'
    >>> mask_id_number("12")
    '*2'
    """
    text = "" if value is None else str(value).strip()
    n = len(text)
    if n >= 12:
        return text[:6] + _MASK * (n - 10) + text[-4:]
    if n == 0:
        return ""
    return _MASK * (n - 1) + text[-1]


def mask_phone(value: object) -> str:
    """Mask a phone number, keeping only its last four digits.

    >>> mask_phone("13800138000")
    '*******8000'
    """
    digits = re.sub(r"\D", "", "" if value is None else str(value))
    if digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if len(digits) <= 4:
        return _MASK * len(digits)
    return _MASK * (len(digits) - 4) + digits[-4:]


def mask_text(text: str) -> str:
    """Replace every identity number and mainland mobile number found in ``text``."""
    text = _ID_IN_TEXT.sub(lambda m: mask_id_number(m.group(0)), text)
    return _PHONE_IN_TEXT.sub(lambda m: mask_phone(m.group(0)), text)


def mask_value(value: Any, kind: str | None) -> str:
    """Mask one value according to the kind of column it comes from.

    ``kind`` is ``"id"`` for identity numbers, ``"phone"`` for phones, anything else (or
    ``None``) for free text, which is scrubbed with :func:`mask_text`.

    >>> mask_value("13800138000", "phone")
    '*******8000'
    """
    if kind == "id":
        return mask_id_number(value)
    if kind == "phone":
        return mask_phone(value)
    return mask_text(str(value))
