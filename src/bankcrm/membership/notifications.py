"""The notification list: who joins, renews or leaves a tier at its next review, and why.

:func:`review_notifications` is the list a relationship manager works from before a review. For
each tier decided at its reviews (the 阳光汇 club; or the ``tier`` asked for) it takes the
tier's first review strictly after ``as_of`` and replays the ladder from ``as_of`` to that
review (:func:`~bankcrm.membership.membership_timeline`'s decision points: the monthly wealth
decisions and any lapse in between are applied too), starting from ``states`` (``None``: every
customer new at ``as_of``).

**Projection.** Balances after ``as_of`` are not known yet, so the replay projects the last
known balance forward: a snapshot holds until the account's next row (there is none after
``as_of``), and with change events the balance stays where the last event left it; an account
still opens and closes on its ``opened_on`` / ``closed_on``. A balance row dated after
``as_of`` is an :class:`~bankcrm.errors.InputError` (rule ``after_as_of``): the list is what is
known at ``as_of``. A projected foreign-currency day converts at the **latest rate on or before
``as_of``** (rates dated after ``as_of`` are not used); a currency without a rate on or before
``as_of`` raises (rule ``fx_rate``) as in :func:`~bankcrm.membership.daily_average`.

**Rows.** One row per reviewed tier and customer who is a member of it now or at the review, or
who is above the base tier now or at the review (a prospect, ``change="none"``, with what it
lacks). Customers who stay in the base tier throughout are not on the list. ``change`` is

- ``join`` — not a member now, a member after the review;
- ``renew`` — a member now, retention met at the review;
- ``watch`` — a member now and after the review, but below retention (on watch, or kept by a
  running validity or transition);
- ``leave`` — a member now, below the tier after the review (``status`` says ``downgraded`` or
  ``lapsed``);
- ``upgrade`` — a member now, in a higher tier after the review;
- ``none`` — neither now nor after the review.

**Evidence and shortfall.** The tier's test at the review: its window, ``balance_days_fen``
(exact, projected days included), ``days``, ``threshold_fen`` — the retention threshold for a
member (as of the day before the review), the entry threshold otherwise — and ``met``.
``days_remaining`` is the number of days of the window after ``as_of``. ``shortfall_fen`` is the
smallest whole number of fen ``x`` such that holding ``x`` more, counted at weight 1, on each
remaining day meets the threshold exactly (``balance_days_fen + x × days_remaining`` against
``threshold_fen × days`` by the threshold's comparator; rounded up): ``0`` when the test is met,
``<NA>`` when it is not met and no day of the window remains. Integers only; no float decides.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from bankcrm._fx import FxRates, build_table
from bankcrm._roles import column_names_by_frame
from bankcrm._tables import as_pandas
from bankcrm._values import raise_for_rows
from bankcrm.calendar import BusinessCalendar, add_months, as_date
from bankcrm.errors import InputError, Rule
from bankcrm.frames import Column, FrameSchema, validate_frame
from bankcrm.membership._decisions import day_or_nat
from bankcrm.membership._replay import Step, setup_replay
from bankcrm.membership._tier_results import as_datetimes, yuan_text
from bankcrm.membership.averages import meets
from bankcrm.membership.balances import ROLES
from bankcrm.membership.ladders import Tier, TierLadder
from bankcrm.membership.reviews import next_review
from bankcrm.membership.timeline import tier_names
from bankcrm.policy import stamp_provenance
from bankcrm.ratios import Comparator

__all__ = ["CHANGES", "review_notifications"]

#: The changes a notification row may carry.
CHANGES = ("join", "renew", "watch", "leave", "upgrade", "none")

#: The columns of the list, in order.
COLUMNS = (
    "customer_id",
    "review_tier",
    "review_date",
    "tier_now",
    "tier_at_review",
    "change",
    "status",
    "valid_until",
    "metric",
    "window_start",
    "window_end",
    "days",
    "days_remaining",
    "balance_days_fen",
    "threshold_kind",
    "threshold_fen",
    "comparator",
    "met",
    "shortfall_fen",
    "reason",
)


def _next_decision(tier: Tier, ladder: TierLadder, day: dt.date, cal: BusinessCalendar) -> dt.date:
    """The tier's first decision strictly after ``day``: its next review, or for a tier decided
    at ``as_of`` the last day of its next window (a month end)."""
    assert tier.review is not None
    if tier.review.decided_at == "review":
        return next_review(day, ladder, tier=tier, calendar=cal)
    anchor = dt.date(day.year, day.month, 1)
    for k in range(1, 122):
        month_end = add_months(anchor, k) - dt.timedelta(days=1)
        if month_end > day and tier.window_ending_on_or_before(month_end).end == month_end:
            return month_end
    raise InputError(  # pragma: no cover - every window ends within ten years
        f"tier {tier.tier_id!r}: no decision after {day}", column="as_of", rule=Rule.RANGE
    )


def _tiers(ladder: TierLadder, tier: Any) -> list[Tier]:
    if tier is None:
        return [t for t in ladder.tiers if t.review is not None and t.review.decided_at == "review"]
    found = ladder.tier(tier)
    if not found.has_requirement:
        raise InputError(
            f"tier {found.tier_id!r} has no requirement and no review",
            column="tier",
            rule=Rule.DOMAIN,
        )
    return [found]


def _check_known(balances: Any, columns: Any, day: dt.date) -> None:
    """A balance row dated after ``as_of`` is not known at ``as_of``: an error."""
    names = column_names_by_frame(columns, ROLES, where="review_notifications")["balances"]
    frame = as_pandas(balances, name="balances")
    if names["date"] not in frame.columns:
        return  # daily_average names the missing column
    dates = validate_frame(frame, FrameSchema("balances", [Column(names["date"], "date")]))
    days = dates[names["date"]].to_numpy().astype("datetime64[D]").astype(np.int64)
    after = days > day_or_nat(day)
    if after.any():
        raise_for_rows(
            f"balances: rows dated after as_of {day} are not known at as_of; the list projects "
            "the last known balance instead (pass the balances known at as_of)",
            column=str(names["date"]),
            rule=Rule.AFTER_AS_OF,
            mask=after,
            series=frame[names["date"]],
        )


def _projected_rates(fx_rates: Any, columns: Any, day: dt.date, horizon: dt.date) -> FxRates | None:
    """The rates known at ``as_of``, the latest of each currency repeated every day to
    ``horizon``."""
    if fx_rates is None:
        return None
    if isinstance(fx_rates, FxRates):
        rates = fx_rates
    else:
        names = column_names_by_frame(columns, ROLES, where="review_notifications")["fx_rates"]
        rates = FxRates.from_frame(
            as_pandas(fx_rates, name="fx_rates"),
            currency=names["currency"],
            date=names["date"],
            rate=names["rate"],
        )
    today, last = day_or_nat(day), day_or_nat(horizon)
    tables = {}
    for code in rates.currencies:
        table = rates.table(code)
        assert table is not None
        keep = table.days <= today
        if not keep.any():
            continue
        days = table.days[keep].tolist()
        values: list[Decimal] = [r for r, k in zip(table.rates, keep.tolist(), strict=True) if k]
        latest = values[-1]
        extra = list(range(today + 1, last + 1))
        tables[code] = build_table(days + extra, values + [latest] * len(extra))
    return FxRates(tables)


def _shortfall(
    bd: NDArray[np.int64],
    days: NDArray[np.int64],
    threshold_fen: int,
    comparator: Comparator,
    remaining: int,
    met: NDArray[np.bool_],
) -> Any:
    out: list[int | None] = []
    for total, n, ok in zip(bd.tolist(), days.tolist(), met.tolist(), strict=True):
        if ok:
            out.append(0)
            continue
        if remaining <= 0 or n <= 0:
            out.append(None)
            continue
        gap = threshold_fen * n - total  # exact Python ints
        if comparator is Comparator.GE:
            out.append(max(0, -(-gap // remaining)))
        elif comparator is Comparator.GT:
            out.append(max(0, gap // remaining + 1))
        else:  # pragma: no cover - ladders only allow floors (>=, >)
            out.append(None)
    return pd.array(out, dtype="Int64")


def _rows(
    ladder: TierLadder,
    tier: Tier,
    review: dt.date,
    day: dt.date,
    now: NDArray[np.int64],
    step: Step,
    customer_ids: NDArray[Any],
) -> pd.DataFrame:
    r = ladder.rank(tier)
    i = next(k for k, d in enumerate(step.plan) if d.rank == r)
    decision = step.plan[i]
    after, before = step.after, step.before
    change = np.full(len(now), "none", dtype=object)
    member = now == r
    kept = member & (after.rank == r)
    renewed = kept & (after.status == "qualified") & (after.periods_below == 0)
    change[renewed] = "renew"
    change[kept & ~renewed] = "watch"
    change[member & (after.rank < r)] = "leave"
    change[member & (after.rank > r)] = "upgrade"
    change[~member & (after.rank == r)] = "join"
    listed = member | (after.rank == r) | (np.maximum(now, 0) > 0) | (after.rank > 0)
    rows = np.flatnonzero(listed)

    bd_all, days_all = step.sums[i]
    bd, days = bd_all[rows], days_all[rows]
    retention = before.rank[rows] == r
    entry_t, keep_t = tier.entry, tier.retention_threshold
    assert entry_t is not None
    assert keep_t is not None
    window = decision.window
    remaining = max(0, (window.end - max(day, window.start - dt.timedelta(days=1))).days)
    met = np.zeros(len(rows), dtype=bool)
    shortfall = pd.array([None] * len(rows), dtype="Int64")
    threshold = np.zeros(len(rows), dtype=np.int64)
    comparator = np.full(len(rows), "", dtype=object)
    shown = np.full(len(rows), "", dtype=object)
    for is_keep, t, kind in ((False, entry_t, "entry"), (True, keep_t, "retention")):
        sel = retention == is_keep
        if not sel.any():
            continue
        fen = ladder.threshold_fen(tier, kind=kind)  # type: ignore[arg-type]
        ok = np.asarray(meets(bd[sel], days[sel], t.value, t.comparator), bool) & (days[sel] > 0)
        met[sel] = ok
        threshold[sel] = fen
        comparator[sel] = t.comparator.value
        shown[sel] = str(t.value)
        shortfall[sel] = _shortfall(bd[sel], days[sel], fen, t.comparator, remaining, ok)
    kind_text = np.where(retention, "retention", "entry").astype(object)
    ids = np.asarray(ladder.tier_ids, dtype=object)
    safe_days = np.maximum(days, 1)
    reason = (
        f"{tier.tier_id} "
        + kind_text
        + np.where(met, " met", " not met").astype(object)
        + f" at the {review} review: {decision.tier.metric} daily average "
        + yuan_text(bd, safe_days)
        + " vs "
        + comparator
        + " "
        + shown
        + f" over {window.start}..{window.end} ("
        + days.astype(str).astype(object)
        + f" days; {remaining} after {day} projected at the last known balance); "
        + f"{ladder.name} {ladder.version}"
    )
    return pd.DataFrame(
        {
            "customer_id": customer_ids[rows],
            "review_tier": tier.tier_id,
            "review_date": pd.Timestamp(review).as_unit("us"),
            "tier_now": tier_names(ladder, now[rows]),
            "tier_at_review": ids[after.rank[rows]],
            "change": change[rows],
            "status": after.status[rows],
            "valid_until": as_datetimes(after.valid_until[rows]),
            "metric": decision.tier.metric,
            "window_start": pd.Timestamp(window.start).as_unit("us"),
            "window_end": pd.Timestamp(window.end).as_unit("us"),
            "days": days.astype(np.int64),
            "days_remaining": np.full(len(rows), remaining, dtype=np.int64),
            "balance_days_fen": bd.astype(np.int64),
            "threshold_kind": kind_text,
            "threshold_fen": threshold,
            "comparator": comparator,
            "met": met,
            "shortfall_fen": shortfall,
            "reason": reason,
        },
        columns=list(COLUMNS),
    )


def review_notifications(
    accounts: Any,
    balances: Any,
    ladder: TierLadder,
    *,
    as_of: Any,
    states: Any = None,
    tier: str | Tier | None = None,
    fx_rates: Any = None,
    calendar: BusinessCalendar | None = None,
    columns: Any = None,
) -> pd.DataFrame:
    """Who joins, renews or leaves each reviewed tier at its next review after ``as_of``.

    See the module docstring for the rules (projection, rows, changes, shortfall).

    Args:
        accounts: as for :func:`~bankcrm.membership.daily_average`.
        balances: as for :func:`~bankcrm.membership.daily_average`: the balances known at
            ``as_of`` (none dated after it).
        fx_rates: as for :func:`~bankcrm.membership.daily_average`.
        ladder: the :class:`~bankcrm.membership.TierLadder`.
        as_of: the day the list is drawn up (the replay starts there).
        states: the customers' state before ``as_of`` (as for
            :func:`~bankcrm.membership.evaluate_tiers`); ``None``: every customer new.
        tier: one tier (its next decision after ``as_of``); ``None``: every tier decided at
            its reviews.
        calendar: a business calendar overriding the ladder's.
        columns: ``{"accounts" | "balances" | "fx_rates" | "states": {role: column}}``.

    Returns:
        One row per listed customer and tier, sorted by ``review_date``, the tier's rank and
        ``customer_id``: ``customer_id``, ``review_tier``, ``review_date``, ``tier_now``,
        ``tier_at_review``, ``change`` (:data:`CHANGES`), ``status`` and ``valid_until`` after
        the review, the evidence (``metric``, ``window_start``, ``window_end``, ``days``,
        ``days_remaining``, ``balance_days_fen``, ``threshold_kind``, ``threshold_fen``,
        ``comparator``, ``met``), ``shortfall_fen`` and ``reason``. Stamped with the ladder's
        provenance for ``as_of``.

    Raises:
        InputError: a balance row after ``as_of`` (rule ``after_as_of``); an unknown tier or
            one without a requirement (rule ``domain``); as
            :func:`~bankcrm.membership.evaluate_tiers`.
    """
    day = as_date(as_of, name="as_of")
    replay, initial = setup_replay(
        accounts,
        balances,
        ladder,
        states=states,
        fx_rates=None,
        calendar=calendar,
        columns=columns,
        where="review_notifications",
    )
    the_ladder, cal = replay.ladder, replay.calendar
    targets = _tiers(the_ladder, tier)
    reviews = {t.tier_id: _next_decision(t, the_ladder, day, cal) for t in targets}
    frames: list[pd.DataFrame] = []
    if targets:
        horizon = max(reviews.values())
        passed = replay.columns
        _check_known(balances, passed, day)
        replay.fx_rates = _projected_rates(fx_rates, passed, day, horizon)
        now: NDArray[np.int64] | None = None
        for step in replay.run(day, horizon, initial):
            if now is None:
                now = step.after.rank.copy()
            for t in targets:
                if reviews[t.tier_id] == step.day:
                    frames.append(
                        _rows(the_ladder, t, step.day, day, now, step, replay.customer_ids)
                    )
    if frames:
        out = pd.concat(frames, ignore_index=True)
        rank = out["review_tier"].map({t: i for i, t in enumerate(the_ladder.tier_ids)})
        out = (
            out.assign(_rank=rank)
            .sort_values(["review_date", "_rank", "customer_id"], kind="stable")
            .drop(columns="_rank")
            .reset_index(drop=True)
        )
    else:
        out = pd.DataFrame({name: pd.Series([], dtype=object) for name in COLUMNS})
    return stamp_provenance(
        out, the_ladder.provenance(day, producer="bankcrm.membership.review_notifications")
    )
