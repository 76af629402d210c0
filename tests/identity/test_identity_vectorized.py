"""The vectorised id and phone kernels give exactly the scalar validators' results."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bankcrm.errors import InvalidIdentifier
from bankcrm.identity import mobile
from bankcrm.identity._mobile_batch import PHONE_COLUMNS, validate_phone_column
from bankcrm.identity._ric_batch import ID_COLUMNS, validate_id_column
from bankcrm.identity.checksums import ric_check_char, uscc_check_char
from bankcrm.identity.dispatch import validate_id

AS_OF = dt.date(2026, 1, 4)
FULL_WIDTH = str.maketrans("0123456789Xx", "０１２３４５６７８９Ｘｘ")

# --------------------------------------------------------------------------------------------
# examples


def test_examples_from_the_standard_and_the_usual_damage() -> None:
    types = pd.Series(["RIC"] * 7 + ["HMT_PERMIT", "PASSPORT", None])
    numbers = pd.Series(
        [
            "11010519491231002X",  # GB 11643-1999's example
            "110105491231002",  # its legacy 15-digit form
            "１１０１０５ １９４９１２３１ ００２ｘ",  # full width, spaced, lower-case x
            "11010519491231002Y",
            "11010519491231003X",  # wrong check character
            "11010520491231002X",  # born after as_of
            "81000019940823002X",  # a residence permit number under RIC
            "810000199408230021",
            "E12345678",
            "11010519491231002X",  # no id type
        ]
    )
    out = validate_id_column(types, numbers, as_of=AS_OF)
    assert out["id_valid"].tolist() == [
        True,
        True,
        True,
        False,
        False,
        False,
        False,
        True,
        True,
        False,
    ]
    assert [None if pd.isna(r) else r for r in out["id_reason"]] == [
        None,
        None,
        None,
        "characters",
        "check_character",
        "future_birth_date",
        "region",
        None,
        None,
        "id_type",
    ]
    assert out["id_upgraded"].tolist() == [False, True] + [False] * 8
    assert out["id_canonical"].iloc[1] == "11010519491231002X"
    assert out["id_birth_date"].iloc[0] == pd.Timestamp("1949-12-31")
    assert out["id_gender"].iloc[0] == "F"
    assert out["id_gender"].iloc[7] == "F"


def test_index_is_kept() -> None:
    index = pd.Index(["b", "a", "b"])
    out = validate_id_column(
        pd.Series(["RIC"] * 3, index=index), pd.Series(["11010519491231002X"] * 3, index=index)
    )
    assert out.index.equals(index)
    assert list(out.columns) == list(ID_COLUMNS)


# --------------------------------------------------------------------------------------------
# ids: batch == scalar

REGIONS = ["110105", "440305", "320106", "810000", "830000", "710000", "990000", "119999", "000000"]


@st.composite
def ric_like(draw: st.DrawFn) -> object:
    region = draw(st.sampled_from(REGIONS))
    if draw(st.integers(0, 9)) == 0:  # a date part that may not be a calendar date
        birth = draw(st.text(alphabet="0123456789", min_size=8, max_size=8))
    else:
        day = draw(st.dates(min_value=dt.date(1840, 1, 1), max_value=dt.date(2030, 12, 31)))
        birth = day.strftime("%Y%m%d")
    body = region + birth + f"{draw(st.integers(0, 999)):03d}"
    number = body + ric_check_char(body)
    kind = draw(
        st.sampled_from(
            [
                "plain",
                "legacy",
                "typo",
                "swap",
                "full",
                "spaced",
                "lower",
                "dashed",
                "int",
                "short",
                "letters",
                "legacy_int",
                "x_inside",
            ]
        )
    )
    if kind == "legacy":
        return body[:6] + body[8:]
    if kind == "legacy_int":
        return int(body[:6] + body[8:])
    if kind == "typo":
        pos = draw(st.integers(0, 17))
        digit = draw(st.sampled_from("0123456789"))
        return number[:pos] + digit + number[pos + 1 :]
    if kind == "swap":
        pos = draw(st.integers(0, 16))
        return number[:pos] + number[pos + 1] + number[pos] + number[pos + 2 :]
    if kind == "full":
        return number.translate(FULL_WIDTH)
    if kind == "spaced":
        return f" {number[:6]} {number[6:14]}\u3000{number[14:]} "
    if kind == "lower":
        return number.lower()
    if kind == "dashed":
        return f"{number[:6]}-{number[6:14]}-{number[14:]}"
    if kind == "int":
        return int(number) if number.isdigit() else number
    if kind == "short":
        return number[: draw(st.integers(0, 17))]
    if kind == "letters":
        return number[:10] + "AB" + number[12:]
    if kind == "x_inside":
        return number[:5] + "X" + number[6:]
    return number


@st.composite
def other_ids(draw: st.DrawFn) -> object:
    kind = draw(st.sampled_from(["permit", "uscc", "passport", "travel", "junk"]))
    if kind == "permit":
        body = draw(st.sampled_from(["810000", "820000", "830000"])) + "19940823" + "002"
        return body + ric_check_char(body)
    if kind == "uscc":
        body = "91350100M000100Y4"
        return body + uscc_check_char(body)
    if kind == "passport":
        return draw(st.sampled_from(["E12345678", "G1234567", "e12345678", "X"]))
    if kind == "travel":
        return draw(st.sampled_from(["H12345678", "M1234567801", "12345678"]))
    return draw(
        st.one_of(
            st.none(),
            st.just(float("nan")),
            st.floats(),
            st.booleans(),
            st.binary(max_size=4),
            st.text(max_size=20),
            st.just("x" * 300),
            st.lists(st.integers(), max_size=2),
        )
    )


id_types = st.sampled_from(
    ["RIC", "RIC", "RIC", "ric", " RIC ", "HMT_PERMIT", "PASSPORT", "USCC", "FPR", "SSN", None]
)
rows = st.lists(st.tuples(id_types, st.one_of(ric_like(), ric_like(), other_ids())), max_size=30)


def _scalar_row(
    id_type: object, value: object, as_of: dt.date | None, strict: bool
) -> tuple[object, ...]:
    try:
        info = validate_id(id_type, value, as_of=as_of, strict=strict)
    except InvalidIdentifier as error:
        return (None, False, error.reason, False, None, None)
    gender = getattr(info, "gender", None)
    return (
        info.number,
        True,
        None,
        bool(getattr(info, "upgraded_from_15", False)),
        getattr(info, "birth_date", None),
        str(gender) if gender is not None else None,
    )


def _batch_rows(frame: pd.DataFrame) -> list[tuple[object, ...]]:
    def clean(value: object) -> object:
        if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
            return None
        if isinstance(value, pd.Timestamp):
            return value.date()
        return value

    return [
        (
            clean(r.id_canonical),
            bool(r.id_valid),
            clean(r.id_reason),
            bool(r.id_upgraded),
            clean(r.id_birth_date),
            clean(r.id_gender),
        )
        for r in frame.itertuples(index=False)
    ]


@settings(max_examples=80)
@given(rows, st.sampled_from([None, AS_OF, dt.date(1990, 1, 1)]), st.booleans())
def test_validate_id_column_equals_validate_id(
    pairs: list[tuple[object, object]], as_of: dt.date | None, strict: bool
) -> None:
    types = pd.Series([t for t, _ in pairs], dtype=object)
    values = [v for _, v in pairs]
    expected = [_scalar_row(t, v, as_of, strict) for t, v in pairs]
    mixed = validate_id_column(types, pd.Series(values, dtype=object), as_of=as_of, strict=strict)
    assert _batch_rows(mixed) == expected
    if all(v is None or isinstance(v, str) for v in values):
        text = validate_id_column(
            types.astype("str"), pd.Series(values, dtype="str"), as_of=as_of, strict=strict
        )
        assert _batch_rows(text) == expected


def test_many_clean_rows_take_the_matrix_path() -> None:
    rng = np.random.default_rng(5)
    numbers = []
    for _ in range(2000):
        day = dt.date(1930, 1, 1) + dt.timedelta(days=int(rng.integers(0, 36000)))
        body = "440305" + day.strftime("%Y%m%d") + f"{int(rng.integers(0, 1000)):03d}"
        number = body + ric_check_char(body)
        roll = rng.random()
        if roll < 0.1:
            number = number[:6] + number[8:17]  # legacy
        elif roll < 0.2:
            number = number[:-1] + ("0" if number[-1] != "0" else "1")  # bad check
        numbers.append(number)
    out = validate_id_column(
        pd.Series(["RIC"] * len(numbers)), pd.Series(numbers, dtype="str"), as_of=AS_OF
    )
    expected = [_scalar_row("RIC", v, AS_OF, False) for v in numbers]
    assert _batch_rows(out) == expected


# --------------------------------------------------------------------------------------------
# phones: batch == scalar


@st.composite
def phones(draw: st.DrawFn) -> object:
    national = (
        "1"
        + draw(st.sampled_from("0123456789"))
        + draw(st.text(alphabet="0123456789", min_size=9, max_size=9))
    )
    kind = draw(
        st.sampled_from(
            [
                "plain",
                "plus",
                "plus_spaced",
                "dashed",
                "0086",
                "86",
                "full",
                "brackets",
                "short",
                "letters",
                "int",
                "other_country",
                "plus0086",
                "junk",
            ]
        )
    )
    if kind == "plus":
        return "+86" + national
    if kind == "plus_spaced":
        return f"+86 {national[:3]} {national[3:7]} {national[7:]}"
    if kind == "dashed":
        return f"{national[:3]}-{national[3:7]}-{national[7:]}"
    if kind == "0086":
        return "0086" + national
    if kind == "86":
        return "86" + national
    if kind == "full":
        return national.translate(FULL_WIDTH)
    if kind == "brackets":
        return f"(+86){national}"
    if kind == "short":
        return national[: draw(st.integers(0, 10))]
    if kind == "letters":
        return national[:5] + "ab" + national[7:]
    if kind == "int":
        return int(national)
    if kind == "other_country":
        return "+1" + national
    if kind == "plus0086":
        return "+0086" + national
    if kind == "junk":
        return draw(st.one_of(st.none(), st.floats(), st.text(max_size=15), st.booleans()))
    return national


def _phone_scalar(value: object) -> tuple[object, ...]:
    try:
        return (mobile.validate(value).number, True, None)
    except InvalidIdentifier as error:
        return (None, False, error.reason)


def _phone_rows(frame: pd.DataFrame) -> list[tuple[object, ...]]:
    def clean(value: object) -> object:
        return None if isinstance(value, float) and math.isnan(value) else value

    return [
        (clean(r.phone_e164), bool(r.phone_valid), clean(r.phone_reason))
        for r in frame.itertuples(index=False)
    ]


@settings(max_examples=80)
@given(st.lists(phones(), max_size=30))
def test_validate_phone_column_equals_mobile_validate(values: list[object]) -> None:
    expected = [_phone_scalar(v) for v in values]
    out = validate_phone_column(pd.Series(values, dtype=object))
    assert list(out.columns) == list(PHONE_COLUMNS)
    assert _phone_rows(out) == expected
    if all(v is None or isinstance(v, str) for v in values):
        assert _phone_rows(validate_phone_column(pd.Series(values, dtype="str"))) == expected


def test_missing_phone_reason_is_the_scalar_one() -> None:
    out = validate_phone_column(pd.Series([None, "13800138000"], dtype="str"))
    assert out["phone_reason"].iloc[0] == "missing"
    assert out["phone_e164"].iloc[1] == "+8613800138000"


@pytest.mark.parametrize("as_of", ["2026-01-04 10:00", 20260104])
def test_as_of_must_be_a_date(as_of: object) -> None:
    with pytest.raises(ValueError, match="as_of"):
        validate_id_column(pd.Series(["RIC"]), pd.Series(["11010519491231002X"]), as_of=as_of)


def _ric(region: str, yyyymmdd: str, sequence: str = "002") -> str:
    body = region + yyyymmdd + sequence
    return body + ric_check_char(body)


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        (_ric("110105", "20260104"), None),  # born on as_of: not after it
        (_ric("110105", "20260105"), "future_birth_date"),
        (_ric("110105", "20000229"), None),  # 2000 is a leap year
        (_ric("110105", "19000229"), "birth_date"),  # 1900 is not
        (_ric("110105", "19960229"), None),
        (_ric("110105", "19970229"), "birth_date"),
        (_ric("110105", "18500101"), None),  # the earliest birth date accepted
        (_ric("110105", "18491231"), "birth_date"),
        (_ric("110105", "19901301"), "birth_date"),
        (_ric("110105", "19900431"), "birth_date"),
        (_ric("110105", "19900400"), "birth_date"),
        (_ric("820000", "19900101"), "region"),  # a permit number is not a resident id
        (_ric("990000", "19901301"), "region"),  # region is reported before the date
        ("11010519491231002X", None),  # check character X
    ],
)
def test_boundaries_through_the_matrix(number: str, reason: str | None) -> None:
    scalar = _scalar_row("RIC", number, AS_OF, False)
    assert scalar[2] == reason
    batch = _batch_rows(
        validate_id_column(
            pd.Series(["RIC"] * 40), pd.Series([number] * 40, dtype="str"), as_of=AS_OF
        )
    )
    assert batch == [scalar] * 40


@pytest.mark.parametrize("mark", ["\u200e", "\u202a", "\u2066", "\u00a0", "\x00", "\ufe0f"])
def test_invisible_characters_are_cleaned_in_the_batch_as_in_the_scalar(mark: str) -> None:
    numbers = pd.Series([f"{mark}110105{mark}19491231002x{mark}", f"110105491231002{mark}"] * 50)
    out = validate_id_column(pd.Series(["RIC"] * len(numbers)), numbers, as_of=AS_OF)
    assert out["id_canonical"].tolist() == ["11010519491231002X"] * len(numbers)
    phones = pd.Series([f"{mark}+86 138{mark}0013 8000{mark}"] * 50)
    assert validate_phone_column(phones)["phone_e164"].tolist() == ["+8613800138000"] * 50
