"""Ratios, shares and thresholds: exact boundaries, batch == scalar, boundary words."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bankcrm.errors import InputError
from bankcrm.money import (
    BOUNDARY_WORDS,
    SHARE_SCALE,
    Comparator,
    Threshold,
    compare_ratio,
    compare_ratios,
    exact_number,
    parse_share,
    to_millionths,
)
from bankcrm.testing.strategies import malformed_shares, shares

ALL_COMPARATORS = list(Comparator)


# ----------------------------------------------------------------------------- boundary words


@pytest.mark.parametrize(
    ("word", "comparator"),
    [
        ("以上", Comparator.GE),
        ("以下", Comparator.LE),
        ("以内", Comparator.LE),
        ("届满", Comparator.GE),
        ("不满", Comparator.LT),
        ("超过", Comparator.GT),
        ("以外", Comparator.GT),
        ("不得超过", Comparator.LE),
    ],
)
def test_civil_code_boundary_words(word: str, comparator: Comparator) -> None:
    """民法典 Art. 1259: 以上/以下/以内/届满 include the number, 不满/超过/以外 exclude it."""
    assert Comparator.parse(word) is comparator
    includes = word in ("以上", "以下", "以内", "届满", "不得超过")
    assert comparator.includes_boundary is includes


def test_every_boundary_word_maps_to_a_comparator() -> None:
    assert all(isinstance(c, Comparator) for c in BOUNDARY_WORDS.values())


@pytest.mark.parametrize("text", ["≥", ">=", "at least", "AT LEAST"])
def test_comparator_parse_symbols(text: str) -> None:
    assert Comparator.parse(text) is Comparator.GE


def test_comparator_parse_rejects_unknown() -> None:
    with pytest.raises(InputError) as info:
        Comparator.parse("about")
    assert info.value.rule == "comparator"


def test_negation_is_an_involution_and_flips_boundary() -> None:
    for comparator in ALL_COMPARATORS:
        assert comparator.negated().negated() is comparator
        assert comparator.negated().includes_boundary is not comparator.includes_boundary


# ----------------------------------------------------------------------------- pinned examples


def test_domain_examples() -> None:
    # "不得超过15%": a 15 % share of net capital is allowed, one fen more is not
    limit = Threshold("15%", "不得超过")
    assert limit.holds(15_000_000_000, 100_000_000_000)
    assert not limit.holds(15_000_000_001, 100_000_000_000)
    # "1000万以上": 10 M itself qualifies
    assert Threshold(10_000_000, "以上").holds(10_000_000)
    # "超过2.5%": exactly 2.5 % is not a large exposure
    assert not Threshold("2.5%", "超过").holds(25, 1000)
    assert Threshold("2.5%", "超过").holds(2501, 100_000)
    # 0.1 + 0.2 + 0.2 is not more than 0.5 when shares are exact
    total = sum(parse_share(s) for s in (0.1, 0.2, 0.2))
    assert not Threshold("50%", "超过").holds(total)
    assert Threshold("50%", ">=").holds(total)


def test_float_typed_values_compare_as_typed() -> None:
    # a float compares as the decimal it shows, not its binary expansion (0.3 < 0.29999…)
    assert compare_ratio(0.3, 1, Decimal("0.3"), "<=")
    assert compare_ratio(0.3, 1, Decimal("0.3"), ">=")
    assert not compare_ratio(0.1 + 0.2, 1, Decimal("0.3"), "<=")  # 0.30000000000000004


def test_threshold_value_forms() -> None:
    assert Threshold("15%", ">=").value == Decimal("0.15")
    assert Threshold(0.15, ">=").value == Decimal("0.15")
    assert Threshold(Fraction(3, 20), ">=").value == Decimal("0.15")
    assert Threshold("5‰", ">").value == Decimal("0.005")
    with pytest.raises(InputError):
        Threshold("1/3", ">=")  # no exact decimal form
    with pytest.raises(InputError):
        Threshold("abc", ">=")
    assert str(Threshold("15%", "<=")) == "<= 0.15"


def test_compare_ratio_rejects_non_positive_denominator() -> None:
    for denominator in (0, -1):
        with pytest.raises(InputError) as info:
            compare_ratio(1, denominator, "0.5", ">=")
        assert info.value.rule == "positive"
    with pytest.raises(InputError) as batch:
        compare_ratios([1, 2], [5, 0], "0.5", ">=")
    assert batch.value.rows == [1]


def test_compare_ratios_overflow_falls_back_to_exact_ints() -> None:
    # 10**15 fen × threshold denominator 10**7 does not fit in int64
    got = compare_ratios([10**15, 10**15], [10**16, 10**16 + 1], "0.1000000", ">=")
    assert got.tolist() == [True, False]
    got = compare_ratios([3, 1], [10, 10], "0.1234567", ">")
    assert got.tolist() == [True, False]


def test_compare_ratios_non_integer_inputs() -> None:
    got = compare_ratios(pd.Series(["15%", 0.1, Decimal("0.2")]), 1, "0.15", ">=")
    assert got.tolist() == [True, False, True]
    with pytest.raises(InputError) as info:
        compare_ratios([1, None], [1, 1], "0.5", ">=")
    assert info.value.rule == "missing"
    with pytest.raises(InputError) as length:
        compare_ratios([1, 2], [1], "0.5", ">=")
    assert length.value.rule == "length"


@pytest.mark.parametrize(
    ("value", "share"),
    [
        (0.35, Fraction(7, 20)),
        ("35%", Fraction(7, 20)),
        ("35 %", Fraction(7, 20)),
        ("３５％", Fraction(7, 20)),
        (Decimal("0.35"), Fraction(7, 20)),
        (Fraction(1, 3), Fraction(1, 3)),
        ("1/3", Fraction(1, 3)),
        (1, Fraction(1)),
        (0, Fraction(0)),
        ("0.5", Fraction(1, 2)),
    ],
)
def test_parse_share(value: Any, share: Fraction) -> None:
    assert parse_share(value) == share


def test_to_millionths_examples() -> None:
    assert to_millionths([0.1, 0.2, 0.2]).sum() == 500_000
    assert to_millionths(pd.Series(["50%", "0.000001", Decimal(1)])).tolist() == [
        500_000,
        1,
        1_000_000,
    ]
    assert to_millionths(pd.Series([0, 1])).tolist() == [0, 1_000_000]
    with pytest.raises(InputError) as info:
        to_millionths(pd.Series([0.5, 1 / 3], index=["a", "b"]))
    assert (info.value.rule, info.value.rows) == ("precision", ["b"])
    assert to_millionths([1 / 3, 2 / 3], rounding="half_up").tolist() == [333_333, 666_667]
    with pytest.raises(InputError) as outside:
        to_millionths(pd.Series([0.5, 1.5]))
    assert (outside.value.rule, outside.value.rows) == ("range", [1])
    with pytest.raises(InputError) as missing:
        to_millionths(pd.Series([0.5, None], dtype=object))
    assert missing.value.rule == "missing"


# ----------------------------------------------------------------------------- properties

exact_values = st.one_of(
    st.integers(-(10**18), 10**18),
    st.decimals(
        allow_nan=False, allow_infinity=False, places=4, min_value=-(10**9), max_value=10**9
    ),
    st.fractions(max_denominator=10**6),
)
positive = st.one_of(
    st.integers(1, 10**18),
    st.fractions(min_value=Fraction(1, 10**6), max_denominator=10**6),
)
thresholds = st.decimals(min_value=-10, max_value=10, places=6)


@given(st.sampled_from(ALL_COMPARATORS), thresholds, positive)
def test_threshold_at_exact_boundary(comparator: Comparator, value: Decimal, den: Any) -> None:
    """A value exactly at the threshold holds iff the comparator includes its boundary."""
    threshold = Threshold(value, comparator)
    numerator = Fraction(value) * Fraction(den)
    assert threshold.holds(numerator, den) is comparator.includes_boundary


@given(st.sampled_from(ALL_COMPARATORS), thresholds, positive)
def test_threshold_one_step_either_side(comparator: Comparator, value: Decimal, den: Any) -> None:
    threshold = Threshold(value, comparator)
    at = Fraction(value) * Fraction(den)
    step = Fraction(1, 10**12)
    above, below = threshold.holds(at + step, den), threshold.holds(at - step, den)
    assert above is (comparator in (Comparator.GE, Comparator.GT))
    assert below is (comparator in (Comparator.LE, Comparator.LT))


@given(exact_values, positive, thresholds, st.sampled_from(ALL_COMPARATORS))
def test_compare_ratio_matches_fraction_division(
    num: Any, den: Any, value: Decimal, comparator: Comparator
) -> None:
    expected = comparator.compare(Fraction(num) / Fraction(den), Fraction(value))
    assert compare_ratio(num, den, value, comparator) is expected
    assert compare_ratio(num, den, value, comparator) is not compare_ratio(
        num, den, value, comparator.negated()
    )


@given(
    st.lists(st.tuples(st.integers(-(10**15), 10**15), st.integers(1, 10**15)), max_size=40),
    thresholds,
    st.sampled_from(ALL_COMPARATORS),
)
def test_batch_equals_scalar(
    pairs: list[tuple[int, int]], value: Decimal, comp: Comparator
) -> None:
    nums = np.asarray([p[0] for p in pairs], dtype=np.int64)
    dens = np.asarray([p[1] for p in pairs], dtype=np.int64)
    batch = compare_ratios(nums, dens, value, comp)
    assert batch.tolist() == [compare_ratio(n, d, value, comp) for n, d in pairs]
    assert Threshold(value, comp).holds_many(nums, dens).tolist() == batch.tolist()


@given(st.lists(shares(kind="any"), max_size=30))
def test_to_millionths_exact_for_all_share_forms(values: list[Any]) -> None:
    got = to_millionths(pd.Series(values, dtype=object))
    assert got.tolist() == [int(parse_share(v) * SHARE_SCALE) for v in values]


@given(st.lists(shares(kind="float"), max_size=30))
def test_to_millionths_float_fast_path(values: list[float]) -> None:
    got = to_millionths(np.asarray(values, dtype=np.float64))
    assert got.tolist() == [int(Fraction(Decimal(repr(v))) * SHARE_SCALE) for v in values]


@given(malformed_shares())
def test_malformed_shares_raise(bad: Any) -> None:
    with pytest.raises(InputError):
        parse_share(bad)
    with pytest.raises(InputError):
        to_millionths(pd.Series([0.5, bad], dtype=object))


@given(
    st.one_of(
        st.floats(allow_nan=False, allow_infinity=False),
        st.decimals(allow_nan=False, allow_infinity=False),
    )
)
def test_exact_number_reads_floats_by_repr(value: Any) -> None:
    expected = Fraction(Decimal(repr(value))) if isinstance(value, float) else Fraction(value)
    assert exact_number(value) == expected
