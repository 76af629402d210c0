"""The bundle: determinism, independence of shapes, settings, and cross-frame consistency."""

from __future__ import annotations

import datetime as dt

import attrs
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bankcrm.datasets import FRAME_NAMES, DamageRates, SyntheticBank, synthetic_bank
from bankcrm.errors import InputError


def _assert_same(a: SyntheticBank, b: SyntheticBank) -> None:
    for name in FRAME_NAMES:
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), obj=name)


def test_same_seed_gives_identical_frames(small_bank: SyntheticBank) -> None:
    _assert_same(small_bank, synthetic_bank(400, seed=11))


def test_other_seed_gives_other_frames(small_bank: SyntheticBank) -> None:
    other = synthetic_bank(400, seed=12)
    for name in ("records", "transactions", "balances", "holdings", "facilities"):
        assert not getattr(small_bank, name).equals(getattr(other, name)), name


def test_shapes_are_independent(small_bank: SyntheticBank) -> None:
    more = synthetic_bank(400, seed=11, n_transactions=123, n_groups=3)
    assert len(more.transactions) == 123
    for name in ("people", "records", "accounts", "balances", "balance_changes", "fx_rates"):
        pd.testing.assert_frame_equal(getattr(more, name), getattr(small_bank, name), obj=name)
    assert not more.holdings.equals(small_bank.holdings)


def test_minority_stakes_reach_the_bank_and_touch_only_holdings(small_bank: SyntheticBank) -> None:
    staked = synthetic_bank(400, seed=11, minority_stakes_per_firm=2.0)
    assert len(staked.holdings) > len(small_bank.holdings)
    for name in FRAME_NAMES:
        if name != "holdings":
            pd.testing.assert_frame_equal(
                getattr(staked, name), getattr(small_bank, name), obj=name
            )


def test_customers_are_the_people(small_bank: SyntheticBank) -> None:
    people = set(small_bank.people["person_id"])
    assert people == set(range(1, 401))
    assert set(small_bank.records["person_id"]) == people
    assert set(small_bank.transactions["customer_id"]) <= people
    assert set(small_bank.accounts["customer_id"]) == people
    assert set(small_bank.balances["account_id"]) <= set(small_bank.accounts["account_id"])


def test_frames_and_settings(small_bank: SyntheticBank) -> None:
    assert tuple(small_bank.frames()) == FRAME_NAMES
    settings_ = small_bank.settings()
    assert settings_["seed"] == 11
    assert settings_["n_customers"] == 400
    assert settings_["damage"] == attrs.asdict(DamageRates())
    assert len(small_bank.transactions) == 20 * 400
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        small_bank.seed = 3  # type: ignore[misc]


def test_progress_is_reported() -> None:
    messages: list[str] = []
    synthetic_bank(20, seed=1, progress=messages.append)
    assert len(messages) == 4
    assert messages[0].startswith("people")


@pytest.mark.parametrize(
    ("kwargs", "column"),
    [
        ({"n_customers": 0}, "n_customers"),
        ({"n_customers": 5, "n_transactions": -2}, "n_transactions"),
        ({"n_customers": 5, "damage": {"homophone": 0.1}}, "damage"),
        ({"n_customers": 5, "start": dt.date(2025, 1, 1), "end": dt.date(2024, 1, 1)}, "end"),
        ({"n_customers": 5, "duplication_rate": 11.0}, "duplication_rate"),
    ],
)
def test_bad_arguments(kwargs: dict[str, object], column: str) -> None:
    with pytest.raises(InputError) as caught:
        synthetic_bank(seed=1, **kwargs)  # type: ignore[arg-type]
    assert caught.value.column == column


@settings(max_examples=10)
@given(n=st.integers(1, 80), seed=st.integers(0, 2**32 - 1))
def test_any_small_bank_is_deterministic_and_consistent(n: int, seed: int) -> None:
    bank = synthetic_bank(n, seed=seed, n_groups=2)
    _assert_same(bank, synthetic_bank(n, seed=seed, n_groups=2))
    assert set(bank.records["person_id"]) == set(range(1, n + 1))
    assert set(bank.groups["party_id"]) == set(bank.parties["party_id"])
