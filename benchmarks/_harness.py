"""Timing and memory helpers shared by every benchmark script.

Each benchmark module is named ``bench_<topic>.py`` and defines ``run(smoke: bool) -> Section``.
Smoke runs use tiny sizes so that CI proves every script still works; full runs are done by hand
(``make bench``) and write ``benchmarks/results/<topic>.md``, from which ``RESULTS.md`` is built.
The machine is shared and noisy: every figure is the median of several repeats.
"""

from __future__ import annotations

import gc
import statistics
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import attrs

__all__ = ["Measurement", "Section", "measure", "ratio"]


@attrs.frozen
class Measurement:
    """One tool on one case: median wall seconds over ``repeats`` and traced peak memory."""

    case: str
    tool: str
    seconds: float
    repeats: int
    peak_mib: float | None = None
    note: str = ""


@attrs.frozen
class Section:
    """A benchmark's results: a title, the measurements and free-form notes (markdown)."""

    topic: str
    title: str
    measurements: tuple[Measurement, ...]
    notes: str = ""

    def to_markdown(self, baseline_tool: str | None = None) -> str:
        lines = [f"## {self.title}", ""]
        lines.append("| case | tool | median s | repeats | peak MiB | × bankcrm | note |")
        lines.append("|---|---|---:|---:|---:|---:|---|")
        base = {
            m.case: m.seconds for m in self.measurements if m.tool == (baseline_tool or "bankcrm")
        }
        for m in self.measurements:
            rel = f"{m.seconds / base[m.case]:.2f}" if m.case in base and base[m.case] > 0 else ""
            peak = f"{m.peak_mib:.0f}" if m.peak_mib is not None else ""
            cells = [m.case, m.tool, f"{m.seconds:.3f}", str(m.repeats), peak, rel, m.note]
            lines.append("| " + " | ".join(cells) + " |")
        if self.notes:
            lines += ["", self.notes.strip()]
        return "\n".join(lines) + "\n"


def measure(
    case: str,
    tool: str,
    fn: Callable[[], Any],
    *,
    repeats: int = 5,
    trace_memory: bool = True,
    note: str = "",
) -> Measurement:
    """Time ``fn`` ``repeats`` times (median), then trace its peak Python/numpy allocation once."""
    times = []
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    peak = traced_peak(fn) if trace_memory else None
    return Measurement(case, tool, statistics.median(times), repeats, peak, note)


def traced_peak(fn: Callable[[], Any]) -> float:
    """Peak Python/numpy allocation (MiB) of one more call of ``fn``, as tracemalloc sees it."""
    gc.collect()
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def ratio(slow: Measurement, fast: Measurement) -> float:
    """How many times faster ``fast`` is than ``slow``."""
    return slow.seconds / fast.seconds if fast.seconds > 0 else float("inf")
