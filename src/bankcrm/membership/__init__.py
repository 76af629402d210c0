"""Membership: exact daily-average balances and tier ladders (issue 11).

Balances are kept as intervals of constant balance (:func:`daily_balances`),
averaged exactly in integer fen balance-days (:func:`daily_average`), and
compared with thresholds by cross-multiplication (:func:`meets`).
"""

from __future__ import annotations

from bankcrm.membership.assets import AUM, FINANCIAL_ASSETS, AssetPolicy
from bankcrm.membership.averages import daily_average, meets
from bankcrm.membership.balances import daily_balances

__all__ = [
    "AUM",
    "FINANCIAL_ASSETS",
    "AssetPolicy",
    "daily_average",
    "daily_balances",
    "meets",
]
