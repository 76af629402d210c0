"""plot_group: a smoke test on Agg, the holdings view, errors and the missing extra."""

from __future__ import annotations

import sys
import warnings

import pandas as pd
import pytest

from bankcrm.credit import identify_groups
from bankcrm.credit.plots import graph_layout, plot_group
from bankcrm.datasets import synthetic_bank
from bankcrm.errors import InputError, MissingDependencyError

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


@pytest.fixture(scope="module")
def bank_groups() -> tuple[pd.DataFrame, pd.DataFrame, str]:
    bank = synthetic_bank(400, seed=3)
    groups = identify_groups(
        bank.parties,
        bank.holdings,
        as_of=bank.as_of,
        control_arrangements=bank.control_arrangements,
        person_ties=bank.person_ties,
    )
    sizes = groups.groupby("group_id")["party_id"].nunique()
    return groups, bank.holdings, str(sizes.idxmax())


def _texts(fig: object) -> list[str]:
    return [t.get_text() for t in fig.axes[0].texts]  # type: ignore[attr-defined]


def test_the_largest_group_is_drawn_with_its_control_steps(
    bank_groups: tuple[pd.DataFrame, pd.DataFrame, str],
) -> None:
    groups, _, largest = bank_groups
    rows = groups[groups["group_id"] == largest]
    fig = plot_group(groups, largest)
    texts = _texts(fig)
    assert set(rows["party_id"]) <= set(texts)  # every member is a box
    arrows = [a for a in fig.axes[0].texts if type(a).__name__ == "Annotation"]
    assert len(arrows) == len(rows) - 1  # a tree: one control step per member but the apex
    step = rows.loc[rows["path"].str.count(" > ") == 1, "path_shares"].iloc[0]
    assert step in texts
    assert fig.axes[0].get_title().startswith(f"Group {largest}: control graph")
    plt.close(fig)


def test_the_holdings_view_draws_every_holding_between_members(
    bank_groups: tuple[pd.DataFrame, pd.DataFrame, str],
) -> None:
    groups, holdings, largest = bank_groups
    members = set(groups.loc[groups["group_id"] == largest, "party_id"])
    inside = holdings[holdings["owner_id"].isin(members) & holdings["owned_id"].isin(members)]
    fig, ax = plt.subplots()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # no CJK font on the test machine is fine
        out = plot_group(groups, largest, holdings=holdings, language="zh", ax=ax)
    assert out is fig
    arrows = [a for a in ax.texts if type(a).__name__ == "Annotation"]
    assert len(arrows) == len(inside)
    assert ax.get_title().startswith(f"集团 {largest}")
    plt.close(fig)


def test_layers_follow_path_depth() -> None:
    rows = pd.DataFrame(
        {"party_id": ["P", "A", "B", "C"], "path": ["P", "P > A", "P > B", "P > A > C"]}
    )
    layout = graph_layout(rows)
    assert [layout[n][1] for n in "PABC"] == [0.0, -1.0, -1.0, -2.0]
    assert layout["A"][0] < layout["B"][0]


def test_an_unknown_group_or_language_is_an_input_error(
    bank_groups: tuple[pd.DataFrame, pd.DataFrame, str],
) -> None:
    groups, _, _ = bank_groups
    with pytest.raises(InputError) as info:
        plot_group(groups, "NO_SUCH_GROUP")
    assert info.value.rule == "domain"
    with pytest.raises(InputError) as info:
        plot_group(groups, "x", language="fr")
    assert info.value.rule == "language"
    with pytest.raises(InputError) as info:
        plot_group(groups.drop(columns=["path"]), "x")
    assert info.value.rule == "required"


def test_without_matplotlib_the_extra_is_named(
    bank_groups: tuple[pd.DataFrame, pd.DataFrame, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    groups, _, largest = bank_groups
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(MissingDependencyError, match="plots"):
        plot_group(groups, largest)
