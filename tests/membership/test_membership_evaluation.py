"""Tier evaluation: batch == scalar, exact thresholds, monotone in money, order-free, states."""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bankcrm.calendar import WeekdayCalendar
from bankcrm.datasets import generate_accounts
from bankcrm.errors import InputError, PolicyError
from bankcrm.membership import (
    AUM,
    FINANCIAL_ASSETS,
    AssetPolicy,
    ReviewSchedule,
    Tier,
    TierLadder,
    averaging_window,
    daily_average,
    evaluate_tier,
    evaluate_tiers,
    presets,
)
from bankcrm.policy import read_provenance
from bankcrm.ratios import Threshold

EB = presets.EVERBRIGHT
WEEKDAYS = WeekdayCalendar()
AS_OF = dt.date(2026, 3, 15)  # wealth: February 2026; club: review 1 Jan 2026 (weekdays)
STATE_COLUMNS = ["customer_id", "tier", "status", "since", "valid_until", "notified_on",
                 "periods_below", "floor"]  # fmt: skip

#: A second bank's ladder: 500 k / 10 M monthly daily-average total assets, downgrade after
#: three months below.
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


def _accounts(customers: list[str]) -> pd.DataFrame:
    """One CNY demand deposit per customer, opened long ago."""
    n = len(customers)
    return pd.DataFrame(
        {
            "account_id": np.arange(1, n + 1),
            "customer_id": customers,
            "asset_class": ["demand_deposit"] * n,
            "currency": ["CNY"] * n,
            "opened_on": pd.to_datetime(["2020-01-01"] * n),
        }
    )


def _snapshots(level_fen: list[int], day: str = "2025-01-01") -> pd.DataFrame:
    """Each account's balance constant from ``day`` on (exact fen, as yuan text)."""
    return pd.DataFrame(
        {
            "account_id": np.arange(1, len(level_fen) + 1),
            "date": pd.to_datetime([day] * len(level_fen)),
            "balance": [f"{f // 100}.{f % 100:02d}" for f in level_fen],
        }
    )


# ---------------------------------------------------------------- states=None
def test_new_customers_everbright() -> None:
    accounts = _accounts(["a", "b", "c", "d"])
    balances = _snapshots([500_000_00, 1_000_000_00, 12_000_000_00, 999_999_99])
    out = evaluate_tiers(accounts, balances, EB, as_of=AS_OF, calendar=WEEKDAYS)
    assert out["tier"].tolist() == ["standard", "wealth", "sunshine_club", "standard"]
    assert (out["status"] == "qualified").all()
    club = out.iloc[2]
    assert club["notified_on"] == pd.Timestamp("2026-01-01")
    assert club["valid_until"] == pd.Timestamp("2026-07-01")
    assert club["window_start"] == pd.Timestamp("2025-07-01")
    assert club["threshold_fen"] == 10_000_000_00
    wealth = out.iloc[1]
    assert wealth["notified_on"] == pd.Timestamp("2026-02-28")  # the window's last day
    assert pd.isna(wealth["valid_until"])
    assert wealth["balance_days_fen"] == 1_000_000_00 * 28
    assert "wealth entry met" in wealth["reason"]
    assert "2026.2" in wealth["reason"]
    assert out.iloc[0]["reason"].startswith("wealth entry not met")
    record = read_provenance(out)
    assert record[0].policy_name == EB.name


def test_club_decided_at_latest_review_china_calendar() -> None:
    out = evaluate_tiers(_accounts(["a"]), _snapshots([10_000_000_00]), EB, as_of="2026-01-04")
    assert out["tier"].tolist() == ["sunshine_club"]
    assert out["notified_on"].iloc[0] == pd.Timestamp("2026-01-04")  # make-up working day
    assert out["valid_until"].iloc[0] == pd.Timestamp("2026-07-04")


@pytest.mark.parametrize("short", [0, 1])
def test_exact_threshold_and_one_fen_less(short: int) -> None:
    # February 2026: 28 days; the sum exactly 1 M × 28 qualifies, one fen-day less does not
    balances = pd.DataFrame(
        {
            "account_id": [1, 1],
            "date": pd.to_datetime(["2025-01-01", "2026-02-28"]),
            "balance": ["1000000.00", f"{1_000_000 - short / 100:.2f}"],
        }
    )
    out = evaluate_tiers(_accounts(["a"]), balances, EB, as_of=AS_OF, calendar=WEEKDAYS)
    assert out["balance_days_fen"].iloc[0] == 1_000_000_00 * 28 - short
    assert out["tier"].iloc[0] == ("wealth" if short == 0 else "standard")


def test_generated_bank_runs_as_generated() -> None:
    bank = generate_accounts(2000, seed=11)
    out = evaluate_tiers(
        bank.accounts, bank.balances, EB, as_of="2025-12-31", fx_rates=bank.fx_rates
    )
    assert len(out) == bank.accounts["customer_id"].nunique()
    assert set(out["tier"]) <= set(EB.tier_ids)
    assert {"wealth", "sunshine_club"} <= set(out["tier"])
    again = evaluate_tiers(
        bank.accounts,
        bank.balance_changes,
        EB,
        as_of="2025-12-31",
        fx_rates=bank.fx_rates,
        states=out,
    )
    pd.testing.assert_frame_equal(again, out)


def test_second_bank_is_configuration() -> None:
    accounts = _accounts(["a", "b", "c"])
    out = evaluate_tiers(
        accounts, _snapshots([499_999_99, 500_000_00, 10_000_000_00]), SECOND, as_of=AS_OF
    )
    assert out["tier"].tolist() == ["mass", "gold", "private"]
    assert out["metric"].tolist() == ["total_assets"] * 3
    assert read_provenance(out)[0].policy_name == "second_bank.ladder"


# ---------------------------------------------------------------- properties
@st.composite
def small_bank(draw: st.DrawFn) -> tuple[pd.DataFrame, pd.DataFrame]:
    n = draw(st.integers(1, 6))
    customers = [draw(st.sampled_from(["a", "b", "c"])) for _ in range(n)]
    accounts = _accounts(customers)
    accounts["asset_class"] = [draw(st.sampled_from(["demand_deposit", "fund", "loan"]))
                               for _ in range(n)]  # fmt: skip
    rows = []
    for k in range(1, n + 1):
        days = sorted(draw(st.sets(st.integers(0, 450), min_size=1, max_size=4)) | {0})
        for d in days:
            fen = draw(st.sampled_from([0, 50_000_000, 99_999_999, 100_000_000, 10**9])) + (
                draw(st.integers(-3, 3)) if draw(st.booleans()) else 0
            )
            day = dt.date(2025, 1, 1) + dt.timedelta(days=d)
            rows.append((k, pd.Timestamp(day), f"{max(fen, 0) / 100:.2f}"))
    balances = pd.DataFrame(rows, columns=["account_id", "date", "balance"])
    return accounts, balances


def _metrics(
    accounts: pd.DataFrame, balances: pd.DataFrame, ladder: TierLadder, as_of: dt.date
) -> dict[str, dict[tuple[str, dt.date, dt.date], tuple[int, int]]]:
    policies = {"financial_assets": FINANCIAL_ASSETS, "aum": AUM, "total_assets": AUM}
    policies |= ladder.metrics
    out: dict[str, dict[tuple[str, dt.date, dt.date], tuple[int, int]]] = {}
    for tier in ladder.tiers[1:]:
        assert tier.metric is not None
        window = averaging_window(as_of, ladder, tier=tier, calendar=WEEKDAYS)
        frame = daily_average(
            accounts, balances, start=window.start, end=window.end, policy=policies[tier.metric]
        )
        key = (tier.metric, window.start, window.end)
        for cid, total, days in zip(
            frame["customer_id"].tolist(),
            frame["balance_days_fen"].tolist(),
            frame["days"].tolist(),
            strict=True,
        ):
            out.setdefault(str(cid), {})[key] = (int(total), int(days))
    return out


def _rows(frame: pd.DataFrame) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for record in frame.to_dict("records"):
        cid = str(record.pop("customer_id"))
        out[cid] = {
            str(k): (None if v is None or (not isinstance(v, str) and pd.isna(v)) else
                v.date() if isinstance(v, pd.Timestamp) else v)
            for k, v in record.items()
        }  # fmt: skip
    return out


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_bank(), st.sampled_from([dt.date(2026, 3, 15), dt.date(2026, 1, 31)]))
def test_batch_equals_scalar(bank: tuple[pd.DataFrame, pd.DataFrame], as_of: dt.date) -> None:
    accounts, balances = bank
    as_of = min(as_of, dt.date(2026, 3, 15))
    batch = _rows(evaluate_tiers(accounts, balances, EB, as_of=as_of, calendar=WEEKDAYS))
    metrics = _metrics(accounts, balances, EB, as_of)
    for cid, m in metrics.items():
        assert evaluate_tier(m, EB, as_of=as_of, calendar=WEEKDAYS) == batch[cid]
    # and with the previous state: the batch result fed back, row by row
    previous = evaluate_tiers(accounts, balances, EB, as_of=dt.date(2025, 12, 31),
                              calendar=WEEKDAYS)  # fmt: skip
    again = _rows(
        evaluate_tiers(accounts, balances, EB, as_of=as_of, calendar=WEEKDAYS, states=previous)
    )
    for cid, state in _rows(previous).items():
        got = evaluate_tier(metrics[cid], EB, as_of=as_of, calendar=WEEKDAYS, state=state)
        assert got == again[cid]


@settings(max_examples=40, deadline=None)
@given(small_bank(), st.integers(0, 2_000_000_00), st.randoms(use_true_random=False))
def test_more_money_never_lowers_tier_and_order_is_free(
    bank: tuple[pd.DataFrame, pd.DataFrame], extra_fen: int, rnd: Any
) -> None:
    accounts, balances = bank
    before = evaluate_tiers(accounts, balances, EB, as_of=AS_OF, calendar=WEEKDAYS)
    richer = balances.copy()
    fen = (richer["balance"].map(lambda s: round(float(s) * 100))).astype(np.int64) + extra_fen
    richer["balance"] = [f"{f // 100}.{f % 100:02d}" for f in fen]
    after = evaluate_tiers(accounts, richer, EB, as_of=AS_OF, calendar=WEEKDAYS)
    rank = {t: i for i, t in enumerate(EB.tier_ids)}
    assert (after["tier"].map(rank) >= before["tier"].map(rank)).all()
    # shuffled rows, same result; idempotent when fed back
    acc_order = list(range(len(accounts)))
    bal_order = list(range(len(balances)))
    rnd.shuffle(acc_order)
    rnd.shuffle(bal_order)
    kept = balances.copy()
    shuffled = evaluate_tiers(
        accounts.iloc[acc_order], balances.iloc[bal_order], EB, as_of=AS_OF, calendar=WEEKDAYS
    )
    pd.testing.assert_frame_equal(shuffled, before)
    pd.testing.assert_frame_equal(balances, kept)  # inputs not mutated
    fed = evaluate_tiers(accounts, balances, EB, as_of=AS_OF, calendar=WEEKDAYS, states=before)
    pd.testing.assert_frame_equal(fed, before)
    states = before[STATE_COLUMNS].iloc[::-1]
    pd.testing.assert_frame_equal(
        evaluate_tiers(accounts, balances, EB, as_of=AS_OF, calendar=WEEKDAYS, states=states),
        before,
    )


#: The second bank's gold tier with a two-month transition (downgrade after two months below).
TRANSITION = attrs.evolve(
    SECOND,
    tiers=(SECOND.tiers[0], attrs.evolve(SECOND.tiers[1], downgrade_after=2, transition_months=2)),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_bank(), st.integers(0, 2))
def test_transition_chain_batch_equals_scalar_and_is_idempotent(
    bank: tuple[pd.DataFrame, pd.DataFrame], skip: int
) -> None:
    """Monthly decisions through a transition: the batch and the scalar path agree at every
    step (each from its own previous state), and a result fed back is unchanged."""
    accounts, balances = bank
    month_ends = [dt.date(2025, 9, 30), dt.date(2025, 10, 31), dt.date(2025, 11, 30),
                  dt.date(2025, 12, 31), dt.date(2026, 1, 31), dt.date(2026, 2, 28)]  # fmt: skip
    state = None
    scalar: dict[str, dict[str, Any] | None] = {}
    for as_of in month_ends[skip:]:
        batch = evaluate_tiers(accounts, balances, TRANSITION, as_of=as_of, states=state)
        fed = evaluate_tiers(accounts, balances, TRANSITION, as_of=as_of, states=batch)
        pd.testing.assert_frame_equal(fed, batch)
        rows = _rows(batch)
        for cid, m in _metrics(accounts, balances, TRANSITION, as_of).items():
            got = evaluate_tier(m, TRANSITION, as_of=as_of, state=scalar.get(cid))
            assert got == rows[cid]
            scalar[cid] = got
        state = batch
        left = batch["status"].eq("downgraded")
        assert (batch.loc[left, "tier"] == "mass").all()


# ---------------------------------------------------------------- bad input
def test_states_with_unknown_tier_is_domain() -> None:
    states = pd.DataFrame(
        {
            "customer_id": ["a"],
            "tier": ["platinum"],
            "status": ["qualified"],
            "since": pd.Series([pd.NaT], dtype="datetime64[us]"),
            "valid_until": pd.Series([pd.NaT], dtype="datetime64[us]"),
            "notified_on": pd.Series([pd.NaT], dtype="datetime64[us]"),
            "periods_below": [0],
        }
    )
    with pytest.raises(InputError) as err:
        evaluate_tiers(
            _accounts(["a"]), _snapshots([1]), EB, as_of=AS_OF, calendar=WEEKDAYS, states=states
        )
    assert err.value.rule == "domain"
    assert err.value.column == "tier"
    assert "platinum" in str(err.value)


def test_states_missing_column_and_unknown_customer() -> None:
    good = evaluate_tiers(_accounts(["a"]), _snapshots([1]), EB, as_of=AS_OF, calendar=WEEKDAYS)
    with pytest.raises(InputError) as err:
        evaluate_tiers(_accounts(["a"]), _snapshots([1]), EB, as_of=AS_OF, calendar=WEEKDAYS,
                       states=good.drop(columns=["periods_below"]))  # fmt: skip
    assert err.value.rule == "required"
    assert err.value.column == "periods_below"
    stranger = good.assign(customer_id=["zz"])
    with pytest.raises(InputError) as err:
        evaluate_tiers(_accounts(["a"]), _snapshots([1]), EB, as_of=AS_OF, calendar=WEEKDAYS,
                       states=stranger)  # fmt: skip
    assert err.value.rule == "domain"
    assert err.value.column == "customer_id"


def test_scalar_missing_window_names_it() -> None:
    with pytest.raises(InputError) as err:
        evaluate_tier({}, EB, as_of=AS_OF, calendar=WEEKDAYS)
    assert err.value.rule == "missing"
    assert "financial_assets" in str(err.value)


def test_unknown_metric_fails_when_the_ladder_is_built() -> None:
    with pytest.raises(PolicyError, match=r"tiers\[1\]\.metric: unknown metric 'crypto'"):
        TierLadder(
            calendar="weekday",
            tiers=(
                Tier(tier_id="base", label_en="B", label_zh="B"),
                Tier(tier_id="odd", label_en="O", label_zh="O", metric="crypto", window="month",
                     entry=Threshold(1, ">="), review=ReviewSchedule(decided_at="as_of")),
            ),
        )  # fmt: skip


def _one_tier(metric: str = "total_assets", **fields: Any) -> TierLadder:
    tier_fields: dict[str, Any] = {
        "tier_id": "gold", "label_en": "Gold", "label_zh": "金卡客户", "metric": metric,
        "window": "month", "entry": Threshold(500_000, "以上"),
        "review": ReviewSchedule(decided_at="as_of"),
    }  # fmt: skip
    ladder_fields = {k: fields.pop(k) for k in ("metrics", "partial_period") if k in fields}
    return TierLadder(
        calendar="weekday",
        tiers=(Tier(tier_id="mass", label_en="Mass", label_zh="大众客户"),
               Tier(**(tier_fields | fields))),
        **ladder_fields,
    )  # fmt: skip


def test_a_ladder_names_its_own_asset_policy() -> None:
    """A deposits-only metric with time deposits at half weight decides the tier."""
    deposits = AssetPolicy(
        name="second_bank.deposits", weights={"demand_deposit": 1, "time_deposit": "1/2"}
    )
    ladder = _one_tier("deposits", metrics={"deposits": deposits})
    assert TierLadder.from_toml(ladder.to_toml()) == ladder
    assert ladder.asset_policy("deposits") is deposits
    accounts = pd.DataFrame({
        "account_id": [1, 2, 3], "customer_id": ["a", "a", "b"],
        "asset_class": ["demand_deposit", "time_deposit", "fund"],
        "currency": ["CNY"] * 3, "opened_on": pd.to_datetime(["2020-01-01"] * 3),
    })  # fmt: skip
    balances = _snapshots([300_000_00, 400_000_00, 900_000_00])
    out = evaluate_tiers(accounts, balances, ladder, as_of="2026-02-28")
    # a: 300,000 + 400,000 / 2 = 500,000 exactly (以上: joins); b: a fund does not count
    assert out["tier"].tolist() == ["gold", "mass"]
    assert out["balance_days_fen"].tolist() == [500_000_00 * 28, 0]
    with_total = evaluate_tiers(accounts, balances, _one_tier(), as_of="2026-02-28")
    assert with_total["tier"].tolist() == ["gold", "gold"]


def test_days_since_opening_divides_by_the_days_held() -> None:
    """Opened 15 February with 600,000: calendar days average 600,000 × 14/28 = 300,000."""
    accounts = _accounts(["a", "b"]).assign(opened_on=pd.to_datetime(["2026-02-15", "2026-03-01"]))
    balances = _snapshots([600_000_00, 600_000_00], day="2026-02-15")
    balances.loc[1, "date"] = pd.Timestamp("2026-03-01")
    calendar_days = evaluate_tiers(accounts, balances, _one_tier(), as_of="2026-02-28")
    assert calendar_days["tier"].tolist() == ["mass", "mass"]
    assert calendar_days["days"].tolist() == [28, 28]
    since = _one_tier(partial_period="days_since_opening")
    assert TierLadder.from_json(since.to_json()) == since
    held = evaluate_tiers(accounts, balances, since, as_of="2026-02-28")
    # b opened after the window: no day to average over, so no threshold is met
    assert held["tier"].tolist() == ["gold", "mass"]
    assert held["days"].tolist() == [14, 0]
    assert held["balance_days_fen"].tolist() == [600_000_00 * 14, 0]


def test_transition_keeps_the_tier_then_downgrades() -> None:
    """Downgrade after 2 months below with a 2-month transition: watch, watch (transition
    starts 28 Feb), watch, then downgraded on 28 April — unless money comes back first."""
    ladder = _one_tier(downgrade_after=2, watch=True, transition_months=2)
    accounts = _accounts(["a", "b"])
    balances = pd.DataFrame({
        "account_id": [1, 1, 2, 2, 2],
        "date": pd.to_datetime(["2025-01-01", "2026-01-01", "2025-01-01", "2026-01-01",
                                "2026-03-01"]),
        "balance": ["600000.00", "100.00", "600000.00", "100.00", "700000.00"],
    })  # fmt: skip
    state = evaluate_tiers(accounts, balances, ladder, as_of="2025-12-31")
    seen = []
    for as_of in ("2026-01-31", "2026-02-28", "2026-03-31", "2026-04-27", "2026-04-28"):
        state = evaluate_tiers(accounts, balances, ladder, as_of=as_of, states=state)
        again = evaluate_tiers(accounts, balances, ladder, as_of=as_of, states=state)
        pd.testing.assert_frame_equal(again, state)  # idempotent
        seen.append(list(zip(state["tier"], state["status"], strict=True)))
    watch, renewed = ("gold", "watch"), ("gold", "qualified")
    assert [s[0] for s in seen] == [watch, watch, watch, watch, ("mass", "downgraded")]
    assert [s[1] for s in seen] == [watch, watch, renewed, renewed, renewed]
    assert state["since"].iloc[0] == pd.Timestamp("2026-04-28")
    assert state["valid_until"].iloc[1] is pd.NaT


# ---------------------------------------------------------------- the state machine
def test_watch_then_downgrade_after_three_months_below() -> None:
    balances = pd.DataFrame(
        {
            "account_id": [1, 1],
            "date": pd.to_datetime(["2025-01-01", "2026-01-01"]),
            "balance": ["600000.00", "400000.00"],
        }
    )
    accounts = _accounts(["a"])
    state = evaluate_tiers(accounts, balances, SECOND, as_of="2025-12-31")
    assert state["tier"].tolist() == ["gold"]
    seen = []
    for as_of in ("2026-01-31", "2026-02-28", "2026-03-31"):
        state = evaluate_tiers(accounts, balances, SECOND, as_of=as_of, states=state)
        again = evaluate_tiers(accounts, balances, SECOND, as_of=as_of, states=state)
        pd.testing.assert_frame_equal(again, state)  # a decision applies once
        seen.append(
            (state["tier"].iloc[0], state["status"].iloc[0], state["periods_below"].iloc[0])
        )
    assert seen == [("gold", "watch", 1), ("gold", "watch", 2), ("mass", "downgraded", 0)]
    assert "gold retention not met" in state["reason"].iloc[0]


def test_club_keeps_validity_then_lapses_and_floor_holds() -> None:
    balances = pd.DataFrame(
        {
            "account_id": [1, 1],
            "date": pd.to_datetime(["2025-01-01", "2026-01-01"]),
            "balance": ["12000000.00", "100.00"],
        }
    )
    accounts = _accounts(["a"])
    joined = evaluate_tiers(accounts, balances, EB, as_of="2026-01-01", calendar=WEEKDAYS)
    assert joined["valid_until"].iloc[0] == pd.Timestamp("2026-07-01")
    review = evaluate_tiers(accounts, balances, EB, as_of="2026-07-01", calendar=WEEKDAYS,
                            states=joined)  # fmt: skip
    assert (review["tier"].iloc[0], review["status"].iloc[0]) == ("sunshine_club", "watch")
    after = evaluate_tiers(accounts, balances, EB, as_of="2026-07-02", calendar=WEEKDAYS,
                           states=review)  # fmt: skip
    assert (after["tier"].iloc[0], after["status"].iloc[0]) == ("standard", "lapsed")
    assert after["since"].iloc[0] == pd.Timestamp("2026-07-02")
    floored = _club_with_floor()
    invited = review.assign(floor=["sunshine_club"])
    kept = evaluate_tiers(accounts, balances, floored, as_of="2026-07-02", calendar=WEEKDAYS,
                          states=invited)  # fmt: skip
    assert kept["tier"].tolist() == ["sunshine_club"]


def _club_with_floor() -> TierLadder:
    club = attrs.evolve(EB.tier("sunshine_club"), manual_floor=True)
    return attrs.evolve(EB, tiers=(EB.tiers[0], EB.tiers[1], club))


def test_validity_ending_before_the_next_review() -> None:
    """Admitted at the 1 July 2025 review, valid to 1 January 2026; the next review is on
    Sunday 4 January (China calendar). EVERBRIGHT holds a member in good standing to it;
    ``validity_end="lapse"`` lapses it on 2 January."""
    balances = pd.DataFrame(
        {"account_id": [1], "date": pd.to_datetime(["2024-12-01"]), "balance": ["12000000.00"]}
    )
    accounts = _accounts(["a"])
    joined = evaluate_tiers(accounts, balances, EB, as_of="2025-07-01")
    assert joined["valid_until"].iloc[0] == pd.Timestamp("2026-01-01")
    held = evaluate_tiers(accounts, balances, EB, as_of="2026-01-03", states=joined)
    assert (held["tier"].iloc[0], held["status"].iloc[0]) == ("sunshine_club", "qualified")
    renewed = evaluate_tiers(accounts, balances, EB, as_of="2026-01-04", states=held)
    assert renewed["valid_until"].iloc[0] == pd.Timestamp("2026-07-04")
    assert renewed["since"].iloc[0] == pd.Timestamp("2025-07-01")  # a member all along
    lapsing = attrs.evolve(
        EB, tiers=(*EB.tiers[:2], attrs.evolve(EB.tiers[2], validity_end="lapse"))
    )
    gone = evaluate_tiers(accounts, balances, lapsing, as_of="2026-01-03", states=joined)
    assert (gone["tier"].iloc[0], gone["status"].iloc[0]) == ("wealth", "lapsed")
    assert gone["since"].iloc[0] == pd.Timestamp("2026-01-02")
