"""Griffe extension for the docs build: show bare doctest examples as code.

bankcrm's docstrings carry runnable ``>>>`` examples in their prose (pytest runs them with
``--doctest-modules``). Outside a Google ``Examples:`` section, Markdown would read them as text,
so an output such as ``['a', 'b']`` after a line ending in ``]`` turns into a broken reference
link. This extension fences every unindented run of doctest lines as a ``pycon`` block before
the docstring is parsed; indented examples (inside sections) are left to the parser.
"""

from __future__ import annotations

from typing import Any

import griffe


def _fence_doctests(text: str) -> str:
    lines = text.split("\n")
    out: list[str] = []
    in_fence = False
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("```"):
            in_fence = not in_fence
        if not in_fence and line.startswith(">>>"):
            block = []
            while i < len(lines) and lines[i].strip():
                block.append(lines[i])
                i += 1
            out += ["```pycon", *block, "```"]
            continue
        out.append(line)
        i += 1
    return "\n".join(out)


class DoctestBlocks(griffe.Extension):
    """Fence unindented doctest runs in every docstring."""

    def on_object(self, *, obj: griffe.Object, loader: griffe.GriffeLoader, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = _fence_doctests(obj.docstring.value)
