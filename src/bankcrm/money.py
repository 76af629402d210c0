"""Money: exact amounts in integer fen, FX to RMB, exact ratios, shares and thresholds.

**The rounding rule** (the only one in bankcrm): a yuan amount becomes integer fen by rounding
half away from zero (``ROUND_HALF_UP``, 四舍五入), and a float is read as the decimal its
shortest repr shows, so ``1.005`` yuan is 101 fen. FX conversions round the same way.

Amounts are bounded by :data:`MAX_ABS_YUAN` (10**13 yuan, i.e. 10**15 fen) so that int64 sums
and products have room to spare. Ratios, shares and thresholds are not money: their home is
:mod:`bankcrm.ratios` (exact cross-multiplication, exact shares, thresholds with their
comparators); this module re-exports them for one release (0.2) and will then drop them.

>>> to_fen([1.005, "¥1,234.50"]).tolist()
[101, 123450]
>>> Threshold("15%", "不得超过").holds(150, 1_000)
True
"""

from bankcrm._fx import RMB_CODES, FxRates, to_rmb_fen
from bankcrm._money import MAX_ABS_FEN, MAX_ABS_YUAN, Money, fen_to_decimal, parse_amount, to_fen
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
    "MAX_ABS_FEN",
    "MAX_ABS_YUAN",
    "MAX_EXPONENT",
    "RMB_CODES",
    "SHARE_SCALE",
    "Comparator",
    "FxRates",
    "Money",
    "Threshold",
    "compare_ratio",
    "compare_ratios",
    "exact_number",
    "fen_to_decimal",
    "parse_amount",
    "parse_share",
    "to_fen",
    "to_millionths",
    "to_rmb_fen",
]
