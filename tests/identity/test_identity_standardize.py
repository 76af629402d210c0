"""standardize: every row kept, input untouched, row-local results, clear errors, provenance."""

from __future__ import annotations

import datetime as dt
import functools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bankcrm.datasets import generate_records
from bankcrm.errors import InputError
from bankcrm.identity.checksums import ric_check_char
from bankcrm.identity.standardize import (
    DEFAULT_STANDARDIZE_POLICY,
    OUTPUT_COLUMNS,
    StandardizePolicy,
    standardize,
)
from bankcrm.policy import read_provenance

AS_OF = dt.date(2026, 1, 4)


@functools.cache
def _records() -> pd.DataFrame:
    return generate_records(150, seed=11, as_of=AS_OF)


def records() -> pd.DataFrame:
    return _records().copy()


def _small() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id_type": ["RIC", "RIC", None, "PASSPORT"],
            "id_number": [
                "110105491231002",
                "１１０１０５１９４９１２３１００２ｘ",
                None,
                "E12345678",
            ],
            "name": ["張偉", None, "李 娜", "John Smith"],
            "name_latin": [None, "ZHANG WEI", None, "SMITH JOHN"],
            "birth_date": pd.to_datetime(
                pd.Series(["1949-12-31", "1950-01-01", None, "1980-05-05"])
            ).array,
            "gender": ["F", "男", None, "M"],
            "phone": ["13800138000", "+86 139-0000-0000", None, "12345"],
            "address": ["北京市朝阳区建国路88号1栋2单元301室", None, "广西南宁市青秀区1号", "X"],
            "extra": [1, 2, 3, 4],
        },
        index=["r1", "r2", "r3", "r4"],
    )


def _same(left: pd.DataFrame, right: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(left, right, check_index_type=True)


# --------------------------------------------------------------------------------------------
# examples


def test_small_frame() -> None:
    out = standardize(_small(), as_of=AS_OF)
    assert list(out.columns) == [*_small().columns, *OUTPUT_COLUMNS]
    assert out.index.tolist() == ["r1", "r2", "r3", "r4"]
    assert out["id_canonical"].tolist()[:2] == ["11010519491231002X", "11010519491231002X"]
    assert out["id_upgraded"].tolist() == [True, False, False, False]
    assert out["id_reason"].iloc[2] == "id_type"
    assert out["name_norm"].iloc[0] == "张伟"
    assert out["name_match_key"].tolist()[:3] == ["wei|zhang", "wei|zhang", "li|na"]
    assert out["phone_e164"].iloc[1] == "+8613900000000"
    assert not out["phone_valid"].iloc[3]
    assert out["addr_province"].iloc[2] == "广西壮族自治区"
    assert out["birth_date_check"].tolist() == ["match", "conflict", "missing", "no_id"]
    assert out["gender_check"].tolist() == ["match", "conflict", "missing", "no_id"]
    assert out["birth_date_conflict"].tolist() == [False, True, False, False]


def test_a_minors_record_with_a_guardians_id_is_flagged_and_kept() -> None:
    frame = _small().iloc[:1].copy()
    body = "320106198403117" + "99"
    frame["id_number"] = body + ric_check_char(body)
    frame["birth_date"] = pd.to_datetime(["2008-11-09"])
    out = standardize(frame, as_of=AS_OF)
    assert len(out) == 1
    assert out["id_valid"].iloc[0]
    assert out["birth_date_conflict"].iloc[0]
    assert out["birth_date_derived"].iloc[0] == pd.Timestamp("1984-03-11")
    assert out["birth_date"].iloc[0] == pd.Timestamp("2008-11-09")  # recorded value kept


def test_synthetic_records() -> None:
    data = records()
    out = standardize(data, as_of=AS_OF)
    assert len(out) == len(data)
    _same(out[data.columns], data)
    damaged_ids = data["damage"].str.contains("id_typo|id_transposition", regex=True)
    assert not out.loc[damaged_ids, "id_valid"].any()
    guardians = data["damage"].str.contains("guardian_id")
    assert out.loc[guardians, "birth_date_conflict"].any()
    clean = data["damage"] == ""
    assert out.loc[clean, "id_valid"].all()


def test_provenance_is_stamped() -> None:
    policy = StandardizePolicy(name="bank.std", version="7", effective_date=dt.date(2025, 1, 1))
    out = standardize(_small(), as_of=AS_OF, policy=policy)
    (stamp,) = read_provenance(out)
    assert (stamp.policy_name, stamp.policy_version, stamp.as_of) == ("bank.std", "7", AS_OF)
    default = read_provenance(standardize(_small(), as_of=AS_OF))[0]
    assert default.policy_name == DEFAULT_STANDARDIZE_POLICY.name


def test_strict_policy_rejects_unknown_counties() -> None:
    body = "110199" + "19900101" + "001"  # a Beijing code that the table does not have
    frame = _small().iloc[:1].assign(id_number=body + ric_check_char(body))
    strict = StandardizePolicy(strict_ids=True)
    assert standardize(frame, as_of=AS_OF)["id_valid"].iloc[0]
    assert standardize(frame, as_of=AS_OF, policy=strict)["id_reason"].iloc[0] == "region"


def test_column_roles_can_be_renamed() -> None:
    renamed = _small().rename(columns={"id_number": "cert_no", "address": "addr"})
    out = standardize(renamed, as_of=AS_OF, columns={"id_number": "cert_no", "address": "addr"})
    expected = standardize(_small(), as_of=AS_OF)
    _same(out[list(OUTPUT_COLUMNS)], expected[list(OUTPUT_COLUMNS)])


def test_name_latin_is_optional() -> None:
    out = standardize(_small().drop(columns="name_latin"), as_of=AS_OF)
    assert pd.isna(out["name_match_key"].iloc[1])


def test_empty_frame() -> None:
    out = standardize(_small().iloc[:0], as_of=AS_OF)
    assert len(out) == 0
    assert list(out.columns)[-len(OUTPUT_COLUMNS) :] == list(OUTPUT_COLUMNS)


def test_object_columns_are_accepted() -> None:
    frame = _small().astype(dict.fromkeys(["id_number", "name", "phone", "address"], object))
    frame.loc["r1", "id_number"] = 110105491231002  # a spreadsheet integer
    out = standardize(frame, as_of=AS_OF)
    expected = standardize(_small(), as_of=AS_OF)
    _same(out[list(OUTPUT_COLUMNS)], expected[list(OUTPUT_COLUMNS)])


# --------------------------------------------------------------------------------------------
# errors


def test_missing_columns_are_named() -> None:
    with pytest.raises(InputError, match="address") as info:
        standardize(_small().drop(columns="address"), as_of=AS_OF)
    assert info.value.rule == "required"
    with pytest.raises(InputError, match="gender"):
        standardize(_small().drop(columns="gender"), as_of=AS_OF)


def test_as_of_must_be_a_date() -> None:
    with pytest.raises(InputError, match="as_of"):
        standardize(_small(), as_of="2026-01-04 10:00")
    with pytest.raises(InputError, match="as_of"):
        standardize(_small(), as_of=20260104)  # type: ignore[arg-type]


def test_records_must_be_a_frame() -> None:
    with pytest.raises(InputError, match="DataFrame"):
        standardize([1, 2], as_of=AS_OF)


def test_output_columns_must_not_exist() -> None:
    with pytest.raises(InputError, match="name_key"):
        standardize(_small().assign(name_key="x"), as_of=AS_OF)


def test_unknown_roles_are_rejected() -> None:
    with pytest.raises(InputError, match="roles"):
        standardize(_small(), as_of=AS_OF, columns={"idnumber": "id_number"})


@pytest.mark.parametrize(
    "columns", [{"name_latin": "name"}, {"id_number": "phone"}, {"phone": ["phone"]}]
)
def test_roles_need_their_own_column_labels(columns: dict[str, object]) -> None:
    with pytest.raises(InputError) as info:
        standardize(_small(), as_of=AS_OF, columns=columns)
    assert (info.value.column, info.value.rule) == ("columns", "roles")


def test_non_text_ids_are_reported_masked() -> None:
    frame = _small().astype({"id_number": object})
    frame.loc["r3", "id_number"] = 1.5e17  # a float cannot hold an 18-digit number
    with pytest.raises(InputError) as info:
        standardize(frame, as_of=AS_OF)
    assert info.value.column == "id_number"
    assert "r3" in str(info.value)
    assert "150000000000000000" not in str(info.value)


@pytest.mark.parametrize("number", [2.5, np.float32(7.0), 110105194912310020.0])
def test_a_float_among_text_and_integer_ids_is_found(number: float) -> None:
    frame = _small().astype({"id_number": object})
    frame.loc[frame.index[0], "id_number"] = 110105491231002  # an integer id is fine
    frame.loc[frame.index[-1], "id_number"] = number
    with pytest.raises(InputError) as info:
        standardize(frame, as_of=AS_OF)
    assert info.value.rule == "not_text"
    assert info.value.rows == [frame.index[-1]]


def test_text_integer_and_missing_ids_in_an_object_column_are_accepted() -> None:
    frame = _small().astype({"id_number": object})
    frame.loc[frame.index[0], "id_number"] = 110105491231002
    frame.loc[frame.index[1], "id_number"] = None
    out = standardize(frame, as_of=AS_OF)
    assert out.loc[frame.index[0], "id_canonical"] == "11010519491231002X"
    assert not out.loc[frame.index[1], "id_valid"]


# --------------------------------------------------------------------------------------------
# properties


@settings(max_examples=15, deadline=None)
@given(st.lists(st.integers(0, 179), min_size=1, max_size=60), st.randoms(use_true_random=False))
def test_rows_are_kept_and_results_are_row_local(picks: list[int], rnd: object) -> None:
    data = records().iloc[picks]
    data.index = pd.Index([f"k{i % 7}" for i in range(len(data))])  # duplicated labels
    before = data.copy(deep=True)
    out = standardize(data, as_of=AS_OF)
    _same(data, before)  # the input is not modified
    assert out.index.equals(data.index)
    _same(out[data.columns], data)
    order = list(range(len(data)))
    rnd.shuffle(order)  # type: ignore[attr-defined]
    shuffled = standardize(data.iloc[order], as_of=AS_OF)
    _same(shuffled, out.iloc[order])


def test_each_row_alone_gives_the_same_result() -> None:
    data = records().iloc[:40]
    out = standardize(data, as_of=AS_OF)
    for i in range(0, len(data), 7):
        alone = standardize(data.iloc[[i]], as_of=AS_OF)
        _same(alone, out.iloc[[i]])


def test_index_of_any_kind() -> None:
    data = records().iloc[:10]
    data.index = pd.MultiIndex.from_arrays([np.arange(10) % 3, list("abcdefghij")])
    out = standardize(data, as_of=AS_OF)
    assert out.index.equals(data.index)


def test_threads_do_not_change_the_result() -> None:
    data = records()
    one = standardize(data, as_of=AS_OF, workers=1)
    _same(standardize(data, as_of=AS_OF, workers=2), one)
    _same(standardize(data, as_of=AS_OF, workers=4), one)


@pytest.mark.parametrize("workers", [0, -1, 1.5, True])
def test_workers_must_be_a_positive_integer(workers: object) -> None:
    with pytest.raises(InputError, match="workers"):
        standardize(_small(), as_of=AS_OF, workers=workers)  # type: ignore[arg-type]


def test_python_string_storage_gives_the_same_result() -> None:
    # With pandas' Python string storage the string kernels run on Python's re instead of
    # pyarrow's RE2: the patterns must mean the same in both.
    data = records()
    python_str = pd.StringDtype("python", na_value=np.nan)
    text = ["id_type", "id_number", "name", "name_latin", "gender", "phone", "address"]
    slow = data.astype(dict.fromkeys(text, python_str))
    expected = standardize(data, as_of=AS_OF)
    got = standardize(slow, as_of=AS_OF)
    _same(
        got[list(OUTPUT_COLUMNS)].astype(object).where(got[list(OUTPUT_COLUMNS)].notna(), None),
        expected[list(OUTPUT_COLUMNS)]
        .astype(object)
        .where(expected[list(OUTPUT_COLUMNS)].notna(), None),
    )


# --- phones: the batch path reads every cell as the scalar validator does (issue 9) ----------

from decimal import Decimal  # noqa: E402

from bankcrm.identity import mobile  # noqa: E402

_phone_cells = st.one_of(
    st.none(),
    st.just(float("nan")),
    st.sampled_from(
        ["13800138000", "+86 139-0000-0000", "12345", "", " ", "１３８００１３８０００"]
    ),
    st.text(alphabet="0123456789+-() 8６", max_size=16),
    st.integers(min_value=-(10**12), max_value=10**20),
    st.sampled_from([13800138000, 19912345678, 8613800138000]).map(float),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([13800138000, 15912345678]).map(lambda v: np.float64(v)),
    st.sampled_from([13800138000, 15912345678]).map(lambda v: np.int64(v)),
    st.sampled_from(
        [Decimal("13800138000"), Decimal("13800138000.0"), Decimal("1.38E+10"), Decimal("NaN")]
    ),
    st.decimals(allow_nan=False, allow_infinity=True, places=1, max_value=10**12),
    st.binary(max_size=11),
    st.booleans(),
)


def _with_phones(phones: list[object]) -> pd.DataFrame:
    n = len(phones)
    column = pd.Series(phones, dtype=object)
    if all(isinstance(p, float) for p in phones):
        column = column.astype(float)  # a whole float column, as a CSV reader gives it
    return pd.DataFrame(
        {
            "id_type": ["RIC"] * n,
            "id_number": ["11010519491231002X"] * n,
            "name": ["张伟"] * n,
            "birth_date": pd.Series([pd.NaT] * n, dtype="datetime64[ns]"),
            "gender": [None] * n,
            "phone": column,
            "address": ["北京市朝阳区建国路88号"] * n,
        }
    )


def _scalar_phone(value: object) -> tuple[str | None, bool, str | None]:
    findings = mobile.explain(value)
    if findings:
        return None, False, findings[0].reason.value
    return mobile.normalize(value), True, None


@settings(max_examples=150)
@given(st.lists(_phone_cells, min_size=1, max_size=25))
def test_standardize_phones_equal_the_scalar_validator(phones: list[object]) -> None:
    out = standardize(_with_phones(phones), as_of=AS_OF, workers=1)
    batch = [
        (
            None if pd.isna(e) else e,
            bool(v),
            None if pd.isna(r) else r,
        )
        for e, v, r in zip(out["phone_e164"], out["phone_valid"], out["phone_reason"], strict=True)
    ]
    assert batch == [_scalar_phone(p) for p in phones]


@pytest.mark.parametrize("dtype", [float, "Float64", "Int64", object])
def test_a_float_phone_column_is_valid_in_both_paths(dtype: object) -> None:
    # Issue 9: is_valid_mobile(13800138000.0) was False while standardize accepted it.
    phones = pd.Series([13800138000, None], dtype=dtype)  # type: ignore[call-overload]
    out = standardize(_with_phones([13800138000.0, None]).assign(phone=phones), as_of=AS_OF)
    assert out["phone_e164"].tolist()[0] == "+8613800138000"
    assert mobile.is_valid(13800138000.0)
    assert out["phone_reason"].tolist()[1] == "missing"


def test_standardize_reads_id_type_aliases_through_its_policy() -> None:
    from bankcrm.identity.dispatch import DEFAULT_ID_TYPE_ALIASES, IdTypeAliases

    frame = _with_phones([None] * 4).assign(id_type=["居民身份证", "01", "id_card", "20"])
    out = standardize(frame, as_of=AS_OF)
    assert out["id_valid"].tolist() == [True, True, True, False]
    assert out["id_reason"].tolist()[3] == "id_type"
    bank = IdTypeAliases(aliases={**DEFAULT_ID_TYPE_ALIASES.aliases, "20": "RIC"})
    policy = StandardizePolicy(id_types=bank)
    assert standardize(frame, as_of=AS_OF, policy=policy)["id_valid"].all()
    assert StandardizePolicy.from_json(policy.to_json()) == policy


def test_standardize_keys_organisations_as_organisations() -> None:
    frame = _with_phones([None] * 2).assign(name=["中国工商银行股份有限公司", "张伟"])
    out = standardize(frame, as_of=AS_OF)
    assert out["name_key"].tolist() == ["org:中国工商银行股份有限公司", "zhang|wei"]
    assert out["surname"].isna().tolist() == [True, False]
