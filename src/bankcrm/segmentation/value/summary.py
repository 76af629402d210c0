"""The per-customer summary the buy-till-you-die models use, and the customer-value policy.

:func:`clv_summary` turns a transaction log into one row per customer with

* ``frequency`` — **repeat** purchases: the number of distinct calendar days with a purchase,
  minus one (several transactions on one day are one purchase, as in the CDNOW data of Fader,
  Hardie & Lee);
* ``recency`` — time from the first to the last purchase day, in ``unit`` (0 when
  ``frequency`` is 0). Note: *not* the RFM recency, which runs from the last purchase to
  ``as_of``;
* ``T`` — time from the first purchase day to ``as_of``, in ``unit``;
* ``monetary_value`` — mean value of the repeat purchases in yuan: the first day's purchases
  are left out, each later purchase day counts once with its day total. Summed exactly in
  integer fen (``repeat_value_fen``), divided once; 0 when ``frequency`` is 0.

The rows are sorted by customer id (a ``customer_id`` column, as in
:func:`~bankcrm.segmentation.rfm_features`). The settings are the fields of a
:class:`CLVPolicy` (``CLVPolicy()`` holds the defaults). Every input row is accounted for, with
the same policy words as the RFM features:

* dated **after** ``as_of`` (``after_as_of``): ``"exclude"`` (default; listed in ``excluded``
  with the reason ``after_as_of``) or ``"raise"``; ``as_of`` itself is included;
* **negative amounts**, reversals and refunds (``negatives``): ``"exclude"`` (default, reason
  ``negative_amount``) or ``"raise"``. A zero amount is a purchase;
* a **missing or malformed** id, date or amount: an :class:`~bankcrm.errors.InputError`
  naming the column, the rule and the first rows.

The input is never modified and the result does not depend on row order.

>>> import pandas as pd
>>> tx = pd.DataFrame({
...     "customer_id": [1, 1, 1, 1, 2, 2],
...     "date": ["1997-01-01", "1997-01-18", "1997-08-02", "1997-12-12", "1997-01-01",
...              "1997-01-01"],
...     "amount": [29.33, 29.73, 14.96, 26.48, 63.34, 10.00],
... })
>>> s = clv_summary(tx, as_of="1997-09-30")
>>> s.frame[["customer_id", "frequency", "recency", "T", "monetary_value"]].round(3)
   customer_id  frequency  recency       T  monetary_value
0            1          2   30.429  38.857          22.345
1            2          0    0.000  38.857           0.000
>>> s.excluded
   position       reason  customer_id        date
3         3  after_as_of            1  1997-12-12
>>> s  # doctest: +NORMALIZE_WHITESPACE
CLVSummary(frame: 2 rows × 7 columns; excluded: 1 rows × 4 columns;
           policy bankcrm.segmentation.clv 1, as_of 1997-09-30)
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Hashable, Mapping
from decimal import Decimal
from typing import Any, Literal

import attrs
import numpy as np
import numpy.typing as npt
import pandas as pd

from bankcrm._roles import column_names, require_columns
from bankcrm._tables import as_pandas, type_name
from bankcrm._values import raise_for_rows
from bankcrm.calendar import as_date
from bankcrm.errors import PolicyError, Rule
from bankcrm.frames import Column, FrameSchema, validate_frame
from bankcrm.policy import (
    Policy,
    Provenance,
    effective,
    named,
    stamp_provenance,
    versioned,
)
from bankcrm.results import Result, excluded_frame
from bankcrm.segmentation import _intake

__all__ = ["CLVPolicy", "CLVSummary", "clv_summary"]

FloatArray = npt.NDArray[np.float64]

#: Time units accepted by ``unit``, in days (or ``"<n>D"``, n days).
UNIT_DAYS = {"D": 1, "W": 7}
_N_DAYS = re.compile(r"([1-9][0-9]*)D")

#: Reasons a transaction row is left out (the same words as
#: :class:`bankcrm.segmentation.ExclusionReason`).
AFTER_AS_OF = "after_as_of"
NEGATIVE_AMOUNT = "negative_amount"

RowPolicy = Literal["exclude", "raise"]

#: The column roles of a transaction log (:func:`clv_summary`) and of a summary frame (the
#: models and :func:`customer_value`).
TRANSACTION_ROLES = ("customer_id", "date", "amount")
SUMMARY_ROLES = ("customer_id", "frequency", "recency", "T", "monetary_value")

_SUMMARY_PRODUCER = "bankcrm.segmentation.clv_summary"


# ---------------------------------------------------------------------------------------------
# The policy


def _unit(value: str | int) -> str:
    """``7`` -> ``"7D"``; text is kept (the validator checks it)."""
    if isinstance(value, int | np.integer) and not isinstance(value, bool) and value > 0:
        return f"{int(value)}D"
    return value  # type: ignore[return-value]  # a bad value, refused by the validator


def _check_unit(_instance: Any, _attribute: Any, value: Any) -> None:
    if not (isinstance(value, str) and (value in UNIT_DAYS or _N_DAYS.fullmatch(value))):
        raise PolicyError(
            f"unit must be 'D', 'W' or a positive whole number of days, got {value!r}"
        )


def _check_row_policy(_instance: Any, attribute: attrs.Attribute[str], value: Any) -> None:
    if value not in ("exclude", "raise"):
        raise PolicyError(f"{attribute.name} must be 'exclude' or 'raise', got {value!r}")


def _finite(value: Any) -> bool:
    return (
        isinstance(value, int | float | np.integer | np.floating)
        and not isinstance(value, bool)
        and math.isfinite(value)
    )


def _check_positive(_instance: Any, attribute: attrs.Attribute[float], value: Any) -> None:
    if not (_finite(value) and value > 0):
        raise PolicyError(f"{attribute.name} must be a positive finite number, got {value!r}")


def _check_discount_rate(_instance: Any, attribute: attrs.Attribute[float], value: Any) -> None:
    if not (_finite(value) and value > -1):
        raise PolicyError(f"{attribute.name} must be a finite number > -1, got {value!r}")


def _check_finite(_instance: Any, attribute: attrs.Attribute[float], value: Any) -> None:
    if not _finite(value):
        raise PolicyError(f"{attribute.name} must be a finite number, got {value!r}")


def _check_iterations(_instance: Any, attribute: attrs.Attribute[int], value: Any) -> None:
    if not (isinstance(value, int) and not isinstance(value, bool) and value > 0):
        raise PolicyError(f"{attribute.name} must be a positive whole number, got {value!r}")


def _to_float(value: Any) -> Any:
    if isinstance(value, int | Decimal | np.integer | np.floating) and not isinstance(value, bool):
        return float(value)
    return value


def _to_floats(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return tuple(_to_float(v) for v in value)
    return value


def _starting_point(size: int) -> Any:
    def check(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if not (
            isinstance(value, tuple)
            and len(value) == size
            and all(_finite(v) and v > 0 for v in value)
        ):
            raise PolicyError(
                f"{attribute.name} must be {size} positive finite numbers, got {value!r}"
            )

    return check


@attrs.frozen(kw_only=True)
class CLVPolicy(Policy):
    """The settings of customer value: the summary, the valuation and the model fits.

    One policy for the whole chain, so a bank keeps its choices in one file
    (:func:`bankcrm.policy.save`) and every result names it in its provenance.

    Attributes:
        unit: time unit of ``recency``, ``T``, ``period`` and the horizon: ``"W"`` (weeks, the
            usual choice), ``"D"`` (days) or ``"<n>D"`` (``unit=14`` is read as ``"14D"``).
            Purchases are always grouped per calendar day, whatever the unit.
        negatives: negative amounts (reversals, refunds): ``"exclude"`` (listed in
            ``excluded`` with the reason ``negative_amount``) or ``"raise"``.
        after_as_of: transactions dated after ``as_of``: ``"exclude"`` or ``"raise"``.
        period: discounting period of :func:`customer_value`, in ``unit``.
        discount_rate: discount rate per ``period`` (> -1).
        margin: share of spend that is profit.
        tolerance: convergence tolerance of the maximum-likelihood fits (L-BFGS-B ``gtol`` and
            ``ftol`` on the log-likelihood scaled by its starting magnitude).
        max_iterations: iteration cap of the fits.
        bgnbd_initial_params: starting ``(r, alpha, a, b)`` of the BG/NBD fit.
        gamma_gamma_initial_params: starting ``(p, q, v)`` of the Gamma-Gamma fit.

    >>> CLVPolicy(unit="D", discount_rate=0.01).unit_days
    1
    >>> CLVPolicy(unit=14).unit
    '14D'
    >>> CLVPolicy(period=0)
    Traceback (most recent call last):
    ...
    bankcrm.errors.PolicyError: period must be a positive finite number, got 0.0
    """

    name: str = named("bankcrm.segmentation.clv")
    version: str = versioned("1")
    effective_date: dt.date = effective(dt.date(2026, 1, 1))  # noqa: RUF009
    unit: str = attrs.field(default="W", converter=_unit, validator=_check_unit)
    negatives: RowPolicy = attrs.field(default="exclude", validator=_check_row_policy)
    after_as_of: RowPolicy = attrs.field(default="exclude", validator=_check_row_policy)
    period: float = attrs.field(default=1.0, converter=_to_float, validator=_check_positive)
    discount_rate: float = attrs.field(
        default=0.0, converter=_to_float, validator=_check_discount_rate
    )
    margin: float = attrs.field(default=1.0, converter=_to_float, validator=_check_finite)
    tolerance: float = attrs.field(default=1e-10, converter=_to_float, validator=_check_positive)
    max_iterations: int = attrs.field(default=1000, validator=_check_iterations)
    bgnbd_initial_params: tuple[float, float, float, float] = attrs.field(
        default=(1.0, 1.0, 1.0, 1.0), converter=_to_floats, validator=_starting_point(4)
    )
    gamma_gamma_initial_params: tuple[float, float, float] = attrs.field(
        default=(1.0, 1.0, 1.0), converter=_to_floats, validator=_starting_point(3)
    )

    @property
    def unit_days(self) -> int:
        """Days per ``unit``."""
        if self.unit in UNIT_DAYS:
            return UNIT_DAYS[self.unit]
        return int(self.unit[:-1])


def resolve_policy(policy: Any, summary: Any = None) -> CLVPolicy:
    """``policy``, else the policy of a :class:`CLVSummary`, else the defaults."""
    if policy is None:
        if isinstance(summary, CLVSummary):
            return summary.policy
        return CLVPolicy()
    if not isinstance(policy, CLVPolicy):
        raise PolicyError(f"policy must be a CLVPolicy, got {type_name(policy)}")
    return policy


# ---------------------------------------------------------------------------------------------
# The summary


@attrs.frozen(eq=False, repr=False)
class CLVSummary(Result):
    """Result of :func:`clv_summary`.

    Attributes:
        frame: one row per customer, sorted by id: the customer id column, ``frequency``
            (int64), ``recency``, ``T``, ``monetary_value`` (float64), ``repeat_value_fen``
            (int64, exact) and ``first_purchase`` (date).
        excluded: one row per transaction left out, indexed by the input row label, with the
            row ``position`` in the input, its ``reason`` (``after_as_of`` or
            ``negative_amount``) and the row's customer id and date
            (:func:`bankcrm.results.excluded_frame`).
        as_of: the end of observation (a date; transactions on it are included).
        policy: the :class:`CLVPolicy` applied.
        n_rows: transaction rows that came in (= used + excluded).
        id_column: the label of the customer id column in ``frame`` (the input's).
    """

    frame: pd.DataFrame
    excluded: pd.DataFrame
    as_of: dt.date
    policy: CLVPolicy
    n_rows: int
    id_column: Hashable = "customer_id"

    @property
    def provenance(self) -> Provenance:
        """The policy's name and version and ``as_of``; ``frame`` carries the same record."""
        return self.policy.provenance(self.as_of, producer=_SUMMARY_PRODUCER)

    @property
    def unit(self) -> str:
        """The time unit of ``recency`` and ``T`` (``"D"``, ``"W"`` or ``"<n>D"``)."""
        return self.policy.unit

    @property
    def unit_days(self) -> int:
        """Days per unit."""
        return self.policy.unit_days

    @property
    def n_transactions(self) -> int:
        """Transaction rows used in the summary."""
        return self.n_rows - len(self.excluded)


def clv_summary(
    transactions: Any,
    *,
    as_of: dt.date | str,
    policy: CLVPolicy | None = None,
    columns: Mapping[str, Hashable] | None = None,
) -> CLVSummary:
    """Per-customer ``frequency``, ``recency``, ``T`` and ``monetary_value`` at ``as_of``.

    Args:
        transactions: one row per transaction (a pandas DataFrame with NumPy or Arrow-backed
            dtypes, a pyarrow Table or a polars DataFrame); extra columns are ignored. Its
            columns have the roles ``customer_id`` (integers or text, read as
            :func:`~bankcrm.segmentation.rfm_features` reads them; no nulls), ``date`` (dates or
            timestamps; a timestamp counts on its own calendar day, in its own time zone if it
            has one) and ``amount`` (yuan: float, int, Decimal or text, read exactly into fen).
        as_of: end of observation, a date or ISO text ``"YYYY-MM-DD"`` (transactions on it
            count, later ones are excluded); see :func:`bankcrm.calendar.as_date`.
        policy: a :class:`CLVPolicy` (``unit``, ``negatives``, ``after_as_of``); the defaults
            when None.
        columns: ``{role: column}`` for columns not named after their role, e.g.
            ``{"customer_id": "cust_no"}``.

    Returns:
        A :class:`CLVSummary` (it, or its ``frame``, is what
        :func:`~bankcrm.segmentation.fit_bgnbd` and :func:`~bankcrm.segmentation.fit_gamma_gamma`
        take).

    Raises:
        InputError: missing columns (all in one error), null ids, dates or amounts, malformed
            values, a row breaking a ``"raise"`` setting, a bad ``as_of``.
        PolicyError: ``policy`` is not a :class:`CLVPolicy`.
    """
    policy = resolve_policy(policy)
    end = as_date(as_of, name="as_of")
    tx = as_pandas(transactions, name="transactions")
    names = column_names(columns, TRANSACTION_ROLES, where="clv_summary")
    require_columns(tx, names, where="transactions")
    id_col, date_col, amount_col = names["customer_id"], names["date"], names["amount"]
    schema = FrameSchema(
        "transactions",
        [Column(date_col, "datetime"), Column(amount_col, "money")],
        allow_extra=True,
    )
    clean = validate_frame(tx, schema)
    codes, uniques = _customer_codes(tx[id_col], id_col)
    days = _calendar_days(clean[date_col])
    fen = clean[amount_col].to_numpy(dtype=np.int64)

    end_day = (end - dt.date(1970, 1, 1)).days
    after = days > end_day
    negative = (fen < 0) & ~after
    for mask, option, setting, column, rule, text in (
        (
            after,
            "after_as_of",
            policy.after_as_of,
            date_col,
            Rule.AFTER_AS_OF,
            "transaction dated after as_of",
        ),
        (
            negative,
            "negatives",
            policy.negatives,
            amount_col,
            Rule.NEGATIVE_AMOUNT,
            "negative amount (reversal)",
        ),
    ):
        if setting == "raise" and mask.any():
            raise_for_rows(
                f"transactions: {text} not allowed with {option}='raise'",
                column=str(column),
                rule=rule,
                mask=mask,
                series=tx[column],
            )
    dropped = after | negative
    positions = np.flatnonzero(dropped).astype(np.int64)
    reasons = np.where(after[positions], AFTER_AS_OF, NEGATIVE_AMOUNT)
    excluded = excluded_frame(tx, positions, reasons, keys=[id_col, date_col])

    keep = ~dropped
    frame = _summarise(codes[keep], days[keep], fen[keep], end_day, policy.unit_days)
    frame.insert(0, id_col, uniques.take(frame.index.to_numpy()))
    frame.index = pd.RangeIndex(len(frame))
    summary = CLVSummary(
        frame=frame,
        excluded=excluded,
        as_of=end,
        policy=policy,
        n_rows=len(tx),
        id_column=id_col,
    )
    return attrs.evolve(summary, frame=stamp_provenance(frame, summary.provenance))


def _customer_codes(
    ids: pd.Series[Any], column: str
) -> tuple[npt.NDArray[np.int64], pd.Index[Any]]:
    """Codes ordered by customer id (so the output order never depends on the row order).

    Ids are read as :func:`~bankcrm.segmentation.rfm_features` reads them (int64, or text when
    any id is text: ``1`` and ``"1"`` are one customer), so the two outputs join on the id.
    """
    read = _intake.read_ids(ids, column)
    if read.column.bad is not None:
        rule, mask = read.column.first_rule()
        raise_for_rows(
            "transactions: missing or malformed customer id",
            column=column,
            rule=rule,
            mask=mask,
            series=ids,
        )
    codes, uniques = read.sorted_codes()
    return codes, pd.Index(uniques)


def _calendar_days(stamps: pd.Series[Any]) -> npt.NDArray[np.int64]:
    """Days since 1970-01-01 of each timestamp's own calendar date (wall clock in its zone)."""
    if isinstance(stamps.dtype, pd.DatetimeTZDtype):
        stamps = stamps.dt.tz_localize(None)
    values = stamps.to_numpy().astype("datetime64[D]").astype(np.int64)
    return np.asarray(values, dtype=np.int64)


def _summarise(
    codes: npt.NDArray[np.int64],
    days: npt.NDArray[np.int64],
    fen: npt.NDArray[np.int64],
    end_day: int,
    unit_days: int,
) -> pd.DataFrame:
    """The per-customer columns, indexed by customer code (ascending)."""
    columns = ["frequency", "recency", "T", "monetary_value", "repeat_value_fen", "first_purchase"]
    if len(codes) == 0:
        empty = pd.DataFrame(
            {
                "frequency": np.array([], dtype=np.int64),
                "recency": np.array([], dtype=np.float64),
                "T": np.array([], dtype=np.float64),
                "monetary_value": np.array([], dtype=np.float64),
                "repeat_value_fen": np.array([], dtype=np.int64),
                "first_purchase": np.array([], dtype="datetime64[s]"),
            },
            index=pd.Index(np.array([], dtype=np.int64)),
        )
        return empty[columns]
    first_day = int(days.min())
    span = int(days.max()) - first_day + 1
    # One sortable int64 key per (customer, day); sums of integers do not depend on the order.
    key = codes * span + (days - first_day)
    order = np.argsort(key, kind="stable")
    key_sorted = key[order]
    fen_sorted = fen[order]
    day_starts = np.flatnonzero(np.r_[True, key_sorted[1:] != key_sorted[:-1]])
    day_key = key_sorted[day_starts]
    day_fen = np.add.reduceat(fen_sorted, day_starts)
    day_code = day_key // span
    day_of = day_key % span + first_day
    cust_starts = np.flatnonzero(np.r_[True, day_code[1:] != day_code[:-1]])
    cust_ends = np.r_[cust_starts[1:], len(day_code)] - 1
    n_days = np.diff(np.r_[cust_starts, len(day_code)])
    first = day_of[cust_starts]
    last = day_of[cust_ends]
    frequency = (n_days - 1).astype(np.int64)
    repeat_fen = np.add.reduceat(day_fen, cust_starts) - day_fen[cust_starts]
    with np.errstate(invalid="ignore", divide="ignore"):
        monetary = np.where(frequency > 0, repeat_fen / (frequency * 100.0), 0.0)
    frame = pd.DataFrame(
        {
            "frequency": frequency,
            "recency": (last - first) / unit_days,
            "T": (end_day - first) / unit_days,
            "monetary_value": monetary,
            "repeat_value_fen": repeat_fen.astype(np.int64),
            "first_purchase": first.astype("datetime64[D]").astype("datetime64[s]"),
        },
        index=pd.Index(day_code[cust_starts]),
    )
    return frame[columns]
