"""FX conversion to RMB fen: latest rate on or before the date, exact half-up, clear errors."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bankcrm.errors import InputError
from bankcrm.money import FxRates, to_rmb_fen
from bankcrm.testing.strategies import fen_values

D = dt.date


def rates_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "currency": ["USD", "usd", "EUR", "JPY"],
            "date": ["2026-01-02", "2026-01-05", "2026-01-01", "2026-01-01"],
            "rate": ["7.1234", 7.13, Decimal("7.8"), "0.048312"],
        }
    )


def reference(fen: int, rate: Decimal) -> int:
    return int((Decimal(fen) * rate).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def test_latest_rate_on_or_before() -> None:
    rates = FxRates.from_frame(rates_frame())
    assert rates.currencies == ("EUR", "JPY", "USD")
    assert rates.rate_on("USD", D(2026, 1, 2)) == Decimal("7.1234")
    assert rates.rate_on("USD", D(2026, 1, 4)) == Decimal("7.1234")  # weekend keeps Friday's
    assert rates.rate_on("USD", D(2026, 1, 5)) == Decimal("7.13")
    assert rates.rate_on("CNY", D(1990, 1, 1)) == 1
    with pytest.raises(InputError) as info:
        rates.rate_on("USD", D(2026, 1, 1))
    assert info.value.rule == "fx_rate"
    with pytest.raises(InputError):
        rates.rate_on("GBP", D(2026, 1, 5))


def test_conversion_pinned() -> None:
    rates = FxRates.from_frame(rates_frame())
    got = to_rmb_fen(
        pd.Series([100, 100, -12_345, 1_000, 7]),
        pd.Series(["USD", "USD", "USD", "JPY", "RMB"]),
        pd.Series(["2026-01-02", "2026-01-05", "2026-01-09", "2026-01-03", "2020-01-01"]),
        rates,
    )
    # 7.1234 → 712.34 → 712; 7.13 → 713; −12345 × 7.13 = −88019.85 → −88020 (away from zero);
    # 1000 × 0.048312 = 48.312 → 48
    assert got.tolist() == [712, 713, -88_020, 48, 7]


def test_single_currency_code_for_all_rows() -> None:
    rates = FxRates.from_frame(rates_frame())
    got = to_rmb_fen([100, 200], "USD", [D(2026, 1, 5), D(2026, 1, 6)], rates)
    assert got.tolist() == [713, 1426]


def test_conversion_errors_name_rows() -> None:
    rates = FxRates.from_frame(rates_frame())
    index = ["a", "b", "c"]
    with pytest.raises(InputError) as missing_currency:
        to_rmb_fen(
            pd.Series([1, 2, 3], index=index), ["USD", "GBP", "GBP"], ["2026-01-05"] * 3, rates
        )
    assert missing_currency.value.rule == "fx_rate"
    assert missing_currency.value.rows == ["b", "c"]
    with pytest.raises(InputError) as too_early:
        to_rmb_fen(pd.Series([1, 2], index=["x", "y"]), "USD", ["2026-01-05", "2025-12-31"], rates)
    assert (too_early.value.rule, too_early.value.rows) == ("fx_rate", ["y"])
    with pytest.raises(InputError) as bad_date:
        to_rmb_fen([1], "USD", ["not a date"], rates)
    assert bad_date.value.column == "date"
    with pytest.raises(InputError) as floats:
        to_rmb_fen([1.5], "USD", ["2026-01-05"], rates)
    assert floats.value.rule == "int"
    with pytest.raises(InputError) as length:
        to_rmb_fen([1, 2], ["USD"], ["2026-01-05", "2026-01-05"], rates)
    assert length.value.rule == "length"
    with pytest.raises(InputError) as overflow:
        to_rmb_fen([10**15], "USD", ["2026-01-05"], rates)
    assert overflow.value.rule == "range"


@pytest.mark.parametrize(
    ("frame", "rule"),
    [
        (rates_frame().assign(rate=["7.1", "abc", "1", "1"]), "numeric"),
        (rates_frame().assign(rate=["7.1", "-1", "1", "1"]), "positive"),
        (
            rates_frame().assign(date=["2026-01-02", "2026-01-02", "2026-01-01", "2026-01-01"]),
            "duplicate_key",
        ),
        (rates_frame().drop(columns="rate"), "required"),
        (rates_frame().assign(date=["x", "2026-01-05", "2026-01-01", "2026-01-01"]), "date"),
    ],
)
def test_bad_rates_tables(frame: pd.DataFrame, rule: str) -> None:
    with pytest.raises(InputError) as info:
        FxRates.from_frame(frame)
    assert info.value.rule == rule


def test_inputs_not_mutated_and_mapping_constructor() -> None:
    frame = rates_frame()
    before = frame.copy()
    FxRates.from_frame(frame)
    pd.testing.assert_frame_equal(frame, before)
    rates = FxRates.from_mapping({"usd": {D(2026, 1, 2): "7.1234"}})
    assert rates.rate_on("USD", D(2026, 2, 1)) == Decimal("7.1234")


rate_values = st.decimals(min_value=Decimal("0.0001"), max_value=Decimal(50), places=6)
long_rates = st.decimals(min_value=Decimal("0.0001"), max_value=Decimal(50), places=15)


@given(
    st.lists(fen_values(min_value=-(10**13), max_value=10**13), min_size=1, max_size=30),
    st.one_of(rate_values, long_rates),
    st.lists(st.integers(0, 40), min_size=1, max_size=30),
)
def test_conversion_matches_decimal_reference(
    fen: list[int], rate: Decimal, offsets: list[int]
) -> None:
    n = min(len(fen), len(offsets))
    fen, offsets = fen[:n], offsets[:n]
    later = rate + Decimal("0.5")
    rates = FxRates.from_mapping({"USD": {D(2026, 1, 1): rate, D(2026, 1, 20): later}})
    days = [D(2026, 1, 1) + dt.timedelta(days=k) for k in offsets]
    got = to_rmb_fen(np.asarray(fen, dtype=np.int64), "USD", days, rates)
    expected = [
        reference(f, rate if d < D(2026, 1, 20) else later) for f, d in zip(fen, days, strict=True)
    ]
    assert got.tolist() == expected


@given(st.lists(fen_values(), max_size=20))
def test_rmb_passes_through(fen: list[int]) -> None:
    rates = FxRates.from_mapping({})
    got = to_rmb_fen(np.asarray(fen, dtype=np.int64), "CNY", ["2026-01-01"] * len(fen), rates)
    assert got.tolist() == fen
