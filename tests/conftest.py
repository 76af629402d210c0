"""Shared pytest configuration: Hypothesis profiles, and fixtures several test files use.

``dev`` (default) keeps runs quick. ``ci`` (selected when the ``CI`` variable is set, as the
Makefile's ``test`` target and so ``.ci/run`` do) is deterministic: ``derandomize`` draws the
same examples on every run and the example database is off, so a CI run fails or passes the
same way twice; it drops the per-example deadline because the CI machine is shared and noisy,
and prints reproduction blobs.
"""

from __future__ import annotations

import datetime as dt
import os

import pytest
from hypothesis import HealthCheck, settings

from bankcrm.money import FxRates

settings.register_profile("dev", max_examples=100, deadline=None)
settings.register_profile(
    "ci",
    max_examples=100,
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("ci" if os.environ.get("CI") else os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture(scope="session")
def usd_rates() -> FxRates:
    """One USD fixing, RMB 7.1234 on Friday 2026-01-02 (it covers the days after)."""
    return FxRates.from_mapping({"USD": {dt.date(2026, 1, 2): "7.1234"}})
