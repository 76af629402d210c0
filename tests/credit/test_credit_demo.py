"""The credit step of the demo on the synthetic bank as generated."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from bankcrm.credit import GroupChanges, identify_groups
from bankcrm.credit.demo_steps import groups_step, partition_agreement
from bankcrm.datasets import synthetic_bank
from bankcrm.demo import STEPS, DemoContext, Progress


def test_the_step_is_listed_after_the_membership_step() -> None:
    names = [step.target for step in STEPS]
    assert names.index("bankcrm.credit.demo_steps:groups_step") == (
        names.index("bankcrm.membership.demo_steps:tiers_step") + 1
    )


def test_the_groups_step_compares_with_the_truth_and_shows_the_largest_group(
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
    outcome = groups_step(ctx)
    found = ctx.outputs["credit_groups"]
    want = identify_groups(
        bank.parties,
        bank.holdings,
        as_of=bank.as_of,
        control_arrangements=bank.control_arrangements,
        person_ties=bank.person_ties,
    )
    pd.testing.assert_frame_equal(found, want)
    agreement = ctx.results["credit_partition_agreement"]
    assert agreement == partition_agreement(want, bank.groups)
    assert agreement["true"] == bank.groups["group_id"].nunique()
    assert 0 < agreement["equal"] <= min(agreement["found"], agreement["true"])
    text = "\n".join(outcome.lines)
    assert f"{agreement['equal']:,} of {agreement['true']:,} true groups found exactly" in text
    sizes = want.groupby("group_id")["party_id"].nunique()
    largest = sizes.sort_values(ascending=False, kind="stable").index[0]
    assert f"largest group {largest}, {int(sizes.max()):,} parties" in text
    apex_line = next(line for line in outcome.lines if line.startswith("  "))
    assert apex_line.strip().startswith(f"{largest} (")
    assert isinstance(ctx.results["credit_group_changes"], GroupChanges)
    assert "credit_group_changes" in ctx.outputs
    assert "structure changes since 2024-06-30" in text


def test_partition_agreement_ignores_ids_and_counts_exact_matches() -> None:
    found = pd.DataFrame({"party_id": ["a", "b", "c", "d"], "group_id": ["a", "a", "c", "c"]})
    truth = pd.DataFrame({"party_id": ["a", "b", "c", "d"], "group_id": ["G1", "G1", "G2", "G3"]})
    assert partition_agreement(found, truth) == {"found": 2, "true": 3, "equal": 1}
