"""Per-distinct-value column helpers shared by the name and address kernels.

A bank has far fewer distinct names and addresses than records, so the column paths factorise
a column once, compute on the distinct values and expand the results back by the codes.
"""

from __future__ import annotations

import math
from typing import Any, NoReturn

import numpy as np
import numpy.typing as npt
import pandas as pd

from bankcrm._values import safe_label
from bankcrm.errors import MAX_ROWS_SHOWN, InputError

__all__ = ["IntArray", "dict_take", "distinct_text", "expand_rows", "str_series", "text_or_none"]

IntArray = npt.NDArray[np.intp]


def text_or_none(value: object, what: str) -> str | None:
    """``value`` if it is text, ``None`` if it is missing; anything else is an input error.

    ``what`` names the value in the message, e.g. "a name" or "an address".
    """
    if isinstance(value, str):
        return value
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    raise InputError(f"{what} must be text, got {type(value).__name__}", rule="not_text")


def str_series(values: Any, index: pd.Index | None = None) -> pd.Series:
    """A ``str``-dtype Series over ``values`` (no copy where pandas can avoid one)."""
    return pd.Series(pd.array(values, dtype="str"), index=index, copy=False)


def distinct_text(series: pd.Series, column: str, what: str) -> tuple[IntArray, pd.Series]:
    """Codes (−1 for missing) and the distinct values (a ``str`` Series indexed 0…n−1).

    Raises:
        InputError: if ``series`` is not a Series or holds values that are neither text nor
            missing, or text with lone surrogates (``what`` names them, e.g. "names").
    """
    if not isinstance(series, pd.Series):
        raise InputError(
            f"expected a pandas Series, got {type(series).__name__}", column=column, rule="type"
        )
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    if not isinstance(uniques.dtype, pd.StringDtype):
        values = list(uniques)
        bad = [i for i, v in enumerate(values) if not isinstance(v, str)]
        if bad:
            _raise_for(series, codes, bad, f"{what} must be text or missing", column, "not_text")
        try:
            uniques = pd.Index(pd.array(values, dtype="str"))
        except UnicodeEncodeError:  # lone surrogates (a mis-decoded file) are not UTF-8 text
            bad = [i for i, v in enumerate(values) if not _encodable(v)]
            message = f"{what} must be valid Unicode text (lone surrogates found)"
            _raise_for(series, codes, bad, message, column, "not_unicode")
    return np.asarray(codes, dtype=np.intp), pd.Series(uniques.array, copy=False)


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _raise_for(
    series: pd.Series, codes: Any, bad: list[int], message: str, column: str, rule: str
) -> NoReturn:
    """Raise an InputError naming the first rows whose distinct value is in ``bad``."""
    rows = series.index[np.isin(codes, bad)]
    shown = [safe_label(r) for r in rows[:MAX_ROWS_SHOWN]]  # an index of ids is masked
    raise InputError(message, column=column, rule=rule, rows=shown, n_rows=len(rows))


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
