"""Contract rule 11: no import cycles, ``__all__`` only, and a bounded import cost."""

from __future__ import annotations

import importlib
import json
import statistics
import subprocess
import sys

import pytest
from contract_imports import PUBLIC_MODULES, cycles, import_graph, module_files

#: Libraries that must load on first use, never at import (numba compiles, scipy is large).
HEAVY = ("numba", "scipy", "matplotlib", "polars", "duckdb", "hypothesis")

#: Contract budget: seconds an import may add to pandas and numpy (median of fresh runs).
IMPORT_BUDGET_S = 0.3
RUNS = 5


def test_no_import_cycles_between_bankcrm_modules() -> None:
    graph = import_graph()
    assert len(graph) > 50  # the reader found the package
    assert cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    # The check above must be able to fail.
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]


def test_every_public_module_is_listed() -> None:
    public = {
        name
        for name in module_files()
        if not any(part.startswith("_") for part in name.split("."))
        and name.count(".") <= 1
        and name not in {"bankcrm.cli", "bankcrm.demo", "bankcrm.testing"}
    }
    assert public == set(PUBLIC_MODULES)


@pytest.mark.parametrize("name", PUBLIC_MODULES)
def test_public_modules_export_only_their_all(name: str) -> None:
    module = importlib.import_module(name)
    exported = module.__all__
    assert len(set(exported)) == len(exported)
    for symbol in exported:
        assert hasattr(module, symbol), f"{name}.__all__ lists {symbol!r}, which is missing"
    # A star import gives exactly __all__: nothing private or accidental leaks.
    namespace: dict[str, object] = {}
    exec(f"from {name} import *", namespace)
    namespace.pop("__builtins__", None)
    assert set(namespace) == set(exported)


_PROBE = """
import json, sys, time
import numpy, pandas
start = time.perf_counter()
import {name}
elapsed = time.perf_counter() - start
print(json.dumps({{"seconds": elapsed, "heavy": sorted(m for m in {heavy!r} if m in sys.modules)}}))
"""


def _probe(name: str) -> dict[str, object]:
    code = _PROBE.format(name=name, heavy=HEAVY)
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


@pytest.mark.slow
@pytest.mark.parametrize(
    "name",
    [
        "bankcrm.identity",
        "bankcrm.segmentation",
        "bankcrm.datasets",
        "bankcrm.membership",
        "bankcrm.credit",
    ],
)
def test_import_cost_beyond_pandas_and_numpy(name: str) -> None:
    runs = [_probe(name) for _ in range(RUNS)]
    assert all(run["heavy"] == [] for run in runs), runs[0]["heavy"]
    median = statistics.median(float(run["seconds"]) for run in runs)  # type: ignore[arg-type]
    assert median <= IMPORT_BUDGET_S, f"import {name} took {median:.3f} s (median of {RUNS})"


@pytest.mark.parametrize("name", PUBLIC_MODULES)
def test_no_heavy_library_loads_at_import(name: str) -> None:
    assert _probe(name)["heavy"] == []
