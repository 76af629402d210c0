"""Fast integer-keyed group kernels: factorize customer ids once, then reduce with numpy.

The RFM batch path spends its time here. Customer ids are turned into dense codes ``0..n-1``
numbered in ascending id order (so results come out sorted by id, whatever the row order),
then every per-customer figure is one numpy reduction over the codes: ``np.bincount`` for
counts, ``np.add.at`` on int64 fen for exact sums, ``np.maximum.at`` for the last date.

Integer ids take one of two vectorised paths:

* **direct addressing** when the ids span a small range (``max - min`` at most a few times the
  row count): a presence bitmap and its running count give each id its rank;
* **a vectorised open-addressing hash** otherwise: each key is multiplied by an odd constant
  and its top bits pick a slot; a scatter ``table[slot] = key`` lets one key win each slot
  (numpy's last-writer-wins), a gather finds the keys that lost, and those few move on to a
  fresh, smaller table with another constant. Every row of a key sees the same slot, so a key
  wins or loses as a whole. No Python loop runs per row or per key.

Other ids (text) use :func:`pandas.factorize`. All paths give identical codes for the same
keys.

>>> import numpy as np
>>> codes, keys = factorize_keys(np.array([900, 5, 900, 70], dtype=np.int64))
>>> codes.tolist(), keys.tolist()
([2, 0, 2, 1], [5, 70, 900])
>>> group_max(codes, np.array([3, 1, 9, 4]), 3, fill=-1).tolist()
[1, 4, 9]
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

__all__ = [
    "CHUNK",
    "factorize_int64",
    "factorize_keys",
    "group_count",
    "group_max",
    "group_sum",
]

#: Rows processed per step by the chunked loops (keeps temporaries small and cache-friendly).
CHUNK = 1 << 20

_INT64_MIN = np.iinfo(np.int64).min
_INT64_MAX = np.iinfo(np.int64).max
# Odd 64-bit multipliers, one per hash level (golden-ratio and other well-mixed constants).
_MULTIPLIERS = (
    0x9E3779B97F4A7C15,
    0xC2B2AE3D27D4EB4F,
    0x165667B19E3779F9,
    0xD6E8FEB86659FD93,
    0xFF51AFD7ED558CCD,
    0xC4CEB9FE1A85EC53,
    0x94D049BB133111EB,
    0xBF58476D1CE4E5B9,
)
# Direct addressing is used while the id range is at most this many slots ...
_DIRECT_MAX_SPAN = 1 << 25
# ... and at most this many times the number of rows.
_DIRECT_SPAN_PER_ROW = 4


def factorize_keys(keys: Any) -> tuple[NDArray[np.intp], NDArray[Any]]:
    """Dense codes (ascending key order) and the sorted distinct keys of a 1-D array.

    Integer arrays take the vectorised kernels of this module; anything else goes through
    :func:`pandas.factorize` with ``sort=True``. Keys must not contain nulls.

    >>> codes, keys = factorize_keys(np.array(["b", "a", "b"], dtype=object))
    >>> codes.tolist(), keys.tolist()
    ([1, 0, 1], ['a', 'b'])
    """
    array = np.asarray(keys)
    if array.dtype.kind in "iu" and (array.dtype.kind == "i" or array.dtype.itemsize < 8):
        return factorize_int64(array.astype(np.int64, copy=False))
    codes, uniques = pd.factorize(keys, sort=True)
    return np.asarray(codes, dtype=np.intp), np.asarray(uniques)


def factorize_int64(keys: NDArray[np.int64]) -> tuple[NDArray[np.intp], NDArray[np.int64]]:
    """Dense codes numbered in ascending key order, and the sorted distinct keys.

    >>> factorize_int64(np.array([-3, 2**62, -3], dtype=np.int64))[0].tolist()
    [0, 1, 0]
    """
    n = len(keys)
    if n == 0:
        return np.empty(0, dtype=np.intp), np.empty(0, dtype=np.int64)
    low, high = int(keys.min()), int(keys.max())
    span = high - low + 1
    if span <= _DIRECT_MAX_SPAN and span <= _DIRECT_SPAN_PER_ROW * n + 1024:
        return _factorize_direct(keys, low, span)
    if low > _INT64_MIN:
        sentinel = _INT64_MIN
    elif high < _INT64_MAX:
        sentinel = _INT64_MAX
    else:  # both extremes are real ids: no free sentinel value
        codes, uniques = pd.factorize(keys, sort=True)
        return np.asarray(codes, dtype=np.intp), np.asarray(uniques, dtype=np.int64)
    return _factorize_hashed(keys, np.int64(sentinel))


def _factorize_direct(
    keys: NDArray[np.int64], low: int, span: int
) -> tuple[NDArray[np.intp], NDArray[np.int64]]:
    present = np.zeros(span, dtype=bool)
    n = len(keys)
    base = np.int64(low)
    for start in range(0, n, CHUNK):
        present[keys[start : start + CHUNK] - base] = True
    rank = np.cumsum(present, dtype=np.intp)
    rank -= 1
    codes = np.empty(n, dtype=np.intp)
    for start in range(0, n, CHUNK):
        stop = min(n, start + CHUNK)
        np.take(rank, keys[start:stop] - base, out=codes[start:stop], mode="clip")
    uniques = np.flatnonzero(present).astype(np.int64)
    uniques += base
    return codes, uniques


def _slots(keys: NDArray[np.int64], bits: int, level: int, out: NDArray[np.int64]) -> None:
    """Write the hash slot (top ``bits`` bits of key × multiplier) of each key into ``out``."""
    unsigned = out.view(np.uint64)
    np.multiply(keys.view(np.uint64), np.uint64(_MULTIPLIERS[level]), out=unsigned)
    np.right_shift(unsigned, np.uint64(64 - bits), out=unsigned)


def _place(
    keys: NDArray[np.int64], bits: int, level: int, sentinel: np.int64, slots: NDArray[np.int64]
) -> NDArray[np.int64]:
    table = np.full(1 << bits, sentinel, dtype=np.int64)
    n = len(keys)
    for start in range(0, n, CHUNK):
        stop = min(n, start + CHUNK)
        part = slots[start:stop]
        _slots(keys[start:stop], bits, level, part)
        table[part] = keys[start:stop]  # last writer wins: one key per slot
    return table


def _bits_for(count: int) -> int:
    """Table size (log2) holding ``count`` keys at a load of at most one quarter."""
    return max(6, math.ceil(math.log2(max(1, 4 * count))))


def _factorize_hashed(
    keys: NDArray[np.int64], sentinel: np.int64
) -> tuple[NDArray[np.intp], NDArray[np.int64]]:
    n = len(keys)
    slots = np.empty(n, dtype=np.int64)
    # First guess: a customer has a few transactions; the occupancy tells if it was wrong.
    bits = min(_bits_for(max(1, n // 4)), 22)
    table = _place(keys, bits, 0, sentinel, slots)
    size = 1 << bits
    occupied = int(np.count_nonzero(table != sentinel))
    if occupied > size // 4:
        # Invert the expected occupancy size·(1 − e^(−d/size)) to estimate d distinct keys.
        distinct = n if occupied >= size else -size * math.log1p(-occupied / size)
        bits = min(_bits_for(int(distinct) + 1), 32)
        table = _place(keys, bits, 0, sentinel, slots)
    tables = [table]
    offset = table.size
    lost_parts = []
    for start in range(0, n, CHUNK):
        stop = min(n, start + CHUNK)
        lost = np.flatnonzero(table[slots[start:stop]] != keys[start:stop])
        if lost.size:
            lost_parts.append(lost + start)
    pending = np.concatenate(lost_parts) if lost_parts else np.empty(0, dtype=np.intp)
    level = 1
    while pending.size:
        sub = keys[pending]
        if level == len(_MULTIPLIERS):  # pathological keys: let pandas finish the last few
            sub_codes, sub_uniques = pd.factorize(sub, sort=False)
            slots[pending] = np.asarray(sub_codes, dtype=np.int64) + offset
            tables.append(np.asarray(sub_uniques, dtype=np.int64))
            break
        previous = int(np.count_nonzero(tables[-1] != sentinel))
        bits = _bits_for(min(sub.size, max(previous, 1)))
        sub_slots = np.empty(sub.size, dtype=np.int64)
        table = _place(sub, bits, level, sentinel, sub_slots)
        lost = table[sub_slots] != sub
        sub_slots += offset
        slots[pending] = sub_slots
        tables.append(table)
        offset += table.size
        pending = pending[lost]
        level += 1
    return _dense_ranks(slots, np.concatenate(tables), sentinel)


def _dense_ranks(
    slots: NDArray[np.int64], table: NDArray[np.int64], sentinel: np.int64
) -> tuple[NDArray[np.intp], NDArray[np.int64]]:
    """Renumber slot codes as ranks of their keys (ascending), in place; return the keys."""
    filled = np.flatnonzero(table != sentinel)
    keys = table[filled]
    order = np.argsort(keys, kind="stable")
    rank_of_slot = np.empty(table.size, dtype=np.int64)
    rank_of_slot[filled[order]] = np.arange(keys.size, dtype=np.int64)
    n = len(slots)
    for start in range(0, n, CHUNK):
        stop = min(n, start + CHUNK)
        slots[start:stop] = np.take(rank_of_slot, slots[start:stop], mode="clip")
    return slots.view(np.intp), keys[order]


def group_count(codes: NDArray[np.intp], n_groups: int) -> NDArray[np.int64]:
    """Rows per group; codes equal to ``n_groups`` (the trash group) are not counted.

    >>> group_count(np.array([0, 2, 2, 3]), 3).tolist()
    [1, 0, 2]
    """
    counts = np.bincount(codes, minlength=n_groups + 1)
    return counts[:n_groups].astype(np.int64, copy=False)


def group_sum(
    codes: NDArray[np.intp], values: NDArray[np.int64], n_groups: int, out: NDArray[np.int64]
) -> NDArray[np.int64]:
    """Add int64 ``values`` into ``out`` (length ``n_groups + 1``, last = trash) exactly.

    >>> out = np.zeros(3, dtype=np.int64)
    >>> group_sum(np.array([0, 1, 0]), np.array([5, 7, 2**60]), 2, out).tolist()
    [1152921504606846981, 7, 0]
    """
    np.add.at(out, codes, values)
    return out


def group_max(
    codes: NDArray[np.intp], values: NDArray[Any], n_groups: int, *, fill: int
) -> NDArray[np.int64]:
    """Largest value per group (``fill`` where a group has no rows); code ``n_groups`` = trash."""
    out = np.full(n_groups + 1, fill, dtype=np.int64)
    np.maximum.at(out, codes, values.astype(np.int64, copy=False))
    return out[:n_groups]
