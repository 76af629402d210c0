"""Tier migration between two reviews: counts in ladder order, nobody dropped, guards, chart."""

from __future__ import annotations

import datetime as dt
import sys
import warnings
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bankcrm._migration import check_key_types, count_matrix
from bankcrm.datasets import generate_accounts
from bankcrm.errors import InputError, MissingDependencyError
from bankcrm.membership import ReviewSchedule, Tier, TierLadder, evaluate_tiers, presets
from bankcrm.membership.migration import DIRECTIONS, GONE, NEW, TierMigration, tier_migration
from bankcrm.policy import Provenance, read_provenance, stamp_provenance
from bankcrm.ratios import Threshold

EB = presets.EVERBRIGHT

#: A ladder whose ids sort the other way round alphabetically (ladder order is the meaning).
TRIO = TierLadder(
    name="test.trio",
    version="3",
    effective_date=dt.date(2026, 1, 1),
    calendar="weekday",
    tiers=(
        Tier(tier_id="silver", label_en="Silver", label_zh="银卡客户"),
        Tier(
            tier_id="gold",
            label_en="Gold",
            label_zh="金卡客户",
            metric="total_assets",
            window="month",
            entry=Threshold(500_000, "以上"),
            review=ReviewSchedule(decided_at="as_of"),
        ),
        Tier(
            tier_id="diamond",
            label_en="Diamond",
            label_zh="钻石客户",
            metric="total_assets",
            window="month",
            entry=Threshold(10_000_000, "以上"),
            review=ReviewSchedule(decided_at="as_of"),
        ),
    ),
)


def _result(
    ids: list[Any],
    tiers: list[str],
    statuses: list[str] | None = None,
    *,
    ladder: TierLadder | None = EB,
    as_of: dt.date | None = None,
) -> pd.DataFrame:
    """A frame shaped like evaluate_tiers' output, stamped as the ladder's result if given."""
    frame = pd.DataFrame(
        {
            "customer_id": ids,
            "tier": tiers,
            "status": statuses if statuses is not None else ["qualified"] * len(ids),
        }
    )
    if ladder is None:
        return frame
    record = ladder.provenance(as_of, producer="bankcrm.membership.evaluate_tiers")
    return stamp_provenance(frame, record)


JAN, JUL = dt.date(2026, 1, 4), dt.date(2026, 7, 1)


def _example() -> tuple[pd.DataFrame, pd.DataFrame]:
    before = _result(
        ["c1", "c2", "c3", "c4", "c5"],
        ["standard", "wealth", "sunshine_club", "wealth", "standard"],
        as_of=JAN,
    )
    after = _result(
        ["c1", "c2", "c3", "c4", "c6", "c7"],
        ["wealth", "wealth", "wealth", "standard", "sunshine_club", "standard"],
        ["qualified", "watch", "downgraded", "lapsed", "qualified", "qualified"],
        as_of=JUL,
    )
    return before, after


# ---------------------------------------------------------------- the example, pinned
def test_example_counts_and_moves_are_pinned() -> None:
    before, after = _example()
    moved = tier_migration(before, after)
    assert isinstance(moved, TierMigration)
    assert moved.matrix.index.tolist() == ["standard", "wealth", "sunshine_club", NEW]
    assert moved.matrix.columns.tolist() == ["standard", "wealth", "sunshine_club", GONE]
    assert moved.matrix.to_numpy().tolist() == [
        [0, 1, 0, 1],  # c1 up, c5 gone
        [1, 1, 0, 0],  # c4 down, c2 same
        [0, 1, 0, 0],  # c3 down
        [1, 0, 1, 0],  # c7, c6 new
    ]
    m = moved.moves
    assert m.columns.tolist() == [
        "customer_id",
        "tier_before",
        "tier_after",
        "status_after",
        "direction",
    ]
    assert m["customer_id"].tolist() == ["c1", "c2", "c3", "c4", "c5", "c6", "c7"]
    assert m["direction"].tolist() == ["up", "same", "down", "down", "left", "joined", "joined"]
    assert m["status_after"].isna().tolist() == [False] * 4 + [True, False, False]
    assert m["status_after"].dropna().tolist() == [
        "qualified",
        "watch",
        "downgraded",
        "lapsed",
        "qualified",
        "qualified",
    ]
    assert m["tier_before"].isna().tolist() == [False] * 5 + [True, True]
    assert m["tier_after"].isna().tolist() == [False] * 4 + [True, False, False]
    assert m["tier_before"].cat.ordered  # ladder order: comparisons mean up and down
    assert (m["tier_after"] > m["tier_before"]).tolist() == [True] + [False] * 6
    assert moved.counts().to_dict() == {"up": 1, "down": 2, "same": 1, "joined": 2, "left": 1}
    assert (moved.before_as_of, moved.after_as_of) == (JAN, JUL)


def test_matrix_is_in_ladder_order_not_alphabetical() -> None:
    before = _result([1, 2, 3], ["silver", "gold", "diamond"], ladder=TRIO)
    after = _result([1, 2, 3], ["gold", "diamond", "diamond"], ladder=TRIO)
    moved = tier_migration(before, after, ladder=TRIO)
    order = ["silver", "gold", "diamond"]
    assert sorted(order) != order  # alphabetical order would differ
    assert moved.matrix.index.tolist() == [*order, NEW]
    assert moved.matrix.columns.tolist() == [*order, GONE]
    assert moved.moves["tier_before"].cat.categories.tolist() == order
    assert moved.matrix.loc["silver", "gold"] == 1
    assert moved.matrix.loc["gold", "diamond"] == 1
    assert moved.matrix.loc["diamond", "diamond"] == 1


def test_a_ladder_that_is_not_a_preset_must_be_passed() -> None:
    before = _result([1, 2, 3], ["silver", "gold", "diamond"], ladder=TRIO)
    after = _result([1, 2, 3], ["gold", "diamond", "diamond"], ladder=TRIO)
    with pytest.raises(InputError) as info:
        tier_migration(before, after)
    assert info.value.rule == "required"
    assert "test.trio 3" in info.value.message
    moved = tier_migration(before, after, ladder=TRIO)
    assert moved.matrix.index.tolist() == ["silver", "gold", "diamond", NEW]
    assert moved.matrix.columns.tolist() == ["silver", "gold", "diamond", GONE]
    assert moved.moves["direction"].tolist() == ["up", "up", "same"]


def test_unstamped_frames_need_the_ladder_and_then_work() -> None:
    before = _result([1, 2], ["standard", "wealth"], ladder=None)
    after = _result([1, 2], ["wealth", "wealth"], ladder=None)
    with pytest.raises(InputError) as info:
        tier_migration(before, after)
    assert info.value.rule == "required"
    moved = tier_migration(before, after, ladder=EB)
    assert moved.matrix.loc["standard", "wealth"] == 1
    assert moved.before_as_of is None
    assert moved.after_as_of is None


# ---------------------------------------------------------------- provenance
def test_result_and_frames_carry_the_ladder_then_the_later_results_records() -> None:
    before, after = _example()
    moved = tier_migration(before, after)
    assert moved.provenance.policy_name == EB.name
    assert moved.provenance.policy_version == EB.version
    assert moved.provenance.as_of == JUL
    assert moved.provenance.producer == "bankcrm.membership.tier_migration"
    for frame in (moved.matrix, moved.moves):
        records = read_provenance(frame)
        assert records[0] == moved.provenance
        assert records[1:] == read_provenance(after)
    assert moved.sources == read_provenance(after)
    assert "\n" not in repr(moved)
    assert "everbright" in repr(moved)


def test_real_evaluations_find_their_preset_ladder() -> None:
    bank = generate_accounts(60, seed=3)
    january = evaluate_tiers(
        bank.accounts, bank.balances, EB, as_of=dt.date(2025, 1, 15), fx_rates=bank.fx_rates
    )
    july = evaluate_tiers(
        bank.accounts,
        bank.balances,
        EB,
        as_of=dt.date(2025, 7, 15),
        fx_rates=bank.fx_rates,
        states=january,
    )
    kept = (january.copy(deep=True), july.copy(deep=True))
    moved = tier_migration(january, july)
    assert moved.ladder is EB
    assert int(moved.matrix.to_numpy().sum()) == len(set(january["customer_id"]))
    assert moved.moves["tier_after"].astype(str).tolist() == july["tier"].tolist()
    assert moved.moves["status_after"].tolist() == july["status"].tolist()
    pd.testing.assert_frame_equal(january, kept[0])  # inputs never mutated
    pd.testing.assert_frame_equal(july, kept[1])


# ---------------------------------------------------------------- guards
def test_results_of_different_ladders_are_refused() -> None:
    before = _result([1], ["standard"], ladder=EB, as_of=JAN)
    after = _result([1], ["silver"], ladder=TRIO, as_of=JUL)
    with pytest.raises(InputError) as info:
        tier_migration(before, after, ladder=TRIO)
    assert info.value.rule == "mismatch"
    assert "everbright" in info.value.message
    assert "test.trio" in info.value.message
    with pytest.raises(InputError) as info:
        tier_migration(before, after)
    assert info.value.rule == "mismatch"


def test_a_ladder_other_than_the_results_is_refused() -> None:
    before, after = _example()
    with pytest.raises(InputError) as info:
        tier_migration(before, after, ladder=TRIO)
    assert info.value.rule == "mismatch"
    assert info.value.column == "before"


def test_another_version_of_the_same_ladder_is_refused() -> None:
    before = stamp_provenance(
        _result([1], ["standard"], ladder=None),
        Provenance(EB.name, "2025.1", JAN, producer="bankcrm.membership.evaluate_tiers"),
    )
    after = _result([1], ["standard"], as_of=JUL)
    with pytest.raises(InputError) as info:
        tier_migration(before, after)
    assert info.value.rule == "mismatch"
    assert "2025.1" in info.value.message


def test_swapped_dates_are_refused() -> None:
    before, after = _example()
    with pytest.raises(InputError) as info:
        tier_migration(after, before)
    assert info.value.rule == "date_order"


def test_id_types_must_match() -> None:
    before = _result([1, 2], ["standard", "wealth"])
    after = _result(["1", "2"], ["standard", "wealth"])
    with pytest.raises(InputError) as info:
        tier_migration(before, after)
    assert info.value.rule == "key_type"
    assert "int in before" in info.value.message
    assert "text in after" in info.value.message


def test_duplicate_ids_are_refused_with_their_rows() -> None:
    before = _result(["a", "b", "a"], ["standard", "wealth", "wealth"])
    after = _result(["a", "b"], ["standard", "wealth"])
    with pytest.raises(InputError) as info:
        tier_migration(before, after)
    assert info.value.rule == "duplicate_key"
    assert info.value.rows == [0, 2]
    with pytest.raises(InputError) as info:
        tier_migration(after, before)
    assert info.value.rule == "duplicate_key"
    assert "after" in info.value.message


def test_missing_columns_are_listed_together() -> None:
    before = _result(["a"], ["standard"]).drop(columns=["tier", "status"])
    after = _result(["a"], ["standard"])
    with pytest.raises(InputError) as info:
        tier_migration(before, after)
    assert info.value.rule == "required"
    assert "'tier'" in info.value.message
    assert "'status'" in info.value.message


def test_unknown_and_missing_tiers_are_refused() -> None:
    before = _result(["a", "b"], ["standard", "platinum"])
    after = _result(["a", "b"], ["standard", "wealth"])
    with pytest.raises(InputError) as info:
        tier_migration(before, after)
    assert info.value.rule == "domain"
    assert info.value.rows == [1]
    blank = _result(["a", "b"], ["standard", None])  # type: ignore[list-item]
    with pytest.raises(InputError) as info:
        tier_migration(after, blank)
    assert info.value.rule == "missing"


def test_columns_by_role_and_frame() -> None:
    before, after = _example()
    renamed = before.rename(columns={"customer_id": "cust_no", "tier": "grade"})
    moved = tier_migration(
        renamed, after, columns={"before": {"customer_id": "cust_no", "tier": "grade"}}
    )
    reference = tier_migration(before, after)
    pd.testing.assert_frame_equal(moved.matrix, reference.matrix)
    pd.testing.assert_frame_equal(moved.moves, reference.moves)


def test_pyarrow_inputs_give_the_same_answer() -> None:
    before, after = _example()
    reference = tier_migration(before, after)
    moved = tier_migration(pa.Table.from_pandas(before), pa.Table.from_pandas(after), ladder=EB)
    pd.testing.assert_frame_equal(moved.matrix, reference.matrix)
    pd.testing.assert_frame_equal(moved.moves, reference.moves)


def test_empty_sides_are_accounted_for() -> None:
    before = _result([], [])
    after = _result(["a", "b"], ["standard", "wealth"])
    moved = tier_migration(before, after)
    assert moved.matrix.to_numpy()[-1].tolist() == [1, 1, 0, 0]
    assert moved.moves["direction"].tolist() == ["joined", "joined"]
    gone = tier_migration(after, before)
    assert gone.matrix.to_numpy()[:, -1].tolist() == [1, 1, 0, 0]
    assert gone.moves["direction"].tolist() == ["left", "left"]


# ---------------------------------------------------------------- properties
ID_POOL = list(range(25))


@st.composite
def result_pairs(draw: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
    def side() -> pd.DataFrame:
        ids = draw(st.lists(st.sampled_from(ID_POOL), unique=True, max_size=len(ID_POOL)))
        tiers = draw(st.lists(st.sampled_from(EB.tier_ids), min_size=len(ids), max_size=len(ids)))
        return _result(ids, tiers)

    return side(), side()


def _ladder_counts(frame: pd.DataFrame) -> list[int]:
    return frame["tier"].value_counts().reindex(list(EB.tier_ids), fill_value=0).tolist()


@given(result_pairs(), st.randoms(use_true_random=False))
def test_counts_account_for_every_customer_in_any_row_order(
    pair: tuple[pd.DataFrame, pd.DataFrame], rnd: Any
) -> None:
    before, after = pair
    kept = (before.copy(), after.copy())
    moved = tier_migration(before, after)
    matrix = moved.matrix.to_numpy()
    union = set(before["customer_id"]) | set(after["customer_id"])
    only_after = set(after["customer_id"]) - set(before["customer_id"])
    only_before = set(before["customer_id"]) - set(after["customer_id"])
    # nothing silently dropped: the matrix sums to the customers of the union
    assert int(matrix.sum()) == len(union)
    assert len(moved.moves) == len(union)
    # row sums are the earlier counts per tier, column sums the later ones
    assert matrix[:-1].sum(axis=1).tolist() == _ladder_counts(before)
    assert matrix[:, :-1].sum(axis=0).tolist() == _ladder_counts(after)
    assert int(matrix[-1].sum()) == len(only_after)
    assert int(matrix[:, -1].sum()) == len(only_before)
    assert int(matrix[-1, -1]) == 0
    directions = moved.moves.set_index("customer_id")["direction"]
    assert set(directions[directions == "joined"].index) == only_after
    assert set(directions[directions == "left"].index) == only_before
    assert set(directions) <= set(DIRECTIONS)
    both = moved.moves.dropna(subset=["tier_before", "tier_after"])
    ranks_before = both["tier_before"].cat.codes.to_numpy()
    ranks_after = both["tier_after"].cat.codes.to_numpy()
    expected = np.where(
        ranks_after > ranks_before, "up", np.where(ranks_after < ranks_before, "down", "same")
    )
    assert both["direction"].tolist() == expected.tolist()
    # row order of either input changes nothing
    shuffled = tier_migration(
        before.sample(frac=1, random_state=rnd.randint(0, 10**6)),
        after.sample(frac=1, random_state=rnd.randint(0, 10**6)),
    )
    pd.testing.assert_frame_equal(shuffled.matrix, moved.matrix)
    pd.testing.assert_frame_equal(shuffled.moves, moved.moves)
    # inputs never mutated
    pd.testing.assert_frame_equal(before, kept[0])
    pd.testing.assert_frame_equal(after, kept[1])


@given(result_pairs())
def test_swapping_the_sides_transposes_the_matrix(pair: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    before, after = pair
    forward = tier_migration(before, after).matrix.to_numpy()
    backward = tier_migration(after, before).matrix.to_numpy()
    assert (forward == backward.T).all()


# ---------------------------------------------------------------- the moved helpers
def test_count_matrix_counts_pairs_with_new_and_gone() -> None:
    rows = np.array([0, 0, 2, 1], dtype=np.int64)
    cols = np.array([0, 2, 0, 1], dtype=np.int64)
    assert count_matrix(rows, cols, 2).tolist() == [[1, 0, 1], [0, 1, 0], [1, 0, 0]]


def test_key_types_int_and_float_match_empty_matches_anything() -> None:
    check_key_types(pd.Series([1, 2]), pd.Series([1.0]), where="w", before_key="id", after_key="id")
    check_key_types(
        pd.Series([], dtype=object), pd.Series(["a"]), where="w", before_key="id", after_key="id"
    )
    with pytest.raises(InputError) as info:
        check_key_types(
            pd.Series([1]), pd.Series(["a"]), where="w", before_key="id", after_key="cid"
        )
    assert info.value.rule == "key_type"
    assert info.value.column == "cid"
    assert info.value.message.startswith("w: customer ids are int in before")


# ---------------------------------------------------------------- the chart
@pytest.fixture
def pyplot() -> Any:
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    yield plt
    plt.close("all")


def test_plot_draws_the_counts_in_ladder_order(pyplot: Any) -> None:
    from bankcrm.membership.plots import plot_tier_migration

    before, after = _example()
    moved = tier_migration(before, after)
    fig = plot_tier_migration(moved)
    ax = fig.axes[0]
    assert ax.get_title() == "Tier migration"
    labels_y = [t.get_text() for t in ax.get_yticklabels()]
    assert labels_y == [EB.tier(t).label_en for t in EB.tier_ids] + ["(new)"]
    labels_x = [t.get_text() for t in ax.get_xticklabels()]
    assert labels_x == [EB.tier(t).label_en for t in EB.tier_ids] + ["(gone)"]
    counts = [t.get_text() for t in ax.texts]
    assert counts == [str(v) for v in moved.matrix.to_numpy().ravel()]
    assert str(JAN) in ax.get_ylabel()
    assert str(JUL) in ax.get_xlabel()


def test_plot_in_chinese_uses_the_tier_labels_and_draws_on_a_given_axes(pyplot: Any) -> None:
    from bankcrm.membership.plots import plot_tier_migration

    before, after = _example()
    fig0, ax0 = pyplot.subplots()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # no CJK font on this machine: one warning, labels kept
        fig = plot_tier_migration(tier_migration(before, after), language="zh-CN", ax=ax0)
    assert fig is fig0
    labels = [t.get_text() for t in ax0.get_yticklabels()]
    assert labels == [EB.tier(t).label_zh for t in EB.tier_ids] + ["（新进入）"]
    assert labels[:2] == ["普通客户", "财富客户"]
    assert ax0.get_title() == "客户层级迁移"


def test_plot_refuses_other_objects_and_languages(pyplot: Any) -> None:
    from bankcrm.membership.plots import plot_tier_migration

    before, after = _example()
    with pytest.raises(InputError) as info:
        plot_tier_migration(before)  # type: ignore[arg-type]
    assert info.value.rule == "type"
    with pytest.raises(InputError) as info:
        plot_tier_migration(tier_migration(before, after), language="fr")
    assert info.value.rule == "language"


def test_plot_without_matplotlib_names_the_plots_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    from bankcrm.membership.plots import plot_tier_migration

    before, after = _example()
    moved = tier_migration(before, after)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(MissingDependencyError) as info:
        plot_tier_migration(moved)
    assert info.value.extra == "plots"
    assert "bankcrm[plots]" in str(info.value)
