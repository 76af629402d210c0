"""Business calendars and periods: pinned holiday facts, rolling and month-arithmetic laws."""

from __future__ import annotations

import calendar as stdlib_calendar
import datetime as dt
import itertools
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bankcrm.calendar import (
    BusinessCalendar,
    ChinaHolidayCalendar,
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
    year_of,
)
from bankcrm.errors import CalendarCoverageError, InputError, MissingDependencyError, PolicyError

D = dt.date
CHINA = ChinaHolidayCalendar()
covered_days = st.dates(D(CHINA.first_year, 1, 15), D(CHINA.last_year, 12, 15))
any_days = st.dates(D(1950, 1, 1), D(2150, 12, 31))
KINDS = ["month", "quarter", "half_year", "year"]


# ----------------------------------------------------------------------------- pinned facts


def test_first_working_day_of_january_2026_is_sunday_the_4th() -> None:
    """State Council 2026 schedule: 1–3 Jan off, Sunday 4 Jan a make-up working day."""
    assert D(2026, 1, 4).weekday() == 6
    assert CHINA.is_business_day(D(2026, 1, 4))
    assert not CHINA.is_business_day(D(2026, 1, 2))  # a Friday inside the New Year holiday
    assert CHINA.first_business_day_of_month(2026, 1) == D(2026, 1, 4)
    assert CHINA.next_business_day(D(2025, 12, 31)) == D(2026, 1, 4)
    assert CHINA.previous_business_day(D(2026, 1, 4)) == D(2025, 12, 31)


def test_spring_festival_2026() -> None:
    assert CHINA.is_business_day(D(2026, 2, 14))  # Saturday make-up day
    assert not CHINA.is_business_day(D(2026, 2, 17))  # 春节
    assert CHINA.next_business_day(D(2026, 2, 14)) == D(2026, 2, 24)


def test_national_day_2024() -> None:
    assert not CHINA.is_business_day(D(2024, 10, 1))
    assert CHINA.is_business_day(D(2024, 10, 12))  # Saturday make-up day
    assert CHINA.first_business_day_of_month(2024, 10) == D(2024, 10, 8)


def test_unknown_years_are_refused_not_guessed() -> None:
    later = D(CHINA.last_year + 1, 3, 2)
    with pytest.raises(CalendarCoverageError) as info:
        CHINA.is_business_day(later)
    assert isinstance(info.value, LookupError)
    assert str(CHINA.last_year + 1) in str(info.value)
    with pytest.raises(CalendarCoverageError):
        CHINA.is_business_day(D(CHINA.first_year - 1, 6, 1))
    with pytest.raises(CalendarCoverageError):  # rolling out of the covered range also refuses
        CHINA.next_business_day(D(CHINA.last_year, 12, 31))


def test_missing_package_gives_missing_dependency_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    real = importlib.import_module

    def fake(name: str, package: str | None = None) -> Any:
        if name == "chinese_calendar":
            raise ImportError("no module")
        return real(name, package)

    monkeypatch.setattr(importlib, "import_module", fake)
    with pytest.raises(MissingDependencyError) as info:
        ChinaHolidayCalendar()
    assert isinstance(info.value, ImportError)
    assert "bankcrm[holidays]" in str(info.value)


def test_weekday_calendar() -> None:
    cal = WeekdayCalendar()
    assert cal.first_business_day_of_month(2026, 2) == D(2026, 2, 2)
    assert cal.previous_business_day(D(2026, 1, 5)) == D(2026, 1, 2)
    assert cal.roll_forward(D(2026, 1, 3)) == D(2026, 1, 5)
    assert cal.roll_backward(D(2026, 1, 3)) == D(2026, 1, 2)
    assert cal.roll_forward(D(2026, 1, 2)) == D(2026, 1, 2)
    assert len(cal.business_days(month_of(D(2026, 1, 1)))) == 22


def test_explicit_calendar_matches_the_package_it_was_copied_from() -> None:
    explicit = CHINA.to_explicit(year_of(D(2026, 1, 1)))
    for day in year_of(D(2026, 6, 1)).dates():
        assert explicit.is_business_day(day) is CHINA.is_business_day(day)
    with pytest.raises(CalendarCoverageError):
        explicit.is_business_day(D(2027, 1, 1))


def test_explicit_calendar_validation() -> None:
    with pytest.raises(PolicyError):
        ExplicitCalendar(holidays=[D(2026, 1, 4)], makeup_workdays=[D(2026, 1, 4)])
    closed = ExplicitCalendar(holidays=Period(D(2026, 1, 1), D(2027, 12, 31)).dates())
    with pytest.raises(PolicyError):
        closed.next_business_day(D(2026, 1, 1))


def test_all_calendars_satisfy_the_protocol() -> None:
    for cal in (WeekdayCalendar(), CHINA, ExplicitCalendar()):
        assert isinstance(cal, BusinessCalendar)


def test_month_arithmetic_pinned() -> None:
    assert add_months(D(2026, 1, 31), 1) == D(2026, 2, 28)
    assert add_months(D(2028, 1, 31), 1) == D(2028, 2, 29)
    assert add_months(D(2026, 1, 31), 2) == D(2026, 3, 31)
    assert add_months(add_months(D(2026, 1, 31), 1), 1) == D(2026, 3, 28)  # the trap avoided
    assert add_months(D(2026, 3, 31), -13) == D(2025, 2, 28)
    assert month_schedule(D(2026, 8, 31), 4, step=6) == [
        D(2026, 8, 31),
        D(2027, 2, 28),
        D(2027, 8, 31),
        D(2028, 2, 29),
    ]
    with pytest.raises(InputError):
        add_months(D(2026, 1, 1), 1.5)  # type: ignore[arg-type]


def test_periods_pinned() -> None:
    assert month_of(D(2028, 2, 10)) == Period(D(2028, 2, 1), D(2028, 2, 29))
    assert calendar_days(month_of(D(2026, 2, 10))) == 28
    assert quarter_of(D(2026, 12, 31)) == Period(D(2026, 10, 1), D(2026, 12, 31))
    assert half_year_of(D(2026, 6, 30)) == Period(D(2026, 1, 1), D(2026, 6, 30))
    assert calendar_days(year_of(D(2026, 1, 1))) == 365
    assert calendar_days(year_of(D(2028, 1, 1))) == 366
    assert [p.start for p in periods_between(D(2025, 11, 5), D(2026, 1, 1), "month")] == [
        D(2025, 11, 1),
        D(2025, 12, 1),
        D(2026, 1, 1),
    ]
    assert len(Period(D(2026, 1, 1), D(2026, 1, 31)).to_numpy()) == 31
    with pytest.raises(InputError):
        Period(D(2026, 2, 1), D(2026, 1, 1))
    with pytest.raises(InputError):
        period_of(D(2026, 1, 1), "week")  # type: ignore[arg-type]
    with pytest.raises(InputError):
        periods_between(D(2026, 2, 1), D(2026, 1, 1), "month")


@pytest.mark.parametrize(
    "value",
    [
        D(2026, 1, 4),
        dt.datetime(2026, 1, 4),
        pd.Timestamp("2026-01-04"),
        np.datetime64("2026-01-04"),
        "2026-01-04",
        "2026-01-04T00:00",
    ],
)
def test_as_date_accepts_date_likes(value: Any) -> None:
    assert as_date(value) == D(2026, 1, 4)


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        (dt.datetime(2026, 1, 4, 23, 59), "date"),
        (pd.Timestamp("2026-01-04 10:00"), "date"),
        (np.datetime64("2026-01-04T00:00:01"), "date"),
        ("2026-01-04 10:00", "date"),
        (pd.Timestamp("2026-01-04", tz="Asia/Shanghai"), "timezone"),
        ("2026-01-04T00:00+08:00", "timezone"),
    ],
)
def test_as_date_refuses_a_time_of_day_or_a_zone_and_says_so(value: Any, rule: str) -> None:
    # Contract rule 1: a decision date is a whole day; the old coercer truncated these.
    with pytest.raises(InputError) as info:
        as_date(value, name="as_of")
    assert info.value.rule == rule
    assert info.value.column == "as_of"
    assert ("time of day" if rule == "date" else "time-zone-aware") in str(info.value)


@pytest.mark.parametrize("value", [None, "04/01/2026", 20260104, pd.NaT, np.datetime64("NaT")])
def test_as_date_rejects_others(value: Any) -> None:
    with pytest.raises(InputError):
        as_date(value)


# ----------------------------------------------------------------------------- properties


calendars = st.sampled_from(
    [
        WeekdayCalendar(),
        CHINA,
        ExplicitCalendar(holidays=[D(2026, 1, 1), D(2026, 1, 2)], makeup_workdays=[D(2026, 1, 4)]),
    ]
)


@given(calendars, covered_days)
def test_next_business_day_laws(cal: Any, day: dt.date) -> None:
    nxt = cal.next_business_day(day)
    assert nxt > day
    assert cal.is_business_day(nxt)
    assert all(not cal.is_business_day(day + dt.timedelta(k)) for k in range(1, (nxt - day).days))
    assert cal.previous_business_day(nxt) == cal.roll_backward(day)


@given(calendars, covered_days)
def test_previous_business_day_laws(cal: Any, day: dt.date) -> None:
    prev = cal.previous_business_day(day)
    assert prev < day
    assert cal.is_business_day(prev)
    assert all(not cal.is_business_day(prev + dt.timedelta(k)) for k in range(1, (day - prev).days))
    if cal.is_business_day(day):
        assert cal.next_business_day(prev) == day


@given(calendars, covered_days)
def test_roll_forward_is_idempotent(cal: Any, day: dt.date) -> None:
    rolled = cal.roll_forward(day)
    assert cal.roll_forward(rolled) == rolled
    assert (rolled == day) is cal.is_business_day(day)


@given(covered_days)
def test_first_business_day_of_month_is_in_the_month(day: dt.date) -> None:
    first = CHINA.first_business_day_of_month(day.year, day.month)
    assert (first.year, first.month) == (day.year, day.month)
    assert CHINA.is_business_day(first)
    assert all(not CHINA.is_business_day(D(day.year, day.month, k)) for k in range(1, first.day))


@given(any_days, st.integers(-600, 600))
def test_add_months_laws(anchor: dt.date, n: int) -> None:
    result = add_months(anchor, n)
    months = result.year * 12 + result.month - (anchor.year * 12 + anchor.month)
    assert months == n
    last_day = stdlib_calendar.monthrange(result.year, result.month)[1]
    assert result.day == min(anchor.day, last_day)
    if anchor.day <= 28:
        assert add_months(result, -n) == anchor


@given(any_days, st.integers(1, 30), st.integers(1, 12))
def test_schedule_always_computes_from_the_anchor(anchor: dt.date, count: int, step: int) -> None:
    schedule = month_schedule(anchor, count, step=step)
    assert schedule == [add_months(anchor, k * step) for k in range(count)]
    assert all(d.day == min(anchor.day, 28) or d.day >= 28 for d in schedule)


@given(any_days, st.sampled_from(KINDS))
def test_period_contains_its_date_and_tiles(day: dt.date, kind: Any) -> None:
    period = period_of(day, kind)
    assert day in period
    assert period.start.day == 1
    assert period_of(period.start, kind) == period == period_of(period.end, kind)
    following = period_of(period.end + dt.timedelta(days=1), kind)
    assert following.start == period.end + dt.timedelta(days=1)
    expected = {"month": (28, 31), "quarter": (90, 92), "half_year": (181, 184), "year": (365, 366)}
    low, high = expected[kind]
    assert low <= calendar_days(period) <= high


@given(any_days, any_days, st.sampled_from(KINDS))
def test_periods_between_cover_the_range_without_gaps(a: dt.date, b: dt.date, kind: Any) -> None:
    start, end = min(a, b), max(a, b)
    periods = periods_between(start, end, kind)
    assert start in periods[0]
    assert end in periods[-1]
    for left, right in itertools.pairwise(periods):
        assert right.start == left.end + dt.timedelta(days=1)
    assert sum(p.days for p in periods) == (periods[-1].end - periods[0].start).days + 1
