"""The membership step of the demo on the synthetic bank as generated."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from bankcrm.datasets import synthetic_bank
from bankcrm.demo import DemoContext, Progress
from bankcrm.membership import review_notifications
from bankcrm.membership.demo_steps import tiers_step
from bankcrm.membership.presets import EVERBRIGHT


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
    assert ctx.as_of == dt.date(2025, 12, 31)
    tiers = ctx.outputs["membership_tiers"]
    assert len(tiers) == 400
    assert set(tiers["tier"]) <= {"standard", "wealth", "sunshine_club"}
    notes = ctx.outputs["membership_review_notifications"]
    want = review_notifications(
        bank.accounts,
        bank.balances,
        EVERBRIGHT,
        as_of=bank.as_of,
        tier="sunshine_club",
        fx_rates=bank.fx_rates,
    )
    pd.testing.assert_frame_equal(notes, want)
    assert len(notes) > 0
    assert (notes["review_date"] == pd.Timestamp("2026-01-04")).all()
    # the list's "now" is the graded tier; nobody who stays standard is on it
    now = dict(zip(tiers["customer_id"], tiers["tier"], strict=True))
    assert [now[c] for c in notes["customer_id"]] == notes["tier_now"].tolist()
    assert not ((notes["tier_now"] == "standard") & (notes["tier_at_review"] == "standard")).any()
    counts = notes["change"].value_counts()
    line = outcome.lines[1]
    assert line.startswith("next 阳光汇 review 2026-01-04: ")
    assert f"{int(counts.get('join', 0)):,} join" in line
    assert f"{int(counts.get('leave', 0)):,} leave" in line
    club = int((tiers["tier"] == "sunshine_club").sum())
    assert f"sunshine_club {club:,}" in outcome.lines[0]
