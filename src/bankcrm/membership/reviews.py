"""Review calendars, averaging windows and validity of tier memberships.

A tier with a :class:`~bankcrm.membership.ladders.ReviewSchedule` is reviewed in its months on
the first business day (by the ladder's business calendar) or on the 1st. With the China
holiday calendar the January 2026 review of the 阳光汇 club falls on **Sunday 2026-01-04**, a
make-up working day (调休):

>>> import datetime as dt
>>> from bankcrm.membership.presets import EVERBRIGHT
>>> club = review_dates("2025-12-01", "2026-12-31", ladder=EVERBRIGHT)
>>> club[club["tier"] == "sunshine_club"]["review_date"].dt.date.tolist()
[datetime.date(2026, 1, 4), datetime.date(2026, 7, 1)]

The window a decision averages over (:func:`averaging_window`): the wealth tier uses the last
calendar month that ends on or before ``as_of``; the club the calendar half-year before its
latest review on or before ``as_of``:

>>> averaging_window("2026-03-15", EVERBRIGHT, tier="wealth")
Period(start=datetime.date(2026, 2, 1), end=datetime.date(2026, 2, 28))
>>> averaging_window("2026-03-15", EVERBRIGHT, tier="sunshine_club")
Period(start=datetime.date(2025, 7, 1), end=datetime.date(2025, 12, 31))

Validity runs from notification by anchor-based month arithmetic (31 August + 6 months is the
end of February), and a review inside a validity follows the tier's ``validity_clash`` rule
(:func:`validity_after_review`):

>>> membership_valid_until("2025-08-31", EVERBRIGHT, tier="sunshine_club")
datetime.date(2026, 2, 28)
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from bankcrm.calendar import BusinessCalendar, Period, add_months, as_date
from bankcrm.errors import InputError, PolicyError
from bankcrm.membership.ladders import Tier, TierLadder
from bankcrm.membership.ladders import checked_calendar as _calendar
from bankcrm.membership.ladders import checked_ladder as _ladder
from bankcrm.policy import stamp_provenance

__all__ = [
    "averaging_window",
    "latest_review",
    "membership_valid_until",
    "next_review",
    "review_dates",
    "review_window",
    "validity_after_review",
]

#: How many months back (or forward) a review search looks: a schedule has at least one review
#: a year, and a first business day can push a review past ``as_of`` in its own month.
_SEARCH_MONTHS = 25


def _reviewed_tier(ladder: TierLadder, tier: str | Tier) -> Tier:
    found = ladder.tier(tier)
    if found.review is None:
        raise InputError(
            f"tier {found.tier_id!r} has no review schedule (no requirement)",
            column="tier",
            rule="domain",
        )
    return found


def _review_in_month(tier: Tier, year: int, month: int, calendar: BusinessCalendar) -> dt.date:
    assert tier.review is not None
    if tier.review.day == "first_day":
        return dt.date(year, month, 1)
    return calendar.first_business_day_of_month(year, month)


def _month_starts(first: dt.date, count: int, step: int) -> list[dt.date]:
    anchor = dt.date(first.year, first.month, 1)
    out = []
    for k in range(count):
        try:
            out.append(add_months(anchor, k * step))
        except InputError:
            break
    return out


def review_dates(
    start: Any, end: Any, *, ladder: TierLadder, calendar: BusinessCalendar | None = None
) -> pd.DataFrame:
    """Every review of every reviewed tier of ``ladder`` in ``[start, end]`` (both included).

    Args:
        start: the first day of the range (a scalar date).
        end: the last day of the range (inclusive).
        ladder: the tier ladder; tiers without a review schedule (the base tier) have no rows.
        calendar: a business calendar overriding the ladder's own (``None``: the ladder's; for
            ``"china"`` a missing ``chinese_calendar`` package is a
            :class:`~bankcrm.errors.MissingDependencyError` and a year it has no data for a
            :class:`~bankcrm.errors.CalendarCoverageError` — never a guess).

    Returns:
        A frame of ``tier`` and ``review_date`` (``datetime64[s]``), sorted by date and then
        by the tier's rank, stamped with the ladder's provenance.

    Raises:
        InputError: ``end`` before ``start`` (rule ``period``), a bad date (rule ``date``), a
            ladder or calendar of the wrong type (rule ``type``).

    Examples:
        >>> from bankcrm.calendar import WeekdayCalendar
        >>> from bankcrm.membership.presets import EVERBRIGHT
        >>> review_dates("2026-01-01", "2026-02-28", ladder=EVERBRIGHT,
        ...              calendar=WeekdayCalendar())
                    tier review_date
        0         wealth  2026-01-01
        1  sunshine_club  2026-01-01
        2         wealth  2026-02-02
    """
    first, last = as_date(start, name="start"), as_date(end, name="end")
    if last < first:
        raise InputError(f"end {last} is before start {first}", column="end", rule="period")
    the_ladder = _ladder(ladder)
    cal = _calendar(the_ladder, calendar)
    rows: list[tuple[dt.date, int, str]] = []
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    for rank, tier in enumerate(the_ladder.tiers):
        if tier.review is None:
            continue
        for month_start in _month_starts(first, months, 1):
            if month_start.month not in tier.review.months:
                continue
            day = _review_in_month(tier, month_start.year, month_start.month, cal)
            if first <= day <= last:
                rows.append((day, rank, tier.tier_id))
    rows.sort()
    frame = pd.DataFrame(
        {
            "tier": pd.Series([r[2] for r in rows], dtype=object),
            "review_date": pd.Series(
                pd.to_datetime([r[0] for r in rows]) if rows else [], dtype="datetime64[s]"
            ).astype("datetime64[s]"),
        }
    )
    return stamp_provenance(
        frame, the_ladder.provenance(None, producer="bankcrm.membership.review_dates")
    )


def latest_review(
    as_of: Any, ladder: TierLadder, *, tier: str | Tier, calendar: BusinessCalendar | None = None
) -> dt.date:
    """The tier's latest review on or before ``as_of``.

    Raises:
        InputError: an unknown tier or one without a review schedule (rule ``domain``), a bad
            date (rule ``date``).

    >>> from bankcrm.membership.presets import EVERBRIGHT
    >>> latest_review("2026-01-03", EVERBRIGHT, tier="sunshine_club")   # 4 Jan not yet reached
    datetime.date(2025, 7, 1)
    """
    day = as_date(as_of, name="as_of")
    the_ladder = _ladder(ladder)
    found = _reviewed_tier(the_ladder, tier)
    cal = _calendar(the_ladder, calendar)
    assert found.review is not None
    for month_start in _month_starts(day, _SEARCH_MONTHS, -1):
        if month_start.month in found.review.months:
            review = _review_in_month(found, month_start.year, month_start.month, cal)
            if review <= day:
                return review
    raise InputError(f"no review on or before {day}", column="as_of", rule="range")


def next_review(
    as_of: Any, ladder: TierLadder, *, tier: str | Tier, calendar: BusinessCalendar | None = None
) -> dt.date:
    """The tier's first review strictly after ``as_of`` (when the next notification is due).

    >>> from bankcrm.membership.presets import EVERBRIGHT
    >>> next_review("2025-12-31", EVERBRIGHT, tier="sunshine_club")
    datetime.date(2026, 1, 4)
    """
    day = as_date(as_of, name="as_of")
    the_ladder = _ladder(ladder)
    found = _reviewed_tier(the_ladder, tier)
    cal = _calendar(the_ladder, calendar)
    assert found.review is not None
    for month_start in _month_starts(day, _SEARCH_MONTHS, 1):
        if month_start.month in found.review.months:
            review = _review_in_month(found, month_start.year, month_start.month, cal)
            if review > day:
                return review
    raise InputError(f"no review after {day}", column="as_of", rule="range")


def review_window(review_date: Any, ladder: TierLadder, *, tier: str | Tier) -> Period:
    """The window a review on ``review_date`` averages over: the tier's last whole window that
    ends before the review day (the review day's own balance is not yet closed).

    >>> from bankcrm.membership.presets import EVERBRIGHT
    >>> review_window("2026-07-01", EVERBRIGHT, tier="sunshine_club")
    Period(start=datetime.date(2026, 1, 1), end=datetime.date(2026, 6, 30))
    """
    day = as_date(review_date, name="review_date")
    found = _ladder(ladder).tier(tier)
    try:
        before = day - dt.timedelta(days=1)
    except OverflowError:
        raise InputError(
            f"no window ends before {day}", column="review_date", rule="range"
        ) from None
    return found.window_ending_on_or_before(before)


def averaging_window(
    as_of: Any, ladder: TierLadder, *, tier: str | Tier, calendar: BusinessCalendar | None = None
) -> Period:
    """The window a decision on ``as_of`` averages over.

    A tier decided at ``as_of`` (``review.decided_at == "as_of"``, e.g. EVERBRIGHT's wealth
    tier) uses its last whole window that ends on or before ``as_of``; a tier decided at its
    reviews (the club) uses the window before its latest review on or before ``as_of``
    (:func:`review_window` of :func:`latest_review`).

    Raises:
        InputError: an unknown tier or one without a requirement (rule ``domain``).

    >>> from bankcrm.membership.presets import EVERBRIGHT
    >>> averaging_window("2026-01-31", EVERBRIGHT, tier="wealth")
    Period(start=datetime.date(2026, 1, 1), end=datetime.date(2026, 1, 31))
    """
    day = as_date(as_of, name="as_of")
    the_ladder = _ladder(ladder)
    found = _reviewed_tier(the_ladder, tier)
    assert found.review is not None
    if found.review.decided_at == "as_of":
        return found.window_ending_on_or_before(day)
    review = latest_review(day, the_ladder, tier=found, calendar=calendar)
    return review_window(review, the_ladder, tier=found)


def membership_valid_until(
    notified_on: Any, ladder: TierLadder, *, tier: str | Tier
) -> dt.date | None:
    """The last day a membership notified on ``notified_on`` is valid (inclusive), or ``None``
    for a tier without a validity (valid until the next decision).

    ``add_months(notified_on, validity_months)``, computed from the anchor: 31 August + 6 months
    is 28 February (29 in a leap year). For a review decision ``notified_on`` is the review
    date unless the bank notified later.

    >>> from bankcrm.membership.presets import EVERBRIGHT
    >>> membership_valid_until("2027-08-31", EVERBRIGHT, tier="sunshine_club")   # 2028 is leap
    datetime.date(2028, 2, 29)
    >>> membership_valid_until("2026-03-15", EVERBRIGHT, tier="wealth") is None
    True
    """
    day = as_date(notified_on, name="notified_on")
    found = _ladder(ladder).tier(tier)
    if found.validity_months is None:
        return None
    return add_months(day, found.validity_months)


def validity_after_review(
    valid_until: Any,
    review_date: Any,
    ladder: TierLadder,
    *,
    tier: str | Tier,
    qualified: bool,
    notified_on: Any = None,
) -> dt.date | None:
    """A member's validity after a review that falls inside it, by the tier's ``validity_clash``.

    - qualified at the review: renewed — valid to ``add_months(notified_on, months)``
      (``notified_on`` defaults to the review date); with ``"keep_validity"`` never shorter
      than the current validity.
    - not qualified, ``"keep_validity"`` (default): the current validity stands (notified
      15 March, failing the 1 July review: still valid to 15 September, then lapses).
    - not qualified, ``"review_supersedes"``: the membership ends the day before the review
      (or at its current end, if that is earlier).

    Returns ``None`` for a tier without validity.

    Raises:
        InputError: ``qualified`` not a bool (rule ``bool``), a bad date (rule ``date``).

    >>> from bankcrm.membership.presets import EVERBRIGHT
    >>> validity_after_review("2026-09-15", "2026-07-01", EVERBRIGHT, tier="sunshine_club",
    ...                       qualified=False)
    datetime.date(2026, 9, 15)
    >>> validity_after_review("2026-09-15", "2026-07-01", EVERBRIGHT, tier="sunshine_club",
    ...                       qualified=True)
    datetime.date(2027, 1, 1)
    """
    current = as_date(valid_until, name="valid_until")
    review = as_date(review_date, name="review_date")
    if not isinstance(qualified, bool):
        raise InputError("qualified must be True or False", column="qualified", rule="bool")
    found = _ladder(ladder).tier(tier)
    if found.validity_months is None:
        return None
    notified = review if notified_on is None else as_date(notified_on, name="notified_on")
    if notified < review:
        raise InputError(
            f"notified_on {notified} is before the review {review}",
            column="notified_on",
            rule="date_order",
        )
    if qualified:
        renewed = add_months(notified, found.validity_months)
        if found.validity_clash == "keep_validity":
            return max(current, renewed)
        return renewed
    if found.validity_clash == "keep_validity":
        return current
    if found.validity_clash == "review_supersedes":
        return min(current, review - dt.timedelta(days=1))
    raise PolicyError(f"validity_clash: unknown rule {found.validity_clash!r}")  # pragma: no cover
