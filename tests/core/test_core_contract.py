"""The core helpers of the contract (docs/conventions.md), each with the case it fixed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

import bankcrm.money as money
import bankcrm.ratios as ratios
from bankcrm._language import parse_language
from bankcrm._roles import column_names, column_names_by_frame, require_columns
from bankcrm._tables import as_pandas
from bankcrm.errors import InputError, PolicyError, Rule
from bankcrm.frames import Column, FrameSchema, validate_frame
from bankcrm.identity import StandardizePolicy
from bankcrm.policy import load, save
from bankcrm.results import excluded_frame

DECIMAL = pa.decimal128(18, 3)


# ---------------------------------------------------------------- rule 3: inputs
@pytest.mark.parametrize(
    "column",
    [
        pd.Series([Decimal("1.005"), Decimal("-2.5")], dtype=pd.ArrowDtype(DECIMAL)),
        pa.array([Decimal("1.005"), Decimal("-2.5")], DECIMAL),
        pa.chunked_array([[Decimal("1.005")], [Decimal("-2.5")]], DECIMAL),
        pl.Series([Decimal("1.005"), Decimal("-2.5")], dtype=pl.Decimal(18, 3)),
        pd.Series(["1.005", "-2.5"], dtype="string[pyarrow]"),
        pd.Series([1.005, -2.5], dtype=pd.ArrowDtype(pa.float64())),
    ],
    ids=["arrow-decimal", "pa-array", "pa-chunked", "polars-decimal", "string-pyarrow", "arrow-f8"],
)
def test_to_fen_reads_arrow_backed_and_arrow_columns_exactly(column: object) -> None:
    # Today: Arrow decimals were rejected as invalid amounts.
    assert money.to_fen(column).tolist() == [101, -250]  # type: ignore[arg-type]


def test_to_fen_reports_missing_arrow_values_by_position() -> None:
    column = pd.Series([Decimal("1"), None], dtype=pd.ArrowDtype(DECIMAL), index=["a", "b"])
    with pytest.raises(InputError) as info:
        money.to_fen(column, column="balance")
    assert (info.value.rule, info.value.rows, info.value.positions) == ("missing", ["b"], (1,))


@pytest.fixture
def plain() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": ["c1", "c2", None],
            "date": pd.Series(
                [pd.Timestamp("2026-01-04 09:30"), pd.Timestamp("2026-01-05"), pd.NaT]
            ),
            "amount": [Decimal("1.005"), Decimal("2"), Decimal("3")],
            "count": [1, None, 3],
        }
    )


def _arrow(frame: pd.DataFrame) -> pa.Table:
    return pa.table(
        {
            "customer_id": pa.array(frame["customer_id"], pa.string()),
            "date": pa.array(frame["date"], pa.timestamp("us")),
            "amount": pa.array(frame["amount"], DECIMAL),
            "count": pa.array([1, None, 3], pa.int64()),
        }
    )


def test_arrow_pyarrow_and_polars_frames_read_as_the_same_pandas_frame(
    plain: pd.DataFrame,
) -> None:
    table = _arrow(plain)
    for value in (table, pl.from_arrow(table), table.to_pandas(types_mapper=pd.ArrowDtype)):
        frame = as_pandas(value, name="transactions")
        assert frame["customer_id"].tolist()[:2] == ["c1", "c2"]
        assert pd.isna(frame["customer_id"].iloc[2])
        assert frame["amount"].tolist() == [Decimal("1.005"), Decimal("2"), Decimal("3")]
        assert frame["date"].iloc[0] == pd.Timestamp("2026-01-04 09:30")  # a column keeps its time
        assert str(frame["count"].dtype) == "Int64"  # a null never turns integers into floats


def test_a_numpy_backed_frame_passes_through_untouched(plain: pd.DataFrame) -> None:
    assert as_pandas(plain, name="x") is plain


def test_arrow_input_is_never_modified(plain: pd.DataFrame) -> None:
    arrow = _arrow(plain).to_pandas(types_mapper=pd.ArrowDtype)
    before = arrow.dtypes.copy()
    as_pandas(arrow, name="x")
    pd.testing.assert_series_equal(arrow.dtypes, before)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (pl.LazyFrame({"a": [1]}), "polars.lazyframe.frame.LazyFrame"),
        ({"a": [1]}, "dict"),
        (np.zeros((2, 2)), "numpy.ndarray"),
    ],
)
def test_other_objects_are_named_with_their_module(value: object, shown: str) -> None:
    # Today: "expected a pandas DataFrame, got DataFrame" for a polars frame.
    schema = FrameSchema("transactions", [Column("a", "int")])
    with pytest.raises(InputError) as info:
        validate_frame(value, schema)
    assert info.value.rule == "type"
    assert shown in str(info.value)


# ---------------------------------------------------------------- rule 2: column roles
def test_every_missing_column_is_reported_at_once() -> None:
    names = column_names({"customer_id": "cust"}, ("customer_id", "date", "amount"), where="f")
    with pytest.raises(InputError) as info:
        require_columns(pd.DataFrame({"x": [1]}), names, where="transactions")
    message = str(info.value)
    assert info.value.rule == "required"
    for fragment in ("'cust' (role customer_id)", "'date' (role date)", "'amount'", "['x']"):
        assert fragment in message


@pytest.mark.parametrize(
    "columns",
    [
        ["customer_id"],
        {"nope": "x"},
        {"customer_id": "a", "date": "a"},
        {"customer_id": ["a"]},
    ],
)
def test_bad_column_mappings_are_rule_roles(columns: object) -> None:
    with pytest.raises(InputError) as info:
        column_names(columns, ("customer_id", "date"), where="f")
    assert info.value.rule == "roles"


def test_columns_of_several_frames_are_keyed_by_frame_parameter() -> None:
    roles = {"balances": ("account_id", "date"), "fx_rates": ("currency", "date")}
    names = column_names_by_frame({"fx_rates": {"date": "fixing_day"}}, roles, where="f")
    assert names == {
        "balances": {"account_id": "account_id", "date": "date"},
        "fx_rates": {"currency": "currency", "date": "fixing_day"},
    }
    with pytest.raises(InputError) as info:
        column_names_by_frame({"capital": {}}, roles, where="f")
    assert info.value.rule == "roles"


# ---------------------------------------------------------------- rule 5: save / load
def test_a_failed_write_is_a_policy_error_naming_the_path(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("x")
    with pytest.raises(PolicyError, match="cannot write"):
        save(StandardizePolicy(), blocked / "policy.toml")


@pytest.mark.parametrize("suffix", [".json", ".toml"])
def test_policies_round_trip_through_files(tmp_path: Path, suffix: str) -> None:
    policy = StandardizePolicy(strict_ids=True)
    assert load(StandardizePolicy, save(policy, tmp_path / f"p{suffix}")) == policy


# ---------------------------------------------------------------- rule 6: results
@given(st.lists(st.integers(0, 9), unique=True, max_size=10))
def test_excluded_rows_keep_position_reason_and_keys(positions: list[int]) -> None:
    rows = pd.DataFrame({"customer_id": [f"c{i}" for i in range(10)], "x": range(10)})
    out = excluded_frame(rows, positions, ["r"] * len(positions), keys=["customer_id"])
    assert out["position"].tolist() == sorted(positions)
    assert out["customer_id"].tolist() == [f"c{p}" for p in sorted(positions)]
    assert out.index.tolist() == sorted(positions)


# ---------------------------------------------------------------- rule 7: rule codes
def test_rule_codes_are_one_enum() -> None:
    err = InputError("bad", column="c", rule="missing")
    assert err.rule is Rule.MISSING
    with pytest.raises(PolicyError, match="unknown rule code"):
        InputError("bad", rule="not_null")  # the synonym is gone


# ---------------------------------------------------------------- rule 9: language
@pytest.mark.parametrize("code", ["zh", "ZH", "zh-CN", "zh_cn", "zh-Hans", "cn", " Cn "])
def test_chinese_language_codes(code: str) -> None:
    assert parse_language(code) == "zh"


@pytest.mark.parametrize("code", ["fr", "", None, "chinese", 1])
def test_other_language_codes_are_errors(code: object) -> None:
    with pytest.raises(InputError) as info:
        parse_language(code)
    assert info.value.rule == "language"


# ---------------------------------------------------------------- rule 10: exact comparisons
def test_ratios_live_in_bankcrm_ratios_and_money_re_exports_them() -> None:
    for name in ratios.__all__:
        assert getattr(money, name) is getattr(ratios, name)
    assert ratios.Threshold("15%", "不得超过").holds(150, 1_000)


def test_scalar_dates_accept_the_date_like_forms() -> None:
    from bankcrm.calendar import as_date

    day = dt.date(2026, 6, 30)
    assert {as_date(v) for v in ("2026-06-30", pd.Timestamp(day), np.datetime64(day))} == {day}
