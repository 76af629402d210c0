"""Shared input normalisation for identifiers.

Identifiers reach a bank typed by hand, pasted from spreadsheets and read from scanned forms: with
full-width digits (``１１０１``), ideographic spaces, dashes of every width, zero-width characters,
lower-case letters, and sometimes as integers. :func:`clean_identifier` turns all of that into a
plain upper-case ASCII string; :func:`as_text` decides which Python objects count as text at all.

>>> clean_identifier(" １１０１０５-1949 1231 002ｘ ")
'11010519491231002X'
>>> as_text(110105194912310020)
'110105194912310020'
>>> as_text(None) is None
True
"""

from __future__ import annotations

import math
import numbers
import re
import unicodedata
from datetime import date

import numpy as np
import pandas as pd

from bankcrm.calendar import as_date
from bankcrm.identity.reasons import Finding, Reason
from bankcrm.pii import mask_id_number

__all__ = [
    "MAX_INPUT_LENGTH",
    "as_text",
    "clean_identifier",
    "coerce_as_of",
    "is_missing",
    "masked_input",
    "shape_findings",
]

#: Longer inputs are rejected for their length before any normalisation is attempted, so that a
#: stray document pasted into an id field costs nothing.
MAX_INPUT_LENGTH = 256

# Characters people put between the parts of a number. NFKC has already mapped the full-width
# and ideographic forms to these (U+3000 → space, U+FF0D → "-"). The invisible ones come with
# text copied from web pages, mail and spreadsheets: zero-width spaces and joiners, bidi marks,
# embeddings and isolates (U+200E/F, U+202A-E, U+2066-9), invisible operators, variation
# selectors, the combining grapheme joiner and C0 controls (NUL padding of fixed-width fields).
_SEPARATORS = re.compile(
    r"[\s\-_./\\·•・‐‑‒–—―−ー\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069"
    r"\u180e\u034f\ufe00-\ufe0f\ufeff\x00-\x1f\x7f]+"
)


def as_text(value: object) -> str | None:
    """Return ``value`` as a string if it can hold an identifier, else ``None``.

    Strings are returned as they are; integers (not booleans) are written in decimal, because
    spreadsheets store digit-only ids as numbers. Floats, bytes, ``None``, NaN and containers
    are not identifiers: a float cannot hold an 18-digit number exactly.

    >>> as_text("abc"), as_text(7), as_text(True), as_text(1.5), as_text(b"1")
    ('abc', '7', None, None, None)
    """
    if isinstance(value, str):
        # A str subclass may override len/str/slicing; str.__str__ returns its plain text.
        return value if type(value) is str else str.__str__(value)
    if isinstance(value, bool):
        return None
    if isinstance(value, numbers.Integral):
        try:
            number = int(value)
        except (TypeError, ValueError, OverflowError):  # an exotic Integral that refuses
            return None
        if number < 0 or number.bit_length() > 4 * MAX_INPUT_LENGTH:
            return None
        return str(number)
    if isinstance(value, float) and math.isnan(value):
        return None
    return None


def clean_identifier(text: str) -> str:
    """Normalise ``text``: NFKC, drop separators and invisible characters, upper-case.

    The result may still contain characters outside any identifier's alphabet; validators
    report those as ``Reason.CHARACTERS``.

    >>> clean_identifier("ｅａ１２３４５６７")
    'EA1234567'
    >>> clean_identifier("138\\u30000013\\u2014 8000")
    '13800138000'
    """
    if text.isascii() and text.isalnum():  # the common case: nothing to normalise
        return text.upper()
    normal = unicodedata.normalize("NFKC", text)
    return _SEPARATORS.sub("", normal).upper()


def coerce_as_of(as_of: object) -> date | None:
    """Return ``as_of`` as a plain :class:`datetime.date`, or ``None`` for "no date check".

    Every ``as_of`` of :mod:`bankcrm.identity` goes through here, and so through the library's
    one scalar-date coercer :func:`bankcrm.calendar.as_date`: a ``date``, ISO text, and a
    ``datetime`` / pandas ``Timestamp`` / ``numpy.datetime64`` at midnight. ``None`` means the
    identifier functions make no date-dependent check (no clock is read).

    Raises:
        InputError: rule ``date`` for a time of day, NaT or anything that is not a date; rule
            ``timezone`` for a time-zone-aware value.

    >>> coerce_as_of("2024-05-01"), coerce_as_of(None)
    (datetime.date(2024, 5, 1), None)
    >>> from datetime import datetime
    >>> coerce_as_of(datetime(2024, 5, 1, 13, 30))
    Traceback (most recent call last):
    ...
    bankcrm.errors.InputError: column 'as_of': must be a date, got a time of day \
(2024-05-01 13:30:00); pass the date alone [rule: date]
    """
    if as_of is None:
        return None
    return as_date(as_of, name="as_of")


def is_missing(value: object) -> bool:
    """``None``, NaN, pandas' ``NA`` and ``NaT``: no value at all (reason ``missing``)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float | np.floating):
        return bool(value != value)
    if isinstance(value, np.datetime64 | np.timedelta64):
        return bool(np.isnat(value))
    return False


def shape_findings(value: object, noun: str) -> tuple[str, list[Finding]]:
    """Normalise ``value`` and check the findings every identifier shares.

    Returns the cleaned text and, if it is missing, not text, too long or empty, the one
    finding that says so (``missing`` for ``None``/NaN/NA/NaT, ``not_text`` for a value that is
    present but is not text or an integer). ``noun`` names the identifier in the detail
    ("an identity number").
    """
    text = as_text(value)
    if text is None:
        if is_missing(value):
            return "", [Finding(Reason.MISSING, "the value is missing")]
        return "", [Finding(Reason.NOT_TEXT, f"a {type(value).__name__} is not {noun}")]
    if len(text) > MAX_INPUT_LENGTH:
        return "", [Finding(Reason.LENGTH, f"longer than {MAX_INPUT_LENGTH} characters")]
    cleaned = clean_identifier(text)
    if not cleaned:
        return "", [Finding(Reason.EMPTY, "the value is empty")]
    return cleaned, []


def masked_input(value: object) -> str:
    """Mask any input for an error message: the normalised text, or the type's name."""
    if as_text(value) is None:
        return f"<{type(value).__name__}>"
    return mask_id_number(shape_findings(value, "")[0])
