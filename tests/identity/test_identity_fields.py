"""Birth date and gender: parsing, derivation from the id number, cross-checks."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bankcrm.errors import InputError
from bankcrm.identity.checksums import ric_check_char
from bankcrm.identity.fields import (
    FieldCheck,
    check_birth_date,
    check_fields,
    check_gender,
    cross_check,
    derive_fields,
    parse_birth_date,
    parse_gender,
)

STANDARD = "11010519491231002X"  # GB 11643-1999's example: born 1949-12-31, female


@pytest.mark.parametrize(
    ("written", "gender"),
    [
        ("M", "M"),
        ("m", "M"),
        ("Male", "M"),
        ("男", "M"),
        ("男性", "M"),
        (1, "M"),
        ("1", "M"),
        ("F", "F"),
        ("female", "F"),
        ("女", "F"),
        (2, "F"),
        ("２", "F"),
        ("0", None),
        ("9", None),
        ("未知", None),
        ("未说明", None),
        ("unknown", None),
        ("", None),
        (None, None),
        (float("nan"), None),
    ],
)
def test_parse_gender(written: object, gender: str | None) -> None:
    assert parse_gender(written) == gender


@pytest.mark.parametrize("bad", ["X", "男女", 3, True, 1.0, ["M"]])
def test_unreadable_gender(bad: object) -> None:
    with pytest.raises(InputError):
        parse_gender(bad)
    assert check_gender(bad, "F") is FieldCheck.UNPARSEABLE


@pytest.mark.parametrize(
    "written",
    [
        "1990-01-05",
        "1990/1/5",
        "1990.01.05",
        "19900105",
        "1990年1月5日",
        "１９９０－０１－０５",
        "1990-01-05 00:00:00",
        "1990-01-05T08:30",
        dt.date(1990, 1, 5),
        dt.datetime(1990, 1, 5, 13, 0),
        pd.Timestamp("1990-01-05"),
        np.datetime64("1990-01-05"),
    ],
)
def test_parse_birth_date(written: object) -> None:
    assert parse_birth_date(written) == dt.date(1990, 1, 5)


@pytest.mark.parametrize("bad", ["1990-02-30", "05/01/1990", "yesterday", "1990-1-5-1", 19900105])
def test_unreadable_birth_date(bad: object) -> None:
    with pytest.raises(InputError):
        parse_birth_date(bad)
    assert check_birth_date(bad, dt.date(1990, 1, 5)) is FieldCheck.UNPARSEABLE


@pytest.mark.parametrize("missing", [None, float("nan"), pd.NaT, pd.NA, "", np.datetime64("NaT")])
def test_missing_birth_date(missing: object) -> None:
    assert parse_birth_date(missing) is None


def test_derived_from_the_standard_example() -> None:
    derived = derive_fields("RIC", STANDARD)
    assert (derived.birth_date, derived.gender) == (dt.date(1949, 12, 31), "F")
    legacy = derive_fields("RIC", "110105491231002")
    assert legacy.birth_date == dt.date(1949, 12, 31)


def test_derived_from_a_residence_permit_and_not_from_a_passport() -> None:
    assert derive_fields("HMT_PERMIT", "810000199408230021").gender == "F"
    passport = derive_fields("PASSPORT", "E12345678")
    assert (passport.birth_date, passport.gender) == (None, None)


def test_invalid_numbers_derive_nothing() -> None:
    assert derive_fields("RIC", "11010519491231002Y").birth_date is None
    future = derive_fields("RIC", "11010520491231002X", as_of=dt.date(2026, 1, 4))
    assert future.birth_date is None


@pytest.mark.parametrize(
    ("birth_date", "gender", "birth_check", "gender_check"),
    [
        ("1949-12-31", "F", "match", "match"),
        ("1950-01-01", "M", "conflict", "conflict"),
        (None, None, "derived", "derived"),
        ("31/12/1949", "?", "unparseable", "unparseable"),
    ],
)
def test_cross_check_outcomes(
    birth_date: object, gender: object, birth_check: str, gender_check: str
) -> None:
    report = cross_check("RIC", STANDARD, birth_date, gender)
    assert (report.birth_date_check.value, report.gender_check.value) == (
        birth_check,
        gender_check,
    )
    assert report.birth_date_derived == dt.date(1949, 12, 31)
    assert report.birth_date_conflict is (birth_check == "conflict")
    assert report.gender_conflict is (gender_check == "conflict")


def test_without_a_valid_id() -> None:
    report = cross_check("RIC", "garbage", "1990-01-01", None)
    assert report.birth_date_check is FieldCheck.NO_ID
    assert report.gender_check is FieldCheck.MISSING


def test_a_minors_record_with_a_guardians_id_is_a_conflict_not_an_error() -> None:
    body = "320106198403117" + "99"
    guardian = body + ric_check_char(body)
    report = cross_check("RIC", guardian, dt.date(2008, 11, 9), "F")
    assert report.birth_date_conflict
    assert report.birth_date_derived == dt.date(1984, 3, 11)


# --------------------------------------------------------------------------------------------
# the column path equals the scalar checks

recorded_dates = st.one_of(
    st.none(),
    st.dates(min_value=dt.date(1940, 1, 1), max_value=dt.date(2010, 12, 31)).map(str),
    st.sampled_from(["1949-12-31", "1984-03-11", "not a date", "2001-02-29", "19491231"]),
)
recorded_genders = st.one_of(
    st.none(), st.sampled_from(["M", "F", "男", "女", "1", "2", "0", "?", "female"])
)
derived_dates = st.one_of(
    st.none(), st.sampled_from([dt.date(1949, 12, 31), dt.date(1984, 3, 11), dt.date(2000, 1, 1)])
)
derived_genders = st.one_of(st.none(), st.sampled_from(["M", "F"]))


@settings(max_examples=60)
@given(
    st.lists(
        st.tuples(recorded_dates, recorded_genders, derived_dates, derived_genders), max_size=25
    )
)
def test_check_fields_equals_the_scalar_checks(rows: list[tuple[object, ...]]) -> None:
    index = pd.Index(range(7, 7 + len(rows)))
    out = check_fields(
        pd.Series([r[0] for r in rows], index=index, dtype=object),
        pd.Series([r[1] for r in rows], index=index, dtype=object),
        pd.Series(pd.to_datetime(pd.Series([r[2] for r in rows], dtype=object)).array, index=index),
        pd.Series([r[3] for r in rows], index=index, dtype="str"),
    )
    assert out.index.equals(index)
    birth_checks = out["birth_date_check"].tolist()
    gender_checks = out["gender_check"].tolist()
    for i, (birth, gender, d_birth, d_gender) in enumerate(rows):
        assert isinstance(d_birth, dt.date | None)
        assert isinstance(d_gender, str | None)
        assert birth_checks[i] == check_birth_date(birth, d_birth).value
        assert gender_checks[i] == check_gender(gender, d_gender).value
        assert bool(out["birth_date_conflict"].iloc[i]) is (birth_checks[i] == "conflict")
        assert bool(out["gender_conflict"].iloc[i]) is (gender_checks[i] == "conflict")


def test_check_fields_with_a_datetime_column() -> None:
    out = check_fields(
        pd.Series(pd.to_datetime(pd.Series(["1949-12-31 10:00", None, "1950-01-01 00:00"]))),
        pd.Series(["F", "M", None]),
        pd.Series(pd.to_datetime(pd.Series(["1949-12-31", "1949-12-31", None]))),
        pd.Series(["F", "F", None], dtype="str"),
    )
    assert out["birth_date_check"].tolist() == ["match", "derived", "no_id"]
    assert out["gender_check"].tolist() == ["match", "conflict", "missing"]
