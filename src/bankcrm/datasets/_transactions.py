"""Customer transactions: heavy-tailed activity and amounts over a few years.

Each customer gets an activity weight (log-normal, so a few customers transact a lot and some
not at all) and the requested number of transactions is shared out by a multinomial draw, so the
total is exact. A customer is active between a first day (most were customers before the
window opened; some join during it) and a last day (some churn and stop early), transacts on
uniformly random days in between, and spends log-normal amounts around a personal scale.

A small share of rows (``reversal_rate``) are reversals: the negated amount of the customer's
previous transaction, on the same day or later. Rows are ordered by customer and date. Columns
are ``customer_id`` (int64), ``date`` (datetime64[s]) and ``amount`` (float64 yuan with two
decimals): no object columns, so 100 million rows fit in a few GiB.

>>> tx = generate_transactions(100, 2_000, seed=1)
>>> len(tx), str(tx["amount"].dtype), str(tx["customer_id"].dtype)
(2000, 'float64', 'int64')
>>> bool(tx["customer_id"].between(1, 100).all())
True
"""

from __future__ import annotations

import itertools

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
    check_seed,
    stream,
    to_day,
)
from bankcrm.errors import InputError

__all__ = ["generate_transactions"]

IntArray = npt.NDArray[np.int64]

#: Shares of customers who join during the window and who stop transacting before its end.
JOIN_LATE_SHARE = 0.3
CHURN_SHARE = 0.25
#: Log-normal spread of activity between customers and of amounts within and between them.
ACTIVITY_SIGMA = 1.3
SCALE_MEDIAN_YUAN = 300.0
SCALE_SIGMA = 1.2
AMOUNT_SIGMA = 0.9
#: Rows generated per block: bounds the temporary memory whatever the total size.
BLOCK_ROWS = 2_000_000


def _windows(n: int, span: int, rng: np.random.Generator) -> tuple[IntArray, IntArray]:
    """First and last active day offsets (inclusive) of every customer."""
    first = np.zeros(n, dtype=np.int64)
    late = rng.random(n) < JOIN_LATE_SHARE
    first[late] = rng.integers(0, span, int(late.sum()))
    last = np.full(n, span - 1, dtype=np.int64)
    churn = rng.random(n) < CHURN_SHARE
    gap = span - first[churn]
    last[churn] = first[churn] + (rng.random(int(churn.sum())) * gap).astype(np.int64)
    return first, last


def _fill_block(
    lo: int,
    hi: int,
    counts: IntArray,
    first: IntArray,
    last: IntArray,
    scale: npt.NDArray[np.float64],
    reversal_rate: float,
    rng: np.random.Generator,
    out: tuple[IntArray, IntArray, npt.NDArray[np.float64]],
    offset: int,
) -> int:
    """Generate the transactions of customers ``lo..hi-1`` into ``out`` from row ``offset``."""
    customer_out, day_out, amount_out = out
    block_counts = counts[lo:hi]
    rows = int(block_counts.sum())
    if rows == 0:
        return offset
    local = np.repeat(np.arange(hi - lo, dtype=np.int64), block_counts)
    width = last[lo:hi] - first[lo:hi] + 1
    day = first[lo:hi][local] + (rng.random(rows) * width[local]).astype(np.int64)
    # Order by customer, then day, with one integer sort (days < 2**32).
    key = np.sort((local << 32) | day)
    local = key >> 32
    day = key & 0xFFFFFFFF
    amount = np.round(scale[lo:hi][local] * rng.lognormal(0.0, AMOUNT_SIGMA, rows), 2)
    amount = np.maximum(amount, 0.01)
    # Reversals negate the previous transaction of the same customer (never two in a row).
    reverse = rng.random(rows) < reversal_rate
    reverse[0] = False
    reverse[1:] &= local[1:] == local[:-1]
    reverse[1:] &= ~reverse[:-1]
    at = np.flatnonzero(reverse)
    amount[at] = -amount[at - 1]
    end = offset + rows
    customer_out[offset:end] = local + lo + 1
    day_out[offset:end] = day
    amount_out[offset:end] = amount
    return end


def generate_transactions(
    n_customers: int,
    n_transactions: int,
    *,
    seed: int,
    start: DateLike = DEFAULT_START,
    end: DateLike = DEFAULT_END,
    reversal_rate: float = 0.01,
) -> pd.DataFrame:
    """Transactions of customers ``1..n_customers`` between ``start`` and ``end`` (inclusive).

    Args:
        n_customers: customers ``customer_id`` 1..n (the synthetic bank's ``person_id``).
        n_transactions: exactly this many rows.
        seed: the random seed; the same arguments always give the same frame.
        start: first day of the history.
        end: last day of the history.
        reversal_rate: share of rows that reverse the customer's previous transaction.

    Returns:
        ``customer_id`` (int64), ``date`` (datetime64[s]), ``amount`` (float64 yuan, two
        decimals; reversals negative), ordered by customer and date.

    Raises:
        InputError: a count is negative, a rate is outside [0, 1], or ``end`` precedes ``start``.

    >>> tx = generate_transactions(10, 50, seed=2, reversal_rate=0.0)
    >>> bool((tx["amount"] > 0).all()), tx["date"].min() >= pd.Timestamp("2023-01-01")
    (True, True)
    """
    n = check_count(n_customers, "n_customers")
    total = check_count(n_transactions, "n_transactions")
    rate = check_rate(reversal_rate, "reversal_rate")
    rng = stream(check_seed(seed), Shape.TRANSACTIONS)
    first_day, last_day = to_day(start, "start"), to_day(end, "end")
    span = int((last_day - first_day).astype(np.int64)) + 1
    if span <= 0:
        raise InputError("end precedes start", column="end", rule="date_order")
    if n == 0 and total > 0:
        raise InputError(
            "transactions need at least one customer", column="n_customers", rule="count"
        )

    activity = rng.lognormal(0.0, ACTIVITY_SIGMA, n)
    counts = rng.multinomial(total, activity / activity.sum()) if n else np.zeros(0, np.int64)
    counts = counts.astype(np.int64)
    first, last = _windows(n, span, rng)
    scale = SCALE_MEDIAN_YUAN * rng.lognormal(0.0, SCALE_SIGMA, n)

    customer = np.empty(total, dtype=np.int64)
    day = np.empty(total, dtype=np.int64)
    amount = np.empty(total, dtype=np.float64)
    # Blocks of customers holding about BLOCK_ROWS rows each.
    bounds = np.searchsorted(np.cumsum(counts), np.arange(BLOCK_ROWS, total, BLOCK_ROWS))
    edges = sorted({0, n} | {min(int(b) + 1, n) for b in bounds})
    offset = 0
    for lo, hi in itertools.pairwise(edges):
        if hi > lo:
            offset = _fill_block(
                lo, hi, counts, first, last, scale, rate, rng, (customer, day, amount), offset
            )
    # Reuse the day buffer for the dates (int64 days -> datetime64[s] in place).
    day *= 86_400
    day += int(first_day.astype("datetime64[s]").astype(np.int64))
    dates = day.view("datetime64[s]")
    return pd.DataFrame({"customer_id": customer, "date": dates, "amount": amount}, copy=False)
