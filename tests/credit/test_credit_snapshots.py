"""compare_group_snapshots: properties (self, mirror, order) and pinned structure changes."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bankcrm.credit import GroupChanges, compare_group_snapshots, identify_groups
from bankcrm.credit.snapshots import CHANGES, MIRROR
from bankcrm.errors import InputError
from bankcrm.policy import read_provenance

ROLES = ("member", "controller", "standalone", "joint_venture")


@st.composite
def snapshots(draw: st.DrawFn) -> pd.DataFrame:
    """A membership relation over a small pool of parties and group ids (ties likely)."""
    parties = draw(st.lists(st.sampled_from("ABCDEFGH"), unique=True, min_size=1, max_size=8))
    rows = []
    for party in parties:
        groups = draw(st.lists(st.sampled_from("ABCDEF"), unique=True, min_size=1, max_size=2))
        for group in groups:
            rows.append(
                {
                    "party_id": party,
                    "group_id": group,
                    "role": draw(st.sampled_from(ROLES)),
                    "path": draw(st.sampled_from([f"{group} > {party}", party])),
                }
            )
    return pd.DataFrame(rows)


@st.composite
def holdings(draw: st.DrawFn) -> pd.DataFrame:
    pairs = draw(
        st.lists(
            st.tuples(st.sampled_from("ABCDEFGH"), st.sampled_from("ABCDEFGH")).filter(
                lambda p: p[0] != p[1]
            ),
            unique=True,
            max_size=10,
        )
    )
    return pd.DataFrame(
        {"owner_id": [p[0] for p in pairs], "owned_id": [p[1] for p in pairs]}, dtype=object
    )


def _tuples(changes: pd.DataFrame, *, mirror: bool = False) -> list[tuple[Any, ...]]:
    def value(x: Any) -> Any:
        return None if pd.isna(x) else x

    out: list[tuple[Any, ...]] = []
    for change, party, before, after in zip(
        changes["change"].tolist(),
        changes["party_id"].tolist(),
        changes["group_before"].tolist(),
        changes["group_after"].tolist(),
        strict=True,
    ):
        if mirror:
            out.append((MIRROR[change], value(party), value(after), value(before)))
        else:
            out.append((change, value(party), value(before), value(after)))
    return sorted(out, key=repr)


@settings(max_examples=150, deadline=None)
@given(snapshots(), holdings())
def test_a_snapshot_compared_with_itself_has_no_changes(
    snap: pd.DataFrame, owned: pd.DataFrame
) -> None:
    result = compare_group_snapshots(snap, snap, holdings_before=owned, holdings_after=owned)
    assert result.changes.empty
    assert (result.groups["shared"] == result.groups["members_before"]).all()


@settings(max_examples=150, deadline=None)
@given(snapshots(), snapshots(), holdings(), holdings())
def test_swapping_the_snapshots_mirrors_the_changes(
    one: pd.DataFrame, two: pd.DataFrame, h1: pd.DataFrame, h2: pd.DataFrame
) -> None:
    forward = compare_group_snapshots(one, two, holdings_before=h1, holdings_after=h2)
    backward = compare_group_snapshots(two, one, holdings_before=h2, holdings_after=h1)
    assert _tuples(forward.changes) == _tuples(backward.changes, mirror=True)


@settings(max_examples=150, deadline=None)
@given(snapshots(), snapshots(), st.randoms(use_true_random=False))
def test_row_order_does_not_matter_and_inputs_are_not_mutated(
    one: pd.DataFrame, two: pd.DataFrame, rng: Any
) -> None:
    kept = one.copy(), two.copy()
    result = compare_group_snapshots(one, two)
    pd.testing.assert_frame_equal(one, kept[0])
    pd.testing.assert_frame_equal(two, kept[1])
    order_one = list(range(len(one)))
    order_two = list(range(len(two)))
    rng.shuffle(order_one)
    rng.shuffle(order_two)
    shuffled = compare_group_snapshots(one.iloc[order_one], two.iloc[order_two])
    pd.testing.assert_frame_equal(result.changes, shuffled.changes)
    pd.testing.assert_frame_equal(result.groups, shuffled.groups)


@settings(max_examples=150, deadline=None)
@given(snapshots(), snapshots())
def test_nothing_is_dropped(one: pd.DataFrame, two: pd.DataFrame) -> None:
    result = compare_group_snapshots(one, two)
    changes = result.changes
    only_before = set(one["party_id"]) - set(two["party_id"])
    only_after = set(two["party_id"]) - set(one["party_id"])
    assert set(changes.loc[changes["change"] == "party_gone", "party_id"]) == only_before
    assert set(changes.loc[changes["change"] == "party_new", "party_id"]) == only_after
    groups = result.groups
    assert sorted(groups["group_before"].dropna()) == sorted(set(one["group_id"]))
    assert sorted(groups["group_after"].dropna()) == sorted(set(two["group_id"]))
    # A party whose groups differ, as matched, shows up with a membership change.
    matched = dict(zip(groups["group_before"], groups["group_after"], strict=True))
    for party in set(one["party_id"]) & set(two["party_id"]):
        mapped = {matched.get(g) for g in one.loc[one["party_id"] == party, "group_id"]}
        now = set(two.loc[two["party_id"] == party, "group_id"])
        if mapped != now:
            kinds = set(changes.loc[changes["party_id"] == party, "change"])
            assert kinds & {"moved", "joined", "left"}, party
    assert set(changes["change"]) <= set(CHANGES)


# ---------------------------------------------------------------- pinned cases
def _frame(**columns: Any) -> pd.DataFrame:
    return pd.DataFrame(columns)


PARTIES = _frame(
    party_id=["P", "Q", "A", "B", "C", "D"],
    kind=["person", "person", "corporate", "corporate", "corporate", "corporate"],
)


def _groups(owner: list[str], owned: list[str], shares: list[str], as_of: str) -> pd.DataFrame:
    holdings = _frame(owner_id=owner, owned_id=owned, equity_share=shares)
    return identify_groups(PARTIES, holdings, as_of=as_of)


def _changes(result: GroupChanges) -> list[tuple[Any, ...]]:
    return _tuples(result.changes)


def test_a_firm_sold_out_of_a_group() -> None:
    # P's group {P, A, B}; P's A sells B to Q.
    before = _groups(["P", "A", "Q"], ["A", "B", "C"], ["0.6", "0.7", "0.8"], "2025-06-30")
    after = _groups(["P", "Q", "Q"], ["A", "B", "C"], ["0.6", "0.7", "0.8"], "2025-12-31")
    result = compare_group_snapshots(before, after)
    assert _changes(result) == [("moved", "B", "P", "Q")]
    row = result.changes.iloc[0]
    assert row["details"] == "member → member"
    assert str(result.before_as_of) == "2025-06-30"
    assert str(result.after_as_of) == "2025-12-31"
    assert result.counts()["moved"] == 1
    assert result.counts().sum() == len(result.changes)


def test_two_groups_merge_after_an_acquisition() -> None:
    # A (P's) and C (a widely held firm heading D) are two groups; A buys 60 % of C.
    before = _groups(["P", "C"], ["A", "D"], ["0.6", "0.7"], "2025-06-30")
    after = _groups(["P", "C", "A"], ["A", "D", "C"], ["0.6", "0.7", "0.6"], "2025-12-31")
    result = compare_group_snapshots(before, after)
    got = _changes(result)
    assert ("merged", None, "C", "P") in got
    assert ("moved", "C", "C", "P") in got
    assert ("moved", "D", "C", "P") in got
    merged = result.groups.set_index("group_before").loc["C"]
    assert pd.isna(merged["group_after"])  # C's group did not continue
    # Swapped (a demerger): the same rows, mirrored.
    after.attrs, before.attrs = {}, {}  # no dates: the comparison runs either way
    reverse = compare_group_snapshots(after, before)
    assert ("split", None, "P", "C") in _changes(reverse)


def test_an_apex_change() -> None:
    # B is held 60 % by A, A by nobody; then Q buys 70 % of A: same group, new apex Q.
    before = _groups(["A"], ["B"], ["0.6"], "2025-06-30")
    after = _groups(["A", "Q"], ["B", "A"], ["0.6", "0.7"], "2025-12-31")
    result = compare_group_snapshots(before, after)
    got = _changes(result)
    # A's group (two parties) continues under Q; Q's own one-party group merged into it.
    assert got == [
        ("apex_changed", None, "A", "Q"),
        ("merged", None, "Q", "Q"),
        ("moved", "Q", "Q", "Q"),
        ("path_changed", "A", "A", "Q"),
        ("path_changed", "B", "A", "Q"),
    ]
    details = result.changes.set_index("change")["details"]
    assert details["moved"] == "standalone → controller"
    assert details["apex_changed"] == "2 parties shared"


def test_new_and_broken_cycles_need_the_holdings() -> None:
    snap = _frame(party_id=["A", "B"], group_id=["A", "A"], role=["member", "member"])
    none = _frame(owner_id=["A"], owned_id=["B"])
    cross = _frame(owner_id=["A", "B"], owned_id=["B", "A"])
    result = compare_group_snapshots(snap, snap, holdings_before=none, holdings_after=cross)
    assert _changes(result) == [("cycle_new", "A", None, None), ("cycle_new", "B", None, None)]
    assert set(result.changes["details"]) == {"cycle of A, B"}
    back = compare_group_snapshots(snap, snap, holdings_before=cross, holdings_after=none)
    assert set(back.changes["change"]) == {"cycle_gone"}
    with pytest.raises(InputError) as info:
        compare_group_snapshots(snap, snap, holdings_before=none)
    assert info.value.rule == "required"


def test_provenance_is_stamped_after_then_before() -> None:
    before = _groups(["P"], ["A"], ["0.6"], "2025-06-30")
    after = _groups(["P"], ["A"], ["0.6"], "2025-12-31")
    result = compare_group_snapshots(before, after)
    records = read_provenance(result.changes)
    assert records[0].policy_name == "bankcrm.credit.compare_group_snapshots"
    assert str(records[0].as_of) == "2025-12-31"
    assert [str(r.as_of) for r in records[1:]] == ["2025-12-31", "2025-06-30"]
    assert result.provenance.policy_name == "bankcrm.credit.compare_group_snapshots"
    assert "GroupChanges(" in repr(result)


# ---------------------------------------------------------------- bad input
def test_dates_in_the_wrong_order() -> None:
    before = _groups(["P"], ["A"], ["0.6"], "2025-06-30")
    after = _groups(["P"], ["A"], ["0.6"], "2025-12-31")
    with pytest.raises(InputError) as info:
        compare_group_snapshots(after, before)
    assert info.value.rule == "date_order"


def test_mismatched_id_types() -> None:
    text = _frame(party_id=["1"], group_id=["1"], role=["standalone"])
    numbers = _frame(party_id=[1], group_id=[1], role=["standalone"])
    with pytest.raises(InputError) as info:
        compare_group_snapshots(text, numbers)
    assert info.value.rule == "key_type"


def test_duplicate_party_group_rows() -> None:
    snap = _frame(party_id=["A", "A", "B"], group_id=["A", "A", "A"], role=["member"] * 3)
    with pytest.raises(InputError) as info:
        compare_group_snapshots(snap, snap.iloc[:1])
    assert info.value.rule == "duplicate_key"
    assert info.value.n_rows == 2


def test_missing_columns_are_named() -> None:
    snap = _frame(party_id=["A"], group_id=["A"], role=["member"])
    with pytest.raises(InputError) as info:
        compare_group_snapshots(snap, snap.drop(columns=["role"]))
    assert info.value.rule == "required"
    assert "'role'" in str(info.value)


def test_integer_ids_and_renamed_columns() -> None:
    one = _frame(pid=[1, 2], gid=[1, 1], role=["controller", "member"])
    two = _frame(party_id=[1, 2, 3], group_id=[1, 3, 3], role=["standalone", "member", "member"])
    result = compare_group_snapshots(
        one, two, columns={"before": {"party_id": "pid", "group_id": "gid"}}
    )
    assert str(result.changes["party_id"].dtype) == "Int64"
    assert ("party_new", 3, None, 3) in _changes(result)


def test_mixed_id_kinds_in_one_snapshot() -> None:
    snap = _frame(party_id=["A", 1], group_id=["A", 1], role=["member", "member"])
    with pytest.raises(InputError) as info:
        compare_group_snapshots(snap, snap)
    assert info.value.rule == "key_type"
