"""The compiled hash aggregate behind rfm_features, checked against a plain pandas reference.

Every path of the driver is forced on small inputs: several threads, a table that starts
too small and grows, position buffers that fill after one row, floats that need the exact
decimal path, and keys anywhere in the int64 range.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bankcrm.errors import InputError
from bankcrm.money import to_fen
from bankcrm.segmentation import _aggregate
from bankcrm.segmentation._aggregate import aggregate, estimate_distinct, thread_count
from bankcrm.segmentation._kernels import COUNTED, NO_DAY, REGISTER, SKIP
from bankcrm.segmentation._keys import sort_order

_KEYS = st.one_of(
    st.integers(-(2**63), 2**63 - 1),  # anywhere, the extremes included
    st.integers(0, 6),  # many rows per key
)
# amounts in yuan: whole fen, half fen (the exact decimal path), reversals, zero
_AMOUNTS = st.one_of(
    st.integers(-(10**6), 10**8).map(lambda fen: fen / 100),
    st.integers(-(10**5), 10**5).map(lambda fen: (fen + 0.5) / 100),
    st.sampled_from([0.0, -0.0, 2.675, 1.005, -2.5e-3, 0.1 + 0.2]),
)
_ROW = st.tuples(_KEYS, st.integers(-40_000, 40_000), _AMOUNTS, st.sampled_from([0, 0, 0, 1, 2]))


def _reference(
    keys: np.ndarray[Any, Any],
    days: np.ndarray[Any, Any],
    floats: np.ndarray[Any, Any],
    state: np.ndarray[Any, Any],
    net: bool,
) -> tuple[pd.DataFrame, list[int]]:
    fen = to_fen(floats) if len(floats) else np.empty(0, dtype=np.int64)
    frame = pd.DataFrame({"key": keys, "day": days, "fen": fen, "state": state})
    registered = frame[frame["state"] != SKIP]
    rows = frame[frame["state"] == COUNTED]
    counted = rows[rows["fen"] >= 0]
    netted = rows if net else counted
    out = pd.DataFrame(index=pd.Index(np.unique(registered["key"].to_numpy()), dtype=np.int64))
    out["total"] = netted.groupby("key")["fen"].sum().reindex(out.index, fill_value=0)
    out["count"] = counted.groupby("key").size().reindex(out.index, fill_value=0)
    out["last"] = counted.groupby("key")["day"].max().reindex(out.index, fill_value=NO_DAY)
    negatives = np.flatnonzero((frame["state"] == COUNTED) & (frame["fen"] < 0)).tolist()
    return out, negatives


@given(
    st.lists(_ROW, max_size=80),
    st.sampled_from([1, 2, 4]),
    st.booleans(),
    st.sampled_from([1, 3, 1 << 16]),
    st.sampled_from([1.0, None]),
)
def test_aggregate_matches_a_pandas_reference(
    rows: list[tuple[int, int, float, int]],
    threads: int,
    net: bool,
    buffer: int,
    hint: float | None,
) -> None:
    keys = np.array([r[0] for r in rows], dtype=np.int64)
    days = np.array([r[1] for r in rows], dtype=np.int64)
    floats = np.array([r[2] for r in rows], dtype=np.float64)
    state = np.array([r[3] for r in rows], dtype=np.int8)
    stamps = days * 86_400  # seconds; days before 1970 floor correctly
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_aggregate, "_BUFFER", buffer)  # buffers fill, drain and resume
        if hint is not None:  # a table far too small: it grows, maybe several times
            patch.setattr(_aggregate, "estimate_distinct", lambda keys, parts: hint)
        result = aggregate(
            keys,
            stamps,
            86_400,
            floats=floats,
            state=state,
            net_negatives=net,
            exact_fen=lambda at: to_fen(floats[at]),
            threads=threads,
        )
    expected, negatives = _reference(keys, days, floats, state, net)
    assert result.keys.tolist() == expected.index.tolist()
    assert result.total.tolist() == expected["total"].tolist()
    assert result.count.tolist() == expected["count"].tolist()
    assert result.last.tolist() == expected["last"].tolist()
    assert result.negatives.tolist() == negatives


@given(st.lists(st.tuples(_KEYS, st.integers(-(10**9), 10**9)), max_size=60), st.booleans())
def test_fen_amounts_and_count_only(rows: list[tuple[int, int]], count_only: bool) -> None:
    keys = np.array([r[0] for r in rows], dtype=np.int64)
    fen = np.array([r[1] for r in rows], dtype=np.int64)
    stamps = np.zeros(len(rows), dtype=np.int64)
    result = aggregate(keys, stamps, 1, fen=None if count_only else fen)
    frame = pd.DataFrame({"key": keys, "fen": 0 if count_only else fen})
    kept = frame[frame["fen"] >= 0]
    unique = np.unique(keys)
    assert result.keys.tolist() == unique.tolist()
    sums = kept.groupby("key")["fen"].sum().reindex(unique, fill_value=0)
    assert result.total.tolist() == sums.tolist()
    assert result.negatives.tolist() == np.flatnonzero(frame["fen"] < 0).tolist()


@given(
    st.lists(_KEYS, min_size=1, max_size=60), st.lists(_KEYS, max_size=20), st.sampled_from([1, 2])
)
def test_codes_of_finds_each_entry(keys: list[int], probes: list[int], threads: int) -> None:
    array = np.array(keys, dtype=np.int64)
    result = aggregate(array, np.zeros(len(keys), dtype=np.int64), 1, threads=threads)
    asked = np.array(keys + probes, dtype=np.int64)
    codes = result.codes_of(asked, np.arange(len(asked)))
    for key, code in zip(asked.tolist(), codes.tolist(), strict=True):
        if key in keys:
            assert result.keys[code] == key
        else:
            assert code == -1


def test_registered_rows_keep_the_customer_without_counting() -> None:
    keys = np.array([5, 5, 9, 7], dtype=np.int64)
    state = np.array([REGISTER, COUNTED, REGISTER, SKIP], dtype=np.int8)
    result = aggregate(
        keys, np.array([10, 3, 4, 8]), 1, fen=np.array([700, 100, 900, 50]), state=state
    )
    assert result.keys.tolist() == [5, 9]  # 7 only has a skipped row
    assert result.total.tolist() == [100, 0]
    assert result.count.tolist() == [1, 0]
    assert result.last.tolist() == [3, NO_DAY]


def test_a_total_beyond_int64_is_an_error_naming_the_column() -> None:
    fen = np.array([2**62, 2**62], dtype=np.int64)
    with pytest.raises(InputError, match="int64") as caught:
        aggregate(np.array([1, 1], dtype=np.int64), np.zeros(2, dtype=np.int64), 1, fen=fen,
                  column="amt")  # fmt: skip
    assert caught.value.column == "amt"


def test_large_input_uses_threads_and_agrees_with_one_thread() -> None:
    rng = np.random.default_rng(3)
    ids = rng.choice(10**12, size=20_000, replace=False)[rng.integers(0, 20_000, 300_000)]
    floats = np.round(rng.normal(100, 80, len(ids)), 2)
    stamps = rng.integers(0, 400, len(ids)).astype(np.int64)
    one = aggregate(
        ids, stamps, 1, floats=floats, threads=1, exact_fen=lambda at: to_fen(floats[at])
    )
    many = aggregate(ids, stamps, 1, floats=floats, exact_fen=lambda at: to_fen(floats[at]))
    for name in ("keys", "total", "count", "last", "negatives"):
        assert np.array_equal(getattr(one, name), getattr(many, name))
    assert len(one.keys) == len(np.unique(ids))


def test_thread_count_is_a_power_of_two() -> None:
    assert thread_count(0) == 1
    count = thread_count(10**8)
    assert count >= 1
    assert count & (count - 1) == 0


@given(st.lists(st.integers(-(2**63), 2**63 - 1), max_size=200), st.booleans())
def test_sort_order_matches_a_stable_argsort(keys: list[int], narrow: bool) -> None:
    array = np.asarray(keys, dtype=np.int64)
    if narrow:  # the packed path: small range
        array = array % 1000
    assert sort_order(array).tolist() == np.argsort(array, kind="stable").tolist()


@pytest.mark.parametrize(
    ("distinct", "rows", "ordered"),
    [(50_000, 3_000_000, False), (1_000, 10_000, False), (3_000_000, 3_000_000, False),
     (200_000, 2_000_000, True), (7, 100, False)],
)  # fmt: skip
@pytest.mark.parametrize("parts", [1, 2])
def test_estimate_distinct_is_within_a_few_per_cent(
    distinct: int, rows: int, ordered: bool, parts: int
) -> None:
    rng = np.random.default_rng(4)
    ids = rng.choice(10**12, size=distinct, replace=False)[rng.integers(0, distinct, rows)]
    if ordered:  # an extract sorted by customer: a strided sample would see a key per row
        ids = np.sort(ids)
    truth = len(np.unique(ids))
    estimate = estimate_distinct(ids.astype(np.int64), parts)
    assert abs(estimate - truth) <= 0.05 * truth + 1


def test_the_kernels_bound_on_fen_is_the_librarys() -> None:
    from bankcrm.money import MAX_ABS_FEN
    from bankcrm.segmentation import _kernels

    assert _kernels._LIMIT_FEN == MAX_ABS_FEN


@given(st.lists(st.text(max_size=6), max_size=60))
def test_sort_order_of_text_matches_python(texts: list[str]) -> None:
    # Arrow's order (by UTF-8 bytes) must be Python's (by code point), ties in input order
    array = np.array(texts, dtype=object)
    expected = sorted(range(len(texts)), key=lambda i: texts[i])
    assert sort_order(array).tolist() == expected
