"""Membership: exact daily-average balances and tier ladders (issue 11).

Balances are kept as intervals of constant balance (:func:`daily_balances`),
averaged exactly in integer fen balance-days (:func:`daily_average`), and
compared with thresholds by cross-multiplication (:func:`meets`).
"""

from __future__ import annotations

from bankcrm.membership import presets
from bankcrm.membership.assets import (
    AUM,
    FINANCIAL_ASSETS,
    STANDARD_METRICS,
    TOTAL_ASSETS,
    AssetPolicy,
)
from bankcrm.membership.averages import daily_average, meets
from bankcrm.membership.balances import daily_balances
from bankcrm.membership.evaluation import STATUSES, TierMetrics, evaluate_tier, evaluate_tiers
from bankcrm.membership.ladders import ReviewSchedule, Tier, TierLadder
from bankcrm.membership.migration import TierMigration, tier_migration
from bankcrm.membership.notifications import review_notifications
from bankcrm.membership.reviews import (
    averaging_window,
    latest_review,
    membership_valid_until,
    next_review,
    review_dates,
    review_window,
    validity_after_review,
)
from bankcrm.membership.timeline import membership_timeline

__all__ = [
    "AUM",
    "FINANCIAL_ASSETS",
    "STANDARD_METRICS",
    "STATUSES",
    "TOTAL_ASSETS",
    "AssetPolicy",
    "ReviewSchedule",
    "Tier",
    "TierLadder",
    "TierMetrics",
    "TierMigration",
    "averaging_window",
    "daily_average",
    "daily_balances",
    "evaluate_tier",
    "evaluate_tiers",
    "latest_review",
    "meets",
    "membership_timeline",
    "membership_valid_until",
    "next_review",
    "presets",
    "review_dates",
    "review_notifications",
    "review_window",
    "tier_migration",
    "validity_after_review",
]
