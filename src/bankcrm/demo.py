"""The end-to-end demo: a list of named steps run on a synthetic bank.

The demo generates a :func:`~bankcrm.datasets.synthetic_bank`, then runs every registered step
in order, showing progress on stderr, writes its outputs to a directory and ends with a readable
summary. A module adds its own step with one decorator line, in a module named
``bankcrm.<package>.demo_steps`` that the demo imports when it exists::

    from bankcrm.demo import DemoContext, StepOutcome, demo_step

    @demo_step("segmentation: RFM scores", order=40)
    def rfm_scores(ctx: DemoContext) -> StepOutcome:
        scores = ...  # use ctx.bank, ctx.as_of, earlier ctx.results
        ctx.add_output("rfm_scores", scores)
        return StepOutcome(("scored 9,876 customers",))

Built-in steps: ``generate the synthetic bank`` (order 10), ``summarise the data`` (20),
``identity: standardise records`` (30; skipped with a note until
``bankcrm.identity.standardize`` exists) and ``write outputs`` (900).

>>> [step.name for step in registered_steps()][:2]
['generate the synthetic bank', 'summarise the data']
"""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.util
import json
import pkgutil
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

import attrs
import pandas as pd

import bankcrm
from bankcrm.datasets import DAMAGE_KINDS, SyntheticBank, synthetic_bank
from bankcrm.datasets._common import DEFAULT_AS_OF, check_seed
from bankcrm.datasets._io import FileFormat, prepare_directory, require_pyarrow, write_frame
from bankcrm.errors import BankCRMError, InputError

__all__ = [
    "DemoContext",
    "DemoReport",
    "DemoStep",
    "StepOutcome",
    "StepResult",
    "demo_step",
    "register_step",
    "registered_steps",
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
    """A named step; steps run by ascending ``order`` (ties by name)."""

    name: str
    run: StepFunction
    order: int = 100


_REGISTRY: dict[str, DemoStep] = {}


def register_step(step: DemoStep) -> DemoStep:
    """Add ``step`` (a step of the same name is replaced, so re-imports are harmless)."""
    _REGISTRY[step.name] = step
    return step


def demo_step(name: str, *, order: int = 100) -> Callable[[StepFunction], StepFunction]:
    """Decorator that registers a function as a demo step."""

    def decorate(function: StepFunction) -> StepFunction:
        register_step(DemoStep(name, function, order))
        return function

    return decorate


def _discover() -> None:
    """Import ``bankcrm.<package>.demo_steps`` of every subpackage that has one."""
    for module in pkgutil.iter_modules(bankcrm.__path__):
        if not module.ispkg:
            continue
        name = f"bankcrm.{module.name}.demo_steps"
        if importlib.util.find_spec(name) is not None:
            importlib.import_module(name)


def registered_steps() -> list[DemoStep]:
    """Every registered step (after discovery), in run order."""
    _discover()
    return sorted(_REGISTRY.values(), key=lambda s: (s.order, s.name))


# -- built-in steps --------------------------------------------------------------------------


@demo_step("generate the synthetic bank", order=10)
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


@demo_step("summarise the data", order=20)
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


@demo_step("identity: standardise records", order=30)
def _standardise(ctx: DemoContext) -> StepOutcome:
    if importlib.util.find_spec("bankcrm.identity.standardize") is None:
        return StepOutcome(skipped=True, note="bankcrm.identity.standardize is not available yet")
    module = importlib.import_module("bankcrm.identity.standardize")
    result = module.standardize(ctx.require_bank().records, as_of=ctx.as_of)
    frame = result if isinstance(result, pd.DataFrame) else getattr(result, "frame", None)
    if not isinstance(frame, pd.DataFrame):
        return StepOutcome((f"standardize returned {type(result).__name__}",))
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


@demo_step("write outputs", order=900)
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


def _default_format() -> FileFormat:
    return "parquet" if importlib.util.find_spec("pyarrow") is not None else "csv"


def run_demo(
    customers: int = 10_000,
    *,
    seed: int = 42,
    out_dir: str | Path = "bankcrm-demo",
    file_format: str | None = None,
    progress: Progress | None = None,
) -> DemoReport:
    """Run every registered step and write ``summary.txt`` / ``summary.json`` into ``out_dir``.

    Args:
        customers: customers of the synthetic bank.
        seed: its seed.
        out_dir: the output directory (created if missing).
        file_format: ``"parquet"`` or ``"csv"`` (default Parquet when pyarrow is installed).
        progress: where progress goes (default stderr).

    Returns:
        The :class:`DemoReport`.
    """
    fmt = _default_format() if file_format is None else file_format
    if fmt not in ("parquet", "csv"):
        raise InputError("must be parquet or csv", column="file_format", rule="domain")
    if fmt == "parquet":
        require_pyarrow()  # fail before generating, not at the last step
    if isinstance(customers, bool) or not isinstance(customers, int) or customers < 1:
        raise InputError("must be a positive integer", column="customers", rule="count")
    seed = check_seed(seed)
    directory = prepare_directory(out_dir, create=False)  # a file in the way fails up front
    reporter = progress if progress is not None else Progress()
    ctx = DemoContext(
        customers=customers,
        seed=seed,
        out_dir=directory,
        file_format="parquet" if fmt == "parquet" else "csv",
        as_of=DEFAULT_AS_OF,
        progress=reporter,
    )
    steps = registered_steps()
    results: list[StepResult] = []
    started = time.perf_counter()
    for index, step in enumerate(steps, start=1):
        reporter.step(index, len(steps), step.name)
        begun = time.perf_counter()
        outcome = step.run(ctx)
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
