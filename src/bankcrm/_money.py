"""Amounts: exact parsing of yuan values into integer fen (the one rounding rule lives here).

The rule, stated once for the whole library: **a yuan amount becomes an integer number of fen by
rounding half away from zero** (``decimal.ROUND_HALF_UP``, 四舍五入 applied to the magnitude), so
``1.005`` → 101 fen and ``-1.005`` → -101 fen. A float is taken as the decimal its shortest repr
shows (what the user typed), never as its binary expansion: ``1.005`` is stored as
1.00499999999999989… but rounds like ``Decimal("1.005")``.

Amounts must satisfy ``abs(amount) <= MAX_ABS_YUAN`` (10 trillion yuan), so fen values stay below
10**15: they fit in int64 with a thousandfold margin for sums and products, and a float64 still
resolves single fen there.

>>> to_fen([1.005, "1,234.50", "¥12.3", Decimal("-0.125")], column="amount").tolist()
[101, 123450, 1230, -13]
>>> parse_amount("１２３．４５元")
Decimal('123.45')
>>> fen_to_decimal(101)
Decimal('1.01')
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation
from typing import Any

import attrs
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from bankcrm._values import (
    FULLWIDTH_TABLE,
    as_series,
    distinct_codes,
    missing_mask,
    raise_for_rows,
)
from bankcrm.errors import InputError

__all__ = [
    "MAX_ABS_FEN",
    "MAX_ABS_YUAN",
    "Money",
    "fen_to_decimal",
    "parse_amount",
    "to_fen",
]

#: Largest accepted magnitude of an amount in yuan (10 trillion, 10**13).
MAX_ABS_YUAN = 10**13
#: Largest accepted magnitude of an amount in fen (10**15).
MAX_ABS_FEN = MAX_ABS_YUAN * 100

_CENT = Decimal("0.01")
_WIDE = Context(prec=60)  # wide enough that quantising an in-range amount is always exact
_NUMBER = re.compile(r"(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")  # sign already split off
_GROUPED = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d*)?")
_CURRENCY_MARKS = ("CN¥", "RMB", "CNY", "¥", "元")
_CHUNK = 1 << 20

#: A float amount × 100 whose distance from a half fen is at most ``|y|·NEAR_HALF_REL +
#: NEAR_HALF_ABS`` is too close to call in binary: it is re-read through its shortest repr as
#: a Decimal. ``|y − 100·d| ≤ |y|·2**−52`` for the decimal ``d`` a float stands for, so this
#: flags anything within four times that of a half. The compiled RFM kernels use the same.
NEAR_HALF_REL = 2.0**-50
NEAR_HALF_ABS = 2.0**-40

_PLAIN_TWO_PLACES = r"[+-]?\d{1,13}(?:\.\d{0,2})?"


class _RejectedError(Exception):
    """A scalar broke one of the amount rules; carries the rule name."""

    def __init__(self, rule: str) -> None:
        super().__init__(rule)
        self.rule = rule


def _clean_text(text: str) -> str:
    s = text.translate(FULLWIDTH_TABLE).strip().replace(" ", "")
    sign = ""
    if s[:1] in "+-":
        sign, s = s[0], s[1:]
    for mark in _CURRENCY_MARKS:
        if s.startswith(mark):
            s = s[len(mark) :]
        if s.endswith(mark):
            s = s[: -len(mark)]
    if not sign and s[:1] in "+-":
        sign, s = s[0], s[1:]
    if "," in s:
        if not _GROUPED.fullmatch(s):
            raise _RejectedError("numeric")
        s = s.replace(",", "")
    if not _NUMBER.fullmatch(s):
        raise _RejectedError("numeric")
    return sign + s


def _decimal_of(value: Any) -> Decimal:
    """Exact Decimal of one scalar, or raise :class:`_RejectedError` with the broken rule."""
    if value is None or value is pd.NA or value is pd.NaT:
        raise _RejectedError("missing")
    if isinstance(value, bool | np.bool_):
        raise _RejectedError("numeric")
    if isinstance(value, int | np.integer):
        result = Decimal(int(value))
    elif isinstance(value, float | np.floating):
        if np.isnan(value):
            raise _RejectedError("missing")
        if not np.isfinite(value):
            raise _RejectedError("finite")
        result = Decimal(str(value))  # shortest repr of its own width: what the user typed
    elif isinstance(value, Decimal):
        if value.is_nan():
            raise _RejectedError("missing")
        if not value.is_finite():
            raise _RejectedError("finite")
        result = value
    elif isinstance(value, str):
        if not value.strip():
            raise _RejectedError("missing")
        result = Decimal(_clean_text(value))
    else:
        raise _RejectedError("numeric")
    # copy_abs needs no context: abs() would trap decimal.Overflow on "1e999999999"
    if result.copy_abs() > MAX_ABS_YUAN:
        raise _RejectedError("range")
    return result


def _fen_of(value: Any) -> int:
    amount = _decimal_of(value)
    try:
        return int(amount.quantize(_CENT, rounding=ROUND_HALF_UP, context=_WIDE).scaleb(2))
    except InvalidOperation as exc:  # pragma: no cover - impossible for in-range amounts
        raise _RejectedError("range") from exc


def parse_amount(value: Any, *, column: str = "amount") -> Decimal:
    """Parse one amount into an exact :class:`~decimal.Decimal` (in yuan, not rounded).

    Accepts int, float (by its shortest repr), Decimal and text such as ``"1,234.50"``,
    ``"¥12.3"``, ``"-￥5元"`` or full-width digits.

    Raises:
        InputError: for null, non-numeric, infinite or out-of-range values (rules
            ``missing``, ``numeric``, ``finite``, ``range``).

    Examples:
        >>> parse_amount(0.1 + 0.2)
        Decimal('0.30000000000000004')
        >>> parse_amount("-¥1,000")
        Decimal('-1000')
        >>> parse_amount("abc")
        Traceback (most recent call last):
        ...
        bankcrm.errors.InputError: column 'amount': not a valid amount [rule: numeric]
    """
    try:
        return _decimal_of(value)
    except _RejectedError as exc:
        raise InputError(_RULE_TEXT[exc.rule], column=column, rule=exc.rule) from None


def fen_to_decimal(fen: int | np.integer) -> Decimal:
    """Exact yuan amount of an integer number of fen, with two decimal places.

    >>> fen_to_decimal(-5)
    Decimal('-0.05')
    """
    return Decimal(int(fen)).scaleb(-2)


_RULE_TEXT = {
    "missing": "missing amount (None/NaN/blank)",
    "numeric": "not a valid amount",
    "finite": "amount is infinite",
    "range": f"amount beyond ±{MAX_ABS_YUAN:,} yuan",
}
_RULE_ORDER = ("missing", "numeric", "finite", "range")


def to_fen(values: Iterable[Any] | pd.Series[Any], *, column: str = "amount") -> NDArray[np.int64]:
    """Convert yuan amounts to an int64 array of fen with the library's one rounding rule.

    Float and integer arrays take a vectorised path; only the rare float rows whose value × 100
    lies within rounding noise of a half fen are re-read through their shortest repr as a
    Decimal, so ``1.005`` → 101 exactly as typed. Object and string columns are parsed once per
    distinct value. The input is never modified.

    Args:
        values: a Series, array or iterable of int, float, Decimal or amount text.
        column: the column name used in error messages.

    Returns:
        An int64 array of fen, one per input row, in input order.

    Raises:
        InputError: naming ``column``, the rule (``missing``, ``numeric``, ``finite``,
            ``range``) and the first offending row labels (Series index labels, else positions).

    Examples:
        >>> import pandas as pd
        >>> to_fen(pd.Series([0.1 + 0.2, 2.675, -2.5e-3]), column="x").tolist()
        [30, 268, 0]
        >>> to_fen(pd.Series([1.0, float("nan")], index=["a", "b"]), column="x")
        Traceback (most recent call last):
        ...
        bankcrm.errors.InputError: column 'x': missing amount (None/NaN/blank) \
        [rule: missing; rows: b]
    """
    series = as_series(values, column=column)
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        bad = np.ones(len(series), dtype=bool)
        return _raise_rules({"numeric": bad}, series, column)
    if pd.api.types.is_integer_dtype(dtype):
        return _ints_to_fen(series, column)
    if pd.api.types.is_float_dtype(dtype):
        if series.hasnans:
            _raise_rules({"missing": missing_mask(series)}, series, column)
        if dtype == np.float64:
            floats = series.to_numpy()
        else:
            floats = series.to_numpy(dtype=np.float64, na_value=np.nan)
        if isinstance(dtype, np.dtype) and dtype.itemsize < 8:
            # a float32 is read by its own shortest repr, as the user typed it
            floats = series.to_numpy().astype(str).astype(np.float64)
        return _floats_to_fen(floats, series, column)
    if pd.api.types.is_numeric_dtype(dtype) and not isinstance(dtype, pd.CategoricalDtype):
        # complex and other exotic numeric dtypes are not amounts
        return _raise_rules({"numeric": np.ones(len(series), dtype=bool)}, series, column)
    return _objects_to_fen(series, column)


def _ints_to_fen(series: pd.Series[Any], column: str) -> NDArray[np.int64]:
    if series.hasnans:
        _raise_rules({"missing": missing_mask(series)}, series, column)
    raw = series.to_numpy()
    if raw.dtype == np.uint64:
        too_big = raw > np.uint64(MAX_ABS_YUAN)
        if too_big.any():
            _raise_rules({"range": too_big}, series, column)
    ints = raw.astype(np.int64)
    out_of_range = (ints > MAX_ABS_YUAN) | (ints < -MAX_ABS_YUAN)
    if out_of_range.any():
        _raise_rules({"range": out_of_range}, series, column)
    return ints * np.int64(100)


def _floats_to_fen(
    floats: NDArray[np.float64], series: pd.Series[Any], column: str
) -> NDArray[np.int64]:
    n = len(floats)
    out = np.empty(n, dtype=np.int64)
    limit = float(MAX_ABS_FEN)
    slow: list[NDArray[np.intp]] = []
    any_bad = False
    size = min(n, _CHUNK)
    y, ay, rounded, gap = (np.empty(size) for _ in range(4))
    ok, near = np.empty(size, dtype=bool), np.empty(size, dtype=bool)
    for start in range(0, n, _CHUNK):
        m = min(_CHUNK, n - start)
        y_, ay_, r_, g_, ok_, near_ = y[:m], ay[:m], rounded[:m], gap[:m], ok[:m], near[:m]
        np.multiply(floats[start : start + m], 100.0, out=y_)
        np.abs(y_, out=ay_)
        np.less_equal(ay_, limit, out=ok_)  # also False for NaN and ±inf
        np.rint(y_, out=r_)
        # |y - 100·d| <= |y|·2**-52 for the repr decimal d; flag anything within 4x of a half.
        with np.errstate(invalid="ignore"):  # inf - inf on rows reported below
            np.subtract(y_, r_, out=g_)
        np.abs(g_, out=g_)
        np.subtract(0.5, g_, out=g_)
        np.multiply(ay_, NEAR_HALF_REL, out=ay_)
        ay_ += NEAR_HALF_ABS
        np.less_equal(g_, ay_, out=near_)
        if not ok_.all():
            any_bad = True
            break
        out[start : start + m] = r_
        if near_.any():
            slow.append(np.flatnonzero(near_) + start)
    if any_bad:
        finite = np.isfinite(floats)
        _raise_rules(
            {"finite": ~finite, "range": finite & ~(np.abs(floats * 100.0) <= limit)},
            series,
            column,
        )
    for idx in slow:
        for i in idx.tolist():
            try:
                out[i] = _fen_of(float(floats[i]))
            except _RejectedError as exc:  # a value a hair above the bound
                mask = np.zeros(n, dtype=bool)
                mask[i] = True
                _raise_rules({exc.rule: mask}, series, column)
    return out


def _plain_text_rows(series: pd.Series[Any]) -> NDArray[np.bool_] | None:
    """Rows holding plain amount text with at most two decimals ("1234.5"), or None.

    Those convert exactly through float64 (the decimal × 100 is a whole number below 2**53, so
    the nearest float times 100 rounds back to it) in one vectorised pass.
    """
    dtype = series.dtype
    if pd.api.types.is_object_dtype(dtype):
        try:
            if pd.api.types.infer_dtype(series, skipna=True) != "string":
                return None
        except (TypeError, ValueError):  # pragma: no cover - infer_dtype accepts any Series
            return None
    elif not pd.api.types.is_string_dtype(dtype) or isinstance(dtype, pd.CategoricalDtype):
        return None
    try:
        matched = series.str.fullmatch(_PLAIN_TWO_PLACES)
        return matched.to_numpy(dtype=bool, na_value=False)
    except (TypeError, ValueError, AttributeError):  # pragma: no cover - str columns only
        return None


def _objects_to_fen(series: pd.Series[Any], column: str) -> NDArray[np.int64]:
    n = len(series)
    out = np.zeros(n, dtype=np.int64)
    plain = _plain_text_rows(series)
    if plain is not None and plain.any():
        floats = series[plain].astype(np.float64).to_numpy(dtype=np.float64)
        out[plain] = np.rint(floats * 100.0).astype(np.int64)
        rest = np.flatnonzero(~plain)
        if not len(rest):
            return out
        others = series.iloc[rest]
    else:
        rest = None
        others = series
    codes, uniques = distinct_codes(others)
    fen = np.zeros(len(uniques) + 1, dtype=np.int64)  # last slot: missing values
    rule_of = np.zeros(len(uniques) + 1, dtype=np.int8)  # 0 = ok, else 1 + index in _RULE_ORDER
    rule_of[-1] = 1 + _RULE_ORDER.index("missing")
    for k, value in enumerate(uniques):
        try:
            fen[k] = _fen_of(value)
        except _RejectedError as exc:
            rule_of[k] = 1 + _RULE_ORDER.index(exc.rule)
        except (InvalidOperation, ValueError, TypeError, OverflowError):
            rule_of[k] = 1 + _RULE_ORDER.index("numeric")
    row_rules = np.zeros(n, dtype=np.int8)
    if rest is None:
        row_rules = rule_of[codes]
        out = fen[codes]
    else:
        row_rules[rest] = rule_of[codes]
        out[rest] = fen[codes]
    if row_rules.any():
        _raise_rules(
            {rule: row_rules == 1 + i for i, rule in enumerate(_RULE_ORDER)}, series, column
        )
    return out


def _raise_rules(
    masks: dict[str, NDArray[np.bool_]], series: pd.Series[Any], column: str
) -> NDArray[np.int64]:
    for rule in _RULE_ORDER:
        mask = masks.get(rule)
        if mask is not None and mask.any():
            raise_for_rows(_RULE_TEXT[rule], column=column, rule=rule, mask=mask, series=series)
    raise AssertionError("_raise_rules called without offending rows")  # pragma: no cover


def _whole_fen(value: Any) -> int:
    """An exact whole number of fen; a fraction of a fen is refused, never truncated."""
    if isinstance(value, bool | np.bool_):
        raise InputError("fen must be a whole number, not a boolean", column="fen", rule="int")
    if isinstance(value, int | np.integer):
        fen = int(value)
    else:
        try:
            exact = Decimal(str(value)) if isinstance(value, float | np.floating) else value
            if not isinstance(exact, Decimal) or not exact.is_finite() or exact != int(exact):
                raise ValueError(value)
            fen = int(exact)
        except (ValueError, TypeError, ArithmeticError):
            raise InputError(
                f"fen must be a whole number, got {type(value).__name__}",
                column="fen",
                rule="int",
            ) from None
    if abs(fen) > MAX_ABS_FEN:
        raise InputError(_RULE_TEXT["range"], column="fen", rule="range")
    return fen


def _currency_code(code: Any) -> str:
    if not isinstance(code, str) or not code.strip():
        raise InputError(
            "a currency code must be non-empty text", column="currency", rule="currency"
        )
    return code.strip().upper()


@attrs.frozen(order=False)
class Money:
    """An exact amount of money in minor units (fen for CNY) and its currency.

    Arithmetic and comparison are exact and refuse to mix currencies.

    >>> Money.from_yuan("12.345") + Money(5)
    Money(fen=1240, currency='CNY')
    >>> Money(100) < Money(101)
    True
    >>> str(Money(-1234, "usd"))
    '-12.34 USD'
    """

    fen: int = attrs.field(converter=_whole_fen)
    currency: str = attrs.field(default="CNY", converter=_currency_code)

    @classmethod
    def from_yuan(cls, value: Any, currency: str = "CNY") -> Money:
        """Build from a yuan amount (int, float, Decimal, text) with the half-up rule."""
        try:
            return cls(_fen_of(value), currency)
        except _RejectedError as exc:
            raise InputError(_RULE_TEXT[exc.rule], column="amount", rule=exc.rule) from None

    @property
    def yuan(self) -> Decimal:
        """The amount in major units as an exact Decimal with two places."""
        return fen_to_decimal(self.fen)

    def _same(self, other: object) -> Money:
        if not isinstance(other, Money):
            raise TypeError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise InputError(
                f"cannot combine {self.currency} with {other.currency} without a rate",
                column="currency",
                rule="currency",
            )
        return other

    def __add__(self, other: Money) -> Money:
        return Money(self.fen + self._same(other).fen, self.currency)

    def __sub__(self, other: Money) -> Money:
        return Money(self.fen - self._same(other).fen, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.fen, self.currency)

    def __lt__(self, other: Money) -> bool:
        return self.fen < self._same(other).fen

    def __le__(self, other: Money) -> bool:
        return self.fen <= self._same(other).fen

    def __gt__(self, other: Money) -> bool:
        return self.fen > self._same(other).fen

    def __ge__(self, other: Money) -> bool:
        return self.fen >= self._same(other).fen

    def __str__(self) -> str:
        return f"{self.yuan} {self.currency}"
