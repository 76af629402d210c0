"""Segment migration between two ``as_of`` dates: the monthly "who left Champions" report.

:func:`segment_migration` compares two segmented frames (for example this month's and last
month's :func:`~bankcrm.segmentation.assign_segments` output) customer by customer. Customers
only in the later frame come from ``(new)``; customers only in the earlier frame go to
``(gone)``: nobody is dropped, so the matrix sums to the customers of both frames.

>>> import pandas as pd
>>> before = pd.DataFrame({"customer_id": [1, 2, 3, 4],
...                        "segment": ["champions", "champions", "loyal", "at_risk"]})
>>> after = pd.DataFrame({"customer_id": [1, 2, 3, 5],
...                       "segment": ["champions", "at_risk", "champions", "new"]})
>>> moves = segment_migration(before, after)
>>> moves.matrix
after      at_risk  champions  loyal  new  (gone)
before
at_risk          0          0      0    0       1
champions        1          1      0    0       0
loyal            0          1      0    0       0
new              0          0      0    0       0
(new)            0          0      0    1       0
>>> moves.left("champions")["customer_id"].tolist()
[2]
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
import numpy as np
import pandas as pd

from bankcrm.errors import InputError
from bankcrm.policy import read_provenance

__all__ = ["GONE", "NEW", "SegmentMigration", "segment_migration"]

#: The row label of customers that appear only in the later frame.
NEW = "(new)"
#: The column label of customers that appear only in the earlier frame.
GONE = "(gone)"


@attrs.frozen(eq=False)
class SegmentMigration:
    """Counts and per-customer moves between two segmentations.

    Attributes:
        matrix: customers per (segment before, segment after); rows include ``(new)``,
            columns include ``(gone)``.
        moves: one row per customer of either frame: ``customer_id``, ``before``, ``after``
            and ``moved`` (the segment changed, including arriving and leaving).
        before_as_of: the earlier frame's ``as_of`` if it carries one.
        after_as_of: the later frame's ``as_of`` if it carries one.
    """

    matrix: pd.DataFrame
    moves: pd.DataFrame
    before_as_of: dt.date | None
    after_as_of: dt.date | None

    def left(self, segment: str) -> pd.DataFrame:
        """Customers that were in ``segment`` and are not any more (including ``(gone)``)."""
        m = self.moves
        return m[(m["before"] == segment) & (m["after"] != segment)].reset_index(drop=True)

    def entered(self, segment: str) -> pd.DataFrame:
        """Customers that are in ``segment`` now and were not before (including ``(new)``)."""
        m = self.moves
        return m[(m["after"] == segment) & (m["before"] != segment)].reset_index(drop=True)

    def shares(self) -> pd.DataFrame:
        """The matrix as shares of each earlier segment (rows sum to 1; empty rows stay 0)."""
        totals = self.matrix.sum(axis=1).replace(0, 1)
        return self.matrix.div(totals, axis=0)


def _labels(frame: pd.DataFrame, column: str, key: str, which: str) -> pd.Series[Any]:
    for name in (key, column):
        if name not in frame.columns:
            raise InputError(f"{which}: missing column {name!r}", column=name, rule="required")
    if frame[key].duplicated().any():
        rows = frame.index[frame[key].duplicated(keep=False).to_numpy()][:5].tolist()
        raise InputError(
            f"{which}: customer ids repeat", column=key, rule="duplicate_key", rows=rows
        )
    if frame[column].isna().any():
        raise InputError(f"{which}: missing segments", column=column, rule="missing")
    return pd.Series(frame[column].to_numpy(), index=pd.Index(frame[key].to_numpy(), name=key))


def _order(series: pd.Series[Any]) -> list[Any]:
    if isinstance(series.dtype, pd.CategoricalDtype):
        return list(series.cat.categories)
    return sorted(series.dropna().unique().tolist(), key=str)


def segment_migration(
    before: pd.DataFrame,
    after: pd.DataFrame,
    *,
    column: str = "segment",
    key: str = "customer_id",
) -> SegmentMigration:
    """Compare two segmentations customer by customer.

    Args:
        before: the earlier frame (one row per customer).
        after: the later frame.
        column: the segment column to compare (``"value_group"`` works too).
        key: the customer id column.

    Raises:
        InputError: for a missing column, a repeated customer id or a missing segment.
    """
    old = _labels(before, column, key, "before")
    new = _labels(after, column, key, "after")
    order = _order(before[column])
    order += [s for s in _order(after[column]) if s not in order]
    ids = old.index.union(new.index)
    old_codes = pd.Categorical(old.reindex(ids).astype(object), categories=order).codes
    new_codes = pd.Categorical(new.reindex(ids).astype(object), categories=order).codes
    k = len(order)
    rows = np.where(old_codes < 0, k, old_codes).astype(np.int64)  # k = (new)
    cols = np.where(new_codes < 0, k, new_codes).astype(np.int64)  # k = (gone)
    counts = np.bincount(rows * (k + 1) + cols, minlength=(k + 1) ** 2).reshape(k + 1, k + 1)
    matrix = pd.DataFrame(
        counts,
        index=pd.Index([*order, NEW], name="before"),
        columns=pd.Index([*order, GONE], name="after"),
    )
    categories_before = [*order, NEW]
    categories_after = [*order, GONE]
    moves = pd.DataFrame(
        {
            key: ids.to_numpy(),
            "before": pd.Categorical.from_codes(rows, categories=pd.Index(categories_before)),
            "after": pd.Categorical.from_codes(cols, categories=pd.Index(categories_after)),
        }
    )
    # same segment = same index in ``order``; (new) and (gone) always count as moves
    moves["moved"] = (rows != cols) | (rows == k)
    return SegmentMigration(
        matrix=matrix,
        moves=moves,
        before_as_of=_as_of(before),
        after_as_of=_as_of(after),
    )


def _as_of(frame: pd.DataFrame) -> dt.date | None:
    return next((p.as_of for p in read_provenance(frame) if p.as_of is not None), None)
