"""The segment and value-group policy classes (kept apart so that the presets built from them
and the functions that default to those presets import without a cycle).

Their public home is :mod:`bankcrm.segmentation.segments` (and :mod:`bankcrm.segmentation`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import attrs
import numpy as np
from numpy.typing import NDArray

from bankcrm._language import parse_language
from bankcrm.errors import InputError, PolicyError
from bankcrm.money import Comparator
from bankcrm.policy import Policy

__all__ = ["Segment", "SegmentMap", "ValueGroup", "ValueGroupPolicy"]


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
        """Segment key → label in ``"en"`` or ``"zh"`` (also ``zh-CN``, ``zh-Hans``, ``cn``).

        Raises:
            InputError: rule ``language`` for any other language.
        """
        zh = parse_language(language) == "zh"
        return {s.key: s.label_zh if zh else s.label for s in self.segments}


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

    **Scaling** (``scale=True``, the default): the thresholds are read as shares of
    ``max_score``. Totals that run to another maximum ``M`` (other weights or bins, e.g.
    ``weights=(2, 1, 1)`` gives ``M = 20``) are compared exactly, by cross-multiplying:
    ``total <op> threshold`` becomes ``total × max_score <op> threshold × M``. So ``≥ 12`` of
    15 admits totals of at least 16 of 20 (12/15 = 16/20) and at least 7.2, that is 8, of 9.
    With ``scale=False`` the groups apply only to totals up to ``max_score`` and other
    totals are refused (rule ``mismatch`` in :func:`~bankcrm.segmentation.assign_segments`).

    Attributes:
        max_score: the largest total the thresholds were written for (``bins × Σ weights``,
            15 for quintiles with weights 1, 1, 1); totals above it are refused.
        groups: the groups, from the most valuable; only the last has no rule.
        scale: scale the thresholds to totals with another maximum (see above).

    >>> from bankcrm.segmentation.presets import THREE_VALUE_GROUPS
    >>> THREE_VALUE_GROUPS.group_of(16, max_score=20).key
    'high'
    >>> THREE_VALUE_GROUPS.group_of(15, max_score=20).key
    'medium'
    """

    max_score: int = 15
    groups: tuple[ValueGroup, ...] = attrs.field(converter=_groups)
    scale: bool = True

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

    def fits(self, max_score: int) -> bool:
        """Whether these groups apply to totals that run to ``max_score``."""
        return self.scale or max_score == self.max_score

    def group_of(self, total: int, *, max_score: int | None = None) -> ValueGroup:
        """The value group of one total score (the scalar path of :meth:`assign_codes`).

        Args:
            total: the weighted total ``rfm_score``.
            max_score: the largest total of the edges the score came from (their
                ``max_score``); default the policy's own.
        """
        top = self._top(max_score)
        self._check_total(np.asarray([total]), top)
        for group in self.groups:
            if group.comparator is None or group.threshold is None:
                return group
            if group.comparator.compare(total * self.max_score, group.threshold * top):
                return group
        raise AssertionError("the last value group takes the rest")  # pragma: no cover

    def assign_codes(
        self, totals: NDArray[np.int64], *, max_score: int | None = None
    ) -> NDArray[np.intp]:
        """Group index (policy order) of each total score (``max_score`` as in :meth:`group_of`)."""
        top = self._top(max_score)
        self._check_total(totals, top)
        out = np.full(len(totals), len(self.groups) - 1, dtype=np.intp)
        undecided = np.ones(len(totals), dtype=bool)
        scaled = np.asarray(totals, dtype=np.int64) * self.max_score
        for i, group in enumerate(self.groups[:-1]):
            assert group.comparator is not None
            assert group.threshold is not None
            hit = undecided & group.comparator.compare_arrays(
                scaled, np.asarray(group.threshold * top, dtype=np.int64)
            )
            out[hit] = i
            undecided &= ~hit
        return out

    def _top(self, max_score: int | None) -> int:
        if max_score is None or max_score == self.max_score:
            return self.max_score
        if isinstance(max_score, bool) or not isinstance(max_score, int) or max_score < 1:
            raise InputError(
                f"max_score must be a positive integer, got {max_score!r}",
                column="max_score",
                rule="range",
            )
        if not self.scale:
            raise InputError(
                f"value groups {self.name!r} (version {self.version}) were written for totals "
                f"up to {self.max_score} and do not scale (scale=False); these totals run to "
                f"{max_score}",
                column="rfm_score",
                rule="mismatch",
            )
        return max_score

    def _check_total(self, totals: NDArray[np.int64], top: int) -> None:
        if len(totals) and (int(totals.max()) > top or int(totals.min()) < 0):
            raise InputError(
                f"total scores must lie in 0..{top} for value groups {self.name!r} "
                "(fitted with other bins or weights? pass max_score)",
                column="rfm_score",
                rule="range",
            )
