"""Exact ratios, shares and thresholds: decided by cross-multiplication, never by float division.

Every threshold carries an explicit :class:`Comparator`. The Chinese boundary words of the Civil
Code (民法典 Art. 1259) map to comparators: 以上、以下、以内、届满 include the number, 不满、超过、
以外 exclude it.

>>> Threshold("15%", "<=").holds(15, 100)        # 不得超过15%: 15 % itself is allowed
True
>>> Threshold("15%", "超过").holds(15, 100)       # 超过15%: 15 % itself is not "more than"
False
>>> parse_share("35 %")
Fraction(7, 20)
>>> to_millionths([0.1, "20%", Decimal("0.2")], column="equity_share").sum()  # 0.1 + 0.2 + 0.2
np.int64(500000)
"""

from __future__ import annotations

import enum
import operator
import re
from collections.abc import Callable, Iterable
from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal

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
    "BOUNDARY_WORDS",
    "MAX_EXPONENT",
    "SHARE_SCALE",
    "Comparator",
    "Threshold",
    "compare_ratio",
    "compare_ratios",
    "exact_number",
    "parse_share",
    "to_millionths",
]

#: Shares are stored as integer millionths: 1.0 = 1_000_000, 35 % = 350_000.
SHARE_SCALE = 1_000_000

ExactNumber = int | Decimal | Fraction
Number = int | float | Decimal | Fraction | str


class Comparator(enum.StrEnum):
    """How a value is compared with a threshold (``value <op> threshold``).

    >>> Comparator.parse("以上"), Comparator.parse("不满"), Comparator.parse("≤")
    (<Comparator.GE: '>='>, <Comparator.LT: '<'>, <Comparator.LE: '<='>)
    >>> Comparator.GT.negated()
    <Comparator.LE: '<='>
    """

    GE = ">="
    GT = ">"
    LE = "<="
    LT = "<"

    @property
    def includes_boundary(self) -> bool:
        """Whether a value equal to the threshold satisfies the comparison."""
        return self in (Comparator.GE, Comparator.LE)

    def negated(self) -> Comparator:
        """The comparator of the opposite condition (``超过`` → ``不超过``: GT → LE)."""
        return _NEGATION[self]

    def compare(self, left: Any, right: Any) -> bool:
        """``left <op> right`` on exact numbers (int, Decimal, Fraction)."""
        return bool(_OPERATORS[self](left, right))

    def compare_arrays(self, left: NDArray[Any], right: NDArray[Any]) -> NDArray[np.bool_]:
        """Elementwise ``left <op> right`` (same shapes), as a boolean array."""
        return np.asarray(_OPERATORS[self](left, right), dtype=bool)

    @classmethod
    def _missing_(cls, value: object) -> Comparator:
        # Comparator("以上") and Comparator("≥") work too, so policy files may use either form;
        # anything else is an InputError (a ValueError), never a bare enum ValueError
        return cls.parse(value)  # type: ignore[arg-type]

    @classmethod
    def parse(cls, text: str | Comparator) -> Comparator:
        """A comparator from a symbol (``>=``, ``≥`` …), a boundary word or an English phrase.

        Raises:
            InputError: (rule ``comparator``) for anything else.
        """
        if isinstance(text, Comparator):
            return text
        key = str(text).strip()
        found = _SYMBOLS.get(key) or BOUNDARY_WORDS.get(key) or _ENGLISH.get(key.lower())
        if found is None:
            raise InputError(
                f"unknown comparator {key!r}; use >=, >, <=, < or a boundary word such as 以上",
                column="comparator",
                rule="comparator",
            )
        return found


_OPERATORS: dict[Comparator, Callable[[Any, Any], Any]] = {
    Comparator.GE: operator.ge,
    Comparator.GT: operator.gt,
    Comparator.LE: operator.le,
    Comparator.LT: operator.lt,
}
_NEGATION = {
    Comparator.GE: Comparator.LT,
    Comparator.GT: Comparator.LE,
    Comparator.LE: Comparator.GT,
    Comparator.LT: Comparator.GE,
}
_SYMBOLS = {
    ">=": Comparator.GE,
    "≥": Comparator.GE,
    ">": Comparator.GT,
    "<=": Comparator.LE,
    "≤": Comparator.LE,
    "<": Comparator.LT,
}

#: Chinese boundary words (民法典 Art. 1259 and common policy phrasing) and their comparators.
#: The word describes the condition itself: "1000万以上" holds for values >= 10 M.
BOUNDARY_WORDS: dict[str, Comparator] = {
    "以上": Comparator.GE,
    "以下": Comparator.LE,
    "以内": Comparator.LE,
    "届满": Comparator.GE,
    "达到": Comparator.GE,
    "不低于": Comparator.GE,
    "不少于": Comparator.GE,
    "不满": Comparator.LT,
    "未满": Comparator.LT,
    "低于": Comparator.LT,
    "超过": Comparator.GT,
    "以外": Comparator.GT,
    "高于": Comparator.GT,
    "不超过": Comparator.LE,
    "不得超过": Comparator.LE,
}
_ENGLISH = {
    "at least": Comparator.GE,
    "or more": Comparator.GE,
    "and above": Comparator.GE,
    "more than": Comparator.GT,
    "above": Comparator.GT,
    "at most": Comparator.LE,
    "not more than": Comparator.LE,
    "or less": Comparator.LE,
    "less than": Comparator.LT,
    "below": Comparator.LT,
}

_PLAIN = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_RATIO = re.compile(r"(\d+)/(\d+)")

#: Largest decimal exponent (either sign) an exact number may have. Far beyond any amount, share
#: or ratio a bank handles, and small enough that exact rational arithmetic stays instant: a value
#: such as ``"1e999999999"`` would otherwise make ``Fraction`` build a billion-digit integer.
MAX_EXPONENT = 1_000


def bounded_exponent(value: Decimal, column: str) -> Decimal:
    """``value`` itself, or an InputError (rule ``range``) when its exponent is absurd."""
    if value.is_finite() and value and abs(value.adjusted()) > MAX_EXPONENT:
        raise InputError(
            f"number beyond 1e±{MAX_EXPONENT}, too large or too small to handle exactly",
            column=column,
            rule="range",
        )
    return value


def exact_number(value: Any, *, column: str = "value") -> Fraction:
    """An exact rational from int, float (by its shortest repr), Decimal, Fraction or text.

    Text may be a plain number, a percentage (``"35%"``), a per-mille (``"5‰"``) or a ratio
    (``"1/3"``); full-width characters are accepted.

    Raises:
        InputError: (rules ``missing``, ``numeric``, ``finite``) for anything else.

    Examples:
        >>> exact_number(0.1) + exact_number(0.2) == exact_number("0.3")
        True
    """
    if value is None or value is pd.NA or value is pd.NaT:
        raise InputError("missing value", column=column, rule="missing")
    if isinstance(value, bool | np.bool_):
        raise InputError("a boolean is not a number", column=column, rule="numeric")
    if isinstance(value, Fraction):
        return value
    if isinstance(value, int | np.integer):
        return Fraction(int(value))
    if isinstance(value, float | np.floating):
        if value != value:
            raise InputError("missing value (NaN)", column=column, rule="missing")
        if not np.isfinite(value):
            raise InputError("value is infinite", column=column, rule="finite")
        return Fraction(Decimal(str(value)))
    if isinstance(value, Decimal):
        if not value.is_finite():
            rule = "missing" if value.is_nan() else "finite"
            raise InputError("value is not a finite number", column=column, rule=rule)
        return Fraction(bounded_exponent(value, column))
    if isinstance(value, str):
        return _parse_text(value, column)
    raise InputError(f"not a number: {type(value).__name__}", column=column, rule="numeric")


def _parse_text(text: str, column: str) -> Fraction:
    s = text.translate(FULLWIDTH_TABLE).replace(" ", "").strip()
    scale = 1
    if s.endswith("%"):
        s, scale = s[:-1], 100
    elif s.endswith("‰"):
        s, scale = s[:-1], 1000
    if _PLAIN.fullmatch(s):
        return Fraction(bounded_exponent(Decimal(s), column)) / scale
    match = _RATIO.fullmatch(s)
    if match and int(match.group(2)) != 0:
        return Fraction(int(match.group(1)), int(match.group(2))) / scale
    if not s:
        raise InputError("missing value (blank)", column=column, rule="missing")
    raise InputError("not a number", column=column, rule="numeric")


def parse_share(value: Any, *, column: str = "share") -> Fraction:
    """Parse an ownership or voting share into an exact :class:`~fractions.Fraction` in [0, 1].

    Accepts ``0.35``, ``"0.35"``, ``"35%"``, ``"35 %"``, ``Decimal("0.35")``, ``Fraction(7, 20)``
    and ratios such as ``"1/3"``. A float is taken by its shortest repr.

    Raises:
        InputError: for nulls, non-numbers (``numeric``) and shares outside [0, 1] (``range``).

    Examples:
        >>> parse_share(0.35) == parse_share("35%") == Fraction(7, 20)
        True
        >>> parse_share("120%")
        Traceback (most recent call last):
        ...
        bankcrm.errors.InputError: column 'share': share must lie in [0, 1] [rule: range]
    """
    share = exact_number(value, column=column)
    if not 0 <= share <= 1:
        raise InputError("share must lie in [0, 1]", column=column, rule="range")
    return share


def to_millionths(
    values: Iterable[Any] | pd.Series[Any],
    *,
    column: str = "share",
    rounding: Literal["exact", "half_up"] = "exact",
) -> NDArray[np.int64]:
    """Convert a share column to int64 millionths (1.0 → 1_000_000) exactly.

    Float columns take a vectorised path: a float share is the decimal its shortest repr shows.
    By default a share that is not a whole number of millionths (``1/3``, ``0.1234567``) is an
    error (rule ``precision``), because rounding could move it across a threshold;
    ``rounding="half_up"`` rounds such shares half up to the nearest millionth instead.

    Raises:
        InputError: rules ``missing``, ``numeric``, ``finite``, ``range`` (outside [0, 1]) and
            ``precision``, with the first offending row labels.

    Examples:
        >>> import pandas as pd
        >>> to_millionths(pd.Series([0.5, 0.25, 1.0])).tolist()
        [500000, 250000, 1000000]
        >>> to_millionths(["1/3"], rounding="half_up").tolist()
        [333333]
    """
    if rounding not in ("exact", "half_up"):
        raise InputError(
            f"unknown rounding {rounding!r}; use 'exact' or 'half_up'", column=column, rule="type"
        )
    series = as_series(values, column=column)
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        raise_for_rows(
            "a boolean is not a share",
            column=column,
            rule="numeric",
            mask=np.ones(len(series), dtype=bool),
            series=series,
        )
    missing = missing_mask(series)
    if missing.any():
        raise_for_rows("missing share", column=column, rule="missing", mask=missing, series=series)
    if pd.api.types.is_integer_dtype(dtype):
        ints = series.to_numpy(dtype=np.float64)  # exact for 0/1; anything else is out of range
        _check_share_range(ints, series, column)
        return ints.astype(np.int64) * np.int64(SHARE_SCALE)
    if pd.api.types.is_float_dtype(dtype) and isinstance(dtype, np.dtype) and dtype.itemsize == 8:
        return _float_millionths(series.to_numpy(dtype=np.float64), series, column, rounding)
    return _object_millionths(series, column, rounding)


def _check_share_range(x: NDArray[np.float64], series: pd.Series[Any], column: str) -> None:
    infinite = np.isinf(x)
    if infinite.any():
        raise_for_rows(
            "share is infinite", column=column, rule="finite", mask=infinite, series=series
        )
    outside = ~((x >= 0.0) & (x <= 1.0))
    if outside.any():
        raise_for_rows(
            "share must lie in [0, 1]", column=column, rule="range", mask=outside, series=series
        )


def _float_millionths(
    x: NDArray[np.float64], series: pd.Series[Any], column: str, rounding: str
) -> NDArray[np.int64]:
    _check_share_range(x, series, column)
    scaled = np.rint(x * SHARE_SCALE)
    # For 0 <= x <= 1 the decimal r/10**6 is the shortest repr of x exactly when it maps back.
    inexact = (scaled / SHARE_SCALE) != x
    out = scaled.astype(np.int64)
    if inexact.any():
        if rounding == "exact":
            raise_for_rows(
                "share is not a whole number of millionths (pass rounding='half_up' to round)",
                column=column,
                rule="precision",
                mask=inexact,
                series=series,
            )
        for i in np.flatnonzero(inexact).tolist():
            out[i] = _round_half_up(Fraction(Decimal(str(float(x[i])))) * SHARE_SCALE)
    return out


def _round_half_up(value: Fraction) -> int:
    """Round a non-negative rational half up to an integer."""
    return (2 * value.numerator + value.denominator) // (2 * value.denominator)


def _object_millionths(series: pd.Series[Any], column: str, rounding: str) -> NDArray[np.int64]:
    codes, uniques = distinct_codes(series)
    values = np.zeros(len(uniques) + 1, dtype=np.int64)
    failure: dict[str, list[int]] = {}
    for k, value in enumerate(uniques):
        try:
            share = parse_share(value, column=column)
        except InputError as exc:
            failure.setdefault(exc.rule or "numeric", []).append(k)
            continue
        scaled = share * SHARE_SCALE
        if scaled.denominator != 1 and rounding == "exact":
            failure.setdefault("precision", []).append(k)
            continue
        values[k] = _round_half_up(scaled)
    if failure or (codes < 0).any():
        failure.setdefault("missing", [])
        bad_codes = {rule: np.asarray(ks, dtype=np.intp) for rule, ks in failure.items()}
        for rule in ("missing", "numeric", "finite", "range", "precision"):
            if rule not in bad_codes:
                continue
            mask = np.isin(codes, bad_codes[rule])
            if rule == "missing":
                mask |= codes < 0
            if mask.any():
                raise_for_rows(
                    _SHARE_RULE_TEXT[rule], column=column, rule=rule, mask=mask, series=series
                )
    return values[codes]


_SHARE_RULE_TEXT = {
    "missing": "missing share",
    "numeric": "not a valid share",
    "finite": "share is infinite",
    "range": "share must lie in [0, 1]",
    "precision": "share is not a whole number of millionths (pass rounding='half_up' to round)",
}


def compare_ratio(
    numerator: Number,
    denominator: Number,
    threshold: Number,
    comparator: Comparator | str,
) -> bool:
    """Decide ``numerator / denominator <comparator> threshold`` exactly.

    Decided as ``numerator <op> threshold × denominator`` on exact rationals (cross-
    multiplication), so no float division ever decides a boundary. ``denominator`` must be > 0.

    >>> compare_ratio(15, 100, "15%", "<=")     # exactly at the boundary
    True
    >>> compare_ratio(0.1 + 0.2, 1, "0.3", ">")  # 0.1 + 0.2 typed by a user is 0.30000000000000004
    True
    """
    comp = Comparator.parse(comparator)
    num = exact_number(numerator, column="numerator")
    den = exact_number(denominator, column="denominator")
    if den <= 0:
        raise InputError("denominator must be positive", column="denominator", rule="positive")
    return comp.compare(num, exact_number(threshold, column="threshold") * den)


def compare_ratios(
    numerators: Iterable[Any] | pd.Series[Any],
    denominators: Iterable[Any] | pd.Series[Any] | int,
    threshold: Number,
    comparator: Comparator | str,
) -> NDArray[np.bool_]:
    """Vectorised :func:`compare_ratio`: one boolean per row, decided by exact cross-multiplication.

    Integer arrays (fen, millionths, counts) use int64 arithmetic when the products provably fit,
    Python integers otherwise; other values are converted exactly once per distinct value.

    Raises:
        InputError: for mismatched lengths, non-numbers, or a denominator that is not positive.

    Examples:
        >>> compare_ratios([150, 151, 149], [1000, 1000, 1000], "15%", "<=").tolist()
        [True, False, True]
    """
    comp = Comparator.parse(comparator)
    limit = exact_number(threshold, column="threshold")
    num = _exact_column(numerators, "numerator")
    n = len(num)
    if isinstance(denominators, int | np.integer) and not isinstance(denominators, bool):
        den: NDArray[Any] = np.full(n, int(denominators), dtype=np.int64)
    else:
        den = _exact_column(denominators, "denominator")
    if len(den) != n:
        raise InputError(
            f"numerators have {n} rows but denominators {len(den)}",
            column="denominator",
            rule="length",
        )
    not_positive = np.asarray(den <= 0, dtype=bool)
    if not_positive.any():
        raise_for_rows(
            "denominator must be positive",
            column="denominator",
            rule="positive",
            mask=not_positive,
            series=pd.Series(den),
        )
    p, q = limit.numerator, limit.denominator
    if num.dtype == np.int64 and den.dtype == np.int64 and n:
        bound = 2**62
        max_num = int(np.abs(num).max())
        max_den = int(np.abs(den).max())
        if max_num * q < bound and max_den * abs(p) < bound:
            return comp.compare_arrays(num * np.int64(q), den * np.int64(p))
    lhs = num.astype(object) * q
    rhs = den.astype(object) * p
    return comp.compare_arrays(lhs, rhs)


def _exact_column(values: Any, column: str) -> NDArray[Any]:
    """Int64 array for integer input, else an object array of exact Fractions."""
    series = as_series(values, column=column)
    dtype = series.dtype
    if pd.api.types.is_integer_dtype(dtype) and not missing_mask(series).any():
        raw = series.to_numpy()
        if raw.dtype != np.uint64 or (len(raw) and raw.max() < 2**63):
            return raw.astype(np.int64)
    codes, uniques = distinct_codes(series)
    if (codes < 0).any():
        raise_for_rows(
            "missing value", column=column, rule="missing", mask=codes < 0, series=series
        )
    exact = np.empty(len(uniques), dtype=object)
    for k, value in enumerate(uniques):
        try:
            exact[k] = exact_number(value, column=column)
        except InputError as exc:
            raise_for_rows(
                exc.message,
                column=column,
                rule=exc.rule or "numeric",
                mask=codes == k,
                series=series,
            )
    result: NDArray[Any] = exact[codes]
    return result


def _to_threshold_value(value: Any) -> Decimal:
    if isinstance(value, Decimal) and value.is_finite():
        return bounded_exponent(value, "threshold")  # keep the digits as written ("10000000.00")
    if isinstance(value, str):
        text = value.translate(FULLWIDTH_TABLE).strip()
        if _PLAIN.fullmatch(text):
            return bounded_exponent(Decimal(text), "threshold")
    exact = exact_number(value, column="threshold")
    as_decimal = Decimal(exact.numerator) / Decimal(exact.denominator)
    if Fraction(as_decimal) != exact:
        raise InputError(
            f"threshold {exact} has no exact decimal form", column="threshold", rule="precision"
        )
    return as_decimal


def _to_comparator(value: Comparator | str) -> Comparator:
    return Comparator.parse(value)


@attrs.frozen
class Threshold:
    """A threshold value with its explicit comparator, tested exactly.

    ``value`` is an exact Decimal (``"15%"`` becomes ``Decimal('0.15')``); ``comparator`` may be
    given as a symbol or a boundary word.

    >>> limit = Threshold("15%", "不得超过")
    >>> limit
    Threshold(value=Decimal('0.15'), comparator=<Comparator.LE: '<='>)
    >>> limit.holds(1_500, 10_000), limit.holds(1_501, 10_000)
    (True, False)
    >>> Threshold(1_000_000, "以上").holds(1_000_000)
    True
    """

    value: Decimal = attrs.field(converter=_to_threshold_value)
    comparator: Comparator = attrs.field(converter=_to_comparator)

    def holds(self, numerator: Number, denominator: Number = 1) -> bool:
        """Whether ``numerator / denominator <comparator> value``, by cross-multiplication."""
        return compare_ratio(numerator, denominator, self.value, self.comparator)

    def holds_many(
        self,
        numerators: Iterable[Any] | pd.Series[Any],
        denominators: Iterable[Any] | pd.Series[Any] | int = 1,
    ) -> NDArray[np.bool_]:
        """Vectorised :meth:`holds`, one boolean per row."""
        return compare_ratios(numerators, denominators, self.value, self.comparator)

    def __str__(self) -> str:
        return f"{self.comparator.value} {self.value}"
