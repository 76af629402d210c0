"""Bad input at every public entry point of the core gives a bankcrm error, never a raw one.

Pinned regressions (each one leaked a raw exception, hung, or silently accepted bad data before)
plus a Hypothesis sweep that throws junk at every public function of the core.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bankcrm.calendar import (
    ExplicitCalendar,
    Period,
    WeekdayCalendar,
    add_months,
    as_date,
    calendar_days,
    half_year_of,
    month_of,
    month_schedule,
    period_of,
    periods_between,
    quarter_of,
)
from bankcrm.errors import BankCRMError, InputError, PolicyError
from bankcrm.frames import Column, FrameSchema, validate_frame
from bankcrm.money import (
    MAX_ABS_FEN,
    Comparator,
    FxRates,
    Money,
    Threshold,
    compare_ratio,
    compare_ratios,
    exact_number,
    parse_amount,
    parse_share,
    to_fen,
    to_millionths,
    to_rmb_fen,
)
from bankcrm.policy import (
    Policy,
    Provenance,
    load_policy,
    read_provenance,
    save_policy,
    stamp_provenance,
)


@attrs.frozen(kw_only=True)
class LimitPolicy(Policy):
    """A policy holding a threshold and a float, as a bank's file would."""

    limit: Threshold
    weight: float = 1.0


LIMIT_FIELDS = {"name": "group_limit", "version": "1", "effective_date": "2026-01-01"}


# ----------------------------------------------------------------------------- money and ratios


@pytest.mark.parametrize(
    "call",
    [
        lambda: exact_number("1e999999999"),
        lambda: exact_number(Decimal("1e-999999999")),
        lambda: parse_share("1e-999999999"),
        lambda: compare_ratio("1e99999999", 1, "0.5", "<"),
        lambda: to_millionths(["1e-99999999"]),
        lambda: Threshold("1e999999999", "<="),
        lambda: Threshold(Decimal("1e999999999"), "<="),
        lambda: compare_ratios(["1e999999999"], [1], "0.5", "<"),
    ],
)
def test_absurd_exponents_are_refused_quickly(call: Callable[[], Any]) -> None:
    """Fraction(Decimal("1e999999999")) would build a billion-digit integer and hang."""
    with pytest.raises(InputError) as info:
        call()
    assert info.value.rule == "range"


def test_moderate_exponents_still_work() -> None:
    assert exact_number("1e300") == 10**300
    assert compare_ratio("1e-300", 1, "0", ">")


@pytest.mark.parametrize("text", ["1e999999999", "-1E+999999999"])
def test_amounts_with_huge_exponents_are_out_of_range(text: str) -> None:
    """abs() of such a Decimal traps decimal.Overflow; the bound check must not use it."""
    with pytest.raises(InputError) as info:
        to_fen([text], column="amount")
    assert (info.value.rule, info.value.rows) == ("range", [0])
    with pytest.raises(InputError):
        parse_amount(Decimal(text))


def test_tiny_amounts_round_to_zero_fen() -> None:
    assert to_fen(["1e-999999999", Decimal("-1e-999999999")]).tolist() == [0, 0]


@pytest.mark.parametrize("fen", [1.5, "abc", None, True, [1], Decimal("0.1"), float("nan")])
def test_money_refuses_anything_but_whole_fen(fen: Any) -> None:
    """Money(1.5) used to truncate silently to 1 fen; Money("abc") leaked a ValueError."""
    with pytest.raises(InputError) as info:
        Money(fen)
    assert info.value.column == "fen"


def test_money_accepts_whole_numbers_in_any_form() -> None:
    assert Money(100.0) == Money(Decimal("100")) == Money(np.int64(100)) == Money(100)
    with pytest.raises(InputError):
        Money(MAX_ABS_FEN + 1)


@pytest.mark.parametrize("currency", [None, "", "  ", 5])
def test_money_currency_must_be_text(currency: Any) -> None:
    with pytest.raises(InputError) as info:
        Money(1, currency)
    assert info.value.column == "currency"


@pytest.mark.parametrize("text", ["==", "x", "", "almost"])
def test_comparator_constructor_gives_input_error(text: str) -> None:
    with pytest.raises(InputError) as info:
        Comparator(text)
    assert info.value.rule == "comparator"
    assert Comparator("不得超过") is Comparator.LE


# ----------------------------------------------------------------------------- FX


def test_rate_on_validates_its_date(usd_rates: FxRates) -> None:
    assert usd_rates.rate_on("USD", "2026-01-05") == Decimal("7.1234")
    assert usd_rates.rate_on("usd", pd.Timestamp("2026-01-05")) == Decimal("7.1234")
    for bad in ["garbage", pd.NaT, None, 20260105, pd.Timestamp("2026-01-05 10:00")]:
        with pytest.raises(InputError) as info:
            usd_rates.rate_on("USD", bad)
        assert info.value.rule == "date"


@pytest.mark.parametrize("rates", [[1], None, {"USD": 5}, {"USD": [("2026-01-02", 7)]}])
def test_from_mapping_needs_mappings(rates: Any) -> None:
    with pytest.raises(InputError) as info:
        FxRates.from_mapping(rates)
    assert info.value.rule == "type"


def test_blank_currency_codes_and_absurd_rates_are_refused() -> None:
    blank = pd.DataFrame({"currency": ["USD", " "], "date": ["2026-01-02"] * 2, "rate": [7, 1]})
    with pytest.raises(InputError) as info:
        FxRates.from_frame(blank)
    assert (info.value.column, info.value.rule, info.value.rows) == ("currency", "missing", [1])
    tiny = pd.DataFrame({"currency": ["USD"], "date": ["2026-01-02"], "rate": ["1e-999999999"]})
    with pytest.raises(InputError) as absurd:
        FxRates.from_frame(tiny)
    assert (absurd.value.column, absurd.value.rule) == ("rate", "range")


def test_to_rmb_fen_checks_the_rates_argument() -> None:
    with pytest.raises(InputError) as info:
        to_rmb_fen([100], ["USD"], ["2026-01-05"], None)  # type: ignore[arg-type]
    assert info.value.rule == "type"


@pytest.mark.parametrize(
    ("amounts", "currency"),
    [
        (np.array([2**64 - 1], dtype=np.uint64), "USD"),  # used to wrap round to -7 fen
        (np.array([2**64 - 1], dtype=np.uint64), "CNY"),  # used to wrap round to -1 fen
        (np.array([2**62], dtype=np.int64), "CNY"),  # passed through beyond the bound
        (np.array([-(2**63)], dtype=np.int64), "RMB"),
    ],
)
def test_to_rmb_fen_bounds_amounts_of_every_currency(
    amounts: Any, currency: str, usd_rates: FxRates
) -> None:
    with pytest.raises(InputError) as info:
        to_rmb_fen(amounts, currency, ["2026-01-05"], usd_rates)
    assert (info.value.rule, info.value.rows) == ("range", [0])


def test_to_rmb_fen_of_nothing_is_nothing(usd_rates: FxRates) -> None:
    out = to_rmb_fen([], [], [], usd_rates)
    assert out.dtype == np.int64
    assert len(out) == 0


# ----------------------------------------------------------------------------- frames


def test_text_nan_in_a_float_column_is_not_a_silent_null() -> None:
    """'nan' text used to become NaN in a non-nullable float column after the null check."""
    schema = FrameSchema("t", [Column("score", "float")])
    with pytest.raises(InputError) as info:
        validate_frame(pd.DataFrame({"score": ["1.5", "nan", "NaN"]}), schema)
    assert (info.value.rule, info.value.rows) == ("numeric", [1, 2])


@pytest.mark.parametrize(
    ("label", "shown"),
    [(110105194912310021, "110105********0021"), (13800138000, "*******8000"), (42, 42)],
)
def test_integer_row_labels_that_are_ids_or_phones_are_masked(label: int, shown: Any) -> None:
    schema = FrameSchema("t", [Column("x", "str")])
    with pytest.raises(InputError) as info:
        validate_frame(pd.DataFrame({"x": [None]}, index=[label]), schema)
    assert info.value.rows == [shown]
    if shown != label:
        assert str(label) not in str(info.value)


def test_schema_errors_keep_their_message() -> None:
    """A bad bound is a schema (policy) problem and says so, not 'cannot validate values'."""
    bad_bound = FrameSchema("t", [Column("d", "date", min_value="soon")])
    with pytest.raises(PolicyError, match="bound 'soon' is invalid"):
        validate_frame(pd.DataFrame({"d": ["2026-01-04"]}), bad_bound)
    naive_bound = FrameSchema("t", [Column("at", "datetime", min_value="2026-01-01")])
    aware = pd.DataFrame({"at": pd.to_datetime(["2026-01-04"]).tz_localize("UTC")})
    with pytest.raises(PolicyError, match="cannot be compared"):
        validate_frame(aware, naive_bound)
    with pytest.raises(PolicyError, match="hashable"):
        Column("x", "str", domain=[["a"]])


# ----------------------------------------------------------------------------- calendar


@pytest.mark.parametrize("text", ["2026-01-04junk", "2026-01-04 and more", "2026-01-0", "x"])
def test_as_date_refuses_trailing_junk(text: str) -> None:
    with pytest.raises(InputError) as info:
        as_date(text)
    assert info.value.rule == "date"


def test_as_date_reads_midnight_iso_datetimes_and_refuses_out_of_range_datetime64() -> None:
    assert as_date("2026-01-04T00:00:00") == dt.date(2026, 1, 4)
    assert as_date(" 2026-01-04 00:00 ") == dt.date(2026, 1, 4)
    for timed in ("2026-01-04T23:59:59", " 2026-01-04 10:30 "):
        with pytest.raises(InputError, match="time of day"):
            as_date(timed)
    for value in (np.datetime64("12026-01-04"), np.datetime64("-0001-01-04")):
        with pytest.raises(InputError):
            as_date(value)


def test_periods_of_the_last_year_of_the_calendar() -> None:
    late = dt.date(9999, 12, 5)
    assert month_of(late).end == dt.date(9999, 12, 31)
    assert quarter_of(late).start == dt.date(9999, 10, 1)
    assert half_year_of(late).days == 184
    assert periods_between(dt.date(9999, 11, 2), late, "month")[-1] == month_of(late)


@pytest.mark.parametrize(
    "call",
    [
        lambda: add_months(dt.date(9999, 12, 1), 1),
        lambda: add_months(dt.date(1, 1, 1), -1),
        lambda: add_months(dt.date(2026, 1, 1), 10**20),
        lambda: WeekdayCalendar().next_business_day(dt.date.max),
        lambda: WeekdayCalendar().previous_business_day(dt.date.min),
    ],
)
def test_calendar_edges_give_range_errors(call: Callable[[], Any]) -> None:
    with pytest.raises(InputError) as info:
        call()
    assert info.value.rule == "range"


def test_calendar_argument_checks() -> None:
    with pytest.raises(InputError):
        period_of(dt.date(2026, 1, 1), ["month"])  # type: ignore[arg-type]
    with pytest.raises(InputError):
        month_schedule(dt.date(2026, 1, 31), "3")  # type: ignore[arg-type]
    with pytest.raises(InputError):
        month_schedule(dt.date(2026, 1, 31), -1)
    with pytest.raises(InputError):
        calendar_days(None)  # type: ignore[arg-type]
    with pytest.raises(PolicyError):
        ExplicitCalendar(holidays="2026-01-01")
    with pytest.raises(PolicyError):
        ExplicitCalendar(holidays=5)  # type: ignore[arg-type]
    assert ExplicitCalendar(holidays=None).is_business_day(dt.date(2026, 1, 1))
    assert month_schedule(dt.date(2026, 1, 31), 2, step=np.int64(2)) == [  # type: ignore[arg-type]
        dt.date(2026, 1, 31),
        dt.date(2026, 3, 31),
    ]


# ----------------------------------------------------------------------------- policy


def test_policy_files_may_write_thresholds_as_people_do() -> None:
    text = "\n".join(
        [
            *(f'{k} = "{v}"' for k, v in LIMIT_FIELDS.items()),
            "[limit]",
            'value = "15%"',
            'comparator = "不得超过"',
        ]
    )
    policy = LimitPolicy.from_toml(text)
    assert policy.limit == Threshold(Decimal("0.15"), "<=")
    assert LimitPolicy.from_toml(policy.to_toml()) == policy
    with pytest.raises(PolicyError, match=r"limit\.value: bad decimal 'abc'"):
        LimitPolicy.from_dict(LIMIT_FIELDS | {"limit": {"value": "abc", "comparator": "<="}})
    with pytest.raises(PolicyError, match="limit"):
        LimitPolicy.from_dict(LIMIT_FIELDS | {"limit": {"value": "1e9999", "comparator": "<="}})


@pytest.mark.parametrize(
    "call",
    [
        lambda: LimitPolicy.from_json(None),  # type: ignore[arg-type]
        lambda: LimitPolicy.from_json(5),  # type: ignore[arg-type]
        lambda: LimitPolicy.from_json("[" * 100_000 + "]" * 100_000),
        lambda: LimitPolicy.from_toml(None),  # type: ignore[arg-type]
        lambda: LimitPolicy.from_toml(b"\xff\xfe"),
        lambda: LimitPolicy.from_dict(
            LIMIT_FIELDS | {"limit": {"value": "0.1", "comparator": "<="}, "weight": 10**400}
        ),
        lambda: load_policy(LimitPolicy, None),  # type: ignore[arg-type]
        lambda: load_policy(int, "policy.toml"),  # type: ignore[type-var]
        lambda: save_policy(None, "policy.toml"),  # type: ignore[arg-type]
        lambda: stamp_provenance([1], Provenance("p", "1")),  # type: ignore[arg-type]
        lambda: stamp_provenance(pd.DataFrame(), "p"),  # type: ignore[arg-type]
        lambda: read_provenance(None),  # type: ignore[arg-type]
    ],
)
def test_policy_entry_points_give_policy_errors(call: Callable[[], Any]) -> None:
    with pytest.raises(PolicyError):
        call()


def test_policy_bytes_and_unwritable_files(tmp_path: Path) -> None:
    policy = LimitPolicy(
        name="g", version="1", effective_date=dt.date(2026, 1, 1), limit=Threshold("15%", "<=")
    )
    assert LimitPolicy.from_toml(policy.to_toml().encode("utf-8")) == policy
    (tmp_path / "taken.json").mkdir()
    with pytest.raises(PolicyError, match="cannot write"):
        save_policy(policy, tmp_path / "taken.json")
    with pytest.raises(PolicyError, match="cannot write"):
        save_policy(policy, tmp_path / "missing" / "p.toml")


# ----------------------------------------------------------------------------- the sweep

junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.decimals(),
    st.fractions(),
    st.text(max_size=12),
    st.binary(max_size=4),
    st.dates(),
    st.datetimes(),
    st.sampled_from(
        [
            pd.NaT,
            pd.NA,
            np.datetime64("NaT"),
            np.datetime64("2026-01-04"),
            np.int64(7),
            np.uint64(2**64 - 1),
            np.float32(1.5),
            complex(1, 2),
            "1e999999999",
            "1e-999999999",
            "2026-01-04",
            "15%",
            "以上",
            "nan",
            "-inf",
            Decimal("sNaN"),
            Decimal("1e999999999"),
            dt.date.max,
            dt.date.min,
        ]
    ),
    st.lists(st.one_of(st.none(), st.integers(), st.floats(), st.text(max_size=5)), max_size=4),
    st.just({"k": "v"}),
    st.just(pd.Series([1, None, "x"], dtype=object)),
    st.just(np.zeros((2, 2))),
)

ENTRY_POINTS: dict[str, Callable[..., Any]] = {
    "to_fen": lambda a, b, c, rates: to_fen(a, column="x"),
    "parse_amount": lambda a, b, c, rates: parse_amount(a),
    "Money": lambda a, b, c, rates: Money(a, b),
    "Money.from_yuan": lambda a, b, c, rates: Money.from_yuan(a, b),
    "to_millionths": lambda a, b, c, rates: to_millionths(a),
    "parse_share": lambda a, b, c, rates: parse_share(a),
    "exact_number": lambda a, b, c, rates: exact_number(a),
    "compare_ratio": lambda a, b, c, rates: compare_ratio(a, b, c, "<="),
    "compare_ratios": lambda a, b, c, rates: compare_ratios(a, b, c, ">"),
    "Threshold": lambda a, b, c, rates: Threshold(a, b).holds(c),
    "Comparator.parse": lambda a, b, c, rates: Comparator.parse(a),
    "FxRates.from_mapping": lambda a, b, c, rates: FxRates.from_mapping(a),
    "FxRates.from_frame": lambda a, b, c, rates: FxRates.from_frame(
        pd.DataFrame({"currency": [b], "date": [a], "rate": [c]})
    ),
    "rate_on": lambda a, b, c, rates: rates.rate_on(b if isinstance(b, str) else "USD", a),
    "to_rmb_fen": lambda a, b, c, rates: to_rmb_fen(a, b, c, rates),
    "as_date": lambda a, b, c, rates: as_date(a),
    "add_months": lambda a, b, c, rates: add_months(a, b),
    "month_schedule": lambda a, b, c, rates: month_schedule(
        a, b if isinstance(b, int) else 2, step=c
    ),
    "period_of": lambda a, b, c, rates: period_of(a, b),
    "periods_between": lambda a, b, c, rates: periods_between(a, b, "quarter"),
    "Period": lambda a, b, c, rates: Period(a, b),
    "WeekdayCalendar.next": lambda a, b, c, rates: WeekdayCalendar().next_business_day(a),
    "WeekdayCalendar.previous": lambda a, b, c, rates: WeekdayCalendar().previous_business_day(a),
    "WeekdayCalendar.first": lambda a, b, c, rates: WeekdayCalendar().first_business_day_of_month(
        a, b
    ),
    "ExplicitCalendar": lambda a, b, c, rates: ExplicitCalendar(holidays=a).roll_forward(b),
    "Policy.from_dict": lambda a, b, c, rates: LimitPolicy.from_dict(
        LIMIT_FIELDS | {"effective_date": a, "limit": {"value": b, "comparator": c}}
    ),
    "Policy.from_json": lambda a, b, c, rates: LimitPolicy.from_json(a),
    "Policy.from_toml": lambda a, b, c, rates: LimitPolicy.from_toml(a),
    "Provenance": lambda a, b, c, rates: Provenance(a, b, c),
}


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.sampled_from(sorted(ENTRY_POINTS)), junk, junk, junk)
def test_junk_at_any_entry_point_gives_a_bankcrm_error(
    usd_rates: FxRates, name: str, a: Any, b: Any, c: Any
) -> None:
    """Either a result or a BankCRMError; never a raw TypeError/ValueError/KeyError/Overflow."""
    with contextlib.suppress(BankCRMError):
        ENTRY_POINTS[name](a, b, c, usd_rates)


def test_the_sweep_reaches_errors_and_results(usd_rates: FxRates) -> None:
    """The sweep's entry points really do raise on junk and pass on good values."""
    with pytest.raises(BankCRMError):
        ENTRY_POINTS["compare_ratio"](1, 0, "15%", usd_rates)
    assert ENTRY_POINTS["compare_ratio"](15, 100, "15%", usd_rates) is True
    assert math.isclose(float(ENTRY_POINTS["parse_share"]("35%", None, None, usd_rates)), 0.35)
    assert ENTRY_POINTS["exact_number"]("1/3", None, None, usd_rates) == Fraction(1, 3)
    assert ENTRY_POINTS["to_rmb_fen"]([100], "USD", ["2026-01-05"], usd_rates).tolist() == [712]


@given(st.text(alphabet="abc ,", max_size=40))
def test_ids_inside_long_values_are_masked_before_messages_cut_them(prefix: str) -> None:
    """Messages shorten long values; shortening first used to leave a partial, unmasked id."""
    value = f"{prefix}44030419800101001X and more"
    with pytest.raises(InputError) as info:
        validate_frame(pd.DataFrame({"n": [value]}), FrameSchema("t", [Column("n", "int")]))
    assert "19800101" not in str(info.value)
    with pytest.raises(InputError) as date:
        as_date("44030419800101001X")
    assert "19800101" not in str(date.value)


def test_rates_errors_name_the_callers_own_columns() -> None:
    frame = pd.DataFrame({"ccy": ["USD", "USD"], "day": ["2026-01-02", "x"], "px": [7.1, -1]})
    with pytest.raises(InputError) as info:
        FxRates.from_frame(frame, currency="ccy", date="day", rate="px")
    assert (info.value.column, info.value.rule, info.value.rows) == ("day", "date", [1])
    with pytest.raises(InputError) as rate:
        FxRates.from_frame(
            frame.assign(day="2026-01-0" + pd.Series(["2", "5"])),
            currency="ccy",
            date="day",
            rate="px",
        )
    assert (rate.value.column, rate.value.rule, rate.value.rows) == ("px", "positive", [1])
    with pytest.raises(InputError) as same:
        FxRates.from_frame(frame, currency="ccy", date="ccy", rate="px")
    assert same.value.rule == "columns"
    good = FxRates.from_frame(frame.iloc[:1], currency="ccy", date="day", rate="px")
    assert good.rate_on("USD", dt.date(2026, 1, 3)) == Decimal("7.1")


@pytest.mark.parametrize(("year", "month"), [(2**31, 1), (2026, 2**63), (0, 1), (2026, 0)])
def test_first_business_day_of_an_impossible_month(year: int, month: int) -> None:
    with pytest.raises(InputError) as info:
        WeekdayCalendar().first_business_day_of_month(year, month)
    assert info.value.rule == "date"


def _to_tuple(values: Any) -> tuple[Threshold, ...]:
    return tuple(values)


@attrs.frozen(kw_only=True)
class LadderPolicy(Policy):
    """A container field with a converter that would accept anything."""

    steps: tuple[Threshold, ...] = attrs.field(converter=_to_tuple)


def test_container_fields_never_skip_decoding_through_their_converter() -> None:
    good = {"value": "0.15", "comparator": "<="}
    policy = LadderPolicy.from_dict(LIMIT_FIELDS | {"steps": [good]})
    assert policy.steps == (Threshold("15%", "<="),)
    with pytest.raises(PolicyError, match=r"steps\[1\]"):
        LadderPolicy.from_dict(LIMIT_FIELDS | {"steps": [good, {"value": "x", "oops": 1}]})
    with pytest.raises(PolicyError, match="steps"):
        LadderPolicy.from_dict(LIMIT_FIELDS | {"steps": "abc"})


@pytest.mark.parametrize(
    "values",
    [["ok", "bad\ud800x", "fine", None], ["ok", 12, "bad\ud800x", None]],
    ids=["all-text", "mixed"],
)
def test_lone_surrogates_in_a_text_column_name_the_rule_and_rows(values: list[Any]) -> None:
    schema = FrameSchema("t", (Column("name", "str", nullable=True),))
    frame = pd.DataFrame({"name": pd.Series(values, dtype=object)})
    with pytest.raises(InputError) as caught:
        validate_frame(frame, schema)
    assert caught.value.rule == "not_unicode"
    assert caught.value.column == "name"
    assert caught.value.rows == [values.index("bad\ud800x")]
