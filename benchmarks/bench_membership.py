"""Membership: twelve monthly daily-average balances per customer, bankcrm against its peers.

Every tool computes the **same** numbers from the same snapshots (``account_id``, ``date``,
``balance``: the end-of-day balance until the account's next row): per customer and calendar
month of 2025, the exact sum over every day of the end-of-day balance in RMB fen
(``balance_days_fen``), zero before ``opened_on`` and from ``closed_on`` on, foreign balances
converted per day at that day's fixing (else the latest earlier one) rounded half up to whole
fen, each asset class weighted by :data:`~bankcrm.membership.FINANCIAL_ASSETS`. The peers use
exact integer fen and the same half-up rule (rates have at most four decimals, so
``rate × 10⁴`` is an exact integer); the run asserts their sums equal bankcrm's, customer by
customer and month by month.

* **bankcrm**: :func:`bankcrm.membership.daily_average` (intervals, never one row per day).
* **DuckDB SQL**: ``LEAD()`` over account and date for interval ends, clipped to the open days,
  split into months (``unnest(generate_series(...))``) and at FX fixings (a join with the
  per-month rate segments), days × converted balance, ``GROUP BY``; ``threads=2``, reading the
  pandas frames in place (``register``, no copy into a table).
* **pandas**: what a user writes otherwise: reindex every account to daily, forward-fill, look up
  the day's rate, weight, group by customer and month, sum. One row per account and day does
  not fit in memory at full size, so it runs on a subsample of customers (all their accounts)
  and its time is extrapolated linearly by the number of accounts.

Data: :func:`bankcrm.datasets.generate_accounts` scaled to ~1 M accounts (455,000 customers,
2.2 accounts each) and ~20 M balance rows in 2025 (``changes_scale=7.5``); generation is not
timed. Tier evaluation (issue 11's ``evaluate_tiers``) is not part of this benchmark yet.
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any, cast

import duckdb
import numpy as np
import pandas as pd

from bankcrm.datasets import generate_accounts
from bankcrm.membership import FINANCIAL_ASSETS, daily_average
from benchmarks._harness import Measurement, Section, traced_peak

START = dt.date(2025, 1, 1)
END = dt.date(2025, 12, 31)
CHANGES_SCALE = 7.5  # ~20 balance rows per account and year
POLICY = FINANCIAL_ASSETS
RMB = ("CNY", "RMB")


def make_data(n_customers: int, seed: int = 7) -> Any:
    """The synthetic bank's accounts, balance snapshots and FX rates for 2025."""
    return generate_accounts(
        n_customers, seed=seed, start=START, end=END, changes_scale=CHANGES_SCALE
    )


def bankcrm_monthly(accounts: pd.DataFrame, balances: pd.DataFrame, fx: pd.DataFrame) -> Any:
    """Twelve monthly daily averages per customer (the timed bankcrm call)."""
    return daily_average(
        accounts, balances, start=START, end=END, periods="month", fx_rates=fx, policy=POLICY
    )


def _weights(accounts: pd.DataFrame) -> pd.DataFrame:
    """Integer weight per asset class (the policy's weights here are all 0 or 1)."""
    classes = sorted(set(accounts["asset_class"].tolist()))
    weights = [POLICY.weight(c) for c in classes]
    if any(w.denominator != 1 for w in weights):
        raise AssertionError("the peers assume whole-number weights")
    return pd.DataFrame({"asset_class": classes, "weight": [int(w) for w in weights]})


def duckdb_sql() -> str:
    """Interval arithmetic in SQL: LEAD for interval ends, clip, split by month and fixing."""
    return f"""
    WITH b AS (
        SELECT account_id, CAST(date AS DATE) AS d,
               CAST(round(balance * 100) AS BIGINT) AS fen,
               lead(CAST(date AS DATE)) OVER (PARTITION BY account_id ORDER BY date) AS nd
        FROM balances
    ), iv AS (
        SELECT a.customer_id, a.currency, w.weight, b.fen,
               greatest(b.d, CAST(a.opened_on AS DATE), DATE '{START}') AS lo,
               least(coalesce(b.nd - 1, DATE '{END}'),
                     coalesce(CAST(a.closed_on AS DATE) - 1, DATE '{END}'),
                     DATE '{END}') AS hi
        FROM b JOIN accounts a USING (account_id) JOIN weights w USING (asset_class)
        WHERE w.weight > 0
    ), m AS (
        SELECT customer_id, currency, weight, fen, ms,
               greatest(lo, ms) AS lo, least(hi, CAST(last_day(ms) AS DATE)) AS hi
        FROM (SELECT *, CAST(unnest(generate_series(CAST(date_trunc('month', lo) AS DATE),
                                                    CAST(date_trunc('month', hi) AS DATE),
                                                    INTERVAL 1 MONTH)) AS DATE) AS ms
              FROM iv WHERE lo <= hi)
    ), fxd AS (
        SELECT currency, CAST(date AS DATE) AS d,
               CAST(round(rate * 10000) AS BIGINT) AS r,
               coalesce(lead(CAST(date AS DATE)) OVER (PARTITION BY currency ORDER BY date) - 1,
                        DATE '9999-12-31') AS e
        FROM fx_rates
    ), months AS (
        SELECT CAST(t.ms AS DATE) AS ms, CAST(last_day(t.ms) AS DATE) AS me
        FROM generate_series(TIMESTAMP '{START}', TIMESTAMP '{END}', INTERVAL 1 MONTH) t(ms)
    ), seg AS (
        SELECT f.currency, m.ms, greatest(f.d, m.ms) AS lo, least(f.e, m.me) AS hi, f.r
        FROM fxd f JOIN months m ON f.d <= m.me AND f.e >= m.ms
        UNION ALL
        SELECT c.currency, m.ms, m.ms, m.me, 10000
        FROM months m CROSS JOIN (VALUES {", ".join(f"('{c}')" for c in RMB)}) c(currency)
    )
    SELECT m.customer_id, month(m.ms) AS month,
           sum((least(m.hi, s.hi) - greatest(m.lo, s.lo) + 1) * m.weight
               * sign(m.fen) * ((abs(m.fen) * s.r + 5000) // 10000)) AS balance_days_fen
    FROM m JOIN seg s
      ON s.currency = m.currency AND s.ms = m.ms AND s.lo <= m.hi AND s.hi >= m.lo
    GROUP BY ALL
    """


def pandas_daily(accounts: pd.DataFrame, balances: pd.DataFrame, fx: pd.DataFrame) -> pd.Series:
    """Reindex every account to daily, forward-fill, convert per day, weight, group, sum."""
    days = pd.date_range(START, END, freq="D").as_unit("s")
    bal = balances[["account_id", "date", "balance"]].sort_values(["account_id", "date"])
    bal["date"] = bal["date"].astype("datetime64[s]")
    bal.loc[bal["date"] < days[0], "date"] = days[0]  # carry older rows in
    bal = bal.drop_duplicates(["account_id", "date"], keep="last")
    full = pd.MultiIndex.from_product(
        [accounts["account_id"].to_numpy(), days], names=["account_id", "date"]
    )
    daily = bal.set_index(["account_id", "date"])["balance"].reindex(full)
    filled = daily.groupby(level="account_id").ffill().reset_index()
    acc = accounts.merge(_weights(accounts), on="asset_class")
    frame = filled.merge(
        acc[["account_id", "customer_id", "currency", "opened_on", "closed_on", "weight"]],
        on="account_id",
    )
    is_open = (frame["date"] >= frame["opened_on"]) & (
        frame["closed_on"].isna() | (frame["date"] < frame["closed_on"])
    )
    fen = np.rint(frame["balance"].fillna(0.0).to_numpy() * 100).astype(np.int64)
    fen[~is_open.to_numpy()] = 0
    wide = (
        fx.pivot(index="date", columns="currency", values="rate")
        .reindex(pd.DatetimeIndex(fx["date"].unique()).union(days))
        .ffill()
        .reindex(days)
        .rename_axis("date")
    )
    rates = cast("pd.Series[float]", wide.stack()).rename("rate").reset_index()
    rates["date"] = rates["date"].astype("datetime64[s]")
    frame = frame.merge(rates, on=["currency", "date"], how="left")
    rate = frame["rate"].to_numpy()
    rate = np.where(frame["currency"].isin(RMB).to_numpy(), 1.0, rate)
    r = np.rint(rate * 10000).astype(np.int64)
    rmb = np.sign(fen) * ((np.abs(fen) * r + 5000) // 10000)
    frame["value"] = rmb * frame["weight"].to_numpy()
    frame["month"] = frame["date"].dt.month
    result: pd.Series[Any] = frame.groupby(["customer_id", "month"])["value"].sum()
    return result


def _same(ours: Any, theirs: pd.Series, customers: np.ndarray | None, tool: str) -> None:
    """``theirs`` (customer, month) → fen-days equals bankcrm's on the compared customers."""
    frame = pd.DataFrame(ours)
    if customers is not None:
        frame = frame[frame["customer_id"].isin(customers)]
    index = pd.MultiIndex.from_arrays(
        [frame["customer_id"].to_numpy(), frame["start"].dt.month.to_numpy()]
    )
    expected = frame["balance_days_fen"].to_numpy()
    extra = theirs.index.difference(index)
    if len(extra) and bool((theirs.loc[extra] != 0).any()):
        raise AssertionError(f"{tool} has customers or months that bankcrm does not")
    got = theirs.reindex(index, fill_value=0).to_numpy().astype(np.int64)
    if not np.array_equal(got, expected):
        bad = int((got != expected).sum())
        raise AssertionError(f"{tool} differs from bankcrm in {bad} customer-months")


def _interleaved(
    case: str, tools: list[tuple[str, Callable[[], Any], bool, str, float]], repeats: int
) -> list[Measurement]:
    """Time every tool once per round (the shared machine's load drifts); medians, each
    multiplied by the tool's extrapolation factor."""
    times: dict[str, list[float]] = {name: [] for name, *_ in tools}
    for _ in range(repeats):
        for name, fn, _trace, _note, _factor in tools:
            gc.collect()
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    out = []
    for name, fn, trace, note, factor in tools:
        peak = traced_peak(fn) if trace else None
        seconds = statistics.median(times[name]) * factor
        out.append(Measurement(case, name, seconds, repeats, peak, note))
    return out


_RSS_PROBE = """
import gc
from benchmarks.bench_membership import bankcrm_monthly, make_data
data = make_data({customers})
gc.collect()
def status(field):
    with open("/proc/self/status") as lines:
        return next(int(line.split()[1]) for line in lines if line.startswith(field))
base = status("VmRSS")
with open("/proc/self/clear_refs", "w") as refs:
    refs.write("5")  # reset the peak (VmHWM) to the current resident set
bankcrm_monthly(data.accounts, data.balances, data.fx_rates)
print((status("VmHWM") - base) // 1024)
"""


def _rss_above_input(n_customers: int) -> int | None:
    """Peak resident set above the loaded input (MiB) of one bankcrm run in a fresh process
    (Linux only; ``None`` elsewhere)."""
    if not os.path.exists("/proc/self/clear_refs"):
        return None
    try:
        done = subprocess.run(
            [sys.executable, "-c", _RSS_PROBE.format(customers=n_customers)],
            check=True,
            capture_output=True,
            text=True,
        )
    except (subprocess.CalledProcessError, OSError):
        return None
    return int(done.stdout.strip().splitlines()[-1])


def _case(n_customers: int, pandas_every: int, repeats: int) -> tuple[list[Measurement], str]:
    above = _rss_above_input(n_customers)
    started = time.perf_counter()
    data = make_data(n_customers)
    generated = time.perf_counter() - started
    accounts, balances, fx = data.accounts, data.balances, data.fx_rates
    n_acc, n_rows = len(accounts), len(balances)
    input_mib = (accounts.memory_usage(deep=True).sum() + balances.memory_usage().sum()) / 2**20
    case = f"12 monthly averages, {n_acc:,} accounts / {n_rows:,} balance rows"
    ours = bankcrm_monthly(accounts, balances, fx)

    con = duckdb.connect()
    con.execute("SET threads = 2")
    con.register("accounts", accounts)
    con.register("balances", balances)
    con.register("fx_rates", fx)
    con.register("weights", _weights(accounts))
    sql = duckdb_sql()

    def run_duckdb() -> pd.Series:
        got = con.execute(sql).df()
        return got.set_index(["customer_id", "month"])["balance_days_fen"]

    _same(ours, run_duckdb(), None, "DuckDB")

    picked = accounts["customer_id"].to_numpy() % pandas_every == 0
    sub_accounts = accounts[picked].reset_index(drop=True)
    sub_balances = balances[balances["account_id"].isin(sub_accounts["account_id"])]
    sub_balances = sub_balances.reset_index(drop=True)
    factor = n_acc / len(sub_accounts)
    _same(
        ours,
        pandas_daily(sub_accounts, sub_balances, fx),
        sub_accounts["customer_id"].unique(),
        "pandas",
    )
    rss = "" if above is None else f"; peak RSS {above:,} MiB above the input (fresh process)"
    tools: list[tuple[str, Callable[[], Any], bool, str, float]] = [
        (
            "bankcrm",
            lambda: bankcrm_monthly(accounts, balances, fx),
            True,
            f"input {input_mib:,.0f} MiB (snapshots); peak = traced numpy/Python{rss}",
            1.0,
        ),
        (
            f"duckdb {duckdb.__version__}",
            run_duckdb,
            False,
            "2 threads, frames read in place; same fen-days (asserted, all customers)",
            1.0,
        ),
        (
            f"pandas {pd.__version__} daily reindex+ffill",
            lambda: pandas_daily(sub_accounts, sub_balances, fx),
            True,
            f"{len(sub_accounts):,} accounts (every {pandas_every}th customer), time × "
            f"{factor:.1f} (linear); peak MiB is the subsample's; same fen-days (asserted)",
            factor,
        ),
    ]
    out = _interleaved(case, tools, repeats)
    con.close()
    sizes = (
        f"Data: {n_customers:,} customers, {n_acc:,} accounts, {n_rows:,} balance rows "
        f"(generated in {generated:.1f} s, not timed)."
    )
    return out, sizes


def run(smoke: bool) -> Section:
    """Run the membership benchmark (tiny when ``smoke``)."""
    started = time.perf_counter()
    load_at_start = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    if smoke:
        measurements, sizes = _case(2_000, pandas_every=4, repeats=1)
    else:
        measurements, sizes = _case(455_000, pandas_every=40, repeats=3)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    notes = (
        f"{sizes} All tools read the balance snapshots (`balance`), not the change events. "
        "bankcrm's, DuckDB's and pandas' `balance_days_fen` per customer and month are "
        "asserted equal (exact integer fen, FX converted per day and rounded half up in every "
        "tool). pandas cannot hold one row per account and day for the whole set (~365 M rows), "
        "so it runs on a subsample of customers and its median is scaled linearly by the "
        "number of accounts. Tier evaluation (`evaluate_tiers`, built the same session) is not "
        "yet in the timed work. "
        f"Machine: {platform.machine()}, {os.cpu_count()} cores shared with other jobs "
        f"(1-min load {load_at_start:.1f} at the start, {load:.1f} at the end); "
        f"run took {time.perf_counter() - started:.0f} s."
    )
    return Section("membership", "Membership daily averages", tuple(measurements), notes)
