"""Named segments over the R×F grid and value groups on the total score — both policy data.

A :class:`SegmentMap` names every cell of the ``bins × bins`` grid of (R, F) scores, so all
``bins³`` RFM codes land in exactly one segment (no "Other" bucket). A
:class:`ValueGroupPolicy` cuts the weighted total ``rfm_score`` into ordered groups (high,
medium, low in the source bank's practice), each with its recommended strategy. Both are
:class:`bankcrm.policy.Policy` subclasses: a bank edits a TOML/JSON copy and loads it back;
results record the name and version of the policies that produced them. The shipped presets
live in :mod:`bankcrm.segmentation.presets`.

>>> import pandas as pd
>>> from bankcrm.segmentation.presets import TEN_SEGMENTS, THREE_VALUE_GROUPS
>>> scores = pd.DataFrame({"r_score": [5, 1, 3], "f_score": [5, 5, 3], "m_score": [4, 2, 3],
...                        "rfm_score": [14, 8, 9]})
>>> out = assign_segments(scores, TEN_SEGMENTS, THREE_VALUE_GROUPS)
>>> out[["segment", "value_group"]]
            segment value_group
0         champions        high
1  cannot_lose_them      medium
2    need_attention      medium
>>> TEN_SEGMENTS.segment_of(2, 1).label_zh
'沉睡客户'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from bankcrm._language import parse_language
from bankcrm._roles import column_names, require_columns
from bankcrm._tables import as_pandas
from bankcrm.errors import InputError
from bankcrm.policy import ATTRS_KEY, read_provenance, stamp_provenance
from bankcrm.segmentation._segment_policies import Segment, SegmentMap, ValueGroup, ValueGroupPolicy
from bankcrm.segmentation.presets import TEN_SEGMENTS, THREE_VALUE_GROUPS

__all__ = [
    "Segment",
    "SegmentMap",
    "ValueGroup",
    "ValueGroupPolicy",
    "assign_segments",
    "segment_summary",
]


#: The roles of a scores frame read by :func:`assign_segments`.
SCORE_ROLES = ("r_score", "f_score", "rfm_score")
#: The roles of a segmented frame read by :func:`segment_summary`.
SUMMARY_ROLES = ("segment", "r_score", "f_score", "m_score")


def _score_column(frame: pd.DataFrame, column: Any, upper: int) -> NDArray[np.int64]:
    series = frame[column]
    if not pd.api.types.is_integer_dtype(series.dtype) or series.isna().any():
        raise InputError("scores must be integers without gaps", column=str(column), rule="int")
    values = series.to_numpy(dtype=np.int64)
    bad = (values < 1) | (values > upper)
    if bad.any():
        raise InputError(
            f"scores must lie in 1..{upper}",
            column=str(column),
            rule="range",
            rows=frame.index[np.flatnonzero(bad)[:5]].tolist(),
            n_rows=int(bad.sum()),
        )
    return np.asarray(values, dtype=np.int64)


def _check_edges_fit(
    scores: pd.DataFrame, segment_map: SegmentMap, value_groups: ValueGroupPolicy
) -> int | None:
    """Refuse a segment map or value groups written for other edges than the scores came from.

    :func:`~bankcrm.segmentation.score_rfm` records its edges' ``bins`` and largest total on
    the scores frame; a frame without that record (read back from a file) is not checked.
    Returns the recorded largest total (value groups that scale are scaled to it).
    """
    meta = scores.attrs.get(ATTRS_KEY, {})
    shape = meta.get("rfm_edges") if isinstance(meta, Mapping) else None
    if not isinstance(shape, Mapping):
        return None
    bins = shape.get("bins")
    if bins is not None and bins != segment_map.bins:
        raise InputError(
            f"the scores come from {bins}-bin edges but segment map {segment_map.name!r} "
            f"(version {segment_map.version}) is a {segment_map.bins}×{segment_map.bins} grid; "
            f"use a {bins}-bin segment map or fit {segment_map.bins}-bin edges",
            column="r_score",
            rule="mismatch",
        )
    top = shape.get("max_score")
    if top is not None and not value_groups.fits(top):
        raise InputError(
            f"the scores' totals run to {top} but value groups {value_groups.name!r} (version "
            f"{value_groups.version}) were written for totals up to {value_groups.max_score} "
            "and do not scale (scale=False); use value groups written for these edges' bins "
            "and weights",
            column="rfm_score",
            rule="mismatch",
        )
    return top if isinstance(top, int) else None


def assign_segments(
    scores: Any,
    segment_map: SegmentMap | None = None,
    value_groups: ValueGroupPolicy | None = None,
    *,
    columns: Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """Add ``segment`` (from R and F) and ``value_group`` (from the total) to scored customers.

    Args:
        scores: the output of :func:`~bankcrm.segmentation.score_rfm` (or any frame, pandas,
            pyarrow or polars, with ``r_score``, ``f_score`` and ``rfm_score``).
        segment_map: the R×F map; default :data:`~bankcrm.segmentation.presets.TEN_SEGMENTS`.
        value_groups: the value groups; default
            :data:`~bankcrm.segmentation.presets.THREE_VALUE_GROUPS`.
        columns: role → column name (roles ``r_score``, ``f_score``, ``rfm_score``).

    Returns:
        A new frame with two categorical columns (keys in policy order), stamped with both
        policies' names and versions. The input is never modified.

    Raises:
        InputError: for missing score columns (all in one error), scores outside the map's
            grid, or a map or value groups written for other edges than the scores' (rule
            ``mismatch``; value groups with ``scale=True``, the default, are scaled to the
            edges' ``max_score`` instead, see :class:`ValueGroupPolicy`).
    """
    segment_map = TEN_SEGMENTS if segment_map is None else segment_map
    value_groups = THREE_VALUE_GROUPS if value_groups is None else value_groups
    if not isinstance(segment_map, SegmentMap):
        raise InputError(
            f"segment_map must be a SegmentMap, got {type(segment_map).__name__}",
            column="segment_map",
            rule="type",
        )
    if not isinstance(value_groups, ValueGroupPolicy):
        raise InputError(
            f"value_groups must be a ValueGroupPolicy, got {type(value_groups).__name__}",
            column="value_groups",
            rule="type",
        )
    scores = as_pandas(scores, name="scores")
    names = column_names(columns, SCORE_ROLES, where="assign_segments")
    require_columns(scores, names, where="scores (score the features with score_rfm first)")
    top = _check_edges_fit(scores, segment_map, value_groups)
    r = _score_column(scores, names["r_score"], segment_map.bins)
    f = _score_column(scores, names["f_score"], segment_map.bins)
    cell = segment_map.cell_table()[r - 1, f - 1]
    totals_column = scores[names["rfm_score"]]
    if not pd.api.types.is_integer_dtype(totals_column.dtype) or totals_column.isna().any():
        raise InputError(
            "total scores must be integers without gaps",
            column=str(names["rfm_score"]),
            rule="int",
        )
    totals = totals_column.to_numpy(dtype=np.int64)
    group = value_groups.assign_codes(totals, max_score=top)
    out = scores.copy(deep=False)
    out["segment"] = pd.Categorical.from_codes(cell, categories=pd.Index(segment_map.keys))
    out["value_group"] = pd.Categorical.from_codes(group, categories=pd.Index(value_groups.keys))
    as_of = _as_of(scores)
    stamps = (  # first the policies that produced this result, then the inputs' records
        segment_map.provenance(as_of, producer="bankcrm.segmentation.assign_segments"),
        value_groups.provenance(as_of, producer="bankcrm.segmentation.assign_segments"),
        *read_provenance(scores),
    )
    return stamp_provenance(out, *stamps)


def _as_of(frame: pd.DataFrame) -> Any:
    return next((p.as_of for p in read_provenance(frame) if p.as_of is not None), None)


def segment_summary(
    segmented: Any,
    segment_map: SegmentMap | None = None,
    *,
    language: str = "en",
    columns: Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """Customers, share and mean scores per segment, with labels and recommended actions.

    Every segment of the map appears, in map order, also when it is empty.

    Args:
        segmented: the output of :func:`assign_segments` (pandas, pyarrow or polars).
        segment_map: the map the segments came from; default
            :data:`~bankcrm.segmentation.presets.TEN_SEGMENTS`.
        language: labels and actions in ``"en"`` or ``"zh"`` (also ``zh-CN``, ``zh-Hans``,
            ``cn``, any case).
        columns: role → column name (roles ``segment``, ``r_score``, ``f_score``,
            ``m_score``).

    Returns:
        One row per segment, stamped with the segment map's provenance.

    Raises:
        InputError: for missing columns (all in one error) or an unknown language.
    """
    zh = parse_language(language) == "zh"
    segment_map = TEN_SEGMENTS if segment_map is None else segment_map
    segmented = as_pandas(segmented, name="segmented")
    names = column_names(columns, SUMMARY_ROLES, where="segment_summary")
    require_columns(segmented, names, where="segmented (run assign_segments first)")
    keys = segment_map.keys
    segments = segmented[names["segment"]]
    counts = segments.value_counts().reindex(keys, fill_value=0)
    total = int(counts.sum())
    scores = pd.DataFrame(
        {
            "segment": segments.to_numpy(),
            "r_score": segmented[names["r_score"]].to_numpy(),
            "f_score": segmented[names["f_score"]].to_numpy(),
            "m_score": segmented[names["m_score"]].to_numpy(),
        }
    )
    means = scores.groupby("segment")[["r_score", "f_score", "m_score"]].mean().reindex(keys)
    summary = pd.DataFrame(
        {
            "label": [s.label_zh if zh else s.label for s in segment_map.segments],
            "customers": counts.to_numpy(dtype=np.int64),
            "share": counts.to_numpy(dtype=float) / total if total else 0.0,
            "mean_r": means["r_score"].to_numpy(),
            "mean_f": means["f_score"].to_numpy(),
            "mean_m": means["m_score"].to_numpy(),
            "action": [s.action_zh if zh else s.action for s in segment_map.segments],
        },
        index=pd.Index(keys, name="segment"),
    )
    return stamp_provenance(
        summary,
        segment_map.provenance(_as_of(segmented), producer="bankcrm.segmentation.segment_summary"),
    )
