"""The tier-migration chart: a heatmap of :func:`~bankcrm.membership.tier_migration`'s matrix.

matplotlib is an optional extra (``pip install 'bankcrm[plots]'``), imported only when a chart
is drawn; without it :func:`plot_tier_migration` raises
:class:`~bankcrm.errors.MissingDependencyError` naming the extra. With ``language="zh"`` the
tiers are labelled with their Chinese names (``Tier.label_zh``) in the CJK font that every
bankcrm chart uses (:func:`bankcrm.segmentation.plots.cjk_font`; configure one with
:func:`bankcrm.segmentation.plots.set_cjk_font`).

>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import pandas as pd
>>> from bankcrm.membership.migration import tier_migration
>>> from bankcrm.membership.presets import EVERBRIGHT
>>> january = pd.DataFrame({"customer_id": [1, 2], "tier": ["standard", "wealth"],
...                         "status": ["qualified", "qualified"]})
>>> july = pd.DataFrame({"customer_id": [1, 2], "tier": ["wealth", "wealth"],
...                      "status": ["qualified", "qualified"]})
>>> fig = plot_tier_migration(tier_migration(january, july, ladder=EVERBRIGHT))
>>> fig.axes[0].get_title()
'Tier migration'
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from bankcrm._language import Language, parse_language
from bankcrm.errors import InputError, MissingDependencyError, Rule
from bankcrm.membership.migration import GONE, NEW, TierMigration

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["plot_tier_migration"]

_TEXT: dict[Language, dict[str, str]] = {
    "en": {
        "title": "Tier migration",
        "before": "tier before",
        "after": "tier after",
        "customers": "customers",
        NEW: "(new)",
        GONE: "(gone)",
    },
    "zh": {
        "title": "客户层级迁移",
        "before": "原层级",
        "after": "新层级",
        "customers": "客户数",
        NEW: "（新进入）",
        GONE: "（已离开）",
    },
}


def _pyplot() -> Any:
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        raise MissingDependencyError("the tier-migration chart", "matplotlib", "plots") from None
    return plt


def _font(language: Language) -> dict[str, Any]:
    """Text properties for ``language``: the shared CJK font for ``zh`` (if one is found)."""
    if language != "zh":
        return {}
    from bankcrm.segmentation.plots import cjk_font

    font = cjk_font()
    return {} if font is None else {"fontfamily": [font, "sans-serif"]}


def _labels(migration: TierMigration, language: Language, labels: Any) -> list[str]:
    text = _TEXT[language]
    tiers = {tier.tier_id: tier.label[language] for tier in migration.ladder.tiers}
    return [tiers.get(str(label), text.get(str(label), str(label))) for label in labels]


def plot_tier_migration(
    migration: TierMigration, *, language: str = "en", ax: Any = None
) -> Figure:
    """The migration matrix as a heatmap with the count in every cell.

    Rows are the tiers before (lowest on top, then ``(new)``), columns the tiers after (then
    ``(gone)``), in ladder order; the axes name the two results' ``as_of`` dates.

    Args:
        migration: a :class:`~bankcrm.membership.TierMigration` from
            :func:`~bankcrm.membership.tier_migration`.
        language: ``"en"`` (tier ``label_en``) or ``"zh"`` (``label_zh``; also ``zh-CN``,
            ``zh-Hans``, ``cn``, any case).
        ax: a matplotlib ``Axes`` to draw on; default: a new figure.

    Returns:
        The matplotlib ``Figure`` drawn on.

    Raises:
        InputError: ``migration`` is not a :class:`TierMigration` (rule ``type``); an unknown
            language (rule ``language``).
        MissingDependencyError: matplotlib is not installed (extra ``plots``).
    """
    lang = parse_language(language)
    if not isinstance(migration, TierMigration):
        raise InputError(
            f"plot_tier_migration: expected a TierMigration from tier_migration, got "
            f"{type(migration).__name__}",
            column="migration",
            rule=Rule.TYPE,
        )
    plt = _pyplot()
    font = _font(lang)
    text = _TEXT[lang]
    table = migration.matrix
    values = table.to_numpy(dtype=np.int64)
    n_rows, n_cols = values.shape
    if ax is None:
        fig, ax = plt.subplots(figsize=(1.3 * n_cols + 3, 0.6 * n_rows + 2))
    else:
        fig = ax.figure
    image = ax.imshow(values, cmap="Blues", vmin=0)
    colorbar = fig.colorbar(image, ax=ax)
    colorbar.set_label(text["customers"], **font)
    ax.set_xticks(
        range(n_cols),
        _labels(migration, lang, table.columns),
        rotation=30,
        ha="right",
        **font,
    )
    ax.set_yticks(range(n_rows), _labels(migration, lang, table.index), **font)
    after = f" ({migration.after_as_of})" if migration.after_as_of else ""
    before = f" ({migration.before_as_of})" if migration.before_as_of else ""
    ax.set_xlabel(text["after"] + after, **font)
    ax.set_ylabel(text["before"] + before, **font)
    ax.set_title(text["title"], **font)
    top = int(values.max()) if values.size else 0
    for (i, j), count in np.ndenumerate(values):
        colour = "white" if top and count > top / 2 else "black"
        ax.text(j, i, f"{count:,}", ha="center", va="center", color=colour, fontsize=9)
    fig.tight_layout()
    return fig  # type: ignore[no-any-return]
