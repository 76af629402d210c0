"""Pieces shared by the migration reports (segments, tiers): key kinds and the count matrix.

:func:`~bankcrm.segmentation.segment_migration` and
:func:`~bankcrm.membership.tier_migration` compare two frames customer by customer. Both
refuse customer ids of different kinds in the two frames (:func:`check_key_types`: nobody
would match, and everyone would look new or gone) and count the moves with
:func:`count_matrix`, whose last row holds the customers only in the later frame
(:data:`NEW`) and whose last column those only in the earlier one (:data:`GONE`).

>>> import numpy as np
>>> count_matrix(np.array([0, 1, 2]), np.array([1, 2, 0]), 2).tolist()
[[0, 1, 0], [0, 0, 1], [1, 0, 0]]
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from bankcrm.errors import InputError, Rule

__all__ = ["GONE", "NEW", "check_key_types", "count_matrix", "key_kind"]

#: The row label of customers that appear only in the later frame.
NEW = "(new)"
#: The column label of customers that appear only in the earlier frame.
GONE = "(gone)"


def key_kind(series: pd.Series[Any]) -> str | None:
    """``"int"``, ``"text"`` or another kind of id column; ``None`` when there is no value."""
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return key_kind(pd.Series(dtype.categories)) if len(dtype.categories) else None
    if pd.api.types.is_bool_dtype(dtype):
        return "bool"
    if pd.api.types.is_integer_dtype(dtype):
        return "int"
    if pd.api.types.is_float_dtype(dtype):
        return "float"
    if pd.api.types.is_object_dtype(dtype):
        sample = series.dropna().head(1000)
        if not len(sample):
            return None
        if all(isinstance(v, int | np.integer) and not isinstance(v, bool) for v in sample):
            return "int"
        if all(isinstance(v, str) for v in sample):
            return "text"
        return "mixed"
    if pd.api.types.is_string_dtype(dtype):
        return "text"
    return str(dtype)


def check_key_types(
    before: pd.Series[Any], after: pd.Series[Any], *, where: str, before_key: Any, after_key: Any
) -> None:
    """Raise rule ``key_type`` when the two id columns hold different kinds of ids.

    Integers and floats count as one kind; an empty column (no value) matches anything.
    """
    if not before.notna().any() or not after.notna().any():
        return  # no id on one side: nothing to mismatch (an empty frame reads as float)
    old, new = key_kind(before), key_kind(after)
    if old is None or new is None or old == new or {old, new} <= {"int", "float"}:
        return
    raise InputError(
        f"{where}: customer ids are {old} in before (column {before_key!r}, dtype "
        f"{before.dtype}) but {new} in after (column {after_key!r}, dtype "
        f"{after.dtype}); no customer would match",
        column=str(after_key),
        rule=Rule.KEY_TYPE,
    )


def count_matrix(rows: NDArray[np.int64], cols: NDArray[np.int64], k: int) -> NDArray[np.int64]:
    """A ``(k + 1) × (k + 1)`` matrix of counts of each ``(rows[i], cols[i])`` pair.

    ``rows`` and ``cols`` hold codes ``0 .. k``: code ``k`` is :data:`NEW` in ``rows`` and
    :data:`GONE` in ``cols``.
    """
    flat = np.asarray(rows, dtype=np.int64) * (k + 1) + np.asarray(cols, dtype=np.int64)
    return np.bincount(flat, minlength=(k + 1) ** 2).reshape(k + 1, k + 1).astype(np.int64)
