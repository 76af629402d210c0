"""Chinese-text helpers shared by names and addresses: Han classes, traditional → simplified.

Traditional → simplified uses OpenCC's ``t2s`` tables, with three rules that make it safe and
fast for identity data:

- Only a text with a Han character **outside GB 2312** (the simplified character set) is
  converted. A text written entirely in GB 2312 is already simplified, and ``t2s`` would
  otherwise still rewrite some of it (``藉口`` → ``借口``, ``乾县`` → ``干县``).
- In a converted text, the characters of GB 2312 that ``t2s`` maps to another character
  (:data:`GB2312_KEPT`: 乾, 於, 麴 …) are kept: they are names and places in their own right.
- Conversion repeats while the text changes (at most :data:`T2S_PASSES` passes), so converting
  twice gives the result of converting once.

Many texts are converted with one OpenCC call on their newline-joined concatenation, an order
of magnitude faster than a call per text. :func:`needs_simplify_pattern` and
:func:`simplified_han_class` express the same decision as regex character classes, for the
vectorised string kernels of names and addresses.

>>> simplify_all(["張偉", "乾隆", "歐陽鋒", "藉口", "張乾", "abc"])
['张伟', '乾隆', '欧阳锋', '藉口', '张乾', 'abc']
>>> needs_simplify("張"), needs_simplify("张"), needs_simplify("𠀀")
(True, False, True)
"""

from __future__ import annotations

import functools
import re
import threading
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = [
    "GB2312_KEPT",
    "HAN_CLASS",
    "NOT_HAN_CLASS",
    "T2S_PASSES",
    "han_table",
    "needs_simplify",
    "needs_simplify_pattern",
    "needs_simplify_table",
    "simplified_han_class",
    "simplify_all",
]

#: Han ideographs as a regex character-class body: 〇, CJK Unified Ideographs with extension A,
#: compatibility ideographs (NFKC maps most of them) and extensions B to H.
HAN_CLASS = "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
#: Every other character, as a class body (``[^{NOT_HAN_CLASS}X]`` reads "Han but not X").
NOT_HAN_CLASS = (
    "\x00-\u3006\u3008-\u33ff\u4dc0-\u4dff\ua000-\uf8ff\ufb00-\U0001ffff\U00031350-\U0010ffff"
)
_HAN_RANGES = ((0x3007, 0x3007), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))

#: Characters of GB 2312 that OpenCC ``t2s`` maps to another character (乾 → 干, 於 → 于 …),
#: found by converting every GB 2312 ideograph; a test re-derives the set.
GB2312_KEPT = frozenset("乾吒夥後徵拚捱摺於榘菸薹袷醣麴麽")

#: Conversion is repeated while the text changes, at most this often.
T2S_PASSES = 3

BoolArray = npt.NDArray[np.bool_]


@functools.cache
def han_table() -> BoolArray:
    """``table[cp]`` tells whether BMP code point ``cp`` is a Han ideograph of :data:`HAN_CLASS`."""
    table = np.zeros(0x10000, dtype=bool)
    for low, high in _HAN_RANGES:
        table[low : high + 1] = True
    return table


@functools.cache
def needs_simplify_table() -> BoolArray:
    """``table[cp]``: BMP code point ``cp`` is a Han ideograph outside GB 2312."""
    table = han_table().copy()
    for cp in np.flatnonzero(table):
        try:
            chr(cp).encode("gb2312")
        except UnicodeEncodeError:
            continue
        table[cp] = False
    return table


@functools.cache
def _needs_simplify_re() -> re.Pattern[str]:
    table = needs_simplify_table()
    edges = np.flatnonzero(np.diff(np.concatenate(([0], table.view(np.int8), [0]))))
    pairs = zip(edges[::2], edges[1::2], strict=True)
    ranges = "".join(f"{chr(lo)}-{chr(hi - 1)}" for lo, hi in pairs)
    return re.compile(f"[{ranges}\U00020000-\U0003134f]")


@functools.cache
def simplified_han_class() -> str:
    """A regex class body of the CJK Unified Ideographs (U+4E00-U+9FFF) of GB 2312: Han
    characters that :func:`needs_simplify` leaves alone."""
    table = han_table() & ~needs_simplify_table()
    table[:0x4E00] = False
    table[0xA000:] = False
    edges = np.flatnonzero(np.diff(np.concatenate(([0], table.view(np.int8), [0]))))
    pairs = zip(edges[::2], edges[1::2], strict=True)
    return "".join(f"{chr(lo)}-{chr(hi - 1)}" if hi - lo > 1 else chr(lo) for lo, hi in pairs)


def needs_simplify_pattern() -> str:
    """The regex (a character class) of :func:`needs_simplify`, for vectorised string kernels."""
    return _needs_simplify_re().pattern


def needs_simplify(text: str) -> bool:
    """Tell whether ``text`` has a Han character outside GB 2312 (and so is converted)."""
    return _needs_simplify_re().search(text) is not None


@functools.cache
def _t2s() -> Any:
    import opencc  # a runtime dependency, imported on first use because loading takes time

    return opencc.OpenCC("t2s")


def _keep_gb2312(original: str, converted: str) -> str:
    """Undo ``t2s`` on the characters of :data:`GB2312_KEPT`."""
    if converted == original or len(converted) != len(original):
        return converted
    if not any(c in GB2312_KEPT for c in original):
        return converted
    return "".join(o if o in GB2312_KEPT else c for o, c in zip(original, converted, strict=True))


_T2S_LOCK = threading.Lock()  # names and addresses may be standardised in parallel threads


def _t2s_pass(texts: list[str]) -> list[str]:
    """One ``t2s`` pass over many newline-free texts, with one OpenCC call.

    No OpenCC phrase spans a newline, so converting the joined text converts each text alone;
    should the line count ever change, each text is converted on its own instead.
    """
    converter = _t2s()
    with _T2S_LOCK:
        converted = converter.convert("\n".join(texts)).split("\n")
        if len(converted) != len(texts):
            converted = [converter.convert(t) for t in texts]
    return [_keep_gb2312(t, c) for t, c in zip(texts, converted, strict=True)]


def simplify_all(texts: list[str]) -> list[str]:
    """Convert every text (none may contain a newline) from traditional to simplified.

    Each pass converts the texts that still need it and changed in the previous pass.
    """
    out = list(texts)
    pending = [i for i, t in enumerate(out) if needs_simplify(t)]
    for _ in range(T2S_PASSES):
        if not pending:
            break
        changed = []
        for i, converted in zip(pending, _t2s_pass([out[i] for i in pending]), strict=True):
            if converted != out[i]:
                out[i] = converted
                if needs_simplify(converted):
                    changed.append(i)
        pending = changed
    return out
