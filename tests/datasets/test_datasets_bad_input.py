"""Bad knobs for the generators and bad places to write give InputErrors naming the argument."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bankcrm.datasets import (
    DAMAGE_KINDS,
    DamageRates,
    SyntheticBank,
    generate_accounts,
    generate_fx_rates,
    generate_parties,
    generate_people,
    generate_records,
    generate_transactions,
    synthetic_bank,
    write_bank,
)
from bankcrm.errors import BankCRMError, InputError


def bad(value: object) -> Any:
    """A deliberately wrong argument (typed Any so the type checker lets the test pass it)."""
    return value


@pytest.mark.parametrize(
    ("call", "column"),
    [
        (lambda: synthetic_bank(5, seed=1, start=bad("2023-01-01x")), "start"),
        (lambda: synthetic_bank(5, seed=1, end=bad(None)), "end"),
        (lambda: synthetic_bank(5, seed=1, as_of=bad(20250101)), "as_of"),
        (lambda: synthetic_bank(5, seed=1, start=bad(pd.NaT)), "start"),
        (lambda: synthetic_bank(5, seed=1, progress=bad(5)), "progress"),
        (lambda: synthetic_bank(5, seed=1, hmt_rate=0.7, foreign_rate=0.7), "foreign_rate"),
        (lambda: generate_people(5, seed=1, hmt_rate=0.6, foreign_rate=0.5), "foreign_rate"),
        (lambda: generate_records(5, seed=1, damage=bad("none")), "damage"),
        (lambda: generate_parties(2, seed=1, start=bad("01/01/2023")), "start"),
        (lambda: generate_parties(2, seed=1, end=bad(None)), "end"),
        (
            lambda: generate_parties(2, seed=1, start=dt.date(2025, 1, 1), end=dt.date(2024, 1, 1)),
            "end",
        ),
        (lambda: generate_transactions(5, 5, seed=1, start=bad("2023-01-01 09:30")), "start"),
        (
            lambda: generate_accounts(5, seed=1, end=bad(pd.Timestamp("2025-12-31", tz="UTC"))),
            "end",
        ),
        (lambda: generate_fx_rates(seed=1, start=bad(None)), "start"),
    ],
)
def test_bad_dates_and_knobs_name_the_argument(call: Callable[[], Any], column: str) -> None:
    with pytest.raises(InputError) as info:
        call()
    assert info.value.column == column


@pytest.mark.parametrize("value", ["abc", None, True, [0.1], float("nan"), -0.1, 1.5])
def test_damage_rates_refuse_anything_but_a_probability(value: Any) -> None:
    """The converter used to run float() first: 'abc' leaked a ValueError, True became 1.0."""
    with pytest.raises(InputError) as info:
        DamageRates(homophone=value)
    assert (info.value.column, info.value.rule) == ("homophone", "rate")


def test_damage_rates_accept_numbers_of_any_kind() -> None:
    rates = DamageRates(homophone=bad(Decimal("0.25")), id_typo=1)
    assert (rates.homophone, rates.id_typo) == (0.25, 1.0)
    none = DamageRates.none()
    assert all(getattr(none, kind) == 0.0 for kind in DAMAGE_KINDS)
    assert all(type(getattr(rates, kind)) is float for kind in DAMAGE_KINDS)


def test_dates_follow_the_one_scalar_date_rule() -> None:
    """ISO text and midnight datetimes are dates; a time of day is refused, never truncated."""
    bank = synthetic_bank(20, seed=3, start=dt.datetime(2024, 1, 1), end="2024-06-30")
    assert (bank.start, bank.end, bank.as_of) == (
        dt.date(2024, 1, 1),
        dt.date(2024, 6, 30),
        dt.date(2024, 6, 30),
    )
    assert type(bank.start) is dt.date
    with pytest.raises(InputError, match="time of day") as info:
        synthetic_bank(20, seed=3, start=dt.datetime(2024, 1, 1, 9, 30))
    assert info.value.column == "start"
    same = synthetic_bank(20, seed=3, start=dt.date(2024, 1, 1), end=dt.date(2024, 6, 30))
    pd.testing.assert_frame_equal(bank.transactions, same.transactions)
    pd.testing.assert_frame_equal(bank.records, same.records)


def test_capital_always_has_a_row_on_the_reporting_date() -> None:
    """Limits are checked on ``end``; a window without a quarter end used to have no capital."""
    short = generate_parties(3, seed=1, start=dt.date(2024, 1, 1), end=dt.date(2024, 1, 2))
    assert short.capital["date"].tolist() == [pd.Timestamp("2024-01-02")]
    mid = generate_parties(3, seed=1, start=dt.date(2024, 1, 1), end=dt.date(2024, 8, 15))
    assert mid.capital["date"].tolist() == [
        pd.Timestamp("2024-03-31"),
        pd.Timestamp("2024-06-30"),
        pd.Timestamp("2024-08-15"),
    ]
    assert mid.capital["net_capital"].is_monotonic_increasing


def test_write_bank_refuses_bad_places(small_bank: SyntheticBank, tmp_path: Path) -> None:
    a_file = tmp_path / "a_file"
    a_file.write_text("x")
    for target in (a_file, a_file / "below", ""):
        with pytest.raises(InputError) as info:
            write_bank(small_bank, target, file_format="csv")
        assert (info.value.column, info.value.rule) == ("out_dir", "path")
    with pytest.raises(InputError) as wrong:
        write_bank(None, tmp_path, file_format="csv")  # type: ignore[arg-type]
    assert wrong.value.column == "bank"
    with pytest.raises(InputError):
        write_bank(small_bank, None, file_format="csv")  # type: ignore[arg-type]
    assert a_file.read_text() == "x"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a_file"]


knobs = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 30),
    st.floats(-2, 12),
    st.text(max_size=3),
    st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2030, 12, 31)),
    st.just(float("nan")),
    st.just(Decimal("0.5")),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(
        [
            "n_transactions",
            "duplication_rate",
            "accounts_per_customer",
            "n_groups",
            "start",
            "end",
            "as_of",
            "hmt_rate",
            "foreign_rate",
            "seed",
        ]
    ),
    knobs,
)
def test_any_single_bad_knob_gives_a_bankcrm_error_or_a_bank(name: str, value: Any) -> None:
    arguments: dict[str, Any] = {"seed": 1, "n_groups": 1, name: value}
    try:
        bank = synthetic_bank(8, **arguments)
    except BankCRMError:
        return
    assert set(bank.records["person_id"]) == set(range(1, 9))
