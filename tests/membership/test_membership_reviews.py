"""Review calendars, averaging windows and validity (issue 11, part 5's calendar)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bankcrm.calendar import (
    ChinaHolidayCalendar,
    ExplicitCalendar,
    Period,
    WeekdayCalendar,
    add_months,
    half_year_of,
)
from bankcrm.errors import CalendarCoverageError, InputError
from bankcrm.membership.ladders import TierLadder
from bankcrm.membership.presets import EVERBRIGHT
from bankcrm.membership.reviews import (
    averaging_window,
    latest_review,
    membership_valid_until,
    next_review,
    review_dates,
    review_window,
    validity_after_review,
)
from bankcrm.policy import read_provenance

CHINA = ChinaHolidayCalendar()
#: Years the installed holiday package covers (2004 onwards; the last year it publishes).
china_days = st.dates(dt.date(CHINA.first_year, 1, 10), dt.date(CHINA.last_year - 1, 12, 31))
any_days = st.dates(dt.date(1900, 1, 1), dt.date(2200, 12, 31))
WEEKDAY_LADDER = attrs.evolve(EVERBRIGHT, calendar="weekday")


def _club(frame: pd.DataFrame) -> list[dt.date]:
    return list(frame.loc[frame["tier"] == "sunshine_club", "review_date"].dt.date)


# ---------------------------------------------------------------- pinned examples
def test_january_2026_club_review_is_sunday_the_fourth() -> None:
    frame = review_dates("2026-01-01", "2026-01-31", ladder=EVERBRIGHT)
    assert _club(frame) == [dt.date(2026, 1, 4)]
    assert dt.date(2026, 1, 4).weekday() == 6  # a Sunday: a make-up working day (调休)
    assert next_review("2025-12-31", EVERBRIGHT, tier="sunshine_club") == dt.date(2026, 1, 4)
    assert latest_review("2026-01-03", EVERBRIGHT, tier="sunshine_club") == dt.date(2025, 7, 1)
    assert latest_review("2026-01-04", EVERBRIGHT, tier="sunshine_club") == dt.date(2026, 1, 4)


def test_review_dates_frame_shape_order_and_provenance() -> None:
    frame = review_dates("2025-06-01", "2026-07-31", ladder=EVERBRIGHT)
    assert list(frame.columns) == ["tier", "review_date"]
    assert str(frame["review_date"].dtype) == "datetime64[s]"
    assert frame["review_date"].is_monotonic_increasing
    assert set(frame["tier"]) == {"wealth", "sunshine_club"}  # the base tier has no reviews
    assert _club(frame) == [dt.date(2025, 7, 1), dt.date(2026, 1, 4), dt.date(2026, 7, 1)]
    assert (frame["tier"] == "wealth").sum() == 14  # one a month
    stamp = read_provenance(frame)[0]
    assert (stamp.policy_name, stamp.policy_version) == (EVERBRIGHT.name, EVERBRIGHT.version)
    same_day = frame[frame["review_date"] == pd.Timestamp("2026-01-04")]
    assert list(same_day["tier"]) == ["wealth", "sunshine_club"]  # ties by rank


def test_review_dates_empty_range_and_explicit_calendar_override() -> None:
    empty = review_dates("2026-01-05", "2026-01-31", ladder=EVERBRIGHT)
    assert empty.empty
    assert list(empty.columns) == ["tier", "review_date"]
    cal = ExplicitCalendar(holidays=[dt.date(2026, 1, 1), dt.date(2026, 1, 2)])
    frame = review_dates("2026-01-01", "2026-01-31", ladder=EVERBRIGHT, calendar=cal)
    assert _club(frame) == [dt.date(2026, 1, 5)]  # this calendar has no make-up Sunday
    first_day = attrs.evolve(
        EVERBRIGHT,
        tiers=tuple(
            attrs.evolve(t, review=attrs.evolve(t.review, day="first_day")) if t.review else t
            for t in EVERBRIGHT.tiers
        ),
    )
    assert _club(review_dates("2026-01-01", "2026-12-31", ladder=first_day)) == [
        dt.date(2026, 1, 1),
        dt.date(2026, 7, 1),
    ]


def test_validity_pins() -> None:
    assert membership_valid_until("2025-08-31", EVERBRIGHT, tier="sunshine_club") == dt.date(
        2026, 2, 28
    )
    assert membership_valid_until("2027-08-31", EVERBRIGHT, tier="sunshine_club") == dt.date(
        2028, 2, 29
    )
    assert membership_valid_until("2026-01-04", EVERBRIGHT, tier="sunshine_club") == dt.date(
        2026, 7, 4
    )
    assert membership_valid_until("2026-01-04", EVERBRIGHT, tier="wealth") is None


def test_window_pins() -> None:
    assert averaging_window("2026-01-04", EVERBRIGHT, tier="sunshine_club") == Period(
        dt.date(2025, 7, 1), dt.date(2025, 12, 31)
    )
    assert averaging_window("2026-01-03", EVERBRIGHT, tier="sunshine_club") == Period(
        dt.date(2025, 1, 1), dt.date(2025, 6, 30)
    )
    assert averaging_window("2026-01-31", EVERBRIGHT, tier="wealth") == Period(
        dt.date(2026, 1, 1), dt.date(2026, 1, 31)
    )
    assert averaging_window("2026-01-30", EVERBRIGHT, tier="wealth") == Period(
        dt.date(2025, 12, 1), dt.date(2025, 12, 31)
    )
    assert review_window("2026-07-01", EVERBRIGHT, tier="sunshine_club").days == 181
    assert review_window("2028-07-03", EVERBRIGHT, tier="sunshine_club").days == 182


# ---------------------------------------------------------------- the clash rule
NOTIFIED, REVIEW = dt.date(2026, 3, 15), dt.date(2026, 7, 1)


def _supersedes() -> TierLadder:
    tiers = tuple(
        attrs.evolve(t, validity_clash="review_supersedes") if t.validity_months else t
        for t in EVERBRIGHT.tiers
    )
    return attrs.evolve(EVERBRIGHT, tiers=tiers)


def test_clash_default_keeps_the_validity() -> None:
    until = membership_valid_until(NOTIFIED, EVERBRIGHT, tier="sunshine_club")
    assert until == dt.date(2026, 9, 15)
    kept = validity_after_review(until, REVIEW, EVERBRIGHT, tier="sunshine_club", qualified=False)
    assert kept == dt.date(2026, 9, 15)
    renewed = validity_after_review(until, REVIEW, EVERBRIGHT, tier="sunshine_club", qualified=True)
    assert renewed == dt.date(2027, 1, 1)
    late = validity_after_review(
        until, REVIEW, EVERBRIGHT, tier="sunshine_club", qualified=True, notified_on="2026-07-10"
    )
    assert late == dt.date(2027, 1, 10)


def test_clash_review_supersedes_ends_it_at_the_review() -> None:
    ladder = _supersedes()
    until = membership_valid_until(NOTIFIED, ladder, tier="sunshine_club")
    ended = validity_after_review(until, REVIEW, ladder, tier="sunshine_club", qualified=False)
    assert ended == dt.date(2026, 6, 30)
    renewed = validity_after_review(until, REVIEW, ladder, tier="sunshine_club", qualified=True)
    assert renewed == dt.date(2027, 1, 1)
    assert TierLadder.from_toml(ladder.to_toml()) == ladder


def test_validity_after_review_guards() -> None:
    not_a_bool: Any = "yes"
    with pytest.raises(InputError) as info:
        validity_after_review(
            "2026-09-15", REVIEW, EVERBRIGHT, tier="sunshine_club", qualified=not_a_bool
        )
    assert info.value.rule == "bool"
    with pytest.raises(InputError) as info:
        validity_after_review(
            "2026-09-15",
            REVIEW,
            EVERBRIGHT,
            tier="sunshine_club",
            qualified=True,
            notified_on="2026-06-30",
        )
    assert info.value.rule == "date_order"
    assert (
        validity_after_review("2026-09-15", REVIEW, EVERBRIGHT, tier="wealth", qualified=True)
        is None
    )


@given(st.dates(dt.date(2000, 1, 1), dt.date(2100, 12, 31)), st.booleans(), st.booleans())
def test_clash_rules_properties(review: dt.date, qualified: bool, supersedes: bool) -> None:
    ladder = _supersedes() if supersedes else EVERBRIGHT
    notified = add_months(review, -4)
    until = membership_valid_until(notified, ladder, tier="sunshine_club")
    assert until is not None
    after = validity_after_review(until, review, ladder, tier="sunshine_club", qualified=qualified)
    assert after is not None
    if qualified:
        assert after == max(until, add_months(review, 6)) or supersedes
        assert after >= review
    elif supersedes:
        assert after == review - dt.timedelta(days=1)
    else:
        assert after == until


# ---------------------------------------------------------------- properties
@given(any_days)
def test_validity_is_six_months_by_anchor(notified: dt.date) -> None:
    until = membership_valid_until(notified, EVERBRIGHT, tier="sunshine_club")
    assert until == add_months(notified, 6)
    assert (until.year - notified.year) * 12 + until.month - notified.month == 6
    assert until.day <= notified.day
    if until.day < notified.day:  # clipped to the end of a shorter month
        assert (until + dt.timedelta(days=1)).day == 1
    assert 181 <= (until - notified).days <= 184


@given(china_days)
def test_china_reviews_are_business_days_and_bracket_as_of(as_of: dt.date) -> None:
    latest = latest_review(as_of, EVERBRIGHT, tier="sunshine_club", calendar=CHINA)
    following = next_review(as_of, EVERBRIGHT, tier="sunshine_club", calendar=CHINA)
    assert latest <= as_of < following
    for day in (latest, following):
        assert CHINA.is_business_day(day)
        assert day.month in (1, 7)
        assert not CHINA.business_days(Period(dt.date(day.year, day.month, 1), day))[:-1]
    between = review_dates(latest, following, ladder=EVERBRIGHT, calendar=CHINA)
    assert _club(between) == [latest, following]
    window = averaging_window(as_of, EVERBRIGHT, tier="sunshine_club", calendar=CHINA)
    assert window == review_window(latest, EVERBRIGHT, tier="sunshine_club")
    assert window.end < latest
    assert window == half_year_of(window.start)
    assert 181 <= window.days <= 184


@given(any_days, st.integers(0, 800))
def test_review_dates_across_year_ends(start: dt.date, length: int) -> None:
    end = start + dt.timedelta(days=length)
    cal = WeekdayCalendar()
    frame = review_dates(start, end, ladder=WEEKDAY_LADDER)
    dates = list(frame["review_date"].dt.date)
    assert dates == sorted(dates)
    assert all(start <= d <= end and cal.is_business_day(d) for d in dates)
    club = _club(frame)
    assert all(d.month in (1, 7) and d.day <= 3 for d in club)
    wealth = list(frame.loc[frame["tier"] == "wealth", "review_date"].dt.date)
    assert len({(d.year, d.month) for d in wealth}) == len(wealth)  # one a month
    assert len(frame) == len(frame.drop_duplicates())


@given(any_days)
def test_monthly_window_follows_as_of(as_of: dt.date) -> None:
    window = averaging_window(as_of, WEEKDAY_LADDER, tier="wealth")
    assert window.end <= as_of
    assert 28 <= window.days <= 31
    assert (as_of - window.end).days <= 31


# ---------------------------------------------------------------- errors
def _as_any(value: Any) -> Any:
    return value


def test_china_calendar_refuses_uncovered_years() -> None:
    year = CHINA.last_year + 2
    with pytest.raises(CalendarCoverageError):
        review_dates(f"{year}-01-01", f"{year}-12-31", ladder=EVERBRIGHT)
    with pytest.raises(CalendarCoverageError):
        next_review(f"{year}-03-01", EVERBRIGHT, tier="sunshine_club")


@pytest.mark.parametrize(
    ("call", "rule", "column"),
    [
        (lambda: review_dates("2026-02-01", "2026-01-01", ladder=EVERBRIGHT), "period", "end"),
        (
            lambda: review_dates("2026-01-01 09:00", "2026-02-01", ladder=EVERBRIGHT),
            "date",
            "start",
        ),
        (lambda: review_dates("2026-01-01", "2026-02-01", ladder=_as_any("x")), "type", "ladder"),
        (
            lambda: review_dates(
                "2026-01-01", "2026-02-01", ladder=EVERBRIGHT, calendar=_as_any("china")
            ),
            "type",
            "calendar",
        ),
        (lambda: latest_review("2026-01-01", EVERBRIGHT, tier="standard"), "domain", "tier"),
        (lambda: averaging_window("2026-01-01", EVERBRIGHT, tier="gold"), "domain", "tier"),
        (
            lambda: membership_valid_until("31/08/2025", EVERBRIGHT, tier="sunshine_club"),
            "date",
            "notified_on",
        ),
        (
            lambda: review_window("2026-07-01T08:00", EVERBRIGHT, tier="sunshine_club"),
            "date",
            "review_date",
        ),
    ],
)
def test_bad_arguments_raise_named_input_errors(call: Any, rule: str, column: str) -> None:
    with pytest.raises(InputError) as info:
        call()
    assert info.value.rule == rule
    assert info.value.column == column
