"""The group-client policy: who controls whom, and which ties make one group.

:class:`GroupPolicy` holds every setting that changes which parties form a group client
(集团客户, ``../shared/DOMAIN.md`` §3):

- the **control threshold**, effective-dated (:class:`ControlRule`): the Company Law 2018
  reading "50 % or more" (50 %以上, ``>=``) for ``as_of`` before 2024-07-01 and the Company Law
  2023 reading "more than 50 %" (超过50%, ``>``) from 2024-07-01, each a
  :class:`~bankcrm.ratios.Threshold` decided exactly;
- the **State kinds** (``government``, ``sovereign``, ``central_bank``) and any named public
  owners: non-merging apexes — two firms the State controls are not one group for that alone;
- **joint control**: a firm with no single controller (a 50/50 joint venture) is its own group
  (``"own_group"``) or is also listed in each parent's group (``"both"``);
- the **close relatives** whose votes count as one: spouses, lineal relatives within three
  generations and collateral relatives within two (the 2010 group-client guideline), read from
  each tie's ``relation`` through :attr:`GroupPolicy.relations`.

>>> policy = GroupPolicy()
>>> str(policy.control_threshold("2024-06-30")), str(policy.control_threshold("2024-07-01"))
('>= 0.5', '> 0.5')
>>> policy.is_close_relation("sibling"), policy.is_close_relation("cousin")
(True, False)
>>> GroupPolicy.from_toml(policy.to_toml()) == policy
True
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

import attrs

from bankcrm.calendar import as_date
from bankcrm.errors import InputError, PolicyError
from bankcrm.policy import Policy, effective, named, versioned
from bankcrm.ratios import Threshold

__all__ = ["RELATIONS", "ControlRule", "GroupPolicy"]

RelationKind = Literal["spouse", "lineal", "collateral", "affinity"]

#: Known ``relation`` values of a person tie: (kind, generations counted inclusively, so a
#: parent and child span two generations and siblings share a parent: collateral within two).
RELATIONS: dict[str, tuple[RelationKind, int]] = {
    "spouse": ("spouse", 1),
    "parent_child": ("lineal", 2),
    "grandparent_grandchild": ("lineal", 3),
    "great_grandparent_grandchild": ("lineal", 4),
    "sibling": ("collateral", 2),
    "half_sibling": ("collateral", 2),
    "uncle_nephew": ("collateral", 3),
    "cousin": ("collateral", 3),
    "in_law": ("affinity", 1),
}

_STATE_KINDS = frozenset({"government", "sovereign", "central_bank"})


def _threshold(value: Any) -> Threshold:
    if isinstance(value, Threshold):
        return value
    raise PolicyError(f"threshold: expected a Threshold, got {type(value).__name__}")


@attrs.frozen(kw_only=True)
class ControlRule:
    """A control threshold and the first day it applies.

    Attributes:
        effective_from: the first ``as_of`` the rule decides.
        threshold: the share of the votes that gives control, with its comparator.
        source: the law or rule text it follows.
    """

    effective_from: dt.date
    threshold: Threshold = attrs.field(converter=_threshold)
    source: str = ""


def _rules(value: Any) -> tuple[ControlRule, ...]:
    rules = tuple(value)
    if not rules:
        raise PolicyError("control_rules: at least one rule is needed")
    days = [r.effective_from for r in rules]
    if days != sorted(days) or len(set(days)) != len(days):
        raise PolicyError("control_rules: effective_from dates must strictly increase")
    for rule in rules:
        if not Decimal(0) < rule.threshold.value <= Decimal(1):
            raise PolicyError(f"control_rules: threshold {rule.threshold} must lie in (0, 1]")
    return rules


def _share(value: Any) -> Decimal:
    share = Decimal(str(value)) if not isinstance(value, Decimal) else value
    if not Decimal(0) < share <= Decimal(1):
        raise PolicyError(f"joint_venture_share: {share} must lie in (0, 1]")
    return share


def _relations(value: Any) -> dict[str, tuple[RelationKind, int]]:
    table = {str(k): (v[0], int(v[1])) for k, v in dict(value).items()}
    for name, (kind, generations) in table.items():
        if kind not in ("spouse", "lineal", "collateral", "affinity") or generations < 1:
            raise PolicyError(f"relations.{name}: ({kind!r}, {generations}) is not a relation")
    return table


COMPANY_LAW_2018 = ControlRule(
    effective_from=dt.date(2006, 1, 1),
    threshold=Threshold("0.5", ">="),
    source="Company Law 2018 art. 216 (same wording since the 2005 revision): 50 %以上",
)
COMPANY_LAW_2023 = ControlRule(
    effective_from=dt.date(2024, 7, 1),
    threshold=Threshold("0.5", ">"),
    source="Company Law 2023 art. 265 (in force 2024-07-01): 超过50%",
)


@attrs.frozen(kw_only=True)
class GroupPolicy(Policy):
    """How group clients are identified (see the module text).

    Attributes:
        control_rules: the effective-dated control thresholds, oldest first.
        state_kinds: party kinds that are the State: never merge the firms they control.
        public_owners: further party ids treated as the State (a named public owner).
        joint_control: ``"own_group"`` — a jointly controlled firm is its own group;
            ``"both"`` — it is also listed in each parent's group.
        joint_venture_share: with no single controller, a firm two or more parents each hold
            at least this share of the votes of (``>=``) is a joint venture.
        relations: the ``relation`` values a person tie may carry, with kind and generations.
        lineal_generations: lineal relatives within this many generations are close.
        collateral_generations: collateral relatives within this many generations are close.
    """

    name: str = named("bankcrm.credit.groups")
    version: str = versioned("2026.1")
    effective_date: dt.date = effective(dt.date(2006, 1, 1))  # noqa: RUF009
    control_rules: tuple[ControlRule, ...] = attrs.field(
        default=(COMPANY_LAW_2018, COMPANY_LAW_2023), converter=_rules
    )
    state_kinds: frozenset[str] = _STATE_KINDS
    public_owners: frozenset[str] = frozenset()
    joint_control: Literal["own_group", "both"] = attrs.field(default="own_group")
    joint_venture_share: Decimal = attrs.field(default=Decimal("0.5"), converter=_share)
    relations: dict[str, tuple[RelationKind, int]] = attrs.field(
        factory=lambda: dict(RELATIONS), converter=_relations
    )
    lineal_generations: int = 3
    collateral_generations: int = 2

    def __attrs_post_init__(self) -> None:
        if self.joint_control not in ("own_group", "both"):
            raise PolicyError(f"joint_control: {self.joint_control!r} is not 'own_group' or 'both'")

    def control_rule(self, as_of: Any) -> ControlRule:
        """The control rule in force on ``as_of``.

        Raises:
            InputError: rule ``range`` when ``as_of`` is before the first rule.
        """
        day = as_date(as_of, name="as_of")
        found = [r for r in self.control_rules if r.effective_from <= day]
        if not found:
            first = self.control_rules[0].effective_from
            raise InputError(
                f"{self.name}: no control rule before {first.isoformat()} (as_of {day})",
                column="as_of",
                rule="range",
            )
        return found[-1]

    def control_threshold(self, as_of: Any) -> Threshold:
        """The control threshold in force on ``as_of`` (see :meth:`control_rule`)."""
        return self.control_rule(as_of).threshold

    def is_close_relation(self, relation: str) -> bool:
        """Whether a tie of this ``relation`` joins two persons into one controller.

        Raises:
            InputError: rule ``domain`` for a relation the policy does not know.
        """
        if relation not in self.relations:
            raise InputError(
                f"unknown relation {relation!r}; known: {sorted(self.relations)}",
                column="relation",
                rule="domain",
            )
        kind, generations = self.relations[relation]
        if kind == "spouse":
            return True
        if kind == "lineal":
            return generations <= self.lineal_generations
        if kind == "collateral":
            return generations <= self.collateral_generations
        return False
