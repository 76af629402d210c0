"""Per-distinct-value column helpers shared by the name and address kernels.

A bank has far fewer distinct names and addresses than records, so the column paths factorise
a column once, compute on the distinct values and expand the results back by the codes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from bankcrm._values import as_series, distinct_codes, raise_for_rows
from bankcrm.errors import InputError, Rule

__all__ = [
    "IntArray",
    "dict_take",
    "distinct_text",
    "expand_rows",
    "memo_key",
    "str_series",
    "str_take",
    "text_or_none",
]

IntArray = npt.NDArray[np.intp]


def text_or_none(value: object, what: str, column: str) -> str | None:
    """``value`` if it is text, ``None`` if it is missing; anything else is an input error.

    ``what`` names the value in the message, e.g. "a name" or "an address"; ``column`` is the
    error's column (``"name"``, ``"address"``).
    """
    if isinstance(value, str):
        return value
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    raise InputError(
        f"{what} must be text, got {type(value).__name__}", column=column, rule=Rule.NOT_TEXT
    )


def str_series(values: Any, index: pd.Index | None = None) -> pd.Series:
    """A ``str``-dtype Series over ``values`` (no copy where pandas can avoid one)."""
    return pd.Series(pd.array(values, dtype="str"), index=index, copy=False)


def distinct_text(
    values: Any, column: str, what: str, *, pii: str
) -> tuple[pd.Series, IntArray, pd.Series]:
    """The column as a Series, codes (−1 for missing) and its distinct values.

    ``values`` is a pandas Series (NumPy, nullable or Arrow-backed), a pyarrow array or a
    polars Series (read by :func:`bankcrm._values.as_series`). The distinct values are a
    ``str`` Series indexed 0…n−1.

    Raises:
        InputError: rule ``type`` if ``values`` is not a column; rule ``not_text`` for values
            that are neither text nor missing, ``not_unicode`` for text with lone surrogates
            (``what`` names them, e.g. "names"; the values are masked as ``pii``).
    """
    series = as_series(values, column=column)
    if isinstance(series.dtype, pd.StringDtype):  # the common case: no junk to look for
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
        return series, np.asarray(codes, dtype=np.intp), pd.Series(uniques.array, copy=False)
    codes, distinct = distinct_codes(series)  # unhashable junk does not crash
    bad = [i for i, v in enumerate(distinct) if not isinstance(v, str)]
    if bad:
        raise_for_rows(
            f"{what} must be text or missing",
            column=column,
            rule=Rule.NOT_TEXT,
            mask=np.isin(codes, bad),
            series=series,
            pii=pii,
        )
    try:
        text = pd.array(distinct, dtype="str")
    except UnicodeEncodeError:  # lone surrogates (a mis-decoded file) are not UTF-8 text
        text = None
    if text is None:
        bad = [i for i, v in enumerate(distinct) if not _encodable(v)]
        raise_for_rows(
            f"{what} must be valid Unicode text (lone surrogates found)",
            column=column,
            rule=Rule.NOT_UNICODE,
            mask=np.isin(codes, bad),
            series=series,
            pii=pii,
        )
    return series, codes, pd.Series(text, copy=False)


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def dict_take(values: list[str | None] | list[str], codes: Any, index: pd.Index) -> pd.Series:
    """Per-distinct results expanded by factorisation codes."""
    array = pd.array(values, dtype="str") if values else pd.array([""], dtype="str")
    return pd.Series(array.take(np.asarray(codes, dtype=np.intp)), index=index, copy=False)


def expand_rows(frame: pd.DataFrame, codes: IntArray, index: pd.Index) -> pd.DataFrame:
    """Rows of per-distinct results picked by factorisation codes (−1 gives missing).

    ``frame`` is indexed by the distinct values' positions, in any order.
    """
    where = np.zeros(len(frame), dtype=np.intp)
    where[frame.index.to_numpy(dtype=np.intp)] = np.arange(len(frame))
    picks = np.where(codes >= 0, where[np.maximum(codes, 0)], -1) if len(frame) else codes
    return pd.DataFrame(
        {
            col: pd.Series(frame[col].array.take(picks, allow_fill=True), index=index, copy=False)
            for col in frame.columns
        },
        index=index,
    )


def memo_key(value: object) -> object:
    """A dict key for a cell: its type and value (1, 1.0 and True differ), or its identity."""
    try:
        hash(value)
    except TypeError:
        return (object, id(value))
    return (type(value), value)


def str_take(values: Sequence[str | None], codes: IntArray) -> Any:
    """``values[codes]`` as a ``str`` array (code −1: missing)."""
    array = pd.array(values if values else [None], dtype="str")
    return array.take(codes, allow_fill=True)
