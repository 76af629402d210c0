"""Per-customer sums, counts and last days in one pass over the rows, on up to a few threads.

:func:`aggregate` drives the compiled loops of :mod:`bankcrm.segmentation._kernels`: it sizes
the hash tables from a HyperLogLog estimate of the distinct keys, grows them when that was
low, drains the position buffers (rows with a negative amount, rows whose float amount
needs the exact decimal path) and resumes, then hands back one entry per customer, sorted by
key. The rows are split between threads by the top bits of the key's hash, so each thread
owns whole customers and its own table; the result is the same for any number of threads.

>>> import numpy as np
>>> keys = np.array([30, 10, 30, 20], dtype=np.int64)
>>> stamps = np.array([5, 9, 7, 1], dtype=np.int64)  # day numbers (per_day=1)
>>> result = aggregate(keys, stamps, 1, floats=np.array([1.5, 2.0, -0.5, 0.25]))
>>> result.keys.tolist(), result.total.tolist(), result.count.tolist(), result.last.tolist()
([10, 20, 30], [200, 25, 150], [1, 1, 1], [9, 1, 5])
>>> result.negatives.tolist()  # row 2: a reversal, left out of all three figures
[2]
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import attrs
import numpy as np
from numpy.typing import NDArray

from bankcrm.errors import InputError
from bankcrm.segmentation import _kernels

__all__ = ["Aggregate", "aggregate", "thread_count"]

# Tables start at a load of at most _START_LOAD of the estimate and grow (doubling) once
# they reach _MAX_LOAD: linear probing stays short below that.
_START_LOAD = 0.6
_MAX_LOAD = 0.75
_MIN_BITS = 6
# However many keys the sketch sees, start no larger than this (2 GiB a table).
_MAX_START_BITS = 26
# Rows per position buffer before the loop hands them back (a few per cent of rows usually).
_BUFFER = 1 << 16
# Below this many rows one thread does it all (starting a second costs more than it saves).
_THREADED_ROWS = 1 << 18
_MAX_THREADS = 8

_EMPTY_FLOATS = np.empty(0, dtype=np.float64)
_EMPTY_INTS = np.empty(0, dtype=np.int64)
_EMPTY_STATE = np.empty(0, dtype=np.int8)

ExactFen = Callable[[NDArray[np.intp]], NDArray[np.int64]]

# HyperLogLog registers: 2**14 of them estimate the distinct keys within about 1 %.
_SKETCH_BITS = 14


def estimate_distinct(keys: NDArray[np.int64], parts: int = 1) -> float:
    """Distinct keys, estimated by a HyperLogLog sketch of every key (one pass, ``parts``
    threads): it sizes the tables so that they rarely need to grow.

    >>> round(estimate_distinct(np.arange(100_000, dtype=np.int64) % 30_000), -3)
    30000.0
    """
    m = 1 << _SKETCH_BITS
    n = len(keys)
    sketches = np.zeros((parts, m), dtype=np.uint8)
    bounds = [n * part // parts for part in range(parts + 1)]

    def run(part: int) -> None:
        _kernels.sketch_keys(keys, bounds[part], bounds[part + 1], sketches[part], _SKETCH_BITS)

    _run_parts(run, parts)
    registers = sketches.max(axis=0)
    alpha = 0.7213 / (1 + 1.079 / m)
    raw = alpha * m * m / float(np.sum(np.ldexp(1.0, -registers.astype(np.int64))))
    empty = int(np.count_nonzero(registers == 0))
    if raw <= 2.5 * m and empty:  # small counts: linear counting is the better estimate
        return m * math.log(m / empty)
    return raw


def thread_count(n_rows: int) -> int:
    """Threads used for ``n_rows`` rows: a power of two up to the usable cores (at most 8).

    >>> thread_count(10)
    1
    """
    if n_rows < _THREADED_ROWS:
        return 1
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        cores = os.cpu_count() or 1
    usable = max(1, min(cores, _MAX_THREADS))
    return 1 << (usable.bit_length() - 1)


@attrs.frozen(eq=False)
class _Part:
    """One thread's share: its table and what its rows left in the position buffers."""

    table: NDArray[np.int64]
    bits: int
    filled: int
    near: NDArray[np.int64]
    negatives: NDArray[np.int64]
    overflow: bool


@attrs.frozen(eq=False)
class Aggregate:
    """One entry per customer (ascending ``keys``) and the rows with a negative amount.

    Attributes:
        keys: the customer keys, ascending.
        total: exact sum of the counted amounts in fen (negatives included when netted).
        count: counted rows (negative amounts never count).
        last: the last counted day, ``NO_DAY`` where there is none.
        negatives: positions of the rows with a negative amount, ascending.
    """

    keys: NDArray[np.int64]
    total: NDArray[np.int64]
    count: NDArray[np.int64]
    last: NDArray[np.int64]
    negatives: NDArray[np.intp]
    _parts: tuple[_Part, ...]
    _part_bits: int

    def codes_of(self, keys: NDArray[np.int64], rows: NDArray[np.intp]) -> NDArray[np.int64]:
        """The entry number of ``keys[rows]`` (−1 for a key that is not an entry)."""
        out = np.full(len(rows), -1, dtype=np.int64)
        entries = np.arange(len(self.keys))

        def run(part: int) -> None:
            piece = self._parts[part]
            args = (piece.table, piece.bits, part, self._part_bits)
            entry_slots = np.full(len(entries), -1, dtype=np.int64)
            _kernels.find_slots(self.keys, entries, *args, entry_slots)
            mine = entry_slots >= 0
            slot_index = np.full(len(piece.table), -1, dtype=np.int64)
            slot_index[entry_slots[mine]] = entries[mine]
            row_slots = np.full(len(rows), -1, dtype=np.int64)
            _kernels.find_slots(keys, rows, *args, row_slots)
            in_part = row_slots >= 0  # other parts' rows keep −1 here
            out[in_part] = slot_index[row_slots[in_part]]

        _run_parts(run, len(self._parts))
        return out


def aggregate(
    keys: NDArray[np.int64],
    stamps: NDArray[np.int64],
    per_day: int,
    *,
    floats: NDArray[np.float64] | None = None,
    fen: NDArray[np.int64] | None = None,
    state: NDArray[np.int8] | None = None,
    net_negatives: bool = False,
    exact_fen: ExactFen | None = None,
    column: str = "amount",
    threads: int | None = None,
) -> Aggregate:
    """Sum, count and last day (``stamps // per_day``) per key over the counted rows.

    Args:
        keys: int64 customer keys, one per row.
        stamps: int64 time stamps; ``stamps // per_day`` is the row's day.
        per_day: stamps per day.
        floats: amounts in yuan (converted to fen by the library's rule), or ``None``.
        fen: amounts already in fen, used when ``floats`` is ``None``; with neither, rows
            only count.
        state: per-row ``COUNTED`` / ``REGISTER`` / ``SKIP`` (``None``: all counted).
        net_negatives: add negative amounts to the total (they never count).
        exact_fen: fen of the float rows at these positions by the exact decimal rule (the
            few whose value lies within rounding noise of half a fen); it may raise.
        column: the amount column, for the error when a total overflows.
        threads: a power of two; default :func:`thread_count`.
    """
    n = len(keys)
    keys = np.ascontiguousarray(keys, dtype=np.int64)  # one compiled signature for all
    stamps = np.ascontiguousarray(stamps, dtype=np.int64)
    parts = thread_count(n) if threads is None else threads
    part_bits = parts.bit_length() - 1
    expected = estimate_distinct(keys, parts) / parts if n else 0.0
    bits = math.ceil(math.log2(max(expected, 1.0) / _START_LOAD))
    bits = min(max(_MIN_BITS, bits), _MAX_START_BITS)
    floats_in = _EMPTY_FLOATS if floats is None else np.ascontiguousarray(floats)
    fen_in = _EMPTY_INTS if fen is None or floats is not None else np.ascontiguousarray(fen)
    state_in = _EMPTY_STATE if state is None else np.ascontiguousarray(state)

    def run(part: int) -> _Part:
        return _aggregate_part(
            keys, stamps, per_day, floats_in, fen_in, state_in, part, part_bits, bits,
            net_negatives,
        )  # fmt: skip

    pieces = _run_parts(run, parts)
    negatives = [p.negatives for p in pieces]
    near = np.sort(np.concatenate([p.near for p in pieces]))
    if near.size:
        if exact_fen is None:  # pragma: no cover - callers with floats pass it
            raise AssertionError("float amounts need exact_fen")
        exact = exact_fen(near.astype(np.intp))
        pieces, near_negatives = _add_exact_rows(
            pieces, keys[near], stamps[near], per_day, exact, part_bits, net_negatives
        )
        negatives += [near[rows] for rows in near_negatives]
    if any(p.overflow for p in pieces):
        raise InputError(
            f"column {column!r}: a customer's total leaves the int64 range of fen",
            column=column,
            rule="range",
        )
    return _collect(pieces, part_bits, np.sort(np.concatenate(negatives)).astype(np.intp))


def _add_exact_rows(
    pieces: list[_Part],
    keys: NDArray[np.int64],
    stamps: NDArray[np.int64],
    per_day: int,
    fen: NDArray[np.int64],
    part_bits: int,
    net_negatives: bool,
) -> tuple[list[_Part], list[NDArray[np.int64]]]:
    """Aggregate the rows set aside for the exact decimal path into the existing tables.

    Returns the updated parts and, per part, which of these rows had a negative amount.
    """
    updated, negatives = [], []
    for part, old in enumerate(pieces):
        new = _aggregate_part(
            keys, stamps, per_day, _EMPTY_FLOATS, fen, _EMPTY_STATE, part, part_bits, old.bits,
            net_negatives, tables=pieces,
        )  # fmt: skip
        overflow = old.overflow or new.overflow
        updated.append(
            attrs.evolve(old, table=new.table, bits=new.bits, filled=new.filled, overflow=overflow)
        )
        negatives.append(new.negatives)
    return updated, negatives


def _run_parts(run: Callable[[int], Any], parts: int) -> list[Any]:
    if parts == 1:
        return [run(0)]
    with ThreadPoolExecutor(max_workers=parts) as pool:
        return list(pool.map(run, range(parts)))


def _new_table(bits: int) -> NDArray[np.int64]:
    table = np.empty((1 << bits, 4), dtype=np.int64)
    table[:, _kernels.COUNT] = _kernels.FREE
    return table


def _aggregate_part(
    keys: NDArray[np.int64],
    stamps: NDArray[np.int64],
    per_day: int,
    floats: NDArray[np.float64],
    fen: NDArray[np.int64],
    state: NDArray[np.int8],
    part: int,
    part_bits: int,
    bits: int,
    net_negatives: bool,
    tables: list[_Part] | None = None,
) -> _Part:
    """Run the loop over all rows for one part, growing its table and draining its buffers."""
    if tables is not None:
        table, bits, filled = tables[part].table, tables[part].bits, tables[part].filled
    else:
        table, filled = _new_table(bits), 0
    near_buffer = np.empty(_BUFFER, dtype=np.int64)
    negative_buffer = np.empty(_BUFFER, dtype=np.int64)
    near: list[NDArray[np.int64]] = []
    negatives: list[NDArray[np.int64]] = []
    overflow = False
    start, n = 0, len(keys)
    while True:
        max_filled = int(_MAX_LOAD * (1 << bits))
        start, filled, n_near, n_negatives, spilled = _kernels.aggregate_rows(
            keys, stamps, per_day, floats, fen, state, table, bits, part, part_bits, start,
            filled, max_filled, net_negatives, near_buffer, negative_buffer,
        )  # fmt: skip
        overflow = overflow or bool(spilled)
        near.append(near_buffer[:n_near].copy())
        negatives.append(negative_buffer[:n_negatives].copy())
        if start >= n:
            break
        if filled >= max_filled:
            grown = _new_table(bits + 1)
            _kernels.rehash(table, grown, bits + 1, part_bits)
            table, bits = grown, bits + 1
    return _Part(table, bits, filled, np.concatenate(near), np.concatenate(negatives), overflow)


def _collect(pieces: list[_Part], part_bits: int, negatives: NDArray[np.intp]) -> Aggregate:
    """Every table's entries, sorted by key: each part lists and sorts its keys on its own
    thread (numpy's sort releases the GIL), then one pass merges the sorted runs and reads
    each entry's figures from its table."""
    bounds = np.cumsum([0] + [p.filled for p in pieces])
    keys = np.empty(bounds[-1], dtype=np.int64)
    slots = np.empty(bounds[-1], dtype=np.int64)

    def sort_part(part: int) -> None:
        run = slice(bounds[part], bounds[part + 1])
        table, bits = pieces[part].table, pieces[part].bits
        low, high = _kernels.key_range(table)
        if (int(high) - int(low)).bit_length() + bits <= 63:  # the usual case
            _kernels.pack_entries(table, bits, low, slots[run])
            slots[run].sort()  # in place
            _kernels.unpack_entries(slots[run], bits, low, keys[run])
        else:  # keys spread over most of the int64 range
            _kernels.compact_keys(table, keys[run], slots[run])
            order = np.argsort(keys[run], kind="stable")
            keys[run] = keys[run][order]
            slots[run] = slots[run][order]

    _run_parts(sort_part, len(pieces))
    figures = [np.empty(len(keys), dtype=np.int64) for _ in range(4)]
    tables = tuple(p.table for p in pieces)
    _kernels.merge_runs(keys, slots, bounds, tables, *figures)
    sorted_keys, total, count, last = figures
    return Aggregate(sorted_keys, total, count, last, negatives, tuple(pieces), part_bits)
