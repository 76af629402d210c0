"""The segmentation step of ``bankcrm demo`` (listed in :data:`bankcrm.demo.STEPS`).

RFM on the synthetic bank: retail customers over the last year, scored and segmented; the
same edges applied a quarter earlier for the migration report ("who left Champions"); and
corporate parties scored on their credit facilities.
"""

from __future__ import annotations

import datetime as dt

from bankcrm.demo import DemoContext, StepOutcome
from bankcrm.segmentation.corporate import corporate_rfm_features
from bankcrm.segmentation.edges import fit_rfm_edges
from bankcrm.segmentation.features import RFMPolicy, rfm_features
from bankcrm.segmentation.migration import segment_migration
from bankcrm.segmentation.scoring import score_rfm
from bankcrm.segmentation.segments import assign_segments, segment_summary

__all__ = ["rfm_step"]

WINDOW_DAYS = 365
QUARTER_DAYS = 91


def rfm_step(ctx: DemoContext) -> StepOutcome:
    """Score retail and corporate customers and compare with a quarter earlier."""
    bank = ctx.require_bank()
    as_of = ctx.as_of
    earlier = as_of - dt.timedelta(days=QUARTER_DAYS)
    policy = RFMPolicy(window_days=WINDOW_DAYS, negatives="net")
    now = rfm_features(bank.transactions, as_of=as_of, policy=policy)
    before = rfm_features(bank.transactions, as_of=earlier, policy=policy)
    edges = fit_rfm_edges(before)  # last quarter's cut points, as a service would use them
    scored = assign_segments(score_rfm(now, edges))
    previous = assign_segments(score_rfm(before, edges))
    moves = segment_migration(previous, scored)
    summary = segment_summary(scored)
    ctx.results["rfm_scores"] = scored
    ctx.results["rfm_edges"] = edges
    ctx.add_output("rfm_scores", scored)
    ctx.add_output("rfm_segment_summary", summary.reset_index())
    ctx.add_output("rfm_migration", moves.matrix.reset_index())
    corporate = corporate_rfm_features(
        bank.parties, bank.facilities, as_of=as_of, fx_rates=bank.fx_rates, carry=("name",)
    )
    corporate_scored = assign_segments(score_rfm(corporate, fit_rfm_edges(corporate)))
    ctx.add_output("rfm_corporate_scores", corporate_scored)
    left = moves.left("champions")
    groups = scored["value_group"].value_counts()
    top = summary.sort_values("customers", ascending=False).head(4)
    return StepOutcome(
        (
            f"{len(scored):,} customers scored as of {as_of} over {WINDOW_DAYS} days; rows: "
            + ", ".join(f"{k} {int(v):,}" for k, v in now.summary().items() if v),
            "largest segments: "
            + ", ".join(f"{k} {int(r.customers):,}" for k, r in top.iterrows()),
            "value groups: " + ", ".join(f"{k} {int(v):,}" for k, v in groups.items()),
            f"since {earlier} (scored with that quarter's edges): {len(left):,} customers "
            f"left Champions, {int(moves.moves['moved'].sum()):,} changed segment",
            f"{len(corporate_scored):,} corporate parties scored on their credit facilities",
        )
    )
