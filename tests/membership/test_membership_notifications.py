"""review_notifications: who joins, renews or leaves at the next review, with an exact shortfall."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bankcrm.calendar import WeekdayCalendar
from bankcrm.errors import InputError
from bankcrm.membership import evaluate_tiers, presets, review_notifications
from bankcrm.membership.notifications import CHANGES
from bankcrm.policy import read_provenance

EB = presets.EVERBRIGHT
WEEKDAYS = WeekdayCalendar()
AS_OF = dt.date(2025, 10, 15)  # next club review: 4 January 2026; 77 days of 2025 H2 remain


def _yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def _bank(
    holdings: list[tuple[str, str, list[tuple[str, int]]]], currency: str = "CNY"
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One account per entry: ``(customer, asset_class, [(date, fen), ...])``."""
    accounts = pd.DataFrame(
        {
            "account_id": np.arange(1, len(holdings) + 1),
            "customer_id": [h[0] for h in holdings],
            "asset_class": [h[1] for h in holdings],
            "currency": [currency] * len(holdings),
            "opened_on": pd.to_datetime(["2020-01-01"] * len(holdings)),
        }
    )
    rows = [
        (k + 1, pd.Timestamp(day), _yuan(fen)) for k, h in enumerate(holdings) for day, fen in h[2]
    ]
    return accounts, pd.DataFrame(rows, columns=["account_id", "date", "balance"])


M = 1_000_000_00  # RMB 1 M in fen

HOLDINGS = [
    # joins: 15 M of AUM since July
    ("j", "trust", [("2025-01-01", 5 * M), ("2025-07-01", 15 * M)]),
    # a wealth client (2 M financial assets) with 8 M of AUM: on the list as a prospect
    ("s", "demand_deposit", [("2025-01-01", 2 * M)]),
    ("s", "trust", [("2025-01-01", 6 * M)]),
    # a member since the July 2025 review, still at 12 M
    ("m", "trust", [("2025-01-01", 12 * M)]),
    # a member since July who fell to 1 M in August
    ("l", "trust", [("2025-01-01", 12 * M), ("2025-08-01", 1 * M)]),
    # stays in the base tier: not on the list
    ("b", "trust", [("2025-01-01", 1 * M)]),
]


def _row(frame: pd.DataFrame, customer: str) -> pd.Series[Any]:
    rows = frame[frame["customer_id"] == customer]
    assert len(rows) == 1
    return rows.iloc[0]


# ---------------------------------------------------------------- pinned examples
def test_the_list_before_the_january_2026_club_review() -> None:
    accounts, balances = _bank(HOLDINGS)
    out = review_notifications(accounts, balances, EB, as_of=AS_OF)
    assert out["customer_id"].tolist() == ["j", "l", "m", "s"]  # b stays standard
    assert (out["review_date"] == pd.Timestamp("2026-01-04")).all()
    assert (out["review_tier"] == "sunshine_club").all()
    assert (out["days"] == 184).all()
    assert (out["days_remaining"] == 77).all()  # 16 Oct .. 31 Dec
    changes = dict(zip(out["customer_id"], out["change"], strict=True))
    # m's validity (1 Jan) ends before the 4 January review: EVERBRIGHT holds it to that
    # review (validity_end="next_review"), which renews it
    assert changes == {"j": "join", "l": "leave", "m": "renew", "s": "none"}
    j = _row(out, "j")
    assert (j["tier_now"], j["tier_at_review"], j["status"]) == (
        "standard",
        "sunshine_club",
        "qualified",
    )
    assert j["balance_days_fen"] == (5 * M * 0 + 15 * M) * 184  # July..December projected
    assert j["shortfall_fen"] == 0
    assert j["met"]
    assert j["valid_until"] == pd.Timestamp("2026-07-04")
    s = _row(out, "s")
    assert (s["tier_now"], s["tier_at_review"], s["threshold_kind"]) == (
        "wealth",
        "wealth",
        "entry",
    )
    assert s["balance_days_fen"] == 8 * M * 184
    # (10 M - 8 M) × 184 days = 36,800,000,000 fen-days over 77 days: 477,922,077.9 → up
    assert s["shortfall_fen"] == 477_922_078
    assert "not met" in s["reason"]
    assert "77 after 2025-10-15 projected" in s["reason"]
    leave = _row(out, "l")
    # held past its 1 January validity, then the review downgrades it (no lapse in between)
    assert (leave["tier_now"], leave["tier_at_review"], leave["status"]) == (
        "sunshine_club",
        "standard",
        "downgraded",
    )
    assert leave["balance_days_fen"] == 12 * M * 31 + 1 * M * 153
    assert leave["shortfall_fen"] == -(-(10 * M * 184 - (12 * M * 31 + 1 * M * 153)) // 77)
    assert leave["shortfall_fen"] == 1_707_792_208
    record = read_provenance(out)[0]
    assert record.policy_name == EB.name
    assert record.as_of == AS_OF


def test_the_shortfall_is_exact_end_to_end() -> None:
    """Holding the shortfall more from the day after as_of meets the entry; one fen less
    does not."""
    accounts, balances = _bank(HOLDINGS)
    x = int(_row(review_notifications(accounts, balances, EB, as_of=AS_OF), "s")["shortfall_fen"])
    for extra, club in ((x, True), (x - 1, False)):
        more = pd.concat(
            [
                balances,
                pd.DataFrame(
                    {
                        "account_id": [3],  # s's trust
                        "date": [pd.Timestamp("2025-10-16")],
                        "balance": [_yuan(6 * M + extra)],
                    }
                ),
            ],
            ignore_index=True,
        )
        at_review = evaluate_tiers(accounts, more, EB, as_of="2026-01-04")
        tier = at_review.set_index("customer_id").loc["s", "tier"]
        assert (tier == "sunshine_club") is club


def test_weekday_review_on_the_validity_end_shows_watch() -> None:
    """On weekdays the review is 1 January, the last day of the July members' validity: the
    member who fell is on watch (kept by the validity), the one who held is renewed."""
    accounts, balances = _bank(HOLDINGS)
    out = review_notifications(accounts, balances, EB, as_of=AS_OF, calendar=WEEKDAYS)
    assert out["review_date"].iloc[0] == pd.Timestamp("2026-01-01")
    leave, stay = _row(out, "l"), _row(out, "m")
    assert (leave["change"], leave["status"], leave["threshold_kind"]) == (
        "watch",
        "watch",
        "retention",
    )
    assert leave["valid_until"] == pd.Timestamp("2026-01-01")
    assert (stay["change"], stay["valid_until"]) == ("renew", pd.Timestamp("2026-07-01"))


def test_no_days_left_gives_no_shortfall_and_states_are_used() -> None:
    accounts, balances = _bank(HOLDINGS)
    out = review_notifications(accounts, balances, EB, as_of="2025-12-31")
    s = _row(out, "s")
    assert s["days_remaining"] == 0
    assert pd.isna(s["shortfall_fen"])
    assert _row(out, "j")["shortfall_fen"] == 0
    # previous states: feeding the state at as_of gives the same list
    states = evaluate_tiers(accounts, balances, EB, as_of="2025-12-31")
    again = review_notifications(accounts, balances, EB, as_of="2025-12-31", states=states)
    pd.testing.assert_frame_equal(again, out)


def test_one_tier_the_monthly_wealth_decision() -> None:
    accounts, balances = _bank(HOLDINGS)
    out = review_notifications(accounts, balances, EB, as_of=AS_OF, tier="wealth")
    assert (out["review_date"] == pd.Timestamp("2025-10-31")).all()
    assert (out["days_remaining"] == 16).all()
    s = _row(out, "s")
    assert (s["change"], s["threshold_kind"], s["shortfall_fen"]) == ("renew", "retention", 0)
    assert "j" not in set(out["customer_id"])  # stays standard for the wealth tier
    # a club member holding trusts only: no financial assets; 1 M × 31 days over 16 days
    club = _row(out, "l")
    assert (club["change"], club["tier_now"], club["tier_at_review"]) == (
        "none",
        "sunshine_club",
        "sunshine_club",
    )
    assert club["shortfall_fen"] == -(-(1 * M * 31) // 16) == 193_750_000


def test_projected_foreign_days_use_the_latest_rate_known_at_as_of() -> None:
    accounts, balances = _bank([("u", "trust", [("2025-01-01", 1_500_000_00)])], currency="USD")
    fx = pd.DataFrame(
        {
            "currency": ["USD", "USD"],
            "date": pd.to_datetime(["2025-01-01", "2025-10-20"]),  # the second is after as_of
            "rate": ["7", "8"],
        }
    )
    out = review_notifications(accounts, balances, EB, as_of=AS_OF, fx_rates=fx)
    u = _row(out, "u")
    assert u["balance_days_fen"] == 1_500_000_00 * 7 * 184  # 10.5 M RMB every day, at 7
    assert u["change"] == "renew"  # a member since the July 2025 review


def test_errors() -> None:
    accounts, balances = _bank(HOLDINGS)
    with pytest.raises(InputError) as err:
        review_notifications(accounts, balances, EB, as_of="2025-07-31")  # rows of August
    assert err.value.rule == "after_as_of"
    assert err.value.column == "date"
    with pytest.raises(InputError) as err:
        review_notifications(accounts, balances, EB, as_of=AS_OF, tier="standard")
    assert err.value.rule == "domain"
    with pytest.raises(InputError) as err:
        review_notifications(accounts, balances, EB, as_of=AS_OF, tier="platinum")
    assert err.value.rule == "domain"
    with pytest.raises(InputError) as err:
        review_notifications(accounts, balances, EB, as_of="2025-10-15T09:00")
    assert err.value.rule == "date"


# ---------------------------------------------------------------- properties
@st.composite
def trust_holders(draw: st.DrawFn) -> tuple[pd.DataFrame, pd.DataFrame, dt.date]:
    """Customers with a 1.5 M demand deposit (wealth clients: listed) and a trust account of
    a few snapshots before as_of."""
    as_of = dt.date(2025, 7, 1) + dt.timedelta(days=draw(st.integers(1, 182)))
    n = draw(st.integers(1, 3))
    holdings = []
    for k in range(n):
        customer = f"c{k}"
        days = sorted(draw(st.sets(st.integers(1, (as_of - dt.date(2025, 1, 1)).days), max_size=3)))
        levels = [draw(st.integers(0, 14 * M)) for _ in range(len(days) + 1)]
        points = [("2025-01-01", levels[0])] + [
            ((dt.date(2025, 1, 1) + dt.timedelta(days=d)).isoformat(), v)
            for d, v in zip(days, levels[1:], strict=True)
        ]
        holdings += [
            (customer, "demand_deposit", [("2025-01-01", 150 * M // 100)]),
            (customer, "trust", points),
        ]
    accounts, balances = _bank(holdings)
    return accounts, balances, as_of


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(trust_holders(), st.randoms(use_true_random=False))
def test_shortfall_is_the_least_that_meets_and_order_is_free(
    bank: tuple[pd.DataFrame, pd.DataFrame, dt.date], rnd: Any
) -> None:
    accounts, balances, as_of = bank
    kept = balances.copy()
    out = review_notifications(accounts, balances, EB, as_of=as_of, calendar=WEEKDAYS)
    pd.testing.assert_frame_equal(balances, kept)
    assert set(out["change"]) <= set(CHANGES)
    assert set(out["customer_id"]) == set(accounts["customer_id"])  # every one is a wealth client
    records: list[dict[str, Any]] = out.to_dict("records")  # type: ignore[assignment]
    for row in records:
        x = row["shortfall_fen"]
        assert x is not pd.NA
        assert (x == 0) == row["met"]
        if row["met"]:
            continue
        remaining = int(row["days_remaining"])
        total, days = int(row["balance_days_fen"]), int(row["days"])
        threshold = int(row["threshold_fen"])
        assert total + int(x) * remaining >= threshold * days
        assert total + (int(x) - 1) * remaining < threshold * days
        # end to end: the trust raised by x from the day after as_of reaches the club
        mine = accounts[
            (accounts["customer_id"] == row["customer_id"]) & (accounts["asset_class"] == "trust")
        ]
        account_id = int(mine["account_id"].iloc[0])
        own = balances[balances["account_id"] == account_id]
        last_fen = round(float(own.sort_values("date")["balance"].iloc[-1]) * 100)
        for extra, club in ((int(x), True), (int(x) - 1, False)):
            more = pd.concat(
                [
                    balances,
                    pd.DataFrame(
                        {
                            "account_id": [account_id],
                            "date": [pd.Timestamp(as_of + dt.timedelta(days=1))],
                            "balance": [_yuan(last_fen + extra)],
                        }
                    ),
                ],
                ignore_index=True,
            )
            review = evaluate_tiers(accounts, more, EB, as_of=row["review_date"], calendar=WEEKDAYS)
            tiers = dict(zip(review["customer_id"], review["tier"], strict=True))
            assert (tiers[row["customer_id"]] == "sunshine_club") is club
    shuffled = review_notifications(
        accounts.sample(frac=1, random_state=rnd.randint(0, 999)),
        balances.sample(frac=1, random_state=rnd.randint(0, 999)),
        EB,
        as_of=as_of,
        calendar=WEEKDAYS,
    )
    pd.testing.assert_frame_equal(shuffled, out)
