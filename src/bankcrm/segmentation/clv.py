"""Customer value: the per-customer summary the buy-till-you-die models use, and scoring with them.

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
:func:`~bankcrm.segmentation.rfm_features`). Every input row is accounted for, with the same
policy words as the RFM features:

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
   position       reason
3         3  after_as_of
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

import attrs
import numpy as np
import numpy.typing as npt
import pandas as pd

from bankcrm._values import raise_for_rows
from bankcrm.errors import InputError, PolicyError
from bankcrm.frames import Column, FrameSchema, validate_frame
from bankcrm.policy import Provenance, read_provenance, stamp_provenance
from bankcrm.segmentation import _intake
from bankcrm.segmentation.bgnbd import BGNBDModel
from bankcrm.segmentation.gamma_gamma import GammaGammaModel

__all__ = [
    "CLV_SUMMARY_RULE",
    "CUSTOMER_VALUE_RULE",
    "CLVSummary",
    "clv_summary",
    "customer_value",
]

#: Name and version of the summary rule (purchases per calendar day, recency first-to-last,
#: mean of repeat purchases), stamped on every result; bump the version when the rule changes.
CLV_SUMMARY_RULE = ("clv_summary", "1")
#: Name and version of the scoring step of :func:`customer_value`.
CUSTOMER_VALUE_RULE = ("customer_value", "1")

#: Time units accepted by ``unit``, in days.
UNIT_DAYS = {"D": 1, "W": 7}

#: Reasons a transaction row is left out (the same words as
#: :class:`bankcrm.segmentation.ExclusionReason`).
AFTER_AS_OF = "after_as_of"
NEGATIVE_AMOUNT = "negative_amount"
_REASONS = pd.CategoricalDtype([AFTER_AS_OF, NEGATIVE_AMOUNT])

RowPolicy = Literal["exclude", "raise"]


@attrs.frozen(eq=False)
class CLVSummary:
    """Result of :func:`clv_summary`.

    Attributes:
        frame: one row per customer, sorted by id: the customer id column, ``frequency``
            (int64), ``recency``, ``T``, ``monetary_value`` (float64), ``repeat_value_fen``
            (int64, exact) and ``first_purchase`` (date).
        excluded: one row per transaction left out, indexed by the input row label, with the
            row ``position`` in the input and its ``reason`` (``after_as_of`` or
            ``negative_amount``).
        as_of: the end of observation (a date; transactions on it are included).
        unit: the time unit of ``recency`` and ``T`` (``"D"``, ``"W"``, or ``"<n>D"``).
        unit_days: days per unit.
        negatives: the policy applied to negative amounts.
        n_rows: transaction rows that came in (= used + excluded).
        provenance: the rule's name and version (:data:`CLV_SUMMARY_RULE`) and ``as_of``;
            ``frame`` carries the same record (:func:`bankcrm.policy.read_provenance`).
    """

    frame: pd.DataFrame
    excluded: pd.DataFrame
    as_of: dt.date
    unit: str
    unit_days: int
    negatives: RowPolicy
    n_rows: int
    provenance: Provenance

    @property
    def n_transactions(self) -> int:
        """Transaction rows used in the summary."""
        return self.n_rows - len(self.excluded)


def _unit_days(unit: str | int) -> tuple[str, int]:
    if isinstance(unit, str) and unit in UNIT_DAYS:
        return unit, UNIT_DAYS[unit]
    if isinstance(unit, int | np.integer) and not isinstance(unit, bool) and unit > 0:
        return f"{int(unit)}D", int(unit)
    raise PolicyError(f"unit must be 'D', 'W' or a positive whole number of days, got {unit!r}")


def clv_summary(
    transactions: pd.DataFrame,
    *,
    as_of: dt.date | str,
    unit: str | int = "W",
    customer_id: str = "customer_id",
    date: str = "date",
    amount: str = "amount",
    negatives: RowPolicy = "exclude",
    after_as_of: RowPolicy = "exclude",
) -> CLVSummary:
    """Per-customer ``frequency``, ``recency``, ``T`` and ``monetary_value`` at ``as_of``.

    Args:
        transactions: one row per transaction; extra columns are ignored.
        as_of: end of observation, a date or ISO text ``"YYYY-MM-DD"`` (transactions on it
            count, later ones are excluded).
        unit: time unit of ``recency`` and ``T``: ``"W"`` (weeks, 7 days, the usual choice),
            ``"D"`` (days) or a positive whole number of days. Purchases are always grouped per
            calendar day, whatever the unit.
        customer_id: name of the customer id column (integers or text, read as
            :func:`~bankcrm.segmentation.rfm_features` reads them; no nulls).
        date: name of the date column (dates or timestamps; a timestamp counts on its own
            calendar day, in its own time zone if it has one).
        amount: name of the amount column, in yuan (float, int, Decimal or text), read exactly
            into fen.
        negatives: ``"exclude"`` (default) lists negative amounts in ``excluded`` with the
            reason ``negative_amount``; ``"raise"`` raises on them.
        after_as_of: ``"exclude"`` (default) lists rows dated after ``as_of`` in
            ``excluded``; ``"raise"`` raises on them.

    Returns:
        A :class:`CLVSummary` (its ``frame`` is what :func:`~bankcrm.segmentation.fit_bgnbd`
        and :func:`~bankcrm.segmentation.fit_gamma_gamma` take).

    Raises:
        InputError: a missing column, null ids, dates or amounts, malformed values, a row
            breaking a ``"raise"`` policy, a bad ``as_of``.
        PolicyError: an unknown ``unit``, ``negatives`` or ``after_as_of``.
    """
    unit_name, unit_days = _unit_days(unit)
    for name, value in (("negatives", negatives), ("after_as_of", after_as_of)):
        if value not in ("exclude", "raise"):
            raise PolicyError(f"{name} must be 'exclude' or 'raise', got {value!r}")
    end = _intake.as_date(as_of)  # the same as_of rule as rfm_features
    if not isinstance(transactions, pd.DataFrame):
        raise InputError(
            f"transactions: expected a pandas DataFrame, got {type(transactions).__name__}",
            rule="type",
        )
    schema = FrameSchema(
        "transactions", [Column(date, "datetime"), Column(amount, "money")], allow_extra=True
    )
    if customer_id not in transactions.columns:
        raise InputError(
            f"transactions: missing required column(s) [{customer_id!r}]",
            column=customer_id,
            rule="required",
        )
    clean = validate_frame(transactions, schema)
    codes, uniques = _customer_codes(transactions[customer_id], customer_id)
    days = _calendar_days(clean[date])
    fen = clean[amount].to_numpy(dtype=np.int64)

    end_day = (end - dt.date(1970, 1, 1)).days
    after = days > end_day
    negative = (fen < 0) & ~after
    for mask, option, policy, column, rule, text in (
        (after, "after_as_of", after_as_of, date, AFTER_AS_OF, "transaction dated after as_of"),
        (negative, "negatives", negatives, amount, NEGATIVE_AMOUNT, "negative amount (reversal)"),
    ):
        if policy == "raise" and mask.any():
            raise_for_rows(
                f"transactions: {text} not allowed with {option}='raise'",
                column=column,
                rule=rule,
                mask=mask,
                series=transactions[column],
            )
    dropped = after | negative
    positions = np.flatnonzero(dropped).astype(np.int64)
    reason_codes = np.where(after[positions], 0, 1)
    excluded = pd.DataFrame(
        {
            "position": positions,
            "reason": pd.Categorical.from_codes(reason_codes, dtype=_REASONS),
        },
        index=transactions.index[positions],
    )

    keep = ~dropped
    frame = _summarise(codes[keep], days[keep], fen[keep], end_day, unit_days)
    frame.insert(0, customer_id, uniques.take(frame.index.to_numpy()))
    frame.index = pd.RangeIndex(len(frame))
    provenance = Provenance(
        f"{CLV_SUMMARY_RULE[0]}[unit={unit_name},negatives={negatives}]",
        CLV_SUMMARY_RULE[1],
        end,
        producer="bankcrm.segmentation.clv_summary",
    )
    return CLVSummary(
        frame=stamp_provenance(frame, provenance),
        excluded=excluded,
        as_of=end,
        unit=unit_name,
        unit_days=unit_days,
        negatives=negatives,
        n_rows=len(transactions),
        provenance=provenance,
    )


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


def customer_value(
    summary: pd.DataFrame | CLVSummary,
    bgnbd: BGNBDModel,
    gamma_gamma: GammaGammaModel | None = None,
    *,
    horizon: float,
    period: float = 1.0,
    discount_rate: float = 0.0,
    margin: float = 1.0,
    customer_id: str = "customer_id",
) -> pd.DataFrame:
    """Score every customer of a summary: P(alive), expected purchases and (optionally) value.

    Args:
        summary: a :class:`CLVSummary` or its frame (``frequency``, ``recency``, ``T`` and,
            with ``gamma_gamma``, ``monetary_value``).
        bgnbd: a fitted BG/NBD model (same time unit as the summary).
        gamma_gamma: a fitted Gamma-Gamma model, or None to skip the money columns.
        horizon: forecast horizon in the summary's time unit.
        period: discounting period length (same unit); see
            :meth:`GammaGammaModel.customer_lifetime_value`.
        discount_rate: discount rate per period.
        margin: share of spend that is profit.
        customer_id: the id column copied from the summary (when it has one).

    Returns:
        A frame with the summary's index, its id column, ``p_alive``,
        ``expected_transactions`` (over the horizon), and with ``gamma_gamma`` also
        ``expected_average_value`` and ``clv``;
        stamped with :data:`CUSTOMER_VALUE_RULE` after the summary's own provenance records.

    >>> bg = BGNBDModel.from_params({"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426})
    >>> gg = GammaGammaModel.from_params({"p": 6.25, "q": 3.74, "v": 15.44})
    >>> summary = pd.DataFrame({"customer_id": ["c1", "c2"], "frequency": [2, 0],
    ...                         "recency": [30.43, 0.0], "T": [38.86, 38.86],
    ...                         "monetary_value": [22.35, 0.0]})
    >>> customer_value(summary, bg, gg, horizon=39).round(3)
      customer_id  p_alive  expected_transactions  expected_average_value     clv
    0          c1    0.727                  1.226                  24.664  30.238
    1          c2    1.000                  0.195                  35.219   6.871
    """
    frame = summary.frame if isinstance(summary, CLVSummary) else summary
    if not isinstance(frame, pd.DataFrame):
        raise InputError(
            f"expected a DataFrame or a CLVSummary, got {type(summary).__name__}", rule="type"
        )
    for name in ("frequency", "recency", "T") + (("monetary_value",) if gamma_gamma else ()):
        if name not in frame.columns:
            raise InputError(f"the summary has no column {name!r}", column=name, rule="required")
    x = frame["frequency"].to_numpy()
    t_x = frame["recency"].to_numpy()
    big_t = frame["T"].to_numpy()
    out = pd.DataFrame(index=frame.index)
    if customer_id in frame.columns:
        out[customer_id] = frame[customer_id]
    out["p_alive"] = bgnbd.p_alive(x, t_x, big_t)
    out["expected_transactions"] = bgnbd.expected_transactions(horizon, x, t_x, big_t)
    if gamma_gamma is not None:
        m_x = frame["monetary_value"].to_numpy()
        out["expected_average_value"] = gamma_gamma.conditional_expected_average_value(x, m_x)
        out["clv"] = gamma_gamma.customer_lifetime_value(
            bgnbd,
            x,
            t_x,
            big_t,
            m_x,
            horizon=horizon,
            period=period,
            discount_rate=discount_rate,
            margin=margin,
        )
    earlier = read_provenance(frame)
    as_of = earlier[0].as_of if earlier else None
    mine = Provenance(*CUSTOMER_VALUE_RULE, as_of, producer="bankcrm.segmentation.customer_value")
    return stamp_provenance(out, mine, *earlier)
