"""Fast integer-keyed group kernels: factorize customer ids once, then reduce with numpy.

The RFM batch path spends its time here. Customer ids are turned into dense codes ``0..n-1``
once, then every per-customer figure is one numpy reduction over the codes: ``np.bincount``
for counts, ``np.add.at`` on int64 fen for exact sums, ``np.maximum.at`` for the last date.
The caller sorts the small per-customer results by id, so results never depend on row order.

Integer ids take one of two vectorised paths:

* **direct addressing** when the ids span a small range (``max - min`` at most a few times the
  row count): a presence bitmap and its running count give each id its rank;
* **a vectorised open-addressing hash** otherwise: each key is multiplied by an odd constant
  and its top bits pick a slot; a scatter ``table[slot] = key`` lets one key win each slot
  (numpy's last-writer-wins), the winners are numbered, and one gather per row brings back
  both the slot's key and its number, so the rows whose key lost are found in the same pass.
  Those few rows move on to a fresh, smaller table with another constant. Every row of a key
  sees the same slot, so a key wins or loses as a whole. No Python loop runs per row or key.

Other ids (text) use :func:`pandas.factorize`. All paths give the same grouping.

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
    "sort_order",
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
# The first hash table aims at a load of at most 2**-_FIRST_LOAD_LOG2 of the sampled estimate
# of distinct keys; it is rebuilt larger when its real load exceeds _MAX_LOAD. (A half-full
# table loses a fifth of its keys to the next level but is half the size: fewer cache misses.
# A table loaded up to 1.5 still beats a second full placing pass: it loses at most half of
# its keys to the next, smaller levels; measured at 100 M rows / 8.8 M keys, where the sample
# sees too few keys twice and guesses 2.6 M: 7.7–8.0 s against 8.5–10.6 s with 0.6.)
_FIRST_LOAD_LOG2 = 1
_MAX_LOAD = 1.5
# Direct addressing is used while the id range is at most this many slots ...
_DIRECT_MAX_SPAN = 1 << 25
# ... and at most this many times the number of rows.
_DIRECT_SPAN_PER_ROW = 4
# group_count counts chunk by chunk up to this many groups (16 MiB of counts per chunk).
_COUNT_CHUNK_MAX_GROUPS = 1 << 21


def code_type(n_rows: int) -> type[np.signedinteger[Any]]:
    """The narrowest code type for ``n_rows`` rows: int32 (plus a trash code) when it fits.

    Per-row codes are the largest array of a group-by; half the bytes means half the fresh
    memory to fault in (costly on a VM, where the host hands back pages it had reclaimed) and
    half the traffic. Kernels that index with them convert one chunk at a time to ``intp``.

    >>> code_type(10).__name__, code_type(2**31).__name__
    ('int32', 'int64')
    """
    return np.int32 if n_rows < np.iinfo(np.int32).max else np.int64


def factorize_keys(
    keys: Any, *, sort: bool = True, small: bool = False
) -> tuple[NDArray[np.signedinteger[Any]], NDArray[Any]]:
    """Dense codes and the distinct keys of a 1-D array (``keys[codes]`` gives the input back).

    With ``sort=True`` the codes are numbered in ascending key order and the keys come out
    sorted; with ``sort=False`` the numbering is the kernel's own (cheaper: the caller sorts
    the per-group results instead of the per-row codes). Integer arrays take the vectorised
    kernels of this module; anything else goes through :func:`pandas.factorize`. Keys must
    not contain nulls. Codes are ``intp``, or :func:`code_type` with ``small=True``.

    >>> codes, keys = factorize_keys(np.array(["b", "a", "b"], dtype=object))
    >>> codes.tolist(), keys.tolist()
    ([1, 0, 1], ['a', 'b'])
    >>> factorize_keys(np.array([9, 4, 9]), small=True)[0].dtype.name
    'int32'
    """
    array = np.asarray(keys)
    dtype = code_type(len(array)) if small else np.intp
    if array.dtype.kind in "iu" and (array.dtype.kind == "i" or array.dtype.itemsize < 8):
        return factorize_int64(array.astype(np.int64, copy=False), sort=sort, code_dtype=dtype)
    codes, uniques = pd.factorize(keys, sort=sort)
    return np.asarray(codes, dtype=dtype), np.asarray(uniques)


def sort_order(keys: NDArray[Any]) -> NDArray[np.intp]:
    """The permutation that sorts ``keys`` (ties keep their order).

    Integer keys whose range and count fit in 64 bits together are packed as
    ``(key − min) << b | position`` and sorted by value, which numpy does several times
    faster than ``argsort``; anything else uses a stable ``argsort``.

    >>> sort_order(np.array([30, -2, 7, -2])).tolist()
    [1, 3, 2, 0]
    """
    n = len(keys)
    if n > 1 and keys.dtype.kind == "i":
        low, high = int(keys.min()), int(keys.max())
        index_bits = (n - 1).bit_length()
        if (high - low).bit_length() + index_bits <= 64:
            packed = (keys - np.int64(low)).view(np.uint64) << np.uint64(index_bits)
            packed |= np.arange(n, dtype=np.uint64)
            packed.sort()
            packed &= np.uint64((1 << index_bits) - 1)
            return packed.view(np.int64).view(np.intp)
    return np.argsort(keys, kind="stable")


def factorize_int64(
    keys: NDArray[np.int64], *, sort: bool = True, code_dtype: Any = np.intp
) -> tuple[NDArray[np.signedinteger[Any]], NDArray[np.int64]]:
    """Dense codes (of ``code_dtype``) and distinct keys of int64 keys (ascending when ``sort``).

    >>> factorize_int64(np.array([-3, 2**62, -3], dtype=np.int64))[0].tolist()
    [0, 1, 0]
    """
    n = len(keys)
    if n == 0:
        return np.empty(0, dtype=code_dtype), np.empty(0, dtype=np.int64)
    low, high = int(keys.min()), int(keys.max())
    span = high - low + 1
    if span <= _DIRECT_MAX_SPAN and span <= _DIRECT_SPAN_PER_ROW * n + 1024:
        return _factorize_direct(keys, low, span, code_dtype)  # ascending by construction
    if low > _INT64_MIN:
        sentinel = _INT64_MIN
    elif high < _INT64_MAX:
        sentinel = _INT64_MAX
    else:  # both extremes are real ids: no free sentinel value
        codes, uniques = pd.factorize(keys, sort=sort)
        return np.asarray(codes, dtype=code_dtype), np.asarray(uniques, dtype=np.int64)
    codes, distinct = _factorize_hashed(keys, np.int64(sentinel), code_dtype)
    if sort:
        order = sort_order(distinct)
        rank = np.empty(distinct.size, dtype=np.intp)
        rank[order] = np.arange(distinct.size, dtype=np.intp)
        for start in range(0, n, CHUNK):
            stop = min(n, start + CHUNK)
            part = codes[start:stop].astype(np.intp, copy=False)
            codes[start:stop] = np.take(rank, part, mode="clip")
        distinct = distinct[order]
    return codes, distinct


def _factorize_direct(
    keys: NDArray[np.int64], low: int, span: int, code_dtype: Any
) -> tuple[NDArray[np.signedinteger[Any]], NDArray[np.int64]]:
    present = np.zeros(span, dtype=bool)
    n = len(keys)
    base = np.int64(low)
    for start in range(0, n, CHUNK):
        present[keys[start : start + CHUNK] - base] = True
    rank = np.cumsum(present, dtype=code_dtype)
    rank -= 1
    codes = np.empty(n, dtype=code_dtype)
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


#: One hash table slot: the key that won it and that key's code (one gather reads both).
_SLOT = np.dtype([("key", np.int64), ("code", np.int64)])


def _place(
    keys: NDArray[np.int64], bits: int, level: int, sentinel: np.int64, slots: NDArray[np.int64]
) -> NDArray[np.void]:
    """A table of (key, code) slots; each slot holds the last key that hashed to it.

    ``slots`` is a scratch buffer of at least ``min(len(keys), CHUNK)`` rows (the slots are
    recomputed when needed: cheaper than storing one int64 per row). Codes are left unset;
    :func:`_number` fills them once the winners are known.
    """
    table = np.empty(1 << bits, dtype=_SLOT)
    winners = table["key"]
    winners[:] = sentinel
    n = len(keys)
    for start in range(0, n, CHUNK):
        stop = min(n, start + CHUNK)
        part = slots[: stop - start]
        _slots(keys[start:stop], bits, level, part)
        winners[part] = keys[start:stop]  # last writer wins: one key per slot
    return table


def _number(table: NDArray[np.void], sentinel: np.int64, first: int) -> NDArray[np.int64]:
    """Number the occupied slots ``first, first + 1, …`` in slot order; return their keys."""
    filled = np.flatnonzero(table["key"] != sentinel)
    codes = table["code"]
    codes[:] = -1
    codes[filled] = np.arange(first, first + filled.size, dtype=np.int64)
    winners: NDArray[np.int64] = table["key"][filled]
    return winners


def _bits_for(count: int, load_log2: int = 2) -> int:
    """Table size (log2) holding ``count`` keys at a load of at most ``2**-load_log2``."""
    return max(6, math.ceil(math.log2(max(1, count))) + load_log2)


def _distinct_estimate(occupied: int, size: int, rows: int) -> float:
    """Distinct keys behind ``occupied`` of ``size`` slots (inverting size·(1 − e^(−d/size)))."""
    if occupied >= size:
        return float(rows)
    return min(float(rows), -size * math.log1p(-occupied / size))


def _sampled_distinct(keys: NDArray[np.int64]) -> float:
    """Estimate the distinct keys from a strided sample of about a million rows.

    Two estimates of the keys the sample missed, the larger wins: equal activity (``d`` solves
    ``d·(1 − e^(−m/d)) = seen`` for ``m`` sampled rows) and Chao's ``f1² / (2·f2)`` from the
    keys seen once and twice, which copes with heavy-tailed activity. Per-key counts come
    from a hashed bincount (rare hash collisions only blur them). Only a size hint: a wrong
    guess costs some speed, never a wrong answer.
    """
    n = len(keys)
    stride = max(1, n >> 20)
    sample = np.ascontiguousarray(keys[::stride])
    m = len(sample)
    bits = max(10, min(22, (m - 1).bit_length() + 2))  # counts ≤ 32 MiB
    hashed = np.empty(m, dtype=np.int64)
    _slots(sample, bits, 0, hashed)
    counts = np.bincount(hashed, minlength=1 << bits)
    occupied = int(np.count_nonzero(counts))
    seen = _distinct_estimate(occupied, 1 << bits, m)  # corrects for hash collisions
    if stride == 1:
        return seen
    if seen >= 0.98 * m:  # (almost) no key seen twice: about as many keys as rows
        return float(n)
    low, high = seen, float(n)
    for _ in range(60):  # bisection: d·(1 − e^(−m/d)) increases with d
        middle = (low + high) / 2
        if -middle * math.expm1(-m / middle) < seen:
            low = middle
        else:
            high = middle
    once = int(np.count_nonzero(counts == 1))
    twice = int(np.count_nonzero(counts == 2))
    chao = occupied + (once * once / (2 * twice) if twice else float(n))
    return min(float(n), max(high, chao))


def _factorize_hashed(
    keys: NDArray[np.int64], sentinel: np.int64, code_dtype: Any = np.intp
) -> tuple[NDArray[np.signedinteger[Any]], NDArray[np.int64]]:
    """Codes in the kernel's own order and the distinct keys in that order."""
    n = len(keys)
    codes = np.empty(n, dtype=code_dtype)
    slots = np.empty(min(n, CHUNK), dtype=np.int64)  # scratch: one chunk's slots
    # Size the table from a sampled estimate; the occupancy tells if it was wrong.
    bits = min(_bits_for(int(_sampled_distinct(keys)) + 1, _FIRST_LOAD_LOG2), 32)
    table = _place(keys, bits, 0, sentinel, slots)
    occupied = int(np.count_nonzero(table["key"] != sentinel))
    distinct = _distinct_estimate(occupied, len(table), n)
    if distinct > len(table) * _MAX_LOAD:
        bits = min(_bits_for(int(distinct) + 1, _FIRST_LOAD_LOG2), 32)
        table = _place(keys, bits, 0, sentinel, slots)
        occupied = int(np.count_nonzero(table["key"] != sentinel))
        distinct = _distinct_estimate(occupied, len(table), n)
    parts = [_number(table, sentinel, 0)]
    numbered = parts[0].size
    lost_parts = []
    for start in range(0, n, CHUNK):
        stop = min(n, start + CHUNK)
        part = slots[: stop - start]
        _slots(keys[start:stop], bits, 0, part)  # the same slots as in _place
        pairs = table[part]  # one gather brings the winner key and its code
        codes[start:stop] = pairs["code"]
        lost = np.flatnonzero(pairs["key"] != keys[start:stop])
        if lost.size:
            lost_parts.append(lost + start)
    pending = np.concatenate(lost_parts) if lost_parts else np.empty(0, dtype=np.intp)
    rows_per_key = n / max(distinct, 1.0)
    level = 1
    while pending.size:
        sub = keys[pending]
        if level == len(_MULTIPLIERS):  # pathological keys: let pandas finish the last few
            sub_codes, sub_uniques = pd.factorize(sub, sort=False)
            codes[pending] = np.asarray(sub_codes, dtype=np.int64) + numbered
            parts.append(np.asarray(sub_uniques, dtype=np.int64))
            break
        # the keys that lost are a sample of all keys: about as many rows each
        expected = max(1, math.ceil(sub.size / rows_per_key))
        sub_bits = _bits_for(min(sub.size, expected))
        sub_slots = np.empty(sub.size, dtype=np.int64)
        table = _place(sub, sub_bits, level, sentinel, sub_slots)
        _slots(sub, sub_bits, level, sub_slots)  # all of them (_place kept one chunk's)
        parts.append(_number(table, sentinel, numbered))
        numbered += parts[-1].size
        still_lost = []
        for start in range(0, sub.size, CHUNK):  # chunks: no table-sized gather at once
            stop = min(sub.size, start + CHUNK)
            pairs = table[sub_slots[start:stop]]
            codes[pending[start:stop]] = pairs["code"]
            still_lost.append(pending[start:stop][pairs["key"] != sub[start:stop]])
        pending = np.concatenate(still_lost)
        level += 1
    return codes, np.concatenate(parts)


def group_count(codes: NDArray[np.signedinteger[Any]], n_groups: int) -> NDArray[np.int64]:
    """Rows per group; codes equal to ``n_groups`` (the trash group) are not counted.

    Narrow codes are widened one chunk at a time (``np.bincount`` would copy them whole); a
    chunk holds at least four rows per group, so the per-chunk count arrays stay a fraction
    of the work. With many groups (per-chunk counts above ``_COUNT_CHUNK_MAX_GROUPS``) one
    widening copy is cheaper than re-allocating group-sized counts per chunk.

    >>> group_count(np.array([0, 2, 2, 3], dtype=np.int32), 3).tolist()
    [1, 0, 2]
    """
    if codes.dtype == np.intp or n_groups > _COUNT_CHUNK_MAX_GROUPS:
        counts = np.bincount(codes.astype(np.intp, copy=False), minlength=n_groups + 1)
    else:
        counts = np.zeros(n_groups + 1, dtype=np.intp)
        step = max(CHUNK, 4 * n_groups)
        for start in range(0, len(codes), step):
            part = codes[start : start + step].astype(np.intp)
            counts += np.bincount(part, minlength=n_groups + 1)
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
