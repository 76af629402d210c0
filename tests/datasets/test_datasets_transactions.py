"""Transactions: exact sizes, lean dtypes, heavy tails, reversals."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bankcrm.datasets import generate_transactions
from bankcrm.datasets._transactions import BLOCK_ROWS
from bankcrm.errors import InputError


@pytest.fixture(scope="module")
def transactions() -> pd.DataFrame:
    return generate_transactions(5_000, 200_000, seed=3)


def test_exact_size_lean_dtypes_and_window(transactions: pd.DataFrame) -> None:
    assert len(transactions) == 200_000
    assert list(transactions.columns) == ["customer_id", "date", "amount"]
    assert transactions.dtypes.to_dict() == {
        "customer_id": np.dtype("int64"),
        "date": np.dtype("datetime64[s]"),
        "amount": np.dtype("float64"),
    }
    assert transactions["customer_id"].between(1, 5_000).all()
    assert transactions["date"].min() >= pd.Timestamp("2023-01-01")
    assert transactions["date"].max() <= pd.Timestamp("2025-12-31")
    assert (transactions["date"] == transactions["date"].dt.normalize()).all()


def test_amounts_have_two_decimals_and_are_never_zero(transactions: pd.DataFrame) -> None:
    fen = transactions["amount"].to_numpy() * 100
    assert np.allclose(fen, np.round(fen), atol=1e-6)
    assert (transactions["amount"] != 0).all()


def test_rows_are_ordered_by_customer_and_date(transactions: pd.DataFrame) -> None:
    key = transactions["customer_id"].to_numpy() * 10**6 + (
        transactions["date"].to_numpy().astype("datetime64[D]").astype(np.int64)
    )
    assert (np.diff(key) >= 0).all()


def test_reversals_negate_the_previous_transaction(transactions: pd.DataFrame) -> None:
    amount = transactions["amount"].to_numpy()
    customer = transactions["customer_id"].to_numpy()
    negative = np.flatnonzero(amount < 0)
    assert 0.005 < len(negative) / len(amount) < 0.015  # documented rate 1 %
    assert (negative > 0).all()
    assert (amount[negative] == -amount[negative - 1]).all()
    assert (customer[negative] == customer[negative - 1]).all()


def test_activity_and_amounts_are_heavy_tailed(transactions: pd.DataFrame) -> None:
    counts = transactions.groupby("customer_id").size().sort_values(ascending=False)
    top = counts.head(len(counts) // 100).sum() / counts.sum()
    assert top > 0.08  # the busiest 1 % make far more than 1 % of the transactions
    positive = transactions.loc[transactions["amount"] > 0, "amount"]
    assert positive.mean() > 1.5 * positive.median()


def test_spans_blocks_exactly() -> None:
    tx = generate_transactions(1_000, BLOCK_ROWS + 12_345, seed=1, reversal_rate=0.0)
    assert len(tx) == BLOCK_ROWS + 12_345
    assert (tx["amount"] > 0).all()
    assert (np.diff(tx["customer_id"].to_numpy()) >= 0).all()


def test_same_seed_same_frame_other_seed_other_frame() -> None:
    a = generate_transactions(300, 4_000, seed=8)
    pd.testing.assert_frame_equal(a, generate_transactions(300, 4_000, seed=8))
    assert not a.equals(generate_transactions(300, 4_000, seed=9))


def test_zero_transactions() -> None:
    assert len(generate_transactions(10, 0, seed=1)) == 0
    assert len(generate_transactions(0, 0, seed=1)) == 0


@pytest.mark.parametrize(
    ("args", "kwargs", "column"),
    [
        ((-1, 10), {}, "n_customers"),
        ((10, -1), {}, "n_transactions"),
        ((0, 5), {}, "n_customers"),
        ((10, 10), {"reversal_rate": 1.5}, "reversal_rate"),
        ((10, 10), {"start": dt.date(2025, 1, 2), "end": dt.date(2025, 1, 1)}, "end"),
        ((10, 10), {"seed": "x"}, "seed"),
    ],
)
def test_bad_arguments(args: tuple[int, int], kwargs: dict[str, object], column: str) -> None:
    arguments: dict[str, object] = {"seed": 1, **kwargs}
    with pytest.raises(InputError) as caught:
        generate_transactions(*args, **arguments)  # type: ignore[arg-type]
    assert caught.value.column == column


@settings(max_examples=40)
@given(
    n=st.integers(1, 200),
    rows=st.integers(0, 3_000),
    seed=st.integers(0, 2**32 - 1),
    days=st.integers(0, 800),
)
def test_invariants_for_any_size(n: int, rows: int, seed: int, days: int) -> None:
    start = dt.date(2024, 1, 1)
    end = start + dt.timedelta(days=days)
    tx = generate_transactions(n, rows, seed=seed, start=start, end=end)
    assert len(tx) == rows
    assert tx["customer_id"].between(1, n).all()
    assert tx["date"].between(pd.Timestamp(start), pd.Timestamp(end)).all()
    assert tx.equals(generate_transactions(n, rows, seed=seed, start=start, end=end))
