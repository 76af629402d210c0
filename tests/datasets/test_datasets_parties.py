"""Parties: valid codes, exact shares, and true groups that follow control of more than 50 %."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import attrs
import pandas as pd
import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given, settings
from hypothesis import strategies as st

from bankcrm.credit import identify_groups
from bankcrm.datasets import (
    DEPENDENCY_REASONS,
    OFF_BALANCE_PRODUCTS,
    ON_BALANCE_PRODUCTS,
    PRODUCT_TYPES,
    PartyFrames,
    generate_parties,
)
from bankcrm.datasets._parties import make_uscc
from bankcrm.errors import InputError
from bankcrm.identity.checksums import org_code_check_char, ric_check_char, uscc_check_char
from bankcrm.identity.dispatch import is_valid_id

HALF = Decimal("0.5")
STATE_KINDS = {"government", "sovereign", "central_bank"}


class Control:
    """Who controls what, decided independently of the generator.

    A *unit* is a family (persons joined by ties) or a single other party. A unit controls a
    firm when the votes held by the unit and the firms it already controls sum to more than
    one half, or when it (or a firm it controls) has a control arrangement over the firm.
    """

    def __init__(self, frames: PartyFrames) -> None:
        self.kind = dict(zip(frames.parties["party_id"], frames.parties["kind"], strict=True))
        self.votes: dict[str, dict[str, Decimal]] = defaultdict(dict)
        self.owned_by: dict[str, set[str]] = defaultdict(set)
        for owner, owned, voting in zip(
            frames.holdings["owner_id"],
            frames.holdings["owned_id"],
            frames.holdings["voting_share"],
            strict=True,
        ):
            self.votes[owned][owner] = self.votes[owned].get(owner, Decimal(0)) + voting
            self.owned_by[owner].add(owned)
        self.arranged: dict[str, set[str]] = defaultdict(set)
        for controller, controlled in zip(
            frames.control_arrangements["controller_id"],
            frames.control_arrangements["controlled_id"],
            strict=True,
        ):
            self.arranged[controller].add(controlled)
        family_of = {p: {p} for p, k in self.kind.items() if k == "person"}
        for a, b in zip(
            frames.person_ties["person_a"], frames.person_ties["person_b"], strict=True
        ):
            merged = family_of[a] | family_of[b]
            for member in merged:
                family_of[member] = merged
        self.units = {frozenset(f) for f in family_of.values()} | {
            frozenset({p}) for p, k in self.kind.items() if k != "person"
        }

    def domain(self, unit: frozenset[str]) -> set[str]:
        """The unit's members and everything it controls."""
        held = set(unit)
        changed = True
        while changed:
            changed = False
            candidates = {f for h in held for f in self.owned_by[h] | self.arranged[h]} - held
            for firm in candidates:
                votes = sum((v for o, v in self.votes[firm].items() if o in held), Decimal(0))
                arranged = any(firm in self.arranged[h] for h in held)
                if votes > HALF or arranged:
                    held.add(firm)
                    changed = True
        return held


def _totals(holdings: pd.DataFrame, column: str) -> dict[str, Decimal]:
    """Exact total share per owned firm."""
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for owned, share in zip(holdings["owned_id"], holdings[column], strict=True):
        totals[owned] += share
    return totals


@pytest.fixture(scope="module")
def control(party_frames: PartyFrames) -> Control:
    return Control(party_frames)


@pytest.fixture(scope="module")
def group_of(party_frames: PartyFrames) -> dict[str, str]:
    return dict(zip(party_frames.groups["party_id"], party_frames.groups["group_id"], strict=True))


def test_every_party_has_exactly_one_true_group(party_frames: PartyFrames) -> None:
    groups = party_frames.groups
    assert groups["party_id"].is_unique
    assert set(groups["party_id"]) == set(party_frames.parties["party_id"])
    assert set(groups["role"]) == {
        "controller",
        "member",
        "joint_venture",
        "standalone",
        "family",
    }


def test_control_never_crosses_a_group(
    party_frames: PartyFrames, control: Control, group_of: dict[str, str]
) -> None:
    checked = 0
    for unit in control.units:
        if any(control.kind[p] in STATE_KINDS for p in unit):
            continue  # the State's control does not make one group
        domain = control.domain(unit)
        if len(domain) > len(unit):
            assert len({group_of[p] for p in domain}) == 1, sorted(unit)
            checked += 1
    assert checked > 50


def test_every_group_is_one_controllers_domain(
    party_frames: PartyFrames, control: Control, group_of: dict[str, str]
) -> None:
    members: dict[str, set[str]] = defaultdict(set)
    for party, group in group_of.items():
        members[group].add(party)
    # The State's domain is itself: its control does not make a group.
    domains = [
        set(u) if any(control.kind[p] in STATE_KINDS for p in u) else control.domain(u)
        for u in control.units
    ]
    by_group: dict[str, list[set[str]]] = defaultdict(list)
    for domain in domains:
        by_group[group_of[next(iter(domain))]].append(domain)
    for group, parties in members.items():
        assert any(domain == parties for domain in by_group[group]), group


def test_the_state_controls_several_groups(control: Control, group_of: dict[str, str]) -> None:
    spans = [
        len({group_of[p] for p in control.domain(u)} - {group_of[next(iter(u))]})
        for u in control.units
        if any(control.kind[p] == "government" for p in u)
    ]
    assert max(spans) >= 2


def test_joint_ventures_are_held_exactly_half_and_half(
    party_frames: PartyFrames, control: Control, group_of: dict[str, str]
) -> None:
    ventures = party_frames.groups.loc[party_frames.groups["role"] == "joint_venture", "party_id"]
    assert len(ventures) > 0
    for venture in ventures:
        votes = control.votes[venture]
        assert sorted(votes.values()) == [HALF, HALF]
        assert {group_of[o] for o in votes}.isdisjoint({group_of[venture]})


def test_a_family_holding_exactly_half_does_not_control(
    party_frames: PartyFrames, control: Control, group_of: dict[str, str]
) -> None:
    found = 0
    for unit in control.units:
        if len(unit) < 2:
            continue
        for firm in {f for p in unit for f in control.owned_by[p]}:
            total = sum((v for o, v in control.votes[firm].items() if o in unit), Decimal(0))
            if total == HALF:
                found += 1
                assert firm not in control.domain(unit)
                assert {group_of[p] for p in unit}.isdisjoint({group_of[firm]})
    assert found > 0


def test_shares_are_exact_and_add_up(party_frames: PartyFrames) -> None:
    holdings = party_frames.holdings
    for column in ("equity_share", "voting_share"):
        assert all(
            isinstance(v, Decimal) and Decimal(0) <= v <= Decimal(1) for v in holdings[column]
        )
        totals = _totals(holdings, column)
        assert all(t <= Decimal(1) for t in totals.values())
    assert (holdings["equity_share"] != holdings["voting_share"]).any()  # control ≠ ownership
    assert not (holdings["owner_id"] == holdings["owned_id"]).any()
    parties = set(party_frames.parties["party_id"])
    assert set(holdings["owner_id"]) <= parties
    assert set(holdings["owned_id"]) <= parties


def test_holdings_contain_cycles_and_chains(party_frames: PartyFrames, control: Control) -> None:
    pairs = set(
        zip(party_frames.holdings["owner_id"], party_frames.holdings["owned_id"], strict=True)
    )
    cycles = {(a, b) for a, b in pairs if (b, a) in pairs}
    assert cycles  # a subsidiary holding a little of its parent
    chained = [(a, b, c) for a, b in pairs for c in control.owned_by[b] if c != a]
    assert chained


def test_codes_are_valid(party_frames: PartyFrames) -> None:
    parties = party_frames.parties
    firms = parties[parties["kind"] != "person"]
    assert firms["uscc"].notna().all()
    assert firms["uscc"].is_unique
    for code in firms["uscc"]:
        assert uscc_check_char(code[:17]) == code[17]
        assert org_code_check_char(code[8:16]) == code[16]
        assert is_valid_id("USCC", code)
    assert set(firms["uscc"].str[0]) >= {"9", "1", "5", "N", "Y"}
    persons = parties[parties["kind"] == "person"]
    assert persons["uscc"].isna().all()
    assert persons["id_number"].is_unique
    assert all(ric_check_char(x[:17]) == x[17] for x in persons["id_number"])


def test_uscc_example() -> None:
    assert make_uscc("9", "1", 350100, "M000100Y") == "91350100M000100Y43"


def test_flags(party_frames: PartyFrames) -> None:
    parties = party_frames.parties
    assert set(parties.loc[parties["exempt"], "kind"]) == {"sovereign", "central_bank"}
    assert parties["gsib"].any()
    assert parties["interbank"].any()
    assert not (parties["gsib"] & ~parties["interbank"]).any()


def test_person_ties(party_frames: PartyFrames) -> None:
    ties = party_frames.person_ties
    kinds = dict(zip(party_frames.parties["party_id"], party_frames.parties["kind"], strict=True))
    assert set(ties["relation"]) == {"spouse", "parent_child", "sibling"}
    assert all(kinds[p] == "person" for p in pd.concat([ties["person_a"], ties["person_b"]]))


def test_facilities(party_frames: PartyFrames) -> None:
    facilities = party_frames.facilities
    assert set(facilities["product_type"]) <= set(PRODUCT_TYPES)
    assert set(facilities["party_id"]) <= set(party_frames.parties["party_id"])
    assert facilities["facility_id"].is_unique
    on = facilities["product_type"].isin(ON_BALANCE_PRODUCTS)
    assert (facilities["on_balance"] == on).all()
    assert facilities["product_type"].isin(OFF_BALANCE_PRODUCTS).any()
    assert (facilities.loc[~on, "drawn"] == 0).all()
    assert ((facilities["drawn"] >= 0) & (facilities["undrawn"] >= 0)).all()
    assert (facilities["provision"] <= facilities["drawn"]).all()
    assert (facilities["provision"] > 0).any()
    assert (facilities["maturity_date"] > pd.Timestamp("2025-12-31")).all()
    for start, maturity, months in zip(
        facilities["start_date"],
        facilities["maturity_date"],
        facilities["original_maturity"],
        strict=True,
    ):
        assert (maturity - relativedelta(months=int(months))).date() == start.date()
    assert set(facilities["currency"]) >= {"CNY", "USD"}


def test_guarantee_circles_are_cycles(party_frames: PartyFrames) -> None:
    guarantees = party_frames.guarantees
    assert set(guarantees["guarantor_id"]) | set(guarantees["obligor_id"]) <= set(
        party_frames.parties["party_id"]
    )
    circles = guarantees[guarantees["circle"] > 0]
    assert circles["circle"].nunique() >= 2
    for _, circle in circles.groupby("circle"):
        nxt = dict(zip(circle["guarantor_id"], circle["obligor_id"], strict=True))
        start = next(iter(nxt))
        seen, at = [start], nxt[start]
        while at != start:
            seen.append(at)
            at = nxt[at]
        assert len(seen) == len(circle) >= 3


def test_capital_is_sized_against_the_largest_group(
    party_frames: PartyFrames, group_of: dict[str, str]
) -> None:
    capital = party_frames.capital
    assert (capital["tier1_capital"] < capital["net_capital"]).all()
    assert capital["date"].is_monotonic_increasing
    assert len(capital) == 12
    facilities = party_frames.facilities
    nominal = (
        (facilities["drawn"] + facilities["undrawn"])
        .groupby(facilities["party_id"].map(group_of))
        .sum()
    )
    share = nominal.max() / capital["net_capital"].iloc[-1]
    assert 0.14 < share < 0.18


def test_same_seed_same_frames_other_seed_other_frames() -> None:
    a, b = generate_parties(10, seed=2), generate_parties(10, seed=2)
    for name in attrs.fields_dict(PartyFrames):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name))
    assert not a.holdings.equals(generate_parties(10, seed=3).holdings)


@settings(max_examples=15)
@given(n=st.integers(0, 12), seed=st.integers(0, 2**32 - 1), standalone=st.integers(0, 10))
def test_small_worlds_keep_their_invariants(n: int, seed: int, standalone: int) -> None:
    frames = generate_parties(n, seed=seed, n_standalone=standalone)
    control = Control(frames)
    group_of = dict(zip(frames.groups["party_id"], frames.groups["group_id"], strict=True))
    for unit in control.units:
        if not any(control.kind[p] in STATE_KINDS for p in unit):
            domain = control.domain(unit)
            if len(domain) > len(unit):
                assert len({group_of[p] for p in domain}) == 1
    assert all(t <= Decimal(1) for t in _totals(frames.holdings, "equity_share").values())


# ------------------------------------------------ vectorised identities, the knob, dependencies
def partition(frame: pd.DataFrame, column: str = "group_id") -> set[frozenset[str]]:
    return set(frame.groupby(column)["party_id"].agg(frozenset))


def test_credit_codes_are_make_uscc_of_their_parts(party_frames: PartyFrames) -> None:
    codes = party_frames.parties["uscc"].dropna()
    assert len(codes) > 500
    for code in codes:
        assert make_uscc(code[0], code[1], int(code[2:8]), code[8:16]) == code


def test_persons_are_born_in_the_twentieth_century(party_frames: PartyFrames) -> None:
    persons = party_frames.parties[party_frames.parties["kind"] == "person"]
    born = persons["id_number"].str[6:10].astype(int)
    assert born.between(1940, 2015).all()
    assert born.nunique() > 20


def test_every_frame_is_deterministic_and_the_knob_only_adds_holdings() -> None:
    plain = generate_parties(40, seed=7)
    again = generate_parties(40, seed=7, minority_stakes_per_firm=0)
    staked = generate_parties(40, seed=7, minority_stakes_per_firm=2.5)
    staked_again = generate_parties(40, seed=7, minority_stakes_per_firm=2.5)
    for name in attrs.fields_dict(PartyFrames):
        pd.testing.assert_frame_equal(getattr(plain, name), getattr(again, name))
        pd.testing.assert_frame_equal(getattr(staked, name), getattr(staked_again, name))
        if name != "holdings":
            pd.testing.assert_frame_equal(getattr(plain, name), getattr(staked, name))
    n = len(plain.holdings)
    pd.testing.assert_frame_equal(staked.holdings.iloc[:n], plain.holdings)
    assert len(staked.holdings) > 2 * n


def test_minority_stakes_reach_two_holdings_per_party_and_never_control() -> None:
    frames = generate_parties(300, seed=5, minority_stakes_per_firm=3.0)
    assert len(frames.holdings) >= 2 * len(frames.parties)
    pairs = frames.holdings[["owner_id", "owned_id"]]
    assert not pairs.duplicated().any()
    for column in ("equity_share", "voting_share"):
        assert all(t <= Decimal(1) for t in _totals(frames.holdings, column).values())
    control = Control(frames)
    group_of = dict(zip(frames.groups["party_id"], frames.groups["group_id"], strict=True))
    for unit in control.units:
        if not any(control.kind[p] in STATE_KINDS for p in unit):
            assert len({group_of[p] for p in control.domain(unit)}) == 1


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_identify_groups_still_finds_the_truth_with_many_minority_stakes(seed: int) -> None:
    frames = generate_parties(150, seed=seed, minority_stakes_per_firm=3.0)
    found = identify_groups(
        frames.parties,
        frames.holdings,
        as_of="2025-12-31",
        control_arrangements=frames.control_arrangements,
        person_ties=frames.person_ties,
    )
    assert partition(found) == partition(frames.groups)


def test_minority_stakes_per_firm_is_checked() -> None:
    for bad in (-0.5, float("nan"), "1", True):
        with pytest.raises(InputError):
            generate_parties(3, seed=1, minority_stakes_per_firm=bad)  # type: ignore[arg-type]


def test_dependencies_join_firms_of_different_groups(party_frames: PartyFrames) -> None:
    dependencies = party_frames.dependencies
    assert list(dependencies.columns) == ["party_a", "party_b", "reason"]
    assert set(dependencies["reason"]) == set(DEPENDENCY_REASONS)
    group_of = dict(
        zip(party_frames.groups["party_id"], party_frames.groups["group_id"], strict=True)
    )
    kind = dict(zip(party_frames.parties["party_id"], party_frames.parties["kind"], strict=True))
    for a, b in zip(dependencies["party_a"], dependencies["party_b"], strict=True):
        assert group_of[a] != group_of[b]
        assert {kind[a], kind[b]} <= {"corporate", "organisation"}
    connected = party_frames.connected_groups
    assert set(connected["group_id"]) == set(party_frames.groups["group_id"])
    assert connected["group_id"].is_unique
    joined = connected[connected["group_id"] != connected["connected_group_id"]]
    assert len(joined) >= 5
    # The connected id is the smallest group id of its component and names a member group.
    assert (connected["connected_group_id"] <= connected["group_id"]).all()
    assert set(joined["connected_group_id"]) <= set(connected["group_id"])


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_identify_groups_connects_the_dependent_groups_as_the_truth(seed: int) -> None:
    frames = generate_parties(200, seed=seed, minority_stakes_per_firm=1.0)
    found = identify_groups(
        frames.parties,
        frames.holdings,
        as_of="2025-12-31",
        control_arrangements=frames.control_arrangements,
        person_ties=frames.person_ties,
        dependencies=frames.dependencies,
    )
    truth = frames.groups.merge(frames.connected_groups, on="group_id", validate="many_to_one")
    assert truth["connected_group_id"].nunique() < truth["group_id"].nunique()
    assert partition(found, "connected_group_id") == partition(truth, "connected_group_id")
    # Without the dependencies the connected groups are the groups themselves.
    alone = identify_groups(
        frames.parties,
        frames.holdings,
        as_of="2025-12-31",
        control_arrangements=frames.control_arrangements,
        person_ties=frames.person_ties,
    )
    assert partition(alone, "connected_group_id") == partition(frames.groups)


def test_a_larger_world_has_its_shape() -> None:
    """A size smoke (not timed): two holdings per party at a few thousand groups."""
    frames = generate_parties(2_000, seed=9, minority_stakes_per_firm=3.0)
    assert 20_000 < len(frames.parties) < 30_000
    assert len(frames.holdings) >= 2 * len(frames.parties)
    assert frames.parties["party_id"].is_unique
    assert frames.parties["uscc"].dropna().is_unique
    assert frames.parties["id_number"].dropna().is_unique
    assert set(frames.groups["party_id"]) == set(frames.parties["party_id"])
    assert len(frames.dependencies) > 100
