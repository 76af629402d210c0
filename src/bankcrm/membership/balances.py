"""Daily balances as intervals of constant balance, never one row per account per day.

An account's end-of-day balance is a step function: it holds from one balance row to the next.
:func:`daily_balances` returns that function clipped to a window, one row per account and
interval, with the balance in the account's currency and converted to RMB fen **per day**
(a foreign-currency interval is split wherever the FX rate changes, so every row has one RMB
balance that holds on each of its days).

Rules (issue 11, ``../shared/DOMAIN.md`` §4):

* ``balances`` is either **snapshots** (``account_id``, ``date``, ``balance``: the end-of-day
  balance from that date until the account's next row) or **change events** (``account_id``,
  ``date``, ``amount``: the change of the end-of-day balance; several on one day add up). Which
  it is follows from the column present (roles ``balance`` / ``amount``); both give identical
  intervals.
* A balance is zero before ``opened_on`` and from ``closed_on`` on; those days have no row. A
  day on or after ``opened_on`` but before the account's first row has no known balance: a
  window that needs it raises (rule ``no_history``) unless the asset policy reads it as zero.
* A foreign balance converts at the day's fixing, else the latest earlier one
  (``AssetPolicy.fx_rule``), rounded half up to whole fen. A needed day before a currency's
  first fixing or after the rates table's last date is an error (rule ``fx_rate``).
* Only accounts whose asset class the policy counts (weight > 0) appear.

Examples:
    >>> import pandas as pd
    >>> accounts = pd.DataFrame({
    ...     "account_id": [1, 2], "customer_id": ["c1", "c1"],
    ...     "asset_class": ["demand_deposit", "fund"], "currency": ["CNY", "USD"],
    ...     "opened_on": pd.to_datetime(["2025-01-01", "2025-01-01"]),
    ...     "closed_on": pd.to_datetime([None, "2026-01-04"])})
    >>> balances = pd.DataFrame({
    ...     "account_id": [1, 1, 2],
    ...     "date": pd.to_datetime(["2025-01-01", "2026-01-03", "2025-06-01"]),
    ...     "balance": [100.00, 250.00, 10.00]})
    >>> fx = pd.DataFrame({"currency": ["USD"] * 3,
    ...                    "date": pd.to_datetime(["2025-12-31", "2026-01-02", "2026-01-05"]),
    ...                    "rate": ["7.1", "7.2", "7.3"]})
    >>> out = daily_balances(accounts, balances, start="2026-01-01", end="2026-01-05", fx_rates=fx)
    >>> out[["account_id", "start", "end", "days", "balance_fen", "rmb_balance_fen"]]
       account_id      start        end  days  balance_fen  rmb_balance_fen
    0           1 2026-01-01 2026-01-02     2        10000            10000
    1           1 2026-01-03 2026-01-05     3        25000            25000
    2           2 2026-01-01 2026-01-01     1         1000             7100
    3           2 2026-01-02 2026-01-03     2         1000             7200
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import attrs
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from bankcrm._fx import RMB_CODES, FxRates
from bankcrm._roles import column_names_by_frame
from bankcrm._tables import as_pandas
from bankcrm._values import raise_for_rows
from bankcrm.calendar import DateLike, as_date
from bankcrm.errors import InputError, Rule
from bankcrm.frames import Column, FrameSchema, validate_frame
from bankcrm.membership.assets import FINANCIAL_ASSETS, AssetPolicy
from bankcrm.policy import stamp_provenance

__all__ = ["daily_balances"]

I64 = NDArray[np.int64]

#: The roles of each frame parameter (``columns={frame: {role: name}}``).
ROLES: dict[str, tuple[str, ...]] = {
    "accounts": (
        "account_id",
        "customer_id",
        "asset_class",
        "currency",
        "opened_on",
        "closed_on",
    ),
    "balances": ("account_id", "date", "balance", "amount"),
    "fx_rates": ("currency", "date", "rate"),
}

_EPOCH = dt.date(1970, 1, 1)
_NO_DAY = np.iinfo(np.int64).max // 4  # "never" (no closing day), far beyond any real date
_MERGE_FROM = 1 << 16  # rows from which sorted account ids are looked up by a merge walk
_CONVERTED_LIMIT = 2.0**62  # a converted balance at or beyond this could wrap int64 arithmetic


def day_number(day: dt.date) -> int:
    """Days since 1970-01-01."""
    return (day - _EPOCH).days


def _key_kind(series: pd.Series[Any]) -> str:
    return "int" if pd.api.types.is_integer_dtype(series.dtype) else "str"


@attrs.frozen(eq=False)
class Intervals:
    """Constant-balance pieces, each within one FX-rate segment (internal representation).

    ``account`` indexes :attr:`account_ids` (sorted), ``first``/``last`` are inclusive day
    numbers, ``balance`` is in the account's minor unit and ``rmb`` in RMB fen per day.
    """

    account_ids: NDArray[Any]
    customer_ids: NDArray[Any]
    asset_class: NDArray[Any]
    currency: NDArray[Any]
    weights: tuple[Any, ...]  # the policy weight of each account (Fraction)
    account: NDArray[np.intp]
    first: I64
    last: I64
    balance: I64
    rmb: I64


def _read_accounts(accounts: Any, names: dict[str, Any]) -> pd.DataFrame:
    frame = as_pandas(accounts, name="accounts")
    present = set(frame.columns)
    key_kind = _key_kind(frame[names["account_id"]]) if names["account_id"] in present else "str"
    cust_kind = _key_kind(frame[names["customer_id"]]) if names["customer_id"] in present else "str"
    schema = FrameSchema(
        "accounts",
        [
            Column(names["account_id"], key_kind),
            Column(names["customer_id"], cust_kind),
            Column(names["asset_class"], "str"),
            Column(names["currency"], "str"),
            Column(names["opened_on"], "date", required=False, nullable=True),
            Column(names["closed_on"], "date", required=False, nullable=True),
        ],
        key=names["account_id"],
        unique_key=True,
    )
    return validate_frame(frame, schema)


def _read_balances(
    balances: Any, names: dict[str, Any], key_kind: str
) -> tuple[pd.DataFrame, str, Callable[[], object] | None]:
    """The validated balances, their value role and, for snapshots, the unique-key check.

    The caller looks for duplicate (account, date) keys on its sorted packed int64 keys (much
    faster than pandas) and calls the check only to raise the error ``validate_frame`` would.
    """
    frame = as_pandas(balances, name="balances")
    has_balance, has_amount = names["balance"] in frame.columns, names["amount"] in frame.columns
    if has_balance and has_amount:
        raise InputError(
            f"balances: both {names['balance']!r} (snapshots) and {names['amount']!r} "
            "(change events) are present; pass one of them",
            column=str(names["amount"]),
            rule=Rule.ARGUMENTS,
        )
    if not (has_balance or has_amount):
        raise InputError(
            f"balances: missing required column(s) [{names['balance']!r} (role balance) or "
            f"{names['amount']!r} (role amount)]; available: {list(frame.columns)[:30]}",
            column=str(names["balance"]),
            rule=Rule.REQUIRED,
        )
    value = "balance" if has_balance else "amount"
    id_column = names["account_id"]
    if id_column in frame.columns and _key_kind(frame[id_column]) != key_kind:
        raise InputError(
            f"balances: account ids are {_key_kind(frame[id_column])} but the accounts' "
            f"are {key_kind}; use one type in both frames",
            column=str(id_column),
            rule=Rule.KEY_TYPE,
        )
    columns = [
        Column(id_column, key_kind),
        Column(names["date"], "date"),
        Column(names[value], "money"),
    ]
    key = (id_column, names["date"])
    unique = FrameSchema("balances", columns, key=key, unique_key=True)
    schema = FrameSchema("balances", columns, key=key)
    check = functools.partial(validate_frame, frame, unique) if value == "balance" else None
    return validate_frame(frame, schema), value, check


_PER_DAY = {"D": 1, "h": 24, "m": 1440, "s": 86_400, "ms": 86_400_000, "us": 86_400_000_000}
_PER_DAY["ns"] = _PER_DAY["us"] * 1000


def _days_of(values: pd.Series[Any]) -> I64:
    """Day numbers of a date column without missing values (one pass, one new array)."""
    raw = values.to_numpy()
    unit = np.datetime_data(raw.dtype)[0] if raw.dtype.kind == "M" else ""
    if unit in _PER_DAY:
        return np.floor_divide(raw.view(np.int64), _PER_DAY[unit])
    days: I64 = raw.astype("datetime64[D]").astype(np.int64)
    return days


def _optional_days(frame: pd.DataFrame, column: Any, missing: int) -> I64:
    if column not in frame.columns:
        return np.full(len(frame), missing, dtype=np.int64)
    values = frame[column]
    days = np.full(len(frame), missing, dtype=np.int64)
    present = values.notna().to_numpy()
    days[present] = _days_of(values[present])
    return days


def _rates(fx_rates: Any, names: dict[str, Any]) -> FxRates | None:
    if fx_rates is None or isinstance(fx_rates, FxRates):
        return fx_rates
    frame = as_pandas(fx_rates, name="fx_rates")
    return FxRates.from_frame(
        frame, currency=names["currency"], date=names["date"], rate=names["rate"]
    )


def _fx_horizon(fx_rates: Any, names: dict[str, Any], rates: FxRates | None) -> int | None:
    """The last day of the rates table (a needed day after it has no rate)."""
    if rates is None:
        return None
    last = [int(t.days[-1]) for c in rates.currencies if (t := rates.table(c)) is not None]
    return max(last) if last else None


def split(first: I64, last: I64, breaks: I64) -> tuple[NDArray[np.intp], I64, I64, I64]:
    """Split inclusive day ranges at ``breaks`` (sorted days that start a new segment).

    Returns the source row of each piece, its first and last day, and its segment (the index
    of the last break on or before its first day; -1 before the first break).
    """
    seg_first = np.searchsorted(breaks, first, side="right") - 1
    seg_last = np.searchsorted(breaks, last, side="right") - 1
    count = (seg_last - seg_first + 1).astype(np.int64)
    if len(count) and int(count.max()) == 1:
        rows = np.arange(len(first), dtype=np.intp)
        return rows, first, last, seg_first.astype(np.int64)
    rows = np.repeat(np.arange(len(first), dtype=np.intp), count)
    offsets = np.cumsum(count) - count
    step = np.arange(len(rows), dtype=np.int64) - np.repeat(offsets, count)
    seg = seg_first[rows].astype(np.int64) + step
    bounded = np.concatenate([breaks, [_NO_DAY]]).astype(np.int64)
    piece_first = np.where(
        seg >= 0, np.maximum(first[rows], bounded[np.maximum(seg, 0)]), first[rows]
    )
    piece_last = np.minimum(last[rows], bounded[seg + 1] - 1)
    return rows, piece_first, piece_last, seg


def _half_up(amounts: I64, nums: I64, dens: I64) -> I64:
    magnitude = np.abs(amounts)
    whole, rest = np.divmod(magnitude, dens)
    result: I64 = np.sign(amounts) * (whole * nums + (2 * rest * nums + dens) // (2 * dens))
    return result


def _convert_exact(amounts: I64, rates: list[Decimal]) -> I64:
    out = []
    for amount, rate in zip(amounts.tolist(), rates, strict=True):
        value = Decimal(abs(amount)) * rate
        whole = int(value.to_integral_value(rounding="ROUND_HALF_UP"))
        out.append(whole if amount >= 0 else -whole)
    return np.asarray(out, dtype=np.int64)


@attrs.frozen(eq=False)
class Loaded:
    """The validated inputs, read once (internal): accounts in id order, rows as arrays.

    Policy- and window-independent, so that several windows or asset policies
    (:func:`bankcrm.membership.averages.window_sums`) share one validation.
    """

    acc: pd.DataFrame
    bal: pd.DataFrame
    names: dict[str, dict[str, Any]]
    value_role: str
    unique_check: Callable[[], object] | None
    fx_rates: Any
    ids: NDArray[Any]  # account ids, sorted
    labels: pd.Index[Any]  # their row labels in ``accounts``
    customers: NDArray[Any]
    class_codes: NDArray[np.intp]
    class_names: tuple[str, ...]
    currency_codes: NDArray[np.intp]
    currency_names: tuple[str, ...]  # upper-case, stripped
    opened: I64
    closed: I64
    account: NDArray[np.intp]  # per balance row (input order): index into ids, -1 unknown
    days: I64
    amounts: I64
    has_unknown: bool

    @functools.cached_property
    def rates(self) -> FxRates | None:
        return _rates(self.fx_rates, self.names["fx_rates"])

    @functools.cached_property
    def horizon(self) -> int | None:
        return _fx_horizon(self.fx_rates, self.names["fx_rates"], self.rates)

    @functools.cached_property
    def sorted_rows(self) -> SortedRows | None:
        """The rows sorted by (account, day) for the compiled walk, or ``None`` when the NumPy
        path must decide (unknown accounts, a repeated snapshot key: it raises)."""
        if self.has_unknown:
            return None
        from bankcrm.membership import _kernels

        account = _kernels.frozen(self.account)
        days, amounts = _kernels.frozen(self.days), _kernels.frozen(self.amounts)
        n_accounts = len(self.ids)
        starts = np.empty(n_accounts + 1, dtype=np.int64)
        status, duplicate = _kernels.scan_rows(account, days, n_accounts, starts)
        if status == _kernels.UNSORTED:
            low = int(days.min())
            key = account * (int(days.max()) - low + 1) + (days - low)
            sort = np.argsort(key, kind="stable")
            del key
            account, days, amounts = (_kernels.frozen(v[sort]) for v in (account, days, amounts))
            status, duplicate = _kernels.scan_rows(account, days, n_accounts, starts)
        if duplicate and self.value_role == "balance":
            return None
        return SortedRows(days, amounts, _kernels.frozen(starts))


@attrs.frozen(eq=False)
class SortedRows:
    """The balance rows sorted by (account, day) (internal)."""

    days: I64
    amounts: I64
    starts: I64  # account a's rows: starts[a]:starts[a + 1]


def check_request(
    policy: Any, start: DateLike, end: DateLike, *, where: str
) -> tuple[dt.date, dt.date]:
    """The checks of a (policy, window) request that come before any frame is read."""
    if not isinstance(policy, AssetPolicy):
        raise InputError(
            f"{where}: policy must be an AssetPolicy, got {type(policy).__name__}",
            column="policy",
            rule=Rule.TYPE,
        )
    first_day, last_day = as_date(start, name="start"), as_date(end, name="end")
    if last_day < first_day:
        raise InputError(
            f"end {last_day} is before start {first_day}", column="end", rule=Rule.DATE_ORDER
        )
    return first_day, last_day


def load_inputs(accounts: Any, balances: Any, fx_rates: Any, columns: Any, *, where: str) -> Loaded:
    """Validate ``accounts`` and ``balances`` once and read them into arrays."""
    names = column_names_by_frame(columns, ROLES, where=where)
    acc = _read_accounts(accounts, names["accounts"])
    an = names["accounts"]
    key_kind = _key_kind(acc[an["account_id"]])
    bal, value_role, unique_check = _read_balances(balances, names["balances"], key_kind)
    bn = names["balances"]

    # accounts in id order (results never depend on row order)
    ids = acc[an["account_id"]].to_numpy()
    order = np.argsort(ids, kind="stable")
    ids = ids[order]
    customers = acc[an["customer_id"]].to_numpy()[order]
    class_codes, class_names = pd.factorize(acc[an["asset_class"]])
    class_codes = class_codes[order]
    raw_codes, raw_currencies = pd.factorize(acc[an["currency"]])
    raw_codes = raw_codes[order]
    upper = [str(u).strip().upper() for u in raw_currencies]
    canonical: dict[str, int] = {}
    remap = np.asarray([canonical.setdefault(u, len(canonical)) for u in upper], dtype=np.intp)
    currency_codes = remap[raw_codes] if len(raw_codes) else raw_codes.astype(np.intp)
    account = _account_index(ids, bal[bn["account_id"]].to_numpy())
    return Loaded(
        acc=acc,
        bal=bal,
        names=names,
        value_role=value_role,
        unique_check=unique_check,
        fx_rates=fx_rates,
        ids=ids,
        labels=acc.index[order],
        customers=customers,
        class_codes=class_codes.astype(np.intp),
        class_names=tuple(str(c) for c in class_names),
        currency_codes=currency_codes.astype(np.intp),
        currency_names=tuple(canonical),
        opened=_optional_days(acc, an["opened_on"], -_NO_DAY)[order],
        closed=_optional_days(acc, an["closed_on"], _NO_DAY)[order],
        account=account.astype(np.intp),
        days=_days_of(bal[bn["date"]]),
        amounts=bal[bn[value_role]].to_numpy().astype(np.int64, copy=False),
        has_unknown=bool((account < 0).any()),
    )


def _account_index(ids: NDArray[Any], keys: NDArray[Any]) -> NDArray[np.intp]:
    """Each key's position in the sorted unique ``ids`` (-1: unknown): one compiled merge walk
    when both are signed integers and the keys are sorted (as a bank's extract usually is),
    else a hash lookup."""
    if ids.dtype.kind == "i" and keys.dtype.kind == "i" and len(keys) >= _MERGE_FROM:
        from bankcrm.membership import _kernels

        out = np.empty(len(keys), dtype=np.int64)
        if _kernels.merge_lookup(_kernels.frozen(ids), _kernels.frozen(keys), out):
            return out.astype(np.intp, copy=False)
    found: NDArray[np.intp] = pd.Index(ids).get_indexer(keys)
    return found


def build_intervals(
    accounts: Any,
    balances: Any,
    *,
    start: DateLike,
    end: DateLike,
    fx_rates: Any,
    policy: AssetPolicy,
    columns: Any,
    where: str,
) -> Intervals:
    """Validate the inputs and build the FX-split constant-balance pieces in [start, end]."""
    first_day, last_day = check_request(policy, start, end, where=where)
    loaded = load_inputs(accounts, balances, fx_rates, columns, where=where)
    return intervals_of(loaded, first_day, last_day, policy=policy, where=where)


def intervals_of(
    loaded: Loaded, first_day: dt.date, last_day: dt.date, *, policy: AssetPolicy, where: str
) -> Intervals:
    """The FX-split constant-balance pieces of ``loaded`` in [first_day, last_day] (NumPy)."""
    an, bn = loaded.names["accounts"], loaded.names["balances"]
    bal, value_role, unique_check = loaded.bal, loaded.value_role, loaded.unique_check
    s, e = day_number(first_day), day_number(last_day)
    ids, customers = loaded.ids, loaded.customers
    class_codes = loaded.class_codes
    classes = np.asarray(loaded.class_names, dtype=object)[class_codes]
    currencies = np.asarray(loaded.currency_names, dtype=object)[loaded.currency_codes]
    opened, closed = loaded.opened, loaded.closed
    weights = tuple(policy.weight(c) for c in loaded.class_names)

    # balance rows → account index, sorted by (account, day)
    account = loaded.account
    unknown = account < 0
    has_unknown = loaded.has_unknown
    if unique_check is not None and has_unknown:
        unique_check()  # unknown ids: pandas finds any duplicate key
    days = loaded.days
    amounts = loaded.amounts
    row = np.arange(len(days), dtype=np.int64)
    if len(days):
        low = int(days.min())
        key = account.astype(np.int64) * (int(days.max()) - low + 1) + (days - low)
        if not bool((np.diff(key) >= 0).all()):
            sort = np.argsort(key, kind="stable")
            account, days, amounts, row, key = (
                account[sort],
                days[sort],
                amounts[sort],
                row[sort],
                key[sort],
            )
        if unique_check is not None and not has_unknown and bool((key[1:] == key[:-1]).any()):
            unique_check()  # raises the duplicate-key error
        if value_role == "amount":  # events: one running balance per account and day
            new_account = np.ones(len(days), dtype=bool)
            new_account[1:] = account[1:] != account[:-1]
            total = np.cumsum(amounts)  # wraps on overflow; per-account differences stay exact
            base = np.maximum.accumulate(np.where(new_account, np.arange(len(days)), 0))
            running = total - (total[base] - amounts[base])
            last_of_day = np.ones(len(days), dtype=bool)
            last_of_day[:-1] = key[1:] != key[:-1]
            account, days, amounts, row = (
                account[last_of_day],
                days[last_of_day],
                running[last_of_day],
                row[last_of_day],
            )
    rates = loaded.rates
    if has_unknown:
        raise_for_rows(
            "balances: account not in accounts",
            column=str(bn["account_id"]),
            rule=Rule.DOMAIN,
            mask=unknown,
            series=bal[bn["account_id"]],
        )
    account = account.astype(np.intp)

    # per account: the first row, to check the history covers what the window needs
    n_acc = len(ids)
    need_first = np.maximum(opened, s)
    need_last = np.minimum(closed - 1, e)
    needed = need_first <= need_last
    first_row_day = np.full(n_acc, _NO_DAY, dtype=np.int64)
    if len(days):
        starts = np.ones(len(days), dtype=bool)
        starts[1:] = account[1:] != account[:-1]
        first_row_day[account[starts]] = days[starts]
    counted = np.asarray([w > 0 for w in weights] + [False], dtype=bool)[class_codes]
    gap = needed & counted & (first_row_day > need_first)
    if gap.any() and policy.missing_history == "raise":
        labels = loaded.labels
        raise_for_rows(
            f"{where}: no balance is known for some days the window "
            f"{first_day}..{last_day} needs (on or after opened_on, before the account's "
            "first balance row); pass AssetPolicy(missing_history='zero') to read them as zero",
            column=str(an["account_id"]),
            rule=Rule.NO_HISTORY,
            mask=gap,
            series=pd.Series(ids, index=labels),
        )

    # intervals: [day, next day - 1] clipped to the open days and the window
    nxt = np.empty(len(days), dtype=np.int64)
    if len(days):
        nxt[:-1] = np.where(account[1:] == account[:-1], days[1:], _NO_DAY)
        nxt[-1] = _NO_DAY
    lo = np.maximum(days, need_first[account])
    hi = np.minimum(nxt - 1, need_last[account])
    keep = (lo <= hi) & counted[account]
    del nxt, days  # free the per-row temporaries early (peak memory)
    if len(amounts):
        del key
    account, lo, hi, amounts, row = account[keep], lo[keep], hi[keep], amounts[keep], row[keep]
    del keep

    rmb = amounts  # RMB pieces: the balance is the RMB balance (never written to)
    out_account, out_lo, out_hi, out_bal, out_rmb = [account], [lo], [hi], [amounts], [rmb]
    currency_of, currency_names = loaded.currency_codes, loaded.currency_names
    foreign = sorted((c, k) for k, c in enumerate(currency_names) if c not in RMB_CODES)
    acc_currency = currency_of[account]
    is_foreign = np.zeros(len(account), dtype=bool)
    horizon = loaded.horizon
    for code, code_index in foreign:
        mine = acc_currency == code_index
        if not mine.any():
            continue
        is_foreign |= mine
        table = rates.table(code) if rates is not None else None
        if table is None:
            mask = np.zeros(len(bal), dtype=bool)
            mask[row[mine]] = True
            raise_for_rows(
                f"{where}: no rates for currency {code!r}"
                + (" (pass fx_rates)" if rates is None else ""),
                column=str(an["currency"]),
                rule=Rule.FX_RATE,
                mask=mask,
                index=bal.index,
            )
        c_lo, c_hi = lo[mine], hi[mine]
        outside = (c_lo < table.days[0]) | (c_hi > (horizon if horizon is not None else _NO_DAY))
        if outside.any():
            mask = np.zeros(len(bal), dtype=bool)
            mask[row[mine][outside]] = True
            first_fix = _EPOCH + dt.timedelta(days=int(table.days[0]))
            last_fix = _EPOCH + dt.timedelta(days=int(horizon or 0))
            raise_for_rows(
                f"{where}: {code} balance days outside the FX table ({first_fix}..{last_fix})",
                column=str(bn["date"]),
                rule=Rule.FX_RATE,
                mask=mask,
                index=bal.index,
            )
        rows, p_lo, p_hi, seg = split(c_lo, c_hi, table.days)
        c_bal = amounts[mine][rows]
        beyond = np.abs(c_bal.astype(np.float64)) * table.floats[seg] >= _CONVERTED_LIMIT
        if beyond.any():
            mask = np.zeros(len(bal), dtype=bool)
            mask[row[mine][rows[beyond]]] = True
            raise_for_rows(
                f"{where}: {code} balance converted to RMB fen beyond the int64 range",
                column=str(bn[value_role]),
                rule=Rule.RANGE,
                mask=mask,
                index=bal.index,
            )
        if table.fits_int64:
            c_rmb = _half_up(c_bal, table.nums[seg], table.dens[seg])
        else:
            c_rmb = _convert_exact(c_bal, [table.rates[i] for i in seg.tolist()])
        out_account.append(account[mine][rows])
        out_lo.append(p_lo)
        out_hi.append(p_hi)
        out_bal.append(c_bal)
        out_rmb.append(c_rmb)
    if is_foreign.any():
        local = ~is_foreign
        out_account[0], out_lo[0], out_hi[0], out_bal[0], out_rmb[0] = (
            account[local],
            lo[local],
            hi[local],
            amounts[local],
            amounts[local],
        )
        del account, lo, hi, amounts, rmb, row, acc_currency, is_foreign, local
        # each currency's pieces are already in (account, day) order: a stable sort of one
        # packed int64 key merges those few runs (timsort), far cheaper than a lexsort
        packed = np.concatenate(out_account).astype(np.int64)
        packed *= e - s + 1
        packed += np.concatenate(out_lo)
        packed -= s
        sort = np.argsort(packed, kind="stable")
        del packed
        merged = []
        for parts in (out_account, out_lo, out_hi, out_bal, out_rmb):
            merged.append(np.concatenate(parts)[sort])
            parts.clear()
        account, lo, hi, amounts, rmb = merged
    return Intervals(
        account_ids=ids,
        customer_ids=customers,
        asset_class=classes,
        currency=currencies,
        weights=tuple(weights[k] for k in class_codes.tolist()),
        account=account,
        first=lo,
        last=hi,
        balance=amounts,
        rmb=rmb,
    )


def as_dates(days: I64) -> NDArray[np.datetime64]:
    """Day numbers as ``datetime64[us]`` (the canonical date dtype of bankcrm frames)."""
    return days.astype("datetime64[D]").astype("datetime64[us]")


def daily_balances(
    accounts: Any,
    balances: Any,
    *,
    start: DateLike,
    end: DateLike,
    fx_rates: Any = None,
    policy: AssetPolicy | None = None,
    columns: Any = None,
) -> pd.DataFrame:
    """The end-of-day balances of ``accounts`` over [start, end], as constant-balance intervals.

    Args:
        accounts: ``account_id`` (unique), ``customer_id``, ``asset_class``, ``currency`` and
            optionally ``opened_on`` / ``closed_on`` (dates; an empty ``closed_on`` = open).
        balances: snapshots (``account_id``, ``date``, ``balance`` in yuan or the account's
            major unit) or change events (``account_id``, ``date``, ``amount``).
        start: the window's first day.
        end: the window's last day (inclusive).
        fx_rates: a rates frame (``currency``, ``date``, ``rate`` = RMB per unit) or an
            :class:`~bankcrm.money.FxRates`; needed when a counted account is not in RMB.
        policy: the :class:`AssetPolicy` (default :data:`FINANCIAL_ASSETS`): which classes
            appear, how missing history and FX are read.
        columns: ``{"accounts" | "balances" | "fx_rates": {role: column}}``.

    Returns:
        One row per account and interval of constant balance and FX rate, in account-id and
        date order: ``account_id``, ``customer_id``, ``asset_class``, ``currency``, ``start``,
        ``end`` (inclusive), ``days``, ``balance_fen`` (minor units of the account currency)
        and ``rmb_balance_fen`` (RMB fen on each of those days). Days without a row have a zero
        balance. Stamped with the policy's provenance.

    Raises:
        InputError: a malformed frame; an account in ``balances`` that is not in ``accounts``
            (rule ``domain``); a needed day without history (rule ``no_history``); a needed
            foreign-currency day outside the rates table (rule ``fx_rate``).
    """
    used = FINANCIAL_ASSETS if policy is None else policy
    iv = build_intervals(
        accounts,
        balances,
        start=start,
        end=end,
        fx_rates=fx_rates,
        policy=used,
        columns=columns,
        where="daily_balances",
    )
    a = iv.account
    out = pd.DataFrame(
        {
            "account_id": iv.account_ids[a],
            "customer_id": iv.customer_ids[a],
            "asset_class": pd.Series(iv.asset_class[a], dtype=object),
            "currency": pd.Series(iv.currency[a], dtype=object),
            "start": as_dates(iv.first),
            "end": as_dates(iv.last),
            "days": (iv.last - iv.first + 1).astype(np.int64),
            "balance_fen": iv.balance,
            "rmb_balance_fen": iv.rmb,
        }
    )
    return stamp_provenance(out, used.provenance(as_date(end, name="end")))
