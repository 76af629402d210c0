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

from collections.abc import Iterable
from typing import Any

import attrs
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from bankcrm.errors import InputError, PolicyError
from bankcrm.money import Comparator
from bankcrm.policy import Policy, read_provenance, stamp_provenance

__all__ = [
    "Segment",
    "SegmentMap",
    "ValueGroup",
    "ValueGroupPolicy",
    "assign_segments",
    "segment_summary",
]


def _cells(value: Iterable[Any]) -> tuple[str, ...]:
    return tuple(str(c).strip() for c in value)


def _segments(value: Iterable[Segment]) -> tuple[Segment, ...]:
    return tuple(value)


def _groups(value: Iterable[ValueGroup]) -> tuple[ValueGroup, ...]:
    return tuple(value)


def _optional_comparator(value: Comparator | str | None) -> Comparator | None:
    return None if value is None else Comparator.parse(value)


@attrs.frozen(kw_only=True)
class Segment:
    """One named segment and the (R, F) cells it covers.

    Attributes:
        key: a stable machine name (``"champions"``).
        label: the English name (``"Champions"``).
        label_zh: the Chinese name (``"冠军客户"``).
        cells: the cells as two digits ``"RF"`` (``"55"`` = R 5, F 5).
        action: the recommended handling, in English.
        action_zh: the same in Chinese.
    """

    key: str
    label: str
    label_zh: str
    cells: tuple[str, ...] = attrs.field(converter=_cells)
    action: str = ""
    action_zh: str = ""


@attrs.frozen(kw_only=True)
class SegmentMap(Policy):
    """A named-segment map over the R×F grid that covers every cell exactly once.

    Raises:
        PolicyError: for a cell outside the grid, a cell listed twice or left out, or a
            repeated segment key.
    """

    bins: int = 5
    segments: tuple[Segment, ...] = attrs.field(converter=_segments)

    def __attrs_post_init__(self) -> None:
        if not 2 <= self.bins <= 9:
            raise PolicyError(f"segment map bins must be 2..9, got {self.bins}")
        keys = [s.key for s in self.segments]
        repeated = sorted({k for k in keys if keys.count(k) > 1})
        if repeated:
            raise PolicyError(f"segment map {self.name!r}: segment key(s) {repeated} repeated")
        owner: dict[str, str] = {}
        digits = {str(d) for d in range(1, self.bins + 1)}
        for segment in self.segments:
            for cell in segment.cells:
                if len(cell) != 2 or not set(cell) <= digits:
                    raise PolicyError(
                        f"segment {segment.key!r}: cell {cell!r} is not two digits 1..{self.bins}"
                    )
                if cell in owner:
                    raise PolicyError(
                        f"cell {cell!r} is in both {owner[cell]!r} and {segment.key!r}"
                    )
                owner[cell] = segment.key
        missing = sorted(f"{r}{f}" for r in digits for f in digits if f"{r}{f}" not in owner)
        if missing:
            raise PolicyError(f"segment map {self.name!r} leaves cell(s) {missing} unassigned")

    @property
    def keys(self) -> list[str]:
        """Segment keys in map order."""
        return [s.key for s in self.segments]

    def segment_of(self, r: int, f: int) -> Segment:
        """The segment of one (R, F) cell.

        Raises:
            InputError: for scores outside ``1..bins``.
        """
        cell = f"{r}{f}"
        for segment in self.segments:
            if cell in segment.cells:
                return segment
        raise InputError(f"scores R={r}, F={f} are outside 1..{self.bins}", rule="range")

    def cell_table(self) -> NDArray[np.intp]:
        """Segment index (in map order) of every cell, as a ``bins × bins`` array [R−1, F−1]."""
        table = np.empty((self.bins, self.bins), dtype=np.intp)
        for i, segment in enumerate(self.segments):
            for cell in segment.cells:
                table[int(cell[0]) - 1, int(cell[1]) - 1] = i
        return table

    def label_map(self, language: str = "en") -> dict[str, str]:
        """Segment key → label in ``"en"`` or ``"zh"``."""
        return {s.key: s.label_zh if language == "zh" else s.label for s in self.segments}


@attrs.frozen(kw_only=True)
class ValueGroup:
    """One value group: the rule on the total score that admits a customer, and its strategy.

    Attributes:
        key: ``"high"``, ``"medium"``, ``"low"`` …
        label / label_zh: names in English and Chinese.
        comparator: how ``rfm_score`` is compared with ``threshold`` (``">="`` = 以上); both
            ``None`` for the last group, which takes everyone left.
        threshold: the total score threshold.
        strategy / strategy_zh: the recommended strategy.
    """

    key: str
    label: str
    label_zh: str
    comparator: Comparator | None = attrs.field(default=None, converter=_optional_comparator)
    threshold: int | None = None
    strategy: str = ""
    strategy_zh: str = ""


@attrs.frozen(kw_only=True)
class ValueGroupPolicy(Policy):
    """Ordered value groups: a customer joins the first group whose rule holds.

    Attributes:
        max_score: the largest total the thresholds were written for (``bins × Σ weights``,
            15 for quintiles with weights 1, 1, 1); totals above it are refused.
        groups: the groups, from the most valuable; only the last has no rule.
    """

    max_score: int = 15
    groups: tuple[ValueGroup, ...] = attrs.field(converter=_groups)

    def __attrs_post_init__(self) -> None:
        if not self.groups:
            raise PolicyError(f"value groups {self.name!r}: no groups")
        *ruled, last = self.groups
        if last.comparator is not None or last.threshold is not None:
            raise PolicyError(f"value groups {self.name!r}: the last group must take the rest")
        for group in ruled:
            if group.comparator is None or group.threshold is None:
                raise PolicyError(f"value group {group.key!r} needs a comparator and a threshold")
        keys = [g.key for g in self.groups]
        if len(set(keys)) != len(keys):
            raise PolicyError(f"value groups {self.name!r}: repeated group key")

    @property
    def keys(self) -> list[str]:
        """Group keys in policy order."""
        return [g.key for g in self.groups]

    def group_of(self, total: int) -> ValueGroup:
        """The value group of one total score (the scalar path)."""
        self._check_total(np.asarray([total]))
        for group in self.groups:
            if group.comparator is None or group.comparator.compare(total, group.threshold):
                return group
        raise AssertionError("the last value group takes the rest")  # pragma: no cover

    def assign_codes(self, totals: NDArray[np.int64]) -> NDArray[np.intp]:
        """Group index (policy order) of each total score."""
        self._check_total(totals)
        out = np.full(len(totals), len(self.groups) - 1, dtype=np.intp)
        undecided = np.ones(len(totals), dtype=bool)
        for i, group in enumerate(self.groups[:-1]):
            assert group.comparator is not None
            assert group.threshold is not None
            hit = undecided & group.comparator.compare_arrays(
                totals, np.asarray(group.threshold, dtype=np.int64)
            )
            out[hit] = i
            undecided &= ~hit
        return out

    def _check_total(self, totals: NDArray[np.int64]) -> None:
        if len(totals) and (int(totals.max()) > self.max_score or int(totals.min()) < 0):
            raise InputError(
                f"total scores must lie in 0..{self.max_score} for value groups {self.name!r} "
                "(fitted with other bins or weights?)",
                column="rfm_score",
                rule="range",
            )


def _score_column(frame: pd.DataFrame, column: str, upper: int) -> NDArray[np.int64]:
    if column not in frame.columns:
        raise InputError(
            f"scores: missing column {column!r}; score the features with score_rfm first",
            column=column,
            rule="required",
        )
    series = frame[column]
    if not pd.api.types.is_integer_dtype(series.dtype) or series.isna().any():
        raise InputError("scores must be integers without gaps", column=column, rule="int")
    values = series.to_numpy(dtype=np.int64)
    bad = (values < 1) | (values > upper)
    if bad.any():
        raise InputError(
            f"scores must lie in 1..{upper}",
            column=column,
            rule="range",
            rows=frame.index[np.flatnonzero(bad)[:5]].tolist(),
            n_rows=int(bad.sum()),
        )
    return values


def assign_segments(
    scores: pd.DataFrame,
    segment_map: SegmentMap | None = None,
    value_groups: ValueGroupPolicy | None = None,
) -> pd.DataFrame:
    """Add ``segment`` (from R and F) and ``value_group`` (from the total) to scored customers.

    Args:
        scores: the output of :func:`~bankcrm.segmentation.score_rfm` (or any frame with
            ``r_score``, ``f_score`` and ``rfm_score``).
        segment_map: the R×F map; default :data:`~bankcrm.segmentation.presets.TEN_SEGMENTS`.
        value_groups: the value groups; default
            :data:`~bankcrm.segmentation.presets.THREE_VALUE_GROUPS`.

    Returns:
        A new frame with two categorical columns (keys in policy order), stamped with both
        policies' names and versions. The input is never modified.
    """
    from bankcrm.segmentation.presets import TEN_SEGMENTS, THREE_VALUE_GROUPS

    segment_map = TEN_SEGMENTS if segment_map is None else segment_map
    value_groups = THREE_VALUE_GROUPS if value_groups is None else value_groups
    if not isinstance(scores, pd.DataFrame):
        raise InputError(f"scores must be a DataFrame, got {type(scores).__name__}", rule="type")
    r = _score_column(scores, "r_score", segment_map.bins)
    f = _score_column(scores, "f_score", segment_map.bins)
    cell = segment_map.cell_table()[r - 1, f - 1]
    if "rfm_score" not in scores.columns:
        raise InputError("scores: missing column 'rfm_score'", column="rfm_score", rule="required")
    totals_column = scores["rfm_score"]
    if not pd.api.types.is_integer_dtype(totals_column.dtype) or totals_column.isna().any():
        raise InputError(
            "total scores must be integers without gaps", column="rfm_score", rule="int"
        )
    totals = totals_column.to_numpy(dtype=np.int64)
    group = value_groups.assign_codes(totals)
    out = scores.copy(deep=False)
    out["segment"] = pd.Categorical.from_codes(cell, categories=pd.Index(segment_map.keys))
    out["value_group"] = pd.Categorical.from_codes(group, categories=pd.Index(value_groups.keys))
    as_of = next((p.as_of for p in read_provenance(scores) if p.as_of is not None), None)
    stamps = (
        *read_provenance(scores),
        segment_map.provenance(as_of, producer="bankcrm.segmentation.assign_segments"),
        value_groups.provenance(as_of, producer="bankcrm.segmentation.assign_segments"),
    )
    return stamp_provenance(out, *stamps)


def segment_summary(
    segmented: pd.DataFrame, segment_map: SegmentMap | None = None, *, language: str = "en"
) -> pd.DataFrame:
    """Customers, share and mean scores per segment, with labels and recommended actions.

    Every segment of the map appears, in map order, also when it is empty.
    """
    from bankcrm.segmentation.presets import TEN_SEGMENTS

    segment_map = TEN_SEGMENTS if segment_map is None else segment_map
    if "segment" not in segmented.columns:
        raise InputError("missing column 'segment'; run assign_segments first", rule="required")
    keys = segment_map.keys
    counts = segmented["segment"].value_counts().reindex(keys, fill_value=0)
    total = int(counts.sum())
    means = (
        segmented.groupby("segment", observed=False)[["r_score", "f_score", "m_score"]]
        .mean()
        .reindex(keys)
    )
    zh = language == "zh"
    return pd.DataFrame(
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
