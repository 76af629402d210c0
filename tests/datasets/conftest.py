"""Shared generated data for the dataset tests (generated once per session)."""

from __future__ import annotations

import pandas as pd
import pytest

from bankcrm.datasets import (
    AccountFrames,
    PartyFrames,
    SyntheticBank,
    generate_accounts,
    generate_parties,
    generate_people,
    generate_records,
    synthetic_bank,
)

#: Large enough for damage rates to be measured within a few points of a per cent.
MODERATE_PEOPLE = 30_000


@pytest.fixture(scope="session")
def small_bank() -> SyntheticBank:
    return synthetic_bank(400, seed=11)


@pytest.fixture(scope="session")
def moderate_people() -> pd.DataFrame:
    return generate_people(MODERATE_PEOPLE, seed=5)


@pytest.fixture(scope="session")
def moderate_records() -> pd.DataFrame:
    return generate_records(MODERATE_PEOPLE, seed=5)


@pytest.fixture(scope="session")
def account_frames() -> AccountFrames:
    return generate_accounts(3_000, seed=9)


@pytest.fixture(scope="session")
def party_frames() -> PartyFrames:
    return generate_parties(120, seed=4)
