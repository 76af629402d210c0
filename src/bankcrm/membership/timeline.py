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
from typing import Any

import attrs
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from bankcrm.calendar import BusinessCalendar, as_date
from bankcrm.errors import InputError, Rule
from bankcrm.membership._decisions import (
    Outcome,
)
from bankcrm.membership._replay import Step, setup_replay
from bankcrm.membership._tier_results import result_frame
from bankcrm.membership.ladders import TierLadder
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


# ---------------------------------------------------------------- events
def _events(step: Step) -> tuple[NDArray[np.intp], NDArray[Any]]:
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
    ladder: TierLadder, step: Step, customer_ids: NDArray[Any], day: dt.date
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
    replay, initial = setup_replay(
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
