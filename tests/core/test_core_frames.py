"""Frame validation: canonical dtypes, one error style, masked PII, nothing leaks or mutates."""

from __future__ import annotations

import contextlib
import datetime as dt
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bankcrm.errors import InputError, PolicyError
from bankcrm.frames import Column, ColumnKind, FrameSchema, validate_frame
from bankcrm.testing.strategies import MalformedFrame, frames_for, malformed_frames_for

CUSTOMERS = FrameSchema(
    "customers",
    [
        Column("id_number", "str", pii="id"),
        Column("phone", "str", pii="phone", nullable=True),
        Column("birth_date", "date", min_value=dt.date(1900, 1, 1), max_value=dt.date(2026, 1, 1)),
        Column("balance", "money", min_value=0),
        Column("equity_share", "share", required=False),
        Column("gender", "category", domain={"M", "F"}),
        Column("vip", "bool", nullable=True),
        Column("visits", "int", min_value=0, max_value=10_000),
        Column("score", "float", nullable=True),
        Column("updated_at", "datetime", required=False),
    ],
    key=("id_number",),
    unique_key=True,
)

TRANSACTIONS = FrameSchema(
    "transactions",
    [
        Column("customer_id", "str"),
        Column("date", "date"),
        Column("amount", "money"),
        Column("channel", "str", domain={"counter", "online", "mobile"}, nullable=True),
    ],
    key=("customer_id", "date"),
    unique_key=True,
    allow_extra=False,
)

STRICT = FrameSchema(
    "strict",
    [
        Column("n", "int", coerce=False),
        Column("fen", "money", coerce=False, nullable=True),
        Column("when", "date", coerce=False),
        Column("name", "str", coerce=False, pii="name"),
        Column("flag", "bool", coerce=False),
    ],
)

PEOPLE = FrameSchema(
    "people",
    [
        Column("id_number", "str", pii="id"),
        Column("phone", "str", pii="phone", domain={"13800138000"}),
        Column("since", "date"),
    ],
    key=("id_number", "phone"),
    unique_key=True,
    allow_extra=False,
)

SCHEMAS = [CUSTOMERS, TRANSACTIONS, STRICT, PEOPLE]

CANONICAL = {
    ColumnKind.INT: {"int64", "Int64"},
    ColumnKind.FLOAT: {"float64"},
    ColumnKind.STR: {"str"},
    ColumnKind.CATEGORY: {"category"},
    ColumnKind.BOOL: {"bool", "boolean"},
    ColumnKind.DATE: {"datetime64[us]"},
    ColumnKind.DATETIME: {"datetime64[us]"},
    ColumnKind.MONEY: {"int64", "Int64"},
    ColumnKind.SHARE: {"int64", "Int64"},
}


def good_customers() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id_number": ["11010519491231002X", "110105194912310029", "44030419800101001X"],
            "phone": ["13800138000", None, "+86 139 0000 1111"],
            "birth_date": ["1949-12-31", dt.date(1949, 12, 31), "1980/1/1"],
            "balance": [1.005, "2,000.10", Decimal("0")],
            "equity_share": ["35%", 0.5, Decimal("1")],
            "gender": ["M", "F", "M"],
            "vip": ["yes", None, True],
            "visits": [1.0, "2", 3],
            "score": [1.5, None, 2],
            "updated_at": ["2026-01-04 10:00:00", pd.Timestamp("2026-01-05"), "2026-01-06T08:30"],
            "note": ["kept", "as", "is"],
        },
        index=["a", "b", "c"],
    )


# ----------------------------------------------------------------------------- pinned examples


def test_valid_frame_is_coerced_to_canonical_dtypes() -> None:
    frame = good_customers()
    out = validate_frame(frame, CUSTOMERS)
    assert list(out.columns) == list(frame.columns)
    assert list(out.index) == ["a", "b", "c"]
    assert out["balance"].tolist() == [101, 200010, 0]
    assert out["equity_share"].tolist() == [350_000, 500_000, 1_000_000]
    assert out["birth_date"].tolist() == [pd.Timestamp("1949-12-31")] * 2 + [
        pd.Timestamp("1980-01-01")
    ]
    assert out["vip"].tolist() == [True, pd.NA, True]
    assert out["visits"].tolist() == [1, 2, 3]
    assert out["updated_at"].iloc[2] == pd.Timestamp("2026-01-06 08:30")
    assert out["note"].tolist() == ["kept", "as", "is"]
    for column in CUSTOMERS.columns:
        assert str(out[column.name].dtype) in CANONICAL[column.kind], column.name
    assert list(out["gender"].cat.categories) == ["F", "M"]


def test_input_frame_is_never_mutated() -> None:
    frame = good_customers()
    before = frame.copy(deep=True)
    out = validate_frame(frame, CUSTOMERS)
    out.loc["a", "note"] = "changed"
    pd.testing.assert_frame_equal(frame, before)


def test_optional_columns_are_not_added() -> None:
    out = validate_frame(good_customers().drop(columns=["equity_share"]), CUSTOMERS)
    assert "equity_share" not in out.columns


def test_missing_columns_listed_with_available() -> None:
    with pytest.raises(InputError) as info:
        validate_frame(good_customers().drop(columns=["balance", "gender"]), CUSTOMERS)
    message = str(info.value)
    assert info.value.rule == "required"
    assert "['balance', 'gender']" in message
    assert "available" in message
    assert "'id_number'" in message


def test_error_names_column_rule_rows_and_masks_ids() -> None:
    frame = good_customers()
    frame["id_number"] = ["11010519491231002X", "11010519491231002X", "44030419800101001X"]
    with pytest.raises(InputError) as info:
        validate_frame(frame, CUSTOMERS)
    err = info.value
    assert (err.column, err.rule, err.rows) == ("id_number", "duplicate_key", ["a", "b"])
    assert "11010519491231002X" not in str(err)
    assert "110105********002X" in str(err)


def test_phone_values_are_masked() -> None:
    schema = FrameSchema("p", [Column("phone", "str", pii="phone", domain={"x"})])
    with pytest.raises(InputError) as info:
        validate_frame(pd.DataFrame({"phone": ["13800138000"]}), schema)
    assert "13800138000" not in str(info.value)
    assert "*******8000" in str(info.value)


def test_unlabelled_ids_in_free_text_columns_are_scrubbed() -> None:
    schema = FrameSchema("t", [Column("amount", "money")])
    with pytest.raises(InputError) as info:
        validate_frame(pd.DataFrame({"amount": ["11010519491231002X"]}), schema)
    assert "11010519491231002X" not in str(info.value)


def test_name_pii_is_never_shown() -> None:
    schema = FrameSchema("t", [Column("name", "str", pii="name", domain={"x"})])
    with pytest.raises(InputError) as info:
        validate_frame(pd.DataFrame({"name": ["王小明"]}), schema)
    assert "王小明" not in str(info.value)


@pytest.mark.parametrize(
    ("column", "values", "rule", "rows"),
    [
        ("birth_date", ["1949-12-31", "1949-02-30", "x"], "date", ["b", "c"]),
        ("birth_date", ["1949-12-31", "1899-12-31", "1950-01-01"], "range", ["b"]),
        ("balance", [1, "1.2.3", 3], "numeric", ["b"]),
        ("balance", [1, -0.01, 3], "range", ["b"]),
        ("balance", [1, None, 3], "missing", ["b"]),
        ("balance", [1, "  ", 3], "missing", ["b"]),
        ("balance", [1, np.inf, 3], "finite", ["b"]),
        ("gender", ["M", "X", "F"], "domain", ["b"]),
        ("vip", ["maybe", None, True], "bool", ["a"]),
        ("visits", [1, 2.5, 3], "int", ["b"]),
        ("visits", [1, 2, 10_001], "range", ["c"]),
        ("score", [1.0, "high", 3], "numeric", ["b"]),
        ("equity_share", [0.5, "120%", 0.1], "range", ["b"]),
        ("equity_share", [0.5, 1 / 3, 0.1], "precision", ["b"]),
        ("id_number", [["list"], "110105194912310029", "44030419800101001X"], "not_text", ["a"]),
        ("updated_at", ["2026-01-04", "soon", "2026-01-05"], "datetime", ["b"]),
    ],
)
def test_value_errors(column: str, values: list[Any], rule: str, rows: list[str]) -> None:
    frame = good_customers()
    frame[column] = pd.Series(values, index=frame.index, dtype=object)
    with pytest.raises(InputError) as info:
        validate_frame(frame, CUSTOMERS)
    assert (info.value.column, info.value.rule, info.value.rows) == (column, rule, rows)
    assert str(info.value).startswith(f"column '{column}': customers:")


def test_dates_with_time_or_zone_are_rejected() -> None:
    frame = good_customers()
    frame["birth_date"] = pd.to_datetime(
        ["1949-12-31 10:00", "1950-01-01 00:00", "1950-01-02 00:00"]
    )
    with pytest.raises(InputError) as info:
        validate_frame(frame, CUSTOMERS)
    assert (info.value.rule, info.value.rows) == ("date", ["a"])
    frame["birth_date"] = pd.to_datetime(["1949-12-31"] * 3).tz_localize("Asia/Shanghai")
    with pytest.raises(InputError) as zone:
        validate_frame(frame, CUSTOMERS)
    assert zone.value.rule == "timezone"


def test_date_formats_accepted() -> None:
    schema = FrameSchema("d", [Column("d", "date")])
    frame = pd.DataFrame(
        {"d": ["2026-01-04", "2026/1/4", "2026.01.04", "2026年1月4日", "20260104", 20260104]}
    )
    out = validate_frame(frame, schema)
    assert set(out["d"]) == {pd.Timestamp("2026-01-04")}


def test_many_distinct_iso_dates_take_the_vectorised_path_consistently() -> None:
    days = pd.date_range("2000-01-01", periods=3000, freq="D")
    texts = [d.strftime("%Y-%m-%d") for d in days] + ["2026/1/4", "2026-1-4"]
    schema = FrameSchema("d", [Column("d", "date")])
    out = validate_frame(pd.DataFrame({"d": texts}), schema)
    assert out["d"].iloc[:3000].tolist() == list(days)
    assert out["d"].iloc[3000] == out["d"].iloc[3001] == pd.Timestamp("2026-01-04")
    with pytest.raises(InputError) as info:
        validate_frame(pd.DataFrame({"d": [*texts, "2026"]}), schema)
    assert info.value.rows == [3002]


def test_strict_columns_require_canonical_dtypes() -> None:
    frame = pd.DataFrame(
        {
            "n": np.array([1, 2], dtype=np.int64),
            "fen": pd.Series([100, None], dtype="Int64"),
            "when": pd.to_datetime(["2026-01-01", "2026-01-02"]).astype("datetime64[us]"),
            "name": pd.Series(["a", "b"], dtype="str"),
            "flag": [True, False],
        }
    )
    out = validate_frame(frame, STRICT)
    assert out["fen"].tolist() == [100, pd.NA]
    with pytest.raises(InputError) as info:
        validate_frame(frame.assign(n=["1", "2"]), STRICT)
    assert (info.value.column, info.value.rule) == ("n", "dtype")


@pytest.mark.parametrize(
    ("frame", "rule"),
    [
        ([{"a": 1}], "type"),
        (None, "type"),
        (pd.Series([1]), "type"),
        (
            pd.DataFrame([[1, 2]], columns=pd.MultiIndex.from_tuples([("a", "b"), ("c", "d")])),
            "columns",
        ),
        (pd.DataFrame([[1, 2]], columns=["customer_id", "customer_id"]), "duplicate_columns"),
        (pd.DataFrame(), "required"),
        (pd.DataFrame({0: [1]}), "required"),
    ],
)
def test_structural_errors(frame: Any, rule: str) -> None:
    with pytest.raises(InputError) as info:
        validate_frame(frame, TRANSACTIONS)
    assert info.value.rule == rule


def test_extra_columns_and_multi_column_keys() -> None:
    frame = pd.DataFrame(
        {
            "customer_id": ["c1", "c1", "c2"],
            "date": ["2026-01-04", "2026-01-05", "2026-01-04"],
            "amount": [1, 2, 3],
            "channel": ["online", None, "mobile"],
        }
    )
    assert len(validate_frame(frame, TRANSACTIONS)) == 3
    with pytest.raises(InputError) as extra:
        validate_frame(frame.assign(other=1), TRANSACTIONS)
    assert extra.value.rule == "extra_columns"
    duplicated = frame.assign(date=["2026-01-04", "2026/1/4", "2026-01-04"])
    with pytest.raises(InputError) as dup:
        validate_frame(duplicated, TRANSACTIONS)
    assert (dup.value.rule, dup.value.rows) == ("duplicate_key", [0, 1])


def test_empty_frame_with_columns_is_valid() -> None:
    frame = pd.DataFrame({c: pd.Series([], dtype=object) for c in TRANSACTIONS.names})
    out = validate_frame(frame, TRANSACTIONS)
    assert len(out) == 0
    assert str(out["amount"].dtype) == "int64"


def test_duplicate_index_labels_are_fine() -> None:
    frame = pd.DataFrame(
        {
            "customer_id": ["a", "b"],
            "date": ["2026-01-01"] * 2,
            "amount": ["1", "x"],
            "channel": [None, None],
        },
        index=[7, 7],
    )
    with pytest.raises(InputError) as info:
        validate_frame(frame, TRANSACTIONS)
    assert info.value.rows == [7]
    out = validate_frame(frame.assign(amount=[1, 2]), TRANSACTIONS)
    assert out["amount"].tolist() == [100, 200]


def test_schema_definition_errors() -> None:
    with pytest.raises(PolicyError):
        Column("x", "decimal")
    with pytest.raises(PolicyError):
        Column("x", "str", pii="secret")
    with pytest.raises(PolicyError):
        Column("x", "str", domain="abc")
    with pytest.raises(PolicyError):
        FrameSchema("s", [Column("x", "str"), Column("x", "int")])
    with pytest.raises(PolicyError):
        FrameSchema("s", [Column("x", "str")], key=("y",))
    with pytest.raises(PolicyError):
        FrameSchema("s", [Column("x", "str")], unique_key=True)
    with pytest.raises(PolicyError):
        validate_frame(pd.DataFrame(), "not a schema")  # type: ignore[arg-type]
    assert CUSTOMERS.column("gender").kind is ColumnKind.CATEGORY
    with pytest.raises(KeyError):
        CUSTOMERS.column("nope")


# ----------------------------------------------------------------------------- properties


@settings(suppress_health_check=[HealthCheck.too_slow], max_examples=60)
@given(st.sampled_from(SCHEMAS).flatmap(lambda s: st.tuples(st.just(s), frames_for(s))))
def test_valid_frames_pass_unmutated(case: tuple[FrameSchema, pd.DataFrame]) -> None:
    schema, frame = case
    before = frame.copy(deep=True)
    out = validate_frame(frame, schema)
    pd.testing.assert_frame_equal(frame, before)
    assert len(out) == len(frame)
    assert list(out.index) == list(frame.index)
    for column in schema.columns:
        if column.name in out.columns:
            assert str(out[column.name].dtype) in CANONICAL[column.kind]


@settings(suppress_health_check=[HealthCheck.too_slow], max_examples=60)
@given(st.sampled_from(SCHEMAS).flatmap(lambda s: st.tuples(st.just(s), frames_for(s))))
def test_validation_is_idempotent_on_values(case: tuple[FrameSchema, pd.DataFrame]) -> None:
    """Validating canonical output again gives the same frame (money stays in fen via int)."""
    schema, frame = case
    once = validate_frame(frame, schema)
    strict = FrameSchema(
        schema.name,
        [
            Column(c.name, c.kind, required=c.required, nullable=c.nullable, coerce=False)
            if c.kind in (ColumnKind.MONEY, ColumnKind.SHARE)
            else c
            for c in schema.columns
        ],
        key=schema.key,
        unique_key=schema.unique_key,
        allow_extra=schema.allow_extra,
    )
    pd.testing.assert_frame_equal(validate_frame(once, strict), once)


def pii_values(schema: FrameSchema, frame: Any) -> list[str]:
    """The raw id and phone strings a malformed frame carries (they must never show)."""
    if not isinstance(frame, pd.DataFrame) or isinstance(frame.columns, pd.MultiIndex):
        return []
    found = []
    for column in schema.columns:
        if column.pii in ("id", "phone") and column.name in frame.columns:
            values = frame.loc[:, [column.name]].to_numpy().ravel().tolist()
            found += [v for v in values if isinstance(v, str) and len(v) >= 11]
    return found


@settings(suppress_health_check=[HealthCheck.too_slow], max_examples=150)
@given(st.sampled_from(SCHEMAS).flatmap(lambda s: st.tuples(st.just(s), malformed_frames_for(s))))
def test_malformed_frames_raise_input_error_with_masked_pii(
    case: tuple[FrameSchema, MalformedFrame],
) -> None:
    schema, bad = case
    with pytest.raises(InputError) as info:
        validate_frame(bad.frame, schema)
    err = info.value
    assert err.rule == bad.rule
    if bad.column is not None:
        assert err.column == bad.column
    for value in pii_values(schema, bad.frame):
        assert value not in str(err)


junk_values = st.one_of(
    st.none(),
    st.integers(),
    st.floats(),
    st.text(max_size=6),
    st.booleans(),
    st.decimals(),
    st.dates(),
    st.datetimes(),
    st.just([1]),
    st.just({"k": "v"}),
    st.just(object()),
    st.binary(max_size=3),
    st.just(pd.NaT),
    st.just(pd.NA),
    st.just(complex(1, 2)),
)


@settings(suppress_health_check=[HealthCheck.too_slow], max_examples=200)
@given(
    st.sampled_from(SCHEMAS),
    st.lists(st.lists(junk_values, min_size=5, max_size=5), max_size=4),
    st.booleans(),
)
def test_any_junk_frame_gives_input_error_or_passes(
    schema: FrameSchema, rows: list[list[Any]], categorical: bool
) -> None:
    names = list(schema.names)[:5] + ["extra"] * max(0, 5 - len(schema.names))
    names = [n if names.count(n) == 1 else f"{n}{i}" for i, n in enumerate(names)]
    frame = pd.DataFrame(rows, columns=names, dtype=object) if rows else pd.DataFrame(columns=names)
    if categorical and rows:
        with contextlib.suppress(TypeError, ValueError):
            frame = frame.astype("category")
    with contextlib.suppress(InputError):
        validate_frame(frame, schema)


@pytest.mark.slow
def test_a_million_rows_validate_quickly() -> None:
    import time

    n = 1_000_000
    rng = np.random.default_rng(3)
    frame = pd.DataFrame(
        {
            "customer_id": pd.Series([f"c{i}" for i in rng.integers(0, 100_000, n)], dtype="str"),
            "date": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 900, n), "D"),
            "amount": rng.uniform(-1e5, 1e5, n).round(2),
            "channel": rng.choice(["counter", "online", "mobile"], n),
        }
    )
    schema = FrameSchema("transactions", list(TRANSACTIONS.columns), key=("customer_id", "date"))
    start = time.perf_counter()
    out = validate_frame(frame, schema)
    elapsed = time.perf_counter() - start
    assert len(out) == n
    assert elapsed < 10.0  # typically ~1–2 s on a shared 2-core machine
