"""The ``>>>`` examples of the docs pages run and show what they say."""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs"


def _examples_of(path: Path) -> str:
    """The page's text without its code fences, so each ``>>>`` block reads as a doctest."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return "\n".join("" if line.startswith("```") else line for line in lines) + "\n"


PAGES = [
    "conventions.md",
    "concepts/core.md",
    "concepts/identity-identifiers.md",
    "concepts/identity-standardize.md",
    "concepts/segmentation.md",
]


@pytest.mark.parametrize("page", PAGES)
def test_docs_examples_run(page: str) -> None:
    path = DOCS / page
    parser = doctest.DocTestParser()
    test = parser.get_doctest(_examples_of(path), {}, page, str(path), 0)
    assert test.examples, f"{page} has no examples"
    runner = doctest.DocTestRunner(
        optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS, verbose=False
    )
    runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples in {page} failed"
