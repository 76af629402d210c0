"""The frame :func:`~bankcrm.membership.evaluate_tiers` returns, built from a decision
outcome (internal): tier, status, validity, the reason text and the deciding test's evidence.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from bankcrm.membership._decisions import NAT, Days, Decision, Outcome, day_or_nat
from bankcrm.membership.ladders import TierLadder
from bankcrm.ratios import Threshold

DATE_COLUMNS = ("valid_until", "window_start", "window_end", "since", "notified_on")
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


def as_datetimes(days: Days) -> NDArray[np.datetime64]:
    out = days.astype("datetime64[D]").astype("datetime64[us]")
    out[days == NAT] = np.datetime64("NaT")
    return out


def yuan_text(fen_days: NDArray[np.int64], days: NDArray[np.int64]) -> NDArray[Any]:
    """Daily averages in yuan as text, rounded half up to fen (display only)."""
    some = days > 0  # no day to average over: shown as 0.00
    average = np.where(some, (2 * fen_days + days) // (2 * np.where(some, days, 1)), 0)
    sign = np.where(average < 0, "-", "")
    magnitude = np.abs(average)
    whole = (magnitude // 100).astype(str).astype(object)
    cents = pd.Series(magnitude % 100).astype(str).str.zfill(2).to_numpy(dtype=object)
    text: NDArray[Any] = sign.astype(object) + whole + "." + cents
    return text


def _reasons(
    ladder: TierLadder,
    plan: list[Decision],
    pick: NDArray[np.int64],
    retention: NDArray[np.bool_],
    outcome: Outcome,
    bd: NDArray[np.int64],
    days: NDArray[np.int64],
    comp: NDArray[Any],
    threshold_text: NDArray[Any],
) -> NDArray[Any]:
    """The reason text of each row. Everything but the daily average depends on a few
    (test, kind, verdict, days) combinations: their texts are built once per combination,
    then joined with each row's average (two concatenations, not fifteen)."""
    n = len(pick)
    if not n:
        return np.asarray([], dtype=object)
    combo = (pick * 2 + retention.astype(np.int64)) * 2 + outcome.met.astype(np.int64)
    width = int(days.max()) + 1
    codes, uniques = pd.factorize(combo * width + days)
    first = np.unique(codes, return_index=True)[1]  # a representative row of each
    heads, tails = [], []
    for packed, row in zip(uniques.tolist(), first.tolist(), strict=True):
        c, n_days = divmod(packed, width)
        d = plan[int(c) // 4]
        verdict = " met: " if (int(c) & 1) else " not met: "
        heads.append(f"{d.tier.tier_id} {outcome.kind[row]}{verdict}{d.tier.metric} daily average ")
        tails.append(
            f" vs {comp[row]} {threshold_text[row]} over {d.window.start.isoformat()}.."
            f"{d.window.end.isoformat()} ({int(n_days)} days); {ladder.name} {ladder.version}"
        )
    head = np.asarray(heads, dtype=object)[codes]
    tail = np.asarray(tails, dtype=object)[codes]
    text: NDArray[Any] = head + yuan_text(bd, days) + tail
    return text


def result_frame(
    ladder: TierLadder,
    plan: list[Decision],
    sums: list[tuple[NDArray[np.int64], NDArray[np.int64]]],
    outcome: Outcome,
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
        "valid_until": as_datetimes(outcome.valid_until),
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
        start = np.asarray([day_or_nat(d.window.start) for d in plan], dtype=np.int64)[pick]
        end = np.asarray([day_or_nat(d.window.end) for d in plan], dtype=np.int64)[pick]
        threshold_text = np.asarray(
            [(str(a.value), str(b.value)) for a, b in tier_thresholds(plan)], dtype=object
        ).reshape(-1, 2)[pick, retention.astype(int)]
        reason = _reasons(ladder, plan, pick, retention, outcome, bd, days, comp, threshold_text)
        frame |= {
            "reason": reason,
            "metric": metric,
            "window_start": as_datetimes(start),
            "window_end": as_datetimes(end),
            "days": days.astype(np.int64),
            "balance_days_fen": bd.astype(np.int64),
            "threshold_fen": thr,
            "comparator": comp,
        }
    else:
        none = np.full(n, None, dtype=object)
        nat = as_datetimes(np.full(n, NAT, dtype=np.int64))
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
        "since": as_datetimes(outcome.since),
        "notified_on": as_datetimes(outcome.notified_on),
        "periods_below": outcome.periods_below,
        "floor": floor_ids(ids, floor),
    }
    return pd.DataFrame(frame, columns=list(COLUMNS))


def tier_thresholds(plan: list[Decision]) -> list[tuple[Threshold, Threshold]]:
    out = []
    for d in plan:
        entry, kept = d.tier.entry, d.tier.retention_threshold
        assert entry is not None
        assert kept is not None
        out.append((entry, kept))
    return out


def floor_ids(ids: NDArray[Any], floor: NDArray[np.int64]) -> NDArray[Any]:
    out = np.full(len(floor), None, dtype=object)
    out[floor >= 0] = ids[floor[floor >= 0]]
    return out
