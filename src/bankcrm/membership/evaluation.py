"""Evaluating customers against a tier ladder, with or without their previous state.

:func:`evaluate_tiers` is the batch path (the frames validated once, the exact sums of each
distinct (metric, window) of the ladder computed once, decisions in numpy); :func:`evaluate_tier`
is the scalar path for one customer, from that customer's exact sums. Both run the same
decision kernel (``_decisions``, shared with :func:`~bankcrm.membership.membership_timeline`),
so batch == scalar.

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

import numpy as np
import pandas as pd

from bankcrm._roles import column_names
from bankcrm.calendar import BusinessCalendar, as_date
from bankcrm.errors import InputError, Rule
from bankcrm.membership._decisions import STATUSES, States, decide, plan_decisions
from bankcrm.membership._tier_results import COLUMNS, DATE_COLUMNS, result_frame
from bankcrm.membership._tier_states import STATE_ROLES, read_states, state_from_mapping
from bankcrm.membership._tier_sums import decision_sums, since_opening
from bankcrm.membership.ladders import TierLadder, checked_calendar, checked_ladder
from bankcrm.policy import stamp_provenance

__all__ = ["STATUSES", "TierMetrics", "evaluate_tier", "evaluate_tiers"]

#: The exact sums of one customer, keyed ``(metric, window_start, window_end)`` →
#: ``(balance_days_fen, days)`` (the ``balance_days_fen`` and ``days`` of
#: :func:`~bankcrm.membership.daily_average` for that asset policy and window).
TierMetrics = Mapping[tuple[str, dt.date, dt.date], tuple[int, int]]


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
    plan = plan_decisions(the_ladder, day, cal)
    passed = dict(columns) if isinstance(columns, Mapping) else columns
    state_columns = passed.pop("states", None) if isinstance(passed, dict) else None
    state_names = column_names(state_columns, STATE_ROLES, where="evaluate_tiers: states")

    customer_ids, sums = decision_sums(accounts, balances, the_ladder, plan, fx_rates, passed)
    if the_ladder.partial_period == "days_since_opening" and plan:
        sums = since_opening(accounts, passed, customer_ids, plan, sums)
    index = pd.Index(customer_ids)
    previous = (
        States.new(len(index))
        if states is None
        else read_states(states, the_ladder, state_names, index)
    )
    outcome = decide(the_ladder, day, plan, sums, previous)
    frame = result_frame(the_ladder, plan, sums, outcome, customer_ids, previous.floor)
    return stamp_provenance(
        frame, the_ladder.provenance(day, producer="bankcrm.membership.evaluate_tiers")
    )


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
    plan = plan_decisions(the_ladder, day, cal)
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
    previous = state_from_mapping(state, the_ladder)
    outcome = decide(the_ladder, day, plan, sums, previous)
    row = result_frame(the_ladder, plan, sums, outcome, np.asarray([None]), previous.floor)
    out: dict[str, Any] = {}
    for name in COLUMNS[1:]:
        value = row[name].iloc[0]
        if name in DATE_COLUMNS:
            out[name] = None if pd.isna(value) else value.date()
        elif isinstance(value, np.integer):
            out[name] = int(value)
        elif value is pd.NA:
            out[name] = None
        else:
            out[name] = value
    return out
