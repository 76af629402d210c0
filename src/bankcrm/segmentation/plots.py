"""Pictures for a notebook: the R×F heatmap, segment sizes and the migration matrix.

Each is one call that returns a matplotlib ``Figure``. matplotlib is an optional extra
(``pip install 'bankcrm[plots]'``); it is imported only when a plot is drawn, and a clear
:class:`~bankcrm.errors.MissingDependencyError` names the extra when it is absent. Labels
default to English. With ``language="zh"`` the labels are drawn in a CJK font, because
matplotlib's default font (DejaVu Sans) has no Chinese glyphs and would draw boxes:
:func:`cjk_font` looks among the fonts matplotlib knows for one of :data:`CJK_FONTS` (Noto Sans
CJK, Source Han Sans, WenQuanYi, SimHei, Microsoft YaHei, PingFang …). If none is installed it
warns once, saying how to configure one: install such a font (``apt install fonts-noto-cjk``,
``fonts-wqy-zenhei``) or call :func:`set_cjk_font` with a font's name or the path of its file
(``set_cjk_font("/path/to/NotoSansSC-Regular.otf")``).

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

import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from bankcrm._language import parse_language
from bankcrm._roles import column_names, require_columns
from bankcrm._tables import as_pandas
from bankcrm.errors import InputError, MissingDependencyError
from bankcrm.policy import ATTRS_KEY
from bankcrm.segmentation.migration import SegmentMigration
from bankcrm.segmentation.presets import TEN_SEGMENTS
from bankcrm.segmentation.segments import SegmentMap

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "CJK_FONTS",
    "cjk_font",
    "migration_heatmap",
    "rfm_heatmap",
    "segment_sizes",
    "set_cjk_font",
]

#: Font families with Chinese glyphs, looked for in this order among the installed fonts.
CJK_FONTS = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "Noto Serif CJK SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
    "Hiragino Sans GB",
    "Heiti SC",
    "STHeiti",
    "SimSun",
    "AR PL UMing CN",
    "Noto Sans CJK JP",
    "Noto Sans CJK TC",
    "Arial Unicode MS",
)

_NO_CJK_FONT = (
    "no CJK font found for language='zh' plots (looked for {fonts}); Chinese labels would be "
    "drawn as boxes. Install one (e.g. apt install fonts-noto-cjk or fonts-wqy-zenhei, then "
    "delete matplotlib's font cache) or configure one with "
    "bankcrm.segmentation.plots.set_cjk_font('Font Name') or "
    "set_cjk_font('/path/to/font.otf'). Labels fall back to matplotlib's default font."
)

_state: dict[str, Any] = {"font": None, "warned": False}


def _installed_fonts() -> set[str]:
    """The family names of the fonts matplotlib knows."""
    from matplotlib import font_manager

    return {entry.name for entry in font_manager.fontManager.ttflist}


def set_cjk_font(font: str | Path) -> str:
    """Use ``font`` for Chinese labels: a family name, or the path of a font file.

    A path is registered with matplotlib's font manager first. Returns the family name.

    Raises:
        InputError: for a file that does not exist or a family matplotlib does not know
            (rule ``domain``, listing what :data:`CJK_FONTS` would look for).
    """
    _pyplot()
    name = str(font)
    path = Path(name)
    if path.suffix.lower() in (".ttf", ".otf", ".ttc") or isinstance(font, Path):
        if not path.is_file():
            raise InputError(f"set_cjk_font: no font file {path}", column="font", rule="file")
        from matplotlib import font_manager

        font_manager.fontManager.addfont(str(path))
        name = font_manager.FontProperties(fname=str(path)).get_name()
    elif name not in _installed_fonts():
        raise InputError(
            f"set_cjk_font: matplotlib knows no font family {name!r}; pass the path of the "
            f"font file, or install one of {list(CJK_FONTS[:6])}",
            column="font",
            rule="domain",
        )
    _state["font"] = name
    return name


def cjk_font() -> str | None:
    """The font family used for Chinese labels, or ``None`` (after one warning) if none.

    The font set with :func:`set_cjk_font`, else the first of :data:`CJK_FONTS` installed.
    """
    if _state["font"] is not None:
        return str(_state["font"])
    installed = _installed_fonts()
    found = next((name for name in CJK_FONTS if name in installed), None)
    if found is None and not _state["warned"]:
        _state["warned"] = True
        fonts = ", ".join(CJK_FONTS[:6]) + " …"
        warnings.warn(_NO_CJK_FONT.format(fonts=fonts), UserWarning, stacklevel=3)
    return found


def _text_font(language: str) -> dict[str, Any]:
    """Text properties that draw ``language``'s labels: a CJK family for ``zh``, else none.

    The family is set on the text objects themselves (not through ``rcParams``, which
    matplotlib reads again when it draws, after the call has returned).
    """
    font = cjk_font() if language == "zh" else None
    return {} if font is None else {"fontfamily": [font, "sans-serif"]}


def _pyplot() -> Any:
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        raise MissingDependencyError("RFM plots", "matplotlib", "plots") from None
    return plt


def _recorded_bins(frame: pd.DataFrame) -> int | None:
    meta = frame.attrs.get(ATTRS_KEY, {})
    shape = meta.get("rfm_edges") if isinstance(meta, Mapping) else None
    bins = shape.get("bins") if isinstance(shape, Mapping) else None
    return bins if isinstance(bins, int) else None


def _annotate(ax: Any, values: np.ndarray[Any, Any], fmt: str) -> None:
    top = np.nanmax(values) if np.isfinite(values).any() else 0.0
    for (i, j), value in np.ndenumerate(values):
        if np.isfinite(value):
            colour = "white" if top and value > top / 2 else "black"
            ax.text(j, i, format(value, fmt), ha="center", va="center", color=colour, fontsize=8)


def rfm_heatmap(
    scored: Any,
    *,
    bins: int | None = None,
    title: str | None = None,
    columns: Mapping[str, Any] | None = None,
) -> Figure:
    """Mean monetary value (yuan) of each R×F cell, R down (most recent on top), F across.

    Args:
        scored: the output of :func:`~bankcrm.segmentation.score_rfm` (pandas, pyarrow or
            polars).
        bins: the scores' bins; default: the bins :func:`score_rfm` recorded, else 5.
        title: the figure title.
        columns: role → column name (roles ``r_score``, ``f_score``, ``monetary_fen``,
            ``monetary``; one of the money roles is needed).
    """
    scored = as_pandas(scored, name="scored")
    names = column_names(
        columns, ("r_score", "f_score", "monetary_fen", "monetary"), where="rfm_heatmap"
    )
    fen = names["monetary_fen"] in scored.columns or names["monetary"] not in scored.columns
    money = names["monetary_fen"] if fen else names["monetary"]
    require_columns(
        scored,
        {"r_score": names["r_score"], "f_score": names["f_score"], "monetary": money},
        where="plot data",
    )
    if bins is None:
        bins = _recorded_bins(scored) or 5
    plt = _pyplot()
    r = scored[names["r_score"]].to_numpy(dtype=np.int64)
    f = scored[names["f_score"]].to_numpy(dtype=np.int64)
    yuan = scored[money].to_numpy(dtype=np.float64)
    if fen:
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
    segmented: Any,
    segment_map: SegmentMap | None = None,
    *,
    language: str = "en",
    title: str | None = None,
    columns: Mapping[str, Any] | None = None,
) -> Figure:
    """Customers per segment as horizontal bars, in the map's order (empty segments shown).

    ``language`` is ``"en"`` or ``"zh"`` (also ``zh-CN``, ``zh-Hans``, ``cn``, any case;
    ``zh`` labels use :func:`cjk_font`); ``columns`` maps the role ``segment`` to its column.
    """
    labels_language = parse_language(language)
    segmented = as_pandas(segmented, name="segmented")
    names = column_names(columns, ("segment",), where="segment_sizes")
    require_columns(segmented, names, where="plot data")
    segment_map = TEN_SEGMENTS if segment_map is None else segment_map
    plt = _pyplot()
    font = _text_font(labels_language)
    counts = segmented[names["segment"]].value_counts().reindex(segment_map.keys, fill_value=0)
    labels = segment_map.label_map(labels_language)
    fig, ax = plt.subplots(figsize=(7, 0.45 * len(counts) + 1.2))
    positions = np.arange(len(counts))
    ax.barh(positions, counts.to_numpy(), color="tab:blue")
    ax.set_yticks(positions, [labels[k] for k in counts.index], **font)
    ax.invert_yaxis()
    ax.set_xlabel("customers")
    ax.set_title(title or "Customers per segment", **font)
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
