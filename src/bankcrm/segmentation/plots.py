"""Pictures for a notebook: the R×F heatmap, segment sizes and the migration matrix.

Each is one call that returns a matplotlib ``Figure``. matplotlib is an optional extra
(``pip install 'bankcrm[plots]'``); it is imported only when a plot is drawn, and a clear
:class:`~bankcrm.errors.MissingDependencyError` names the extra when it is absent. Labels
default to English because matplotlib's default font has no Chinese glyphs; pass
``language="zh"`` with a CJK font configured.

>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import pandas as pd
>>> scored = pd.DataFrame({"r_score": [5, 1, 5], "f_score": [5, 1, 4],
...                        "monetary_fen": [90_000, 1_000, 50_000]})
>>> fig = rfm_heatmap(scored, bins=5)
>>> fig.axes[0].get_title()
'Mean monetary (yuan) by R and F score'
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from bankcrm.errors import InputError, MissingDependencyError
from bankcrm.segmentation.migration import SegmentMigration
from bankcrm.segmentation.segments import SegmentMap

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["migration_heatmap", "rfm_heatmap", "segment_sizes"]


def _pyplot() -> Any:
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        raise MissingDependencyError("RFM plots", "matplotlib", "plots") from None
    return plt


def _require(frame: pd.DataFrame, columns: list[str]) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(f"plot data: missing column(s) {missing}", rule="required")


def _annotate(ax: Any, values: np.ndarray[Any, Any], fmt: str) -> None:
    top = np.nanmax(values) if np.isfinite(values).any() else 0.0
    for (i, j), value in np.ndenumerate(values):
        if np.isfinite(value):
            colour = "white" if top and value > top / 2 else "black"
            ax.text(j, i, format(value, fmt), ha="center", va="center", color=colour, fontsize=8)


def rfm_heatmap(scored: pd.DataFrame, *, bins: int = 5, title: str | None = None) -> Figure:
    """Mean monetary value (yuan) of each R×F cell, R down (most recent on top), F across.

    Args:
        scored: the output of :func:`~bankcrm.segmentation.score_rfm`.
        bins: the scores' bins.
        title: the figure title.
    """
    money = "monetary_fen" if "monetary_fen" in scored.columns else "monetary"
    _require(scored, ["r_score", "f_score", money])
    plt = _pyplot()
    r = scored["r_score"].to_numpy(dtype=np.int64)
    f = scored["f_score"].to_numpy(dtype=np.int64)
    yuan = scored[money].to_numpy(dtype=np.float64)
    if money == "monetary_fen":
        yuan = yuan / 100.0
    cell = (bins - r) * bins + (f - 1)  # row 0 = R of bins
    sums = np.bincount(cell, weights=yuan, minlength=bins * bins)
    counts = np.bincount(cell, minlength=bins * bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan).reshape(bins, bins)
    fig, ax = plt.subplots(figsize=(6, 5))
    image = ax.imshow(means, cmap="viridis")
    fig.colorbar(image, ax=ax, label="mean monetary (yuan)")
    ax.set_xticks(range(bins), [str(v) for v in range(1, bins + 1)])
    ax.set_yticks(range(bins), [str(v) for v in range(bins, 0, -1)])
    ax.set_xlabel("F score")
    ax.set_ylabel("R score")
    ax.set_title(title or "Mean monetary (yuan) by R and F score")
    _annotate(ax, means, ",.0f")
    fig.tight_layout()
    return fig  # type: ignore[no-any-return]


def segment_sizes(
    segmented: pd.DataFrame,
    segment_map: SegmentMap | None = None,
    *,
    language: str = "en",
    title: str | None = None,
) -> Figure:
    """Customers per segment as horizontal bars, in the map's order (empty segments shown)."""
    from bankcrm.segmentation.presets import TEN_SEGMENTS

    _require(segmented, ["segment"])
    segment_map = TEN_SEGMENTS if segment_map is None else segment_map
    plt = _pyplot()
    counts = segmented["segment"].value_counts().reindex(segment_map.keys, fill_value=0)
    labels = segment_map.label_map(language)
    fig, ax = plt.subplots(figsize=(7, 0.45 * len(counts) + 1.2))
    positions = np.arange(len(counts))
    ax.barh(positions, counts.to_numpy(), color="tab:blue")
    ax.set_yticks(positions, [labels[k] for k in counts.index])
    ax.invert_yaxis()
    ax.set_xlabel("customers")
    ax.set_title(title or "Customers per segment")
    total = int(counts.sum())
    for y, value in zip(positions, counts.to_numpy(), strict=True):
        share = value / total if total else 0.0
        ax.text(value, y, f" {value:,} ({share:.0%})", va="center", fontsize=8)
    fig.tight_layout()
    return fig  # type: ignore[no-any-return]


def migration_heatmap(
    migration: SegmentMigration, *, shares: bool = True, title: str | None = None
) -> Figure:
    """The migration matrix (rows: segment before, columns: after), as shares or counts."""
    if not isinstance(migration, SegmentMigration):
        raise InputError("expected a SegmentMigration from segment_migration", rule="type")
    plt = _pyplot()
    table = migration.shares() if shares else migration.matrix
    values = table.to_numpy(dtype=np.float64)
    fig, ax = plt.subplots(figsize=(0.7 * values.shape[1] + 3, 0.55 * values.shape[0] + 2))
    image = ax.imshow(values, cmap="Blues")
    fig.colorbar(image, ax=ax, label="share of row" if shares else "customers")
    ax.set_xticks(range(values.shape[1]), [str(c) for c in table.columns], rotation=45, ha="right")
    ax.set_yticks(range(values.shape[0]), [str(i) for i in table.index])
    ax.set_xlabel(f"after{f' ({migration.after_as_of})' if migration.after_as_of else ''}")
    ax.set_ylabel(f"before{f' ({migration.before_as_of})' if migration.before_as_of else ''}")
    ax.set_title(title or "Segment migration")
    _annotate(ax, values, ".0%" if shares else ",.0f")
    fig.tight_layout()
    return fig  # type: ignore[no-any-return]
