"""The tier decision kernel shared by evaluation and the timeline (internal).

Vectorised over customers, a loop over tiers: the rules are those of
:mod:`bankcrm.membership.evaluation` (its module docstring). Days are int64 day numbers since
1970-01-01, :data:`NAT` for none.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from bankcrm.calendar import BusinessCalendar, Period, add_months
from bankcrm.membership.averages import meets
from bankcrm.membership.ladders import Tier, TierLadder
from bankcrm.membership.reviews import (
    averaging_window,
    latest_review,
    membership_valid_until,
    validity_after_review,
)

#: The statuses a result carries.
STATUSES = ("qualified", "watch", "downgraded", "lapsed")

Days = NDArray[np.int64]  # day numbers since 1970-01-01; NAT for none
NAT = np.iinfo(np.int64).min
EPOCH = dt.date(1970, 1, 1)


def day_or_nat(value: dt.date | None) -> int:
    return NAT if value is None else (value - EPOCH).days


def date_or_none(day: int) -> dt.date | None:
    return None if day == NAT else EPOCH + dt.timedelta(days=int(day))


@attrs.frozen
class Decision:
    """One tier's decision at ``as_of``: its window and its decision date."""

    rank: int
    tier: Tier
    window: Period
    decided_on: dt.date

    @property
    def key(self) -> tuple[str, dt.date, dt.date]:
        assert self.tier.metric is not None
        return (self.tier.metric, self.window.start, self.window.end)


def plan_decisions(
    ladder: TierLadder, as_of: dt.date, calendar: BusinessCalendar
) -> list[Decision]:
    plan = []
    for rank, tier in enumerate(ladder.tiers):
        if not tier.has_requirement:
            continue
        assert tier.review is not None
        window = averaging_window(as_of, ladder, tier=tier, calendar=calendar)
        if tier.review.decided_at == "review":
            decided = latest_review(as_of, ladder, tier=tier, calendar=calendar)
        else:
            decided = window.end
        plan.append(Decision(rank, tier, window, decided))
    return plan


# ---------------------------------------------------------------- the decision kernel
@attrs.frozen(eq=False)
class States:
    rank: NDArray[np.int64]  # -1: no state (new customer)
    status: NDArray[Any]
    since: Days
    valid_until: Days
    notified_on: Days
    periods_below: NDArray[np.int64]
    floor: NDArray[np.int64]  # -1: none

    @classmethod
    def new(cls, n: int) -> States:
        nat = np.full(n, NAT, dtype=np.int64)
        return cls(
            np.full(n, -1, dtype=np.int64),
            np.full(n, "qualified", dtype=object),
            nat,
            nat.copy(),
            nat.copy(),
            np.zeros(n, dtype=np.int64),
            np.full(n, -1, dtype=np.int64),
        )


@attrs.frozen(eq=False)
class Outcome:
    rank: NDArray[np.int64]
    status: NDArray[Any]
    since: Days
    valid_until: Days
    notified_on: Days
    periods_below: NDArray[np.int64]
    evidence: NDArray[np.int64]  # index into the plan, -1 none
    kind: NDArray[Any]  # "entry" / "retention"
    met: NDArray[np.bool_]


def valid_from(ladder: TierLadder, rank: int, day: dt.date) -> int:
    return day_or_nat(membership_valid_until(day, ladder, tier=ladder.tiers[rank]))


def decide(
    ladder: TierLadder,
    as_of: dt.date,
    plan: list[Decision],
    sums: list[tuple[NDArray[np.int64], NDArray[np.int64]]],
    states: States,
) -> Outcome:
    """Every customer's new tier and state (vectorised over customers, a loop over tiers)."""
    n = len(states.rank)
    today = day_or_nat(as_of)
    entry: list[NDArray[np.bool_]] = []
    keep: list[NDArray[np.bool_]] = []
    for d, (bd, days) in zip(plan, sums, strict=True):
        first, kept = d.tier.entry, d.tier.retention_threshold
        assert first is not None
        assert kept is not None
        some = days > 0  # no day to average over (opened after the window): not met
        over = np.where(some, days, 1)
        entry.append(np.asarray(meets(bd, over, first.value, first.comparator), bool) & some)
        keep.append(np.asarray(meets(bd, over, kept.value, kept.comparator), bool) & some)
    by_rank = {d.rank: i for i, d in enumerate(plan)}

    # the highest tier whose entry each customer meets (plan index, -1 none)
    best = np.full(n, -1, dtype=np.int64)
    for i in range(len(plan)):
        best = np.where(entry[i], i, best)

    def best_below(rank: int) -> NDArray[np.int64]:
        """The plan index of the highest tier below ``rank`` whose entry is met (-1: base)."""
        out = np.full(n, -1, dtype=np.int64)
        for i, d in enumerate(plan):
            if d.rank < rank:
                out = np.where(entry[i], i, out)
        return out

    rank = np.zeros(n, dtype=np.int64)
    status = np.full(n, "qualified", dtype=object)
    since = np.full(n, NAT, dtype=np.int64)
    valid = np.full(n, NAT, dtype=np.int64)
    notified = np.full(n, NAT, dtype=np.int64)
    periods = np.zeros(n, dtype=np.int64)

    decided = np.asarray([day_or_nat(d.decided_on) for d in plan], dtype=np.int64)
    plan_rank = np.asarray([d.rank for d in plan], dtype=np.int64)
    join_valid = np.asarray(
        [valid_from(ladder, d.rank, d.decided_on) for d in plan], dtype=np.int64
    )

    def join(mask: NDArray[np.bool_], target: NDArray[np.int64]) -> None:
        """Rows of ``mask`` join plan tier ``target`` (>= 0) as new members."""
        rows = mask & (target >= 0)
        t = target[rows]
        rank[rows] = plan_rank[t]
        status[rows] = "qualified"
        since[rows] = notified[rows] = decided[t]
        valid[rows] = join_valid[t]
        periods[rows] = 0

    # new customers and holders of the base tier
    base = states.rank <= 0
    holder = states.rank == 0
    rank[base] = 0
    status[holder] = states.status[holder]
    since[holder] = states.since[holder]
    notified[holder] = states.notified_on[holder]
    join(base, best)

    for r in range(1, len(ladder.tiers)):
        members = states.rank == r
        if not members.any():
            continue
        i = by_rank[r]
        tier = plan[i].tier
        on = int(decided[i])
        up = members & (best > i)
        join(up, best)
        stay = members & ~up
        rank[stay] = r
        fresh = stay & ((states.notified_on == NAT) | (states.notified_on < on))
        old = stay & ~fresh
        for target, source in (
            (status, states.status),
            (since, states.since),
            (valid, states.valid_until),
            (notified, states.notified_on),
            (periods, states.periods_below),
        ):
            target[old] = source[old]
        renew = fresh & keep[i]
        below = fresh & ~keep[i]
        since[fresh] = states.since[fresh]
        notified[fresh] = on
        status[renew] = "qualified"
        periods[renew] = 0
        periods[below] = states.periods_below[below] + 1
        valid[fresh] = renewed_validity(ladder, r, states.valid_until[fresh], on, keep[i][fresh])
        status[below] = "watch" if tier.watch else "qualified"
        falls = below & (periods >= tier.downgrade_after)
        if tier.transition_months:
            start_transition(tier, on, falls, states, valid)
        still_valid = (valid != NAT) & (valid >= today)
        status[falls & still_valid] = "watch"
        # a transition ends through the validity path below, dated the day after it
        down = falls & ~still_valid if not tier.transition_months else np.zeros(n, dtype=bool)
        move_out(
            ladder,
            plan,
            r,
            down,
            best_below(r),
            on,
            "downgraded",
            rank,
            status,
            since,
            valid,
            notified,
            periods,
        )
        ended = stay & ~down & (valid != NAT) & (valid < today)
        if tier.validity_end == "next_review":
            ended &= periods > 0  # in good standing: the next decision renews or downgrades
        if ended.any():
            moved_down = ended & (periods >= tier.downgrade_after) & (tier.transition_months > 0)
            for rows, what in ((ended & ~moved_down, "lapsed"), (moved_down, "downgraded")):
                if rows.any():
                    move_out(
                        ladder,
                        plan,
                        r,
                        rows,
                        best_below(r),
                        valid[rows] + 1,
                        what,
                        rank,
                        status,
                        since,
                        valid,
                        notified,
                        periods,
                    )

    # manual floors: an invited member keeps at least the floor tier
    floor_ok = np.asarray([t.manual_floor for t in ladder.tiers], dtype=bool)
    floored = (states.floor >= 0) & (rank < states.floor)
    floored &= floor_ok[np.maximum(states.floor, 0)]
    if floored.any():
        rank[floored] = states.floor[floored]
        status[floored] = "qualified"
        periods[floored] = 0
    evidence, kind, met = explain_decision(plan, entry, keep, decided, rank, status, since)
    return Outcome(rank, status, since, valid, notified, periods, evidence, kind, met)


def start_transition(
    tier: Tier, on: int, falls: NDArray[np.bool_], states: States, valid: Days
) -> None:
    """Members falling below for good keep the tier ``transition_months`` from the decision.

    The transition's last day is written into ``valid`` when the fall is first decided; later
    decisions below keep it (the state carries it), so a transition never extends itself.
    """
    decided = date_or_none(on)
    assert decided is not None
    last = day_or_nat(add_months(decided, tier.transition_months)) - 1
    started = falls & ((states.periods_below < tier.downgrade_after) | (states.valid_until == NAT))
    ongoing = falls & ~started
    valid[started] = np.where(valid[started] == NAT, last, np.maximum(valid[started], last))
    valid[ongoing] = states.valid_until[ongoing]


def explain_decision(
    plan: list[Decision],
    entry: list[NDArray[np.bool_]],
    keep: list[NDArray[np.bool_]],
    decided: Days,
    rank: NDArray[np.int64],
    status: NDArray[Any],
    since: Days,
) -> tuple[NDArray[np.int64], NDArray[Any], NDArray[np.bool_]]:
    """The test each row's reason shows — a function of the result alone (so a result fed
    back as ``states`` shows the same reason):

    - a member of a tier with a requirement (qualified or watch): that tier's test — *entry*
      when it joined at the current decision (``since`` on or after its date), else
      *retention*;
    - downgraded or lapsed: the retention test of the lowest tier above the new one that the
      customer does not meet (else the tier just above);
    - the base tier: the entry test of the lowest tier with a requirement.
    """
    n = len(rank)
    evidence = np.full(n, 0 if plan else -1, dtype=np.int64)
    kind = np.full(n, "entry", dtype=object)
    if not plan:
        return evidence, kind, np.zeros(n, dtype=bool)
    plan_rank = np.asarray([d.rank for d in plan], dtype=np.int64)
    left = (status == "downgraded") | (status == "lapsed")
    above = np.full(n, -1, dtype=np.int64)
    for i in range(len(plan) - 1, -1, -1):  # the lowest tier above first
        above = np.where(plan_rank[i] > rank, i, above)
    failing = np.full(n, -1, dtype=np.int64)
    for i in range(len(plan) - 1, -1, -1):
        failing = np.where((plan_rank[i] > rank) & ~keep[i], i, failing)
    own = np.searchsorted(plan_rank, rank)  # the plan index of a held tier with a requirement
    member = (rank > 0) & ~left
    evidence[member] = own[member]
    joined = member & (since != NAT) & (since >= decided[np.minimum(own, len(plan) - 1)])
    kind[member & ~joined] = "retention"
    moved = left & (above >= 0)
    evidence[moved] = np.where(failing[moved] >= 0, failing[moved], above[moved])
    kind[moved] = "retention"
    rows = np.arange(n)
    entry_met = np.stack(entry)[evidence, rows] if n else np.zeros(0, dtype=bool)
    keep_met = np.stack(keep)[evidence, rows] if n else np.zeros(0, dtype=bool)
    met = np.where(kind == "retention", keep_met, entry_met)
    return evidence, kind, met


def renewed_validity(
    ladder: TierLadder, rank: int, current: Days, day: int, qualified: NDArray[np.bool_]
) -> Days:
    """Validity after a decision on ``day`` (per row: renewed if qualified)."""
    tier = ladder.tiers[rank]
    if tier.validity_months is None:
        return np.full(len(current), NAT, dtype=np.int64)
    decided = date_or_none(day)
    assert decided is not None
    fresh = day_or_nat(add_months(decided, tier.validity_months))
    out = np.empty(len(current), dtype=np.int64)
    # few distinct current validities: one exact call per distinct (validity, qualified)
    cases = pd.MultiIndex.from_arrays([current, qualified])
    codes, uniques = pd.factorize(cases)
    for code, (cur, ok) in enumerate(uniques):
        if cur == NAT:
            value = fresh if ok else NAT
        else:
            value = day_or_nat(
                validity_after_review(
                    date_or_none(int(cur)), decided, ladder, tier=tier, qualified=bool(ok)
                )
            )
        out[codes == code] = value
    return out


def move_out(
    ladder: TierLadder,
    plan: list[Decision],
    rank_from: int,
    rows: NDArray[np.bool_],
    lower: NDArray[np.int64],
    day: int | Days,
    what: str,
    rank: NDArray[np.int64],
    status: NDArray[Any],
    since: Days,
    valid: Days,
    notified: Days,
    periods: NDArray[np.int64],
) -> None:
    """Rows of ``rows`` leave tier ``rank_from`` on ``day`` (a day number or per-row array)."""
    if not rows.any():
        return
    tier = ladder.tiers[rank_from]
    plan_of = {d.rank: i for i, d in enumerate(plan)}
    if tier.downgrade_to is not None:
        target_rank = np.full(int(rows.sum()), ladder.rank(tier.downgrade_to), dtype=np.int64)
    else:
        low = lower[rows]
        ranks = np.asarray([d.rank for d in plan] + [0], dtype=np.int64)
        target_rank = ranks[np.where(low >= 0, low, len(plan))]
    days = np.broadcast_to(np.asarray(day, dtype=np.int64), target_rank.shape)
    decided = np.asarray([day_or_nat(d.decided_on) for d in plan] + [NAT], dtype=np.int64)
    target_plan = np.asarray([plan_of.get(int(t), len(plan)) for t in target_rank])
    out_valid = np.full(len(target_rank), NAT, dtype=np.int64)
    for t in np.unique(target_rank):
        if ladder.tiers[int(t)].validity_months is None:
            continue
        sel = target_rank == t
        starts, codes = np.unique(days[sel], return_inverse=True)  # few distinct days
        ends = [valid_from(ladder, int(t), date_or_none(int(x)) or EPOCH) for x in starts]
        out_valid[sel] = np.asarray(ends, dtype=np.int64)[codes]
    rank[rows] = target_rank
    status[rows] = what
    since[rows] = days
    notified[rows] = np.maximum(days, decided[target_plan])
    valid[rows] = out_valid
    periods[rows] = 0
