"""Exact daily-average balances (日均余额) per customer or account, per period, in one call.

The daily average of a window is the sum of the end-of-day balance over **every calendar day**
of the window divided by its number of calendar days (``../shared/DOMAIN.md`` §4). The sum,
``balance_days_fen``, is kept exactly (int64 RMB fen-days); the average in yuan is for display
only. A threshold is decided by :func:`meets`, which compares the exact sum with
threshold × days by cross-multiplication, never a rounded average.

Weighted asset classes (:class:`~bankcrm.membership.AssetPolicy`): the sum is
``Σ weight × rmb_fen × days`` computed exactly (integers over the weights' common denominator)
and rounded half up **once** per output row. The evidence columns (``max_balance_fen``,
``min_balance_fen``: the largest and smallest daily total of the window, zero days included;
``end_balance_fen``: the total on the window's last day) are rounded the same way.

How it runs: the frames are validated once (:func:`~bankcrm.membership.balances.load_inputs`),
then a compiled loop (:mod:`bankcrm.membership._kernels`, Numba, loaded on first use) walks
the (account, day)-sorted rows once per customer, converting foreign balances day by day half
up in integers, with no per-day rows. Whatever it cannot decide exactly — an error to raise, a
rate too wide for int64, sums near the int64 range — goes to the NumPy intervals of
:mod:`bankcrm.membership.balances`, which raise the documented error or compute the exact
answer (tests check both paths agree). :func:`window_sums` shares one validation between
several (asset policy, window) requests (``evaluate_tiers``).

Partial periods: with ``periods=``, the windows are the calendar periods that meet
[start, end], clipped to it; each divides by its own calendar days. Days before an account
opened count as zero (the default partial-period rule of issue 11).

Examples:
    >>> import pandas as pd
    >>> accounts = pd.DataFrame({"account_id": [1, 2], "customer_id": ["c1", "c1"],
    ...     "asset_class": ["demand_deposit", "time_deposit"], "currency": ["CNY", "CNY"],
    ...     "opened_on": pd.to_datetime(["2025-01-01", "2026-02-15"])})
    >>> balances = pd.DataFrame({"account_id": [1, 1, 2],
    ...     "date": pd.to_datetime(["2025-01-01", "2026-02-10", "2026-02-15"]),
    ...     "amount": [1_000_000.00, -400_000.00, 500_000.00]})
    >>> out = daily_average(accounts, balances, start="2026-01-01", end="2026-02-28",
    ...                     periods="month")
    >>> out[["customer_id", "start", "end", "days", "balance_days_fen", "daily_average"]]
      customer_id      start        end  days  balance_days_fen  daily_average
    0          c1 2026-01-01 2026-01-31    31        3100000000     1000000.00
    1          c1 2026-02-01 2026-02-28    28        2740000000      978571.43
    >>> out[["max_balance_fen", "min_balance_fen", "end_balance_fen"]].iloc[1].tolist()
    [110000000, 60000000, 110000000]
    >>> meets(out["balance_days_fen"], out["days"], 1_000_000, "以上").tolist()
    [True, False]
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from fractions import Fraction
from typing import Any, Literal

import attrs
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from bankcrm._fx import RMB_CODES
from bankcrm.calendar import DateLike, PeriodKind, periods_between
from bankcrm.errors import InputError, Rule
from bankcrm.membership.assets import FINANCIAL_ASSETS, AssetPolicy
from bankcrm.membership.balances import (
    Loaded,
    as_dates,
    check_request,
    day_number,
    intervals_of,
    load_inputs,
    split,
)
from bankcrm.policy import stamp_provenance
from bankcrm.ratios import Comparator, compare_ratio, compare_ratios, exact_number

__all__ = ["daily_average", "meets"]

I64 = NDArray[np.int64]
_EXACT = 2.0**52  # float sums below this bound are exact integers
_FAST_CELLS = 1 << 22  # (group × day) cells the compiled walk always takes
_NO_DAY = np.iinfo(np.int64).max // 4  # as balances._NO_DAY: no row


def meets(
    balance_days_fen: Any,
    days: Any,
    threshold_yuan: Any,
    comparator: Comparator | str = ">=",
) -> Any:
    """Whether a daily average ``balance_days_fen / days`` (fen) meets ``threshold_yuan``.

    Decided exactly as ``balance_days_fen <op> threshold_yuan × 100 × days`` (cross-
    multiplication in integers or Fractions), never on a rounded average. Scalars give a
    ``bool``; columns (Series, arrays, lists) give a boolean array.

    >>> days = 31
    >>> meets(1_000_000 * 100 * days, days, 1_000_000, "以上")      # exactly the threshold
    True
    >>> meets(1_000_000 * 100 * days - 1, days, 1_000_000, "以上")  # one fen-day short
    False
    >>> meets([310, 309], [31, 31], "0.10", ">=").tolist()
    [True, False]
    """
    limit = exact_number(threshold_yuan, column="threshold_yuan") * 100
    scalar = np.ndim(balance_days_fen) == 0 and np.ndim(days) == 0
    if scalar:
        return compare_ratio(_scalar(balance_days_fen), _scalar(days), Fraction(limit), comparator)
    if np.ndim(days) == 0:
        days = int(_scalar(days))
    return compare_ratios(balance_days_fen, days, Fraction(limit), comparator)


def _scalar(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _exact_sum(keys: NDArray[np.intp], values: I64, n: int) -> I64:
    """Per-key int64 sums, exact: float bincount when every partial sum is provably exact,
    else in chunks of two 32-bit halves (each chunk's float sums exact)."""
    if len(values) == 0:
        return np.zeros(n, dtype=np.int64)
    magnitude = np.bincount(keys, weights=np.abs(values).astype(np.float64), minlength=n)
    if float(magnitude.max()) < _EXACT:
        return np.rint(np.bincount(keys, weights=values.astype(np.float64), minlength=n)).astype(
            np.int64
        )
    total = np.zeros(n, dtype=np.int64)
    chunk = 1 << 19
    for begin in range(0, len(values), chunk):
        part, k = values[begin : begin + chunk], keys[begin : begin + chunk]
        high = (part >> 32).astype(np.float64)
        low = (part & np.int64(0xFFFFFFFF)).astype(np.float64)
        total += np.bincount(k, weights=high, minlength=n).astype(np.int64) << 32
        total += np.bincount(k, weights=low, minlength=n).astype(np.int64)
    return total


def _divide_half_up(values: I64, scale: int) -> I64:
    if scale == 1:
        return values
    quotient, rest = np.divmod(values, scale)  # floor division: rest in [0, scale)
    result: I64 = quotient + (2 * rest >= scale)
    return result


def _scaled_weights(weights: tuple[Fraction, ...]) -> tuple[I64, int]:
    """Per-account integer weights over their common denominator, and that denominator."""
    # the accounts share a few Fraction objects: key by identity (hashing a Fraction per
    # account costs seconds at a million accounts), then by value
    by_id = {id(w): w for w in weights}
    scale = 1
    for w in set(by_id.values()):
        scale = math.lcm(scale, w.denominator)
    table = {key: int(w * scale) for key, w in by_id.items()}
    return np.asarray([table[id(w)] for w in weights], dtype=np.int64), scale


def _sorted_by(key: I64) -> NDArray[np.intp]:
    """A stable sort order of non-negative int64 keys (packed with positions when they fit)."""
    n = len(key)
    if n > 1:
        bits = (n - 1).bit_length()
        if int(key.max()).bit_length() + bits <= 63:
            packed = (key << np.int64(bits)) | np.arange(n, dtype=np.int64)
            packed.sort()
            packed &= np.int64((1 << bits) - 1)
            return packed.astype(np.intp)
    return np.argsort(key, kind="stable")


def _extremes(
    key: I64, first: I64, last: I64, value: I64, window_first: I64, window_last: I64
) -> tuple[I64, I64]:
    """Largest and smallest daily total per key (zero days included), via sorted ± events."""
    n_keys = len(window_first)
    every = np.arange(n_keys, dtype=np.int64)
    ev_key = np.concatenate([every, key, key])
    ev_day = np.concatenate([window_first, first, last + 1])
    ev_val = np.concatenate([np.zeros(n_keys, dtype=np.int64), value, -value])
    low = int(window_first.min())
    width = int(max(int(window_last.max()), int(last.max()) if len(last) else 0)) - low + 2
    order = _sorted_by(ev_key * width + (ev_day - low))
    ev_key, ev_day = ev_key[order], ev_day[order]
    running = np.cumsum(ev_val[order])  # every key's events sum to zero: no reset needed
    last_of_day = np.ones(len(ev_key), dtype=bool)
    last_of_day[:-1] = (ev_key[1:] != ev_key[:-1]) | (ev_day[1:] != ev_day[:-1])
    valid = last_of_day & (ev_day <= window_last[ev_key])
    keys, totals = ev_key[valid], running[valid]
    bounds = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    return np.maximum.reduceat(totals, bounds), np.minimum.reduceat(totals, bounds)


_GRID_CELLS = 1 << 23  # int64 cells of one block of groups in _day_grid (64 MiB)


def _grid_fits(n_groups: int, n_days: int, n_intervals: int, value: I64, iv: Any) -> bool:
    """Whether a (group × day) grid is cheaper than splitting and sorting the intervals, and
    no balance-days can reach the int64 range (else :func:`_by_pieces` checks and raises)."""
    if n_groups * (n_days + 1) > 64 * (n_intervals + n_groups):
        return False
    if n_intervals == 0:
        return True
    longest = min(int((iv.last - iv.first).max()) + 1, n_days)
    return float(np.abs(value).max()) * float(longest) < 2.0**62


def _day_grid(
    group: NDArray[np.intp],
    first: I64,
    last: I64,
    value: I64,
    w_first: I64,
    w_last: I64,
    n_groups: int,
) -> tuple[I64, I64, I64, I64]:
    """Per group and window: balance-days, last-day total, largest and smallest daily total.

    The windows are contiguous ranges starting at ``w_first``; ``first``/``last`` are
    inclusive days inside them. Each block of groups gets a dense (group × day) grid of ±
    changes (``np.add.at``), cumulated along the days into daily totals (zero days included),
    then reduced per window — exact int64, no sort, no split at window boundaries.
    """
    start, end = int(w_first[0]), int(w_last[-1])
    width = end - start + 2  # a spare column for the change on the day after ``end``
    n_win = len(w_first)
    offsets = (w_first - start).astype(np.intp)
    ends = (w_last - start).astype(np.intp)
    out = [np.empty((n_groups, n_win), dtype=np.int64) for _ in range(4)]
    per_block = max(1, _GRID_CELLS // width)
    n_blocks = -(-n_groups // per_block)
    edges = np.arange(n_blocks + 1, dtype=np.int64)
    order: NDArray[np.intp] | None = None
    if len(group) < 2 or bool((group[1:] >= group[:-1]).all()):
        bounds = np.searchsorted(group, edges * per_block)
    else:
        block = group // per_block
        order = np.argsort(block.astype(np.int16 if n_blocks < 2**15 else np.int64), kind="stable")
        bounds = np.searchsorted(block[order], edges)
    for b in range(n_blocks):
        g0, g1 = b * per_block, min(n_groups, (b + 1) * per_block)
        pick: Any = slice(int(bounds[b]), int(bounds[b + 1]))
        if order is not None:
            pick = order[pick]
        cell = (group[pick] - g0).astype(np.int64) * width - start
        v = value[pick]
        grid = np.zeros((g1 - g0) * width, dtype=np.int64)
        np.add.at(grid, cell + first[pick], v)
        np.add.at(grid, cell + last[pick] + 1, -v)
        days = grid.reshape(g1 - g0, width)[:, : width - 1]
        np.cumsum(days, axis=1, out=days)  # daily totals (int64 wraps cancel in the sums)
        out[0][g0:g1] = np.add.reduceat(days, offsets, axis=1)
        out[1][g0:g1] = days[:, ends]
        out[2][g0:g1] = np.maximum.reduceat(days, offsets, axis=1)
        out[3][g0:g1] = np.minimum.reduceat(days, offsets, axis=1)
    total, end_total, high, low = (o.reshape(-1) for o in out)
    return total, end_total, high, low


def _by_pieces(
    iv_first: I64,
    iv_last: I64,
    value: I64,
    group: NDArray[np.intp],
    w_first: I64,
    w_last: I64,
    n_groups: int,
) -> tuple[I64, I64, I64, I64]:
    """As :func:`_day_grid`, by splitting the intervals at the windows and sorting ± events
    (for few groups over many days, or balance-days near the int64 range)."""
    n_win = len(w_first)
    rows, first, last, window = split(iv_first, iv_last, w_first)
    per_day = value[rows]
    days = last - first + 1
    bound = float(np.abs(per_day).max()) * float(days.max()) if len(days) else 0.0
    if bound >= 2.0**62:
        raise InputError(
            "daily_average: weighted balance-days beyond the int64 range; use simpler weights",
            column="weights",
            rule=Rule.RANGE,
        )
    key = group[rows].astype(np.int64) * n_win + window
    n_keys = n_groups * n_win
    total = _exact_sum(key.astype(np.intp), per_day * days, n_keys)
    at_end = last == w_last[window]
    end_total = _exact_sum(key[at_end].astype(np.intp), per_day[at_end], n_keys)
    if n_keys:
        high, low = _extremes(
            key, first, last, per_day, np.tile(w_first, n_groups), np.tile(w_last, n_groups)
        )
    else:
        high = low = np.zeros(0, dtype=np.int64)
    return total, end_total, high, low


@attrs.frozen(eq=False)
class _Groups:
    """The output rows' groups: each account's group, the group ids, accounts by group."""

    of_account: NDArray[np.intp]
    ids: NDArray[Any]
    order: I64  # accounts sorted by group (stable)
    bounds: I64  # group g's accounts: order[bounds[g]:bounds[g + 1]]


def _groups(loaded: Loaded, by: str) -> _Groups:
    if by == "customer":
        of_account, ids = pd.factorize(loaded.customers, sort=True)
        ids = np.asarray(ids)
    else:
        of_account = np.arange(len(loaded.ids), dtype=np.intp)
        ids = loaded.ids
    of_account = of_account.astype(np.intp)
    order = np.argsort(of_account, kind="stable").astype(np.int64)
    bounds = np.zeros(len(ids) + 1, dtype=np.int64)
    np.cumsum(np.bincount(of_account, minlength=len(ids)), out=bounds[1:])
    return _Groups(of_account, ids, order, bounds)


def _class_weights(loaded: Loaded, policy: AssetPolicy) -> tuple[I64, int]:
    """Each account's integer weight over the weights' common denominator, and that."""
    weights = [policy.weight(c) for c in loaded.class_names]
    scale = 1
    for w in weights:
        scale = math.lcm(scale, w.denominator)
    per_class = np.asarray([int(w * scale) for w in weights] + [0], dtype=np.int64)
    return per_class[loaded.class_codes], scale


def _fast_totals(
    loaded: Loaded,
    groups: _Groups,
    policy: AssetPolicy,
    s: int,
    e: int,
    w_first: I64,
    w_last: I64,
    evidence: bool,
) -> tuple[I64, I64, I64, I64, int] | None:
    """:func:`_totals` by the compiled walk, or ``None`` when the NumPy path must decide."""
    n_groups, width = len(groups.ids), e - s + 1
    evidence = evidence or len(w_first) != 1  # the loop's sums without evidence: one window
    rows = loaded.sorted_rows
    if rows is None or n_groups * (width + 1) > max(_FAST_CELLS, 64 * (len(rows.days) + n_groups)):
        return None
    weight, scale = _class_weights(loaded, policy)
    need_first = np.maximum(loaded.opened, s)
    need_last = np.minimum(loaded.closed - 1, e)
    if policy.missing_history == "raise":
        has_rows = rows.starts[1:] > rows.starts[:-1]
        first_row = np.full(len(has_rows), _NO_DAY, dtype=np.int64)
        first_row[has_rows] = rows.days[rows.starts[:-1][has_rows]]
        if bool(((need_first <= need_last) & (weight > 0) & (first_row > need_first)).any()):
            return None  # no_history: the NumPy path raises
    rates, horizon = loaded.rates, loaded.horizon
    fx_of = np.full(len(loaded.currency_names), -2, dtype=np.int64)
    offsets, fx_days, nums, dens, floats = [0], [], [], [], []
    for k, code in enumerate(loaded.currency_names):
        table = rates.table(code) if rates is not None else None
        if code in RMB_CODES:
            fx_of[k] = -1
        elif table is not None and table.fits_int64:
            fx_of[k] = len(offsets) - 1
            offsets.append(offsets[-1] + len(table.days))
            fx_days.append(table.days)
            nums.append(table.nums)
            dens.append(table.dens)
            floats.append(table.floats)
    n_win = len(w_first)
    total, end_total, high, low = (np.empty(n_groups * n_win, dtype=np.int64) for _ in range(4))

    def joined(parts: list[Any]) -> Any:
        return np.concatenate(parts) if parts else np.zeros(0)

    from bankcrm.membership import _kernels

    ro = _kernels.frozen
    status = _kernels.window_totals(
        ro(groups.order),
        ro(groups.bounds),
        rows.starts,
        rows.days,
        rows.amounts,
        loaded.value_role == "amount",
        ro(need_first),
        ro(need_last),
        ro(weight),
        ro(fx_of[loaded.currency_codes]),
        ro(offsets),
        ro(joined(fx_days)),
        ro(joined(nums)),
        ro(joined(dens)),
        ro(joined(floats), np.float64),
        _NO_DAY if horizon is None else int(horizon),
        s,
        ro(w_first - s),
        ro(w_last - s),
        total,
        end_total,
        high,
        low,
        np.zeros(width + 1 if evidence else 1, dtype=np.int64),
        evidence,
    )
    if status != _kernels.OK:
        return None
    return total, end_total, high, low, scale


def _totals(
    loaded: Loaded,
    groups: _Groups,
    policy: AssetPolicy,
    first_day: dt.date,
    last_day: dt.date,
    w_first: I64,
    w_last: I64,
    *,
    where: str,
    compiled: bool = True,
    evidence: bool = True,
) -> tuple[I64, I64, I64, I64, int]:
    """Per group and window (consecutive windows covering [first_day, last_day]): weighted
    balance-days, last-day total, largest and smallest daily total, and the weights' scale.

    The compiled walk (:mod:`bankcrm.membership._kernels`) when it can decide; else, and for
    every error, the NumPy intervals (:func:`~bankcrm.membership.balances.intervals_of`),
    which raise the documented errors. ``compiled=False`` forces the NumPy path (tests);
    without ``evidence`` the compiled walk may leave all but the balance-days zero."""
    s, e = day_number(first_day), day_number(last_day)
    if compiled:
        fast = _fast_totals(loaded, groups, policy, s, e, w_first, w_last, evidence)
        if fast is not None:
            return fast
    iv = intervals_of(loaded, first_day, last_day, policy=policy, where=where)
    n_groups = len(groups.ids)
    weight, scale = _scaled_weights(iv.weights)
    value = iv.rmb * weight[iv.account]  # weighted RMB fen on each day of an interval
    group = groups.of_account[iv.account]
    if n_groups and _grid_fits(n_groups, int(w_last[-1] - w_first[0]) + 1, len(value), value, iv):
        total, end_total, high, low = _day_grid(
            group, iv.first, iv.last, value, w_first, w_last, n_groups
        )
    else:
        total, end_total, high, low = _by_pieces(
            iv.first, iv.last, value, group, w_first, w_last, n_groups
        )
    return total, end_total, high, low, scale


def window_sums(
    accounts: Any,
    balances: Any,
    requests: Sequence[tuple[AssetPolicy, DateLike, DateLike]],
    *,
    fx_rates: Any,
    columns: Any,
    where: str,
) -> tuple[NDArray[Any], list[tuple[I64, I64]]]:
    """Exact balance-days of several (asset policy, window) requests, validating once.

    ``requests``: a sequence of ``(AssetPolicy, start, end)``. Returns the sorted customer ids
    of ``accounts`` (every customer) and, per request, ``(balance_days_fen, days)`` aligned
    with them — each exactly :func:`daily_average`'s ``balance_days_fen`` / ``days`` for
    ``daily_average(accounts, balances, start=start, end=end, policy=policy,
    fx_rates=fx_rates, columns=columns)``, and the same errors (``where`` names the caller).
    Each request is checked on its own window (``no_history`` only for the days it needs).
    Internal: :func:`~bankcrm.membership.evaluate_tiers` calls it once per evaluation.
    """
    checked = [
        (policy, *check_request(policy, start, end, where=where)) for policy, start, end in requests
    ]
    loaded = load_inputs(accounts, balances, fx_rates, columns, where=where)
    groups = _groups(loaded, "customer")
    out: list[tuple[I64, I64]] = []
    for policy, first_day, last_day in checked:
        s, e = day_number(first_day), day_number(last_day)
        w_first = np.asarray([s], dtype=np.int64)
        w_last = np.asarray([e], dtype=np.int64)
        total, _end, _high, _low, scale = _totals(
            loaded,
            groups,
            policy,
            first_day,
            last_day,
            w_first,
            w_last,
            where=where,
            evidence=False,
        )
        days = np.full(len(groups.ids), e - s + 1, dtype=np.int64)
        out.append((_divide_half_up(total, scale), days))
    return groups.ids, out


def daily_average(
    accounts: Any,
    balances: Any,
    *,
    start: DateLike,
    end: DateLike,
    periods: PeriodKind | None = None,
    by: Literal["customer", "account"] = "customer",
    fx_rates: Any = None,
    policy: AssetPolicy | None = None,
    columns: Any = None,
) -> pd.DataFrame:
    """Exact daily-average RMB balances over [start, end], or per period inside it.

    Args:
        accounts: as for :func:`~bankcrm.membership.daily_balances`.
        balances: snapshots (``balance``) or change events (``amount``); identical results.
        start: the first day.
        end: the last day (inclusive).
        periods: ``None`` (one window) or ``"month"``, ``"quarter"``, ``"half_year"``,
            ``"year"``: one row per calendar period meeting [start, end], clipped to it.
        by: ``"customer"`` (one row per customer of ``accounts``) or ``"account"``.
        fx_rates: a rates frame or :class:`~bankcrm.money.FxRates` for foreign accounts.
        policy: the :class:`AssetPolicy` (default :data:`FINANCIAL_ASSETS`).
        columns: ``{"accounts" | "balances" | "fx_rates": {role: column}}``.

    Returns:
        One row per customer (or account) and window, in id and date order:
        ``customer_id`` (or ``account_id`` and ``customer_id``), ``start``, ``end``, ``days``,
        ``balance_days_fen`` (int64, exact), ``daily_average`` (yuan, rounded to fen, display
        only), ``max_balance_fen``, ``min_balance_fen``, ``end_balance_fen``. Stamped with the
        asset policy's provenance (``as_of`` = ``end``). Every customer of ``accounts``
        appears, with zeros if nothing of theirs counts.

    Raises:
        InputError: as :func:`~bankcrm.membership.daily_balances`; an unknown ``by`` or
            ``periods`` (rule ``domain``).
    """
    used = FINANCIAL_ASSETS if policy is None else policy
    if by not in ("customer", "account"):
        raise InputError(
            f"by must be 'customer' or 'account', got {by!r}", column="by", rule=Rule.DOMAIN
        )
    first_day, last_day = check_request(used, start, end, where="daily_average")
    loaded = load_inputs(accounts, balances, fx_rates, columns, where="daily_average")
    windows = _windows(first_day, last_day, periods)
    w_first = np.asarray([day_number(a) for a, _ in windows], dtype=np.int64)
    w_last = np.asarray([day_number(b) for _, b in windows], dtype=np.int64)
    n_win = len(windows)
    groups = _groups(loaded, by)
    total, end_total, high, low, scale = _totals(
        loaded, groups, used, first_day, last_day, w_first, w_last, where="daily_average"
    )
    n_groups = len(groups.ids)
    group_ids = groups.ids
    balance_days = _divide_half_up(total, scale)
    n_days = np.tile(w_last - w_first + 1, n_groups)
    # display only: the exact sum decides, the yuan figure is rounded half up to fen
    average_fen = (2 * balance_days + n_days) // (2 * n_days)
    out = pd.DataFrame(
        {
            "start": np.tile(as_dates(w_first), n_groups),
            "end": np.tile(as_dates(w_last), n_groups),
            "days": n_days,
            "balance_days_fen": balance_days,
            "daily_average": np.round(average_fen / 100, 2),
            "max_balance_fen": _divide_half_up(high, scale),
            "min_balance_fen": _divide_half_up(low, scale),
            "end_balance_fen": _divide_half_up(end_total, scale),
        },
        copy=False,  # fresh arrays: one block each, no stacking copy
    )
    group_column = np.repeat(group_ids, n_win) if n_groups else group_ids
    if by == "customer":
        out.insert(0, "customer_id", group_column)
    else:
        out.insert(0, "account_id", group_column)
        out.insert(1, "customer_id", np.repeat(loaded.customers, n_win))
    return stamp_provenance(out, used.provenance(last_day))


def _windows(
    first_day: dt.date, last_day: dt.date, periods: PeriodKind | None
) -> list[tuple[dt.date, dt.date]]:
    if periods is None:
        return [(first_day, last_day)]
    if periods not in ("month", "quarter", "half_year", "year"):
        raise InputError(
            f"periods must be None, 'month', 'quarter', 'half_year' or 'year', got {periods!r}",
            column="periods",
            rule=Rule.DOMAIN,
        )
    return [
        (max(p.start, first_day), min(p.end, last_day))
        for p in periods_between(first_day, last_day, periods)
    ]
