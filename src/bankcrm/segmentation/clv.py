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

Transactions dated after ``as_of`` are not used: they are listed in ``excluded`` with the reason
``after_as_of`` (``as_of`` itself is included). Negative amounts (reversals, refunds) are an
error by default, or listed in ``excluded`` with the reason ``negative_amount``; zero amounts
count as purchases. Every input row is either used or listed. The input is never modified and
the result does not depend on row order.

>>> import pandas as pd
>>> tx = pd.DataFrame({
...     "customer_id": [1, 1, 1, 1, 2, 2],
...     "date": ["1997-01-01", "1997-01-18", "1997-08-02", "1997-12-12", "1997-01-01",
...              "1997-01-01"],
...     "amount": [29.33, 29.73, 14.96, 26.48, 63.34, 10.00],
... })
>>> s = clv_summary(tx, as_of="1997-09-30")
>>> s.frame[["frequency", "recency", "T", "monetary_value", "repeat_value_fen"]].round(3)
             frequency  recency       T  monetary_value  repeat_value_fen
customer_id
1                    2   30.429  38.857          22.345              4469
2                    0    0.000  38.857           0.000                 0
>>> s.excluded["reason"].tolist()
['after_as_of']
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

AFTER_AS_OF = "after_as_of"
NEGATIVE_AMOUNT = "negative_amount"

NegativePolicy = Literal["error", "exclude"]


@attrs.frozen(eq=False)
class CLVSummary:
    """Result of :func:`clv_summary`.

    Attributes:
        frame: one row per customer (index: the customer id column, sorted), with
            ``frequency`` (int64), ``recency``, ``T``, ``monetary_value`` (float64),
            ``repeat_value_fen`` (int64, exact) and ``first_purchase`` (date).
        excluded: the input rows not used, with their original index, the three input
            columns as given, and ``reason`` (``after_as_of`` or ``negative_amount``).
        as_of: the end of observation (a date; transactions on it are included).
        unit: the time unit of ``recency`` and ``T`` (``"D"``, ``"W"``, or ``"<n>D"``).
        unit_days: days per unit.
        n_transactions: input rows used (``n_transactions + len(excluded)`` = input rows).
        provenance: the rule's name and version (:data:`CLV_SUMMARY_RULE`) and ``as_of``;
            ``frame`` carries the same record (:func:`bankcrm.policy.read_provenance`).
    """

    frame: pd.DataFrame
    excluded: pd.DataFrame
    as_of: dt.date
    unit: str
    unit_days: int
    n_transactions: int
    provenance: Provenance


def _as_of_date(as_of: Any) -> dt.date:
    stamp: Any = None
    if isinstance(as_of, dt.date | pd.Timestamp | np.datetime64 | str):
        try:
            stamp = pd.Timestamp(as_of)
        except (ValueError, TypeError, OverflowError):
            stamp = None
    if not isinstance(stamp, pd.Timestamp) or pd.isna(stamp):
        raise InputError(f"as_of must be a date, got {as_of!r}", column="as_of", rule="date")
    if stamp != stamp.normalize():
        raise InputError(
            f"as_of must be a date without a time of day, got {as_of!r}",
            column="as_of",
            rule="date",
        )
    return dt.date(stamp.year, stamp.month, stamp.day)


def _unit_days(unit: str | int) -> tuple[str, int]:
    if isinstance(unit, str) and unit in UNIT_DAYS:
        return unit, UNIT_DAYS[unit]
    if isinstance(unit, int | np.integer) and not isinstance(unit, bool) and unit > 0:
        return f"{int(unit)}D", int(unit)
    raise PolicyError(f"unit must be 'D', 'W' or a positive whole number of days, got {unit!r}")


def clv_summary(
    transactions: pd.DataFrame,
    *,
    as_of: Any,
    unit: str | int = "W",
    customer_id: str = "customer_id",
    date: str = "date",
    amount: str = "amount",
    negative_amounts: NegativePolicy = "error",
) -> CLVSummary:
    """Per-customer ``frequency``, ``recency``, ``T`` and ``monetary_value`` at ``as_of``.

    Args:
        transactions: one row per transaction; extra columns are ignored.
        as_of: end of observation (a date; transactions on it count, later ones are excluded).
        unit: time unit of ``recency`` and ``T``: ``"W"`` (weeks, 7 days, the usual choice),
            ``"D"`` (days) or a positive whole number of days. Purchases are always grouped per
            calendar day, whatever the unit.
        customer_id: name of the customer id column (integers or text; no nulls).
        date: name of the date column (dates or timestamps; a timestamp counts on its own
            calendar day, in its own time zone if it has one).
        amount: name of the amount column, in yuan (float, int, Decimal or text), read exactly
            into fen.
        negative_amounts: ``"error"`` (default) raises on negative amounts; ``"exclude"``
            lists them in ``excluded`` with the reason ``negative_amount``.

    Returns:
        A :class:`CLVSummary` (its ``frame`` is what :func:`~bankcrm.segmentation.fit_bgnbd`
        and :func:`~bankcrm.segmentation.fit_gamma_gamma` take).

    Raises:
        InputError: a missing column, null ids, dates or amounts, malformed values, a
            negative amount under ``negative_amounts="error"``, a bad ``as_of``.
        PolicyError: an unknown ``unit`` or ``negative_amounts``.
    """
    unit_name, unit_days = _unit_days(unit)
    if negative_amounts not in ("error", "exclude"):
        raise PolicyError(
            f"negative_amounts must be 'error' or 'exclude', got {negative_amounts!r}"
        )
    end = _as_of_date(as_of)
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
    ids = transactions[customer_id]
    codes, uniques = _customer_codes(ids, customer_id)
    days = _calendar_days(clean[date])
    fen = clean[amount].to_numpy(dtype=np.int64)

    end_day = (end - dt.date(1970, 1, 1)).days
    after = days > end_day
    negative = (fen < 0) & ~after
    if negative.any() and negative_amounts == "error":
        raise_for_rows(
            "negative amount (a reversal or refund); pass negative_amounts='exclude' to list "
            "such rows in the excluded report instead",
            column=amount,
            rule="non_negative",
            mask=negative,
            series=transactions[amount],
        )
    reasons = np.where(after, AFTER_AS_OF, NEGATIVE_AMOUNT)
    dropped = after | negative
    excluded = transactions.loc[dropped, [customer_id, date, amount]].assign(
        reason=pd.array(reasons[dropped], dtype="str")
    )

    keep = ~dropped
    frame = _summarise(codes[keep], days[keep], fen[keep], end_day, unit_days)
    frame.index = pd.Index(uniques.take(frame.index.to_numpy()), name=customer_id)
    provenance = Provenance(*CLV_SUMMARY_RULE, end, producer="bankcrm.segmentation.clv_summary")
    return CLVSummary(
        frame=stamp_provenance(frame, provenance),
        provenance=provenance,
        excluded=excluded,
        as_of=end,
        unit=unit_name,
        unit_days=unit_days,
        n_transactions=int(keep.sum()),
    )


def _customer_codes(
    ids: pd.Series[Any], column: str
) -> tuple[npt.NDArray[np.int64], pd.Index[Any]]:
    """Codes ordered by customer id (so the output order never depends on the row order)."""
    try:
        codes, uniques = pd.factorize(ids, sort=True, use_na_sentinel=True)
    except TypeError:
        raise InputError(
            "customer ids must be of one comparable type (all integers or all text)",
            column=column,
            rule="comparable",
        ) from None
    missing = codes < 0
    if missing.any():
        raise_for_rows(
            "missing customer id", column=column, rule="not_null", mask=missing, index=ids.index
        )
    return np.asarray(codes, dtype=np.int64), pd.Index(uniques)


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

    Returns:
        A frame with the summary's index and ``p_alive``, ``expected_transactions`` (over the
        horizon), and with ``gamma_gamma`` also ``expected_average_value`` and ``clv``;
        stamped with :data:`CUSTOMER_VALUE_RULE` after the summary's own provenance records.

    >>> bg = BGNBDModel.from_params({"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426})
    >>> gg = GammaGammaModel.from_params({"p": 6.25, "q": 3.74, "v": 15.44})
    >>> summary = pd.DataFrame({"frequency": [2, 0], "recency": [30.43, 0.0], "T": [38.86, 38.86],
    ...                         "monetary_value": [22.35, 0.0]})
    >>> customer_value(summary, bg, gg, horizon=39).round(3)
       p_alive  expected_transactions  expected_average_value     clv
    0    0.727                  1.226                  24.664  30.238
    1    1.000                  0.195                  35.219   6.871
    """
    frame = summary.frame if isinstance(summary, CLVSummary) else summary
    if not isinstance(frame, pd.DataFrame):
        raise InputError(
            f"expected a DataFrame or a CLVSummary, got {type(summary).__name__}", rule="type"
        )
    for name in ("frequency", "recency", "T") + (("monetary_value",) if gamma_gamma else ()):
        if name not in frame.columns:
            raise InputError(
                f"the summary has no column {name!r}", column=name, rule="required_column"
            )
    x = frame["frequency"].to_numpy()
    t_x = frame["recency"].to_numpy()
    big_t = frame["T"].to_numpy()
    out = pd.DataFrame(index=frame.index)
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
