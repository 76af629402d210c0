"""Inputs are never mutated, and results never share memory with them.

Copy-on-write protects pandas objects from each other, but not a numpy array the caller still
holds: a Series or DataFrame built with ``copy=False`` is a view of it. These properties hand
every array-taking entry point such views and check that the caller's arrays are untouched, and
that writing into a result never reaches back into the input.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st
from numpy.typing import NDArray

from bankcrm.errors import BankCRMError
from bankcrm.frames import Column, FrameSchema, validate_frame
from bankcrm.money import FxRates, compare_ratios, to_fen, to_millionths, to_rmb_fen

ints = st.lists(st.integers(-(10**12), 10**12), min_size=1, max_size=12)
floats = st.lists(st.one_of(st.floats(-1e9, 1e9), st.just(np.nan)), min_size=1, max_size=12)
units = st.lists(st.sampled_from([0.0, 0.25, 0.5, 1.0, 0.123456, 1.5, np.nan]), min_size=1)


def _as_input(array: NDArray[Any], form: str) -> Any:
    """The caller's array, or a pandas view of it (no copy), as a user might pass it."""
    if form == "series":
        return pd.Series(array, copy=False)
    return array


forms = st.sampled_from(["array", "series"])


def _writable_results(result: Any) -> list[NDArray[Any]]:
    if isinstance(result, np.ndarray):
        return [result]
    if isinstance(result, pd.DataFrame):
        return [result[c].to_numpy() for c in result.columns]
    return []


def _check(
    arrays: list[NDArray[Any]], call: Callable[[], Any], *, results_too: bool = True
) -> None:
    before = [a.copy() for a in arrays]
    with contextlib.suppress(BankCRMError):
        result = call()
        if results_too:
            for out in _writable_results(result):
                for array in arrays:
                    assert not np.shares_memory(out, array)
    for array, copy in zip(arrays, before, strict=True):
        np.testing.assert_array_equal(array, copy)


@given(floats, forms)
def test_to_fen_leaves_float_arrays_alone(values: list[float], form: str) -> None:
    array = np.asarray(values, dtype=np.float64)
    _check([array], lambda: to_fen(_as_input(array, form)))


@given(ints, forms, st.sampled_from([np.int64, np.int32, np.uint64]))
def test_to_fen_leaves_int_arrays_alone(values: list[int], form: str, dtype: Any) -> None:
    array = np.abs(np.asarray(values)).astype(dtype)
    _check([array], lambda: to_fen(_as_input(array, form)))


@given(units, forms, st.sampled_from(["exact", "half_up"]))
def test_to_millionths_leaves_arrays_alone(values: list[float], form: str, rounding: Any) -> None:
    array = np.asarray(values, dtype=np.float64)
    _check([array], lambda: to_millionths(_as_input(array, form), rounding=rounding))


@given(ints, forms)
def test_compare_ratios_leaves_arrays_alone(values: list[int], form: str) -> None:
    numerators = np.asarray(values, dtype=np.int64)
    denominators = np.abs(numerators) + 1
    _check(
        [numerators, denominators],
        lambda: compare_ratios(
            _as_input(numerators, form), _as_input(denominators, form), "15%", "<="
        ),
    )


@given(ints, forms, st.sampled_from(["USD", "CNY"]))
def test_to_rmb_fen_leaves_arrays_alone(
    usd_rates: FxRates, values: list[int], form: str, currency: str
) -> None:
    fen = np.asarray(values, dtype=np.int64)
    days = np.full(len(fen), np.datetime64("2026-01-05"), dtype="datetime64[D]")
    _check([fen, days], lambda: to_rmb_fen(_as_input(fen, form), currency, days, usd_rates))


SCHEMA = FrameSchema(
    "views",
    [
        Column("n", "int"),
        Column("x", "float", nullable=True),
        Column("flag", "bool"),
        Column("day", "date"),
        Column("fen", "money", coerce=False),
        Column("yuan", "money"),
        Column("share", "share", nullable=True),
    ],
)


@given(ints, st.booleans())
def test_validate_frame_leaves_the_arrays_behind_a_frame_alone(
    values: list[int], nulls: bool
) -> None:
    n = len(values)
    arrays: dict[str, NDArray[Any]] = {
        "n": np.asarray(values, dtype=np.int64),
        "x": np.where((np.arange(n) % 2 == 0) & nulls, np.nan, 1.5),
        "flag": np.arange(n) % 2 == 0,
        "day": np.full(n, np.datetime64("2026-01-04"), dtype="datetime64[us]"),
        "fen": np.asarray(values, dtype=np.int64),
        "yuan": np.asarray(values, dtype=np.float64) / 100,
        "share": np.linspace(0, 1, n).round(6),
    }
    frame = pd.DataFrame(arrays, copy=False)
    _check(list(arrays.values()), lambda: validate_frame(frame, SCHEMA))
    out = validate_frame(frame, SCHEMA)
    out.loc[out.index[0], "n"] = -1
    out.loc[out.index[0], "fen"] = -1
    assert arrays["n"][0] == values[0]
    assert arrays["fen"][0] == values[0]
