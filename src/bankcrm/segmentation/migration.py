"""Segment migration between two ``as_of`` dates: the monthly "who left Champions" report.

:func:`segment_migration` compares two segmented frames (for example this month's and last
month's :func:`~bankcrm.segmentation.assign_segments` output) customer by customer. Customers
only in the later frame come from ``(new)``; customers only in the earlier frame go to
``(gone)``: nobody is dropped, so the matrix sums to the customers of both frames. Its rows
and columns are the segments present in either frame, sorted by name. Customer
ids of different types in the two frames (integers before, text after) are an
:class:`~bankcrm.errors.InputError` (rule ``key_type``): nobody would match, and everyone
would look new or gone. Two scored frames must come in date order (the earlier first, rule
``date_order``) and have been scored with the same fitted edges (rule ``mismatch``): otherwise
customers would move only because the cut points did. Both checks read what
:func:`~bankcrm.segmentation.score_rfm` records on its frames (their ``as_of`` and
:func:`~bankcrm.segmentation.scoring.edges_record`); a frame without those records (read back
from a file) is not checked.

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
>>> from bankcrm.errors import InputError
>>> try:
...     segment_migration(before, after.astype({"customer_id": str}))
... except InputError as error:
...     print(error.rule, "|", error.message[:50])
key_type | segment_migration: customer ids are int in before
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import attrs
import numpy as np
import pandas as pd

from bankcrm._migration import GONE, NEW, check_key_types, count_matrix
from bankcrm._roles import column_names_by_frame, require_columns
from bankcrm._tables import as_pandas
from bankcrm.errors import InputError
from bankcrm.policy import ATTRS_KEY, Provenance, read_provenance
from bankcrm.results import Result
from bankcrm.segmentation.scoring import EDGES_KEY

__all__ = ["GONE", "NEW", "SegmentMigration", "segment_migration"]


#: The provenance of a migration between frames that carry none (not produced by bankcrm).
UNSTAMPED = "(unstamped)"
_PRODUCER = "bankcrm.segmentation.segment_migration"


@attrs.frozen(eq=False, repr=False)
class SegmentMigration(Result):
    """Counts and per-customer moves between two segmentations.

    Attributes:
        matrix: customers per (segment before, segment after); rows include ``(new)``,
            columns include ``(gone)``.
        moves: one row per customer of either frame: the customer id (under the earlier
            frame's column name), ``before``, ``after`` and ``moved`` (the segment changed,
            including arriving and leaving).
        before_as_of: the earlier frame's ``as_of`` if it carries one.
        after_as_of: the later frame's ``as_of`` if it carries one.
        sources: the provenance records of the later frame (the policies that produced the
            segments compared).
        edges: what the frames record of the RFM edges they were scored with (``bins``,
            ``max_score``, the edges' ``as_of`` and ``fingerprint``; see
            :func:`~bankcrm.segmentation.scoring.edges_record`), or ``None`` when neither
            frame carries that record.
    """

    matrix: pd.DataFrame
    moves: pd.DataFrame
    before_as_of: dt.date | None
    after_as_of: dt.date | None
    sources: tuple[Provenance, ...] = ()
    edges: Mapping[str, Any] | None = None

    @property
    def provenance(self) -> Provenance:
        """The policy that assigned the later frame's segments, as of the later date.

        That is the last policy stamped on the later frame by
        :func:`~bankcrm.segmentation.assign_segments` for the segment map (or its last
        record); a frame without provenance gives the policy name ``"(unstamped)"``.
        """
        assigned = [p for p in self.sources if p.producer == _ASSIGNER]
        chosen = assigned[0] if assigned else (self.sources[-1] if self.sources else None)
        if chosen is None:
            return Provenance(UNSTAMPED, UNSTAMPED, self.after_as_of, producer=_PRODUCER)
        return Provenance(
            chosen.policy_name, chosen.policy_version, self.after_as_of, producer=_PRODUCER
        )

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


_ASSIGNER = "bankcrm.segmentation.assign_segments"
#: The roles of each frame (``columns={"before": {role: name}, "after": {role: name}}``).
ROLES = ("customer_id", "segment")


def _labels(frame: pd.DataFrame, column: Any, key: Any, which: str) -> pd.Series[Any]:
    if frame[key].duplicated().any():
        rows = frame.index[frame[key].duplicated(keep=False).to_numpy()][:5].tolist()
        raise InputError(
            f"{which}: customer ids repeat", column=str(key), rule="duplicate_key", rows=rows
        )
    if frame[column].isna().any():
        raise InputError(f"{which}: missing segments", column=str(column), rule="missing")
    return pd.Series(frame[column].to_numpy(), index=pd.Index(frame[key].to_numpy(), name=key))


def _check_keys(
    before: pd.DataFrame, after: pd.DataFrame, names: Mapping[str, Mapping[str, Any]]
) -> None:
    old_key, new_key = names["before"]["customer_id"], names["after"]["customer_id"]
    check_key_types(
        before[old_key],
        after[new_key],
        where="segment_migration",
        before_key=old_key,
        after_key=new_key,
    )


def _order(*columns: pd.Series[Any]) -> list[Any]:
    """The segments present in either frame, sorted by their text.

    Only the values present count (not a categorical's unused categories, nor its category
    order): a polars or Arrow round trip keeps neither, and the result must not depend on
    which kind of frame came in.
    """
    seen: set[Any] = set()
    for column in columns:
        seen.update(pd.unique(column.dropna().to_numpy(dtype=object)).tolist())
    return sorted(seen, key=str)


def segment_migration(
    before: Any,
    after: Any,
    *,
    columns: Mapping[str, Mapping[str, Any]] | None = None,
) -> SegmentMigration:
    """Compare two segmentations customer by customer.

    Args:
        before: the earlier frame (one row per customer; pandas, pyarrow or polars).
        after: the later frame.
        columns: frame → role → column name, roles ``customer_id`` and ``segment``:
            ``{"before": {"segment": "value_group"}, "after": {"segment": "value_group"}}``
            compares the value groups.

    Raises:
        InputError: for missing columns (all of a frame's in one error), customer ids of
            different types in the two frames (rule ``key_type``), a repeated customer id
            or a missing segment.
    """
    names = column_names_by_frame(
        columns, {"before": ROLES, "after": ROLES}, where="segment_migration"
    )
    before = as_pandas(before, name="before")
    after = as_pandas(after, name="after")
    require_columns(before, names["before"], where="before")
    require_columns(after, names["after"], where="after")
    before_as_of, after_as_of = _as_of(before), _as_of(after)
    if before_as_of is not None and after_as_of is not None and before_as_of > after_as_of:
        raise InputError(
            f"segment_migration: before is as of {before_as_of} but after is as of "
            f"{after_as_of}; pass the earlier segmentation first "
            "(segment_migration(before, after))",
            column="before",
            rule="date_order",
        )
    edges = _check_edges(before, after)
    _check_keys(before, after, names)
    column, key = names["before"]["segment"], names["before"]["customer_id"]
    old = _labels(before, column, key, "before")
    new = _labels(after, names["after"]["segment"], names["after"]["customer_id"], "after")
    new.index.name = key
    order = _order(before[column], after[names["after"]["segment"]])
    ids = old.index.union(new.index)
    old_codes = pd.Categorical(old.reindex(ids).astype(object), categories=order).codes
    new_codes = pd.Categorical(new.reindex(ids).astype(object), categories=order).codes
    k = len(order)
    rows = np.where(old_codes < 0, k, old_codes).astype(np.int64)  # k = (new)
    cols = np.where(new_codes < 0, k, new_codes).astype(np.int64)  # k = (gone)
    counts = count_matrix(rows, cols, k)
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
        before_as_of=before_as_of,
        after_as_of=after_as_of,
        sources=read_provenance(after),
        edges=edges,
    )


def _edges_of(frame: pd.DataFrame) -> Mapping[str, Any] | None:
    meta = frame.attrs.get(ATTRS_KEY, {})
    record = meta.get(EDGES_KEY) if isinstance(meta, Mapping) else None
    return record if isinstance(record, Mapping) else None


def _check_edges(before: pd.DataFrame, after: pd.DataFrame) -> Mapping[str, Any] | None:
    """The edges record both frames share; rule ``mismatch`` when they were scored differently.

    A frame without the record (read back from a file) is not checked.
    """
    old, new = _edges_of(before), _edges_of(after)
    if old is None or new is None:
        return new if new is not None else old
    if old.get("fingerprint") != new.get("fingerprint"):
        raise InputError(
            f"segment_migration: before was scored with other RFM edges (as of "
            f"{old.get('as_of')}, {old.get('bins')} bins) than after (as of {new.get('as_of')}, "
            f"{new.get('bins')} bins): a customer could change segment only because the cut "
            "points moved; score both periods with the same fitted edges "
            "(score_rfm(features, edges) with one edges object, e.g. loaded from a file)",
            column="after",
            rule="mismatch",
        )
    return new


def _as_of(frame: pd.DataFrame) -> dt.date | None:
    return next((p.as_of for p in read_provenance(frame) if p.as_of is not None), None)
