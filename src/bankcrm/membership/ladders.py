"""Tier ladders as data: which asset metric, over which window, against which threshold.

A :class:`TierLadder` is a frozen :class:`~bankcrm.policy.Policy` holding :class:`Tier` s from
the lowest (the base tier everybody holds, with no requirement) to the highest. Each tier names

- its **metric** — the asset policy whose daily average decides it (``"financial_assets"``,
  ``"aum"``, ``"total_assets"`` …, by name);
- its **window** — ``"month"``, ``"quarter"``, ``"half_year"``, ``"year"`` (the last whole
  calendar period, see :meth:`Tier.window_ending_on_or_before`) or an integer N (the last N
  whole calendar months);
- its **entry** and **retention** thresholds, in RMB yuan, each a
  :class:`~bankcrm.ratios.Threshold` with an explicit comparator (以上 is inclusive: ``>=``);
- what happens below retention: a **watch** status, **downgrade_after** N consecutive periods,
  a **transition** of M months, the **downgrade_to** tier;
- whether a manually invited member keeps it as a **floor** (``manual_floor``);
- its **validity** (``validity_months`` from notification, by anchor-based
  :func:`~bankcrm.calendar.add_months`) and its **review schedule** (:class:`ReviewSchedule`),
  with the rule for a review that falls inside a validity (``validity_clash``).

The ladder names its business calendar (``"china"``, ``"weekday"`` or an
:class:`~bankcrm.calendar.ExplicitCalendar`) and its partial-period rule. Everything round-trips
through TOML and JSON, so a bank keeps its ladder in a file it edits.

>>> from bankcrm.ratios import Threshold
>>> ladder = TierLadder(
...     name="demo", version="1", effective_date=dt.date(2026, 1, 1), calendar="weekday",
...     tiers=(Tier(tier_id="standard", label_en="Standard", label_zh="普通客户"),
...            Tier(tier_id="gold", label_en="Gold", label_zh="金卡客户",
...                 metric="total_assets", window="month",
...                 entry=Threshold(500_000, "以上"), review=ReviewSchedule())),
... )
>>> ladder.tier("gold").entry
Threshold(value=Decimal('500000'), comparator=<Comparator.GE: '>='>)
>>> TierLadder.from_toml(ladder.to_toml()) == ladder
True
>>> ladder.tier("gold").window_ending_on_or_before(dt.date(2026, 3, 15))
Period(start=datetime.date(2026, 2, 1), end=datetime.date(2026, 2, 28))
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any, Literal

import attrs

from bankcrm.calendar import (
    BusinessCalendar,
    ChinaHolidayCalendar,
    ExplicitCalendar,
    Period,
    WeekdayCalendar,
    add_months,
    as_date,
    period_of,
)
from bankcrm.errors import InputError, PolicyError
from bankcrm.membership.assets import STANDARD_METRICS, AssetPolicy
from bankcrm.policy import Policy, effective, named, versioned
from bankcrm.ratios import Comparator, Threshold

__all__ = [
    "CalendarName",
    "ReviewSchedule",
    "Tier",
    "TierLadder",
    "WindowKind",
]

#: A calendar-period window; an ``int`` window is that many whole calendar months.
WindowKind = Literal["month", "quarter", "half_year", "year"]

#: The business calendars a ladder may name (or give an :class:`ExplicitCalendar`).
CalendarName = Literal["china", "weekday"]

_ID = re.compile(r"[a-z][a-z0-9_]*")
_FLOORS = (Comparator.GE, Comparator.GT)
_MONTHS = tuple(range(1, 13))


# ---------------------------------------------------------------- validators
def _identifier(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, str) or not _ID.fullmatch(value):
        raise PolicyError(
            f"{attribute.name}: must be a lower-case identifier (a-z, 0-9, _), got {value!r}"
        )


def _optional_identifier(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None:
        _identifier(instance, attribute, value)


def _text(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, str) or not value.strip():
        raise PolicyError(f"{attribute.name}: must be a non-empty string, got {value!r}")


def _count(minimum: int) -> Any:
    def check(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise PolicyError(f"{attribute.name}: must be an integer >= {minimum}, got {value!r}")

    return check


def _optional_count(minimum: int) -> Any:
    check = _count(minimum)

    def optional(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value is not None:
            check(instance, attribute, value)

    return optional


def _floor_threshold(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is None:
        return
    if not isinstance(value, Threshold):
        raise PolicyError(f"{attribute.name}: must be a Threshold, got {type(value).__name__}")
    if value.value < 0:
        raise PolicyError(f"{attribute.name}: must not be negative, got {value.value}")
    if value.comparator not in _FLOORS:
        raise PolicyError(
            f"{attribute.name}: a tier requirement is a floor; use >= (以上) or > (超过), "
            f"got {value.comparator.value}"
        )


def _one_of(options: tuple[str, ...]) -> Any:
    def check(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value not in options:
            raise PolicyError(f"{attribute.name}: use one of {list(options)}, got {value!r}")

    return check


def _flag(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, bool):
        raise PolicyError(f"{attribute.name}: must be true or false, got {value!r}")


def _review(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and not isinstance(value, ReviewSchedule):
        raise PolicyError(f"{attribute.name}: must be a ReviewSchedule, got {type(value).__name__}")


def _window(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is None or value in ("month", "quarter", "half_year", "year"):
        return
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 120:
        raise PolicyError(
            f"{attribute.name}: use 'month', 'quarter', 'half_year', 'year' or a number of "
            f"months 1..120, got {value!r}"
        )


def _months(value: Any) -> tuple[int, ...]:
    if isinstance(value, str | bytes) or not hasattr(value, "__iter__"):
        raise PolicyError(f"months: must be a list of months 1..12, got {value!r}")
    return tuple(value)


def _review_months(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    months = tuple(value)
    if not months or any(isinstance(m, bool) or m not in _MONTHS for m in months):
        raise PolicyError(f"{attribute.name}: must be months 1..12, got {list(months)}")
    if list(months) != sorted(set(months)):
        raise PolicyError(f"{attribute.name}: must be increasing without repeats, got {months}")


# ---------------------------------------------------------------- review schedule
@attrs.frozen(kw_only=True)
class ReviewSchedule:
    """When a tier is reviewed, and what a decision is based on.

    Attributes:
        months: the months with a review (``(1, 7)`` for January and July; all twelve for a
            monthly review).
        day: ``"first_business_day"`` of the month (by the ladder's business calendar) or
            ``"first_day"`` (the 1st, business day or not).
        decided_at: ``"review"`` — membership is decided at the latest review on or before
            ``as_of``, on the window that ends before the review; ``"as_of"`` — decided on the
            last window that ends on or before ``as_of`` (a rolling monthly re-evaluation; the
            review dates are then when the result is notified).

    >>> ReviewSchedule(months=(1, 7)).months
    (1, 7)
    >>> ReviewSchedule(months=(7, 1))
    Traceback (most recent call last):
    ...
    bankcrm.errors.PolicyError: months: must be increasing without repeats, got (7, 1)
    """

    months: tuple[int, ...] = attrs.field(
        default=_MONTHS, converter=_months, validator=_review_months
    )
    day: Literal["first_business_day", "first_day"] = attrs.field(
        default="first_business_day",
        validator=_one_of(("first_business_day", "first_day")),
    )
    decided_at: Literal["review", "as_of"] = attrs.field(
        default="review", validator=_one_of(("review", "as_of"))
    )

    @property
    def monthly(self) -> bool:
        """Whether every month has a review."""
        return self.months == _MONTHS


# ---------------------------------------------------------------- tier
@attrs.frozen(kw_only=True)
class Tier:
    """One rung of a :class:`TierLadder` (thresholds in RMB yuan).

    Attributes:
        tier_id: the identifier results carry (``"wealth"``).
        label_en, label_zh: display names (``"Wealth client"``, ``"财富客户"``).
        metric: the asset policy whose daily average decides the tier (``None``: no requirement).
        window: the averaging window (see :meth:`window_ending_on_or_before`).
        entry: the threshold to join.
        retention: the threshold to stay (``None``: the entry threshold); at most the entry.
        downgrade_after: consecutive decisions below retention before a downgrade (1: at once).
        watch: whether a member below retention but not yet downgraded is shown as ``watch``.
        transition_months: months a downgraded member keeps the tier before leaving it.
        downgrade_to: the tier a downgraded member moves to (``None``: the highest lower tier the
            member qualifies for on the latest window).
        manual_floor: whether a manually invited member keeps this tier whatever the assets.
        validity_months: months a notified membership is valid (``None``: until the next decision).
        review: the review schedule (``None`` for a tier without requirement).
        validity_clash: a review that falls inside a validity: ``"keep_validity"`` (default — a
            member notified 15 March and failing the 1 July review keeps the tier to
            15 September) or ``"review_supersedes"`` (the review ends it the day before).
        validity_end: a member in good standing (not below retention) whose validity ends
            before the tier's next decision: ``"lapse"`` (default: lapsed the day after the
            validity) or ``"next_review"`` (keeps the tier until that decision renews or
            downgrades it — a six-month validity from a 1 July review ends on 1 January, days
            before a January review on its first business day).

    >>> Tier(tier_id="gold", label_en="Gold", label_zh="金卡", metric="aum", window="month",
    ...      entry=Threshold(1_000, ">="), retention=Threshold(2_000, ">="))
    Traceback (most recent call last):
    ...
    bankcrm.errors.PolicyError: retention: must not exceed entry (2000 > 1000)
    """

    tier_id: str = attrs.field(validator=_identifier)
    label_en: str = attrs.field(validator=_text)
    label_zh: str = attrs.field(validator=_text)
    metric: str | None = attrs.field(default=None, validator=_optional_identifier)
    window: WindowKind | int | None = attrs.field(default=None, validator=_window)
    entry: Threshold | None = attrs.field(default=None, validator=_floor_threshold)
    retention: Threshold | None = attrs.field(default=None, validator=_floor_threshold)
    downgrade_after: int = attrs.field(default=1, validator=_count(1))
    watch: bool = attrs.field(default=False, validator=_flag)
    transition_months: int = attrs.field(default=0, validator=_count(0))
    downgrade_to: str | None = attrs.field(default=None, validator=_optional_identifier)
    manual_floor: bool = attrs.field(default=False, validator=_flag)
    validity_months: int | None = attrs.field(default=None, validator=_optional_count(1))
    review: ReviewSchedule | None = attrs.field(default=None, validator=_review)
    validity_clash: Literal["keep_validity", "review_supersedes"] = attrs.field(
        default="keep_validity",
        validator=_one_of(("keep_validity", "review_supersedes")),
    )
    validity_end: Literal["lapse", "next_review"] = attrs.field(
        default="lapse", validator=_one_of(("lapse", "next_review"))
    )

    def __attrs_post_init__(self) -> None:
        if self.entry is None:
            for name in ("metric", "window", "retention", "review"):
                if getattr(self, name) is not None:
                    raise PolicyError(f"{name}: a tier without an entry threshold has no {name}")
            return
        if self.metric is None:
            raise PolicyError("metric: a tier with an entry threshold must name its metric")
        if self.window is None:
            raise PolicyError("window: a tier with an entry threshold must name its window")
        if self.retention is not None and self.retention.value > self.entry.value:
            raise PolicyError(
                f"retention: must not exceed entry ({self.retention.value} > {self.entry.value})"
            )
        if self.review is None:
            raise PolicyError("review: a tier with an entry threshold needs a review schedule")

    @property
    def has_requirement(self) -> bool:
        """Whether the tier has an entry threshold (the base tier has none)."""
        return self.entry is not None

    @property
    def retention_threshold(self) -> Threshold | None:
        """The threshold to stay in the tier: ``retention``, else ``entry``."""
        return self.retention if self.retention is not None else self.entry

    @property
    def label(self) -> Mapping[str, str]:
        """``{"en": label_en, "zh": label_zh}``."""
        return {"en": self.label_en, "zh": self.label_zh}

    def window_ending_on_or_before(self, day: Any) -> Period:
        """The tier's averaging window: the last whole one that ends on or before ``day``.

        ``"month"`` on 15 March is February, and on 31 March March itself; ``"half_year"`` on
        4 January 2026 is July–December 2025; an integer N is the N whole calendar months
        ending with the last whole month.

        Raises:
            PolicyError: the tier has no window (no requirement).
            InputError: ``day`` is not a date (rule ``date``).

        >>> t = Tier(tier_id="t", label_en="T", label_zh="T", metric="aum", window=3,
        ...          entry=Threshold(1, ">="), review=ReviewSchedule())
        >>> t.window_ending_on_or_before(dt.date(2026, 3, 31))
        Period(start=datetime.date(2026, 1, 1), end=datetime.date(2026, 3, 31))
        """
        d = as_date(day, name="day")
        if self.window is None:
            raise PolicyError(f"tier {self.tier_id!r} has no requirement, hence no window")
        if isinstance(self.window, int):
            last = _last_whole(d, "month")
            return Period(add_months(last.start, 1 - self.window), last.end)
        return _last_whole(d, self.window)


def _last_whole(day: dt.date, kind: WindowKind) -> Period:
    period = period_of(day, kind)
    if period.end == day:
        return period
    try:
        before = period.start - dt.timedelta(days=1)
    except OverflowError:
        raise InputError(
            f"no whole {kind} ends on or before {day}", column="day", rule="range"
        ) from None
    return period_of(before, kind)


def _is_field_path(cls: type, parts: list[str]) -> bool:
    """Whether ``parts`` names a field of attrs class ``cls`` (through nested attrs fields)."""
    fields = {f.name: f for f in attrs.fields(cls)}
    if parts[0] not in fields:
        return False
    if len(parts) == 1:
        return True
    nested = {"entry": Threshold, "retention": Threshold, "review": ReviewSchedule}
    inner = nested.get(parts[0]) if cls is Tier else None
    return inner is not None and _is_field_path(inner, parts[1:])


def _tiers(value: Any) -> tuple[Tier, ...]:
    return tuple(value)


def _calendar_field(value: Any) -> CalendarName | ExplicitCalendar:
    if isinstance(value, ExplicitCalendar) or value in ("china", "weekday"):
        return value  # type: ignore[no-any-return]
    raise PolicyError(
        f"calendar: use 'china', 'weekday' or an ExplicitCalendar table, got {value!r}"
    )


_LADDER_FIELDS = ("calendar", "metrics", "partial_period", "tiers")


def _metrics(value: Any) -> dict[str, AssetPolicy]:
    if not isinstance(value, Mapping):
        raise PolicyError(
            f"metrics: must map metric names to AssetPolicy, got {type(value).__name__}"
        )
    out: dict[str, AssetPolicy] = {}
    for name, policy in value.items():
        if not isinstance(name, str) or not _ID.fullmatch(name):
            raise PolicyError(f"metrics: {name!r} is not a metric name (lowercase, digits, _)")
        if not isinstance(policy, AssetPolicy):
            raise PolicyError(
                f"metrics.{name}: expected an AssetPolicy, got {type(policy).__name__}"
            )
        out[name] = policy
    return dict(sorted(out.items()))


@attrs.frozen(kw_only=True)
class TierLadder(Policy):
    """A bank's tier ladder: tiers from the base (no requirement) up, and the shared rules.

    Attributes:
        tiers: the tiers, lowest first; the first has no requirement; ids are unique.
        calendar: the business calendar reviews fall on: ``"china"`` (the mainland holiday
            schedule with make-up working days, :class:`~bankcrm.calendar.ChinaHolidayCalendar`;
            a missing package or an uncovered year is an error, never a fallback to weekdays),
            ``"weekday"`` or an :class:`~bankcrm.calendar.ExplicitCalendar`.
        partial_period: a customer who opened mid-window: ``"calendar_days"`` (default: divide
            by every calendar day of the window, days before opening count as zero) or
            ``"days_since_opening"``.
        metrics: metric name → :class:`~bankcrm.membership.AssetPolicy`, adding names to (or
            overriding) :data:`~bankcrm.membership.STANDARD_METRICS`; a tier's ``metric`` must be
            one of them (checked when the ladder is built).
        field_sources: which settings come from the bank's source text (``"source"``) and which
            are this library's reading of it (``"assumption"``), keyed ``"tiers.<id>.<field>"``
            or a ladder field.

    Raises:
        PolicyError: naming the field: no tiers, duplicate ids, a base tier with a requirement,
            an unknown ``downgrade_to`` or one that is not lower, an unknown metric, a bad
            provenance key.
    """

    name: str = named("bankcrm.membership.ladder")
    version: str = versioned("1")
    effective_date: dt.date = effective(dt.date(2026, 1, 1))  # noqa: RUF009
    tiers: tuple[Tier, ...] = attrs.field(converter=_tiers)
    calendar: CalendarName | ExplicitCalendar = attrs.field(
        default="china", converter=_calendar_field
    )
    partial_period: Literal["calendar_days", "days_since_opening"] = attrs.field(
        default="calendar_days",
        validator=_one_of(("calendar_days", "days_since_opening")),
    )
    metrics: dict[str, AssetPolicy] = attrs.field(factory=dict, converter=_metrics)
    field_sources: dict[str, Literal["source", "assumption"]] = attrs.field(factory=dict)

    def __attrs_post_init__(self) -> None:
        if not self.tiers:
            raise PolicyError("tiers: a ladder needs at least one tier")
        for i, tier in enumerate(self.tiers):
            if not isinstance(tier, Tier):
                raise PolicyError(f"tiers[{i}]: expected a Tier, got {type(tier).__name__}")
        ids = [t.tier_id for t in self.tiers]
        seen: set[str] = set()
        for i, tier_id in enumerate(ids):
            if tier_id in seen:
                raise PolicyError(f"tiers[{i}].tier_id: duplicate tier id {tier_id!r}")
            seen.add(tier_id)
        if self.tiers[0].has_requirement:
            raise PolicyError(
                f"tiers[0].entry: the base tier {ids[0]!r} must have no requirement "
                "(every customer holds it)"
            )
        for i, tier in enumerate(self.tiers):
            if tier.downgrade_to is None:
                continue
            if tier.downgrade_to not in seen:
                raise PolicyError(
                    f"tiers[{i}].downgrade_to: {tier.downgrade_to!r} is not a tier of this "
                    f"ladder ({ids})"
                )
            if ids.index(tier.downgrade_to) >= i:
                raise PolicyError(
                    f"tiers[{i}].downgrade_to: {tier.downgrade_to!r} is not below {tier.tier_id!r}"
                )
        known = {**STANDARD_METRICS, **self.metrics}
        for i, tier in enumerate(self.tiers):
            if tier.metric is not None and tier.metric not in known:
                raise PolicyError(
                    f"tiers[{i}].metric: unknown metric {tier.metric!r}; known: {sorted(known)} "
                    "(add it to the ladder's metrics table)"
                )
        self._check_sources(seen)

    def _check_sources(self, ids: set[str]) -> None:
        if not isinstance(self.field_sources, dict):
            raise PolicyError("field_sources: must be a table of field -> source/assumption")
        for key, kind in self.field_sources.items():
            if kind not in ("source", "assumption"):
                raise PolicyError(
                    f"field_sources.{key}: must be 'source' or 'assumption', got {kind!r}"
                )
            parts = str(key).split(".")
            if parts[0] == "tiers" and len(parts) >= 3 and parts[1] in ids:
                if _is_field_path(Tier, parts[2:]):
                    continue
            elif len(parts) == 1 and parts[0] in _LADDER_FIELDS:
                continue
            raise PolicyError(
                f"field_sources.{key}: not a field of this ladder (use 'tiers.<id>.<field>' or "
                f"one of {list(_LADDER_FIELDS)})"
            )

    @property
    def tier_ids(self) -> tuple[str, ...]:
        """The tier ids, lowest first."""
        return tuple(t.tier_id for t in self.tiers)

    def tier(self, tier_id: str | Tier) -> Tier:
        """The tier with ``tier_id`` (a :class:`Tier` of this ladder is returned as is).

        Raises:
            InputError: (rule ``domain``, column ``tier``) for an id the ladder does not have.
        """
        if isinstance(tier_id, Tier) and tier_id in self.tiers:
            return tier_id
        for tier in self.tiers:
            if tier.tier_id == tier_id:
                return tier
        raise InputError(
            f"unknown tier {tier_id!r}; this ladder has {list(self.tier_ids)}",
            column="tier",
            rule="domain",
        )

    def rank(self, tier_id: str | Tier) -> int:
        """The position of a tier, 0 for the base (higher is better)."""
        return self.tiers.index(self.tier(tier_id))

    def asset_policy(self, metric: str | Tier) -> AssetPolicy:
        """The asset policy a metric name (or a tier's metric) stands for on this ladder.

        >>> from bankcrm.membership.presets import EVERBRIGHT
        >>> EVERBRIGHT.asset_policy(EVERBRIGHT.tier("sunshine_club")).name
        'bankcrm.membership.aum'
        """
        name = metric.metric if isinstance(metric, Tier) else metric
        policy = self.metrics.get(name) if name is not None else None
        if policy is None and name is not None:
            policy = STANDARD_METRICS.get(name)
        if policy is None:
            raise PolicyError(f"metric: {name!r} is not a metric of this ladder")
        return policy

    def business_calendar(self) -> BusinessCalendar:
        """The ladder's business calendar, built.

        Raises:
            MissingDependencyError: ``"china"`` without the ``chinese_calendar`` package (extra
                ``holidays``) — never a silent fallback to weekdays.
        """
        if isinstance(self.calendar, ExplicitCalendar):
            return self.calendar
        if self.calendar == "weekday":
            return WeekdayCalendar()
        return ChinaHolidayCalendar()

    def threshold_fen(self, tier_id: str | Tier, *, kind: Literal["entry", "retention"]) -> int:
        """A tier's entry or retention threshold in fen (exact; thresholds are whole fen).

        >>> from bankcrm.membership.presets import EVERBRIGHT
        >>> EVERBRIGHT.threshold_fen("wealth", kind="entry")
        100000000
        """
        tier = self.tier(tier_id)
        threshold = tier.entry if kind == "entry" else tier.retention_threshold
        if threshold is None:
            raise PolicyError(f"tier {tier.tier_id!r} has no {kind} threshold")
        fen = threshold.value * 100
        if fen != fen.to_integral_value():
            raise PolicyError(f"tiers.{tier.tier_id}.{kind}: {threshold.value} is not whole fen")
        return int(fen)


# ---------------------------------------------------------------- argument checks
def checked_ladder(ladder: Any) -> TierLadder:
    """``ladder`` if it is a :class:`TierLadder`, else a clear error (rule ``type``)."""
    if not isinstance(ladder, TierLadder):
        raise InputError(
            f"ladder must be a TierLadder, got {type(ladder).__name__}",
            column="ladder",
            rule="type",
        )
    return ladder


def checked_calendar(ladder: TierLadder, calendar: Any) -> BusinessCalendar:
    """The calendar a call uses: ``calendar`` if given, else the ladder's own."""
    if calendar is None:
        return ladder.business_calendar()
    if not isinstance(calendar, BusinessCalendar):
        raise InputError(
            f"calendar must be a BusinessCalendar, got {type(calendar).__name__}",
            column="calendar",
            rule="type",
        )
    return calendar
