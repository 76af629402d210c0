"""Rendering text columns cheaply: once per distinct value, then decoded by code.

Millions of records share far fewer distinct names, system codes and damage combinations, so
each is rendered once (numpy string operations over the distinct values) and the column is built
from integer codes. :func:`strings` turns a table and codes into a pandas string Series by a
``take`` from the converted table.

>>> strings(np.array(["a", "b"]), np.array([1, -1, 0, 1])).tolist()
['b', nan, 'a', 'b']
>>> table, codes = chinese_names(np.array([0, 0]), np.array([0, 0]), np.array([-1, -1]),
...                              np.array([False, True]), np.array([0, 1]))
>>> table[codes].tolist()
['王伟', '王 偉']
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt
import pandas as pd

from bankcrm.datasets._pools import given_name_pool, surname_pool

__all__ = ["by_distinct", "chinese_names", "latin_names", "strings"]

IntArray = npt.NDArray[np.int64]
StrArray = npt.NDArray[np.str_]
BoolArray = npt.NDArray[np.bool_]

_GIVEN_SLOTS = 1 << 9  # given-name index + 1 fits in 9 bits (the pool has fewer than 511)


def strings(table: StrArray, codes: IntArray) -> pd.Series:
    """``table[codes]`` as a pandas string Series; code -1 is a missing value.

    Only the table is converted to the string dtype; the rows are a ``take`` from it (in Arrow's
    C++ when pandas stores strings with pyarrow), which is far cheaper than converting every row.
    """
    values = pd.array(table, dtype="str")
    return pd.Series(values.take(codes, allow_fill=True))


def by_distinct(
    keys: IntArray, render: Callable[[IntArray], StrArray]
) -> tuple[StrArray, IntArray]:
    """Render each distinct key once: returns the rendered table and every row's code into it."""
    distinct, inverse = np.unique(keys, return_inverse=True)
    return render(distinct), inverse.astype(np.int64)


def _with_blank(values: StrArray) -> StrArray:
    return np.append(values, "")  # index -1 renders as nothing


def _name_key(surname: IntArray, given1: IntArray, given2: IntArray) -> IntArray:
    return (surname * _GIVEN_SLOTS + given1 + 1) * _GIVEN_SLOTS + given2 + 1


def _name_parts(key: IntArray) -> tuple[IntArray, IntArray, IntArray]:
    given2 = key % _GIVEN_SLOTS - 1
    given1 = key // _GIVEN_SLOTS % _GIVEN_SLOTS - 1
    return key // _GIVEN_SLOTS // _GIVEN_SLOTS, given1, given2


def chinese_names(
    surname: IntArray, given1: IntArray, given2: IntArray, traditional: BoolArray, spacing: IntArray
) -> tuple[StrArray, IntArray]:
    """Names in characters: simplified or traditional; spacing 0 none, 1 inner, 2 trailing."""
    sur, given = surname_pool(), given_name_pool()
    keys = (_name_key(surname, given1, given2) * 2 + traditional) * 3 + spacing

    def render(distinct: IntArray) -> StrArray:
        space = distinct % 3
        trad = distinct // 3 % 2 == 1
        s, g1, g2 = _name_parts(distinct // 6)
        simple, wide = _with_blank(given.chars), _with_blank(given.traditional)
        head = np.where(trad, sur.traditional[s], sur.chars[s])
        tail = np.strings.add(
            np.where(trad, wide[g1], simple[g1]), np.where(trad, wide[g2], simple[g2])
        )
        head = np.strings.add(head, np.where(space == 1, " ", ""))
        tail = np.strings.add(tail, np.where(space == 2, " ", ""))
        return np.strings.add(head, tail)

    return by_distinct(keys, render)


def latin_names(
    surname: IntArray, given1: IntArray, given2: IntArray, spelling: IntArray, style: IntArray
) -> tuple[StrArray, IntArray]:
    """Romanised names: style 0 ``ZHANG XIAOMING``, 1 ``Zhang Xiaoming``, 2 ``XIAOMING ZHANG``.

    ``spelling`` picks among a surname's passport spellings (吕: LYU, LV, LU), modulo their count.
    """
    sur, given = surname_pool(), given_name_pool()
    spelling = spelling % sur.n_spellings[surname]
    keys = (_name_key(surname, given1, given2) * 3 + spelling) * 3 + style

    def render(distinct: IntArray) -> StrArray:
        style_ = distinct % 3
        spell_no = distinct // 3 % 3
        s, g1, g2 = _name_parts(distinct // 9)
        spell = sur.spellings[s, spell_no]  # upper case
        upper = _with_blank(np.strings.upper(given.pinyin))
        lower = _with_blank(given.pinyin)
        title = _with_blank(np.strings.title(given.pinyin))
        first_upper = np.strings.add(upper[g1], upper[g2])
        first_title = np.strings.add(title[g1], lower[g2])
        spell_title = np.strings.add(
            np.strings.slice(spell, 0, 1), np.strings.lower(np.strings.slice(spell, 1, None))
        )
        surname_part = np.where(style_ == 1, spell_title, spell)
        given_part = np.where(style_ == 1, first_title, first_upper)
        left = np.where(style_ == 2, given_part, surname_part)
        right = np.where(style_ == 2, surname_part, given_part)
        return np.strings.add(np.strings.add(left, " "), right)

    return by_distinct(keys, render)
