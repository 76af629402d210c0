"""Replaying a tier ladder decision point by decision point (internal): the engine of
:func:`~bankcrm.membership.membership_timeline` and
:func:`~bankcrm.membership.review_notifications`.

Each step evaluates the ladder at one day from the state the previous step left; the exact
sums of every (metric, window) the steps need are computed once (frames validated once).
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
from bankcrm.calendar import BusinessCalendar, add_months
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
from bankcrm.membership._tier_states import STATE_ROLES, read_states
from bankcrm.membership._tier_sums import accounts_column, since_opening
from bankcrm.membership.averages import window_sums
from bankcrm.membership.ladders import TierLadder, checked_calendar, checked_ladder
from bankcrm.membership.reviews import review_dates

Sums = list[tuple[NDArray[np.int64], NDArray[np.int64]]]


# ---------------------------------------------------------------- decision points
def decision_days(
    ladder: TierLadder, start: dt.date, end: dt.date, calendar: BusinessCalendar
) -> list[dt.date]:
    """The ladder's own decision points in ``(start, end]``: its review dates and the last
    day of every window of a tier decided at ``as_of`` (see
    :func:`~bankcrm.membership.membership_timeline`); ``start`` and the lapse days are added
    by the replay."""
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
class Step:
    """One decision point: the state before, the kernel's outcome and the state after."""

    day: dt.date
    plan: list[Decision]
    sums: Sums
    before: States
    outcome: Outcome
    after: States


@attrs.define(eq=False)
class Replay:
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

    def run(self, start: dt.date, end: dt.date, states: States) -> Iterator[Step]:
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
            yield Step(day, plan, sums, current, outcome, after)
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


def setup_replay(
    accounts: Any,
    balances: Any,
    ladder: TierLadder,
    *,
    states: Any,
    fx_rates: Any,
    calendar: BusinessCalendar | None,
    columns: Any,
    where: str,
) -> tuple[Replay, States]:
    the_ladder = checked_ladder(ladder)
    cal = checked_calendar(the_ladder, calendar)
    passed = dict(columns) if isinstance(columns, Mapping) else columns
    state_columns = passed.pop("states", None) if isinstance(passed, dict) else None
    state_names = column_names(state_columns, STATE_ROLES, where=f"{where}: states")
    customer_ids = accounts_column(accounts, passed, "customer_id")[0]
    replay = Replay(the_ladder, cal, accounts, balances, fx_rates, passed, customer_ids, {}, where)
    index = pd.Index(customer_ids)
    initial = (
        States.new(len(index))
        if states is None
        else read_states(states, the_ladder, state_names, index)
    )
    return replay, initial
