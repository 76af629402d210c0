"""Money: exact fen, the half-up rule, floats read as typed, and clear errors."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bankcrm.errors import InputError
from bankcrm.money import (
    MAX_ABS_FEN,
    MAX_ABS_YUAN,
    Money,
    fen_to_decimal,
    parse_amount,
    to_fen,
)
from bankcrm.testing.strategies import (
    amounts,
    fen_values,
    half_fen_amounts,
    malformed_amounts,
)


def reference_fen(value: Decimal) -> int:
    """The documented rule, written independently: quantise to 0.01 half up, in fen."""
    return int(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) * 100)


# ----------------------------------------------------------------------------- pinned examples


@pytest.mark.parametrize(
    ("value", "fen"),
    [
        (1.005, 101),  # binary 1.00499999999999989… but typed as 1.005
        (2.675, 268),  # binary 2.67499999999999982…
        (0.1 + 0.2, 30),  # 0.30000000000000004
        (-1.005, -101),  # ties go away from zero
        (0.005, 1),
        (-0.005, -1),
        (0.004999, 0),
        (1e-10, 0),
        (12345678.905, 1234567891),
        (9999999999999.99, 999999999999999),
        (-(10**13), -MAX_ABS_FEN),
        ("1,234.50", 123450),
        ("¥12.3", 1230),
        ("￥-12.3", -1230),
        ("-¥12.3", -1230),
        ("１２３．４５", 12345),
        ("12元", 1200),
        ("RMB 5", 500),
        (" 7 ", 700),
        ("1e3", 100000),
        (Decimal("0.125"), 13),
        (Decimal("-0.125"), -13),
        (np.float32(0.1), 10),
        (np.int64(7), 700),
        (3, 300),
    ],
)
def test_to_fen_pinned(value: Any, fen: int) -> None:
    assert to_fen([value]).tolist() == [fen]


def test_float_column_reads_as_typed() -> None:
    column = pd.Series([1.005, 2.675, 1.115, 0.285, 1.0049999999999999, 10.0])
    assert to_fen(column).tolist() == [101, 268, 112, 29, 101, 1000]


def test_float32_column_reads_its_own_repr() -> None:
    column = pd.Series(np.array([0.1, 1.005, 2.675], dtype=np.float32))
    assert to_fen(column).tolist() == [10, 101, 268]


def test_int_and_nullable_columns() -> None:
    assert to_fen(pd.Series([1, -2], dtype="Int64")).tolist() == [100, -200]
    assert to_fen(np.array([5], dtype=np.uint8)).tolist() == [500]
    assert to_fen(pd.Series(["1.01", "2"], dtype="str")).tolist() == [101, 200]
    assert to_fen(pd.Series(["1.01", "2"], dtype="category")).tolist() == [101, 200]
    assert to_fen(pd.Series([], dtype=object)).tolist() == []


def test_fen_to_decimal_and_parse_amount() -> None:
    assert fen_to_decimal(101) == Decimal("1.01")
    assert str(fen_to_decimal(100)) == "1.00"
    assert parse_amount(1.005) == Decimal("1.005")
    assert parse_amount("1,000,000") == Decimal(1_000_000)


@pytest.mark.parametrize(
    ("values", "rule", "rows"),
    [
        (pd.Series([1.0, np.nan, 2.0], index=["a", "b", "c"]), "missing", ["b"]),
        (pd.Series([1.0, np.inf, -np.inf]), "finite", [1, 2]),
        (pd.Series([1.0, 2e13]), "range", [1]),
        (pd.Series([10**13, 10**13 + 1]), "range", [1]),
        (pd.Series(["1", "x1", None], dtype=object), "missing", [2]),
        (pd.Series(["1", "x1", "2"], dtype=object), "numeric", [1]),
        (pd.Series([True, False]), "numeric", [0, 1]),
        (pd.Series(["1,23"], dtype="str"), "numeric", [0]),
        (pd.Series([Decimal("Infinity")]), "finite", [0]),
        (pd.Series([[1], {"a": 2}], dtype=object), "numeric", [0, 1]),
        (pd.Series(np.array([2**63], dtype=np.uint64)), "range", [0]),
    ],
)
def test_to_fen_errors_name_rule_and_rows(values: Any, rule: str, rows: list[Any]) -> None:
    with pytest.raises(InputError) as info:
        to_fen(values, column="balance")
    assert info.value.column == "balance"
    assert info.value.rule == rule
    assert info.value.rows == rows
    assert "balance" in str(info.value)


def test_to_fen_error_counts_all_rows_and_masks_ids() -> None:
    values = pd.Series(["11010519491231002X"] * 8 + ["1"])
    with pytest.raises(InputError) as info:
        to_fen(values, column="amount")
    assert info.value.n_rows == 8
    assert "and 3 more" in str(info.value)
    assert "11010519491231002X" not in str(info.value)


@pytest.mark.parametrize("bad", ["1.5", 3, None, {"a": 1}, np.zeros((2, 2))])
def test_to_fen_rejects_non_columns(bad: Any) -> None:
    with pytest.raises(InputError) as info:
        to_fen(bad)
    assert info.value.rule == "type"


def test_to_fen_does_not_mutate_input() -> None:
    series = pd.Series([1.005, 2.0], index=[10, 20])
    before = series.copy()
    to_fen(series)
    pd.testing.assert_series_equal(series, before)


def test_money_value_type() -> None:
    assert Money.from_yuan(1.005) == Money(101)
    assert Money(1) + Money(2) == Money(3)
    assert Money(5) - Money(7) == Money(-2)
    assert -Money(5) == Money(-5)
    assert Money(1) <= Money(1) < Money(2)
    assert Money(2) >= Money(2) > Money(1)
    assert Money(250).yuan == Decimal("2.50")
    with pytest.raises(InputError):
        _ = Money(1, "USD") + Money(1)
    with pytest.raises(InputError):
        _ = Money(1, "USD") < Money(1)
    with pytest.raises(InputError):
        Money(MAX_ABS_FEN + 1)
    with pytest.raises(InputError):
        Money.from_yuan("nope")


# ----------------------------------------------------------------------------- properties


@given(amounts())
def test_decimal_round_trip(value: Decimal) -> None:
    """Decimal (2 places) -> fen -> Decimal is the identity."""
    fen = int(to_fen([value])[0])
    assert fen_to_decimal(fen) == value


@given(fen_values())
def test_fen_round_trip(fen: int) -> None:
    assert int(to_fen([fen_to_decimal(fen)])[0]) == fen


@given(st.lists(amounts(kind="float"), max_size=30))
def test_float_path_equals_decimal_reference(values: list[float]) -> None:
    got = to_fen(np.asarray(values, dtype=np.float64))
    assert got.tolist() == [reference_fen(Decimal(repr(v))) for v in values]


@given(st.lists(half_fen_amounts(), min_size=1, max_size=30))
def test_floats_near_half_fen_round_as_typed(values: list[Decimal]) -> None:
    floats = np.asarray([float(str(v)) for v in values], dtype=np.float64)
    assert to_fen(floats).tolist() == [reference_fen(v) for v in values]


@given(
    st.lists(
        st.floats(-1e12, 1e12, allow_nan=False, allow_infinity=False),
        max_size=30,
    )
)
def test_arbitrary_floats_match_their_repr(values: list[float]) -> None:
    got = to_fen(pd.Series(values, dtype=np.float64))
    assert got.tolist() == [reference_fen(Decimal(repr(v))) for v in values]


@given(st.lists(amounts(kind="any"), max_size=20))
def test_mixed_representations_match_reference(values: list[Any]) -> None:
    got = to_fen(pd.Series(values, dtype=object))
    expected = [reference_fen(parse_amount(v)) for v in values]
    assert got.tolist() == expected


@given(
    st.lists(st.one_of(amounts(), half_fen_amounts()).map(str), max_size=30),
    st.sampled_from(["str", "object"]),
)
def test_text_columns_fast_and_slow_paths_agree(texts: list[str], dtype: str) -> None:
    """Plain text with <= 2 decimals takes a vectorised path; the rest is parsed exactly."""
    got = to_fen(pd.Series(texts, dtype=dtype))
    assert got.tolist() == [reference_fen(Decimal(t)) for t in texts]


@given(st.lists(amounts(kind="float"), max_size=20), st.randoms())
def test_row_order_independent(values: list[float], rnd: Any) -> None:
    shuffled = list(values)
    rnd.shuffle(shuffled)
    by_value = dict(zip(values, to_fen(values).tolist(), strict=True))
    assert to_fen(shuffled).tolist() == [by_value[v] for v in shuffled]


@given(malformed_amounts(), st.integers(0, 3))
def test_malformed_amounts_raise_input_error(bad: Any, position: int) -> None:
    values: list[Any] = ["1.00"] * 4
    values[position] = bad
    series = pd.Series(values, dtype=object, index=[f"r{i}" for i in range(4)])
    with pytest.raises(InputError) as info:
        to_fen(series, column="amt")
    assert info.value.column == "amt"
    assert info.value.rows == [f"r{position}"]
    assert info.value.rule in {"missing", "numeric", "finite", "range"}
    with pytest.raises(InputError):
        parse_amount(bad)


@given(st.integers(-(10**20), 10**20))
def test_bound_is_exact_for_ints(value: int) -> None:
    if abs(value) <= MAX_ABS_YUAN:
        assert int(to_fen([value])[0]) == value * 100
    else:
        with pytest.raises(InputError) as info:
            to_fen([value])
        assert info.value.rule == "range"


@pytest.mark.slow
def test_twenty_million_floats_are_fast() -> None:
    import time

    values = np.random.default_rng(7).uniform(-1e6, 1e6, 20_000_000).round(2)
    start = time.perf_counter()
    fen = to_fen(values)
    elapsed = time.perf_counter() - start
    assert fen[:1000].tolist() == [reference_fen(Decimal(repr(v))) for v in values[:1000].tolist()]
    assert elapsed < 3.0  # typically ~0.3 s; generous for a shared CI machine
