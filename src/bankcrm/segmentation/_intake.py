"""Reading the three transaction columns into plain arrays, with a mask of bad rows per rule.

Canonical dtypes (integer ids, ``datetime64`` dates, float or integer amounts) are read without
copying; anything else goes through the core coercers of :mod:`bankcrm.frames`, one distinct
value at a time, so ``"2026-01-04"``, ``"¥1,234.50"`` and ``Decimal`` amounts are all accepted.
Bad values never raise here: each reader returns the rows that broke a rule so that the caller
applies its policy (raise, or exclude with a reason).
"""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from bankcrm._coerce import BadValuesError, coerce_values
from bankcrm._values import distinct_codes, missing_mask
from bankcrm.errors import InputError
from bankcrm.money import MAX_ABS_YUAN
from bankcrm.segmentation._keys import sort_order

__all__ = ["Amounts", "Column", "Dates", "Ids", "read_amounts", "read_dates", "read_ids"]

_NS_PER_UNIT = {"s": 10**9, "ms": 10**6, "us": 10**3, "ns": 1}
_MAX_RETRIES = 8


@attrs.frozen(eq=False)
class Column:
    """Rows of one column that broke a rule: ``bad`` (any rule) and the first rule's name."""

    name: str
    series: pd.Series[Any]
    bad: NDArray[np.bool_] | None
    rules: dict[str, NDArray[np.bool_]]

    def first_rule(self) -> tuple[str, NDArray[np.bool_]]:
        """The first broken rule (in the coercers' order) and its rows."""
        rule = next(iter(self.rules))
        return rule, self.rules[rule]


@attrs.frozen(eq=False)
class Ids:
    """Customer ids and the column's bad rows.

    ``values`` holds one int64 per row: the id itself when ``is_int``, else the number of the
    row's text id in ``labels`` (the distinct texts, in first-seen order). Bad rows hold a
    filler (0 or −1) that the callers skip.
    """

    values: NDArray[np.int64]
    is_int: bool
    column: Column
    labels: NDArray[Any] | None = None

    def sorted_codes(self) -> tuple[NDArray[np.int64], NDArray[Any]]:
        """Per-row codes numbered in ascending id order, and the distinct ids in that order."""
        if self.labels is None:
            codes, uniques = pd.factorize(self.values, sort=True)
            return np.asarray(codes, dtype=np.int64), np.asarray(uniques)
        order = sort_order(self.labels)
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order), dtype=np.int64)
        codes = np.where(self.values >= 0, rank[np.maximum(self.values, 0)], -1)
        return codes, self.labels[order]


@attrs.frozen(eq=False)
class Dates:
    """Timestamps as int64 counts of ``unit`` since the epoch (NaT = int64 min where bad)."""

    stamps: NDArray[np.int64]
    per_day: int
    column: Column


@attrs.frozen(eq=False)
class Amounts:
    """Amounts: a float array for the chunked fen conversion, or fen already converted."""

    floats: NDArray[np.float64] | None
    fen: NDArray[np.int64] | None
    column: Column


def _coerce_masked(
    series: pd.Series[Any], kind: str, column: str
) -> tuple[NDArray[np.intp] | None, Any, dict[str, NDArray[np.bool_]]]:
    """Coerce with the core coercers, peeling off bad rows until the rest coerces cleanly.

    Returns the positions of the good rows (``None`` = all), their coerced values and the
    bad rows per rule.
    """
    n = len(series)
    rules: dict[str, NDArray[np.bool_]] = {}
    missing = missing_mask(series)
    if kind == "str" and (
        pd.api.types.is_object_dtype(series.dtype) or pd.api.types.is_string_dtype(series.dtype)
    ):
        blank = series.map(lambda v: isinstance(v, str) and not v.strip(), na_action="ignore")
        missing |= blank.to_numpy(dtype=bool, na_value=False)
    if missing.any():
        rules["missing"] = missing
    good = ~missing
    for _ in range(_MAX_RETRIES):
        positions = None if good.all() else np.flatnonzero(good)
        part = series if positions is None else series.iloc[positions]
        try:
            return positions, coerce_values(kind, part, column, True), rules
        except BadValuesError as bad:
            rows = np.flatnonzero(good) if positions is None else positions
            rows = rows[bad.mask]
            mask = rules.setdefault(bad.rule, np.zeros(n, dtype=bool))
            mask[rows] = True
            good[rows] = False
    raise InputError(  # pragma: no cover - each coercer raises for at most a few rules
        "cannot read values", column=column, rule="invalid"
    )


def _coerced_int64(
    series: pd.Series[Any], kind: str, column: str
) -> tuple[NDArray[np.int64], dict[str, NDArray[np.bool_]]]:
    """The good rows coerced to int64 (0 where bad) and the bad rows per rule."""
    positions, values, rules = _coerce_masked(series, kind, column)
    out = np.zeros(len(series), dtype=np.int64)
    if positions is None:
        out[:] = values
    else:
        out[positions] = values
    return out, rules


def _column(name: str, series: pd.Series[Any], rules: dict[str, NDArray[np.bool_]]) -> Column:
    bad = None
    for mask in rules.values():
        bad = mask.copy() if bad is None else bad | mask
    return Column(name, series, bad, rules)


def read_ids(series: pd.Series[Any], name: str) -> Ids:
    """Customer ids as int64 (integer columns, or objects that are all integers) or as text."""
    dtype = series.dtype
    if isinstance(dtype, np.dtype) and dtype.kind == "i":
        return Ids(series.to_numpy().astype(np.int64, copy=False), True, _column(name, series, {}))
    numeric = pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)
    is_int = numeric
    if pd.api.types.is_object_dtype(dtype):
        sample = series.dropna()
        if len(sample) and all(isinstance(v, int | np.integer) for v in sample.head(1000)):
            is_int = True
    if not is_int:
        return _read_text_ids(series, name)
    out, rules = _coerced_int64(series, "int", name)
    return Ids(out, True, _column(name, series, rules))


def _read_text_ids(series: pd.Series[Any], name: str) -> Ids:
    """Text ids, checked once per distinct value (a bank has far fewer customers than rows).

    Distinct raw values that read as the same text (``1`` and ``"1"``) become one id.
    """
    codes, uniques = distinct_codes(series)
    distinct = pd.Series(uniques, dtype=object)
    positions, texts, distinct_rules = _coerce_masked(distinct, "str", name)
    good = np.ones(len(uniques), dtype=bool)
    for mask in distinct_rules.values():
        good &= ~mask
    text = np.full(len(uniques), "", dtype=object)
    if positions is None:
        text[:] = np.asarray(texts, dtype=object)
    else:
        text[positions] = np.asarray(texts, dtype=object)
    merged, labels = pd.factorize(text[good])
    number = np.full(len(uniques) + 1, -1, dtype=np.int64)  # last: the missing rows' −1
    number[:-1][good] = merged
    rules = {rule: np.append(mask, False)[codes] for rule, mask in distinct_rules.items()}
    missing = codes < 0
    if missing.any():
        rules = {"missing": missing | rules.pop("missing", missing), **rules}
    values = number[codes]  # code −1 picks the last entry
    return Ids(values, False, _column(name, series, rules), np.asarray(labels, dtype=object))


def read_dates(series: pd.Series[Any], name: str) -> Dates:
    """Timestamps as int64 since the epoch in their own unit; a time zone keeps its wall clock."""
    dtype = series.dtype
    if isinstance(dtype, pd.DatetimeTZDtype):
        series = series.dt.tz_localize(None)
        dtype = series.dtype
    rules: dict[str, NDArray[np.bool_]] = {}
    if isinstance(dtype, np.dtype) and dtype.kind == "M":
        raw = series.to_numpy()
        unit, _count = np.datetime_data(raw.dtype)
        if unit not in _NS_PER_UNIT:  # days, months …: bring to seconds
            raw = raw.astype("datetime64[s]")
            unit = "s"
        stamps = raw.view(np.int64)
        if len(stamps) and stamps.min() == np.iinfo(np.int64).min:  # NaT is int64's minimum
            rules["missing"] = stamps == np.iinfo(np.int64).min
    else:
        positions, values, rules = _coerce_masked(series, "datetime", name)
        parsed = np.asarray(values)
        if isinstance(values, pd.arrays.DatetimeArray) and values.tz is not None:
            parsed = np.asarray(values.tz_localize(None))
        unit = "us"
        stamps = np.full(len(series), np.iinfo(np.int64).min, dtype=np.int64)
        converted = parsed.astype("datetime64[us]").view(np.int64)
        if positions is None:
            stamps[:] = converted
        else:
            stamps[positions] = converted
    per_day = 86_400 * 10**9 // _NS_PER_UNIT[unit]
    return Dates(stamps, per_day, _column(name, series, rules))


def read_amounts(series: pd.Series[Any], name: str) -> Amounts:
    """Amounts: float/int columns stay as they are (converted to fen chunk by chunk later)."""
    dtype = series.dtype
    rules: dict[str, NDArray[np.bool_]] = {}
    if isinstance(dtype, np.dtype) and dtype.kind in "iu":
        ints = series.to_numpy()
        too_big = (ints > MAX_ABS_YUAN) | (ints < -MAX_ABS_YUAN)
        if too_big.any():
            rules["range"] = too_big
            ints = np.where(too_big, 0, ints)
        fen = ints.astype(np.int64) * np.int64(100)
        return Amounts(None, fen, _column(name, series, rules))
    if isinstance(dtype, np.dtype) and dtype.kind == "f":
        if dtype.itemsize < 8:
            # a float32 is read by its own shortest repr, as the user typed it
            floats = series.to_numpy().astype(str).astype(np.float64)
        else:
            floats = series.to_numpy()
        # min/max propagate NaN, so one pair of reductions clears the usual clean column
        if len(floats) and not (floats.min() >= -MAX_ABS_YUAN and floats.max() <= MAX_ABS_YUAN):
            inside = np.abs(floats) <= MAX_ABS_YUAN  # False for NaN and infinities
            nan = np.isnan(floats)
            if nan.any():
                rules["missing"] = nan
            infinite = np.isinf(floats)
            if infinite.any():
                rules["finite"] = infinite
            out_of_range = ~inside & ~nan & ~infinite
            if out_of_range.any():
                rules["range"] = out_of_range
        return Amounts(floats, None, _column(name, series, rules))
    fen, rules = _coerced_int64(series, "money", name)
    return Amounts(None, fen, _column(name, series, rules))
