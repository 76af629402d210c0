"""Vectorised validation of a whole phone column, equal to :func:`bankcrm.identity.mobile.validate`.

The batch path of :mod:`bankcrm.identity.mobile`: row ``i`` of :func:`validate_phone_column`
says what ``mobile.validate(phones[i])`` says. Plain 11-digit numbers and ASCII numbers with
``+86`` / ``0086`` prefixes, spaces and dashes are done with string kernels (whole numbers in
numeric columns first written in digits, as :func:`~bankcrm.identity.mobile.phone_text`
does); the rest by the scalar validator, once per distinct value.

>>> validate_phone_column(pd.Series(["138 0013 8000", "12800138000", None])).phone_e164.tolist()
['+8613800138000', nan, nan]
"""

from __future__ import annotations

import contextlib

import numpy as np
import pandas as pd

from bankcrm.errors import InvalidIdentifier
from bankcrm.identity import mobile
from bankcrm.identity._distinct import memo_key, str_take

__all__ = ["PHONE_COLUMNS", "validate_phone_column"]

#: The columns of :func:`validate_phone_column`.
PHONE_COLUMNS = ("phone_e164", "phone_valid", "phone_reason")

# --------------------------------------------------------------------------------------------
# phones

# Plain character classes and no look-arounds: RE2 (pyarrow) and Python's re read them alike.
_PHONE_ASCII = "[0-9+ -]+"
_PHONE_PLAIN = "1[3-9][0-9]{9}"
_PHONE_VALID = "(?:[+]86|[+]0086|0086|86)?1[3-9][0-9]{9}"


def validate_phone_column(phones: pd.Series) -> pd.DataFrame:
    """Validate every row's mainland mobile number, like :func:`mobile.validate` row by row.

    ``phones`` may hold anything: text, integers, floats, ``Decimal`` (see
    :func:`bankcrm.identity.mobile.phone_text`), missing values and objects that are not
    phones, each judged as the scalar validator judges it.

    Returns:
        A frame with the index of ``phones`` and the columns ``phone_e164`` (``+86`` and 11
        digits, missing if invalid), ``phone_valid`` and ``phone_reason`` (missing if valid;
        ``missing`` for a missing phone, as the scalar validator says).
    """
    index = phones.index
    n = len(phones)
    reasons: list[str | None] = [None]
    reason_code = np.zeros(n, dtype=np.intp)  # 0: valid
    done = np.zeros(n, dtype=bool)
    text = _phone_texts(phones)
    present = text.notna().to_numpy()
    plain = text.str.fullmatch(_PHONE_PLAIN).fillna(False).to_numpy(dtype=bool)
    e164 = ("+86" + text).where(plain)
    done |= plain
    other = present & ~plain
    if other.any():
        shaped = text[other].str.fullmatch(_PHONE_ASCII).to_numpy(dtype=bool)
        rows = np.flatnonzero(other)[shaped]
        if len(rows):
            compact = text.iloc[rows].str.replace("[ -]", "", regex=True)
            good = compact.str.fullmatch(_PHONE_VALID).to_numpy(dtype=bool)
            e164.iloc[rows[good]] = pd.Index("+86" + compact[good].str.slice(-11))
            done[rows[good]] = True
    rest = np.flatnonzero(~done)
    if len(rest):
        values = phones.to_numpy(dtype=object)[rest]
        memo: dict[object, tuple[str | None, int]] = {}
        numbers: list[str | None] = []
        for i, value in enumerate(values):
            key = memo_key(value)
            found = memo.get(key)
            if found is None:
                number, why = _phone_one(value)
                if why not in reasons:
                    reasons.append(why)
                found = memo.setdefault(key, (number, reasons.index(why)))
            numbers.append(found[0])
            reason_code[rest[i]] = found[1]
        e164.iloc[rest] = pd.Index(numbers, dtype="str")
    reason = pd.Series(str_take(reasons, np.where(reason_code == 0, -1, reason_code)), index=index)
    return pd.DataFrame(
        {"phone_e164": e164, "phone_valid": e164.notna(), "phone_reason": reason}, index=index
    )


def _phone_texts(phones: pd.Series) -> pd.Series:
    """:func:`mobile.phone_text` of the cells the string kernels can take at once: text
    columns, and whole non-negative numbers below 2**53 in numeric columns (floats hold those
    exactly). Every other cell is missing here and goes to the scalar validator.
    """
    index = phones.index
    if isinstance(phones.dtype, pd.StringDtype):
        return phones
    text = pd.Series(pd.array([None] * len(phones), dtype="str"), index=index)
    dtype = phones.dtype
    if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
        numbers = phones.to_numpy(dtype=np.float64, na_value=np.nan)
        with np.errstate(invalid="ignore"):
            whole = (
                np.isfinite(numbers)
                & (numbers >= 0)
                & (numbers < 2.0**53)
                & (numbers == np.floor(numbers))
            )
        rows = np.flatnonzero(whole)
        if len(rows):
            digits = numbers[rows].astype(np.int64).astype(str).astype(object)
            text.iloc[rows] = pd.Index(digits, dtype="str")
    elif pd.api.types.is_object_dtype(dtype) and pd.api.types.infer_dtype(phones, skipna=True) in (
        "string",
        "empty",
    ):
        with contextlib.suppress(UnicodeEncodeError):  # lone surrogates: the scalar path
            text = phones.astype("str")
    return text


def _phone_one(value: object) -> tuple[str | None, str | None]:
    try:
        return mobile.validate(value).number, None
    except InvalidIdentifier as error:
        return None, error.reason
