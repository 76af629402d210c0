"""Business calendars and calendar periods.

A :class:`BusinessCalendar` answers "is this a business day?" and rolls dates to the next or
previous one. Three implementations:

- :class:`WeekdayCalendar` — Monday to Friday, no holidays (the default when nothing else is
  known).
- :class:`ChinaHolidayCalendar` — the mainland public-holiday schedule with its make-up working
  days (调休), from the ``chinese_calendar`` package (a runtime dependency).
  It **refuses** years the package has no data for (:class:`~bankcrm.errors.CalendarCoverageError`)
  instead of guessing.
- :class:`ExplicitCalendar` — a bank's own list of holidays and make-up working days.

``next_business_day(d)`` is the first business day strictly after ``d`` and
``previous_business_day(d)`` the last one strictly before it; ``roll_forward(d)`` is ``d`` itself
when it is a business day.

Periods are inclusive date ranges (:class:`Period`); :func:`month_of`, :func:`quarter_of`,
:func:`half_year_of` and :func:`year_of` give the period containing a date. Month arithmetic is
anchor-based (:func:`add_months`): Jan 31 + 1 month is Feb 28 (Feb 29 in a leap year), and a
schedule computes each date from its anchor, so the 31st comes back in March.

>>> import datetime as dt
>>> WeekdayCalendar().next_business_day(dt.date(2026, 1, 2))   # a Friday
datetime.date(2026, 1, 5)
>>> add_months(dt.date(2026, 1, 31), 1), add_months(dt.date(2028, 1, 31), 1)
(datetime.date(2026, 2, 28), datetime.date(2028, 2, 29))
>>> quarter_of(dt.date(2026, 5, 20))
Period(start=datetime.date(2026, 4, 1), end=datetime.date(2026, 6, 30))
"""

from __future__ import annotations

import calendar as stdlib_calendar
import datetime as dt
import importlib
from collections.abc import Iterable
from typing import Any, Literal, Protocol, runtime_checkable

import attrs
import numpy as np
import pandas as pd
from dateutil.relativedelta import relativedelta

from bankcrm._tables import type_name
from bankcrm.errors import CalendarCoverageError, InputError, MissingDependencyError, PolicyError
from bankcrm.pii import mask_text

__all__ = [
    "BusinessCalendar",
    "ChinaHolidayCalendar",
    "DateLike",
    "ExplicitCalendar",
    "Period",
    "PeriodKind",
    "WeekdayCalendar",
    "add_months",
    "as_date",
    "calendar_days",
    "half_year_of",
    "month_of",
    "month_schedule",
    "period_of",
    "periods_between",
    "quarter_of",
    "year_of",
]

#: How far :meth:`next_business_day` and friends search before giving up (no calendar closes for
#: a whole year; an explicit calendar that does is a configuration error).
_MAX_SEARCH_DAYS = 366

PeriodKind = Literal["month", "quarter", "half_year", "year"]

#: What a scalar-date argument accepts (see :func:`as_date`); ``datetime`` and pandas
#: ``Timestamp`` are ``date`` subclasses.
DateLike = dt.date | str | np.datetime64


def as_date(value: Any, *, name: str = "date") -> dt.date:
    """The one coercer of scalar dates (``as_of``, ``start``, ``end``, a calendar ``day`` …).

    Accepts a :class:`datetime.date`, ISO 8601 text (``"2026-06-30"``, or a date and time at
    midnight), and a ``datetime``, pandas ``Timestamp`` or ``numpy.datetime64`` at midnight. A
    decision date is a whole day, so a value that carries a time of day is refused rather than
    truncated, and so is a time-zone-aware value (which day it is depends on the zone).
    Datetime *columns* are not scalar dates: they keep their time (see :mod:`bankcrm.frames`).

    Raises:
        InputError: rule ``date`` for a time of day, NaT, malformed text or a value outside
            the years 1..9999 or any other object; rule ``timezone`` for a time-zone-aware
            value. The error names ``name``.

    Examples:
        >>> as_date("2026-01-04"), as_date(pd.Timestamp("2026-01-04"))
        (datetime.date(2026, 1, 4), datetime.date(2026, 1, 4))
        >>> as_date(np.datetime64("2026-01-04T00:00")), as_date("2026-01-04T00:00:00")
        (datetime.date(2026, 1, 4), datetime.date(2026, 1, 4))
        >>> as_date("2026-01-04 10:30", name="as_of")
        Traceback (most recent call last):
        ...
        bankcrm.errors.InputError: column 'as_of': must be a date, got a time of day \
    (2026-01-04 10:30:00); pass the date alone [rule: date]
        >>> as_date("2026-01-04x")
        Traceback (most recent call last):
        ...
        bankcrm.errors.InputError: column 'date': not a date (YYYY-MM-DD): '2026-01-04x' \
    [rule: date]
    """
    if isinstance(value, dt.datetime):  # includes pandas.Timestamp
        if value is pd.NaT:
            raise InputError("missing date (NaT)", column=name, rule="date")
        return _whole_day(value, name)
    if isinstance(value, dt.date):
        return value
    if isinstance(value, np.datetime64):
        if np.isnat(value):
            raise InputError("missing date (NaT)", column=name, rule="date")
        try:
            moment = dt.datetime.fromisoformat(str(value.astype("datetime64[us]")))
        except ValueError:  # years before 1 or after 9999
            raise InputError(f"date out of range: {value!r}", column=name, rule="date") from None
        return _whole_day(moment, name)
    if isinstance(value, str):
        text = value.strip()
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
        parsed: dt.datetime | None
        try:
            parsed = dt.datetime.fromisoformat(text)
        except ValueError:
            parsed = None
        if parsed is not None:
            return _whole_day(parsed, name)
        raise InputError(
            f"not a date (YYYY-MM-DD): {mask_text(repr(value))}", column=name, rule="date"
        )
    raise InputError(
        f"not a date: expected a datetime.date, ISO text or a midnight Timestamp, got "
        f"{type_name(value)}",
        column=name,
        rule="date",
    )


def _whole_day(moment: dt.datetime, name: str) -> dt.date:
    if moment.tzinfo is not None:
        raise InputError(
            f"must be a date, got a time-zone-aware value ({moment.isoformat()}); pass the "
            "date in the bank's own zone",
            column=name,
            rule="timezone",
        )
    if moment.time() != dt.time():
        shown = moment.strftime("%Y-%m-%d %H:%M:%S")
        raise InputError(
            f"must be a date, got a time of day ({shown}); pass the date alone",
            column=name,
            rule="date",
        )
    return moment.date()


def _check_period(instance: Period, _attribute: Any, end: dt.date) -> None:
    if end < instance.start:
        raise InputError(
            f"period ends ({end}) before it starts ({instance.start})", column="end", rule="period"
        )


def _date_field(value: Any) -> dt.date:
    return as_date(value)


@attrs.frozen(order=True)
class Period:
    """An inclusive range of calendar dates.

    >>> p = Period(dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    >>> p.days, dt.date(2026, 2, 28) in p
    (28, True)
    """

    start: dt.date = attrs.field(converter=_date_field)
    end: dt.date = attrs.field(converter=_date_field, validator=_check_period)

    @property
    def days(self) -> int:
        """The number of calendar days, both ends included."""
        return (self.end - self.start).days + 1

    def __contains__(self, day: object) -> bool:
        if not isinstance(day, dt.date):
            return False
        return self.start <= as_date(day) <= self.end

    def dates(self) -> list[dt.date]:
        """Every date of the period, in order."""
        return [self.start + dt.timedelta(days=i) for i in range(self.days)]

    def to_numpy(self) -> np.ndarray[Any, np.dtype[np.datetime64]]:
        """Every date of the period as a ``datetime64[D]`` array (for vectorised joins)."""
        return np.arange(
            np.datetime64(self.start, "D"), np.datetime64(self.end, "D") + 1, dtype="datetime64[D]"
        )


def calendar_days(period: Period) -> int:
    """Calendar days in ``period`` (28–31 for a month, 365/366 for a year).

    Raises:
        InputError: (rule ``type``) if ``period`` is not a :class:`Period`.

    >>> calendar_days(year_of(dt.date(2028, 3, 1)))
    366
    """
    if not isinstance(period, Period):
        raise InputError(
            f"expected a Period, got {type(period).__name__}", column="period", rule="type"
        )
    return period.days


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, stdlib_calendar.monthrange(year, month)[1])


def month_of(day: Any) -> Period:
    """The calendar month containing ``day``."""
    d = as_date(day)
    return Period(dt.date(d.year, d.month, 1), _month_end(d.year, d.month))


def quarter_of(day: Any) -> Period:
    """The calendar quarter containing ``day``."""
    d = as_date(day)
    first = 3 * ((d.month - 1) // 3) + 1
    return Period(dt.date(d.year, first, 1), _month_end(d.year, first + 2))


def half_year_of(day: Any) -> Period:
    """The half year (Jan–Jun or Jul–Dec) containing ``day``.

    >>> half_year_of(dt.date(2026, 7, 1))
    Period(start=datetime.date(2026, 7, 1), end=datetime.date(2026, 12, 31))
    """
    d = as_date(day)
    first = 1 if d.month <= 6 else 7
    return Period(dt.date(d.year, first, 1), _month_end(d.year, first + 5))


def year_of(day: Any) -> Period:
    """The calendar year containing ``day``."""
    d = as_date(day)
    return Period(dt.date(d.year, 1, 1), dt.date(d.year, 12, 31))


_PERIOD_OF = {
    "month": month_of,
    "quarter": quarter_of,
    "half_year": half_year_of,
    "year": year_of,
}


def period_of(day: Any, kind: PeriodKind) -> Period:
    """The period of ``kind`` (``"month"``, ``"quarter"``, ``"half_year"``, ``"year"``)."""
    try:
        period_of_kind = _PERIOD_OF[kind]
    except (KeyError, TypeError):
        raise InputError(
            f"unknown period kind {kind!r}; use one of {sorted(_PERIOD_OF)}",
            column="kind",
            rule="domain",
        ) from None
    return period_of_kind(day)


def periods_between(start: Any, end: Any, kind: PeriodKind) -> list[Period]:
    """The consecutive periods of ``kind`` from the one containing ``start`` to the one
    containing ``end`` (whole periods, in order).

    Examples:
        >>> [p.start.month for p in periods_between(dt.date(2026, 2, 15), dt.date(2026, 9, 1),
        ...                                         "quarter")]
        [1, 4, 7]
    """
    first, last = as_date(start, name="start"), as_date(end, name="end")
    if last < first:
        raise InputError(f"end {last} is before start {first}", column="end", rule="period")
    periods = [period_of(first, kind)]
    while periods[-1].end < last:
        periods.append(period_of(periods[-1].end + dt.timedelta(days=1), kind))
    return periods


def add_months(anchor: Any, months: int) -> dt.date:
    """``anchor`` moved by ``months`` calendar months, the day clipped to the month's end.

    Always compute from the anchor: ``add_months(jan31, 2)`` is Mar 31, whereas adding one
    month twice gives Mar 28. Use :func:`month_schedule` for a series of dates.

    Raises:
        InputError: ``anchor`` is not a date (rule ``date``), ``months`` is not an integer
            (rule ``int``), or the result falls outside the years 1..9999 (rule ``range``).

    >>> add_months(dt.date(2026, 3, 31), -1)
    datetime.date(2026, 2, 28)
    """
    if isinstance(months, bool) or not isinstance(months, int | np.integer):
        raise InputError("months must be an integer", column="months", rule="int")
    start = as_date(anchor, name="anchor")
    try:
        result: dt.date = start + relativedelta(months=int(months))
    except (ValueError, OverflowError):
        raise InputError(
            f"{start} moved by {int(months)} months falls outside the years 1..9999",
            column="months",
            rule="range",
        ) from None
    return result


def month_schedule(anchor: Any, count: int, *, step: int = 1) -> list[dt.date]:
    """``count`` dates ``step`` months apart, each computed from ``anchor``.

    Raises:
        InputError: ``count`` is not a non-negative integer or ``step`` not an integer (rule
            ``int``), or as for :func:`add_months`.

    >>> month_schedule(dt.date(2026, 1, 31), 3)
    [datetime.date(2026, 1, 31), datetime.date(2026, 2, 28), datetime.date(2026, 3, 31)]
    """
    for name, value in (("count", count), ("step", step)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer):
            raise InputError(f"{name} must be an integer", column=name, rule="int")
    if count < 0:
        raise InputError("count must not be negative", column="count", rule="int")
    return [add_months(anchor, k * int(step)) for k in range(int(count))]


@runtime_checkable
class BusinessCalendar(Protocol):
    """What bankcrm needs from a business calendar."""

    def is_business_day(self, day: dt.date) -> bool:
        """Whether ``day`` is a business day."""
        ...

    def next_business_day(self, day: dt.date) -> dt.date:
        """The first business day strictly after ``day``."""
        ...

    def previous_business_day(self, day: dt.date) -> dt.date:
        """The last business day strictly before ``day``."""
        ...

    def first_business_day_of_month(self, year: int, month: int) -> dt.date:
        """The first business day of the given month."""
        ...


class _RollingMixin:
    """Rolling logic shared by the calendars, built on ``is_business_day``."""

    def is_business_day(self, day: dt.date) -> bool:  # pragma: no cover - overridden
        raise NotImplementedError

    def _step(self, day: Any, direction: int, *, include_start: bool) -> dt.date:
        current = as_date(day)
        if include_start and self.is_business_day(current):
            return current
        for _ in range(_MAX_SEARCH_DAYS):
            try:
                current += dt.timedelta(days=direction)
            except OverflowError:
                raise InputError(
                    f"no business day {'after' if direction > 0 else 'before'} {current} "
                    "within the years 1..9999",
                    column="date",
                    rule="range",
                ) from None
            if self.is_business_day(current):
                return current
        raise PolicyError(f"{self!r} has no business day within a year of {as_date(day)}")

    def next_business_day(self, day: dt.date) -> dt.date:
        """The first business day strictly after ``day``."""
        return self._step(day, 1, include_start=False)

    def previous_business_day(self, day: dt.date) -> dt.date:
        """The last business day strictly before ``day``."""
        return self._step(day, -1, include_start=False)

    def roll_forward(self, day: dt.date) -> dt.date:
        """``day`` if it is a business day, else the next one."""
        return self._step(day, 1, include_start=True)

    def roll_backward(self, day: dt.date) -> dt.date:
        """``day`` if it is a business day, else the previous one."""
        return self._step(day, -1, include_start=True)

    def first_business_day_of_month(self, year: int, month: int) -> dt.date:
        """The first business day of the given month."""
        try:
            first = dt.date(year, month, 1)
        except (TypeError, ValueError, OverflowError) as exc:
            raise InputError(f"bad year/month: {exc}", column="month", rule="date") from None
        return self.roll_forward(first)

    def business_days(self, period: Period) -> list[dt.date]:
        """Every business day of ``period``, in order."""
        return [d for d in period.dates() if self.is_business_day(d)]


@attrs.frozen
class WeekdayCalendar(_RollingMixin):
    """Monday to Friday are business days; there are no holidays.

    >>> WeekdayCalendar().first_business_day_of_month(2026, 2)
    datetime.date(2026, 2, 2)
    """

    def is_business_day(self, day: dt.date) -> bool:
        """Whether ``day`` is Monday to Friday."""
        return as_date(day).weekday() < 5


def _date_set(values: Iterable[Any] | None) -> frozenset[dt.date]:
    if values is None:
        return frozenset()
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        raise PolicyError(
            f"holidays and make-up workdays must be a collection of dates, "
            f"got {type(values).__name__}"
        )
    return frozenset(as_date(v) for v in values)


def _optional_period(value: Period | None) -> Period | None:
    if value is not None and not isinstance(value, Period):
        raise PolicyError(f"coverage must be a Period or None, got {type(value).__name__}")
    return value


@attrs.frozen
class ExplicitCalendar(_RollingMixin):
    """A bank's own schedule: weekdays are business days except ``holidays``; weekend days in
    ``makeup_workdays`` are business days too.

    With ``coverage`` set, dates outside it raise
    :class:`~bankcrm.errors.CalendarCoverageError` instead of being guessed.

    >>> cal = ExplicitCalendar(holidays=[dt.date(2026, 1, 1), dt.date(2026, 1, 2)],
    ...                        makeup_workdays=[dt.date(2026, 1, 4)])
    >>> cal.first_business_day_of_month(2026, 1)
    datetime.date(2026, 1, 4)
    """

    holidays: frozenset[dt.date] = attrs.field(factory=frozenset, converter=_date_set)
    makeup_workdays: frozenset[dt.date] = attrs.field(factory=frozenset, converter=_date_set)
    coverage: Period | None = attrs.field(default=None, kw_only=True, converter=_optional_period)
    name: str = attrs.field(default="explicit", kw_only=True)

    def __attrs_post_init__(self) -> None:
        both = sorted(self.holidays & self.makeup_workdays)
        if both:
            raise PolicyError(f"{self.name}: dates both holiday and make-up workday: {both[:5]}")

    def is_business_day(self, day: dt.date) -> bool:
        """Whether ``day`` is a business day of this schedule."""
        d = as_date(day)
        if self.coverage is not None and d not in self.coverage:
            raise CalendarCoverageError(
                f"{self.name} calendar covers {self.coverage.start}..{self.coverage.end}, not {d}"
            )
        if d in self.makeup_workdays:
            return True
        return d.weekday() < 5 and d not in self.holidays

    def __repr__(self) -> str:
        return (
            f"ExplicitCalendar(name={self.name!r}, holidays={len(self.holidays)}, "
            f"makeup_workdays={len(self.makeup_workdays)}, coverage={self.coverage})"
        )


class ChinaHolidayCalendar(_RollingMixin):
    """Mainland China public holidays and make-up working days (调休), from ``chinese_calendar``.

    Only years the installed package has data for are answered; any other year raises
    :class:`~bankcrm.errors.CalendarCoverageError` (upgrade the package when the State Council
    publishes a new schedule, or use an :class:`ExplicitCalendar`).

    Raises:
        MissingDependencyError: if ``chinese_calendar`` is missing (a broken install).

    Examples:
        >>> cal = ChinaHolidayCalendar()
        >>> cal.first_business_day_of_month(2026, 1)    # Sunday 4 Jan 2026 is a make-up workday
        datetime.date(2026, 1, 4)
    """

    def __init__(self) -> None:
        try:
            module = importlib.import_module("chinese_calendar")
        except ImportError as exc:
            raise MissingDependencyError(
                "ChinaHolidayCalendar", "chinese_calendar", "holidays"
            ) from exc
        holidays = frozenset(module.holidays)
        workdays = frozenset(module.workdays)
        self._holidays: frozenset[dt.date] = holidays
        self._workdays: frozenset[dt.date] = workdays
        years = [d.year for d in holidays]
        # the package's own rule: a year is known when it lists holidays for it
        self.first_year: int = min(years)
        self.last_year: int = max(years)
        self.package_version: str = str(getattr(module, "__version__", "unknown"))

    @property
    def coverage(self) -> Period:
        """The dates this calendar can answer for."""
        return Period(dt.date(self.first_year, 1, 1), dt.date(self.last_year, 12, 31))

    def is_business_day(self, day: dt.date) -> bool:
        """Whether ``day`` is a working day in mainland China.

        Raises:
            CalendarCoverageError: for a year outside the package's data.
        """
        d = as_date(day)
        if not self.first_year <= d.year <= self.last_year:
            raise CalendarCoverageError(
                f"chinese_calendar {self.package_version} has holiday data for "
                f"{self.first_year}-{self.last_year} only, not {d.year}; refusing to guess "
                "(upgrade the package or use an ExplicitCalendar)"
            )
        if d in self._workdays:
            return True
        return d.weekday() < 5 and d not in self._holidays

    def to_explicit(self, period: Period | None = None) -> ExplicitCalendar:
        """A frozen copy of the schedule (for a bank to review and extend), covering ``period``."""
        cover = period or self.coverage
        return ExplicitCalendar(
            holidays=[d for d in self._holidays if d in cover],
            makeup_workdays=[d for d in self._workdays if d in cover],
            coverage=cover,
            name=f"chinese_calendar {self.package_version}",
        )

    def __repr__(self) -> str:
        return f"ChinaHolidayCalendar(years={self.first_year}-{self.last_year})"
