"""Evaluating customers against a tier ladder, with or without their previous state.

:func:`evaluate_tiers` is the batch path (one :func:`~bankcrm.membership.daily_average` call per
distinct (metric, window) of the ladder, decisions in numpy); :func:`evaluate_tier` is the
scalar path for one customer, from that customer's exact sums. Both run the same decision
kernel, so batch == scalar.

**Metrics.** A tier's ``metric`` names an asset policy (:meth:`TierLadder.asset_policy`): the
ladder's own ``metrics`` table, else :data:`~bankcrm.membership.STANDARD_METRICS`
(``"financial_assets"``, ``"aum"``, ``"total_assets"``); an unknown name fails when the ladder
is built.

**Partial periods.** ``partial_period="calendar_days"`` (default) divides by every calendar day
of the window. ``"days_since_opening"`` divides a customer who opened inside the window by the
days from the opening of their first account (the earliest ``opened_on`` of any of the
customer's accounts, counted or not) to the window's end; a customer who opened after the
window has no day to average over and meets no threshold.

**Decisions.** Each tier with a requirement has one decision per ``as_of``: its window
(:func:`~bankcrm.membership.averaging_window`) and its decision date — the latest review on or
before ``as_of`` for a review-decided tier (the club), the last day of the window for a tier
decided at ``as_of`` (the monthly wealth tier: every ``as_of`` in March decides on February,
dated 28 February). Thresholds are decided exactly by :func:`~bankcrm.membership.meets`.

**Without states** every customer is new: the highest tier whose *entry* threshold it meets
(``standard`` if none), ``status="qualified"``, ``since = notified_on =`` that tier's decision
date, ``valid_until = membership_valid_until(notified_on)`` (``NaT`` for a tier without
validity and for the base tier).

**With states** (the previous result, or a frame of ``customer_id``, ``tier``, ``status``,
``since``, ``valid_until``, ``notified_on``, ``periods_below`` and optionally ``floor``), for a
member of tier T:

1. *upgrade* — a higher tier whose entry it meets: moves there (as a new customer would);
2. otherwise, when T's decision date is after ``notified_on`` (a decision not yet applied):
   retention met → *renewal* (``qualified``, ``periods_below`` 0, ``notified_on`` the decision
   date, validity renewed by :func:`~bankcrm.membership.validity_after_review`); below retention
   → ``periods_below + 1``: ``watch`` (``qualified`` if the tier has ``watch=False``) until
   ``downgrade_after`` consecutive periods, then *downgraded* to ``downgrade_to`` or else the
   highest lower tier whose entry it meets — unless a validity still runs
   (``validity_clash="keep_validity"``): then ``watch`` until it ends; with
   ``transition_months`` M, the member keeps the tier (``watch``) for M months from the decision
   that downgrades it (``valid_until`` = the transition's last day, or the validity if later)
   and is ``downgraded`` the day after, unless a later decision renews it first;
3. a decision already applied (decision date on or before ``notified_on``) changes nothing;
4. past ``valid_until`` without renewal → *lapsed* to the tier it would be downgraded to, from
   the day after the validity — unless the tier's ``validity_end`` is ``"next_review"`` and the
   member is in good standing (``periods_below`` 0): then it keeps the tier until the next
   decision renews it or downgrades it;
5. ``floor`` (a tier id with ``manual_floor=True``: an invited member) keeps the member at least
   at that tier.

A transition to a tier also marks that tier's current decision as applied (``notified_on`` is
at least its decision date), so feeding a result back as ``states`` for the same ``as_of``
gives it unchanged (idempotent). A customer of ``accounts`` without a state row is new; a state
row of a customer not in ``accounts`` is an error (rule ``domain``), never dropped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import attrs
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from bankcrm._roles import column_names, column_names_by_frame
from bankcrm._tables import as_pandas
from bankcrm._values import raise_for_rows
from bankcrm.calendar import BusinessCalendar, Period, add_months, as_date
from bankcrm.errors import InputError, Rule
from bankcrm.frames import Column, FrameSchema, validate_frame
from bankcrm.membership.averages import meets, window_sums
from bankcrm.membership.balances import ROLES
from bankcrm.membership.ladders import Tier, TierLadder, checked_calendar, checked_ladder
from bankcrm.membership.reviews import (
    averaging_window,
    latest_review,
    membership_valid_until,
    validity_after_review,
)
from bankcrm.policy import stamp_provenance
from bankcrm.ratios import Threshold

__all__ = ["STATUSES", "TierMetrics", "evaluate_tier", "evaluate_tiers"]

#: The statuses a result carries.
STATUSES = ("qualified", "watch", "downgraded", "lapsed")

#: The exact sums of one customer, keyed ``(metric, window_start, window_end)`` →
#: ``(balance_days_fen, days)`` (the ``balance_days_fen`` and ``days`` of
#: :func:`~bankcrm.membership.daily_average` for that asset policy and window).
TierMetrics = Mapping[tuple[str, dt.date, dt.date], tuple[int, int]]

_STATE_ROLES = (
    "customer_id",
    "tier",
    "status",
    "since",
    "valid_until",
    "notified_on",
    "periods_below",
    "floor",
)

Days = NDArray[np.int64]  # day numbers since 1970-01-01; _NAT for none
_NAT = np.iinfo(np.int64).min
_EPOCH = dt.date(1970, 1, 1)


def _day(value: dt.date | None) -> int:
    return _NAT if value is None else (value - _EPOCH).days


def _date(day: int) -> dt.date | None:
    return None if day == _NAT else _EPOCH + dt.timedelta(days=int(day))


@attrs.frozen
class _Decision:
    """One tier's decision at ``as_of``: its window and its decision date."""

    rank: int
    tier: Tier
    window: Period
    decided_on: dt.date

    @property
    def key(self) -> tuple[str, dt.date, dt.date]:
        assert self.tier.metric is not None
        return (self.tier.metric, self.window.start, self.window.end)


def _plan(ladder: TierLadder, as_of: dt.date, calendar: BusinessCalendar) -> list[_Decision]:
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
        plan.append(_Decision(rank, tier, window, decided))
    return plan


# ---------------------------------------------------------------- the decision kernel
@attrs.frozen(eq=False)
class _States:
    rank: NDArray[np.int64]  # -1: no state (new customer)
    status: NDArray[Any]
    since: Days
    valid_until: Days
    notified_on: Days
    periods_below: NDArray[np.int64]
    floor: NDArray[np.int64]  # -1: none

    @classmethod
    def new(cls, n: int) -> _States:
        nat = np.full(n, _NAT, dtype=np.int64)
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
class _Outcome:
    rank: NDArray[np.int64]
    status: NDArray[Any]
    since: Days
    valid_until: Days
    notified_on: Days
    periods_below: NDArray[np.int64]
    evidence: NDArray[np.int64]  # index into the plan, -1 none
    kind: NDArray[Any]  # "entry" / "retention"
    met: NDArray[np.bool_]


def _valid_from(ladder: TierLadder, rank: int, day: dt.date) -> int:
    return _day(membership_valid_until(day, ladder, tier=ladder.tiers[rank]))


def _decide(
    ladder: TierLadder,
    as_of: dt.date,
    plan: list[_Decision],
    sums: list[tuple[NDArray[np.int64], NDArray[np.int64]]],
    states: _States,
) -> _Outcome:
    """Every customer's new tier and state (vectorised over customers, a loop over tiers)."""
    n = len(states.rank)
    today = _day(as_of)
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
    since = np.full(n, _NAT, dtype=np.int64)
    valid = np.full(n, _NAT, dtype=np.int64)
    notified = np.full(n, _NAT, dtype=np.int64)
    periods = np.zeros(n, dtype=np.int64)

    decided = np.asarray([_day(d.decided_on) for d in plan], dtype=np.int64)
    plan_rank = np.asarray([d.rank for d in plan], dtype=np.int64)
    join_valid = np.asarray(
        [_valid_from(ladder, d.rank, d.decided_on) for d in plan], dtype=np.int64
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
        fresh = stay & ((states.notified_on == _NAT) | (states.notified_on < on))
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
        valid[fresh] = _renewed(ladder, r, states.valid_until[fresh], on, keep[i][fresh])
        status[below] = "watch" if tier.watch else "qualified"
        falls = below & (periods >= tier.downgrade_after)
        if tier.transition_months:
            _transition(tier, on, falls, states, valid)
        still_valid = (valid != _NAT) & (valid >= today)
        status[falls & still_valid] = "watch"
        # a transition ends through the validity path below, dated the day after it
        down = falls & ~still_valid if not tier.transition_months else np.zeros(n, dtype=bool)
        _move(
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
        ended = stay & ~down & (valid != _NAT) & (valid < today)
        if tier.validity_end == "next_review":
            ended &= periods > 0  # in good standing: the next decision renews or downgrades
        if ended.any():
            moved_down = ended & (periods >= tier.downgrade_after) & (tier.transition_months > 0)
            for rows, what in ((ended & ~moved_down, "lapsed"), (moved_down, "downgraded")):
                if rows.any():
                    _move(
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
    evidence, kind, met = _evidence(plan, entry, keep, decided, rank, status, since)
    return _Outcome(rank, status, since, valid, notified, periods, evidence, kind, met)


def _transition(
    tier: Tier, on: int, falls: NDArray[np.bool_], states: _States, valid: Days
) -> None:
    """Members falling below for good keep the tier ``transition_months`` from the decision.

    The transition's last day is written into ``valid`` when the fall is first decided; later
    decisions below keep it (the state carries it), so a transition never extends itself.
    """
    decided = _date(on)
    assert decided is not None
    last = _day(add_months(decided, tier.transition_months)) - 1
    started = falls & ((states.periods_below < tier.downgrade_after) | (states.valid_until == _NAT))
    ongoing = falls & ~started
    valid[started] = np.where(valid[started] == _NAT, last, np.maximum(valid[started], last))
    valid[ongoing] = states.valid_until[ongoing]


def _evidence(
    plan: list[_Decision],
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
    joined = member & (since != _NAT) & (since >= decided[np.minimum(own, len(plan) - 1)])
    kind[member & ~joined] = "retention"
    moved = left & (above >= 0)
    evidence[moved] = np.where(failing[moved] >= 0, failing[moved], above[moved])
    kind[moved] = "retention"
    rows = np.arange(n)
    entry_met = np.stack(entry)[evidence, rows] if n else np.zeros(0, dtype=bool)
    keep_met = np.stack(keep)[evidence, rows] if n else np.zeros(0, dtype=bool)
    met = np.where(kind == "retention", keep_met, entry_met)
    return evidence, kind, met


def _renewed(
    ladder: TierLadder, rank: int, current: Days, day: int, qualified: NDArray[np.bool_]
) -> Days:
    """Validity after a decision on ``day`` (per row: renewed if qualified)."""
    tier = ladder.tiers[rank]
    if tier.validity_months is None:
        return np.full(len(current), _NAT, dtype=np.int64)
    decided = _date(day)
    assert decided is not None
    fresh = _day(add_months(decided, tier.validity_months))
    out = np.empty(len(current), dtype=np.int64)
    # few distinct current validities: one exact call per distinct (validity, qualified)
    cases = pd.MultiIndex.from_arrays([current, qualified])
    codes, uniques = pd.factorize(cases)
    for code, (cur, ok) in enumerate(uniques):
        if cur == _NAT:
            value = fresh if ok else _NAT
        else:
            value = _day(
                validity_after_review(
                    _date(int(cur)), decided, ladder, tier=tier, qualified=bool(ok)
                )
            )
        out[codes == code] = value
    return out


def _move(
    ladder: TierLadder,
    plan: list[_Decision],
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
    decided = np.asarray([_day(d.decided_on) for d in plan] + [_NAT], dtype=np.int64)
    target_plan = np.asarray([plan_of.get(int(t), len(plan)) for t in target_rank])
    out_valid = np.full(len(target_rank), _NAT, dtype=np.int64)
    for t in np.unique(target_rank):
        if ladder.tiers[int(t)].validity_months is None:
            continue
        sel = target_rank == t
        starts, codes = np.unique(days[sel], return_inverse=True)  # few distinct days
        ends = [_valid_from(ladder, int(t), _date(int(x)) or _EPOCH) for x in starts]
        out_valid[sel] = np.asarray(ends, dtype=np.int64)[codes]
    rank[rows] = target_rank
    status[rows] = what
    since[rows] = days
    notified[rows] = np.maximum(days, decided[target_plan])
    valid[rows] = out_valid
    periods[rows] = 0


# ---------------------------------------------------------------- results
_DATE_COLUMNS = ("valid_until", "window_start", "window_end", "since", "notified_on")
COLUMNS = (
    "customer_id",
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
    "floor",
)


def _as_datetimes(days: Days) -> NDArray[np.datetime64]:
    out = days.astype("datetime64[D]").astype("datetime64[us]")
    out[days == _NAT] = np.datetime64("NaT")
    return out


def _yuan(fen_days: NDArray[np.int64], days: NDArray[np.int64]) -> NDArray[Any]:
    """Daily averages in yuan as text, rounded half up to fen (display only)."""
    some = days > 0  # no day to average over: shown as 0.00
    average = np.where(some, (2 * fen_days + days) // (2 * np.where(some, days, 1)), 0)
    sign = np.where(average < 0, "-", "")
    magnitude = np.abs(average)
    whole = (magnitude // 100).astype(str).astype(object)
    cents = pd.Series(magnitude % 100).astype(str).str.zfill(2).to_numpy(dtype=object)
    text: NDArray[Any] = sign.astype(object) + whole + "." + cents
    return text


def _frame(
    ladder: TierLadder,
    plan: list[_Decision],
    sums: list[tuple[NDArray[np.int64], NDArray[np.int64]]],
    outcome: _Outcome,
    customer_ids: Any,
    floor: NDArray[np.int64],
) -> pd.DataFrame:
    n = len(outcome.rank)
    ids = np.asarray(ladder.tier_ids, dtype=object)
    ev = outcome.evidence
    frame: dict[str, Any] = {
        "customer_id": customer_ids,
        "tier": ids[outcome.rank] if n else np.asarray([], dtype=object),
        "status": outcome.status,
        "valid_until": _as_datetimes(outcome.valid_until),
    }
    if plan:
        pick = np.maximum(ev, 0)
        bd = np.stack([s[0] for s in sums])[pick, np.arange(n)] if n else np.zeros(0, np.int64)
        days = np.stack([s[1] for s in sums])[pick, np.arange(n)] if n else np.zeros(0, np.int64)
        retention = outcome.kind == "retention"
        thresholds = []
        comparators = []
        for d in plan:
            t_entry = d.tier.entry
            t_keep = d.tier.retention_threshold
            assert t_entry is not None
            assert t_keep is not None
            thresholds.append(
                (
                    ladder.threshold_fen(d.tier, kind="entry"),
                    ladder.threshold_fen(d.tier, kind="retention"),
                )
            )
            comparators.append((t_entry.comparator.value, t_keep.comparator.value))
        thr = np.asarray(thresholds, dtype=np.int64).reshape(-1, 2)[pick, retention.astype(int)]
        comp = np.asarray(comparators, dtype=object).reshape(-1, 2)[pick, retention.astype(int)]
        metric = np.asarray([d.tier.metric for d in plan], dtype=object)[pick]
        start = np.asarray([_day(d.window.start) for d in plan], dtype=np.int64)[pick]
        end = np.asarray([_day(d.window.end) for d in plan], dtype=np.int64)[pick]
        tier_of = np.asarray([d.tier.tier_id for d in plan], dtype=object)[pick]
        start_text = np.asarray([d.window.start.isoformat() for d in plan], dtype=object)[pick]
        end_text = np.asarray([d.window.end.isoformat() for d in plan], dtype=object)[pick]
        threshold_text = np.asarray(
            [(str(a.value), str(b.value)) for a, b in _thresholds(plan)], dtype=object
        ).reshape(-1, 2)[pick, retention.astype(int)]
        verdict = np.where(outcome.met, " met: ", " not met: ").astype(object)
        reason = (
            tier_of
            + " "
            + outcome.kind
            + verdict
            + metric
            + " daily average "
            + (_yuan(bd, days) if n else np.asarray([], dtype=object))
            + " vs "
            + comp
            + " "
            + threshold_text
            + " over "
            + start_text
            + ".."
            + end_text
            + " ("
            + days.astype(str).astype(object)
            + f" days); {ladder.name} {ladder.version}"
        )
        frame |= {
            "reason": reason,
            "metric": metric,
            "window_start": _as_datetimes(start),
            "window_end": _as_datetimes(end),
            "days": days.astype(np.int64),
            "balance_days_fen": bd.astype(np.int64),
            "threshold_fen": thr,
            "comparator": comp,
        }
    else:
        none = np.full(n, None, dtype=object)
        nat = _as_datetimes(np.full(n, _NAT, dtype=np.int64))
        frame |= {
            "reason": np.full(n, f"base tier; {ladder.name} {ladder.version}", dtype=object),
            "metric": none,
            "window_start": nat,
            "window_end": nat,
            "days": pd.array([None] * n, dtype="Int64"),
            "balance_days_fen": pd.array([None] * n, dtype="Int64"),
            "threshold_fen": pd.array([None] * n, dtype="Int64"),
            "comparator": none,
        }
    frame |= {
        "since": _as_datetimes(outcome.since),
        "notified_on": _as_datetimes(outcome.notified_on),
        "periods_below": outcome.periods_below,
        "floor": _floor_ids(ids, floor),
    }
    return pd.DataFrame(frame, columns=list(COLUMNS))


def _thresholds(plan: list[_Decision]) -> list[tuple[Threshold, Threshold]]:
    out = []
    for d in plan:
        entry, kept = d.tier.entry, d.tier.retention_threshold
        assert entry is not None
        assert kept is not None
        out.append((entry, kept))
    return out


def _floor_ids(ids: NDArray[Any], floor: NDArray[np.int64]) -> NDArray[Any]:
    out = np.full(len(floor), None, dtype=object)
    out[floor >= 0] = ids[floor[floor >= 0]]
    return out


# ---------------------------------------------------------------- states
def _read_states(
    states: Any, ladder: TierLadder, names: dict[str, Any], customers: pd.Index[Any]
) -> _States:
    frame = as_pandas(states, name="states")
    cid = names["customer_id"]
    cust_kind = "int" if pd.api.types.is_integer_dtype(customers.dtype) else "str"
    if cid in frame.columns:
        kind = "int" if pd.api.types.is_integer_dtype(frame[cid].dtype) else "str"
        if kind != cust_kind and len(frame):
            raise InputError(
                f"states: customer ids are {kind} but the accounts' are {cust_kind}; use one "
                "type in both frames",
                column=str(cid),
                rule=Rule.KEY_TYPE,
            )
    schema = FrameSchema(
        "states",
        [
            Column(cid, cust_kind),
            Column(names["tier"], "str"),
            Column(names["status"], "str"),
            Column(names["since"], "date", nullable=True),
            Column(names["valid_until"], "date", nullable=True),
            Column(names["notified_on"], "date", nullable=True),
            Column(names["periods_below"], "int"),
            Column(names["floor"], "str", required=False, nullable=True),
        ],
        key=cid,
        unique_key=True,
    )
    frame = validate_frame(frame, schema)
    ids = pd.Index(ladder.tier_ids)
    tier_rank = ids.get_indexer(frame[names["tier"]].to_numpy(dtype=object))
    if (tier_rank < 0).any():
        raise_for_rows(
            f"states: unknown tier; this ladder has {list(ladder.tier_ids)}",
            column=str(names["tier"]),
            rule=Rule.DOMAIN,
            mask=tier_rank < 0,
            series=frame[names["tier"]],
        )
    status = frame[names["status"]].to_numpy(dtype=object)
    bad = ~pd.Series(status).isin(STATUSES).to_numpy()
    if bad.any():
        raise_for_rows(
            f"states: unknown status; use one of {list(STATUSES)}",
            column=str(names["status"]),
            rule=Rule.DOMAIN,
            mask=bad,
            series=frame[names["status"]],
        )
    periods = frame[names["periods_below"]].to_numpy().astype(np.int64)
    if (periods < 0).any():
        raise_for_rows(
            "states: periods_below must not be negative",
            column=str(names["periods_below"]),
            rule=Rule.RANGE,
            mask=periods < 0,
            series=frame[names["periods_below"]],
        )
    if names["floor"] in frame.columns:
        floor_values = frame[names["floor"]]
        present = floor_values.notna().to_numpy()
        floor = np.full(len(frame), -1, dtype=np.int64)
        floor[present] = ids.get_indexer(floor_values[present].to_numpy(dtype=object))
        unknown = present & (floor < 0)
        if unknown.any():
            raise_for_rows(
                f"states: unknown floor tier; this ladder has {list(ladder.tier_ids)}",
                column=str(names["floor"]),
                rule=Rule.DOMAIN,
                mask=unknown,
                series=floor_values,
            )
    else:
        floor = np.full(len(frame), -1, dtype=np.int64)
    where = customers.get_indexer(frame[cid].to_numpy())
    if (where < 0).any():
        raise_for_rows(
            "states: customer not in accounts",
            column=str(cid),
            rule=Rule.DOMAIN,
            mask=where < 0,
            series=frame[cid],
        )
    out = _States.new(len(customers))
    out.rank[where] = tier_rank
    out.status[where] = status
    for column, target in (
        ("since", out.since),
        ("valid_until", out.valid_until),
        ("notified_on", out.notified_on),
    ):
        values = frame[names[column]]
        present = values.notna().to_numpy()
        days = np.full(len(frame), _NAT, dtype=np.int64)
        days[present] = values[present].to_numpy().astype("datetime64[D]").astype(np.int64)
        target[where] = days
    out.periods_below[where] = periods
    out.floor[where] = floor
    return out


def _state_from_mapping(state: Mapping[str, Any] | None, ladder: TierLadder) -> _States:
    out = _States.new(1)
    if state is None:
        return out
    if not isinstance(state, Mapping):
        raise InputError(
            f"state must be a mapping of the state columns, got {type(state).__name__}",
            column="state",
            rule=Rule.TYPE,
        )
    for required in ("tier", "status"):
        if required not in state:
            raise InputError(f"state: missing {required!r}", column=required, rule=Rule.REQUIRED)
    out.rank[0] = ladder.rank(state["tier"])
    if state["status"] not in STATUSES:
        raise InputError(
            f"state: unknown status {state['status']!r}; use one of {list(STATUSES)}",
            column="status",
            rule=Rule.DOMAIN,
        )
    out.status[0] = state["status"]
    for name in ("since", "valid_until", "notified_on"):
        value = state.get(name)
        missing = value is None or (not isinstance(value, str) and bool(pd.isna(value)))
        out_days = getattr(out, name)
        out_days[0] = _NAT if missing else _day(as_date(value, name=name))
    periods = state.get("periods_below", 0)
    if isinstance(periods, bool) or not isinstance(periods, int | np.integer) or periods < 0:
        raise InputError(
            f"state: periods_below must be an integer >= 0, got {periods!r}",
            column="periods_below",
            rule=Rule.RANGE,
        )
    out.periods_below[0] = int(periods)
    floor = state.get("floor")
    if floor is not None and not (not isinstance(floor, str) and pd.isna(floor)):
        out.floor[0] = ladder.rank(floor)
    return out


# ---------------------------------------------------------------- public API
def evaluate_tiers(
    accounts: Any,
    balances: Any,
    ladder: TierLadder,
    *,
    as_of: Any,
    states: Any = None,
    fx_rates: Any = None,
    calendar: BusinessCalendar | None = None,
    columns: Any = None,
) -> pd.DataFrame:
    """Every customer's tier and status at ``as_of`` (see the module docstring for the rules).

    Args:
        accounts: as for :func:`~bankcrm.membership.daily_average`.
        balances: as for :func:`~bankcrm.membership.daily_average`.
        fx_rates: as for :func:`~bankcrm.membership.daily_average`.
        ladder: the :class:`~bankcrm.membership.TierLadder`.
        as_of: the decision date.
        states: ``None`` (every customer new) or the previous state per customer:
            ``customer_id``, ``tier``, ``status``, ``since``, ``valid_until``, ``notified_on``,
            ``periods_below`` and optionally ``floor`` — a previous result works as is.
        calendar: a business calendar overriding the ladder's.
        columns: ``{"accounts" | "balances" | "fx_rates" | "states": {role: column}}``.

    Returns:
        One row per customer of ``accounts`` in id order: ``customer_id``, ``tier``,
        ``status`` (``qualified`` / ``watch`` / ``downgraded`` / ``lapsed``), ``valid_until``,
        ``reason`` (text), the evidence of the deciding test — ``metric``, ``window_start``,
        ``window_end``, ``days``, ``balance_days_fen``, ``threshold_fen`` (entry or retention,
        as ``reason`` says), ``comparator`` — and the next state: ``since``, ``notified_on``,
        ``periods_below``, ``floor``. Stamped with the ladder's provenance for ``as_of``.

    Raises:
        InputError: as :func:`~bankcrm.membership.daily_average`; a malformed ``states`` frame
            (missing column: ``required``; unknown tier, status, floor or customer:
            ``domain``; negative ``periods_below``: ``range``; mixed id types: ``key_type``);
            a tier metric without an asset policy (``domain``).
    """
    day = as_date(as_of, name="as_of")
    the_ladder = checked_ladder(ladder)
    cal = checked_calendar(the_ladder, calendar)
    plan = _plan(the_ladder, day, cal)
    passed = dict(columns) if isinstance(columns, Mapping) else columns
    state_columns = passed.pop("states", None) if isinstance(passed, dict) else None
    state_names = column_names(state_columns, _STATE_ROLES, where="evaluate_tiers: states")

    customer_ids, sums = _window_sums(accounts, balances, the_ladder, plan, fx_rates, passed)
    if the_ladder.partial_period == "days_since_opening" and plan:
        sums = _since_opening(accounts, passed, customer_ids, plan, sums)
    index = pd.Index(customer_ids)
    previous = (
        _States.new(len(index))
        if states is None
        else _read_states(states, the_ladder, state_names, index)
    )
    outcome = _decide(the_ladder, day, plan, sums, previous)
    frame = _frame(the_ladder, plan, sums, outcome, customer_ids, previous.floor)
    return stamp_provenance(
        frame, the_ladder.provenance(day, producer="bankcrm.membership.evaluate_tiers")
    )


Sums = list[tuple[NDArray[np.int64], NDArray[np.int64]]]


def _window_sums(
    accounts: Any,
    balances: Any,
    ladder: TierLadder,
    plan: list[_Decision],
    fx_rates: Any,
    columns: Any,
) -> tuple[NDArray[Any], Sums]:
    """Every customer of ``accounts`` (sorted) and, per decision, its exact sums (the frames
    validated once, each distinct (metric, window) summed once)."""
    if not plan:  # a ladder of the base tier alone: the customers of accounts
        return _accounts_column(accounts, columns, "customer_id")[0], []
    keys = list(dict.fromkeys(d.key for d in plan))
    policy_of = {d.key: ladder.asset_policy(d.tier) for d in plan}
    requests = [(policy_of[k], k[1], k[2]) for k in keys]
    customer_ids, sums = window_sums(
        accounts, balances, requests, fx_rates=fx_rates, columns=columns, where="evaluate_tiers"
    )
    by_key = dict(zip(keys, sums, strict=True))
    return customer_ids, [by_key[d.key] for d in plan]


def _accounts_column(accounts: Any, columns: Any, role: str) -> tuple[NDArray[Any], Any]:
    """The sorted customer ids of ``accounts`` and the column of ``role`` (None if absent)."""
    names = column_names_by_frame(columns, ROLES, where="evaluate_tiers")["accounts"]
    frame = as_pandas(accounts, name="accounts")
    column = names["customer_id"]
    if column not in frame.columns:
        raise InputError(
            f"accounts: missing required column {column!r}", column=str(column), rule=Rule.REQUIRED
        )
    wanted = frame[names[role]] if names[role] in frame.columns else None
    return np.sort(frame[column].unique()), (frame[column], wanted)


def _since_opening(
    accounts: Any, columns: Any, customer_ids: NDArray[Any], plan: list[_Decision], sums: Sums
) -> Sums:
    """Days divided by under ``partial_period="days_since_opening"``: from the customer's first
    opening (earliest ``opened_on`` of their accounts) to the window's end, at most the window."""
    _, (customers, opened) = _accounts_column(accounts, columns, "opened_on")
    if opened is None:
        return sums
    days = pd.Series(pd.to_datetime(opened).to_numpy().astype("datetime64[D]"))
    first = days.groupby(customers.to_numpy()).min()  # NaT (never recorded) is skipped
    first_day = first.reindex(customer_ids).to_numpy()
    known = ~np.isnat(first_day)
    first_num = np.where(known, first_day.astype("datetime64[D]").astype(np.int64), 0)
    out: Sums = []
    for d, (bd, n_days) in zip(plan, sums, strict=True):
        end = _day(d.window.end)
        left = np.clip(end - first_num + 1, 0, n_days)
        out.append((bd, np.where(known, left, n_days).astype(np.int64)))
    return out


def evaluate_tier(
    metrics: TierMetrics,
    ladder: TierLadder,
    *,
    as_of: Any,
    state: Mapping[str, Any] | None = None,
    calendar: BusinessCalendar | None = None,
) -> dict[str, Any]:
    """One customer's tier and status at ``as_of``: the scalar path of :func:`evaluate_tiers`.

    Args:
        metrics: the customer's exact sums (:data:`TierMetrics`): for every tier with a
            requirement, ``(metric, window_start, window_end)`` → ``(balance_days_fen, days)``
            over that tier's window at ``as_of`` (:func:`~bankcrm.membership.averaging_window`).
        ladder: the tier ladder.
        as_of: the decision date.
        state: the customer's previous state (a mapping with the state columns of
            :func:`evaluate_tiers`; ``None``: a new customer).
        calendar: a business calendar overriding the ladder's.

    Returns:
        A dict with the columns of :func:`evaluate_tiers` except ``customer_id`` (dates as
        :class:`datetime.date` or ``None``).

    Raises:
        InputError: a window missing from ``metrics`` (rule ``missing``, naming the key), an
            unknown tier in ``state`` (rule ``domain``).

    >>> import datetime as dt
    >>> from bankcrm.membership.presets import EVERBRIGHT
    >>> m = {("financial_assets", dt.date(2026, 2, 1), dt.date(2026, 2, 28)): (2_800_000_000, 28),
    ...      ("aum", dt.date(2025, 7, 1), dt.date(2025, 12, 31)): (0, 184)}
    >>> row = evaluate_tier(m, EVERBRIGHT, as_of="2026-03-15")
    >>> row["tier"], row["status"], row["notified_on"]
    ('wealth', 'qualified', datetime.date(2026, 2, 28))
    """
    day = as_date(as_of, name="as_of")
    the_ladder = checked_ladder(ladder)
    cal = checked_calendar(the_ladder, calendar)
    plan = _plan(the_ladder, day, cal)
    if not isinstance(metrics, Mapping):
        raise InputError(
            f"metrics must map (metric, start, end) to (balance_days_fen, days), got "
            f"{type(metrics).__name__}",
            column="metrics",
            rule=Rule.TYPE,
        )
    sums = []
    for d in plan:
        if d.key not in metrics:
            raise InputError(
                f"metrics: no sums for {d.key[0]!r} over {d.key[1]}..{d.key[2]} (tier "
                f"{d.tier.tier_id!r}); pass (balance_days_fen, days) for that window",
                column="metrics",
                rule=Rule.MISSING,
            )
        bd, days = metrics[d.key]
        sums.append((np.asarray([int(bd)], dtype=np.int64), np.asarray([int(days)], np.int64)))
    previous = _state_from_mapping(state, the_ladder)
    outcome = _decide(the_ladder, day, plan, sums, previous)
    row = _frame(the_ladder, plan, sums, outcome, np.asarray([None]), previous.floor)
    out: dict[str, Any] = {}
    for name in COLUMNS[1:]:
        value = row[name].iloc[0]
        if name in _DATE_COLUMNS:
            out[name] = None if pd.isna(value) else value.date()
        elif isinstance(value, np.integer):
            out[name] = int(value)
        elif value is pd.NA:
            out[name] = None
        else:
            out[name] = value
    return out
