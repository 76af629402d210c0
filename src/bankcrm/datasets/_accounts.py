"""Accounts, their balance history (as snapshots and as change events) and FX rates.

Every customer holds one or more accounts across six asset classes, mostly in RMB and some in
USD, HKD or EUR. A customer's wealth is heavy-tailed, and a few customers are deliberately placed
near the RMB 1 M and 10 M daily-average thresholds so that membership tiers have boundary cases.

The history of an account inside the window is described twice, and the two agree exactly:

- ``balances``: one row per day on which the end-of-day balance changed (plus the first day of
  the history); the balance holds from that day until the account's next row. An account
  opened before the window starts with a row on the window's first day (the balance brought
  forward); a closed account ends with a zero balance on its closing day.
- ``balance_changes``: the same days with ``amount`` = the change of the end-of-day balance
  (the first row's amount is the first balance), so a running sum per account gives the
  snapshots back.

Amounts are float64 in the account's currency with two decimals (generated as integer fen, so
``round(x * 100)`` recovers the exact fen). ``fx_rates`` holds RMB per unit of each foreign
currency on weekdays (a central-parity-like fixing; carry the last fixing over weekends), plus
a fixing on the first day, so that every balance day has a rate.

>>> frames = generate_accounts(200, seed=1)
>>> sorted(frames.accounts["asset_class"].unique())[:3]
['bond', 'demand_deposit', 'fund']
>>> bool(frames.accounts["customer_id"].between(1, 200).all())
True
"""

from __future__ import annotations

import attrs
import numpy as np
import numpy.typing as npt
import pandas as pd

from bankcrm.calendar import DateLike
from bankcrm.datasets._common import (
    DEFAULT_END,
    DEFAULT_START,
    Shape,
    check_count,
    check_rate,
    check_ratio,
    check_seed,
    stream,
    to_day,
)
from bankcrm.errors import InputError

__all__ = [
    "ASSET_CLASSES",
    "CURRENCIES",
    "AccountFrames",
    "generate_accounts",
    "generate_fx_rates",
]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

#: Asset classes, their share of accounts, mean balance changes per year and volatility of the
#: balance between changes (log-normal sigma; 0 for balances that stay put until closed).
ASSET_CLASSES: tuple[str, ...] = (
    "demand_deposit",
    "time_deposit",
    "wealth_product",
    "fund",
    "insurance",
    "bond",
)
_CLASS_SHARES = np.array([0.45, 0.20, 0.12, 0.10, 0.08, 0.05])
_CHANGES_PER_YEAR = np.array([6.0, 0.3, 2.0, 3.0, 0.7, 1.0])
_CLASS_SIGMA = np.array([0.35, 0.0, 0.05, 0.15, 0.02, 0.03])

#: Currencies, their share of accounts, and the RMB rate the FX walk starts from.
CURRENCIES: tuple[str, ...] = ("CNY", "USD", "HKD", "EUR")
_CURRENCY_SHARES = np.array([0.90, 0.05, 0.03, 0.02])
_START_RATES = np.array([1.0, 7.10, 0.91, 7.80])
_FX_DAILY_SIGMA = 0.003

#: Customer wealth (RMB): log-normal around the median; plus customers placed near thresholds.
WEALTH_MEDIAN_YUAN = 50_000.0
WEALTH_SIGMA = 1.6
NEAR_1M_SHARE = 0.03
NEAR_10M_SHARE = 0.005
NEAR_BAND = 0.15  # ± share around the threshold
#: Shares of accounts opened during the window and of accounts closed during it.
OPENED_IN_WINDOW = 0.35
CLOSED_IN_WINDOW = 0.10


@attrs.frozen(eq=False)
class AccountFrames:
    """The frames of :func:`generate_accounts`."""

    accounts: pd.DataFrame
    balances: pd.DataFrame
    balance_changes: pd.DataFrame
    fx_rates: pd.DataFrame


def generate_fx_rates(
    *, seed: int, start: DateLike = DEFAULT_START, end: DateLike = DEFAULT_END
) -> pd.DataFrame:
    """Weekday RMB rates (``currency``, ``date``, ``rate`` = RMB per unit, four decimals).

    The first day always has a fixing, even on a weekend (it repeats the walk's starting
    rate), so that every day from ``start`` on has a rate on or before it.

    >>> fx = generate_fx_rates(seed=1)
    >>> sorted(fx["currency"].unique())
    ['EUR', 'HKD', 'USD']
    >>> bool((fx["date"].dt.day_of_week < 5).all())   # 2023-01-01 is a Sunday
    False
    >>> later = fx["date"] > fx["date"].min()
    >>> bool((fx.loc[later, "date"].dt.day_of_week < 5).all()), str(fx["date"].min().date())
    (True, '2023-01-01')
    """
    rng = stream(check_seed(seed), Shape.FX)
    first, last = to_day(start, "start"), to_day(end, "end")
    days = np.arange(first, last + np.timedelta64(1, "D"), dtype="datetime64[D]")
    first_is_weekend = len(days) > 0 and not bool(np.is_busday(days[0]))
    days = days[np.is_busday(days)]
    if first_is_weekend:  # a fixing on the first day too, so every day of the window has a rate
        days = np.concatenate([np.asarray([first], dtype="datetime64[D]"), days])
    frames = []
    for code, base in zip(CURRENCIES[1:], _START_RATES[1:], strict=True):
        # the walk is drawn over the weekdays only (the first-day fixing repeats the walk's
        # start), so adding that fixing changes no other rate
        walk = np.cumsum(rng.normal(0.0, _FX_DAILY_SIGMA, len(days) - first_is_weekend))
        if first_is_weekend:
            walk = np.concatenate([walk[:1], walk])
        rate = np.round(base * np.exp(walk - walk[0] if len(walk) else walk), 4)
        frames.append(
            pd.DataFrame(
                {
                    "currency": pd.Series([code] * len(days), dtype="str"),
                    "date": days.astype("datetime64[s]"),
                    "rate": rate,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def _customer_wealth(n: int, near_share: float, rng: np.random.Generator) -> FloatArray:
    """Target RMB assets per customer, some of them near the 1 M and 10 M thresholds."""
    wealth = WEALTH_MEDIAN_YUAN * rng.lognormal(0.0, WEALTH_SIGMA, n)
    draw = rng.random(n)
    band = rng.uniform(1 - NEAR_BAND, 1 + NEAR_BAND, n)
    cut = near_share * NEAR_1M_SHARE / (NEAR_1M_SHARE + NEAR_10M_SHARE)
    near_1m = draw < cut
    near_10m = (draw >= cut) & (draw < near_share)
    wealth[near_1m] = 1_000_000 * band[near_1m]
    wealth[near_10m] = 10_000_000 * band[near_10m]
    return wealth


def _history(
    first: IntArray,
    last: IntArray,
    closed: npt.NDArray[np.bool_],
    level_fen: IntArray,
    asset: IntArray,
    changes_scale: float,
    rng: np.random.Generator,
) -> tuple[IntArray, IntArray, IntArray]:
    """Rows (account index, day offset, end-of-day balance in fen) sorted by account and day.

    ``last`` is the closing day for closed accounts (balance 0 that day) and the window's last
    day otherwise; balances change on random days strictly between.
    """
    n = len(first)
    active_days = np.maximum(last - first, 0)
    expected = _CHANGES_PER_YEAR[asset] * changes_scale * active_days / 365.0
    k = rng.poisson(expected).astype(np.int64)
    k = np.where(active_days > 1, k, 0)
    sigma = _CLASS_SIGMA[asset]

    acct_first = np.arange(n, dtype=np.int64)
    bal_first = np.rint(level_fen * rng.lognormal(0.0, 0.1, n)).astype(np.int64)

    acct_change = np.repeat(acct_first, k)
    span = np.maximum(active_days - 1, 1)[acct_change]
    day_change = first[acct_change] + 1 + (rng.random(len(acct_change)) * span).astype(np.int64)
    noise = rng.lognormal(0.0, 1.0, len(acct_change)) ** sigma[acct_change]
    bal_change = np.rint(level_fen[acct_change] * noise).astype(np.int64)
    # Time deposits and other zero-sigma classes: a change is a top-up by a round amount.
    flat = sigma[acct_change] == 0
    bump = rng.integers(1, 5, int(flat.sum())) * 1_000_000  # RMB 10 000 steps, in fen
    bal_change[flat] = level_fen[acct_change[flat]] + bump

    acct_close = acct_first[closed]
    day_close = last[closed]

    acct = np.concatenate([acct_first, acct_change, acct_close])
    day = np.concatenate([first, day_change, day_close])
    bal = np.concatenate([bal_first, bal_change, np.zeros(len(acct_close), dtype=np.int64)])
    key = (acct << 32) | day
    order = np.argsort(key, kind="stable")
    key, bal = key[order], bal[order]
    # One row per account and day: the last balance written that day wins.
    keep = np.ones(len(key), dtype=bool)
    keep[:-1] = key[:-1] != key[1:]
    key, bal = key[keep], bal[keep]
    acct, day = key >> 32, key & 0xFFFFFFFF
    # Drop rows that do not change the balance (except each account's first row).
    first_row = np.ones(len(acct), dtype=bool)
    first_row[1:] = acct[1:] != acct[:-1]
    changed = np.ones(len(acct), dtype=bool)
    changed[1:] = bal[1:] != bal[:-1]
    keep = first_row | changed
    return acct[keep], day[keep], bal[keep]


def generate_accounts(
    n_customers: int,
    *,
    seed: int,
    start: DateLike = DEFAULT_START,
    end: DateLike = DEFAULT_END,
    accounts_per_customer: float = 2.2,
    changes_scale: float = 1.0,
    near_threshold_share: float = NEAR_1M_SHARE + NEAR_10M_SHARE,
) -> AccountFrames:
    """Accounts of customers ``1..n_customers`` with their balance history and FX rates.

    Args:
        n_customers: customers ``customer_id`` 1..n (the synthetic bank's ``person_id``).
        seed: the random seed; the same arguments always give the same frames.
        start: first day of the balance history.
        end: last day of the balance history.
        accounts_per_customer: mean accounts per customer (each has at least one).
        changes_scale: multiplies every asset class's balance changes per year (history size).
        near_threshold_share: share of customers placed within ±15 % of RMB 1 M or 10 M
            (six in seven of them near 1 M).

    Returns:
        :class:`AccountFrames`: ``accounts`` (``account_id``, ``customer_id``,
        ``asset_class``, ``currency``, ``opened_on``, ``closed_on``), ``balances``
        (``account_id``, ``date``, ``balance``), ``balance_changes`` (``account_id``, ``date``,
        ``amount``) and ``fx_rates`` (``currency``, ``date``, ``rate``).

    Raises:
        InputError: a count or knob is out of range, or ``end`` precedes ``start``.
    """
    n = check_count(n_customers, "n_customers")
    per_customer = check_ratio(accounts_per_customer, "accounts_per_customer", maximum=50.0)
    if per_customer < 1.0:
        raise InputError("must be at least 1", column="accounts_per_customer", rule="range")
    scale = check_ratio(changes_scale, "changes_scale", maximum=100.0)
    near_share = check_rate(near_threshold_share, "near_threshold_share")
    rng = stream(check_seed(seed), Shape.ACCOUNTS)
    first_day, last_day = to_day(start, "start"), to_day(end, "end")
    span = int((last_day - first_day).astype(np.int64)) + 1
    if span <= 0:
        raise InputError("end precedes start", column="end", rule="date_order")
    fx = generate_fx_rates(seed=seed, start=start, end=end)

    counts = 1 + rng.poisson(per_customer - 1.0, n).astype(np.int64)
    owner = np.repeat(np.arange(n, dtype=np.int64), counts)
    m = len(owner)
    asset = rng.choice(len(ASSET_CLASSES), size=m, p=_CLASS_SHARES).astype(np.int64)
    currency = rng.choice(len(CURRENCIES), size=m, p=_CURRENCY_SHARES).astype(np.int64)

    wealth = _customer_wealth(n, near_share, rng)
    # Split each customer's wealth over their accounts (flat Dirichlet via exponentials).
    weight = rng.exponential(1.0, m)
    share = weight / np.bincount(owner, weights=weight, minlength=n)[owner]
    level_fen = np.rint(wealth[owner] * share / _START_RATES[currency] * 100).astype(np.int64)

    # Opening and closing days as offsets from the window's first day (negative = before it).
    opened = np.where(
        rng.random(m) < OPENED_IN_WINDOW,
        rng.integers(0, span, m),
        -rng.integers(1, 10 * 365, m),
    )
    first = np.maximum(opened, 0)
    can_close = first < span - 1
    closed = can_close & (rng.random(m) < CLOSED_IN_WINDOW)
    close_day = first + 1 + (rng.random(m) * np.maximum(span - 1 - first, 1)).astype(np.int64)
    close_day = np.minimum(close_day, span - 1)
    last = np.where(closed, close_day, span - 1)

    acct, day, bal = _history(first, last, closed, level_fen, asset, scale, rng)

    account_id = np.arange(1, m + 1, dtype=np.int64)
    opened_on = (first_day + opened.astype("timedelta64[D]")).astype("datetime64[s]")
    closed_on = (first_day + close_day.astype("timedelta64[D]")).astype("datetime64[s]")
    accounts = pd.DataFrame(
        {
            "account_id": account_id,
            "customer_id": owner + 1,
            "asset_class": pd.Series(np.asarray(ASSET_CLASSES)[asset], dtype="str"),
            "currency": pd.Series(np.asarray(CURRENCIES)[currency], dtype="str"),
            "opened_on": opened_on,
            "closed_on": pd.Series(closed_on).mask(pd.Series(~closed)),
        }
    )
    dates = (first_day + day.astype("timedelta64[D]")).astype("datetime64[s]")
    account_ids = acct + 1
    del acct, day
    # Each frame owns its arrays (no copies beyond the second frame's keys), so editing one
    # frame in place can never change the other.
    balances = pd.DataFrame(
        {"account_id": account_ids, "date": dates, "balance": bal / 100}, copy=False
    )
    change = np.diff(bal, prepend=0)
    starts = np.ones(len(account_ids), dtype=bool)
    starts[1:] = account_ids[1:] != account_ids[:-1]
    change[starts] = bal[starts]
    del bal
    balance_changes = pd.DataFrame(
        {"account_id": account_ids.copy(), "date": dates.copy(), "amount": change / 100},
        copy=False,
    )
    return AccountFrames(accounts, balances, balance_changes, fx)
