"""Per-kind coercion of one column for :mod:`bankcrm.frames` (vectorised, no pandas errors).

Each coercer receives the non-null part of a column and returns the coerced values, or raises
:class:`BadValuesError` naming the rule and the offending positions;
:func:`bankcrm.frames.validate_frame` turns that into an :class:`~bankcrm.errors.InputError`
with row labels and masked values.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from bankcrm._money import to_fen
from bankcrm._ratios import to_millionths
from bankcrm._values import FULLWIDTH_TABLE, distinct_codes
from bankcrm.errors import InputError

__all__ = ["DATETIME_DTYPE", "BadValuesError", "coerce_values"]

#: The dtype of validated "date" and "datetime" columns (microseconds, pandas 3's default; it
#: holds sentinel dates such as 9999-12-31 that bank systems use for "open").
DATETIME_DTYPE = "datetime64[us]"

_TRUE = frozenset({"true", "t", "yes", "y", "1", "是", "真"})
_FALSE = frozenset({"false", "f", "no", "n", "0", "否", "假"})
_DATE_TEXT = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)?"
)
# Plain ISO 8601 without offsets: the only text the vectorised parser is trusted with, so that
# both paths accept exactly the same strings.
_ISO = r"\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?)?"
_COMPACT_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")


class BadValuesError(Exception):
    """Some values of a column broke ``rule``; ``mask`` marks them (positions in the input)."""

    def __init__(
        self, rule: str, message: str, mask: NDArray[np.bool_], *, n_rows: int | None = None
    ) -> None:
        super().__init__(message)
        self.rule = rule
        self.message = message
        self.mask = mask
        self.n_rows = int(mask.sum()) if n_rows is None else n_rows


def coerce_values(kind: str, values: pd.Series[Any], column: str, coerce: bool) -> Any:
    """Coerce non-null ``values`` to ``kind``; returns a numpy array or an ExtensionArray."""
    if kind == "money":
        return _money(values, column, coerce)
    if kind == "share":
        return _share(values, column, coerce)
    if kind == "int":
        return _int(values, coerce)
    if kind == "float":
        return _float(values, coerce)
    if kind in ("str", "category"):
        return _str(values, coerce)
    if kind == "bool":
        return _bool(values, coerce)
    if kind in ("date", "datetime"):
        return _datetime(values, coerce, date_only=kind == "date")
    raise AssertionError(f"unknown kind {kind}")  # pragma: no cover - schema validates kinds


def _all(values: pd.Series[Any]) -> NDArray[np.bool_]:
    return np.ones(len(values), dtype=bool)


def _require(coerce: bool, ok: bool, values: pd.Series[Any], kind: str) -> None:
    if not coerce and not ok:
        raise BadValuesError(
            "dtype", f"dtype {values.dtype} is not a {kind} dtype (coerce=False)", _all(values)
        )


def _from_input_error(exc: InputError, n: int) -> BadValuesError:
    # to_fen / to_millionths were given a RangeIndex, so their row labels are positions
    mask = np.zeros(n, dtype=bool)
    mask[[int(r) for r in exc.rows]] = True
    return BadValuesError(
        exc.rule or "invalid", exc.message.split(" (e.g. ")[0], mask, n_rows=exc.n_rows
    )


def _positional(values: pd.Series[Any]) -> pd.Series[Any]:
    return values.reset_index(drop=True)


def _money(values: pd.Series[Any], column: str, coerce: bool) -> NDArray[np.int64]:
    _require(coerce, pd.api.types.is_integer_dtype(values.dtype), values, "money (int64 fen)")
    if not coerce:
        return values.to_numpy(dtype=np.int64)
    try:
        return to_fen(_positional(values), column=column)
    except InputError as exc:
        raise _from_input_error(exc, len(values)) from None


def _share(values: pd.Series[Any], column: str, coerce: bool) -> NDArray[np.int64]:
    _require(coerce, pd.api.types.is_integer_dtype(values.dtype), values, "share (millionths)")
    if not coerce:
        return values.to_numpy(dtype=np.int64)
    try:
        return to_millionths(_positional(values), column=column)
    except InputError as exc:
        raise _from_input_error(exc, len(values)) from None


def _int(values: pd.Series[Any], coerce: bool) -> NDArray[np.int64]:
    dtype = values.dtype
    is_int = pd.api.types.is_integer_dtype(dtype)
    _require(coerce, is_int, values, "int")
    if is_int:
        raw = values.to_numpy()
        if raw.dtype == np.uint64:
            too_big = raw >= np.uint64(2**63)
            if too_big.any():
                raise BadValuesError("range", "integer does not fit in int64", too_big)
        return raw.astype(np.int64)
    if pd.api.types.is_bool_dtype(dtype):
        raise BadValuesError("int", "booleans are not integers", _all(values))
    if pd.api.types.is_float_dtype(dtype):
        x = values.to_numpy(dtype=np.float64)
        bad = ~np.isfinite(x) | (np.abs(x) >= 2.0**53)
        bad[~bad] = x[~bad] != np.floor(x[~bad])
        if bad.any():
            raise BadValuesError("int", "not a whole number", bad)
        return x.astype(np.int64)
    ints: NDArray[np.int64] = _per_distinct(values, _int_of, np.int64, "int", "not a whole number")
    return ints


def _int_of(value: Any) -> int:
    if isinstance(value, bool | np.bool_):
        raise ValueError("bool")
    if isinstance(value, int | np.integer):
        result = int(value)
    elif isinstance(value, float | np.floating | Decimal):
        if not (np.isfinite(float(value)) and value == int(value)):
            raise ValueError("fraction")
        result = int(value)
    elif isinstance(value, str):
        result = int(value.translate(FULLWIDTH_TABLE).strip().replace(",", ""))
    else:
        raise ValueError("type")
    if not -(2**63) <= result < 2**63:
        raise ValueError("range")
    return result


def _float(values: pd.Series[Any], coerce: bool) -> NDArray[np.float64]:
    dtype = values.dtype
    numeric = pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)
    _require(coerce, pd.api.types.is_float_dtype(dtype), values, "float")
    if numeric and not pd.api.types.is_complex_dtype(dtype):
        x = values.to_numpy(dtype=np.float64)
    else:
        x = _per_distinct(values, _float_of, np.float64, "numeric", "not a number")
    infinite = np.isinf(x)
    if infinite.any():
        raise BadValuesError("finite", "value is infinite", infinite)
    # missing values were set aside before coercion; a NaN here was spelled "nan" in text
    spelled_nan = np.isnan(x)
    if spelled_nan.any():
        raise BadValuesError("numeric", "not a number", spelled_nan)
    return x


def _float_of(value: Any) -> float:
    if isinstance(value, bool | np.bool_):
        raise ValueError("bool")
    if isinstance(value, int | float | np.integer | np.floating | Decimal):
        return float(value)
    if isinstance(value, str):
        return float(value.translate(FULLWIDTH_TABLE).strip().replace(",", ""))
    raise ValueError("type")


def _str(values: pd.Series[Any], coerce: bool) -> Any:
    dtype = values.dtype
    if pd.api.types.is_string_dtype(dtype) and not pd.api.types.is_object_dtype(dtype):
        return values.astype("str").array
    if isinstance(dtype, pd.CategoricalDtype):
        values = values.astype(object)
    try:
        all_text = pd.api.types.infer_dtype(values, skipna=True) == "string"
    except (TypeError, ValueError):  # pragma: no cover - infer_dtype accepts any Series
        all_text = False
    if all_text:  # the common case, decided in C
        return _str_array(values)
    codes, uniques = distinct_codes(values)
    texts = np.empty(len(uniques), dtype=object)
    failed = np.zeros(len(uniques), dtype=bool)
    for k, value in enumerate(uniques):
        if isinstance(value, str):
            texts[k] = value
        elif (
            coerce
            and isinstance(value, int | np.integer)
            and not isinstance(value, bool | np.bool_)
        ):
            texts[k] = str(int(value))
        elif coerce and isinstance(value, Decimal) and value.is_finite():
            texts[k] = str(value)
        elif coerce and isinstance(value, float | np.floating) and float(value).is_integer():
            texts[k] = str(int(value))  # ids or phones read as numbers by a CSV reader
        else:
            failed[k] = True
    bad = failed[codes]
    if bad.any():
        if coerce:
            raise BadValuesError("not_text", "not text", bad)
        raise BadValuesError("dtype", "not text (coerce=False converts nothing)", bad)
    return _str_array(pd.Series(texts[codes], dtype=object, copy=False))


def _str_array(values: pd.Series[Any]) -> Any:
    """``values`` (all text) as a ``str`` array; text that UTF-8 cannot hold is a bad value."""
    try:
        return values.astype("str").array
    except UnicodeEncodeError:  # lone surrogates, e.g. from a mis-decoded file
        codes, uniques = distinct_codes(values)
        unencodable = np.array([not _is_utf8_encodable(u) for u in uniques], dtype=bool)
        bad = np.zeros(len(codes), dtype=bool)
        bad[codes >= 0] = unencodable[codes[codes >= 0]]
        raise BadValuesError(
            "not_unicode", "text that is not valid Unicode (lone surrogates)", bad
        ) from None


def _is_utf8_encodable(value: object) -> bool:
    try:
        str(value).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _bool(values: pd.Series[Any], coerce: bool) -> NDArray[np.bool_]:
    dtype = values.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return values.to_numpy(dtype=bool)
    _require(coerce, False, values, "bool")
    flags: NDArray[np.bool_] = _per_distinct(values, _bool_of, np.bool_, "bool", "not a boolean")
    return flags


def _bool_of(value: Any) -> bool:
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | float | np.integer | np.floating) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    raise ValueError("not a boolean")


def _per_distinct(values: pd.Series[Any], convert: Any, dtype: Any, rule: str, message: str) -> Any:
    """Convert once per distinct value; failures are reported per row."""
    codes, uniques = distinct_codes(values)
    out = np.zeros(len(uniques), dtype=dtype)
    failed = np.zeros(len(uniques), dtype=bool)
    for k, value in enumerate(uniques):
        try:
            out[k] = convert(value)
        except (ValueError, TypeError, ArithmeticError):
            failed[k] = True
    bad = failed[codes]
    if bad.any():
        raise BadValuesError(rule, message, bad)
    return out[codes]


def _datetime(values: pd.Series[Any], coerce: bool, *, date_only: bool) -> Any:
    dtype = values.dtype
    kind = "date" if date_only else "datetime"
    if isinstance(dtype, pd.DatetimeTZDtype):
        if date_only:
            raise BadValuesError(
                "timezone", "a date column must not carry a time zone", _all(values)
            )
        return values.array
    if pd.api.types.is_datetime64_dtype(dtype):
        stamps = values.to_numpy().astype(DATETIME_DTYPE)
    else:
        _require(coerce, False, values, kind)
        stamps = _stamps_per_distinct(values, kind)
    if date_only:
        with_time = stamps != stamps.astype("datetime64[D]")
        if with_time.any():
            raise BadValuesError("date", "a date must not carry a time of day", with_time)
    return stamps


def _stamps_per_distinct(values: pd.Series[Any], kind: str) -> NDArray[np.datetime64]:
    """Parse once per distinct value: ISO text in one vectorised call, the rest one by one."""
    codes, uniques = distinct_codes(values)
    out = np.full(len(uniques), np.datetime64("NaT"), dtype=DATETIME_DTYPE)
    texts = [i for i, v in enumerate(uniques) if isinstance(v, str)]
    if len(texts) > 1000:  # worth a vectorised attempt
        try:
            text = pd.Series([uniques[i] for i in texts], dtype="str")
            strict = text.str.fullmatch(_ISO).to_numpy(dtype=bool)
            parsed = pd.to_datetime(text[strict], format="ISO8601", errors="coerce")
            out[np.asarray(texts)[strict]] = parsed.to_numpy().astype(DATETIME_DTYPE)
        except (ValueError, TypeError, OverflowError):
            pass
    failed = np.zeros(len(uniques), dtype=bool)
    for k in np.flatnonzero(np.isnat(out)).tolist():
        try:
            out[k] = _stamp_of(uniques[k])
        except (ValueError, TypeError, OverflowError):
            failed[k] = True
    bad = failed[codes]
    if bad.any():
        raise BadValuesError(kind, f"not a valid {kind}", bad)
    result: NDArray[np.datetime64] = out[codes]
    return result


def _stamp_of(value: Any) -> Any:
    """One value as datetime64[us]; raises ValueError for anything that is not a date/time."""
    if isinstance(value, pd.Timestamp):
        if value.tzinfo is not None:
            raise ValueError("time zone")
        return value.to_datetime64().astype(DATETIME_DTYPE)
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            raise ValueError("time zone")
        return np.datetime64(value, "us")
    if isinstance(value, dt.date):
        return np.datetime64(value, "us")
    if isinstance(value, np.datetime64):
        if np.isnat(value):
            raise ValueError("NaT")
        return value.astype(DATETIME_DTYPE)
    if isinstance(value, int | np.integer) and not isinstance(value, bool | np.bool_):
        value = str(int(value))  # 20260104 as exported by many core banking systems
    if not isinstance(value, str):
        raise ValueError("type")
    text = value.translate(FULLWIDTH_TABLE).strip()
    compact = _COMPACT_DATE.fullmatch(text)
    if compact:
        y, m, d = (int(part) for part in compact.groups())
        return np.datetime64(dt.datetime(y, m, d), "us")
    match = _DATE_TEXT.fullmatch(text)
    if not match:
        raise ValueError("format")
    year, month, day, hour, minute, second, fraction = match.groups()
    micro = int((fraction or "0").ljust(6, "0"))
    stamp = dt.datetime(
        int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0), micro
    )
    return np.datetime64(stamp, "us")
