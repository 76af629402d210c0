"""Run the benchmarks: ``python -m benchmarks [--smoke] [--only TOPIC ...]``.

``--smoke`` runs every script at a tiny size and writes nothing (CI does this so that the
scripts never rot). Without it, each selected benchmark runs at full size, writes
``benchmarks/results/<topic>.md`` and ``benchmarks/RESULTS.md`` is rebuilt from all of them.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from pathlib import Path

HERE = Path(__file__).parent
RESULTS_DIR = HERE / "results"
#: Topics whose script is not named ``bench_<topic>.py``.
MODULES = {"credit": "bench_credit_groups"}


def _topics() -> list[str]:
    names = [m.name for m in pkgutil.iter_modules([str(HERE)]) if m.name.startswith("bench_")]
    aliases = {module: topic for topic, module in MODULES.items()}
    return sorted(aliases.get(n, n.removeprefix("bench_")) for n in names)


def _rebuild_results() -> None:
    parts = [
        "# Benchmark results",
        "",
        "Built by `make bench` (`python -m benchmarks`) from `benchmarks/results/*.md`.",
        "Figures are medians of repeats on the project's 2-core shared machine; read the",
        "ratios, not the absolute times.",
        "",
    ]
    parts += [p.read_text(encoding="utf-8") for p in sorted(RESULTS_DIR.glob("*.md"))]
    (HERE / "RESULTS.md").write_text("\n".join(parts), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, write nothing")
    parser.add_argument("--only", nargs="*", default=None, help="topics to run")
    args = parser.parse_args(argv)
    topics = args.only or _topics()
    for topic in topics:
        module = importlib.import_module(f"benchmarks.{MODULES.get(topic, f'bench_{topic}')}")
        print(f"[benchmarks] {topic} ({'smoke' if args.smoke else 'full'})", flush=True)
        section = module.run(smoke=args.smoke)
        text = section.to_markdown()
        print(text, flush=True)
        if not args.smoke:
            RESULTS_DIR.mkdir(exist_ok=True)
            (RESULTS_DIR / f"{topic}.md").write_text(text, encoding="utf-8")
    if not args.smoke:
        _rebuild_results()
    return 0


if __name__ == "__main__":
    sys.exit(main())
