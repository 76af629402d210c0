"""The shipped segmentation policies: the ten-segment R×F grid and the three value groups.

Both are starting points a bank replaces with its own (``save_policy`` a copy, edit it,
``load_policy`` it back). The grid, with R (recency, 5 = most recent) down and F across::

    R\\F   1                2                  3                  4                5
    5     New              Potential loyalist Potential loyalist Champions        Champions
    4     Promising        Potential loyalist Potential loyalist Loyal            Champions
    3     About to sleep   About to sleep     Need attention     Loyal            Loyal
    2     Hibernating      Hibernating        At risk            At risk          Cannot lose them
    1     Hibernating      Hibernating        At risk            At risk          Cannot lose them

The reading: recent and frequent customers are Champions; frequent but not the most recent
are Loyal; recent with a few purchases may become loyal; recent with one purchase are New
(R 5) or Promising (R 4); the middle of the grid needs attention; falling recency with low
frequency is about to sleep; the old rows are At risk (used to buy often), Cannot lose them
(used to buy most often) and Hibernating (rarely bought, long ago).

The value groups cut the total ``rfm_score`` (3..15 with quintiles and weights 1, 1, 1):
high ≥ 12 (以上), medium ≥ 8, low the rest, each with the strategy the source bank's
corporate RFM study recommends (see ``docs/concepts/segmentation.md``).

>>> sorted(len(s.cells) for s in TEN_SEGMENTS.segments)
[1, 1, 1, 2, 2, 3, 3, 4, 4, 4]
>>> THREE_VALUE_GROUPS.group_of(12).key, THREE_VALUE_GROUPS.group_of(11).key
('high', 'medium')
"""

from __future__ import annotations

import datetime as dt

from bankcrm.money import Comparator
from bankcrm.segmentation._segment_policies import (
    Segment,
    SegmentMap,
    ValueGroup,
    ValueGroupPolicy,
)

__all__ = ["TEN_SEGMENTS", "THREE_VALUE_GROUPS"]

_EFFECTIVE = dt.date(2026, 1, 1)

#: The widely used ten-segment map over the 5×5 R×F grid, with Chinese labels.
TEN_SEGMENTS = SegmentMap(
    name="rfm_ten_segments",
    version="2026.1",
    effective_date=_EFFECTIVE,
    bins=5,
    segments=(
        Segment(
            key="champions",
            label="Champions",
            label_zh="冠军客户",
            cells=("55", "54", "45"),
            action="Reward them; offer new and premium products first; ask for referrals.",
            action_zh="给予回馈，优先推荐新产品和高端产品，请其推荐新客户。",
        ),
        Segment(
            key="loyal",
            label="Loyal",
            label_zh="忠诚客户",
            cells=("44", "34", "35"),
            action="Cross-sell and up-sell; loyalty benefits; keep contact regular.",
            action_zh="交叉销售和向上销售，提供忠诚度权益，保持定期联系。",
        ),
        Segment(
            key="potential_loyalist",
            label="Potential loyalist",
            label_zh="潜在忠诚客户",
            cells=("52", "53", "42", "43"),
            action="Offer membership or a relationship manager; recommend related products.",
            action_zh="邀请加入会员或配备客户经理，推荐相关产品。",
        ),
        Segment(
            key="new",
            label="New",
            label_zh="新客户",
            cells=("51",),
            action="Onboard well; early support; a second product soon after the first.",
            action_zh="做好开户引导和早期服务，尽快促成第二个产品。",
        ),
        Segment(
            key="promising",
            label="Promising",
            label_zh="有潜力客户",
            cells=("41",),
            action="Build awareness with targeted offers before interest fades.",
            action_zh="在兴趣减退前以有针对性的优惠加深了解。",
        ),
        Segment(
            key="need_attention",
            label="Need attention",
            label_zh="需要关注客户",
            cells=("33",),
            action="Limited-time offers based on past use; reactivate interest.",
            action_zh="根据以往业务提供限时优惠，重新激发兴趣。",
        ),
        Segment(
            key="about_to_sleep",
            label="About to sleep",
            label_zh="即将沉睡客户",
            cells=("31", "32"),
            action="Reconnect with relevant products and reminders before they lapse.",
            action_zh="在流失前以相关产品和提醒重新建立联系。",
        ),
        Segment(
            key="at_risk",
            label="At risk",
            label_zh="有流失风险客户",
            cells=("23", "24", "13", "14"),
            action="Personal contact to learn what changed; win-back offers.",
            action_zh="主动联系了解变化原因，提供挽回方案。",
        ),
        Segment(
            key="cannot_lose_them",
            label="Cannot lose them",
            label_zh="不能流失的客户",
            cells=("25", "15"),
            action="Senior relationship manager follows up at once; solve their problems.",
            action_zh="由资深客户经理立即跟进，解决其问题。",
        ),
        Segment(
            key="hibernating",
            label="Hibernating",
            label_zh="沉睡客户",
            cells=("21", "22", "11", "12"),
            action="Low-cost reactivation campaigns; do not over-invest.",
            action_zh="以低成本方式尝试唤醒，不宜过度投入。",
        ),
    ),
)

#: The source bank's three value groups on the total score (3..15), with their strategies.
THREE_VALUE_GROUPS = ValueGroupPolicy(
    name="rfm_three_value_groups",
    version="2026.1",
    effective_date=_EFFECTIVE,
    max_score=15,
    groups=(
        ValueGroup(
            key="high",
            label="High value (core customers)",
            label_zh="高价值客户（核心客户）",
            comparator=Comparator.GE,
            threshold=12,
            strategy=(
                "Core customers: tailor products to them and raise the quality of service, "
                "to deepen the relationship and grow the business done with them."
            ),
            strategy_zh="核心客户：为其量身定制产品，提升服务品质，深化合作关系，扩大业务规模。",
        ),
        ValueGroup(
            key="medium",
            label="Medium value (potential high value)",
            label_zh="中价值客户（潜在高价值客户）",
            comparator=Comparator.GE,
            threshold=8,
            strategy=(
                "Potential high-value customers: targeted promotions to win them over and "
                "turn them into core customers."
            ),
            strategy_zh="潜在高价值客户：开展有针对性的营销活动，争取并促使其转化为核心客户。",
        ),
        ValueGroup(
            key="low",
            label="Low value (possibly at risk)",
            label_zh="低价值客户（可能流失）",
            strategy=(
                "Possibly at risk of leaving: find out what they need, serve them in a way that "
                "fits, and solve their problems so that satisfaction rises."
            ),
            strategy_zh="可能流失的客户：了解其需求，提供有针对性的服务，解决其问题，提高满意度。",
        ),
    ),
)
