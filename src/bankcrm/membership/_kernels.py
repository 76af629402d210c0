"""Compiled loops of the daily averages: one walk over the (account, day)-sorted balance rows.

:func:`window_totals` visits each group (customer or account) once: it adds every counted
interval of the group's accounts to a dense buffer of daily ± changes (RMB fen, weighted), a
foreign interval once per FX segment it meets (the day's fixing, else the latest earlier one,
converted half up in integers exactly as :func:`bankcrm.membership.balances._half_up`), then
sweeps the buffer once to get, per window, the exact balance-days, the largest and smallest
daily total and the total on the window's last day. No per-day pieces, no per-row temporaries.

The loops never raise and never guess: anything out of the ordinary (a needed day outside the
FX table, a currency without rates or with rates too wide for int64, balance-days that could
come near the int64 range) returns :data:`FALLBACK`, and the caller takes the NumPy path of
:mod:`bankcrm.membership.balances`, which raises the documented error or computes the exact
answer. Compiled with Numba (``cache=True``: compiled once per machine, not once per process);
this module is imported on first use only, so ``import bankcrm.membership`` stays cheap.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import numba
import numpy as np

__all__ = ["FALLBACK", "OK", "UNSORTED", "frozen", "merge_lookup", "scan_rows", "window_totals"]

_F = TypeVar("_F", bound=Callable[..., Any])

OK, FALLBACK, UNSORTED = 0, 1, 2
#: No next row / no closing day (the same "never" as balances._NO_DAY).
NO_DAY = np.iinfo(np.int64).max // 4
#: Bound on any partial sum's magnitude: below it no int64 sum of the loop can wrap.
_LIMIT = 2.0**62
_SMALLEST = int(np.iinfo(np.int64).min)
_LARGEST = int(np.iinfo(np.int64).max)


def _compiled(function: _F) -> _F:
    """Compile with Numba: no GIL, cached on disk between runs."""
    return cast(_F, numba.njit(nogil=True, cache=True)(function))


def frozen(values: Any, dtype: Any = np.int64) -> Any:
    """A read-only C-contiguous view (a copy only if the dtype or layout differs): every input
    reaches a loop with one Numba type, so each loop compiles (and caches) once."""
    view = np.ascontiguousarray(values, dtype=dtype).view()
    view.flags.writeable = False
    return view


@_compiled
def merge_lookup(ids: Any, keys: Any, out: Any) -> bool:
    """``out[i]`` = the position of ``keys[i]`` in the sorted unique ``ids`` (-1 if absent),
    by one merge walk; ``False`` (``out`` unfinished) as soon as ``keys`` is not sorted."""
    n_ids = len(ids)
    j = 0
    for i in range(len(keys)):
        key = keys[i]
        if i > 0 and key < keys[i - 1]:
            return False
        while j < n_ids and ids[j] < key:
            j += 1
        out[i] = j if j < n_ids and ids[j] == key else -1
    return True


@_compiled
def scan_rows(account: Any, days: Any, n_accounts: int, starts: Any) -> tuple[int, bool]:
    """Check the rows are sorted by (account, day) and fill ``starts`` (``n_accounts + 1``
    row offsets: account ``a`` has rows ``starts[a]:starts[a + 1]``).

    Returns (``OK`` or ``UNSORTED``, whether some (account, day) key repeats).
    """
    duplicate = False
    n = len(account)
    for i in range(n_accounts + 1):
        starts[i] = 0
    for i in range(n):
        a = account[i]
        if i > 0:
            previous = account[i - 1]
            if a < previous or (a == previous and days[i] < days[i - 1]):
                return UNSORTED, duplicate
            if a == previous and days[i] == days[i - 1]:
                duplicate = True
        starts[a + 1] += 1
    for i in range(n_accounts):
        starts[i + 1] += starts[i]
    return OK, duplicate


@_compiled
def _half_up(amount: int, num: int, den: int) -> int:
    """``amount × num / den`` rounded half away from zero (as ``balances._half_up``)."""
    magnitude = -amount if amount < 0 else amount
    whole = magnitude // den
    rest = magnitude - whole * den
    value = whole * num + (2 * rest * num + den) // (2 * den)
    return -value if amount < 0 else value


@_compiled
def window_totals(
    order: Any,
    group_bounds: Any,
    starts: Any,
    days: Any,
    amounts: Any,
    events: bool,
    need_first: Any,
    need_last: Any,
    weight: Any,
    fx_of: Any,
    fx_offsets: Any,
    fx_days: Any,
    fx_nums: Any,
    fx_dens: Any,
    fx_floats: Any,
    horizon: int,
    window_start: int,
    w_first: Any,
    w_last: Any,
    total: Any,
    end_total: Any,
    high: Any,
    low: Any,
    buffer: Any,
    evidence: bool,
) -> int:
    """Per group and window: exact weighted balance-days, last-day total, largest and smallest
    daily total (zero days included), written at ``group * n_windows + window``. Without
    ``evidence`` (one window only) just the balance-days (the others are zero), added
    interval by interval with no sweep over the days.

    ``order[group_bounds[g]:group_bounds[g + 1]]`` are the accounts of group ``g``; an
    account's rows are ``starts[a]:starts[a + 1]`` (sorted by day); with ``events`` the
    rows are changes (several on a day add up) else snapshots. An account counts on
    ``need_first[a]..need_last[a]`` (its open days inside the windows) with integer weight
    ``weight[a]`` (0: not counted). ``fx_of[a]``: -1 RMB, -2 no rates, else the currency's
    table ``fx_offsets[c]:fx_offsets[c + 1]`` of fixing days and rates ``num / den``.
    Windows are consecutive ranges ``w_first..w_last`` (day offsets from ``window_start``)
    covering ``buffer`` (``len(buffer) == width + 1``, all zero on entry and on return).
    Returns ``OK`` or ``FALLBACK``.
    """
    n_windows = len(w_first)
    width = len(buffer) - 1
    n_groups = len(group_bounds) - 1
    for g in range(n_groups):
        touched = False
        single = 0  # the one window's sum without evidence, kept in a register
        base = g * n_windows
        if not evidence:
            end_total[base] = high[base] = low[base] = 0
        magnitude = 0.0  # Σ |value| × days: bounds every partial sum of this group
        for position in range(group_bounds[g], group_bounds[g + 1]):
            a = order[position]
            w = weight[a]
            first_day = need_first[a]
            last_day = need_last[a]
            if w == 0 or first_day > last_day:
                continue
            currency = fx_of[a]
            row_end = starts[a + 1]
            running = 0
            for r in range(starts[a], row_end):
                day = days[r]
                if day > last_day:
                    break
                if events:
                    running += amounts[r]
                    if r + 1 < row_end and days[r + 1] == day:
                        continue
                    balance = running
                else:
                    balance = amounts[r]
                following = days[r + 1] if r + 1 < row_end else NO_DAY
                lo = max(day, first_day)
                hi = min(following - 1, last_day)
                if lo > hi:
                    continue
                if currency == -1:
                    value_bound = abs(float(balance)) * float(w)
                    magnitude += value_bound * float(hi - lo + 1)
                    if value_bound >= _LIMIT or magnitude >= _LIMIT:
                        return FALLBACK
                    value = balance * w
                    if evidence:
                        buffer[lo - window_start] += value
                        buffer[hi - window_start + 1] -= value
                    else:
                        single += value * (hi - lo + 1)
                    touched = True
                    continue
                if currency < 0:
                    return FALLBACK  # a foreign account without rates: the NumPy path raises
                begin = fx_offsets[currency]
                stop = fx_offsets[currency + 1]
                if lo < fx_days[begin] or hi > horizon:
                    return FALLBACK
                # the last fixing on or before lo (binary search), then walk the fixings
                left, right = begin, stop
                while right - left > 1:
                    middle = (left + right) // 2
                    if fx_days[middle] <= lo:
                        left = middle
                    else:
                        right = middle
                k = left
                piece_lo = lo
                while piece_lo <= hi:
                    piece_hi = hi
                    if k + 1 < stop and fx_days[k + 1] - 1 < piece_hi:
                        piece_hi = fx_days[k + 1] - 1
                    converted_bound = abs(float(balance)) * fx_floats[k] + 1.0
                    value_bound = converted_bound * float(w)
                    magnitude += value_bound * float(piece_hi - piece_lo + 1)
                    if converted_bound >= _LIMIT or value_bound >= _LIMIT or magnitude >= _LIMIT:
                        return FALLBACK
                    value = _half_up(balance, fx_nums[k], fx_dens[k]) * w
                    if evidence:
                        buffer[piece_lo - window_start] += value
                        buffer[piece_hi - window_start + 1] -= value
                    else:
                        single += value * (piece_hi - piece_lo + 1)
                    touched = True
                    piece_lo = piece_hi + 1
                    k += 1
        if not evidence:
            total[base] = single
            continue
        if not touched:
            for j in range(n_windows):
                total[base + j] = 0
                end_total[base + j] = 0
                high[base + j] = 0
                low[base + j] = 0
            continue
        # daily totals in place (the one sequential pass), then plain reductions per window
        level = 0
        for i in range(width):
            level += buffer[i]
            buffer[i] = level
        for j in range(n_windows):
            sum_days = 0
            largest = _SMALLEST
            smallest = _LARGEST
            for i in range(w_first[j], w_last[j] + 1):
                day_total = buffer[i]
                sum_days += day_total
                largest = max(largest, day_total)
                smallest = min(smallest, day_total)
            total[base + j] = sum_days
            end_total[base + j] = buffer[w_last[j]]
            high[base + j] = largest
            low[base + j] = smallest
        buffer[:] = 0
    return OK
