"""Foreign-exchange conversion to RMB fen from a rates table, exact and vectorised.

Policy: each amount converts at the **latest rate on or before its date** for its currency
(a rate quoted on Friday applies over the weekend). ``CNY`` and ``RMB`` pass through unchanged.
A currency without rates, or a date before the currency's first rate, is an error: no rate is
ever guessed. The product ``fen × rate`` is computed with integers and rounded half away from
zero to whole fen (the library's one rounding rule, see :mod:`bankcrm.money`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

import attrs
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from bankcrm._money import MAX_ABS_FEN, parse_amount
from bankcrm._ratios import bounded_exponent
from bankcrm._values import as_series, distinct_codes, raise_for_rows
from bankcrm.calendar import as_date
from bankcrm.errors import InputError
from bankcrm.frames import Column, FrameSchema, validate_frame

__all__ = ["RMB_CODES", "FxRates", "to_rmb_fen"]

#: Currency codes that mean renminbi and convert at exactly 1.
RMB_CODES = frozenset({"CNY", "RMB"})

_EPOCH = dt.date(1970, 1, 1)


def _rates_schema(currency: str, date: str, rate: str) -> FrameSchema:
    names = (currency, date, rate)
    if len(set(names)) != 3 or not all(isinstance(n, str) for n in names):
        raise InputError(
            f"fx_rates: the currency, date and rate columns must be three distinct names, "
            f"got {names}",
            rule="columns",
        )
    return FrameSchema(
        "fx_rates",
        [Column(currency, "str"), Column(date, "date"), Column(rate, "float")],
        key=(currency, date),
    )


_RATES_SCHEMA = _rates_schema("currency", "date", "rate")


def _normalise_code(code: Any) -> str:
    return str(code).strip().upper()


@attrs.frozen(eq=False)
class _Table:
    """One currency's rates: sorted dates (days since epoch) and exact rates as num/den."""

    days: NDArray[np.int64]
    rates: tuple[Decimal, ...]
    nums: NDArray[np.int64]
    dens: NDArray[np.int64]
    floats: NDArray[np.float64]  # only to screen for overflow, never to compute a result
    fits_int64: bool


def _as_ratio(rate: Decimal) -> tuple[int, int]:
    _sign, digits, exponent = rate.as_tuple()
    coefficient = int("".join(map(str, digits)))
    assert isinstance(exponent, int)
    if exponent >= 0:
        return coefficient * 10**exponent, 1
    return coefficient, 10**-exponent


def build_table(days: list[int], rates: list[Decimal]) -> _Table:
    order = np.argsort(np.asarray(days, dtype=np.int64), kind="stable")
    sorted_days = np.asarray(days, dtype=np.int64)[order]
    sorted_rates = tuple(rates[i] for i in order.tolist())
    ratios = [_as_ratio(r) for r in sorted_rates]
    fits = all(n * d < 2**60 for n, d in ratios)
    nums = np.asarray([n if fits else 0 for n, _ in ratios], dtype=np.int64)
    dens = np.asarray([d if fits else 1 for _, d in ratios], dtype=np.int64)
    floats = np.asarray([float(r) for r in sorted_rates], dtype=np.float64)
    return _Table(sorted_days, sorted_rates, nums, dens, floats, fits)


class FxRates:
    """Exchange rates to RMB (``rate`` = RMB per 1 unit of ``currency``), parsed exactly.

    Build with :meth:`from_frame` (columns ``currency``, ``date``, ``rate``) or
    :meth:`from_mapping`. Rates are Decimals: a float rate is taken by its shortest repr.

    >>> import pandas as pd, datetime as dt
    >>> rates = FxRates.from_frame(pd.DataFrame({
    ...     "currency": ["USD", "USD"], "date": ["2026-01-02", "2026-01-05"],
    ...     "rate": ["7.1234", 7.13]}))
    >>> rates.rate_on("usd", dt.date(2026, 1, 4))   # the latest rate on or before Jan 4
    Decimal('7.1234')
    >>> rates.currencies
    ('USD',)
    """

    def __init__(self, tables: Mapping[str, _Table]) -> None:
        self._tables = dict(tables)

    @classmethod
    def from_frame(
        cls,
        frame: pd.DataFrame,
        *,
        currency: str = "currency",
        date: str = "date",
        rate: str = "rate",
    ) -> FxRates:
        """Build from a rates frame; one rate per currency and date, each > 0.

        Raises:
            InputError: missing columns, bad dates, non-numeric or non-positive rates,
                duplicate (currency, date) pairs.
        """
        if not isinstance(frame, pd.DataFrame):
            raise InputError(
                f"fx_rates: expected a pandas DataFrame, got {type(frame).__name__}", rule="type"
            )
        # validate under the caller's own column names, so that errors name their columns
        schema = (
            _RATES_SCHEMA
            if (currency, date, rate) == _RATES_SCHEMA.names
            else _rates_schema(currency, date, rate)
        )
        checked = validate_frame(frame, schema)
        codes_series = checked[currency].map(_normalise_code)
        blank = (codes_series == "").to_numpy(dtype=bool)
        if blank.any():
            raise_for_rows(
                "fx_rates: blank currency code",
                column=currency,
                rule="missing",
                mask=blank,
                index=checked.index,
            )
        duplicated = pd.DataFrame({"c": codes_series, "d": checked[date]}).duplicated(keep=False)
        if duplicated.any():
            raise_for_rows(
                "fx_rates: more than one rate for a currency and date",
                column=f"{currency}, {date}",
                rule="duplicate_key",
                mask=duplicated.to_numpy(dtype=bool),
                index=checked.index,
                show_values=False,
            )
        parsed = _parse_rates(frame[rate], checked.index, rate)
        days = checked[date].to_numpy().astype("datetime64[D]").astype(np.int64)
        codes = codes_series.to_numpy(dtype=object)
        tables: dict[str, _Table] = {}
        for code in sorted(set(codes.tolist())):
            rows = np.flatnonzero(codes == code)
            tables[code] = build_table(days[rows].tolist(), [parsed[i] for i in rows.tolist()])
        return cls(tables)

    @classmethod
    def from_mapping(cls, rates: Mapping[str, Mapping[dt.date, Any]]) -> FxRates:
        """Build from ``{"USD": {date(2026, 1, 2): "7.1234", ...}, ...}``.

        Raises:
            InputError: ``rates`` is not a mapping of currencies to mappings of dates to rates,
                or a date or rate is bad (as for :meth:`from_frame`).
        """
        if not isinstance(rates, Mapping):
            raise InputError(
                f"fx_rates: expected a mapping of currency to {{date: rate}}, "
                f"got {type(rates).__name__}",
                rule="type",
            )
        records: list[tuple[Any, Any, Any]] = []
        for code, by_day in rates.items():
            if not isinstance(by_day, Mapping):
                raise InputError(
                    f"fx_rates: the rates of {code!r} must be a mapping of date to rate, "
                    f"got {type(by_day).__name__}",
                    column="rate",
                    rule="type",
                )
            records += [(code, day, value) for day, value in by_day.items()]
        frame = pd.DataFrame(
            {
                "currency": [r[0] for r in records],
                "date": pd.Series([r[1] for r in records], dtype=object),
                "rate": pd.Series([r[2] for r in records], dtype=object),
            }
        )
        return cls.from_frame(frame)

    @property
    def currencies(self) -> tuple[str, ...]:
        """The currencies that have rates, sorted."""
        return tuple(sorted(self._tables))

    def rate_on(self, currency: str, on: Any) -> Decimal:
        """The rate that applies to ``currency`` on ``on`` (latest on or before that date).

        Raises:
            InputError: (rule ``fx_rate``) if the currency has no rate on or before ``on``;
                (rule ``date``) if ``on`` is not a date.
        """
        day_on = as_date(on, name="date")
        code = _normalise_code(currency)
        if code in RMB_CODES:
            return Decimal(1)
        table = self._tables.get(code)
        if table is None:
            raise InputError(f"no rates for currency {code!r}", column="currency", rule="fx_rate")
        day = (day_on - _EPOCH).days
        i = int(np.searchsorted(table.days, day, side="right")) - 1
        if i < 0:
            raise InputError(f"no {code} rate on or before {day_on}", column="date", rule="fx_rate")
        return table.rates[i]

    def table(self, currency: str) -> _Table | None:
        """The internal rate table of one currency (``None`` if it has none)."""
        return self._tables.get(_normalise_code(currency))

    def __repr__(self) -> str:
        sizes = ", ".join(f"{c}: {len(t.rates)}" for c, t in sorted(self._tables.items()))
        return f"FxRates({sizes})"


def _parse_rates(values: pd.Series[Any], index: pd.Index[Any], column: str) -> list[Decimal]:
    series = pd.Series(values.to_numpy(dtype=object), index=index, dtype=object)
    codes, uniques = distinct_codes(series)
    parsed: list[Decimal] = []
    for k, value in enumerate(uniques):
        try:
            rate = bounded_exponent(parse_amount(value, column=column), column)
        except InputError as exc:
            raise_for_rows(
                f"fx_rates: {exc.message}",
                column=column,
                rule=exc.rule or "numeric",
                mask=codes == k,
                series=series,
            )
        if rate <= 0:
            raise_for_rows(
                "fx_rates: a rate must be positive",
                column=column,
                rule="positive",
                mask=codes == k,
                series=series,
            )
        parsed.append(rate)
    return [parsed[c] for c in codes.tolist()]


def to_rmb_fen(
    fen: Iterable[Any] | pd.Series[Any],
    currencies: Iterable[Any] | pd.Series[Any] | str,
    dates: Iterable[Any] | pd.Series[Any],
    rates: FxRates,
    *,
    column: str = "amount",
) -> NDArray[np.int64]:
    """Convert amounts in minor units of their currency to RMB fen, exactly.

    Each row uses the latest rate of its currency on or before its date; CNY/RMB rows pass
    through. ``fen × rate`` is computed in integers and rounded half away from zero.

    Args:
        fen: integer amounts in minor units (cents for USD, fen for CNY).
        currencies: one currency code per row, or a single code for all rows.
        dates: one date per row (dates, Timestamps, datetime64 or ISO text).
        rates: the rates table.
        column: the amount column's name for error messages.

    Raises:
        InputError: lengths differ, non-integer amounts, missing or bad dates, unknown
            currencies or no rate on or before a row's date (rule ``fx_rate``), or a result
            beyond the amount bound (rule ``range``); rows are named.

    Examples:
        >>> import datetime as dt
        >>> rates = FxRates.from_mapping({"USD": {dt.date(2026, 1, 2): "7.1234"}})
        >>> to_rmb_fen([100, 12_345, 500], ["USD", "USD", "CNY"],
        ...            ["2026-01-02", "2026-01-09", "2025-12-31"], rates).tolist()
        [712, 87938, 500]
    """
    if not isinstance(rates, FxRates):
        raise InputError(
            f"rates must be an FxRates table, got {type(rates).__name__}",
            column="rate",
            rule="type",
        )
    amounts = as_series(fen, column=column)
    n = len(amounts)
    if n == 0 and pd.api.types.is_object_dtype(amounts.dtype):
        amounts = amounts.astype(np.int64)  # an empty list has no dtype to speak of
    if not pd.api.types.is_integer_dtype(amounts.dtype) or amounts.hasnans:
        raise InputError(
            "amounts must be integers in minor units (convert with to_fen first)",
            column=column,
            rule="int",
        )
    raw = amounts.to_numpy()
    if raw.dtype == np.uint64:
        beyond = raw > np.uint64(MAX_ABS_FEN)
    else:
        wide = raw.astype(np.int64)
        beyond = (wide > MAX_ABS_FEN) | (wide < -MAX_ABS_FEN)
    if beyond.any():
        raise_for_rows(
            "amount beyond the amount bound",
            column=column,
            rule="range",
            mask=beyond,
            series=amounts,
        )
    values = raw.astype(np.int64)
    index = amounts.index
    if isinstance(currencies, str):
        currency_series: pd.Series[Any] = pd.Series([currencies] * n, index=index, dtype=object)
    else:
        currency_series = as_series(currencies, column="currency")
    date_series = as_series(dates, column="date")
    for name, other in (("currency", currency_series), ("date", date_series)):
        if len(other) != n:
            raise InputError(
                f"{n} amounts but {len(other)} {name} values", column=name, rule="length"
            )
    frame = validate_frame(
        pd.DataFrame({"date": date_series.to_numpy()}, index=index),
        FrameSchema("fx conversion", [Column("date", "date")]),
    )
    days = frame["date"].to_numpy().astype("datetime64[D]").astype(np.int64)
    raw_codes, raw_uniques = distinct_codes(currency_series)
    if (raw_codes < 0).any():
        raise_for_rows(
            "fx conversion: missing currency",
            column="currency",
            rule="missing",
            mask=raw_codes < 0,
            index=index,
        )
    for k, code in enumerate(raw_uniques):
        if not isinstance(code, str):
            raise_for_rows(
                "fx conversion: a currency code must be text",
                column="currency",
                rule="currency",
                mask=raw_codes == k,
                series=currency_series,
                index=index,
            )
    canonical: dict[str, int] = {}
    remap = np.asarray(
        [canonical.setdefault(_normalise_code(u), len(canonical)) for u in raw_uniques],
        dtype=np.intp,
    )
    codes = remap[raw_codes]
    uniques = list(canonical)
    out = values.copy()
    for k, code in enumerate(uniques):
        rows = np.flatnonzero(codes == k)
        if code in RMB_CODES:
            continue
        table = rates.table(code)
        if table is None:
            mask = codes == k
            raise_for_rows(
                f"no rates for currency {code!r}",
                column="currency",
                rule="fx_rate",
                mask=mask,
                series=currency_series,
                index=index,
                show_values=False,
            )
        position = np.searchsorted(table.days, days[rows], side="right") - 1
        before = position < 0
        if before.any():
            mask = np.zeros(n, dtype=bool)
            mask[rows[before]] = True
            first = dt.date(1970, 1, 1) + dt.timedelta(days=int(table.days[0]))
            raise_for_rows(
                f"no {code} rate on or before the row's date (first rate {first})",
                column="date",
                rule="fx_rate",
                mask=mask,
                series=date_series,
                index=index,
            )
        out[rows] = _convert(values[rows], position, table, rows, n, amounts, column)
    return out


def _refuse_beyond_bound(
    beyond: NDArray[np.bool_],
    rows: NDArray[np.intp],
    n: int,
    series: pd.Series[Any],
    column: str,
) -> None:
    """Raise for the ``rows`` flagged in ``beyond`` (converted amounts beyond the bound)."""
    if beyond.any():
        mask = np.zeros(n, dtype=bool)
        mask[rows[beyond]] = True
        raise_for_rows(
            "converted amount beyond the amount bound",
            column=column,
            rule="range",
            mask=mask,
            series=series,
        )


def _convert(
    amounts: NDArray[np.int64],
    position: NDArray[np.intp],
    table: _Table,
    rows: NDArray[np.intp],
    n: int,
    series: pd.Series[Any],
    column: str,
) -> NDArray[np.int64]:
    estimate = np.abs(amounts.astype(np.float64)) * table.floats[position]
    too_big = estimate > MAX_ABS_FEN * 1.001
    _refuse_beyond_bound(too_big, rows, n, series, column)
    sign = np.sign(amounts)
    magnitude = np.abs(amounts)
    if table.fits_int64:
        num = table.nums[position]
        den = table.dens[position]
        whole, rest = np.divmod(magnitude, den)
        # rest·num < den·num < 2**60, so 2·rest·num + den cannot overflow
        result = whole * num + (2 * rest * num + den) // (2 * den)
    else:
        result = np.asarray(
            [
                _half_up(int(a), table.rates[p])
                for a, p in zip(magnitude.tolist(), position.tolist(), strict=True)
            ],
            dtype=np.int64,
        )
    converted: NDArray[np.int64] = sign * result
    outside = np.abs(converted) > MAX_ABS_FEN
    _refuse_beyond_bound(outside, rows, n, series, column)
    return converted


def _half_up(magnitude: int, rate: Decimal) -> int:
    num, den = _as_ratio(rate)
    return (2 * magnitude * num + den) // (2 * den)
