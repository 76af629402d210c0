"""The demo pipeline: step registration, ordering, outputs."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from bankcrm import demo
from bankcrm.demo import DemoContext, Progress, StepOutcome, demo_step, registered_steps, run_demo
from bankcrm.errors import InputError


@pytest.fixture
def registry() -> Iterator[None]:
    """Restore the step registry after a test registers its own steps."""
    saved = dict(demo._REGISTRY)
    yield
    demo._REGISTRY.clear()
    demo._REGISTRY.update(saved)


def test_builtin_steps_in_order() -> None:
    names = [s.name for s in registered_steps()]
    assert names[0] == "generate the synthetic bank"
    assert names[-1] == "write outputs"
    assert "summarise the data" in names


def test_a_module_adds_a_step_with_one_decorator(registry: None, tmp_path: Path) -> None:
    seen: list[int] = []

    @demo_step("count customers", order=50)
    def count(ctx: DemoContext) -> StepOutcome:
        people = ctx.require_bank().people
        seen.append(len(people))
        ctx.add_output("customer_count", pd.DataFrame({"customers": [len(people)]}))
        return StepOutcome((f"{len(people)} customers",))

    report = run_demo(
        40, seed=1, out_dir=tmp_path, file_format="csv", progress=Progress(quiet=True)
    )
    assert seen == [40]
    names = [r.name for r in report.steps]
    assert names.index("count customers") < names.index("write outputs")
    assert (tmp_path / "results" / "customer_count.csv").is_file()
    assert "40 customers" in report.to_text()


def test_skipped_steps_are_reported(registry: None, tmp_path: Path) -> None:
    @demo_step("not yet", order=60)
    def later(ctx: DemoContext) -> StepOutcome:
        return StepOutcome(skipped=True, note="module missing")

    stream = io.StringIO()
    report = run_demo(30, seed=1, out_dir=tmp_path, file_format="csv", progress=Progress(stream))
    assert "skipped: module missing" in stream.getvalue()
    assert "module missing" in report.to_text()
    assert report.to_dict()["steps"][-2]["skipped"] is True  # type: ignore[index]


def test_identity_step_runs_or_explains_why_not(tmp_path: Path) -> None:
    report = run_demo(
        30, seed=1, out_dir=tmp_path, file_format="csv", progress=Progress(quiet=True)
    )
    step = next(r for r in report.steps if r.name.startswith("identity"))
    assert step.outcome.skipped == (
        not (tmp_path / "results" / "standardized_records.csv").exists()
    )
    if step.outcome.skipped:
        assert "bankcrm.identity.standardize" in step.outcome.note


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
