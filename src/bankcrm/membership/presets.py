"""Ready-made tier ladders (policies as data: copy one, change a field, save it for your bank).

:data:`EVERBRIGHT` is the source bank's ladder (``../shared/DOMAIN.md`` §4):

- ``"standard"`` — every customer; no requirement.
- ``"wealth"`` (财富客户) — monthly daily-average balance of financial assets (金融资产月日均余额)
  of RMB 1,000,000 or more (以上: inclusive), over the last calendar month that ends on or before
  ``as_of``.
- ``"sunshine_club"`` (阳光汇, private banking) — daily-average assets under management
  (日均管理资产) of RMB 10,000,000 and above (以上: inclusive) over the calendar half-year
  before the review; reviews on the first business day of January and July (China holiday
  calendar: the January 2026 review is on Sunday 2026-01-04, a make-up working day);
  membership valid for six months from notification (``add_months(notified_on, 6)``; the
  notification date defaults to the review date). A member in good standing whose validity
  ends before the next review (1 July + 6 months = 1 January, before a review on 4 January)
  keeps the club until that review decides (``validity_end="next_review"``, an assumption:
  the source does not say, and a lapse of three days between two qualifying reviews would
  be noise). Version 2026.2 adds that rule; 2026.1 lapsed such members for those days.

Each setting is marked in ``EVERBRIGHT.field_sources`` as ``"source"`` (stated by the source
bank) or ``"assumption"`` (this library's reading where the source is silent: the club's
averaging window, how often the wealth tier is re-evaluated, "start of January" read as its
first business day, and the rules for retention, downgrades, the calendar and partial periods).

>>> EVERBRIGHT.tier_ids
('standard', 'wealth', 'sunshine_club')
>>> str(EVERBRIGHT.tier("wealth").entry), str(EVERBRIGHT.tier("sunshine_club").entry)
('>= 1000000', '>= 10000000')
>>> EVERBRIGHT.field_sources["tiers.sunshine_club.window"]
'assumption'
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from bankcrm.membership.ladders import ReviewSchedule, Tier, TierLadder
from bankcrm.ratios import Threshold

__all__ = ["EVERBRIGHT"]

_SOURCE: Literal["source"] = "source"
_ASSUMPTION: Literal["assumption"] = "assumption"

EVERBRIGHT = TierLadder(
    name="bankcrm.membership.presets.everbright",
    version="2026.2",
    effective_date=dt.date(2026, 1, 1),
    calendar="china",
    partial_period="calendar_days",
    tiers=(
        Tier(tier_id="standard", label_en="Standard customer", label_zh="普通客户"),
        Tier(
            tier_id="wealth",
            label_en="Wealth client",
            label_zh="财富客户",
            metric="financial_assets",
            window="month",
            entry=Threshold("1000000", "以上"),
            review=ReviewSchedule(day="first_business_day", decided_at="as_of"),
        ),
        Tier(
            tier_id="sunshine_club",
            label_en="Sunshine Club (private banking)",
            label_zh="阳光汇",
            metric="aum",
            window="half_year",
            entry=Threshold("10000000", "以上"),
            validity_months=6,
            review=ReviewSchedule(months=(1, 7), day="first_business_day", decided_at="review"),
            validity_clash="keep_validity",
            validity_end="next_review",
        ),
    ),
    field_sources={
        # stated by the source bank (DOMAIN.md §4)
        "tiers.wealth.label_zh": _SOURCE,
        "tiers.wealth.metric": _SOURCE,
        "tiers.wealth.window": _SOURCE,
        "tiers.wealth.entry": _SOURCE,
        "tiers.sunshine_club.label_zh": _SOURCE,
        "tiers.sunshine_club.metric": _SOURCE,
        "tiers.sunshine_club.entry": _SOURCE,
        "tiers.sunshine_club.validity_months": _SOURCE,
        "tiers.sunshine_club.review.months": _SOURCE,
        "tiers.sunshine_club.review.decided_at": _SOURCE,
        # this library's reading where the source is silent
        "tiers.wealth.review": _ASSUMPTION,
        "tiers.wealth.retention": _ASSUMPTION,
        "tiers.wealth.downgrade_after": _ASSUMPTION,
        "tiers.sunshine_club.window": _ASSUMPTION,
        "tiers.sunshine_club.review.day": _ASSUMPTION,
        "tiers.sunshine_club.retention": _ASSUMPTION,
        "tiers.sunshine_club.downgrade_after": _ASSUMPTION,
        "tiers.sunshine_club.downgrade_to": _ASSUMPTION,
        "tiers.sunshine_club.validity_clash": _ASSUMPTION,
        "tiers.sunshine_club.validity_end": _ASSUMPTION,
        "tiers.sunshine_club.manual_floor": _ASSUMPTION,
        "calendar": _ASSUMPTION,
        "partial_period": _ASSUMPTION,
    },
)
"""The source bank's ladder: wealth client at RMB 1 M, 阳光汇 club at RMB 10 M (see above)."""
