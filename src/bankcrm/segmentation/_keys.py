"""Helpers on int64 key arrays: a fast sort order and a sampled estimate of distinct keys.

>>> import numpy as np
>>> sort_order(np.array([900, 5, 900, 70], dtype=np.int64)).tolist()
[1, 3, 0, 2]
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["estimate_distinct", "sort_order"]

# Odd 64-bit multiplier of the sample's hash (2**64/φ: well mixed even for sequential ids).
_MULTIPLIER = 0x9E3779B97F4A7C15


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


def _slots(keys: NDArray[np.int64], bits: int, out: NDArray[np.int64]) -> None:
    """Write the hash slot (top ``bits`` bits of key × multiplier) of each key into ``out``."""
    unsigned = out.view(np.uint64)
    np.multiply(keys.view(np.uint64), np.uint64(_MULTIPLIER), out=unsigned)
    np.right_shift(unsigned, np.uint64(64 - bits), out=unsigned)


def _distinct_estimate(occupied: int, size: int, rows: int) -> float:
    """Distinct keys behind ``occupied`` of ``size`` slots (inverting size·(1 − e^(−d/size)))."""
    if occupied >= size:
        return float(rows)
    return min(float(rows), -size * math.log1p(-occupied / size))


def estimate_distinct(keys: NDArray[np.int64]) -> float:
    """Estimate the distinct keys from a strided sample of about a million rows.

    Two estimates of the keys the sample missed, the larger wins: equal activity (``d`` solves
    ``d·(1 − e^(−m/d)) = seen`` for ``m`` sampled rows) and the bias-corrected Chao1,
    ``f1·(f1 − 1) / (2·(f2 + 1))`` from the keys seen once and twice, which copes with
    heavy-tailed activity. Per-key counts come
    from a hashed bincount (rare hash collisions only blur them). Only a size hint: a wrong
    guess costs some speed, never a wrong answer.
    """
    n = len(keys)
    stride = max(1, n >> 20)
    sample = np.ascontiguousarray(keys[::stride])
    m = len(sample)
    bits = max(10, min(22, (m - 1).bit_length() + 2))  # counts ≤ 32 MiB
    hashed = np.empty(m, dtype=np.int64)
    _slots(sample, bits, hashed)
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
    chao = occupied + once * (once - 1) / (2 * (twice + 1))  # bias-corrected Chao1
    return min(float(n), max(high, chao))
