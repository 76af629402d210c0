"""The test setup itself: CI's Hypothesis profile is deterministic and CI selects it."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import settings

ROOT = Path(__file__).resolve().parents[2]


def test_the_ci_profile_is_deterministic() -> None:
    ci = settings.get_profile("ci")
    assert ci.derandomize is True
    assert ci.database is None


def test_make_test_runs_pytest_under_the_ci_profile() -> None:
    """``.ci/run`` is ``make test``; its pytest run sets ``CI`` so the ``ci`` profile loads."""
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = re.search(r"^test:.*\n((?:\t.*\n)+)", makefile, flags=re.MULTILINE)
    assert recipe is not None
    assert re.search(r"\bCI=1 \S*pytest\b", recipe.group(1)), recipe.group(1)
