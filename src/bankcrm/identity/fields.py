"""Birth date and gender: derived from the id number, cross-checked against what was recorded.

A resident identity card number (and a Hong Kong / Macau / Taiwan residence permit number) carries
its holder's birth date and, by the parity of its sequence code, gender. A record's own birth
date and gender are compared with them, never overwritten:

============== =================================================================
check          meaning
============== =================================================================
``match``      recorded, and equal to what the id number says
``conflict``   recorded, and different — flagged, the recorded value is kept
``derived``    not recorded; the id number's value is offered in the derived column
``no_id``      recorded, but no valid id number carrying the field to compare with
``missing``    neither recorded nor derivable
``unparseable`` recorded, but not a date (not a gender code)
============== =================================================================

A conflict is a finding, not an error: a minor's record that carries a guardian's document shows
a birth-date conflict, and so does a typing mistake. Gender codes read: ``M``/``F``,
``male``/``female``, ``男``/``女``, GB/T 2261.1 codes ``1``/``2``; ``0``, ``9``, ``U``,
``unknown``, ``未知``, ``未说明`` mean "not recorded".

>>> import datetime as dt
>>> report = cross_check("RIC", "11010519491231002X", "1949-12-31", "男")
>>> report.birth_date_check.value, report.gender_check.value, report.gender_derived
('match', 'conflict', 'F')
>>> cross_check("RIC", "11010519491231002X", None, None).birth_date_derived
datetime.date(1949, 12, 31)
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from enum import StrEnum
from typing import Any

import attrs
import numpy as np
import pandas as pd

from bankcrm._values import as_series, distinct_codes
from bankcrm.errors import InputError, InvalidIdentifier, Rule
from bankcrm.identity._text import coerce_as_of
from bankcrm.identity.dispatch import validate_id

__all__ = [
    "FieldCheck",
    "FieldReport",
    "check_birth_date",
    "check_fields",
    "check_gender",
    "cross_check",
    "derive_fields",
    "parse_birth_date",
    "parse_gender",
]


class FieldCheck(StrEnum):
    """The outcome of comparing a recorded field with the id number's (see the module table)."""

    MATCH = "match"
    CONFLICT = "conflict"
    DERIVED = "derived"
    NO_ID = "no_id"
    MISSING = "missing"
    UNPARSEABLE = "unparseable"


_GENDER_WORDS: dict[str, str | None] = {
    "M": "M",
    "MALE": "M",
    "男": "M",
    "男性": "M",
    "1": "M",
    "F": "F",
    "FEMALE": "F",
    "女": "F",
    "女性": "F",
    "2": "F",
    "0": None,
    "9": None,
    "U": None,
    "UNKNOWN": None,
    "未知": None,
    "未说明": None,
}

_DATE_TEXT = re.compile(
    r"(?P<y>[0-9]{4})(?:(?P<sep>[-/.])(?P<m>[0-9]{1,2})(?P=sep)(?P<d>[0-9]{1,2})"
    r"|年(?P<m2>[0-9]{1,2})月(?P<d2>[0-9]{1,2})日?"
    r"|(?P<m3>[0-9]{2})(?P<d3>[0-9]{2}))"
    r"(?:[ T][0-9:.]*)?"
)


def _missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, np.datetime64) and bool(np.isnat(value))


def parse_gender(value: object) -> str | None:
    """Read a recorded gender as ``"M"`` or ``"F"`` (``None`` if missing or "unknown").

    Raises:
        InputError: if the value is not a gender code (rule ``gender``).

    >>> parse_gender("Female"), parse_gender(1), parse_gender(" 男 "), parse_gender("9")
    ('F', 'M', 'M', None)
    """
    if _missing(value):
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | np.integer):
        raise InputError(
            f"not a gender code: a {type(value).__name__}", column="gender", rule=Rule.GENDER
        )
    text = unicodedata.normalize("NFKC", str(value)).strip().upper()
    if text == "":
        return None
    if text not in _GENDER_WORDS:
        raise InputError("not a gender code", column="gender", rule=Rule.GENDER)
    return _GENDER_WORDS[text]


def parse_birth_date(value: object) -> dt.date | None:
    """Read a recorded birth date (``None`` if missing).

    Accepts dates, datetimes (their date), ``numpy.datetime64`` and text ``YYYY-MM-DD`` (also
    with ``/`` or ``.``, one-digit month and day, a trailing time), ``YYYYMMDD`` and
    ``YYYY年M月D日``, in full-width digits too.

    Raises:
        InputError: if the value is not a calendar date (rule ``date``).

    >>> parse_birth_date("1990/1/5"), parse_birth_date("１９９０年１月５日")
    (datetime.date(1990, 1, 5), datetime.date(1990, 1, 5))
    """
    if _missing(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, np.datetime64):
        return pd.Timestamp(value).date()
    if not isinstance(value, str):
        raise InputError(
            f"not a date: a {type(value).__name__}", column="birth_date", rule=Rule.DATE
        )
    text = unicodedata.normalize("NFKC", value).strip()
    if text == "":
        return None
    m = _DATE_TEXT.fullmatch(text)
    if m is None:
        raise InputError("not a date", column="birth_date", rule=Rule.DATE)
    month = m.group("m") or m.group("m2") or m.group("m3")
    day = m.group("d") or m.group("d2") or m.group("d3")
    try:
        return dt.date(int(m.group("y")), int(month), int(day))
    except ValueError:
        raise InputError("not a calendar date", column="birth_date", rule=Rule.DATE) from None


def _check(recorded: object, derived: object) -> FieldCheck:
    if recorded is None:
        return FieldCheck.MISSING if derived is None else FieldCheck.DERIVED
    if derived is None:
        return FieldCheck.NO_ID
    return FieldCheck.MATCH if recorded == derived else FieldCheck.CONFLICT


def check_birth_date(recorded: object, derived: dt.date | None) -> FieldCheck:
    """Compare a recorded birth date (any form :func:`parse_birth_date` reads) with the id's.

    >>> check_birth_date("2008-11-09", dt.date(1984, 3, 11)).value  # a guardian's id
    'conflict'
    """
    try:
        parsed = parse_birth_date(recorded)
    except InputError:
        return FieldCheck.UNPARSEABLE
    return _check(parsed, derived)


def check_gender(recorded: object, derived: str | None) -> FieldCheck:
    """Compare a recorded gender with the id's (``"M"`` / ``"F"`` / ``None``).

    >>> check_gender("女", "F").value, check_gender("?", "F").value, check_gender(None, None).value
    ('match', 'unparseable', 'missing')
    """
    try:
        parsed = parse_gender(recorded)
    except InputError:
        return FieldCheck.UNPARSEABLE
    return _check(parsed, derived)


@attrs.frozen
class DerivedFields:
    """What an id number says about its holder (``None`` where it says nothing)."""

    birth_date: dt.date | None
    gender: str | None


def derive_fields(
    id_type: object, id_number: object, *, as_of: object = None, strict: bool = False
) -> DerivedFields:
    """Birth date and gender from a valid id number that carries them.

    Invalid numbers, and id types without these fields, give ``None`` for both.

    >>> derive_fields("HMT_PERMIT", "810000199408230021")
    DerivedFields(birth_date=datetime.date(1994, 8, 23), gender='F')
    >>> derive_fields("RIC", "11010519491231002Y")
    DerivedFields(birth_date=None, gender=None)
    """
    day = coerce_as_of(as_of)  # a bad as_of is an error whatever the id type
    try:
        info = validate_id(id_type, id_number, as_of=day, strict=strict)
    except InvalidIdentifier:
        return DerivedFields(None, None)
    gender = getattr(info, "gender", None)
    return DerivedFields(getattr(info, "birth_date", None), str(gender) if gender else None)


@attrs.frozen
class FieldReport:
    """The derived fields and the outcome of both cross-checks for one record."""

    birth_date_derived: dt.date | None
    gender_derived: str | None
    birth_date_check: FieldCheck
    gender_check: FieldCheck

    @property
    def birth_date_conflict(self) -> bool:
        """The recorded birth date differs from the id number's."""
        return self.birth_date_check is FieldCheck.CONFLICT

    @property
    def gender_conflict(self) -> bool:
        """The recorded gender differs from the id number's."""
        return self.gender_check is FieldCheck.CONFLICT


def cross_check(
    id_type: object,
    id_number: object,
    birth_date: object,
    gender: object,
    *,
    as_of: object = None,
    strict: bool = False,
) -> FieldReport:
    """Derive birth date and gender from the id number and compare them with the recorded ones.

    ``as_of`` and ``strict`` are those of :func:`~bankcrm.identity.dispatch.validate_id`
    (``strict`` is the scalar path of ``StandardizePolicy.strict_ids``): only a number valid
    under them gives derived fields.

    >>> cross_check("RIC", "11010519491231002X", "1950-01-01", "F").birth_date_conflict
    True
    """
    derived = derive_fields(id_type, id_number, as_of=as_of, strict=strict)
    return FieldReport(
        derived.birth_date,
        derived.gender,
        check_birth_date(birth_date, derived.birth_date),
        check_gender(gender, derived.gender),
    )


# --------------------------------------------------------------------------------------------
# columns


def _recorded_dates(recorded: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Recorded birth dates as ``datetime64[s]`` (NaT where missing) and an unparseable mask."""
    if pd.api.types.is_datetime64_any_dtype(recorded.dtype):
        values = recorded
        if isinstance(values.dtype, pd.DatetimeTZDtype):
            values = values.dt.tz_localize(None)
        return values.dt.floor("D").astype("datetime64[s]"), np.zeros(len(recorded), bool)
    codes, uniques = distinct_codes(recorded)  # unhashable junk is a value too, not a crash
    parsed = np.full(len(uniques) + 1, np.datetime64("NaT"), dtype="datetime64[s]")
    bad = np.zeros(len(uniques) + 1, dtype=bool)
    for i, value in enumerate(uniques):
        try:
            day = parse_birth_date(value)
        except InputError:
            bad[i] = True
            continue
        if day is not None:
            parsed[i] = np.datetime64(day, "s")
    codes = np.asarray(codes)
    return pd.Series(parsed[codes], index=recorded.index), bad[codes]


_GENDER_CODES = {None: 0, "M": 1, "F": 2}


def _recorded_genders(recorded: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Recorded genders coded 0 (none), 1 (``M``), 2 (``F``), and an unparseable mask."""
    codes, uniques = distinct_codes(recorded)
    parsed = np.zeros(len(uniques) + 1, dtype=np.int8)
    bad = np.zeros(len(uniques) + 1, dtype=bool)
    for i, value in enumerate(uniques):
        try:
            parsed[i] = _GENDER_CODES[parse_gender(value)]
        except InputError:
            bad[i] = True
    codes = np.asarray(codes)
    return parsed[codes], bad[codes]


_CHECK_ORDER = (
    FieldCheck.UNPARSEABLE,
    FieldCheck.MISSING,
    FieldCheck.DERIVED,
    FieldCheck.NO_ID,
    FieldCheck.MATCH,
    FieldCheck.CONFLICT,
)


def _checks(
    recorded_present: np.ndarray, derived_present: np.ndarray, equal: np.ndarray, bad: np.ndarray
) -> np.ndarray:
    """Vectorised :func:`_check`: indices into ``_CHECK_ORDER``."""
    return np.select(
        [bad, ~recorded_present & ~derived_present, ~recorded_present, ~derived_present, equal],
        [0, 1, 2, 3, 4],
        default=5,
    )


def _check_column(codes: np.ndarray, index: pd.Index) -> pd.Series:
    values = pd.array([c.value for c in _CHECK_ORDER], dtype="str")
    return pd.Series(values.take(codes), index=index, copy=False)


def check_fields(
    birth_date: Any,
    gender: Any,
    derived_birth_date: Any,
    derived_gender: Any,
) -> pd.DataFrame:
    """Vectorised cross-check of recorded against derived birth dates and genders.

    Args:
        birth_date: recorded birth dates (``datetime64`` or values :func:`parse_birth_date`
            reads).
        gender: recorded genders (values :func:`parse_gender` reads).
        derived_birth_date: ``datetime64`` from the id numbers (NaT where none).
        derived_gender: ``"M"`` / ``"F"`` from the id numbers (missing where none).

    Returns:
        A frame with ``birth_date_check``, ``gender_check`` (:class:`FieldCheck` values),
        ``birth_date_conflict`` and ``gender_conflict`` (bool), on the index of ``birth_date``.

    >>> out = check_fields(
    ...     pd.Series(["2008-11-09", None]), pd.Series(["F", "M"]),
    ...     pd.Series(pd.to_datetime(["1984-03-11", "1990-01-01"])), pd.Series(["F", None]),
    ... )
    >>> out.birth_date_check.tolist(), out.gender_check.tolist()
    (['conflict', 'derived'], ['match', 'no_id'])
    """
    birth_date = as_series(birth_date, column="birth_date")
    gender = as_series(gender, column="gender")
    derived_birth_date = as_series(derived_birth_date, column="derived_birth_date")
    derived_gender = as_series(derived_gender, column="derived_gender")
    lengths = {len(birth_date), len(gender), len(derived_birth_date), len(derived_gender)}
    if len(lengths) > 1:
        raise InputError(
            f"the four columns must have the same length, got {sorted(lengths)}",
            column="birth_date",
            rule=Rule.SAME_LENGTH,
        )
    index = birth_date.index
    dates, dates_bad = _recorded_dates(birth_date)
    derived_dates = pd.Series(derived_birth_date.to_numpy(), index=index).astype("datetime64[s]")
    d_present = derived_dates.notna().to_numpy()
    r_present = dates.notna().to_numpy()
    same_day = (dates.to_numpy() == derived_dates.to_numpy()) & r_present & d_present
    birth_check = _checks(r_present, d_present, same_day, dates_bad)

    genders, genders_bad = _recorded_genders(gender)
    derived = derived_gender.reset_index(drop=True)  # rows are matched by position
    derived_codes = np.where(derived.eq("M").fillna(False).to_numpy(dtype=bool), 1, 0) + np.where(
        derived.eq("F").fillna(False).to_numpy(dtype=bool), 2, 0
    )
    gender_check = _checks(genders > 0, derived_codes > 0, genders == derived_codes, genders_bad)
    conflict = _CHECK_ORDER.index(FieldCheck.CONFLICT)
    return pd.DataFrame(
        {
            "birth_date_check": _check_column(birth_check, index),
            "gender_check": _check_column(gender_check, index),
            "birth_date_conflict": birth_check == conflict,
            "gender_conflict": gender_check == conflict,
        },
        index=index,
    )
