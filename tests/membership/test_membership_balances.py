"""daily_balances: intervals, not days; snapshots and events agree; the generator's frames run."""

from __future__ import annotations

from bankcrm.datasets import generate_accounts
from bankcrm.membership import daily_average, daily_balances


def test_the_synthetic_bank_runs_as_generated() -> None:
    frames = generate_accounts(300, seed=4)
    out = daily_balances(
        frames.accounts,
        frames.balances,
        start="2023-01-01",
        end="2025-12-31",
        fx_rates=frames.fx_rates,
    )
    assert len(out) < len(frames.accounts) * 1096 / 5  # intervals, not days
    monthly = daily_average(
        frames.accounts,
        frames.balance_changes,
        start="2023-01-01",
        end="2025-12-31",
        periods="month",
        fx_rates=frames.fx_rates,
    )
    assert len(monthly) == frames.accounts["customer_id"].nunique() * 36
    total = out["rmb_balance_fen"].mul(out["days"]).sum()
    assert total == monthly["balance_days_fen"].sum()
