"""identify_groups: the worked cases of the group-client rules, and the synthetic bank's truth."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pandas as pd
import pytest

from bankcrm.credit import GroupPolicy, identify_groups
from bankcrm.datasets import generate_parties, synthetic_bank
from bankcrm.errors import InputError
from bankcrm.policy import read_provenance

NEW_LAW = dt.date(2025, 12, 31)  # Company Law 2023: more than 50 %
OLD_LAW = dt.date(2024, 6, 30)  # Company Law 2018: 50 % or more


def parties(**kinds: str) -> pd.DataFrame:
    return pd.DataFrame({"party_id": list(kinds), "kind": list(kinds.values())})


def holdings(*rows: tuple[str, str, Any]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "owner_id": [r[0] for r in rows],
            "owned_id": [r[1] for r in rows],
            "equity_share": [r[2] for r in rows],
        }
    )


def partition(frame: pd.DataFrame) -> set[frozenset[Any]]:
    return set(frame.groupby("group_id")["party_id"].agg(frozenset))


def group_of(frame: pd.DataFrame) -> dict[Any, Any]:
    return dict(zip(frame["party_id"], frame["group_id"], strict=True))


def row(frame: pd.DataFrame, party: str, group: str | None = None) -> dict[str, Any]:
    rows = frame[frame["party_id"] == party]
    if group is not None:
        rows = rows[rows["group_id"] == group]
    assert len(rows) == 1, rows
    record: dict[str, Any] = {str(k): v for k, v in rows.iloc[0].to_dict().items()}
    return record


# ---------------------------------------------------------------- the synthetic bank
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_generators_groups_are_found_as_partitions(seed: int) -> None:
    frames = generate_parties(300, seed=seed)
    found = identify_groups(
        frames.parties,
        frames.holdings,
        as_of=NEW_LAW,
        control_arrangements=frames.control_arrangements,
        person_ties=frames.person_ties,
    )
    assert partition(found) == partition(frames.groups)
    roles = found.merge(frames.groups, on="party_id", suffixes=("", "_truth"))
    assert (roles["role"] == roles["role_truth"]).all()
    assert set(found["party_id"]) == set(frames.parties["party_id"])
    # The rule matters: under the 2018 reading the exactly-50 % family firms join the family.
    old = identify_groups(
        frames.parties,
        frames.holdings,
        as_of=OLD_LAW,
        control_arrangements=frames.control_arrangements,
        person_ties=frames.person_ties,
    )
    assert partition(old) != partition(frames.groups)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_synthetic_banks_groups_are_found(seed: int) -> None:
    bank = synthetic_bank(500, seed=seed)
    found = identify_groups(
        bank.parties,
        bank.holdings,
        as_of=bank.as_of,
        control_arrangements=bank.control_arrangements,
        person_ties=bank.person_ties,
    )
    assert partition(found) == partition(bank.groups)


# ---------------------------------------------------------------- worked cases
def test_a_chain_is_control_though_ownership_multiplies() -> None:
    found = identify_groups(
        parties(P="person", A="corporate", B="corporate"),
        holdings(("P", "A", "0.6"), ("A", "B", "0.6")),
        as_of=NEW_LAW,
    )
    assert partition(found) == {frozenset({"P", "A", "B"})}
    b = row(found, "B")
    assert (b["path"], b["path_shares"], b["basis"], b["role"]) == (
        "P > A > B",
        "0.6 > 0.6",
        "votes",
        "member",
    )
    assert row(found, "P")["role"] == "controller"


def test_split_paths_add_up_through_a_controlled_firm() -> None:
    found = identify_groups(
        parties(P="person", A="corporate", X="corporate"),
        holdings(("P", "A", "0.6"), ("P", "X", "0.3"), ("A", "X", "0.25")),
        as_of=NEW_LAW,
    )
    assert partition(found) == {frozenset({"P", "A", "X"})}
    assert row(found, "X")["path_shares"] == "0.55"  # the votes P counts in X
    # Without the controlled firm's votes, 30 % is a minority stake.
    alone = identify_groups(
        parties(P="person", A="corporate", X="corporate"),
        holdings(("P", "A", "0.4"), ("P", "X", "0.3"), ("A", "X", "0.25")),
        as_of=NEW_LAW,
    )
    assert partition(alone) == {frozenset({"P"}), frozenset({"A"}), frozenset({"X"})}


def test_a_cross_holding_does_not_justify_its_own_control() -> None:
    kinds = parties(P="person", A="corporate", B="corporate")
    weak = identify_groups(
        kinds, holdings(("P", "A", "0.45"), ("A", "B", "0.6"), ("B", "A", "0.1")), as_of=NEW_LAW
    )
    assert partition(weak) == {frozenset({"P"}), frozenset({"A", "B"})}
    assert row(weak, "A")["role"] == "member"
    strong = identify_groups(
        kinds, holdings(("P", "A", "0.51"), ("A", "B", "0.6"), ("B", "A", "0.1")), as_of=NEW_LAW
    )
    assert partition(strong) == {frozenset({"P", "A", "B"})}


def test_mutual_control_is_one_group_with_the_smaller_id_as_apex() -> None:
    found = identify_groups(
        parties(A="corporate", B="corporate"),
        holdings(("A", "B", "0.6"), ("B", "A", "0.6")),
        as_of=NEW_LAW,
    )
    assert set(found["group_id"]) == {"A"}
    assert row(found, "B")["path"] == "A > B"


@pytest.mark.parametrize(("as_of", "controls"), [(OLD_LAW, True), (NEW_LAW, False)])
def test_exactly_half_under_both_laws(as_of: dt.date, controls: bool) -> None:
    found = identify_groups(
        parties(P="person", X="corporate"), holdings(("P", "X", Decimal("0.5"))), as_of=as_of
    )
    assert (group_of(found)["X"] == "P") is controls
    assert read_provenance(found)[0].as_of == as_of


@pytest.mark.parametrize(("as_of", "controls"), [(OLD_LAW, True), (NEW_LAW, False)])
def test_float_shares_summing_to_exactly_half(as_of: dt.date, controls: bool) -> None:
    ties = pd.DataFrame(
        {"person_a": ["M", "M"], "person_b": ["F", "C"], "relation": ["spouse", "parent_child"]}
    )
    found = identify_groups(
        parties(M="person", F="person", C="person", X="corporate"),
        holdings(("M", "X", 0.1), ("F", "X", 0.2), ("C", "X", 0.2)),
        as_of=as_of,
        person_ties=ties,
    )
    family = {"M", "F", "C"}
    if controls:
        assert partition(found) == {frozenset(family | {"X"})}
        assert {row(found, p)["role"] for p in family} == {"controller"}
    else:
        assert partition(found) == {frozenset(family), frozenset({"X"})}
        assert {row(found, p)["role"] for p in family} == {"family"}
        assert row(found, "X")["role"] == "standalone"


def test_family_control_counts_relatives_votes_together() -> None:
    ties = pd.DataFrame(
        {
            "person_a": ["H", "H", "W", "C"],
            "person_b": ["W", "C", "C", "K"],
            "relation": ["spouse", "parent_child", "parent_child", "cousin"],
        }
    )
    found = identify_groups(
        parties(H="person", W="person", C="person", K="person", X="corporate"),
        holdings(("H", "X", "0.3"), ("W", "X", "0.25"), ("K", "X", "0.2")),
        as_of=NEW_LAW,
        person_ties=ties,
    )
    assert partition(found) == {frozenset({"H", "W", "C", "X"}), frozenset({"K"})}
    assert row(found, "C")["role"] == "controller"  # a relative, though holding nothing
    assert row(found, "C")["basis"] == "family"
    assert row(found, "K")["role"] == "standalone"  # a cousin is collateral in three generations
    assert row(found, "X")["path_shares"] == "0.55"


def test_non_equity_control_by_arrangement() -> None:
    arrangements = pd.DataFrame(
        {"controller_id": ["A"], "controlled_id": ["V"], "kind": ["vie_agreement"]}
    )
    found = identify_groups(
        parties(A="corporate", V="corporate"),
        holdings(("A", "V", "0.1")),
        as_of=NEW_LAW,
        control_arrangements=arrangements,
    )
    assert partition(found) == {frozenset({"A", "V"})}
    assert row(found, "V")["basis"] == "arrangement"
    assert row(found, "V")["path_shares"] == "vie_agreement"


def test_state_owned_firms_are_not_merged() -> None:
    found = identify_groups(
        parties(S="government", A="corporate", B="corporate", A1="corporate"),
        holdings(("S", "A", "0.6"), ("S", "B", "0.7"), ("A", "A1", "0.8")),
        as_of=NEW_LAW,
    )
    assert partition(found) == {frozenset({"S"}), frozenset({"A", "A1"}), frozenset({"B"})}
    assert row(found, "S")["role"] == "standalone"
    assert row(found, "A")["role"] == "member"
    # A named public owner is the State too.
    owner = GroupPolicy(public_owners=frozenset({"P"}))
    named = identify_groups(
        parties(P="corporate", A="corporate", B="corporate"),
        holdings(("P", "A", "0.6"), ("P", "B", "0.7")),
        as_of=NEW_LAW,
        policy=owner,
    )
    assert partition(named) == {frozenset({"P"}), frozenset({"A"}), frozenset({"B"})}


def test_minority_stakes_are_not_merged() -> None:
    found = identify_groups(
        parties(A="corporate", B="corporate", C="corporate"),
        holdings(("A", "B", "0.3"), ("C", "B", "0.2")),
        as_of=NEW_LAW,
    )
    assert partition(found) == {frozenset({"A"}), frozenset({"B"}), frozenset({"C"})}
    assert set(found["role"]) == {"standalone"}


@pytest.mark.parametrize("as_of", [OLD_LAW, NEW_LAW])
def test_a_fifty_fifty_joint_venture(as_of: dt.date) -> None:
    kinds = parties(
        P="person", Q="person", A="corporate", B="corporate", J="corporate", J1="corporate"
    )
    stakes = holdings(
        ("P", "A", "0.9"), ("Q", "B", "0.9"), ("A", "J", "0.5"), ("B", "J", "0.5"), ("J", "J1", "1")
    )
    own = identify_groups(kinds, stakes, as_of=as_of)
    assert partition(own) == {
        frozenset({"P", "A"}),
        frozenset({"Q", "B"}),
        frozenset({"J", "J1"}),
    }
    assert row(own, "J")["role"] == "joint_venture"
    both = identify_groups(kinds, stakes, as_of=as_of, policy=GroupPolicy(joint_control="both"))
    assert partition(both) == {
        frozenset({"P", "A", "J", "J1"}),
        frozenset({"Q", "B", "J", "J1"}),
        frozenset({"J", "J1"}),
    }
    in_p = row(both, "J1", "P")
    assert (in_p["basis"], in_p["path"], in_p["path_shares"]) == ("joint", "P > J > J1", "0.5 > 1")


def test_a_contested_firm_is_jointly_controlled() -> None:
    arrangements = pd.DataFrame(
        {"controller_id": ["B"], "controlled_id": ["X"], "kind": ["board_majority"]}
    )
    found = identify_groups(
        parties(A="corporate", B="corporate", X="corporate"),
        holdings(("A", "X", "0.6")),
        as_of=NEW_LAW,
        control_arrangements=arrangements,
    )
    assert partition(found) == {frozenset({"A"}), frozenset({"B"}), frozenset({"X"})}
    assert row(found, "X")["role"] == "joint_venture"


def test_manual_links_and_dependencies() -> None:
    kinds = parties(A="corporate", B="corporate", C="corporate")
    links = pd.DataFrame({"party_a": ["A"], "party_b": ["B"], "reason": ["same treasury"]})
    deps = pd.DataFrame({"party_a": ["B"], "party_b": ["C"], "reason": ["sole customer"]})
    found = identify_groups(kinds, holdings(), as_of=NEW_LAW, manual_links=links, dependencies=deps)
    assert partition(found) == {frozenset({"A", "B"}), frozenset({"C"})}
    assert row(found, "B")["basis"] == "manual"
    assert set(found["connected_group_id"]) == {"A"}


# ---------------------------------------------------------------- contract details
def test_every_party_appears_and_inputs_are_untouched() -> None:
    kinds = parties(P="person", A="corporate", Z="organisation")
    stakes = holdings(("P", "A", 0.7))
    before = stakes.copy()
    found = identify_groups(kinds, stakes, as_of="2025-12-31")
    pd.testing.assert_frame_equal(stakes, before)
    assert set(found["party_id"]) == {"P", "A", "Z"}
    assert list(found.columns) == [
        "party_id",
        "group_id",
        "role",
        "path",
        "path_shares",
        "basis",
        "connected_group_id",
    ]


def test_integer_party_ids() -> None:
    found = identify_groups(
        pd.DataFrame({"party_id": [3, 1, 2], "kind": ["person", "corporate", "corporate"]}),
        pd.DataFrame({"owner_id": [3, 1], "owned_id": [1, 2], "voting_share": ["51%", "1/2"]}),
        as_of=NEW_LAW,
    )
    assert group_of(found) == {1: 3, 2: 2, 3: 3}


@pytest.mark.parametrize(
    ("stakes", "rule", "column"),
    [
        (holdings(("P", "X", "0.6"), ("A", "X", "0.6")), "range", "equity_share"),
        (holdings(("P", "Y", "0.6")), "domain", "owned_id"),
        (holdings(("P", "X", "0.6"), ("P", "X", "0.1")), "duplicate_key", None),
        (holdings(("X", "X", "0.1")), "domain", "owned_id"),
        (holdings(("P", "X", "1.2")), "range", "equity_share"),
        (holdings(("P", "X", "1/3")), "precision", "equity_share"),
        (holdings(("P", "X", None)), "missing", "equity_share"),
    ],
)
def test_bad_holdings_raise_named_errors(
    stakes: pd.DataFrame, rule: str, column: str | None
) -> None:
    with pytest.raises(InputError) as info:
        identify_groups(parties(P="person", A="corporate", X="corporate"), stakes, as_of=NEW_LAW)
    assert info.value.rule == rule
    if column is not None:
        assert info.value.column == column


def test_bad_ties_and_ids_raise() -> None:
    kinds = parties(P="person", Q="person", A="corporate")
    with pytest.raises(InputError) as info:
        identify_groups(
            kinds,
            holdings(),
            as_of=NEW_LAW,
            person_ties=pd.DataFrame({"person_a": ["P"], "person_b": ["Q"], "relation": ["pal"]}),
        )
    assert (info.value.rule, info.value.column) == ("domain", "relation")
    with pytest.raises(InputError) as info:
        identify_groups(
            kinds,
            holdings(),
            as_of=NEW_LAW,
            person_ties=pd.DataFrame(
                {"person_a": ["P"], "person_b": ["A"], "relation": ["spouse"]}
            ),
        )
    assert (info.value.rule, info.value.column) == ("domain", "person_b")
    with pytest.raises(InputError) as info:
        identify_groups(
            kinds,
            pd.DataFrame({"owner_id": [1], "owned_id": [2], "equity_share": [0.6]}),
            as_of=NEW_LAW,
        )
    assert info.value.rule == "key_type"
    with pytest.raises(InputError) as info:
        identify_groups(kinds, holdings(), as_of="2005-12-31")
    assert (info.value.rule, info.value.column) == ("range", "as_of")


def test_the_policy_round_trips_and_rejects_nonsense() -> None:
    policy = GroupPolicy(joint_control="both", joint_venture_share=Decimal("0.4"))
    assert GroupPolicy.from_json(policy.to_json()) == policy
    from bankcrm.errors import PolicyError

    with pytest.raises(PolicyError):
        GroupPolicy(joint_control="neither")  # type: ignore[arg-type]
    with pytest.raises(PolicyError):
        GroupPolicy(control_rules=())


# ---------------------------------------------------------------- ultimate controllers
def test_ultimate_controllers_name_persons_families_and_the_state() -> None:
    from bankcrm.credit import ultimate_controllers

    ties = pd.DataFrame({"person_a": ["H"], "person_b": ["W"], "relation": ["spouse"]})
    found = ultimate_controllers(
        parties(
            H="person",
            W="person",
            S="government",
            A="corporate",
            B="corporate",
            C="corporate",
            D="corporate",
        ),
        holdings(("H", "A", "0.3"), ("W", "A", "0.3"), ("S", "B", "0.6"), ("B", "C", "0.6")),
        as_of=NEW_LAW,
        person_ties=ties,
    )
    by_party: dict[str, set[str]] = {}
    for party, controller in zip(found["party_id"], found["controller_id"], strict=True):
        by_party.setdefault(party, set())
        if isinstance(controller, str):
            by_party[party].add(controller)
    assert by_party["A"] == {"H", "W"}
    assert by_party["C"] == {"S"}
    assert by_party["D"] == set()
    kinds = dict(zip(found["party_id"], found["controller_kind"], strict=False))
    assert (kinds["A"], kinds["C"], kinds["D"]) == ("family", "state", "none")
    assert found.loc[found["party_id"] == "C", "path"].item() == "S > B > C"


def test_the_generators_state_groups_have_the_state_as_ultimate_controller() -> None:
    from bankcrm.credit import ultimate_controllers

    frames = generate_parties(100, seed=1)
    found = ultimate_controllers(
        frames.parties,
        frames.holdings,
        as_of=NEW_LAW,
        control_arrangements=frames.control_arrangements,
        person_ties=frames.person_ties,
    )
    truth = frames.groups.set_index("party_id")
    kinds = frames.parties.set_index("party_id")["kind"]
    for party, kind in zip(found["party_id"], found["controller_kind"], strict=True):
        role = truth.loc[party, "role"]
        if role == "controller":  # a person or family controlling its group
            assert kind in ("person", "family")
        if kinds[party] == "government":
            assert kind == "state"
    assert set(found["party_id"]) == set(frames.parties["party_id"])
    assert (found["controller_kind"] == "state").sum() > 4  # State-held groups found


def test_concert_parties_control_together_and_join_as_one() -> None:
    concert = pd.DataFrame({"party_id": ["A", "B"], "concert_id": ["k1", "k1"]})
    kinds = parties(P="person", A="corporate", B="corporate", X="corporate")
    found = identify_groups(
        kinds,
        holdings(("A", "X", "0.3"), ("B", "X", "0.3")),
        as_of=NEW_LAW,
        concert_parties=concert,
    )
    assert partition(found) == {frozenset({"A", "B", "X"}), frozenset({"P"})}
    assert row(found, "B")["basis"] == "concert"
    assert row(found, "X")["path_shares"] == "0.6"
    # A unit controlled from outside joins as a whole: B through A.
    outside = identify_groups(
        kinds, holdings(("P", "A", "0.6")), as_of=NEW_LAW, concert_parties=concert
    )
    assert partition(outside) == {frozenset({"P", "A", "B"}), frozenset({"X"})}
    assert group_of(outside)["B"] == "P"
    b = row(outside, "B")
    assert (b["path"], b["path_shares"], b["basis"]) == ("P > A > B", "0.6 > unit", "concert")
