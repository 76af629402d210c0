"""Accounts: balance snapshots and change events describe the same history; FX rates."""

from __future__ import annotations

import datetime as dt

import numpy as np
import numpy.typing as npt
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bankcrm.datasets import ASSET_CLASSES, CURRENCIES, AccountFrames, generate_accounts
from bankcrm.errors import InputError

START, END = pd.Timestamp("2023-01-01"), pd.Timestamp("2025-12-31")
DAYS = pd.date_range(START, END, freq="D")


def _fen(values: pd.Series) -> npt.NDArray[np.int64]:
    fen: npt.NDArray[np.int64] = np.rint(values.to_numpy() * 100).astype(np.int64)
    return fen


def _daily_from_snapshots(balances: pd.DataFrame) -> pd.DataFrame:
    """End-of-day balance on every day: the last snapshot on or before it (0 before the first)."""
    wide = balances.assign(fen=_fen(balances["balance"])).pivot(
        index="date", columns="account_id", values="fen"
    )
    return wide.reindex(DAYS).ffill().fillna(0).astype(np.int64)


def _daily_from_changes(changes: pd.DataFrame) -> pd.DataFrame:
    """Running sum of the day's changes."""
    wide = changes.assign(fen=_fen(changes["amount"])).pivot_table(
        index="date", columns="account_id", values="fen", aggfunc="sum"
    )
    return wide.reindex(DAYS).fillna(0).cumsum().astype(np.int64)


def test_snapshots_and_changes_give_the_same_daily_series(account_frames: AccountFrames) -> None:
    balances, changes = account_frames.balances, account_frames.balance_changes
    from_snapshots = _daily_from_snapshots(balances)
    from_changes = _daily_from_changes(changes)
    pd.testing.assert_frame_equal(from_snapshots, from_changes, check_names=False)
    assert (from_snapshots.to_numpy() >= 0).all()


def test_snapshot_rows_are_unique_and_change_the_balance(account_frames: AccountFrames) -> None:
    balances = account_frames.balances
    assert not balances.duplicated(["account_id", "date"]).any()
    same_account = balances["account_id"].diff() == 0
    assert (balances["balance"].diff()[same_account] != 0).all()
    assert (balances["date"].diff()[same_account] > pd.Timedelta(0)).all()
    cents = balances["balance"].to_numpy() * 100
    assert np.allclose(cents, np.rint(cents), atol=1e-6)


def test_history_respects_opening_and_closing(account_frames: AccountFrames) -> None:
    accounts = account_frames.accounts.set_index("account_id")
    balances = account_frames.balances
    first = balances.groupby("account_id")["date"].min()
    last = balances.groupby("account_id").tail(1).set_index("account_id")
    opened = accounts.loc[first.index, "opened_on"]
    expected_first = opened.where(opened > START, START)
    assert (first == expected_first).all()
    closed = accounts["closed_on"].dropna()
    assert len(closed) > 0
    assert (last.loc[closed.index, "date"] == closed).all()
    assert (last.loc[closed.index, "balance"] == 0).all()
    assert (closed > accounts.loc[closed.index, "opened_on"]).all()
    assert set(balances["account_id"]) == set(accounts.index)


def test_accounts_domains(account_frames: AccountFrames) -> None:
    accounts = account_frames.accounts
    assert accounts["account_id"].is_unique
    assert set(accounts["customer_id"]) == set(range(1, 3_001))  # everyone has an account
    assert set(accounts["asset_class"]) == set(ASSET_CLASSES)
    assert set(accounts["currency"]) == set(CURRENCIES)
    assert (accounts["currency"] == "CNY").mean() > 0.8


def test_fx_rates_are_weekday_fixings(account_frames: AccountFrames) -> None:
    fx = account_frames.fx_rates
    assert set(fx["currency"]) == {"USD", "HKD", "EUR"}
    later = fx["date"] > START  # the first day has a fixing even on a weekend (see below)
    assert (fx.loc[later, "date"].dt.day_of_week < 5).all()
    assert not fx.duplicated(["currency", "date"]).any()
    usd = fx.loc[fx["currency"] == "USD", "rate"]
    assert usd.between(5.0, 9.5).all()
    assert np.allclose(fx["rate"] * 10_000, np.rint(fx["rate"] * 10_000))


def test_every_balance_day_has_a_rate(account_frames: AccountFrames) -> None:
    # 2023-01-01 is a Sunday: the generator still fixes every currency on its first day, at
    # the walk's starting rate, so that every balance day has a rate on or before it
    fx = account_frames.fx_rates
    assert START.day_of_week == 6
    first = fx.groupby("currency")["date"].min()
    assert (first == START).all()
    assert fx["date"].min() <= account_frames.balances["date"].min()
    on_start = fx[fx["date"] == START].set_index("currency")["rate"]
    next_day = fx[fx["date"] == pd.Timestamp("2023-01-02")].set_index("currency")["rate"]
    pd.testing.assert_series_equal(on_start, next_day, check_names=False)


def test_some_customers_sit_near_the_membership_thresholds(account_frames: AccountFrames) -> None:
    daily = _daily_from_snapshots(account_frames.balances)
    last_month = daily.loc["2025-12-01":"2025-12-31"].mean()
    accounts = account_frames.accounts.set_index("account_id")
    fx = account_frames.fx_rates.groupby("currency")["rate"].last()
    rate = accounts["currency"].map(lambda c: 1.0 if c == "CNY" else fx[c])
    rmb = last_month / 100 * rate.loc[last_month.index]
    per_customer = rmb.groupby(accounts.loc[rmb.index, "customer_id"]).sum()
    near_1m = per_customer.between(700_000, 1_300_000).sum()
    near_10m = per_customer.between(7_000_000, 13_000_000).sum()
    assert near_1m >= 30
    assert near_10m >= 3


def test_same_seed_same_frames_other_seed_other_frames() -> None:
    a, b = generate_accounts(200, seed=3), generate_accounts(200, seed=3)
    for name in ("accounts", "balances", "balance_changes", "fx_rates"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name))
    assert not a.balances.equals(generate_accounts(200, seed=4).balances)


@pytest.mark.parametrize(
    ("kwargs", "column"),
    [
        ({"n_customers": -1}, "n_customers"),
        ({"n_customers": 5, "accounts_per_customer": 0.5}, "accounts_per_customer"),
        ({"n_customers": 5, "changes_scale": -1.0}, "changes_scale"),
        ({"n_customers": 5, "start": dt.date(2025, 1, 1), "end": dt.date(2024, 1, 1)}, "end"),
    ],
)
def test_bad_arguments(kwargs: dict[str, object], column: str) -> None:
    with pytest.raises(InputError) as caught:
        generate_accounts(seed=1, **kwargs)  # type: ignore[arg-type]
    assert caught.value.column == column


@settings(max_examples=20)
@given(
    n=st.integers(1, 40),
    seed=st.integers(0, 2**32 - 1),
    scale=st.floats(0.0, 5.0),
    per_customer=st.floats(1.0, 4.0),
)
def test_running_sums_of_changes_are_the_snapshots(
    n: int, seed: int, scale: float, per_customer: float
) -> None:
    frames = generate_accounts(
        n, seed=seed, changes_scale=scale, accounts_per_customer=per_customer
    )
    balances, changes = frames.balances, frames.balance_changes
    assert balances[["account_id", "date"]].equals(changes[["account_id", "date"]])
    running = pd.Series(_fen(changes["amount"])).groupby(changes["account_id"].to_numpy()).cumsum()
    assert (running.to_numpy() == _fen(balances["balance"])).all()
    assert (balances["balance"] >= 0).all()


def test_the_two_histories_do_not_share_memory() -> None:
    frames = generate_accounts(20, seed=1)
    before = frames.balance_changes.copy()
    frames.balances.loc[0, "account_id"] = 999_999
    frames.balances.loc[0, "date"] = pd.Timestamp("2000-01-01")
    pd.testing.assert_frame_equal(frames.balance_changes, before)
