"""Hypothesis strategies for amounts, fen values and shares.

>>> from hypothesis import given
>>> from bankcrm.money import to_fen
>>> @given(amounts(kind="float"))
... def test_float_amounts_parse(value):
...     assert to_fen([value]).dtype.kind == "i"
>>> test_float_amounts_parse()
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal

from hypothesis import strategies as st

from bankcrm._money import MAX_ABS_FEN, MAX_ABS_YUAN

__all__ = [
    "AmountKind",
    "amounts",
    "fen_values",
    "half_fen_amounts",
    "malformed_amounts",
    "malformed_shares",
    "shares",
]

AmountKind = Literal["decimal", "float", "str", "any"]

#: Floats carry at most 15 significant digits exactly through their shortest repr.
_FLOAT_SAFE_DIGITS = 15


def _decimal_amounts(min_value: Decimal, max_value: Decimal, places: int) -> st.SearchStrategy[Any]:
    scale = 10**places
    low = int((min_value * scale).to_integral_value(rounding="ROUND_CEILING"))
    high = int((max_value * scale).to_integral_value(rounding="ROUND_FLOOR"))
    return st.integers(low, high).map(lambda k: Decimal(k).scaleb(-places))


def _float_safe(value: Decimal) -> bool:
    digits = len(value.as_tuple().digits)
    return digits <= _FLOAT_SAFE_DIGITS


def _as_text(value: Decimal, style: int) -> str:
    if style == 0:
        return str(value)
    if style == 1:
        return f"{value:,}"
    if style == 2:
        return f"¥{value}"
    return f" {value} "


def amounts(
    *,
    min_value: Decimal | int | str = Decimal("-1000000000"),
    max_value: Decimal | int | str = Decimal("1000000000"),
    places: int = 2,
    kind: AmountKind = "decimal",
) -> st.SearchStrategy[Any]:
    """Yuan amounts with at most ``places`` decimals in ``[min_value, max_value]``.

    ``kind`` chooses the form: exact ``Decimal`` (``"decimal"``), a ``float`` whose shortest repr
    is that decimal (``"float"``; values beyond 15 significant digits are skipped), amount text
    such as ``"1,234.50"`` or ``"¥12.3"`` (``"str"``), or any of these (``"any"``).
    """
    low, high = Decimal(min_value), Decimal(max_value)
    if abs(low) > MAX_ABS_YUAN or abs(high) > MAX_ABS_YUAN:
        raise ValueError("amount bounds must lie within ±MAX_ABS_YUAN")
    base = _decimal_amounts(low, high, places)
    if kind == "decimal":
        return base
    as_float = base.filter(_float_safe).map(lambda d: float(str(d)))
    as_text = st.tuples(base, st.integers(0, 3)).map(lambda pair: _as_text(*pair))
    if kind == "float":
        return as_float
    if kind == "str":
        return as_text
    if kind == "any":
        return st.one_of(base, as_float, as_text)
    raise ValueError(f"unknown amount kind {kind!r}")


def half_fen_amounts(
    *, min_value: int = -(10**9), max_value: int = 10**9
) -> st.SearchStrategy[Decimal]:
    """Decimals with three places that sit on or next to a half-fen boundary (x.xx5, x.xx4,
    x.xx6): the values where float rounding goes wrong. Pair with ``float(str(value))``.
    """
    return st.tuples(st.integers(min_value * 100, max_value * 100), st.sampled_from((4, 5, 6))).map(
        lambda pair: Decimal(pair[0] * 10 + (pair[1] if pair[0] >= 0 else -pair[1])).scaleb(-3)
    )


def fen_values(
    *, min_value: int = -MAX_ABS_FEN, max_value: int = MAX_ABS_FEN
) -> st.SearchStrategy[int]:
    """Integer fen amounts within the library's bound."""
    return st.integers(max(min_value, -MAX_ABS_FEN), min(max_value, MAX_ABS_FEN))


def shares(
    *, places: int = 6, kind: Literal["fraction", "decimal", "float", "percent", "any"] = "decimal"
) -> st.SearchStrategy[Any]:
    """Shares in [0, 1] with at most ``places`` decimals (at most 6, so they are exact in
    millionths), as Decimal, Fraction, float, percentage text (``"35.5%"``) or any of these.
    """
    if not 0 <= places <= 6:
        raise ValueError("places must be between 0 and 6")
    scale = 10**places
    base = st.integers(0, scale).map(lambda k: Decimal(k).scaleb(-places))
    forms: dict[str, st.SearchStrategy[Any]] = {
        "decimal": base,
        "fraction": base.map(Fraction),
        "float": base.map(lambda d: float(str(d))),
        "percent": base.map(lambda d: f"{(d * 100).normalize():f}%"),
    }
    if kind == "any":
        return st.one_of(*forms.values())
    if kind not in forms:
        raise ValueError(f"unknown share kind {kind!r}")
    return forms[kind]


def malformed_amounts() -> st.SearchStrategy[Any]:
    """Values that :func:`bankcrm.money.to_fen` must reject with an ``InputError``: missing
    values, infinities, non-numeric text, booleans, containers and amounts beyond the bound.
    """
    too_big = st.integers(MAX_ABS_YUAN + 1, 10**30)
    return st.one_of(
        st.sampled_from(
            [
                None,
                float("nan"),
                float("inf"),
                float("-inf"),
                Decimal("NaN"),
                Decimal("Infinity"),
                "",
                "   ",
                "abc",
                "1.2.3",
                "1,23",
                "--5",
                "nan",
                "inf",
                "12元5",
                True,
                False,
                b"12",
            ]
        ),
        st.text(alphabet="abcxyz!@#中文", min_size=1, max_size=8),
        too_big,
        too_big.map(lambda v: -v),
        too_big.map(str),
        too_big.map(Decimal),
        st.just([1]),
        st.just({"amount": 1}),
    )


def malformed_shares() -> st.SearchStrategy[Any]:
    """Values that :func:`bankcrm.money.parse_share` must reject: outside [0, 1], missing,
    infinite or not numbers."""
    return st.one_of(
        st.sampled_from([None, float("nan"), float("inf"), "abc", "", "50", "101%", -0.01, 1.5]),
        st.integers(2, 10**6),
        st.decimals(min_value=Decimal("1.000001"), max_value=Decimal(100), places=6),
    )
