"""Exact ratios, shares and thresholds: the comparisons that decide limits and tiers.

These are not money (a share of a company, a percentage of capital), so they live here rather
than in :mod:`bankcrm.money`, which re-exports them for one release (see ``CHANGELOG.md``).
Every boundary is decided by cross-multiplying exact integers or rationals, never by float
division, and every :class:`Threshold` carries its :class:`Comparator`; the Chinese boundary
words of the Civil Code (以上、以下、不满、超过 …) map to comparators.

>>> Threshold("15%", "不得超过").holds(150, 1_000)    # 15 % itself is allowed
True
>>> compare_ratio(1_000_001, 10_000_000, "10%", ">")   # a fen above 10 %
True
>>> from decimal import Decimal
>>> parse_share("0.1") + parse_share("20%") + parse_share(Decimal("0.2"))
Fraction(1, 2)
"""

from bankcrm._ratios import (
    BOUNDARY_WORDS,
    MAX_EXPONENT,
    SHARE_SCALE,
    Comparator,
    Threshold,
    compare_ratio,
    compare_ratios,
    exact_number,
    parse_share,
    to_millionths,
)

__all__ = [
    "BOUNDARY_WORDS",
    "MAX_EXPONENT",
    "SHARE_SCALE",
    "Comparator",
    "Threshold",
    "compare_ratio",
    "compare_ratios",
    "exact_number",
    "parse_share",
    "to_millionths",
]
