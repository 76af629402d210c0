"""membership_timeline: replayed history, one row per change, prefix-stable and order-free."""

from __future__ import annotations

import datetime as dt
import heapq
from typing import Any

import attrs
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bankcrm.calendar import WeekdayCalendar
from bankcrm.errors import InputError
from bankcrm.membership import (
    ReviewSchedule,
    Tier,
    TierLadder,
    evaluate_tiers,
    membership_timeline,
    presets,
    review_dates,
)
from bankcrm.membership._replay import decision_days
from bankcrm.membership.timeline import EVENTS
from bankcrm.policy import read_provenance
from bankcrm.ratios import Threshold

EB = presets.EVERBRIGHT
WEEKDAYS = WeekdayCalendar()
STATE = ["tier", "status", "valid_until", "since", "notified_on", "periods_below"]

#: A second bank's ladder: monthly decisions, watch, downgrade after three months below.
SECOND = TierLadder(
    name="second_bank.ladder",
    version="7",
    effective_date=dt.date(2026, 1, 1),
    calendar="weekday",
    tiers=(
        Tier(tier_id="mass", label_en="Mass", label_zh="大众客户"),
        Tier(
            tier_id="gold",
            label_en="Gold",
            label_zh="金卡客户",
            metric="total_assets",
            window="month",
            entry=Threshold(500_000, "以上"),
            downgrade_after=3,
            watch=True,
            review=ReviewSchedule(decided_at="as_of"),
        ),
        Tier(
            tier_id="private",
            label_en="Private",
            label_zh="私人银行客户",
            metric="total_assets",
            window="month",
            entry=Threshold(10_000_000, "以上"),
            downgrade_after=3,
            watch=True,
            review=ReviewSchedule(decided_at="as_of"),
        ),
    ),
)


def _yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def _bank(
    holdings: dict[str, tuple[str, list[tuple[str, int]]]],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One CNY account per customer: ``{customer: (asset_class, [(date, fen), ...])}``."""
    customers = list(holdings)
    accounts = pd.DataFrame(
        {
            "account_id": np.arange(1, len(customers) + 1),
            "customer_id": customers,
            "asset_class": [holdings[c][0] for c in customers],
            "currency": ["CNY"] * len(customers),
            "opened_on": pd.to_datetime(["2020-01-01"] * len(customers)),
        }
    )
    rows = [
        (k + 1, pd.Timestamp(day), _yuan(fen))
        for k, c in enumerate(customers)
        for day, fen in holdings[c][1]
    ]
    return accounts, pd.DataFrame(rows, columns=["account_id", "date", "balance"])


def _table(frame: pd.DataFrame, columns: list[str]) -> list[tuple[Any, ...]]:
    """Rows of ``columns`` as tuples, dates as ISO text."""
    out = frame[columns].copy()
    for name in columns:
        if pd.api.types.is_datetime64_any_dtype(out[name]):
            out[name] = out[name].dt.strftime("%Y-%m-%d")
    return list(out.itertuples(index=False, name=None))


def _pinned() -> tuple[pd.DataFrame, pd.DataFrame]:
    """``t`` holds a trust (AUM, not financial assets): 5 M, 15 M in 2025 H2, 5 M in 2026;
    ``r`` a trust of 15 M from July 2025; ``w`` a demand deposit of RMB 2 M."""
    return _bank(
        {
            "r": ("trust", [("2025-01-01", 5_000_000_00), ("2025-07-01", 15_000_000_00)]),
            "t": (
                "trust",
                [
                    ("2025-01-01", 5_000_000_00),
                    ("2025-07-01", 15_000_000_00),
                    ("2026-01-01", 5_000_000_00),
                ],
            ),
            "w": ("demand_deposit", [("2025-01-01", 2_000_000_00)]),
        }
    )


# ---------------------------------------------------------------- pinned examples
def test_joins_the_club_on_4_january_then_watch_and_lapse_or_renewal_in_july() -> None:
    accounts, balances = _pinned()
    out = membership_timeline(accounts, balances, EB, start="2025-12-01", as_of="2026-07-31")
    club = out[out["customer_id"].isin(["r", "t"])]
    got = _table(club, ["customer_id", "date", "event", "tier_from", "tier", "status"])
    assert got == [
        ("r", "2026-01-04", "join", "standard", "sunshine_club", "qualified"),
        ("t", "2026-01-04", "join", "standard", "sunshine_club", "qualified"),
        ("r", "2026-07-01", "renew", "sunshine_club", "sunshine_club", "qualified"),
        ("t", "2026-07-01", "watch", "sunshine_club", "sunshine_club", "watch"),
        ("t", "2026-07-05", "lapse", "sunshine_club", "standard", "lapsed"),
    ]
    joined = club.iloc[1]
    assert joined["valid_until"] == pd.Timestamp("2026-07-04")  # 4 Jan + 6 months
    assert joined["balance_days_fen"] == 15_000_000_00 * 184
    assert joined["window_start"] == pd.Timestamp("2025-07-01")
    assert joined["threshold_fen"] == 10_000_000_00
    assert joined["reason"].startswith("sunshine_club entry met: aum daily average 15000000.00")
    renewed = club.iloc[2]
    assert renewed["valid_until"] == pd.Timestamp("2027-01-01")
    watch = club.iloc[3]
    assert watch["valid_until"] == pd.Timestamp("2026-07-04")  # keep_validity
    assert watch["balance_days_fen"] == 5_000_000_00 * 181
    assert "retention not met" in watch["reason"]
    # the wealth client: joins at the opening evaluation (November), renewed every month end
    wealth = out[out["customer_id"] == "w"]
    assert wealth["event"].tolist() == ["join"] + ["renew"] * 8
    assert wealth["date"].dt.date.tolist()[:3] == [
        dt.date(2025, 12, 1),
        dt.date(2025, 12, 31),
        dt.date(2026, 1, 31),
    ]
    assert set(out["event"]) <= set(EVENTS)
    record = read_provenance(out)[0]
    assert record.policy_name == EB.name
    assert record.as_of == dt.date(2026, 7, 31)


def test_equals_evaluate_tiers_chained_every_day() -> None:
    """The decision points are complete: chaining evaluate_tiers on every single day gives the
    same final state and the same changes."""
    accounts, balances = _pinned()
    start, end = dt.date(2025, 12, 1), dt.date(2026, 7, 31)
    out = membership_timeline(accounts, balances, EB, start=start, as_of=end, calendar=WEEKDAYS)
    states = None
    seen: list[tuple[Any, ...]] = []
    day = start
    while day <= end:
        result = evaluate_tiers(accounts, balances, EB, as_of=day, states=states, calendar=WEEKDAYS)
        previous = states
        if previous is None:
            joined = result[result["tier"] != "standard"]
            seen += [(c, day.isoformat(), t) for c, t in _table(joined, ["customer_id", "tier"])]
        else:
            moved = (result["tier"] != previous["tier"]) | (result["status"] != previous["status"])
            rows = _table(result[moved], ["customer_id", "tier"])
            seen += [(c, day.isoformat(), t) for c, t in rows]
        states = result
        day += dt.timedelta(days=1)
    assert states is not None
    final = out.drop_duplicates("customer_id", keep="last").set_index("customer_id")
    want = states.set_index("customer_id").loc[final.index, STATE]
    pd.testing.assert_frame_equal(final[STATE], want, check_dtype=False)
    changes = out[
        (out["tier"] != out["tier_from"].fillna("standard"))
        | out["event"].isin(["watch", "lapse", "downgrade"])
    ]
    got = _table(changes, ["customer_id", "date", "tier"])
    assert sorted(got) == sorted(seen)


def test_empty_timeline_and_bad_dates() -> None:
    accounts, balances = _bank({"a": ("demand_deposit", [("2025-01-01", 100)])})
    out = membership_timeline(accounts, balances, EB, start="2026-02-01", as_of="2026-02-01")
    assert len(out) == 0
    assert list(out.columns)[:4] == ["customer_id", "date", "event", "tier_from"]
    with pytest.raises(InputError) as err:
        membership_timeline(accounts, balances, EB, start="2026-02-01", as_of="2026-01-01")
    assert err.value.rule == "date_order"
    with pytest.raises(InputError) as err:
        membership_timeline(accounts, balances, EB, start="2026-02-01 10:00", as_of="2026-03-01")
    assert err.value.rule == "date"


def test_decision_points_come_from_the_ladder() -> None:
    days = decision_days(EB, dt.date(2025, 12, 15), dt.date(2026, 3, 31), WEEKDAYS)
    # club reviews (1 Jan on weekdays), wealth month ends; start itself is not listed
    assert days == [
        dt.date(2025, 12, 31),
        dt.date(2026, 1, 1),
        dt.date(2026, 1, 31),
        dt.date(2026, 2, 28),
        dt.date(2026, 3, 31),
    ]
    quarterly = attrs.evolve(
        SECOND,
        tiers=(SECOND.tiers[0], attrs.evolve(SECOND.tiers[1], window="quarter"), SECOND.tiers[2]),
    )
    q = decision_days(quarterly, dt.date(2026, 1, 1), dt.date(2026, 6, 30), WEEKDAYS)
    assert q == [
        dt.date(2026, m, d) for m, d in ((1, 31), (2, 28), (3, 31), (4, 30), (5, 31), (6, 30))
    ]
    club_only = review_dates("2026-01-01", "2026-12-31", ladder=EB)
    assert set(club_only["review_date"].dt.date[club_only["tier"] == "sunshine_club"]) <= set(
        decision_days(EB, dt.date(2025, 12, 31), dt.date(2026, 12, 31), EB.business_calendar())
    )


def test_states_before_start_and_second_bank_watch_then_downgrade() -> None:
    accounts, balances = _bank(
        {"g": ("demand_deposit", [("2025-01-01", 600_000_00), ("2026-02-01", 100_000_00)])}
    )
    out = membership_timeline(accounts, balances, SECOND, start="2026-01-31", as_of="2026-06-30")
    got = _table(out, ["date", "event", "tier", "status", "periods_below"])
    assert got == [
        ("2026-01-31", "join", "gold", "qualified", 0),
        ("2026-02-28", "watch", "gold", "watch", 1),
        ("2026-03-31", "watch", "gold", "watch", 2),
        ("2026-04-30", "downgrade", "mass", "downgraded", 0),
    ]
    # the state at 31 January fed in as states: the rest of the story, without the join
    states = evaluate_tiers(accounts, balances, SECOND, as_of="2026-01-31")
    rest = membership_timeline(
        accounts, balances, SECOND, start="2026-02-28", as_of="2026-06-30", states=states
    )
    assert rest["event"].tolist() == ["watch", "watch", "downgrade"]


# ---------------------------------------------------------------- properties
LEVELS = [0, 1_000_000_00, 5_000_000_00, 9_999_999_99, 10_000_000_00, 20_000_000_00]


@st.composite
def small_bank(draw: st.DrawFn) -> tuple[pd.DataFrame, pd.DataFrame]:
    n = draw(st.integers(1, 4))
    customers = [draw(st.sampled_from(["a", "b", "c"])) for _ in range(n)]
    accounts = pd.DataFrame(
        {
            "account_id": np.arange(1, n + 1),
            "customer_id": customers,
            "asset_class": [draw(st.sampled_from(["demand_deposit", "trust"])) for _ in range(n)],
            "currency": ["CNY"] * n,
            "opened_on": pd.to_datetime(["2020-01-01"] * n),
        }
    )
    rows = []
    for k in range(1, n + 1):
        days = sorted(draw(st.sets(st.integers(0, 700), max_size=4)) | {0})
        for d in days:
            fen = draw(st.sampled_from(LEVELS)) + draw(st.integers(-1, 1))
            day = dt.date(2025, 1, 1) + dt.timedelta(days=d)
            rows.append((k, pd.Timestamp(day), _yuan(max(fen, 0))))
    return accounts, pd.DataFrame(rows, columns=["account_id", "date", "balance"])


#: SECOND with a two-month transition on gold: the transition's end is a decision point too.
TRANSITION = attrs.evolve(
    SECOND,
    tiers=(
        SECOND.tiers[0],
        attrs.evolve(SECOND.tiers[1], downgrade_after=1, transition_months=2),
        SECOND.tiers[2],
    ),
)
LADDERS = st.sampled_from([EB, SECOND, TRANSITION])
START = dt.date(2025, 7, 1)
END = dt.date(2026, 12, 31)


def _chain_by_hand(
    accounts: pd.DataFrame, balances: pd.DataFrame, ladder: TierLadder, start: dt.date, end: dt.date
) -> pd.DataFrame:
    """evaluate_tiers at start, every review, every month end and the day after every
    validity, each result fed into the next."""
    points = {start}
    reviews = review_dates(start, end, ladder=ladder, calendar=WEEKDAYS)
    points |= set(reviews["review_date"].dt.date)
    day = start
    while day <= end:
        if (day + dt.timedelta(days=1)).day == 1:
            points.add(day)
        day += dt.timedelta(days=1)
    queue = sorted(points)
    heapq.heapify(queue)
    done: set[dt.date] = set()
    states: Any = None
    while queue:
        day = heapq.heappop(queue)
        if day in done:
            continue
        done.add(day)
        states = evaluate_tiers(
            accounts, balances, ladder, as_of=day, states=states, calendar=WEEKDAYS
        )
        for valid in states["valid_until"].dropna().dt.date:
            lapse = valid + dt.timedelta(days=1)
            if day < lapse <= end and lapse not in done:
                heapq.heappush(queue, lapse)
    assert isinstance(states, pd.DataFrame)
    return states


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_bank(), LADDERS, st.integers(0, 500), st.randoms(use_true_random=False))
def test_prefix_stable_chain_equal_order_free_and_pure(
    bank: tuple[pd.DataFrame, pd.DataFrame], ladder: TierLadder, cut: int, rnd: Any
) -> None:
    accounts, balances = bank
    kept = (accounts.copy(), balances.copy())
    full = membership_timeline(
        accounts, balances, ladder, start=START, as_of=END, calendar=WEEKDAYS
    )
    # inputs not mutated
    pd.testing.assert_frame_equal(accounts, kept[0])
    pd.testing.assert_frame_equal(balances, kept[1])
    # re-run as of an earlier day: exactly the events dated on or before it
    past = START + dt.timedelta(days=cut)
    earlier = membership_timeline(
        accounts, balances, ladder, start=START, as_of=past, calendar=WEEKDAYS
    )
    prefix = full[full["date"] <= pd.Timestamp(past)].reset_index(drop=True)
    pd.testing.assert_frame_equal(earlier, prefix, check_dtype=False)
    # the final state equals evaluate_tiers chained by hand
    by_hand = _chain_by_hand(accounts, balances, ladder, START, END).set_index("customer_id")
    last = full.drop_duplicates("customer_id", keep="last").set_index("customer_id")
    for customer, row in by_hand.iterrows():
        if customer in last.index:
            mine = last.loc[str(customer)]
            assert (mine["tier"], mine["status"]) == (row["tier"], row["status"])
            if row["tier"] != ladder.tier_ids[0]:
                for name in STATE[2:]:
                    assert str(mine[name]) == str(row[name]), name
        else:  # no event: never left the base tier
            assert row["tier"] == ladder.tier_ids[0]
    # row order does not matter
    shuffled = membership_timeline(
        accounts.sample(frac=1, random_state=rnd.randint(0, 999)),
        balances.sample(frac=1, random_state=rnd.randint(0, 999)),
        ladder,
        start=START,
        as_of=END,
        calendar=WEEKDAYS,
    )
    pd.testing.assert_frame_equal(shuffled, full)
    assert set(full["event"]) <= set(EVENTS)
    assert (full["date"] >= pd.Timestamp(START)).all()
    assert (full["date"] <= pd.Timestamp(END)).all()


def test_a_transition_ends_on_its_own_decision_point() -> None:
    """Gold with a two-month transition: below in February, kept on watch to 27 April, and
    downgraded on 28 April — a day no review or month end decides, found from the state."""
    accounts, balances = _bank(
        {"g": ("demand_deposit", [("2025-01-01", 600_000_00), ("2026-02-01", 100_000_00)])}
    )
    out = membership_timeline(
        accounts, balances, TRANSITION, start="2026-01-31", as_of="2026-06-30"
    )
    assert _table(out, ["date", "event", "tier", "status", "periods_below"]) == [
        ("2026-01-31", "join", "gold", "qualified", 0),
        ("2026-02-28", "watch", "gold", "watch", 1),
        ("2026-03-31", "watch", "gold", "watch", 2),
        ("2026-04-28", "downgrade", "mass", "downgraded", 0),
    ]
    assert out["valid_until"].iloc[1] == pd.Timestamp("2026-04-27")
