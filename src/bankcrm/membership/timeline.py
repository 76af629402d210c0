"""Membership history: replay a tier ladder from ``start`` to ``as_of`` and list every change.

:func:`membership_timeline` chains :func:`~bankcrm.membership.evaluate_tiers` at every
**decision point** in ``[start, as_of]``, feeding each result into the next as ``states``, and
reports one row per change. The decision points are derived from the ladder (and, for lapses,
from the states themselves):

1. ``start`` — the opening evaluation (with ``states=None`` every customer is new there);
2. every review date in ``(start, as_of]`` of a tier decided at its reviews
   (``review.decided_at == "review"``, e.g. the 阳光汇 club: the first business day of January
   and July, :func:`~bankcrm.membership.review_dates`);
3. every day in ``(start, as_of]`` on which a tier decided at ``as_of`` gets a new window: the
   last day of each of its windows (the wealth tier: every month end, deciding that month);
4. the day after each validity that runs out in ``(start, as_of]`` (``valid_until + 1``):
   lapses happen between reviews. These points come from the states as the replay goes.

Between two decision points no decision changes (no window moves, no review is held, no
validity ends), so evaluating on any other day gives the same state: the timeline equals
``evaluate_tiers`` chained day by day.

An event is dated by the decision point it happens at — the review date, the last day of the
month decided, the day after the validity — which is the day the change takes effect. Events
of the opening evaluation are dated ``start`` (their ``since`` says when the tier was decided).
Every event is computed from the points on or before its date, so a re-run as of an earlier
date ``D`` gives exactly the events dated on or before ``D``.

**Events** (comparing a customer's state before and after a decision point):

- ``join`` — into a tier above the base from the base tier (or as a new customer);
- ``upgrade`` — into a higher tier from a lower one above the base;
- ``renew`` — a member's tier decided again and retention met (the club at its review, the
  wealth tier every month; a member on watch who recovers);
- ``watch`` — one more consecutive decision below retention, shown as ``watch``;
- ``below`` — the same for a tier without a watch status (``watch=False``: still
  ``qualified``, ``periods_below`` counts);
- ``floor`` — below retention but kept by a manual floor;
- ``downgrade`` — moved down after ``downgrade_after`` decisions below;
- ``lapse`` — moved down the day after a validity ran out without renewal.

Customers who stay in the base tier have no events.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Iterator, Mapping
from typing import Any

import attrs
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from bankcrm._roles import column_names
from bankcrm.calendar import BusinessCalendar, add_months, as_date
from bankcrm.errors import InputError, Rule
from bankcrm.membership._decisions import (
    NAT,
    Decision,
    Outcome,
    States,
    date_or_none,
    day_or_nat,
    decide,
    plan_decisions,
)
from bankcrm.membership._tier_results import result_frame
from bankcrm.membership._tier_states import STATE_ROLES, read_states
from bankcrm.membership._tier_sums import accounts_column, since_opening
from bankcrm.membership.averages import window_sums
from bankcrm.membership.ladders import TierLadder, checked_calendar, checked_ladder
from bankcrm.membership.reviews import review_dates
from bankcrm.policy import stamp_provenance

__all__ = ["EVENTS", "membership_timeline"]

#: The events a timeline row may carry.
EVENTS = ("join", "upgrade", "renew", "watch", "below", "floor", "downgrade", "lapse")

#: The columns of a timeline, in order.
COLUMNS = (
    "customer_id",
    "date",
    "event",
    "tier_from",
    "tier",
    "status",
    "valid_until",
    "reason",
    "metric",
    "window_start",
    "window_end",
    "days",
    "balance_days_fen",
    "threshold_fen",
    "comparator",
    "since",
    "notified_on",
    "periods_below",
)

Sums = list[tuple[NDArray[np.int64], NDArray[np.int64]]]


# ---------------------------------------------------------------- decision points
def decision_days(
    ladder: TierLadder, start: dt.date, end: dt.date, calendar: BusinessCalendar
) -> list[dt.date]:
    """The ladder's own decision points in ``(start, end]`` (items 2 and 3 of the module
    docstring; ``start`` and the lapse days are added by the replay)."""
    days: set[dt.date] = set()
    if end <= start:
        return []
    after = start + dt.timedelta(days=1)
    reviews = review_dates(after, end, ladder=ladder, calendar=calendar)
    decided_at = {t.tier_id: t.review.decided_at for t in ladder.tiers if t.review is not None}
    for tier_id, day in zip(reviews["tier"], reviews["review_date"], strict=True):
        if decided_at[tier_id] == "review":
            days.add(pd.Timestamp(day).date())
    monthly = [t for t in ladder.tiers if t.review is not None and t.review.decided_at == "as_of"]
    if monthly:
        anchor = dt.date(after.year, after.month, 1)
        k = 0
        while True:
            month_end = add_months(anchor, k + 1) - dt.timedelta(days=1)
            if month_end > end:
                break
            k += 1
            if month_end < after:
                continue
            for tier in monthly:
                if tier.window_ending_on_or_before(month_end).end == month_end:
                    days.add(month_end)
    return sorted(days)


# ---------------------------------------------------------------- the replay
@attrs.frozen(eq=False)
class _Step:
    """One decision point: the state before, the kernel's outcome and the state after."""

    day: dt.date
    plan: list[Decision]
    sums: Sums
    before: States
    outcome: Outcome
    after: States


@attrs.define(eq=False)
class _Replay:
    ladder: TierLadder
    calendar: BusinessCalendar
    accounts: Any
    balances: Any
    fx_rates: Any
    columns: Any
    customer_ids: NDArray[Any]
    cache: dict[tuple[str, dt.date, dt.date], tuple[NDArray[np.int64], NDArray[np.int64]]]

    where: str = "membership_timeline"

    def fetch(self, plans: list[list[Decision]]) -> None:
        """Sum every (metric, window) of ``plans`` not summed yet, validating the frames once
        (:func:`~bankcrm.membership.averages.window_sums`)."""
        wanted = {d.key: d for plan in plans for d in plan if d.key not in self.cache}
        if not wanted:
            return
        keys = list(wanted)
        requests = [(self.ladder.asset_policy(wanted[k].tier), k[1], k[2]) for k in keys]
        ids, sums = window_sums(
            self.accounts,
            self.balances,
            requests,
            fx_rates=self.fx_rates,
            columns=self.columns,
            where=self.where,
        )
        if len(ids) != len(self.customer_ids) or not (ids == self.customer_ids).all():
            raise AssertionError("window_sums: customers out of order")  # pragma: no cover
        decisions = [wanted[k] for k in keys]
        if self.ladder.partial_period == "days_since_opening":
            sums = since_opening(self.accounts, self.columns, self.customer_ids, decisions, sums)
        self.cache.update(zip(keys, sums, strict=True))

    def sums(self, plan: list[Decision]) -> Sums:
        self.fetch([plan])
        return [self.cache[d.key] for d in plan]

    def run(self, start: dt.date, end: dt.date, states: States) -> Iterator[_Step]:
        """Evaluate at ``start``, then at every decision point in ``(start, end]``."""
        points = [start, *decision_days(self.ladder, start, end, self.calendar)]
        # a lapse day decides on the windows of the decision point before it: these are all
        self.fetch([plan_decisions(self.ladder, day, self.calendar) for day in points])
        heapq.heapify(points)
        done: set[dt.date] = set()
        current = states
        while points:
            day = heapq.heappop(points)
            if day in done:
                continue
            done.add(day)
            plan = plan_decisions(self.ladder, day, self.calendar)
            sums = self.sums(plan)
            outcome = decide(self.ladder, day, plan, sums, current)
            after = States(
                outcome.rank,
                outcome.status,
                outcome.since,
                outcome.valid_until,
                outcome.notified_on,
                outcome.periods_below,
                current.floor,
            )
            yield _Step(day, plan, sums, current, outcome, after)
            current = after
            # lapses: the day after every validity that runs out before ``end``
            today, last = day_or_nat(day), day_or_nat(end)
            valid = outcome.valid_until
            ends = np.unique(valid[(valid != NAT) & (valid >= today) & (valid < last)])
            for v in ends.tolist():
                lapse_day = date_or_none(int(v) + 1)
                assert lapse_day is not None
                if lapse_day not in done:
                    heapq.heappush(points, lapse_day)


def _setup(
    accounts: Any,
    balances: Any,
    ladder: TierLadder,
    *,
    states: Any,
    fx_rates: Any,
    calendar: BusinessCalendar | None,
    columns: Any,
    where: str,
) -> tuple[_Replay, States]:
    the_ladder = checked_ladder(ladder)
    cal = checked_calendar(the_ladder, calendar)
    passed = dict(columns) if isinstance(columns, Mapping) else columns
    state_columns = passed.pop("states", None) if isinstance(passed, dict) else None
    state_names = column_names(state_columns, STATE_ROLES, where=f"{where}: states")
    customer_ids = accounts_column(accounts, passed, "customer_id")[0]
    replay = _Replay(the_ladder, cal, accounts, balances, fx_rates, passed, customer_ids, {}, where)
    index = pd.Index(customer_ids)
    initial = (
        States.new(len(index))
        if states is None
        else read_states(states, the_ladder, state_names, index)
    )
    return replay, initial


# ---------------------------------------------------------------- events
def _events(step: _Step) -> tuple[NDArray[np.intp], NDArray[Any]]:
    """The rows of ``step`` with a change, and their event names."""
    before, after, out = step.before, step.after, step.outcome
    event = np.full(len(after.rank), None, dtype=object)
    up = after.rank > np.maximum(before.rank, 0)
    event[up] = np.where(before.rank[up] > 0, "upgrade", "join")
    down = (before.rank >= 0) & (after.rank < before.rank)
    event[down] = np.where(after.status[down] == "lapsed", "lapse", "downgrade")
    same = (after.rank == before.rank) & (after.rank > 0)
    changed = same & (
        (after.notified_on != before.notified_on)
        | (after.status != before.status)
        | (after.valid_until != before.valid_until)
        | (after.periods_below != before.periods_below)
    )
    below = changed & (after.periods_below > before.periods_below)
    event[below] = np.where(after.status[below] == "watch", "watch", "below")
    rest = changed & ~below
    floored = rest & (after.floor == after.rank) & ~out.met
    event[floored] = "floor"
    event[rest & ~floored] = "renew"
    rows = np.flatnonzero(event != None)  # noqa: E711 (elementwise)
    return rows, event[rows]


def _subset(outcome: Outcome, rows: NDArray[np.intp]) -> Outcome:
    return Outcome(*(getattr(outcome, f.name)[rows] for f in attrs.fields(Outcome)))


def _event_frame(
    ladder: TierLadder, step: _Step, customer_ids: NDArray[Any], day: dt.date
) -> pd.DataFrame | None:
    rows, names = _events(step)
    if not len(rows):
        return None
    sums = [(bd[rows], days[rows]) for bd, days in step.sums]
    frame = result_frame(
        ladder,
        step.plan,
        sums,
        _subset(step.outcome, rows),
        customer_ids[rows],
        step.after.floor[rows],
    )
    rank_from = step.before.rank[rows]
    tier_from = tier_names(ladder, rank_from)
    frame.insert(1, "date", pd.Timestamp(day).as_unit("us"))
    frame.insert(2, "event", names)
    frame.insert(3, "tier_from", tier_from)
    return frame[list(COLUMNS)]


def tier_names(ladder: TierLadder, rank: NDArray[np.int64]) -> NDArray[Any]:
    """Tier ids by rank (``None`` for -1: no state)."""
    ids = np.asarray(ladder.tier_ids, dtype=object)
    out = np.full(len(rank), None, dtype=object)
    out[rank >= 0] = ids[rank[rank >= 0]]
    return out


def _empty(customer_ids: NDArray[Any]) -> pd.DataFrame:
    frame = pd.DataFrame({name: pd.Series([], dtype=object) for name in COLUMNS})
    frame["customer_id"] = pd.Series(customer_ids[:0])
    for name in ("date", "valid_until", "window_start", "window_end", "since", "notified_on"):
        frame[name] = pd.Series([], dtype="datetime64[us]")
    for name in ("days", "balance_days_fen", "threshold_fen"):
        frame[name] = pd.Series([], dtype="Int64")
    frame["periods_below"] = pd.Series([], dtype=np.int64)
    return frame


# ---------------------------------------------------------------- public API
def membership_timeline(
    accounts: Any,
    balances: Any,
    ladder: TierLadder,
    *,
    start: Any,
    as_of: Any,
    states: Any = None,
    fx_rates: Any = None,
    calendar: BusinessCalendar | None = None,
    columns: Any = None,
) -> pd.DataFrame:
    """Every join, renewal, watch, downgrade, lapse and upgrade from ``start`` to ``as_of``.

    The ladder is replayed at every decision point in ``[start, as_of]`` (see the module
    docstring: ``start``, the review dates of review-decided tiers, the window ends of tiers
    decided at ``as_of``, the day after each validity), each result fed into the next, exactly
    as :func:`~bankcrm.membership.evaluate_tiers` chained by hand; each distinct (metric,
    window) sum is computed once.

    Args:
        accounts: as for :func:`~bankcrm.membership.daily_average`.
        balances: as for :func:`~bankcrm.membership.daily_average`.
        fx_rates: as for :func:`~bankcrm.membership.daily_average`.
        ladder: the :class:`~bankcrm.membership.TierLadder`.
        start: the first decision point (the opening evaluation).
        as_of: the last day replayed (on or after ``start``).
        states: the state before ``start`` (as for ``evaluate_tiers``); ``None``: every
            customer is new at ``start``.
        calendar: a business calendar overriding the ladder's.
        columns: ``{"accounts" | "balances" | "fx_rates" | "states": {role: column}}``.

    Returns:
        One row per event, sorted by ``date`` then ``customer_id``: ``customer_id``, ``date``
        (the day the change takes effect), ``event`` (:data:`EVENTS`), ``tier_from`` (``None``
        for a new customer), ``tier``, ``status``, ``valid_until``, ``reason`` and the evidence
        of :func:`~bankcrm.membership.evaluate_tiers` (``metric``, ``window_start``,
        ``window_end``, ``days``, ``balance_days_fen``, ``threshold_fen``, ``comparator``) and
        the state after the event (``since``, ``notified_on``, ``periods_below``). Stamped with
        the ladder's provenance for ``as_of``.

    Raises:
        InputError: ``as_of`` before ``start`` (rule ``date_order``); as
            :func:`~bankcrm.membership.evaluate_tiers`.
    """
    first = as_date(start, name="start")
    last = as_date(as_of, name="as_of")
    if last < first:
        raise InputError(
            f"as_of {last} is before start {first}", column="as_of", rule=Rule.DATE_ORDER
        )
    replay, initial = _setup(
        accounts,
        balances,
        ladder,
        states=states,
        fx_rates=fx_rates,
        calendar=calendar,
        columns=columns,
        where="membership_timeline",
    )
    frames = []
    for step in replay.run(first, last, initial):
        frame = _event_frame(replay.ladder, step, replay.customer_ids, step.day)
        if frame is not None:
            frames.append(frame)
    if frames:
        out = pd.concat(frames, ignore_index=True)
        out = out.sort_values(["date", "customer_id"], kind="stable", ignore_index=True)
    else:
        out = _empty(replay.customer_ids)
    return stamp_provenance(
        out, replay.ladder.provenance(last, producer="bankcrm.membership.membership_timeline")
    )
