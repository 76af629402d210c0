"""The membership step of the demo on the synthetic bank as generated."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from bankcrm.datasets import synthetic_bank
from bankcrm.demo import DemoContext, Progress
from bankcrm.membership.demo_steps import tiers_step


def test_the_tier_step_grades_every_customer_and_lists_the_review_changes(
    tmp_path: Path,
) -> None:
    bank = synthetic_bank(400, seed=3)
    ctx = DemoContext(
        customers=400,
        seed=3,
        out_dir=tmp_path,
        file_format="csv",
        as_of=bank.as_of,
        progress=Progress(quiet=True),
        bank=bank,
    )
    outcome = tiers_step(ctx)
    tiers = ctx.outputs["membership_tiers"]
    assert len(tiers) == 400
    assert set(tiers["tier"]) <= {"standard", "wealth", "sunshine_club"}
    assert "next 阳光汇 review 2026-01-04" in outcome.lines[1]
    changes = ctx.outputs["membership_review_changes"]
    assert set(changes["customer_id"]) <= set(tiers["customer_id"])
    assert ctx.as_of == dt.date(2025, 12, 31)
