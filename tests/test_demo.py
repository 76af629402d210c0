"""The demo pipeline: step registration, ordering, outputs."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest

from bankcrm import demo
from bankcrm.demo import STEPS, DemoContext, DemoStep, Progress, StepOutcome, run_demo
from bankcrm.errors import InputError


def test_steps_are_one_explicit_ordered_list() -> None:
    names = [s.name for s in STEPS]
    assert names == [
        "generate the synthetic bank",
        "summarise the data",
        "identity: standardise records",
        "segmentation: RFM scores, segments and migration",
        "membership: tiers now and at the next club review",
        "credit: group clients against the truth",
        "write outputs",
    ]
    assert all(isinstance(s.target, str) for s in STEPS)  # listing them imports nothing
    for step in STEPS:
        assert callable(step.resolve()), step.name


def test_no_discovery_by_file_name() -> None:
    """The demo no longer scans ``bankcrm.<package>.demo_steps`` modules."""
    assert not hasattr(demo, "registered_steps")
    assert not hasattr(demo, "_discover")
    assert not hasattr(demo, "_REGISTRY")


def test_a_caller_runs_its_own_list_of_steps(tmp_path: Path) -> None:
    seen: list[int] = []

    def count(ctx: DemoContext) -> StepOutcome:
        people = ctx.require_bank().people
        seen.append(len(people))
        ctx.add_output("customer_count", pd.DataFrame({"customers": [len(people)]}))
        return StepOutcome((f"{len(people)} customers",))

    steps = (STEPS[0], DemoStep("count customers", count), STEPS[-1])
    report = run_demo(
        40, seed=1, out_dir=tmp_path, file_format="csv", progress=Progress(quiet=True), steps=steps
    )
    assert seen == [40]
    assert [r.name for r in report.steps] == [s.name for s in steps]
    assert (tmp_path / "results" / "customer_count.csv").is_file()
    assert "40 customers" in report.to_text()


def test_skipped_steps_are_reported(tmp_path: Path) -> None:
    def later(ctx: DemoContext) -> StepOutcome:
        return StepOutcome(skipped=True, note="module missing")

    stream = io.StringIO()
    steps = (STEPS[0], DemoStep("not yet", later), STEPS[-1])
    report = run_demo(
        30, seed=1, out_dir=tmp_path, file_format="csv", progress=Progress(stream), steps=steps
    )
    assert "skipped: module missing" in stream.getvalue()
    assert "module missing" in report.to_text()
    assert report.to_dict()["steps"][-2]["skipped"] is True  # type: ignore[index]


def test_every_step_runs_and_none_is_skipped(tmp_path: Path) -> None:
    """The identity step no longer waits for ``bankcrm.identity.standardize``: it runs."""
    report = run_demo(
        30, seed=1, out_dir=tmp_path, file_format="csv", progress=Progress(quiet=True)
    )
    assert [r.name for r in report.steps] == [s.name for s in STEPS]
    assert not any(r.outcome.skipped for r in report.steps)
    assert (tmp_path / "results" / "standardized_records.csv").is_file()
    assert (tmp_path / "results" / "rfm_scores.csv").is_file()


def test_parquet_is_the_default_format(tmp_path: Path) -> None:
    steps = (STEPS[0], STEPS[-1])
    run_demo(20, seed=1, out_dir=tmp_path, progress=Progress(quiet=True), steps=steps)
    assert (tmp_path / "data" / "records.parquet").is_file()


def test_bad_arguments(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        run_demo(0, out_dir=tmp_path)
    with pytest.raises(InputError):
        run_demo(10, out_dir=tmp_path, file_format="xlsx")


def test_bad_seed_or_output_place_fail_before_generating(tmp_path: Path) -> None:
    taken = tmp_path / "taken"
    taken.write_text("mine")
    stream = io.StringIO()
    with pytest.raises(InputError) as place:
        run_demo(10, out_dir=taken, file_format="csv", progress=Progress(stream))
    assert (place.value.column, place.value.rule) == ("out_dir", "path")
    with pytest.raises(InputError) as seed:
        run_demo(10, seed=-1, out_dir=tmp_path / "x", progress=Progress(stream))
    assert seed.value.column == "seed"
    assert stream.getvalue() == ""  # not a single step started
    assert not (tmp_path / "x").exists()
