"""The membership step of ``bankcrm demo`` (listed in :data:`bankcrm.demo.STEPS`).

The synthetic bank's customers graded on the source bank's ladder
(:data:`bankcrm.membership.presets.EVERBRIGHT`) as of the bank's reporting date, then the
notification list of the next 阳光汇 review (:func:`~bankcrm.membership.review_notifications`):
who joins, renews or leaves, with the evidence and the shortfall — the list a relationship
manager works from.
"""

from __future__ import annotations

from bankcrm.demo import DemoContext, StepOutcome
from bankcrm.membership.evaluation import evaluate_tiers
from bankcrm.membership.notifications import review_notifications
from bankcrm.membership.presets import EVERBRIGHT
from bankcrm.membership.reviews import next_review

__all__ = ["tiers_step"]

CLUB = "sunshine_club"


def tiers_step(ctx: DemoContext) -> StepOutcome:
    """Grade every customer now; list the changes at the next club review."""
    bank = ctx.require_bank()
    now = evaluate_tiers(
        bank.accounts, bank.balances, EVERBRIGHT, as_of=ctx.as_of, fx_rates=bank.fx_rates
    )
    notes = review_notifications(
        bank.accounts,
        bank.balances,
        EVERBRIGHT,
        as_of=ctx.as_of,
        tier=CLUB,
        fx_rates=bank.fx_rates,
    )
    ctx.results["tiers"] = now
    ctx.results["review_notifications"] = notes
    ctx.add_output("membership_tiers", now)
    ctx.add_output("membership_review_notifications", notes)
    counts = now["tier"].value_counts()
    changes = notes["change"].value_counts()
    review = next_review(ctx.as_of, EVERBRIGHT, tier=CLUB)
    return StepOutcome(
        (
            f"{len(now):,} customers graded as of {ctx.as_of} on {EVERBRIGHT.name} "
            f"{EVERBRIGHT.version}: "
            + ", ".join(f"{tier} {int(counts.get(tier, 0)):,}" for tier in EVERBRIGHT.tier_ids),
            f"next 阳光汇 review {review}: "
            + ", ".join(
                f"{int(changes.get(change, 0)):,} {label}"
                for change, label in (
                    ("join", "join"),
                    ("renew", "renew"),
                    ("watch", "on watch"),
                    ("leave", "leave"),
                    ("none", "wealth clients short of it"),
                )
            ),
        )
    )
