"""Asset policies: which asset classes count towards a balance metric, and with what weight.

A bank's "financial assets" (金融资产) and "assets under management" (管理资产, AUM) are
bank policy (``../shared/DOMAIN.md`` §4): which classes count, with what weight and at which
FX rate. An :class:`AssetPolicy` holds those choices as data. Classes not listed in
``weights`` do not count (weight 0). Weights are exact :class:`~fractions.Fraction` s in
[0, 1]; a metric multiplies the exact integer RMB balance-days of each class by its weight and
rounds **once**, half up, at the end (so ``1/3`` of three accounts is exactly one account).

The two presets (**assumption**, not source: the source bank does not publish its lists):

* :data:`FINANCIAL_ASSETS` (金融资产): demand and time deposits, wealth-management products,
  funds, bonds and insurance, each at weight 1 — every class the synthetic bank generates.
* :data:`AUM` (管理资产): the same plus trusts and precious metals (``trust``,
  ``precious_metal``; the synthetic bank generates neither), each at weight 1.
* :data:`TOTAL_ASSETS` (总资产): the classes AUM counts, under its own name.

A tier ladder names its metric; :data:`STANDARD_METRICS` maps the three names above to these
policies, and a ladder's own ``metrics`` table adds names or overrides them.

>>> FINANCIAL_ASSETS.weight("fund"), FINANCIAL_ASSETS.weight("loan")
(Fraction(1, 1), Fraction(0, 1))
>>> half = AssetPolicy(weights={"demand_deposit": "1", "insurance": "0.5"})
>>> half.weight("insurance")
Fraction(1, 2)
>>> AssetPolicy.from_toml(half.to_toml()) == half
True
>>> AssetPolicy(weights={"fund": "1.5"})
Traceback (most recent call last):
...
bankcrm.errors.PolicyError: weights: the weight of 'fund' must lie in [0, 1], got 3/2
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from types import MappingProxyType
from typing import Any, Literal

import attrs

from bankcrm.errors import PolicyError
from bankcrm.policy import Policy, effective, named, versioned

__all__ = ["AUM", "FINANCIAL_ASSETS", "STANDARD_METRICS", "TOTAL_ASSETS", "AssetPolicy"]

#: The asset classes of the synthetic bank (``bankcrm.datasets.ASSET_CLASSES``).
_GENERATED = ("demand_deposit", "time_deposit", "wealth_product", "fund", "bond", "insurance")


def _weight(name: str, value: Any) -> Fraction:
    if isinstance(value, bool):
        raise PolicyError(f"weights: the weight of {name!r} must be a number, got {value!r}")
    try:
        if isinstance(value, Fraction | int | Decimal):
            weight = Fraction(value)
        elif isinstance(value, str):
            weight = Fraction(Decimal(value.strip())) if "/" not in value else Fraction(value)
        elif isinstance(value, float):
            weight = Fraction(Decimal(repr(value)))  # the float as written, never its binary
        else:
            raise TypeError
    except (TypeError, ValueError, ArithmeticError, ZeroDivisionError):
        raise PolicyError(
            f"weights: the weight of {name!r} must be an exact number, got {value!r}"
        ) from None
    if not 0 <= weight <= 1:
        raise PolicyError(f"weights: the weight of {name!r} must lie in [0, 1], got {weight}")
    return weight


def _weights(value: Any) -> dict[str, Fraction]:
    if not isinstance(value, Mapping):
        raise PolicyError(f"weights: must map asset classes to weights, got {type(value).__name__}")
    out: dict[str, Fraction] = {}
    for name, weight in value.items():
        if not isinstance(name, str) or not name.strip():
            raise PolicyError(f"weights: an asset class must be non-empty text, got {name!r}")
        out[name] = _weight(name, weight)
    return dict(sorted(out.items()))


@attrs.frozen(kw_only=True)
class AssetPolicy(Policy):
    """Which asset classes a balance metric counts, with what weight, and how it reads gaps.

    Attributes:
        weights: asset class → exact weight in [0, 1]; an unlisted class counts 0.
        missing_history: a day on or after an account's ``opened_on`` but before its first
            balance row has no known balance: ``"raise"`` (default; rule ``no_history``) or
            ``"zero"`` (read it as a zero balance).
        fx_rule: which rate converts a foreign balance on a day: ``"same_day_or_previous"``
            (that day's fixing, else the latest earlier one; the only rule so far). Each
            day's balance converts to RMB fen separately, rounded half up.
    """

    name: str = named("bankcrm.membership.financial_assets")
    version: str = versioned("1")
    effective_date: dt.date = effective(dt.date(2026, 1, 1))  # noqa: RUF009
    weights: dict[str, Fraction] = attrs.field(
        factory=lambda: dict.fromkeys(_GENERATED, Fraction(1)), converter=_weights
    )
    missing_history: Literal["raise", "zero"] = attrs.field(default="raise")
    fx_rule: Literal["same_day_or_previous"] = attrs.field(default="same_day_or_previous")

    @missing_history.validator
    def _check_missing(self, _attribute: Any, value: str) -> None:
        if value not in ("raise", "zero"):
            raise PolicyError(f"missing_history: use 'raise' or 'zero', got {value!r}")

    @fx_rule.validator
    def _check_fx(self, _attribute: Any, value: str) -> None:
        if value != "same_day_or_previous":
            raise PolicyError(f"fx_rule: the only rule is 'same_day_or_previous', got {value!r}")

    def weight(self, asset_class: str) -> Fraction:
        """The weight of ``asset_class`` (0 when the policy does not list it)."""
        return self.weights.get(asset_class, Fraction(0))


#: 金融资产 (assumption): deposits, wealth products, funds, bonds, insurance at weight 1.
FINANCIAL_ASSETS = AssetPolicy()

#: 管理资产 / AUM (assumption): the financial assets plus trusts and precious metals.
AUM = AssetPolicy(
    name="bankcrm.membership.aum",
    weights={**dict.fromkeys(_GENERATED, 1), "trust": 1, "precious_metal": 1},
)

#: Total assets (assumption): every class AUM counts, under its own name (a second bank's
#: "总资产" ladder reads it).
TOTAL_ASSETS = AssetPolicy(name="bankcrm.membership.total_assets", weights=dict(AUM.weights))

#: The metric names a tier may use without declaring them (``TierLadder.metrics`` adds or
#: overrides names): ``"financial_assets"``, ``"aum"``, ``"total_assets"``.
STANDARD_METRICS: Mapping[str, AssetPolicy] = MappingProxyType(
    {"financial_assets": FINANCIAL_ASSETS, "aum": AUM, "total_assets": TOTAL_ASSETS}
)
