"""identity keeps the library's contract (docs/conventions.md): dates, roles, inputs, policies,
bad input and import cost. Each test here failed on the code before issue 8."""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import statistics
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from bankcrm.datasets import synthetic_bank
from bankcrm.errors import InputError, Rule
from bankcrm.identity import (
    DEFAULT_STANDARDIZE_POLICY,
    Reason,
    StandardizePolicy,
    address_frame,
    check_fields,
    cross_check,
    detect_id_type,
    explain_id,
    explain_mobile,
    explain_ric,
    explain_uscc,
    is_valid_fpr,
    is_valid_hmt_permit,
    is_valid_id,
    is_valid_mobile,
    is_valid_ric,
    is_valid_uscc,
    name_frame,
    name_keys_column,
    normalize_addresses,
    normalize_id,
    normalize_mobile,
    normalize_names,
    normalize_ric,
    normalize_uscc,
    standardize,
    validate_fpr,
    validate_hk_macau_travel,
    validate_hmt_permit,
    validate_id,
    validate_mobile,
    validate_passport,
    validate_ric,
    validate_taiwan_travel,
    validate_uscc,
)
from bankcrm.identity.standardize import OUTPUT_COLUMNS
from bankcrm.policy import Policy, read_provenance

pl = pytest.importorskip("polars")

AS_OF = dt.date(2026, 6, 30)
RIC = "11010519491231002X"


@functools.cache
def _records() -> pd.DataFrame:
    return synthetic_bank(500, seed=1).records


def records() -> pd.DataFrame:
    return _records().copy()


def _outputs(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame[list(OUTPUT_COLUMNS)].reset_index(drop=True)
    out.columns = pd.Index(list(OUTPUT_COLUMNS), dtype=object)
    return out


# --------------------------------------------------------------------------------------------
# rule 1: scalar dates


@pytest.mark.parametrize(
    "as_of",
    [
        "2026-06-30",
        pd.Timestamp("2026-06-30"),
        dt.datetime(2026, 6, 30),
        np.datetime64("2026-06-30"),
        "2026-06-30T00:00:00",
    ],
)
def test_standardize_takes_any_form_of_a_date(as_of: object) -> None:
    data = records().iloc[:60]
    expected = standardize(data, as_of=AS_OF)
    got = standardize(data, as_of=as_of)  # type: ignore[arg-type]
    pd.testing.assert_frame_equal(got, expected)
    assert read_provenance(got)[0].as_of == AS_OF


@pytest.mark.parametrize(
    ("as_of", "rule", "words"),
    [
        ("2026-06-30 09:30", Rule.DATE, "time of day"),
        (pd.Timestamp("2026-06-30 09:30"), Rule.DATE, "time of day"),
        (dt.datetime(2026, 6, 30, 0, 0, 1), Rule.DATE, "time of day"),
        (pd.Timestamp("2026-06-30", tz="Asia/Shanghai"), Rule.TIMEZONE, "time-zone"),
        (pd.NaT, Rule.DATE, "NaT"),
        (20260630, Rule.DATE, "not a date"),
    ],
)
def test_standardize_refuses_a_time_of_day_or_a_zone(as_of: object, rule: Rule, words: str) -> None:
    with pytest.raises(InputError, match=words) as info:
        standardize(records().iloc[:5], as_of=as_of)  # type: ignore[arg-type]
    assert (info.value.column, info.value.rule) == ("as_of", rule)


HMT = "810000199408230021"
USCC = "91350100M000100Y43"

# Every scalar function of identity that takes ``as_of``.
SCALAR: dict[str, Callable[[object], object]] = {
    "validate_ric": lambda d: validate_ric(RIC, as_of=d),
    "is_valid_ric": lambda d: is_valid_ric(RIC, as_of=d),
    "explain_ric": lambda d: explain_ric(RIC, as_of=d),
    "normalize_ric": lambda d: normalize_ric(RIC, as_of=d),
    "validate_id": lambda d: validate_id("RIC", RIC, as_of=d),
    "is_valid_id": lambda d: is_valid_id("RIC", RIC, as_of=d),
    "is_valid_id (unknown type)": lambda d: is_valid_id("SSN", RIC, as_of=d),
    "explain_id": lambda d: explain_id("RIC", RIC, as_of=d),
    "explain_id (unknown type)": lambda d: explain_id("SSN", RIC, as_of=d),
    "normalize_id": lambda d: normalize_id("RIC", RIC, as_of=d),
    "detect_id_type": lambda d: detect_id_type(RIC, as_of=d),
    "cross_check": lambda d: cross_check("RIC", RIC, "1949-12-31", "F", as_of=d),
    "cross_check (unknown type)": lambda d: cross_check("SSN", RIC, None, None, as_of=d),
    "validate_hmt_permit": lambda d: validate_hmt_permit(HMT, as_of=d),
    "is_valid_hmt_permit": lambda d: is_valid_hmt_permit(HMT, as_of=d),
    "validate_fpr": lambda d: validate_fpr("KAZ110090123105", as_of=d),
    "is_valid_fpr": lambda d: is_valid_fpr("KAZ110090123105", as_of=d),
    "validate_uscc": lambda d: validate_uscc(USCC, as_of=d),
    "is_valid_uscc": lambda d: is_valid_uscc(USCC, as_of=d),
    "explain_uscc": lambda d: explain_uscc(USCC, as_of=d),
    "normalize_uscc": lambda d: normalize_uscc(USCC, as_of=d),
    "validate_mobile": lambda d: validate_mobile("13800138000", as_of=d),
    "is_valid_mobile": lambda d: is_valid_mobile("13800138000", as_of=d),
    "explain_mobile": lambda d: explain_mobile("13800138000", as_of=d),
    "normalize_mobile": lambda d: normalize_mobile("13800138000", as_of=d),
    "validate_passport": lambda d: validate_passport("E12345678", as_of=d),
    "validate_hk_macau_travel": lambda d: validate_hk_macau_travel("H12345678", as_of=d),
    "validate_taiwan_travel": lambda d: validate_taiwan_travel("12345678", as_of=d),
}


@pytest.mark.parametrize("name", sorted(SCALAR))
def test_every_scalar_as_of_is_a_strict_date(name: str) -> None:
    call = SCALAR[name]
    expected = call(AS_OF)
    for same in ("2026-06-30", pd.Timestamp("2026-06-30"), dt.datetime(2026, 6, 30)):
        assert call(same) == expected
    with pytest.raises(InputError, match="time of day") as info:
        call("2026-06-30 09:30")
    assert (info.value.column, info.value.rule) == ("as_of", Rule.DATE)
    with pytest.raises(InputError) as info:
        call(pd.Timestamp("2026-06-30", tz="UTC"))
    assert (info.value.column, info.value.rule) == ("as_of", Rule.TIMEZONE)


def test_as_of_none_means_no_date_check_not_today() -> None:
    body = "110105" + "20900101" + "001"  # born in 2090
    from bankcrm.identity.checksums import ric_check_char

    number = body + ric_check_char(body)
    assert is_valid_ric(number)  # no as_of: no future-birth-date check, no clock read
    assert explain_ric(number, as_of=AS_OF)[0].reason is Reason.FUTURE_BIRTH_DATE


# --------------------------------------------------------------------------------------------
# rule 2: column roles


def test_every_missing_column_is_reported_in_one_error() -> None:
    data = records().drop(columns=["address", "birth_date", "gender"])
    with pytest.raises(InputError) as info:
        standardize(data, as_of=AS_OF)
    error = info.value
    assert error.rule is Rule.REQUIRED
    message = str(error)
    for missing in ("address", "birth_date", "gender"):
        assert f"'{missing}' (role {missing})" in message
    assert "available:" in message
    assert "'id_number'" in message
    assert error.column == "birth_date"  # the first missing role, in role order


def test_renamed_missing_columns_are_reported_by_their_names_and_roles() -> None:
    data = records().rename(columns={"id_number": "cert_no"}).drop(columns=["phone"])
    with pytest.raises(InputError) as info:
        standardize(data, as_of=AS_OF, columns={"id_number": "cert_no", "phone": "mobile"})
    assert info.value.rule is Rule.REQUIRED
    assert "'mobile' (role phone)" in str(info.value)
    assert "cert_no" not in str(info.value).split("available")[0]


@pytest.mark.parametrize(
    "columns", [["id_number"], {"id_number": None}, {"id_number": "phone"}, {"idnumber": "x"}]
)
def test_bad_column_mappings_are_rule_roles(columns: object) -> None:
    with pytest.raises(InputError) as info:
        standardize(records().iloc[:3], as_of=AS_OF, columns=columns)  # type: ignore[arg-type]
    assert (info.value.column, info.value.rule) == ("columns", Rule.ROLES)


# --------------------------------------------------------------------------------------------
# rule 3: inputs

TEXT = ["source_system", "source_id", "name", "name_latin", "gender"]
TEXT += ["id_type", "id_number", "phone", "address", "damage"]


def _string_pyarrow(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.astype(dict.fromkeys(TEXT, "string[pyarrow]"))


def _arrow_dtypes(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.astype(dict.fromkeys(TEXT, pd.ArrowDtype(pa.string())))
    for column in ("birth_date", "updated_at"):
        out[column] = frame[column].astype(pd.ArrowDtype(pa.timestamp("us")))
    return out


def _arrow_date32(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    days = pa.array(frame["birth_date"], from_pandas=True).cast(pa.date32())
    assert days.null_count == frame["birth_date"].isna().sum() > 0
    out["birth_date"] = pd.Series(days.to_pandas(types_mapper=pd.ArrowDtype), index=frame.index)
    return out


def _large_string(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.astype(dict.fromkeys(TEXT, pd.ArrowDtype(pa.large_string())))


def _pyarrow(frame: pd.DataFrame) -> Any:
    return pa.Table.from_pandas(frame, preserve_index=False)


def _polars(frame: pd.DataFrame) -> Any:
    return pl.from_arrow(_pyarrow(frame))


FORMS: dict[str, Callable[[pd.DataFrame], Any]] = {
    "string[pyarrow]": _string_pyarrow,
    "ArrowDtype string + timestamps": _arrow_dtypes,
    "ArrowDtype large_string": _large_string,
    "Arrow date32 birth dates": _arrow_date32,
    "pyarrow Table": _pyarrow,
    "polars DataFrame": _polars,
}


@pytest.mark.parametrize("form", sorted(FORMS))
def test_arrow_pyarrow_and_polars_records_give_the_plain_answer(form: str) -> None:
    data = records()
    expected = standardize(data, as_of=AS_OF)
    given = FORMS[form](data)
    got = standardize(given, as_of=AS_OF)
    pd.testing.assert_frame_equal(_outputs(got), _outputs(expected))
    assert len(got) == len(data)
    # Datetime columns keep their time of day.
    stamps = pd.to_datetime(pd.Series(got["updated_at"].tolist()))
    assert stamps.tolist() == data["updated_at"].tolist()
    assert (stamps.dt.time != dt.time()).any()
    if isinstance(given, pd.DataFrame):  # the caller's columns come back as they were
        pd.testing.assert_frame_equal(got[list(data.columns)], given)
    assert read_provenance(got)[0].policy_name == DEFAULT_STANDARDIZE_POLICY.name


def test_polars_categories_and_dates_give_the_plain_answer() -> None:
    data = records()
    frame = _polars(data).with_columns(
        pl.col("id_type").cast(pl.Categorical),
        pl.col("gender").cast(pl.Categorical),
        pl.col("birth_date").cast(pl.Date),
    )
    got = standardize(frame, as_of=AS_OF)
    pd.testing.assert_frame_equal(_outputs(got), _outputs(standardize(data, as_of=AS_OF)))
    assert isinstance(got["id_type"].dtype, pd.CategoricalDtype)  # the table as read


def test_a_lazy_polars_frame_is_refused_naming_its_module() -> None:
    with pytest.raises(InputError, match=r"polars\.lazyframe") as info:
        standardize(_polars(records()).lazy(), as_of=AS_OF)
    assert (info.value.column, info.value.rule) == ("records", Rule.TYPE)


SERIES_FUNCTIONS: dict[str, Callable[[Any], Any]] = {
    "normalize_names": normalize_names,
    "name_frame": name_frame,
    "name_keys_column": name_keys_column,
    "normalize_addresses": normalize_addresses,
    "address_frame": address_frame,
}


def _cells(series: pd.Series) -> list[str | None]:
    return [None if pd.isna(v) else v for v in series.tolist()]


COLUMN_FORMS: dict[str, Callable[[pd.Series], Any]] = {
    "string[pyarrow]": lambda s: s.astype("string[pyarrow]"),
    "ArrowDtype": lambda s: s.astype(pd.ArrowDtype(pa.string())),
    "pyarrow array": lambda s: pa.array(_cells(s), pa.string()),
    "pyarrow chunked": lambda s: pa.chunked_array([_cells(s)[:7], _cells(s)[7:]], pa.string()),
    "polars Series": lambda s: pl.Series("x", _cells(s), dtype=pl.String),
    "list": _cells,
}


@pytest.mark.parametrize("form", sorted(COLUMN_FORMS))
@pytest.mark.parametrize("function", sorted(SERIES_FUNCTIONS))
def test_series_functions_take_arrow_and_polars_columns(function: str, form: str) -> None:
    data = records().iloc[:40].reset_index(drop=True)
    column = data["name" if "name" in function else "address"]
    column = column.where(column.index % 9 != 4)  # a few missing values
    expected = SERIES_FUNCTIONS[function](column)
    got = SERIES_FUNCTIONS[function](COLUMN_FORMS[form](column))
    if isinstance(expected, pd.Series):
        pd.testing.assert_series_equal(got, expected, check_names=False)
    else:
        pd.testing.assert_frame_equal(got, expected)


@pytest.mark.parametrize("form", ["ArrowDtype", "pyarrow", "polars"])
def test_check_fields_takes_arrow_and_polars_columns(form: str) -> None:
    data = records().iloc[:60].reset_index(drop=True)
    ids = standardize(data, as_of=AS_OF)
    args = [data["birth_date"], data["gender"], ids["birth_date_derived"], ids["gender_derived"]]
    expected = check_fields(*args)
    table = pa.Table.from_pandas(pd.DataFrame(dict(enumerate(args))).rename(columns=str))
    if form == "ArrowDtype":
        converted = [pd.Series(c.to_pandas(types_mapper=pd.ArrowDtype)) for c in table.columns]
    elif form == "pyarrow":
        converted = list(table.columns)
    else:
        frame = pl.from_arrow(table)
        converted = [frame[c] for c in frame.columns]
    pd.testing.assert_frame_equal(check_fields(*converted), expected)


# --------------------------------------------------------------------------------------------
# rule 5: settings are policies


def test_a_policy_setting_needs_no_name_version_or_date() -> None:
    strict = StandardizePolicy(strict_ids=True)
    assert isinstance(strict, Policy)
    assert (strict.name, strict.version) == (
        DEFAULT_STANDARDIZE_POLICY.name,
        DEFAULT_STANDARDIZE_POLICY.version,
    )
    assert StandardizePolicy() == DEFAULT_STANDARDIZE_POLICY
    assert StandardizePolicy.from_toml(strict.to_toml()) == strict
    out = standardize(records().iloc[:5], as_of=AS_OF, policy=strict)
    (stamp,) = read_provenance(out)
    assert (stamp.policy_name, stamp.policy_version) == (strict.name, strict.version)
    bank = StandardizePolicy(name="bank.kyc", version="2026.2", strict_ids=True)
    stamp = read_provenance(standardize(records().iloc[:5], as_of=AS_OF, policy=bank))[0]
    assert (stamp.policy_name, stamp.policy_version) == ("bank.kyc", "2026.2")


@pytest.mark.parametrize("strict", [False, True])
def test_scalar_strict_agrees_with_the_policy_field(strict: bool) -> None:
    data = records()
    from bankcrm.identity.checksums import ric_check_char

    # a few numbers whose county code the table lacks: strict and lenient differ on them
    bodies = ["110199" + "19900101" + f"{i:03d}" for i in range(5)]
    data.loc[data.index[:5], "id_number"] = [b + ric_check_char(b) for b in bodies]
    data.loc[data.index[:5], "id_type"] = "RIC"
    out = standardize(data, as_of=AS_OF, policy=StandardizePolicy(strict_ids=strict))
    ric_rows = (data["id_type"] == "RIC").to_numpy()
    scalar = [is_valid_ric(x, strict=strict, as_of=AS_OF) for x in data["id_number"][ric_rows]]
    assert scalar == out["id_valid"][ric_rows].tolist()
    every = [
        is_valid_id(t, x, strict=strict, as_of=AS_OF)
        for t, x in zip(data["id_type"], data["id_number"], strict=True)
    ]
    assert every == out["id_valid"].tolist()
    assert out["id_valid"].iloc[:5].tolist() == [not strict] * 5
    reports = [
        cross_check(t, x, b, g, as_of=AS_OF, strict=strict)
        for t, x, b, g in zip(
            data["id_type"], data["id_number"], data["birth_date"], data["gender"], strict=True
        )
    ]
    assert [r.birth_date_check.value for r in reports] == out["birth_date_check"].tolist()
    assert [r.gender_check.value for r in reports] == out["gender_check"].tolist()


def test_policy_fields_are_checked() -> None:
    from bankcrm.errors import PolicyError

    with pytest.raises(PolicyError, match="strict_ids"):
        StandardizePolicy(strict_ids="yes")  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------
# rule 7: bad input


@pytest.mark.parametrize("missing", [None, float("nan"), pd.NA, pd.NaT, np.float64("nan")])
def test_a_missing_identifier_is_reason_missing(missing: object) -> None:
    assert explain_ric(missing)[0].reason is Reason.MISSING
    assert explain_id("RIC", missing)[0].reason is Reason.MISSING
    assert explain_mobile(missing)[0].reason is Reason.MISSING
    assert explain_uscc(missing)[0].reason is Reason.MISSING


@pytest.mark.parametrize("value", [[RIC], (), b"110105", True, 1.5, {"a": 1}])
def test_a_present_non_text_identifier_stays_not_text(value: object) -> None:
    assert explain_ric(value)[0].reason is Reason.NOT_TEXT


def _small() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id_type": ["RIC", "RIC", "RIC", "RIC"],
            "id_number": [RIC, None, RIC, RIC],
            "name": ["张伟", "李娜", "王芳", "刘洋"],
            "birth_date": pd.to_datetime(pd.Series(["1949-12-31", None, None, None])).array,
            "gender": ["F", None, None, None],
            "phone": ["13800138000", None, "13800138000", "13800138000"],
            "address": ["北京市朝阳区建国路88号", None, None, None],
        },
        index=["a", "b", "c", "d"],
    )


def test_missing_id_numbers_and_phones_are_reason_missing_in_frames() -> None:
    out = standardize(_small(), as_of=AS_OF)
    assert out.loc["b", "id_reason"] == "missing"
    assert out.loc["b", "phone_reason"] == "missing"
    assert out.loc["a", "id_valid"]


def test_non_text_ids_phones_and_genders_are_flagged_and_kept() -> None:
    frame = _small().astype(dict.fromkeys(["id_type", "id_number", "phone", "gender"], object))
    frame.at["c", "id_number"] = [RIC]  # type: ignore[assignment]
    frame.at["c", "phone"] = {"tel": 1}  # type: ignore[assignment]
    frame.at["d", "gender"] = ["F"]  # type: ignore[assignment]
    frame.at["d", "id_type"] = 7
    before = frame.copy()
    out = standardize(frame, as_of=AS_OF)
    assert out.index.tolist() == ["a", "b", "c", "d"]
    assert out.loc["c", "id_reason"] == "not_text"
    assert out.loc["c", "phone_reason"] == "not_text"
    assert out.loc["d", "gender_check"] == "unparseable"
    assert out.loc["d", "id_reason"] == "id_type"
    assert out.loc["b", "id_reason"] == "missing"
    assert out.loc["c", "id_number"] == [RIC]  # the caller's values are kept as they were
    pd.testing.assert_frame_equal(frame, before)  # and the input is not modified


def test_check_fields_flags_unhashable_values() -> None:
    out = check_fields(
        pd.Series([["1990-01-01"], None], dtype=object),
        pd.Series([["F"], "M"], dtype=object),
        pd.Series(pd.to_datetime(pd.Series(["1990-01-01", None]))),
        pd.Series(["F", None]),
    )
    assert out["birth_date_check"].tolist() == ["unparseable", "missing"]
    assert out["gender_check"].tolist() == ["unparseable", "no_id"]


def _errors() -> dict[str, Callable[[], object]]:
    small = _small()
    floats = small.astype({"id_number": object})
    floats.at["c", "id_number"] = 1.1010519491231002e17
    dup = pd.concat([small, small[["name"]]], axis=1)
    return {
        "not a frame": lambda: standardize([1, 2], as_of=AS_OF),
        "duplicate labels": lambda: standardize(dup, as_of=AS_OF),
        "missing columns": lambda: standardize(small.drop(columns="phone"), as_of=AS_OF),
        "output column": lambda: standardize(small.assign(addr_key=1), as_of=AS_OF),
        "float ids": lambda: standardize(floats, as_of=AS_OF),
        "non-text names": lambda: standardize(
            small.astype({"name": object}).assign(
                name=pd.Series(["a", ["x"], "b", "c"], dtype=object, index=small.index)
            ),
            as_of=AS_OF,
        ),
        "workers": lambda: standardize(small, as_of=AS_OF, workers=0),
        "policy": lambda: standardize(small, as_of=AS_OF, policy="strict"),  # type: ignore[arg-type]
        "name column": lambda: name_frame(pd.Series(["a", 7], index=["x", RIC], dtype=object)),
        "address column": lambda: address_frame("北京市"),
        "scalar gender": lambda: cross_check("RIC", RIC, None, "?", as_of=AS_OF).gender_check,
    }


@pytest.mark.parametrize("case", sorted(_errors()))
def test_every_error_carries_a_rule_and_a_column(case: str) -> None:
    if case == "scalar gender":  # a bad recorded value is flagged, not raised
        assert _errors()[case]() == "unparseable"
        return
    with pytest.raises(InputError) as info:
        _errors()[case]()
    error = info.value
    assert isinstance(error.rule, Rule)
    assert error.column is not None
    assert RIC not in str(error)
    assert "110105194912310020" not in str(error)


def test_row_errors_carry_positions_and_masked_labels() -> None:
    frame = _small().astype({"id_number": object})
    frame.at["c", "id_number"] = 1.1010519491231002e17
    frame.index = ["a", "b", RIC, "d"]  # an index of id numbers is masked
    with pytest.raises(InputError) as info:
        standardize(frame, as_of=AS_OF)
    error = info.value
    assert (error.column, error.rule, error.positions, error.n_rows) == (
        "id_number",
        Rule.NOT_TEXT,
        (2,),
        1,
    )
    assert error.rows
    assert RIC not in str(error.rows[0])


def test_duplicate_labels_name_the_column() -> None:
    small = _small()
    dup = pd.concat([small, small[["phone"]]], axis=1)
    with pytest.raises(InputError) as info:
        standardize(dup, as_of=AS_OF)
    assert (info.value.column, info.value.rule) == ("phone", Rule.DUPLICATE_COLUMNS)


# --------------------------------------------------------------------------------------------
# rule 11: imports


def test_importing_identity_is_cheap_and_loads_no_converters() -> None:
    code = (
        "import json, sys, time, numpy, pandas\n"
        "t = time.perf_counter()\n"
        "import bankcrm.identity\n"
        "took = time.perf_counter() - t\n"
        "heavy = [m for m in ('opencc', 'pypinyin', 'scipy', 'numba') if m in sys.modules]\n"
        "print(json.dumps([took, heavy]))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("COV")}
    runs = [
        json.loads(
            subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
            ).stdout
        )
        for _ in range(5)
    ]
    assert all(heavy == [] for _, heavy in runs)
    assert statistics.median(took for took, _ in runs) <= 0.3


@pytest.mark.parametrize(
    ("call", "column"),
    [
        (lambda: validate_ric("11010519491231002Y"), "id_number"),
        (lambda: validate_id("USCC", "91350100M000100Y4Z"), "id_number"),
        (lambda: validate_passport("X"), "id_number"),
        (lambda: validate_mobile("1380013800"), "phone"),
        (lambda: validate_id("SSN", "078-05-1120"), "id_type"),
    ],
)
def test_invalid_identifiers_name_their_column(call: Callable[[], object], column: str) -> None:
    from bankcrm.errors import InvalidIdentifier

    with pytest.raises(InvalidIdentifier) as info:
        call()
    assert (info.value.column, info.value.rule) == (column, Rule.INVALID_ID)
    assert str(info.value).startswith(f"column '{column}': invalid ")
