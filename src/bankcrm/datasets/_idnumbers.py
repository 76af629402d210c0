"""Vectorised resident-id style numbers (GB 11643 bodies and their check characters).

The check character depends only on the weighted digit sum modulo 11, so the lookup table of the
eleven possible characters is read off :func:`bankcrm.identity.checksums.ric_check_char` itself
(the one truth); the weighted sum over millions of bodies is numpy arithmetic.

>>> ric_numbers(np.array([11010519491231002], dtype=np.int64)).tolist()
['11010519491231002X']
>>> legacy_numbers(np.array([11010519491231002], dtype=np.int64)).tolist()
['110105491231002']
"""

from __future__ import annotations

import functools

import numpy as np
import numpy.typing as npt

from bankcrm.identity.checksums import RIC_WEIGHTS, ric_check_char

__all__ = ["body", "legacy_numbers", "ric_check_chars", "ric_numbers"]

IntArray = npt.NDArray[np.int64]


@functools.cache
def _check_table() -> npt.NDArray[np.str_]:
    """Check character by weighted-sum remainder, each found by asking ``ric_check_char``."""
    table = [""] * 11
    for k in range(1000):
        probe = f"{k:017d}"
        remainder = sum(int(c) * w for c, w in zip(probe, RIC_WEIGHTS, strict=True)) % 11
        if not table[remainder]:
            table[remainder] = ric_check_char(probe)
        if all(table):
            break
    return np.array(table)


def body(region: IntArray, birth_ymd: IntArray, sequence: IntArray) -> IntArray:
    """17-digit bodies: 6-digit address code, ``YYYYMMDD`` birth date, 3-digit sequence."""
    return region * 100_000_000_000 + birth_ymd * 1_000 + sequence


def ric_check_chars(bodies: IntArray) -> npt.NDArray[np.str_]:
    """GB 11643 check characters of 17-digit integer bodies."""
    rest = bodies.copy()
    total = np.zeros(len(bodies), dtype=np.int64)
    for weight in reversed(RIC_WEIGHTS):  # last digit first
        total += (rest % 10) * weight
        rest //= 10
    remainder = total % 11
    table: npt.NDArray[np.str_] = _check_table()[remainder]
    return table


def ric_numbers(bodies: IntArray) -> npt.NDArray[np.str_]:
    """Complete 18-character numbers (body + check character)."""
    return np.strings.add(bodies.astype("U17"), ric_check_chars(bodies))


def legacy_numbers(bodies: IntArray) -> npt.NDArray[np.str_]:
    """The 15-digit form of 19xx bodies: century dropped from the birth date, no check char."""
    region = bodies // 100_000_000_000
    rest = bodies % 100_000_000_000  # YYYYMMDD + sequence
    return (region * 1_000_000_000 + rest % 1_000_000_000).astype("U15")
