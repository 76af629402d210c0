"""RFM features: recency, frequency and monetary value per customer, exact and order-free.

:func:`rfm_features` turns a transactions frame into one row per customer, sorted by
``customer_id``:

============== =============================================================================
column         meaning
============== =============================================================================
recency_days   days from the last counted transaction to ``as_of`` (0 = on ``as_of``);
               ``<NA>`` for a customer without transactions in the window
frequency      counted transactions (``frequency="count"``) or distinct days with one
               (``"active_days"``)
monetary       the amount in yuan (``monetary_fen / 100``, for reading)
monetary_fen   the exact amount in integer fen: the sum (``monetary="sum"``) or the mean per
               transaction rounded half away from zero to a whole fen (``"mean"``)
has_transactions whether the customer has a counted transaction in the window
============== =============================================================================

Every input row is accounted for: it is counted, or it appears in ``result.excluded`` with
one :class:`ExclusionReason`. The policies, each an argument:

* **malformed or missing** customer id, date or amount (``on_invalid``): ``"raise"`` (default)
  an :class:`~bankcrm.errors.InputError` naming the column, the rule and the first rows, or
  ``"exclude"`` them with reason ``invalid_customer_id`` / ``invalid_date`` /
  ``invalid_amount``;
* **after** ``as_of`` (``after_as_of``): ``"exclude"`` (default, reason ``after_as_of``) or
  ``"raise"``;
* **before the window**: always excluded (reason ``before_window``); the customer stays in
  the features, flagged ``has_transactions=False``;
* **negative amounts / reversals** (``negatives``): ``"exclude"`` (default, reason
  ``negative_amount``), ``"net"`` (they lower ``monetary`` but are not purchases: they count
  in neither frequency nor recency) or ``"raise"``. A zero amount is a transaction;
* with a ``customers`` frame, transactions of customers not in it are excluded (reason
  ``unknown_customer``) and customers without transactions are kept and flagged.

Genuine duplicate rows are counted: a bank's extract may hold two equal payments on one day.
Amounts are converted to fen with :func:`bankcrm.money.to_fen` and summed as int64, so equal
totals are equal whatever the row order. The input frames are never modified.

>>> import pandas as pd
>>> tx = pd.DataFrame({
...     "customer_id": [7, 3, 7, 3, 9],
...     "date": pd.to_datetime(["2026-03-30", "2026-01-15", "2026-03-01", "2026-04-02",
...                             "2025-12-31"]),
...     "amount": [100.10, 20.0, 0.20, 5.0, -3.0],
... })
>>> result = rfm_features(tx, as_of="2026-03-31")
>>> result.features[["customer_id", "recency_days", "frequency", "monetary_fen"]]
   customer_id  recency_days  frequency  monetary_fen
0            3            75          1          2000
1            7             1          2         10030
2            9          <NA>          0             0
>>> result.excluded
   position           reason
3         3      after_as_of
4         4  negative_amount
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from typing import Any, Literal

import attrs
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from bankcrm._values import raise_for_rows
from bankcrm.errors import InputError
from bankcrm.frames import Column, FrameSchema, validate_frame
from bankcrm.money import to_fen
from bankcrm.policy import Provenance, stamp_provenance
from bankcrm.segmentation import _intake
from bankcrm.segmentation._groupby import (
    CHUNK,
    code_type,
    factorize_keys,
    group_count,
    sort_order,
)

__all__ = [
    "FEATURES_VERSION",
    "ExclusionReason",
    "RFMFeatures",
    "rfm_features",
]

#: Version of the feature definitions above; stamped on every features frame.
FEATURES_VERSION = "1"

MonetaryKind = Literal["sum", "mean"]
FrequencyKind = Literal["count", "active_days"]
NegativesPolicy = Literal["exclude", "net", "raise"]


class ExclusionReason(enum.StrEnum):
    """Why a transaction row was not counted (one reason per row, the first that applies)."""

    INVALID_CUSTOMER_ID = "invalid_customer_id"
    INVALID_DATE = "invalid_date"
    INVALID_AMOUNT = "invalid_amount"
    AFTER_AS_OF = "after_as_of"
    BEFORE_WINDOW = "before_window"
    UNKNOWN_CUSTOMER = "unknown_customer"
    NEGATIVE_AMOUNT = "negative_amount"


_REASONS = tuple(ExclusionReason)
_CODE = {reason: np.int8(i + 1) for i, reason in enumerate(_REASONS)}
# Rows that still show the customer existed by as_of keep it in the features (code 0 = counted).
_NOT_SEEN = frozenset(
    {ExclusionReason.INVALID_CUSTOMER_ID, ExclusionReason.INVALID_DATE, ExclusionReason.AFTER_AS_OF}
)
_SEEN = np.array([True] + [r not in _NOT_SEEN for r in _REASONS], dtype=bool)
_ROLES = ("customer_id", "date", "amount")
#: Per-row customer codes: int32 up to 2**31 rows (half the memory of intp), else int64.
_Codes = NDArray[np.signedinteger[Any]]


@attrs.frozen(eq=False, repr=False)
class RFMFeatures:
    """The features frame, the excluded rows with their reasons, and how they were computed.

    Attributes:
        features: one row per customer (see the module docstring for the columns).
        excluded: one row per excluded transaction, indexed by the input row label, with the
            row ``position`` in the input and its ``reason`` (an :class:`ExclusionReason`).
        as_of: the date recency is measured to.
        window_days: the window length in days, or ``None`` for all history.
        monetary: ``"sum"`` or ``"mean"``.
        frequency: ``"count"`` or ``"active_days"``.
        negatives: the policy applied to negative amounts.
        n_rows: how many transaction rows came in (= counted + excluded).
    """

    features: pd.DataFrame
    excluded: pd.DataFrame
    as_of: dt.date
    window_days: int | None
    monetary: MonetaryKind
    frequency: FrequencyKind
    negatives: NegativesPolicy
    n_rows: int

    @property
    def n_counted(self) -> int:
        """Rows that entered the features (negative rows under ``"net"`` included)."""
        return self.n_rows - len(self.excluded)

    def summary(self) -> pd.Series[int]:
        """Rows per outcome: ``counted`` and one entry per exclusion reason (zeros included).

        >>> import pandas as pd
        >>> tx = pd.DataFrame({"customer_id": [1], "date": pd.to_datetime(["2026-01-01"]),
        ...                    "amount": [1.0]})
        >>> rfm_features(tx, as_of="2026-01-01").summary().to_dict()["counted"]
        1
        """
        counts = (
            self.excluded["reason"]
            .value_counts()
            .reindex([r.value for r in _REASONS], fill_value=0)
        )
        head = pd.Series({"counted": self.n_counted}, dtype=np.int64)
        return pd.concat([head, counts.astype(np.int64)])

    def __repr__(self) -> str:
        window = "all history" if self.window_days is None else f"{self.window_days} days"
        return (
            f"RFMFeatures(as_of={self.as_of}, window={window}, customers={len(self.features)}, "
            f"rows={self.n_rows}, excluded={len(self.excluded)})"
        )


def _window_days(window: int | dt.timedelta | None) -> int | None:
    if window is None:
        return None
    if isinstance(window, dt.timedelta):
        if window % dt.timedelta(days=1):
            raise InputError(f"window must be whole days, got {window}", column="window")
        days = window.days
    elif isinstance(window, int | np.integer) and not isinstance(window, bool):
        days = int(window)
    else:
        raise InputError(
            f"window must be a number of days or a timedelta, got {window!r}", column="window"
        )
    if days < 1:
        raise InputError(f"window must be at least 1 day, got {days}", column="window")
    return days


def _choice(name: str, value: Any, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise InputError(f"{name} must be one of {list(allowed)}, got {value!r}", column=name)


def _role_names(columns: Mapping[str, str] | None) -> dict[str, str]:
    names = {role: role for role in _ROLES}
    if columns:
        unknown = sorted(set(columns) - set(_ROLES))
        if unknown:
            raise InputError(
                f"columns maps unknown role(s) {unknown}; roles are {list(_ROLES)}",
                column="columns",
            )
        names.update(columns)
    return names


class _Reasons:
    """Per-row reason codes, allocated only once some row is excluded."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.codes: NDArray[np.int8] | None = None

    def mark(self, mask: NDArray[np.bool_], reason: ExclusionReason, start: int = 0) -> None:
        if not mask.any():
            return
        if self.codes is None:
            self.codes = np.zeros(self.n, dtype=np.int8)
        part = self.codes[start : start + len(mask)]
        part[mask & (part == 0)] = _CODE[reason]


def rfm_features(
    transactions: pd.DataFrame,
    *,
    as_of: dt.date | str,
    window: int | dt.timedelta | None = None,
    monetary: MonetaryKind = "sum",
    frequency: FrequencyKind = "count",
    customers: pd.DataFrame | None = None,
    negatives: NegativesPolicy = "exclude",
    on_invalid: Literal["raise", "exclude"] = "raise",
    after_as_of: Literal["exclude", "raise"] = "exclude",
    columns: Mapping[str, str] | None = None,
) -> RFMFeatures:
    """Recency, frequency and monetary value of every customer as of a date.

    Args:
        transactions: one row per transaction with a customer id (integer or text), a date
            or timestamp and an amount in yuan (float, int, Decimal or text).
        as_of: the reference date (inclusive: a transaction on ``as_of`` has recency 0).
        window: count only the last ``window`` days ending on ``as_of`` (inclusive); ``None``
            for all history up to ``as_of``.
        monetary: ``"sum"`` of amounts, or ``"mean"`` per counted transaction.
        frequency: ``"count"`` of transactions, or ``"active_days"`` (distinct dates).
        customers: optional frame with a ``customer_id`` column (unique): every customer in
            it appears in the result (its other columns are carried along), and only they do.
        negatives: ``"exclude"``, ``"net"`` or ``"raise"`` for negative amounts.
        on_invalid: ``"raise"`` or ``"exclude"`` rows with a missing or malformed value.
        after_as_of: ``"exclude"`` or ``"raise"`` for rows dated after ``as_of``.
        columns: role → column name, e.g. ``{"customer_id": "cust_no", "amount": "amt"}``.

    Returns:
        An :class:`RFMFeatures` with ``.features`` and ``.excluded``.

    Raises:
        InputError: for a missing column, a bad argument, or a row that breaks a ``"raise"``
            policy (the message names the column, the rule and the first rows).
    """
    _choice("monetary", monetary, ("sum", "mean"))
    _choice("frequency", frequency, ("count", "active_days"))
    _choice("negatives", negatives, ("exclude", "net", "raise"))
    _choice("on_invalid", on_invalid, ("raise", "exclude"))
    _choice("after_as_of", after_as_of, ("exclude", "raise"))
    as_of_date = _intake.as_date(as_of)
    window_days = _window_days(window)
    names = _role_names(columns)
    schema = FrameSchema(
        "transactions",
        [
            Column(names["customer_id"], "str"),
            Column(names["date"], "datetime"),
            Column(names["amount"], "money"),
        ],
    )
    validate_frame(
        transactions.iloc[:0] if isinstance(transactions, pd.DataFrame) else transactions, schema
    )  # columns present, labels sane
    n = len(transactions)
    ids = _intake.read_ids(transactions[names["customer_id"]], names["customer_id"])
    dates = _intake.read_dates(transactions[names["date"]], names["date"])
    amounts = _intake.read_amounts(transactions[names["amount"]], names["amount"])

    reasons = _Reasons(n)
    for reason, col in (
        (ExclusionReason.INVALID_CUSTOMER_ID, ids.column),
        (ExclusionReason.INVALID_DATE, dates.column),
        (ExclusionReason.INVALID_AMOUNT, amounts.column),
    ):
        if col.bad is None:
            continue
        if on_invalid == "raise":
            rule, mask = col.first_rule()
            raise_for_rows(
                f"transactions: {_RULE_TEXT.get(rule, 'invalid value')}",
                column=col.name,
                rule=rule,
                mask=mask,
                series=col.series,
            )
        reasons.mark(col.bad, reason)

    day0 = (as_of_date - dt.date(1970, 1, 1)).days
    per_day = dates.per_day
    end = (day0 + 1) * per_day  # first instant after as_of
    start = None if window_days is None else (day0 - window_days + 1) * per_day
    day_range = _mark_dates(dates, reasons, end, start, after_as_of)

    # One factorization of the ids; bad-id rows get the trash code.
    codes, keys = _factorize(ids, reasons)
    keys, codes, extra = _universe(keys, codes, ids.is_int, reasons, customers, names)
    n_customers = len(keys)
    if reasons.codes is not None:
        codes[reasons.codes != 0] = n_customers  # trash

    total, count, last_day = _reduce(
        codes, dates, amounts, n_customers, negatives, reasons, names["amount"], day_range
    )
    if frequency == "active_days":
        count_for_freq = _active_days(codes, dates.stamps, per_day, n_customers)
    else:
        count_for_freq = count
    active = count > 0
    if monetary == "mean":
        total = _mean_half_up(total, count)
    if customers is None:  # the kernel numbers customers its own way: sort the results
        order = sort_order(keys)
        keys, total, count = keys[order], total[order], count[order]
        last_day = last_day[order]
        count_for_freq = count if frequency == "count" else count_for_freq[order]
        active = count > 0
    recency = np.where(active, day0 - last_day, 0)
    frame = pd.DataFrame(
        {
            "customer_id": keys,
            "recency_days": pd.arrays.IntegerArray(recency.astype(np.int64), ~active),
            "frequency": count_for_freq,
            "monetary": total / 100.0,
            "monetary_fen": total,
            "has_transactions": active,
        },
        copy=False,  # one block per column: no consolidation copy of millions of rows
    )
    if extra is not None and len(extra.columns):
        frame = pd.concat([frame, extra], axis=1)
    provenance = Provenance(
        f"rfm_features[{frequency},{monetary},negatives={negatives},window={window_days}]",
        FEATURES_VERSION,
        as_of_date,
        producer="bankcrm.segmentation.rfm_features",
    )
    frame = stamp_provenance(frame, provenance)
    excluded = _excluded_frame(reasons, transactions.index)
    return RFMFeatures(
        features=frame,
        excluded=excluded,
        as_of=as_of_date,
        window_days=window_days,
        monetary=monetary,
        frequency=frequency,
        negatives=negatives,
        n_rows=n,
    )


_RULE_TEXT = {
    "not_null": "missing value",
    "numeric": "not a valid amount",
    "finite": "amount is infinite",
    "range": "amount out of range",
    "int": "not a whole-number id",
    "str": "not a text id",
    "datetime": "not a valid date or timestamp",
    "negative_amount": "negative amount (reversal) not allowed with negatives='raise'",
    "after_as_of": "transaction dated after as_of not allowed with after_as_of='raise'",
}


def _mark_dates(
    dates: _intake.Dates, reasons: _Reasons, end: int, start: int | None, after_as_of: str
) -> tuple[int, int]:
    """Mark the rows outside the window; return the lowest and highest day of the rest."""
    stamps = dates.stamps
    per_day = dates.per_day
    if not len(stamps):
        return 0, 0
    low, high = int(stamps.min()), int(stamps.max())
    nat = np.iinfo(np.int64).min
    lowest_ok = nat + 1 if start is None else start
    if low >= lowest_ok and high < end:
        return low // per_day, high // per_day  # the usual case: every row in the window
    valid = stamps != nat
    after = valid & (stamps >= end)
    if after.any() and after_as_of == "raise":
        raise_for_rows(
            f"transactions: {_RULE_TEXT['after_as_of']}",
            column=dates.column.name,
            rule="after_as_of",
            mask=after,
            series=dates.column.series,
        )
    reasons.mark(after, ExclusionReason.AFTER_AS_OF)
    if start is not None:
        reasons.mark(valid & (stamps < start), ExclusionReason.BEFORE_WINDOW)
        low = start
    elif low == nat:  # the real stamps' lowest (NaT rows are excluded)
        real = stamps[valid]
        low = int(real.min()) if len(real) else 0
    return low // per_day, min(high, end - 1) // per_day


def _factorize(ids: _intake.Ids, reasons: _Reasons) -> tuple[_Codes, NDArray[Any]]:
    bad = ids.column.bad
    if bad is None:
        return factorize_keys(ids.values, sort=False, small=True)
    good = ~bad
    sub_codes, keys = factorize_keys(ids.values[good], sort=False, small=True)
    codes = np.full(len(bad), len(keys), dtype=code_type(len(bad)))
    codes[good] = sub_codes
    return codes, keys


def _universe(
    keys: NDArray[Any],
    codes: _Codes,
    is_int: bool,
    reasons: _Reasons,
    customers: pd.DataFrame | None,
    names: Mapping[str, str],
) -> tuple[NDArray[Any], _Codes, pd.DataFrame | None]:
    """The customers to report, with the row codes renumbered onto them (trash = their count).

    Without a ``customers`` frame: every id with a row that shows it existed by ``as_of``.
    """
    n_keys = len(keys)
    extra = None
    if customers is None:
        if reasons.codes is None:
            return keys, codes, None
        seen_rows = _SEEN[reasons.codes]
        seen = group_count(codes[seen_rows], n_keys) > 0
        if seen.all():
            return keys, codes, None
        mapping = np.full(n_keys + 1, int(seen.sum()), dtype=np.intp)
        mapping[np.flatnonzero(seen)] = np.arange(int(seen.sum()), dtype=np.intp)
        final = keys[seen]
    else:
        final, extra = _customer_keys(customers, is_int, names["customer_id"])
        mapping = np.full(n_keys + 1, len(final), dtype=np.intp)
        if is_int:
            where = np.searchsorted(final, keys)
            where = np.minimum(where, max(len(final) - 1, 0))
            found = (final[where] == keys) if len(final) else np.zeros(n_keys, dtype=bool)
        else:
            where = pd.Index(final).get_indexer(pd.Index(keys))
            found = where >= 0
        mapping[:n_keys][found] = where[found]
    out = np.empty_like(codes)
    for begin in range(0, len(codes), CHUNK):
        stop = min(len(codes), begin + CHUNK)
        out[begin:stop] = mapping[codes[begin:stop].astype(np.intp)]
    if customers is not None:
        # a valid id that is not a known customer (earlier reasons keep precedence)
        reasons.mark((out == len(final)) & (codes < n_keys), ExclusionReason.UNKNOWN_CUSTOMER)
    return final, out, extra


def _customer_keys(
    customers: pd.DataFrame, is_int: bool, id_column: str
) -> tuple[NDArray[Any], pd.DataFrame]:
    schema = FrameSchema(
        "customers",
        [Column(id_column, "int" if is_int else "str")],
        key=(id_column,),
        unique_key=True,
    )
    clean = validate_frame(customers, schema)
    raw = clean[id_column].to_numpy()
    values = raw.astype(np.int64) if is_int else np.asarray(raw, dtype=object)
    order = np.argsort(values, kind="stable")
    final = values[order]
    extra = clean.drop(columns=[id_column]).iloc[order].reset_index(drop=True)
    for reserved in ("recency_days", "frequency", "monetary", "monetary_fen", "has_transactions"):
        if reserved in extra.columns:
            raise InputError(
                f"customers: column {reserved!r} clashes with a feature column",
                column=reserved,
                rule="columns",
            )
    return final, extra


def _reduce(
    codes: _Codes,
    dates: _intake.Dates,
    amounts: _intake.Amounts,
    n_customers: int,
    negatives: str,
    reasons: _Reasons,
    amount_column: str,
    day_range: tuple[int, int],
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    """Exact per-customer sum (fen), count and last day (days since the epoch), chunk by chunk.

    ``codes`` is ours (a fresh array): rows of negative amounts are moved to the trash code
    in place once they have been netted (or excluded), so that one bincount gives the counts.
    The last day is taken over int32 day numbers when ``day_range`` (the lowest and highest
    day of the real timestamps) fits: half the table of int64 timestamps, fewer cache misses.
    """
    trash = n_customers
    n = len(codes)
    limit = np.iinfo(np.int32)
    fits = limit.min < day_range[0] and day_range[1] < limit.max
    day_type = np.int32 if fits else np.int64
    total = np.zeros(n_customers + 1, dtype=np.int64)
    last = np.full(n_customers + 1, np.iinfo(day_type).min, dtype=day_type)
    days = np.empty(min(n, CHUNK), dtype=day_type)
    stamps, per_day = dates.stamps, dates.per_day
    bad = amounts.column.bad
    for begin in range(0, n, CHUNK):
        stop = min(n, begin + CHUNK)
        if amounts.fen is not None:
            fen = amounts.fen[begin:stop]
        else:
            assert amounts.floats is not None
            part = amounts.floats[begin:stop]
            if bad is not None and bad[begin:stop].any():
                part = np.where(bad[begin:stop], 0.0, part)
            fen = to_fen(part, column=amount_column)
        chunk_codes = codes[begin:stop]
        negative = fen < 0
        if negative.any():
            negative &= chunk_codes != trash
        counted_codes = chunk_codes
        moved = False
        if negative.any():
            moved = True
            if negatives == "raise":
                mask = np.zeros(n, dtype=bool)
                mask[begin:stop] = negative
                raise_for_rows(
                    f"transactions: {_RULE_TEXT['negative_amount']}",
                    column=amount_column,
                    rule="negative_amount",
                    mask=mask,
                    series=amounts.column.series,
                )
            counted_codes = np.where(negative, trash, chunk_codes)
            if negatives == "exclude":
                reasons.mark(negative, ExclusionReason.NEGATIVE_AMOUNT, begin)
                chunk_codes = counted_codes
        np.add.at(total, chunk_codes, fen)
        # NaT rows are in the trash, so their wrapped day numbers never matter
        chunk_days = days[: stop - begin]
        np.floor_divide(stamps[begin:stop], per_day, out=chunk_days, casting="unsafe")
        np.maximum.at(last, counted_codes, chunk_days)
        if moved:
            codes[begin:stop] = counted_codes  # negative rows leave the counts
    count = group_count(codes, n_customers)
    return total[:n_customers], count, last[:n_customers].astype(np.int64)


def _active_days(
    codes: _Codes, stamps: NDArray[np.int64], per_day: int, n_customers: int
) -> NDArray[np.int64]:
    """Distinct transaction dates per customer (negative rows are already in the trash)."""
    keep = codes != n_customers
    rows = np.flatnonzero(keep)
    if not rows.size:
        return np.zeros(n_customers, dtype=np.int64)
    days = np.floor_divide(stamps[rows], per_day)
    first = int(days.min())
    span = int(days.max()) - first + 1
    pairs = codes[rows].astype(np.int64) * span + (days - first)
    _, distinct = factorize_keys(pairs, sort=False)
    owners = np.asarray(distinct, dtype=np.int64) // span
    return np.bincount(owners, minlength=n_customers).astype(np.int64)


def _mean_half_up(total: NDArray[np.int64], count: NDArray[np.int64]) -> NDArray[np.int64]:
    """``total / count`` rounded half away from zero, in integers (0 where count is 0).

    >>> _mean_half_up(np.array([5, -5, 4, 7]), np.array([2, 2, 3, 0])).tolist()
    [3, -3, 1, 0]
    """
    safe = np.maximum(count, 1)
    magnitude = (2 * np.abs(total) + safe) // (2 * safe)
    return np.where(count > 0, np.sign(total) * magnitude, 0).astype(np.int64)


def _excluded_frame(reasons: _Reasons, index: pd.Index[Any]) -> pd.DataFrame:
    categories = pd.CategoricalDtype([r.value for r in _REASONS])
    if reasons.codes is None:
        positions = np.empty(0, dtype=np.int64)
        labels: NDArray[np.int8] = np.empty(0, dtype=np.int8)
    else:
        positions = np.flatnonzero(reasons.codes).astype(np.int64)
        labels = reasons.codes[positions]
    reason = pd.Categorical.from_codes(labels.astype(np.int64) - 1, dtype=categories)
    return pd.DataFrame({"position": positions, "reason": reason}, index=index[positions])
