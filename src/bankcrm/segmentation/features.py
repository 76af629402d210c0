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
one :class:`ExclusionReason` and the row's customer id and date. Every setting is a field of
one frozen :class:`RFMPolicy` (defaults in brackets); change one by name,
``RFMPolicy(window_days=365, negatives="net")``:

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
  ``unknown_customer``) and customers without transactions are kept and flagged; integer ids
  in one frame and text ids in the other are an :class:`~bankcrm.errors.InputError` (rule
  ``key_type``), never a result in which every transaction is unknown;
* the window (``window_days``, all history by default), ``frequency`` (``"count"`` or
  ``"active_days"``) and ``monetary`` (``"sum"`` or ``"mean"``); the same policy carries the
  edges' ``bins``, ``weights`` and ``by`` (see :func:`~bankcrm.segmentation.fit_rfm_edges`).

Frames may be pandas (NumPy or Arrow-backed dtypes: ``decimal128`` amounts,
``string[pyarrow]`` ids, Arrow timestamps), pyarrow Tables or polars DataFrames; the result is
the same for all of them.

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
   position           reason  customer_id       date
3         3      after_as_of            3 2026-04-02
4         4  negative_amount            9 2025-12-31
>>> result.provenance.policy_name, result.provenance.policy_version
('bankcrm.segmentation.rfm', '1')
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Literal

import attrs
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from bankcrm._roles import column_names_by_frame, require_columns
from bankcrm._tables import as_pandas, type_name
from bankcrm._values import raise_for_rows
from bankcrm.calendar import as_date
from bankcrm.errors import InputError, PolicyError
from bankcrm.frames import Column, FrameSchema, validate_frame
from bankcrm.money import to_fen
from bankcrm.policy import Policy, Provenance, effective, named, stamp_provenance, versioned
from bankcrm.results import Result, excluded_frame
from bankcrm.segmentation import _intake
from bankcrm.segmentation._keys import sort_order

if TYPE_CHECKING:  # the compiled kernels load on first use, not on import (numba is heavy)
    from bankcrm.segmentation._aggregate import Aggregate

__all__ = [
    "ExclusionReason",
    "RFMFeatures",
    "RFMPolicy",
    "rfm_features",
]

MonetaryKind = Literal["sum", "mean"]
FrequencyKind = Literal["count", "active_days"]
NegativesPolicy = Literal["exclude", "net", "raise"]
OnInvalid = Literal["raise", "exclude"]
AfterAsOf = Literal["exclude", "raise"]
EmptyGroup = Literal["raise", "fallback"]

# The row states and the "no day" filler of :mod:`bankcrm.segmentation._kernels`, repeated here
# so that importing this module does not compile the kernels (a test checks they agree).
COUNTED, REGISTER, SKIP = 0, 1, 2
NO_DAY = int(np.iinfo(np.int64).min)

MAX_BINS = 9  # one digit per dimension in the "555" code


def _window_converter(value: Any) -> Any:
    """A whole-day ``timedelta`` becomes its number of days; anything else is left to check."""
    if isinstance(value, dt.timedelta) and not value % dt.timedelta(days=1):
        return value.days
    return value


def _window_days(_instance: Any, _attribute: Any, value: Any) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise PolicyError(
            f"window_days: must be a whole number of days of at least 1 (or None for all "
            f"history), got {value!r}"
        )


def _one_of(*allowed: str) -> Any:
    def check(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value not in allowed:
            raise PolicyError(f"{attribute.name}: must be one of {list(allowed)}, got {value!r}")

    return check


def _bins(_instance: Any, _attribute: Any, value: Any) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or not 2 <= value <= MAX_BINS:
        raise PolicyError(f"bins: must be an integer from 2 to {MAX_BINS}, got {value!r}")


def _weights(value: Iterable[Any]) -> tuple[int, int, int]:
    items = tuple(value) if isinstance(value, Iterable) and not isinstance(value, str) else ()
    if len(items) != 3 or not all(
        isinstance(w, int | np.integer) and not isinstance(w, bool) and w >= 0 for w in items
    ):
        raise PolicyError(f"weights: must be three non-negative integers (R, F, M), got {value!r}")
    return int(items[0]), int(items[1]), int(items[2])


def _by(_instance: Any, _attribute: Any, value: Any) -> None:
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise PolicyError(f"by: must be a column name or None, got {value!r}")


@attrs.frozen(kw_only=True)
class RFMPolicy(Policy):
    """Every setting of the RFM features and of the edges fitted on them, with defaults.

    A frozen :class:`bankcrm.policy.Policy`: change a setting by name
    (``RFMPolicy(window_days=365, negatives="net")``), save it with
    :func:`bankcrm.policy.save` and read it back with :func:`bankcrm.policy.load`. Results
    record its ``name`` and ``version``; give your own edition a version of its own.

    Attributes:
        window_days: count only the last ``window_days`` days ending on ``as_of``
            (inclusive); ``None`` for all history (a whole-day ``timedelta`` is accepted).
        monetary: ``"sum"`` of amounts, or ``"mean"`` per counted transaction.
        frequency: ``"count"`` of transactions, or ``"active_days"`` (distinct dates).
        negatives: ``"exclude"``, ``"net"`` or ``"raise"`` for negative amounts.
        on_invalid: ``"raise"`` or ``"exclude"`` rows with a missing or malformed value.
        after_as_of: ``"exclude"`` or ``"raise"`` for rows dated after ``as_of``.
        bins: scores per dimension of the fitted edges, 2..9 (5 = quintiles).
        weights: integer weights of R, F and M in the total ``rfm_score``.
        by: fit separate edges per value of this features column (``"customer_type"``,
            a branch code), or ``None`` for one pooled set.
        empty_group: with ``by``, a group none of whose customers has a transaction in the
            window has nothing to fit its own cuts on: ``"raise"`` (default) an
            :class:`~bankcrm.errors.InputError` (rule ``empty``) naming the group, or
            ``"fallback"`` to the cuts of the whole active population (all groups pooled),
            recorded on the group's :class:`~bankcrm.segmentation.GroupCutPoints`
            (``fallback=True``) so that batch and one-customer scoring use the same cuts.

    Raises:
        PolicyError: for a setting outside its allowed values.

    >>> RFMPolicy(window_days=365, negatives="net").window_days
    365
    >>> RFMPolicy(bins=12)
    Traceback (most recent call last):
    ...
    bankcrm.errors.PolicyError: bins: must be an integer from 2 to 9, got 12
    """

    name: str = named("bankcrm.segmentation.rfm")
    version: str = versioned("1")
    effective_date: dt.date = effective(dt.date(2026, 1, 1))  # noqa: RUF009
    window_days: int | None = attrs.field(
        default=None, converter=_window_converter, validator=_window_days
    )
    monetary: MonetaryKind = attrs.field(default="sum", validator=_one_of("sum", "mean"))
    frequency: FrequencyKind = attrs.field(
        default="count", validator=_one_of("count", "active_days")
    )
    negatives: NegativesPolicy = attrs.field(
        default="exclude", validator=_one_of("exclude", "net", "raise")
    )
    on_invalid: OnInvalid = attrs.field(default="raise", validator=_one_of("raise", "exclude"))
    after_as_of: AfterAsOf = attrs.field(default="exclude", validator=_one_of("exclude", "raise"))
    bins: int = attrs.field(default=5, validator=_bins)
    weights: tuple[int, int, int] = attrs.field(default=(1, 1, 1), converter=_weights)
    by: str | None = attrs.field(default=None, validator=_by)
    empty_group: EmptyGroup = attrs.field(default="raise", validator=_one_of("raise", "fallback"))


def as_policy(policy: Any) -> RFMPolicy:
    """``policy``, or the default :class:`RFMPolicy` for ``None``.

    Raises:
        InputError: rule ``type`` for anything but an :class:`RFMPolicy`.
    """
    if policy is None:
        return RFMPolicy()
    if not isinstance(policy, RFMPolicy):
        raise InputError(
            f"policy must be an RFMPolicy, got {type_name(policy)}", column="policy", rule="type"
        )
    return policy


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
# How the hash aggregate treats a row, by its reason code: counted, customer kept, or skipped.
_STATE = np.array(
    [COUNTED] + [SKIP if r in _NOT_SEEN else REGISTER for r in _REASONS], dtype=np.int8
)
_ROLES = ("customer_id", "date", "amount")


@attrs.frozen(eq=False, repr=False)
class RFMFeatures(Result):
    """The features frame, the excluded rows with their reasons, and how they were computed.

    Attributes:
        features: one row per customer (see the module docstring for the columns).
        excluded: one row per excluded transaction, indexed by the input row label, with the
            row ``position`` in the input, its ``reason`` (an :class:`ExclusionReason`) and
            the row's customer id and date (under the caller's column names).
        as_of: the date recency is measured to.
        policy: the :class:`RFMPolicy` applied.
        n_rows: how many transaction rows came in (= counted + excluded).
    """

    features: pd.DataFrame
    excluded: pd.DataFrame
    as_of: dt.date
    policy: RFMPolicy
    n_rows: int

    @property
    def provenance(self) -> Provenance:
        """The policy (name and version) and ``as_of`` that produced these features."""
        return self.policy.provenance(self.as_of, producer=_PRODUCER)

    @property
    def window_days(self) -> int | None:
        """The window length in days, or ``None`` for all history (from the policy)."""
        return self.policy.window_days

    @property
    def monetary(self) -> MonetaryKind:
        """``"sum"`` or ``"mean"`` (from the policy)."""
        return self.policy.monetary

    @property
    def frequency(self) -> FrequencyKind:
        """``"count"`` or ``"active_days"`` (from the policy)."""
        return self.policy.frequency

    @property
    def negatives(self) -> NegativesPolicy:
        """The rule applied to negative amounts (from the policy)."""
        return self.policy.negatives

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
            .astype(str)
            .value_counts()
            .reindex([r.value for r in _REASONS], fill_value=0)
        )
        head = pd.Series({"counted": self.n_counted}, dtype=np.int64)
        return pd.concat([head, counts.astype(np.int64)])


_PRODUCER = "bankcrm.segmentation.rfm_features"


class _Reasons:
    """Per-row reason codes, allocated only once a mask marks some row.

    Rows marked by position alone (the reversals, usually the only excluded rows) are kept
    as positions until a mask comes: no per-row array for the common case.
    """

    def __init__(self, n: int) -> None:
        self.n = n
        self.codes: NDArray[np.int8] | None = None
        self._rows: tuple[NDArray[np.intp], ExclusionReason] | None = None

    def mark(self, mask: NDArray[np.bool_], reason: ExclusionReason, start: int = 0) -> None:
        """Give ``reason`` to the rows of ``mask`` (from ``start``) that have none yet."""
        if not mask.any():
            return
        codes = self._materialize()
        part = codes[start : start + len(mask)]
        part[mask & (part == 0)] = _CODE[reason]

    def mark_rows(self, rows: NDArray[np.intp], reason: ExclusionReason) -> None:
        """Give ``reason`` to the rows at ``rows`` (ascending) that have none yet."""
        if not rows.size:
            return
        if self.codes is None and self._rows is None:
            self._rows = (rows, reason)
            return
        codes = self._materialize()
        codes[rows[codes[rows] == 0]] = _CODE[reason]

    def excluded(self) -> tuple[NDArray[np.int64], NDArray[np.int8]]:
        """Positions of the excluded rows (ascending) and their reason codes."""
        if self._rows is not None:
            rows, reason = self._rows
            return rows.astype(np.int64), np.full(len(rows), _CODE[reason], dtype=np.int8)
        if self.codes is None:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int8)
        positions = np.flatnonzero(self.codes).astype(np.int64)
        return positions, self.codes[positions]

    def _materialize(self) -> NDArray[np.int8]:
        if self.codes is None:
            self.codes = np.zeros(self.n, dtype=np.int8)
        if self._rows is not None:
            rows, reason = self._rows
            self.codes[rows] = _CODE[reason]  # marked first: takes precedence
            self._rows = None
        return self.codes


def rfm_features(
    transactions: Any,
    *,
    as_of: dt.date | str | np.datetime64,
    customers: Any = None,
    policy: RFMPolicy | None = None,
    columns: Mapping[str, Mapping[str, Any]] | None = None,
) -> RFMFeatures:
    """Recency, frequency and monetary value of every customer as of a date.

    Args:
        transactions: one row per transaction with a customer id (integer or text), a date
            or timestamp and an amount in yuan (float, int, Decimal or text): a pandas frame,
            a pyarrow Table or a polars DataFrame.
        as_of: the reference date (inclusive: a transaction on ``as_of`` has recency 0); a
            date, ISO text or a midnight timestamp (:func:`bankcrm.calendar.as_date`).
        customers: optional frame with a ``customer_id`` column (unique): every customer in
            it appears in the result (its other columns are carried along), and only they do.
        policy: the :class:`RFMPolicy` (default ``RFMPolicy()``).
        columns: frame → role → column name, e.g. ``{"transactions": {"customer_id":
            "cust_no", "amount": "amt"}, "customers": {"customer_id": "cust_no"}}``.

    Returns:
        An :class:`RFMFeatures` with ``.features``, ``.excluded`` and ``.provenance``.

    Raises:
        InputError: for missing columns (all of a frame's in one error), customer ids of
            different types in ``transactions`` and ``customers`` (rule ``key_type``), or a
            row that breaks a ``"raise"`` setting (the message names the column, the rule and
            the first rows).
    """
    policy = as_policy(policy)
    as_of_date = as_date(as_of, name="as_of")
    by_frame = column_names_by_frame(
        columns, {"transactions": _ROLES, "customers": ("customer_id",)}, where="rfm_features"
    )
    names = by_frame["transactions"]
    transactions = as_pandas(transactions, name="transactions")
    require_columns(transactions, names, where="transactions")
    schema = FrameSchema(
        "transactions",
        [
            Column(names["customer_id"], "str"),
            Column(names["date"], "datetime"),
            Column(names["amount"], "money"),
        ],
    )
    validate_frame(transactions.iloc[:0], schema)  # column labels sane
    customer_names = by_frame["customers"]
    if customers is not None:
        customers = as_pandas(customers, name="customers")
        require_columns(customers, customer_names, where="customers")
    n = len(transactions)
    ids = _intake.read_ids(transactions[names["customer_id"]], names["customer_id"])
    if customers is not None:
        _check_key_types(ids.is_int, transactions, names, customers, customer_names)
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
        if policy.on_invalid == "raise":
            rule, mask = col.first_rule()
            raise_for_rows(
                f"transactions: {_RULE_TEXT.get(rule, 'invalid value')}",
                column=col.name,
                rule=rule,
                mask=mask,
                series=col.series,
            )
        reasons.mark(col.bad, reason)

    window_days = policy.window_days
    day0 = (as_of_date - dt.date(1970, 1, 1)).days
    per_day = dates.per_day
    end = (day0 + 1) * per_day  # first instant after as_of
    start = None if window_days is None else (day0 - window_days + 1) * per_day
    _mark_dates(dates, reasons, end, start, policy.after_as_of)

    per = _per_customer(
        ids,
        dates,
        amounts,
        reasons,
        customers,
        names["amount"],
        customer_names["customer_id"],
        negatives=policy.negatives,
        frequency=policy.frequency,
    )
    active = per.count > 0
    total = _mean_half_up(per.total, per.count) if policy.monetary == "mean" else per.total
    recency = np.where(active, day0 - per.last, 0)
    frame = pd.DataFrame(
        {
            "customer_id": per.keys,
            "recency_days": pd.arrays.IntegerArray(recency.astype(np.int64), ~active),
            "frequency": per.freq,
            "monetary": total / 100.0,
            "monetary_fen": total,
            "has_transactions": active,
        },
        copy=False,  # one block per column: no consolidation copy of millions of rows
    )
    if per.extra is not None and len(per.extra.columns):
        frame = pd.concat([frame, per.extra], axis=1)
    frame = stamp_provenance(frame, policy.provenance(as_of_date, producer=_PRODUCER))
    excluded = _excluded(transactions, reasons, [names["customer_id"], names["date"]])
    return RFMFeatures(features=frame, excluded=excluded, as_of=as_of_date, policy=policy, n_rows=n)


_REASON_DTYPE = pd.CategoricalDtype([r.value for r in _REASONS])


def _excluded(transactions: pd.DataFrame, reasons: _Reasons, keys: list[Any]) -> pd.DataFrame:
    """The excluded rows, with ``reason`` kept categorical (text would cost tens of
    milliseconds per few hundred thousand reversals on the benchmark's 20 million rows)."""
    positions, codes = reasons.excluded()
    reason = pd.Categorical.from_codes(codes.astype(np.int64) - 1, dtype=_REASON_DTYPE)
    return excluded_frame(transactions, positions, reason, keys=keys)


def _id_kind(series: pd.Series[Any]) -> str | None:
    """``"int"`` or ``"text"`` as :func:`~bankcrm.segmentation._intake.read_ids` reads the
    column, or ``None`` when it holds no value to tell."""
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "text"
    if pd.api.types.is_numeric_dtype(dtype):
        return "int"
    if pd.api.types.is_object_dtype(dtype):
        sample = series.dropna().head(1000)
        if not len(sample):
            return None
        return "int" if all(isinstance(v, int | np.integer) for v in sample) else "text"
    return "text"


def _check_key_types(
    tx_is_int: bool,
    transactions: pd.DataFrame,
    names: Mapping[str, Any],
    customers: pd.DataFrame,
    customer_names: Mapping[str, Any],
) -> None:
    """Refuse integer ids in one frame and text ids in the other (every row would be unknown)."""
    tx_column = transactions[names["customer_id"]]
    customer_column = customers[customer_names["customer_id"]]
    kind = _id_kind(customer_column)
    tx_kind = "int" if tx_is_int else "text"
    if kind is None or kind == tx_kind:
        return
    raise InputError(
        f"rfm_features: customer ids are {tx_kind} in transactions (column "
        f"{names['customer_id']!r}, dtype {tx_column.dtype}) but {kind} in customers (column "
        f"{customer_names['customer_id']!r}, dtype {customer_column.dtype}); no transaction "
        "would match a customer. Convert one of them (e.g. .astype(str) on both)",
        column=str(customer_names["customer_id"]),
        rule="key_type",
    )


_RULE_TEXT = {
    "missing": "missing value",
    "numeric": "not a valid amount",
    "finite": "amount is infinite",
    "range": "amount out of range",
    "int": "not a whole-number id",
    "str": "not a text id",
    "datetime": "not a valid date or timestamp",
    "negative_amount": "negative amount (reversal) not allowed with negatives='raise'",
    "after_as_of": "transaction dated after as_of not allowed with after_as_of='raise'",
}


@attrs.frozen(eq=False)
class _PerCustomer:
    """The reported customers (sorted) with their figures and the customers frame's columns."""

    keys: NDArray[Any]
    total: NDArray[np.int64]
    count: NDArray[np.int64]
    last: NDArray[np.int64]
    freq: NDArray[np.int64]
    extra: pd.DataFrame | None


def _per_customer(
    ids: _intake.Ids,
    dates: _intake.Dates,
    amounts: _intake.Amounts,
    reasons: _Reasons,
    customers: pd.DataFrame | None,
    amount_name: Any,
    customer_id_name: Any,
    *,
    negatives: str,
    frequency: str,
) -> _PerCustomer:
    """Aggregate the rows per customer, apply the reversal and customer-list policies."""
    from bankcrm.segmentation._aggregate import aggregate

    per_day = dates.per_day
    state = None if reasons.codes is None else _STATE[reasons.codes]
    keys, labels = _row_keys(ids)
    amount_series = amounts.column.series
    entries = aggregate(
        keys,
        dates.stamps,
        per_day,
        floats=amounts.floats,
        fen=amounts.fen,
        state=state,
        net_negatives=negatives == "net",
        exact_fen=lambda rows: to_fen(amount_series.iloc[rows], column=amount_name),
        column=amount_name,
    )
    entry_keys = entries.keys if labels is None else labels[entries.keys]
    negative_rows = entries.negatives
    extra = None
    where: NDArray[np.intp] | None = None  # each entry's place among the customers
    if customers is None:
        final = entry_keys
    else:
        final, extra = _customer_keys(customers, ids.is_int, customer_id_name)
        where, found = _locate(final, entry_keys, ids.is_int)
        if not found.all():
            unknown = _rows_of_entries(entries, keys, state, ~found)
            reasons.mark(unknown, ExclusionReason.UNKNOWN_CUSTOMER)
            negative_rows = negative_rows[~unknown[negative_rows]]
            where = np.where(found, where, len(final))  # unknown customers: dropped below
    _apply_negatives(negative_rows, negatives, reasons, amounts.column, amount_name)
    per_entry = [entries.total, entries.count, entries.last]
    if frequency == "active_days":
        per_entry.append(_active_days(entries, keys, dates.stamps, per_day, state))
    total, count, last_day, *more = _spread(per_entry, where, len(final))
    count_for_freq = more[0] if more else count
    if customers is None and labels is not None:  # text ids: sort by the ids themselves
        order = sort_order(final)
        final, total, count, last_day = final[order], total[order], count[order], last_day[order]
        count_for_freq = count_for_freq[order]
    return _PerCustomer(final, total, count, last_day, count_for_freq, extra)


def _mark_dates(
    dates: _intake.Dates, reasons: _Reasons, end: int, start: int | None, after_as_of: str
) -> None:
    """Mark the rows dated after ``as_of`` or before the window (NaT rows are already out)."""
    stamps = dates.stamps
    if not len(stamps):
        return
    low, high = int(stamps.min()), int(stamps.max())
    nat = np.iinfo(np.int64).min
    lowest_ok = nat + 1 if start is None else start
    if low >= lowest_ok and high < end:
        return  # the usual case: every row in the window
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


def _row_keys(ids: _intake.Ids) -> tuple[NDArray[np.int64], NDArray[Any] | None]:
    """An int64 key per row: the id itself, or the number of a text id and the text per number."""
    return ids.values, ids.labels


def _locate(
    final: NDArray[Any], keys: NDArray[Any], is_int: bool
) -> tuple[NDArray[np.intp], NDArray[np.bool_]]:
    """Where each of ``keys`` sits in the sorted ``final`` ids, and whether it is there."""
    if is_int:
        where = np.minimum(np.searchsorted(final, keys), max(len(final) - 1, 0))
        found = (final[where] == keys) if len(final) else np.zeros(len(keys), dtype=bool)
        return where.astype(np.intp), found
    where = pd.Index(final).get_indexer(pd.Index(keys))
    return where.astype(np.intp), where >= 0


def _rows_of_entries(
    entries: Aggregate,
    keys: NDArray[np.int64],
    state: NDArray[np.int8] | None,
    chosen: NDArray[np.bool_],
) -> NDArray[np.bool_]:
    """Rows (as a mask) whose customer is one of the ``chosen`` entries."""
    rows = np.arange(len(keys)) if state is None else np.flatnonzero(state != SKIP)
    codes = entries.codes_of(keys, rows)
    mask = np.zeros(len(keys), dtype=bool)
    mask[rows] = chosen[codes]  # every such row's customer is an entry
    return mask


def _apply_negatives(
    rows: NDArray[np.intp],
    policy: str,
    reasons: _Reasons,
    column: _intake.Column,
    name: str,
) -> None:
    """Raise for the rows of negative amounts, or mark them excluded (``"net"`` keeps them)."""
    if not rows.size or policy == "net":
        return
    if policy == "raise":
        mask = np.zeros(reasons.n, dtype=bool)
        mask[rows] = True
        raise_for_rows(
            f"transactions: {_RULE_TEXT['negative_amount']}",
            column=name,
            rule="negative_amount",
            mask=mask,
            series=column.series,
        )
    reasons.mark_rows(rows, ExclusionReason.NEGATIVE_AMOUNT)


def _spread(
    per_entry: list[NDArray[np.int64]], where: NDArray[np.intp] | None, n_final: int
) -> list[NDArray[np.int64]]:
    """Put each entry's figures at its customer's place (``where == n_final``: dropped;
    ``None``: the entries are the customers)."""
    if where is None:
        return per_entry
    out = []
    for values, empty in zip(per_entry, (0, 0, NO_DAY, 0), strict=False):
        placed = np.full(n_final + 1, empty, dtype=np.int64)
        placed[where] = values
        out.append(placed[:n_final])
    return out


def _customer_keys(
    customers: pd.DataFrame, is_int: bool, id_column: Any
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


def _active_days(
    entries: Aggregate,
    keys: NDArray[np.int64],
    stamps: NDArray[np.int64],
    per_day: int,
    state: NDArray[np.int8] | None,
) -> NDArray[np.int64]:
    """Distinct days of counted rows per entry (negative amounts never count)."""
    from bankcrm.segmentation._aggregate import aggregate

    counted = np.ones(len(keys), dtype=bool) if state is None else state == COUNTED
    counted[entries.negatives] = False
    rows = np.flatnonzero(counted)
    n_entries = len(entries.keys)
    if not rows.size:
        return np.zeros(n_entries, dtype=np.int64)
    codes = entries.codes_of(keys, rows)
    days = stamps[rows] // per_day
    first = int(days.min())
    span = int(days.max()) - first + 1
    if n_entries * span < 2**62:  # (entry, day) packed in one int64
        pairs = codes * span + (days - first)
        owners = aggregate(pairs, pairs, 1).keys // span
    else:  # pragma: no cover - needs dates spanning millions of years
        frame = pd.DataFrame({"entry": codes, "day": days}).drop_duplicates()
        owners = frame["entry"].to_numpy()
    return np.bincount(owners, minlength=n_entries).astype(np.int64)


def _mean_half_up(total: NDArray[np.int64], count: NDArray[np.int64]) -> NDArray[np.int64]:
    """``total / count`` rounded half away from zero, in integers (0 where count is 0).

    >>> _mean_half_up(np.array([5, -5, 4, 7]), np.array([2, 2, 3, 0])).tolist()
    [3, -3, 1, 0]
    """
    safe = np.maximum(count, 1)
    magnitude = (2 * np.abs(total) + safe) // (2 * safe)
    return np.where(count > 0, np.sign(total) * magnitude, 0).astype(np.int64)
