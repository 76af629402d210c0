"""The membership step of ``bankcrm demo`` (listed in :data:`bankcrm.demo.STEPS`).

The synthetic bank's customers graded on the source bank's ladder
(:data:`bankcrm.membership.presets.EVERBRIGHT`) as of the bank's reporting date, then at the
next 阳光汇 review with today's grades as the previous state: who joins, renews or leaves —
the list a relationship manager works from.
"""

from __future__ import annotations

from bankcrm.demo import DemoContext, StepOutcome
from bankcrm.membership.evaluation import evaluate_tiers
from bankcrm.membership.presets import EVERBRIGHT
from bankcrm.membership.reviews import next_review

__all__ = ["tiers_step"]

CLUB = "sunshine_club"


def tiers_step(ctx: DemoContext) -> StepOutcome:
    """Grade every customer now and at the next club review; report the changes."""
    bank = ctx.require_bank()
    now = evaluate_tiers(
        bank.accounts, bank.balances, EVERBRIGHT, as_of=ctx.as_of, fx_rates=bank.fx_rates
    )
    review = next_review(ctx.as_of, EVERBRIGHT, tier=CLUB)
    later = evaluate_tiers(
        bank.accounts,
        bank.balances,
        EVERBRIGHT,
        as_of=review,
        states=now,
        fx_rates=bank.fx_rates,
    )
    changes = now[["customer_id", "tier", "status"]].merge(
        later[["customer_id", "tier", "status", "reason"]],
        on="customer_id",
        suffixes=("_now", "_at_review"),
    )
    moved = changes[
        (changes["tier_now"] != changes["tier_at_review"])
        | (changes["status_now"] != changes["status_at_review"])
    ]
    ctx.results["tiers"] = now
    ctx.add_output("membership_tiers", now)
    ctx.add_output("membership_review_changes", moved.reset_index(drop=True))
    counts = now["tier"].value_counts()
    joining = int(((moved["tier_at_review"] == CLUB) & (moved["tier_now"] != CLUB)).sum())
    leaving = int(((moved["tier_now"] == CLUB) & (moved["tier_at_review"] != CLUB)).sum())
    return StepOutcome(
        (
            f"{len(now):,} customers graded as of {ctx.as_of} on {EVERBRIGHT.name} "
            f"{EVERBRIGHT.version}: "
            + ", ".join(f"{tier} {int(counts.get(tier, 0)):,}" for tier in EVERBRIGHT.tier_ids),
            f"next 阳光汇 review {review}: {joining:,} join, {leaving:,} leave, "
            f"{len(moved):,} customers change tier or status",
        )
    )
