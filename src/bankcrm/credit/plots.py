"""A drawing of one group's control graph, from :func:`~bankcrm.credit.identify_groups`.

:func:`plot_group` draws the members of one group as boxes in layers by the depth of their
control path (the apex on top), and each control step as an arrow labelled with the votes the
controller counts at that step (``path_shares``: an exact decimal, an arrangement's kind, or
``unit`` for a relative). With ``holdings=`` the arrows are the holdings between members
instead, labelled with the voting (else equity) share, minority stakes included. The layout is
computed here (no graph library needed).

matplotlib is an optional extra (``pip install 'bankcrm[plots]'``), imported only when a chart
is drawn; without it :func:`plot_group` raises :class:`~bankcrm.errors.MissingDependencyError`
naming the extra. ``language="zh"`` labels the chart in Chinese with the CJK font every bankcrm
chart uses (:func:`bankcrm.segmentation.plots.cjk_font`).

>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import pandas as pd
>>> from bankcrm.credit import identify_groups
>>> parties = pd.DataFrame({"party_id": ["P", "A", "B"],
...                         "kind": ["person", "corporate", "corporate"]})
>>> holdings = pd.DataFrame({"owner_id": ["P", "A"], "owned_id": ["A", "B"],
...                          "equity_share": ["0.6", "0.6"]})
>>> fig = plot_group(identify_groups(parties, holdings, as_of="2025-12-31"), "P")
>>> fig.axes[0].get_title()
'Group P: control graph (3 parties)'
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from bankcrm._language import Language, parse_language
from bankcrm._roles import require_columns
from bankcrm._tables import as_pandas
from bankcrm.errors import InputError, MissingDependencyError, Rule

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["graph_layout", "plot_group"]

_SEP = " > "

_TEXT: dict[Language, dict[str, str]] = {
    "en": {
        "title": "Group {group}: control graph ({n} parties)",
        "controller": "controller",
        "member": "member",
        "joint_venture": "joint venture",
        "family": "family",
        "standalone": "standalone",
    },
    "zh": {
        "title": "集团 {group}：控制关系图（{n} 个成员）",
        "controller": "控制人",
        "member": "成员",
        "joint_venture": "合营企业",
        "family": "家族",
        "standalone": "独立",
    },
}

_COLOURS = {
    "controller": "#f4a261",
    "member": "#a8dadc",
    "joint_venture": "#e9c46a",
    "family": "#f4a261",
    "standalone": "#dddddd",
}


def _pyplot() -> Any:
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        raise MissingDependencyError("the group control graph", "matplotlib", "plots") from None
    return plt


def _font(language: Language) -> dict[str, Any]:
    if language != "zh":
        return {}
    from bankcrm.segmentation.plots import cjk_font

    font = cjk_font()
    return {} if font is None else {"fontfamily": [font, "sans-serif"]}


def _edges_from_paths(rows: pd.DataFrame) -> dict[tuple[str, str], str]:
    """Each control step of the rows' paths, with its share (or kind) where the path has one."""
    edges: dict[tuple[str, str], str] = {}
    for path, shares in zip(rows["path"].tolist(), rows["path_shares"].tolist(), strict=True):
        nodes = str(path).split(_SEP)
        steps = str(shares).split(_SEP) if isinstance(shares, str) and shares else []
        for k in range(len(nodes) - 1):
            label = steps[k] if len(steps) == len(nodes) - 1 else ""
            edges.setdefault((nodes[k], nodes[k + 1]), label)
    return edges


def _edges_from_holdings(holdings: Any, members: set[str]) -> dict[tuple[str, str], str]:
    table = as_pandas(holdings, name="holdings")
    require_columns(table, {"owner_id": "owner_id", "owned_id": "owned_id"}, where="holdings")
    share = "voting_share" if "voting_share" in table.columns else "equity_share"
    if share not in table.columns:
        raise InputError(
            "holdings: missing required column 'voting_share' or 'equity_share'",
            column="equity_share",
            rule=Rule.REQUIRED,
        )
    edges: dict[tuple[str, str], str] = {}
    for owner, owned, value in zip(
        table["owner_id"].astype(str), table["owned_id"].astype(str), table[share], strict=True
    ):
        if owner in members and owned in members:
            edges[(owner, owned)] = "" if pd.isna(value) else str(value)
    return edges


def graph_layout(rows: pd.DataFrame) -> dict[str, tuple[float, float]]:
    """Node positions: layer = path depth (apex at 0, on top), spread evenly in each layer.

    >>> rows = pd.DataFrame({"party_id": ["P", "A", "B"], "path": ["P", "P > A", "P > B"]})
    >>> graph_layout(rows)
    {'P': (0.0, 0.0), 'A': (-0.5, -1.0), 'B': (0.5, -1.0)}
    """
    depth: dict[str, int] = {}
    parent: dict[str, str] = {}
    for party, path in zip(rows["party_id"].astype(str), rows["path"].astype(str), strict=True):
        nodes = path.split(_SEP)
        for level, node in enumerate(nodes):
            if level < depth.get(node, level + 1):
                depth[node] = level
                if level:
                    parent[node] = nodes[level - 1]
        if len(nodes) - 1 < depth.get(party, len(nodes)):
            depth[party] = len(nodes) - 1
    layers: dict[int, list[str]] = {}
    for node in sorted(depth, key=lambda n: (depth[n], n)):
        layers.setdefault(depth[node], []).append(node)
    out: dict[str, tuple[float, float]] = {}
    for level in sorted(layers):
        # Children sit in the order of their parents, so arrows cross less.
        nodes = sorted(layers[level], key=lambda n: (out.get(parent.get(n, ""), (0.0, 0.0))[0], n))
        width = len(nodes)
        for i, node in enumerate(nodes):
            out[node] = (float(i - (width - 1) / 2), float(-level))
    return out


def plot_group(
    groups_result: Any,
    group_id: Any,
    *,
    holdings: Any = None,
    language: str = "en",
    ax: Any = None,
) -> Figure:
    """Draw one group's control graph (see the module text).

    Args:
        groups_result: an :func:`~bankcrm.credit.identify_groups` result (``party_id``,
            ``group_id``, ``role``, ``path``, ``path_shares``).
        group_id: the group to draw (its apex's id).
        holdings: optionally the holdings (``owner_id``, ``owned_id``, ``voting_share`` or
            ``equity_share``): draw every holding between members instead of the control steps.
        language: ``"en"`` or ``"zh"`` (also ``zh-CN``, ``zh-Hans``, ``cn``, any case).
        ax: a matplotlib ``Axes`` to draw on; default: a new figure.

    Returns:
        The matplotlib ``Figure`` drawn on.

    Raises:
        InputError: a missing column (rule ``required``); a group that is not in the result
            (``domain``); an unknown language (``language``).
        MissingDependencyError: matplotlib is not installed (extra ``plots``).
    """
    lang = parse_language(language)
    frame = as_pandas(groups_result, name="groups_result")
    roles = ("party_id", "group_id", "role", "path", "path_shares")
    require_columns(frame, {r: r for r in roles}, where="groups_result")
    rows = frame[frame["group_id"].astype(str) == str(group_id)]
    if rows.empty:
        raise InputError(
            f"plot_group: no group {group_id!r} in the result (a group's id is its apex's "
            "party_id)",
            column="group_id",
            rule=Rule.DOMAIN,
        )
    plt = _pyplot()
    font = _font(lang)
    text = _TEXT[lang]
    positions = graph_layout(rows)
    members = set(rows["party_id"].astype(str))
    edges = _edges_from_paths(rows) if holdings is None else _edges_from_holdings(holdings, members)
    role_of = dict(zip(rows["party_id"].astype(str), rows["role"].astype(str), strict=False))
    width = max((sum(1 for p in positions.values() if p[1] == y) for _, y in positions.values()))
    depth = int(-min(y for _, y in positions.values())) + 1
    if ax is None:
        fig, ax = plt.subplots(figsize=(min(2.0 + 1.6 * width, 24), 1.5 + 1.3 * depth))
    else:
        fig = ax.figure
    for (a, b), label in sorted(edges.items()):
        if a not in positions or b not in positions:
            continue
        (x0, y0), (x1, y1) = positions[a], positions[b]
        ax.annotate(
            "",
            xy=(x1, y1 + 0.12),
            xytext=(x0, y0 - 0.12),
            arrowprops={"arrowstyle": "->", "color": "#555555", "lw": 1.0},
        )
        if label:
            ax.text(
                (x0 + x1) / 2,
                (y0 + y1) / 2,
                label,
                fontsize=7,
                ha="center",
                va="center",
                bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none"},
                **font,
            )
    for node, (x, y) in positions.items():
        role = role_of.get(node, "member")
        ax.text(
            x,
            y,
            node,
            ha="center",
            va="center",
            fontsize=8,
            bbox={"boxstyle": "round,pad=0.3", "fc": _COLOURS.get(role, "#ffffff"), "ec": "#333"},
        )
    used = sorted({role_of.get(node, "member") for node in positions})
    handles = [
        plt.Line2D(
            [],
            [],
            marker="s",
            linestyle="",
            markersize=9,
            markerfacecolor=_COLOURS.get(role, "#ffffff"),
            markeredgecolor="#333",
            label=text.get(role, role),
        )
        for role in used
    ]
    legend_font: dict[str, Any] = {"size": 7}
    if font:
        legend_font["family"] = font["fontfamily"]
    ax.legend(handles=handles, loc="upper right", prop=legend_font)
    xs = [p[0] for p in positions.values()]
    ax.set_xlim(min(xs) - 0.8, max(xs) + 0.8)
    ax.set_ylim(-depth + 0.5, 0.6)
    ax.set_axis_off()
    ax.set_title(text["title"].format(group=group_id, n=len(members)), **font)
    fig.tight_layout()
    return fig  # type: ignore[no-any-return]
