"""The end-to-end demo: an explicit, ordered list of named steps run on a synthetic bank.

The demo generates a :func:`~bankcrm.datasets.synthetic_bank`, then runs the steps of
:data:`STEPS` in order, showing progress on stderr, writes its outputs to a directory and ends
with a readable summary. A step is a function of a :class:`DemoContext` returning a
:class:`StepOutcome`; :data:`STEPS` names it by module and function (``"module:function"``), and
the module is imported when the step runs. A module adds its step by writing the function and
adding one entry to the list::

    def rfm_step(ctx: DemoContext) -> StepOutcome:
        scores = ...  # use ctx.bank, ctx.as_of, earlier ctx.results
        ctx.add_output("rfm_scores", scores)
        return StepOutcome(("scored 9,876 customers",))

The steps: generate the synthetic bank, summarise the data, standardise the identity records
(comparing the validity verdicts with the damage truth), segmentation (from
:mod:`bankcrm.segmentation.demo_steps`), membership tiers (from
:mod:`bankcrm.membership.demo_steps`), group clients (from :mod:`bankcrm.credit.demo_steps`),
and write outputs. ``run_demo(steps=...)`` runs
another list.

>>> [step.name for step in STEPS][:2]
['generate the synthetic bank', 'summarise the data']
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

import attrs
import pandas as pd

import bankcrm
from bankcrm.datasets import DAMAGE_KINDS, SyntheticBank, synthetic_bank
from bankcrm.datasets._common import DEFAULT_AS_OF, check_seed
from bankcrm.datasets._io import FileFormat, prepare_directory, write_frame
from bankcrm.errors import BankCRMError, InputError

__all__ = [
    "STEPS",
    "DemoContext",
    "DemoReport",
    "DemoStep",
    "Progress",
    "StepOutcome",
    "StepResult",
    "run_demo",
]


@attrs.frozen
class StepOutcome:
    """What a step reports: summary lines, and whether it was skipped (with the reason)."""

    lines: tuple[str, ...] = ()
    skipped: bool = False
    note: str = ""


@attrs.frozen
class StepResult:
    """A step's outcome with its name and wall time."""

    name: str
    seconds: float
    outcome: StepOutcome


class Progress:
    """Progress lines on a text stream (stderr by default); silent when ``quiet``."""

    def __init__(self, stream: TextIO | None = None, *, quiet: bool = False) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.quiet = quiet

    def step(self, index: int, total: int, name: str) -> None:
        """Announce step ``index`` of ``total``."""
        self._write(f"[{index}/{total}] {name} …")

    def note(self, message: str) -> None:
        """A detail of the running step (long steps report what they are doing)."""
        self._write(f"      {message}")

    def done(self, seconds: float, outcome: StepOutcome) -> None:
        """Close the running step."""
        status = f"skipped: {outcome.note}" if outcome.skipped else "done"
        self._write(f"      {status} ({seconds:.1f} s)")

    def _write(self, text: str) -> None:
        if not self.quiet:
            print(text, file=self.stream, flush=True)


@attrs.define
class DemoContext:
    """What steps share: the settings, the bank, results of earlier steps, outputs to write.

    Attributes:
        customers: number of customers of the synthetic bank.
        seed: its seed.
        out_dir: where outputs are written.
        file_format: ``"parquet"`` or ``"csv"``.
        as_of: the date decisions are made at (the bank's last day).
        progress: for notes from long steps.
        bank: set by the generate step.
        results: anything a step wants later steps (or the summary) to see, by name.
        outputs: frames to write in the write step, by file name.
    """

    customers: int
    seed: int
    out_dir: Path
    file_format: FileFormat
    as_of: dt.date
    progress: Progress
    bank: SyntheticBank | None = None
    results: dict[str, Any] = attrs.field(factory=dict)
    outputs: dict[str, pd.DataFrame] = attrs.field(factory=dict)

    def require_bank(self) -> SyntheticBank:
        """The generated bank (steps after ``generate`` can rely on it)."""
        if self.bank is None:
            raise BankCRMError("the synthetic bank has not been generated yet")
        return self.bank

    def add_output(self, name: str, frame: pd.DataFrame) -> None:
        """Have the write step write ``frame`` as ``<out_dir>/<name>.<format>``."""
        self.outputs[name] = frame


StepFunction = Callable[[DemoContext], StepOutcome]


@attrs.frozen
class DemoStep:
    """A named step: ``target`` is the step function itself, or ``"module:function"`` (the
    module is imported when the step runs, so listing the steps imports nothing)."""

    name: str
    target: StepFunction | str

    def resolve(self) -> StepFunction:
        """The step function (importing its module if it is named by text)."""
        if not isinstance(self.target, str):
            return self.target
        module, _, function = self.target.partition(":")
        found: StepFunction = getattr(importlib.import_module(module), function)
        return found


#: The demo's steps, in run order. A module adds its step with one entry here.
STEPS: tuple[DemoStep, ...] = (
    DemoStep("generate the synthetic bank", "bankcrm.demo:_generate"),
    DemoStep("summarise the data", "bankcrm.demo:_summarise"),
    DemoStep("identity: standardise records", "bankcrm.demo:_standardise"),
    DemoStep(
        "segmentation: RFM scores, segments and migration",
        "bankcrm.segmentation.demo_steps:rfm_step",
    ),
    DemoStep(
        "membership: tiers now and at the next club review",
        "bankcrm.membership.demo_steps:tiers_step",
    ),
    DemoStep(
        "credit: group clients against the truth",
        "bankcrm.credit.demo_steps:groups_step",
    ),
    DemoStep("write outputs", "bankcrm.demo:_write"),
)


# -- built-in steps --------------------------------------------------------------------------


def _generate(ctx: DemoContext) -> StepOutcome:
    ctx.bank = synthetic_bank(ctx.customers, seed=ctx.seed, progress=ctx.progress.note)
    frames = ctx.bank.frames()
    rows = sum(len(f) for f in frames.values())
    return StepOutcome((f"{len(frames)} frames, {rows:,} rows in all (seed {ctx.seed})",))


def _damage_table(bank: SyntheticBank) -> pd.DataFrame:
    """Observed share of records carrying each damage kind, next to the configured rate."""
    flags = bank.records["damage"].str.split("|").explode()
    counts = flags[flags != ""].value_counts()
    rates = attrs.asdict(bank.damage)
    total = len(bank.records)
    return pd.DataFrame(
        {
            "damage": list(DAMAGE_KINDS),
            "records": [int(counts.get(k, 0)) for k in DAMAGE_KINDS],
            "share_of_records": [round(int(counts.get(k, 0)) / total, 4) for k in DAMAGE_KINDS],
            "configured_rate_among_eligible": [rates[k] for k in DAMAGE_KINDS],
        }
    )


def _summarise(ctx: DemoContext) -> StepOutcome:
    bank = ctx.require_bank()
    records, people = bank.records, bank.people
    duplication = len(records) / len(people) - 1
    damaged = float((records["damage"] != "").mean())
    per_system = records["source_system"].value_counts().sort_index()
    damage = _damage_table(bank)
    ctx.add_output("damage_summary", damage)
    ctx.results["duplication_rate"] = duplication
    ctx.results["damaged_share"] = damaged
    tx = bank.transactions
    lines = [
        f"{len(people):,} people behind {len(records):,} records "
        f"(+{duplication:.1%} duplicates; {damaged:.1%} of records damaged)",
        "records per system: " + ", ".join(f"{k} {v:,}" for k, v in per_system.items()),
        "most common damage: "
        + ", ".join(
            f"{r.damage} {r.share_of_records:.1%}"
            for r in damage.sort_values("records", ascending=False).head(5).itertuples()
        ),
        f"{len(tx):,} transactions, {float((tx['amount'] < 0).mean()):.1%} reversals, "
        f"{tx['date'].min():%Y-%m-%d} to {tx['date'].max():%Y-%m-%d}",
        f"{len(bank.accounts):,} accounts, {len(bank.balances):,} balance rows",
        f"{len(bank.parties):,} parties in {bank.groups['group_id'].nunique():,} true groups, "
        f"{len(bank.facilities):,} facilities, {len(bank.guarantees):,} guarantees",
    ]
    return StepOutcome(tuple(lines))


def _standardise(ctx: DemoContext) -> StepOutcome:
    from bankcrm.identity.standardize import standardize

    frame = standardize(ctx.require_bank().records, as_of=ctx.as_of)
    ctx.results["standardized_records"] = frame
    ctx.add_output("standardized_records", frame)
    lines = [f"{len(frame):,} records standardised ({frame.shape[1]} columns)"]
    for column in frame.columns:
        if frame[column].dtype == bool:
            lines.append(f"{column}: {float(frame[column].mean()):.1%} true")
    if "id_valid" in frame.columns:
        lines.append(_id_validity_against_truth(ctx.require_bank().records, frame["id_valid"]))
    return StepOutcome(tuple(lines))


def _id_validity_against_truth(records: pd.DataFrame, valid: pd.Series) -> str:
    """How the validity verdicts compare with the damage the generator applied."""
    damage = records["damage"]
    broken = damage.str.contains("id_typo|id_transposition") & ~damage.str.contains("legacy_id")
    clean = ~damage.str.contains("id_typo|id_transposition|missing_id")
    caught = float((~valid[broken].astype(bool)).mean()) if broken.any() else float("nan")
    kept = float(valid[clean].astype(bool).mean()) if clean.any() else float("nan")
    return (
        f"against the truth: {caught:.1%} of {int(broken.sum()):,} ids with a typo or "
        f"transposition flagged invalid; {kept:.1%} of undamaged ids valid"
    )


def _write(ctx: DemoContext) -> StepOutcome:
    bank = ctx.require_bank()
    ctx.out_dir.mkdir(parents=True, exist_ok=True)
    written = 0
    for group, frames in (("data", bank.frames()), ("results", ctx.outputs)):
        folder = ctx.out_dir / group
        folder.mkdir(exist_ok=True)
        for name, frame in frames.items():
            ctx.progress.note(f"{group}/{name} ({len(frame):,} rows)")
            write_frame(frame, folder / name, ctx.file_format)
            written += 1
    return StepOutcome((f"{written} files in {ctx.out_dir} ({ctx.file_format})",))


# -- running -------------------------------------------------------------------------------


@attrs.frozen
class DemoReport:
    """What a demo run did: settings, each step's result and where the outputs are."""

    customers: int
    seed: int
    out_dir: Path
    steps: tuple[StepResult, ...]
    seconds: float

    def to_text(self) -> str:
        """The readable summary printed at the end of a run."""
        width = max((len(s.name) for s in self.steps), default=10)
        lines = [
            f"bankcrm {bankcrm.__version__} demo: {self.customers:,} customers, seed {self.seed}",
            "",
        ]
        for result in self.steps:
            status = "skipped" if result.outcome.skipped else "ok"
            lines.append(f"{result.name:<{width}}  {status:>7}  {result.seconds:6.1f} s")
            if result.outcome.skipped:
                lines.append(f"    {result.outcome.note}")
            lines += [f"    {line}" for line in result.outcome.lines]
        lines += ["", f"total {self.seconds:.1f} s; outputs in {self.out_dir}"]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, object]:
        """A JSON-friendly form (written as ``summary.json``)."""
        return {
            "version": bankcrm.__version__,
            "customers": self.customers,
            "seed": self.seed,
            "seconds": round(self.seconds, 3),
            "steps": [
                {
                    "name": r.name,
                    "seconds": round(r.seconds, 3),
                    "skipped": r.outcome.skipped,
                    "note": r.outcome.note,
                    "lines": list(r.outcome.lines),
                }
                for r in self.steps
            ],
        }


def run_demo(
    customers: int = 10_000,
    *,
    seed: int = 42,
    out_dir: str | Path = "bankcrm-demo",
    file_format: str = "parquet",
    progress: Progress | None = None,
    steps: Sequence[DemoStep] = STEPS,
) -> DemoReport:
    """Run the steps and write ``summary.txt`` / ``summary.json`` into ``out_dir``.

    Args:
        customers: customers of the synthetic bank.
        seed: its seed.
        out_dir: the output directory (created if missing).
        file_format: ``"parquet"`` (the default) or ``"csv"``.
        progress: where progress goes (default stderr).
        steps: the steps to run, in order (default :data:`STEPS`).

    Returns:
        The :class:`DemoReport`.
    """
    if file_format not in ("parquet", "csv"):
        raise InputError("must be parquet or csv", column="file_format", rule="domain")
    if isinstance(customers, bool) or not isinstance(customers, int) or customers < 1:
        raise InputError("must be a positive integer", column="customers", rule="count")
    seed = check_seed(seed)
    directory = prepare_directory(out_dir, create=False)  # a file in the way fails up front
    reporter = progress if progress is not None else Progress()
    ctx = DemoContext(
        customers=customers,
        seed=seed,
        out_dir=directory,
        file_format="parquet" if file_format == "parquet" else "csv",
        as_of=DEFAULT_AS_OF,
        progress=reporter,
    )
    results: list[StepResult] = []
    started = time.perf_counter()
    for index, step in enumerate(steps, start=1):
        reporter.step(index, len(steps), step.name)
        begun = time.perf_counter()
        outcome = step.resolve()(ctx)
        seconds = time.perf_counter() - begun
        reporter.done(seconds, outcome)
        results.append(StepResult(step.name, seconds, outcome))
    report = DemoReport(customers, seed, ctx.out_dir, tuple(results), time.perf_counter() - started)
    ctx.out_dir.mkdir(parents=True, exist_ok=True)
    (ctx.out_dir / "summary.txt").write_text(report.to_text() + "\n", encoding="utf-8")
    (ctx.out_dir / "summary.json").write_text(
        json.dumps(report.to_dict(), indent=2, ensure_ascii=False), encoding="utf-8"
    )
    return report
