"""The contract of ``docs/conventions.md``, checked over every public callable of bankcrm.

The registry (``contract_registry.py``) gives each public function and class an example call
and declares which rules apply to it; these tests walk it.
"""

from __future__ import annotations

import datetime as dt
import enum
import importlib
import inspect
import typing
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
from contract_imports import PUBLIC_MODULES
from contract_registry import REGISTRY, Example

from bankcrm.errors import InputError
from bankcrm.policy import read_provenance
from bankcrm.results import Result

#: Every public module whose ``__all__`` the registry must cover (with the test strategies).
MODULES = (*PUBLIC_MODULES, "bankcrm.testing.strategies")


def _needs_example(obj: Any) -> bool:
    """Functions and classes need an example; exceptions, enums, protocols, aliases do not."""
    if typing.get_origin(obj) is not None:  # Literal[...] and other aliases
        return False
    if inspect.isclass(obj):
        return not (
            issubclass(obj, BaseException | enum.Enum) or getattr(obj, "_is_protocol", False)
        )
    return callable(obj)


def public_callables() -> dict[str, Any]:
    """``{module.name: object}``, each object once, under the first module exporting it."""
    found: dict[str, Any] = {}
    seen: set[int] = set()
    for module_name in MODULES:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            obj = getattr(module, name)
            if id(obj) in seen or not _needs_example(obj):
                continue
            seen.add(id(obj))
            found[f"{module_name}.{name}"] = obj
    return found


def test_registry_covers_every_public_callable() -> None:
    public = public_callables()
    missing = sorted(set(public) - set(REGISTRY))
    assert missing == [], f"public callables without a registry example: {missing}"
    stale = sorted(set(REGISTRY) - set(public))
    assert stale == [], f"registry entries that are not public callables: {stale}"


def _run(example: Example, tmp_path: Path, **overrides: Any) -> Any:
    if "tmp_path" in inspect.signature(example.call).parameters:
        overrides["tmp_path"] = tmp_path
    return example.call(**overrides)


def _entries(predicate: Callable[[Example], bool]) -> list[Any]:
    return [
        pytest.param(name, example, id=name)
        for name, example in sorted(REGISTRY.items())
        if predicate(example)
    ]


@pytest.mark.parametrize(("name", "example"), _entries(lambda e: True))
def test_every_example_runs(name: str, example: Example, tmp_path: Path) -> None:
    result = _run(example, tmp_path)
    assert result is not None, f"{name}: the example returned nothing to check"


# ---------------------------------------------------------------- comparing results
def assert_same(left: Any, right: Any) -> None:
    """Equal results: frames by value (dtypes may differ by input backend), else ``==``."""
    if isinstance(left, pd.DataFrame):
        assert isinstance(right, pd.DataFrame)
        left, right = _same_date_kinds(left, right)
        pd.testing.assert_frame_equal(
            left.reset_index(drop=True),
            right.reset_index(drop=True),
            check_dtype=False,
            check_column_type=False,
            check_categorical=False,  # polars keeps only the categories in use
            check_like=True,  # row and column labels in any order
        )
    elif isinstance(left, pd.Series):
        pd.testing.assert_series_equal(left, right, check_dtype=False)
    elif isinstance(left, Result):
        assert type(left) is type(right)
        for (name, frame), (_, other) in zip(
            left.frames().items(), right.frames().items(), strict=True
        ):
            try:
                assert_same(frame, other)
            except AssertionError as exc:
                raise AssertionError(f"frame {name!r} differs: {exc}") from None
    elif isinstance(left, np.ndarray):
        np.testing.assert_array_equal(left, right)
    elif attrs.has(type(left)) and not isinstance(left, Result):
        assert type(left) is type(right)
        for field in attrs.fields(type(left)):
            assert_same(getattr(left, field.name), getattr(right, field.name))
    elif isinstance(left, tuple | list) and any(
        isinstance(v, pd.DataFrame | pd.Series) for v in left
    ):
        for a, b in zip(left, right, strict=True):
            assert_same(a, b)
    else:
        assert left == right


def _same_date_kinds(left: pd.DataFrame, right: pd.DataFrame) -> tuple[Any, Any]:
    """Date columns compared as ``datetime64[us]`` on both sides: pandas reads an Arrow date32
    as ``datetime.date`` objects, and units (s, us, ns) differ by reader, not by value."""
    left, right = left.copy(), right.copy()
    for name in left.columns.intersection(right.columns):
        if any(str(f[name].dtype).startswith("datetime64") for f in (left, right)):
            for frame in (left, right):
                if getattr(frame[name].dt, "tz", None) is None:
                    frame[name] = pd.to_datetime(frame[name]).astype("datetime64[us]")
    return left, right


# ---------------------------------------------------------------- rule 1: scalar dates
def _date_forms(day: dt.date) -> list[Any]:
    midnight = dt.datetime.combine(day, dt.time())
    return [day.isoformat(), pd.Timestamp(day), midnight, np.datetime64(day.isoformat())]


@pytest.mark.parametrize(("name", "example"), _entries(lambda e: bool(e.dates)))
def test_scalar_dates_follow_the_one_rule(name: str, example: Example, tmp_path: Path) -> None:
    params = inspect.signature(example.call).parameters
    for param in example.dates:
        day = params[param].default
        assert isinstance(day, dt.date), f"{name}: give {param} a date default"
        base = _run(example, tmp_path)
        for form in _date_forms(day):
            assert_same(_run(example, tmp_path, **{param: form}), base)
        timed = pd.Timestamp(day) + pd.Timedelta(hours=10, minutes=30)
        with pytest.raises(InputError) as info:
            _run(example, tmp_path, **{param: timed})
        assert info.value.rule == "date", f"{name}({param}=<time of day>): {info.value}"
        assert "time of day" in str(info.value)
        zoned = pd.Timestamp(day, tz="Asia/Shanghai")
        with pytest.raises(InputError) as info:
            _run(example, tmp_path, **{param: zoned})
        assert info.value.rule == "timezone", f"{name}({param}=<tz-aware>): {info.value}"


# ---------------------------------------------------------------- rule 3: inputs
def _arrow_table(frame: pd.DataFrame, decimals: tuple[str, ...]) -> pa.Table:
    columns = {}
    for name in frame.columns:
        values = frame[name]
        if name in decimals:
            exact = [None if pd.isna(v) else Decimal(str(v)) for v in values]
            columns[name] = pa.array(exact, pa.decimal128(20, 4))
        else:
            try:
                columns[name] = pa.array(values, from_pandas=True)
            except (pa.ArrowInvalid, pa.ArrowTypeError):  # mixed objects: as text
                columns[name] = pa.array(
                    [None if v is None or v is pd.NA else str(v) for v in values], pa.string()
                )
    return pa.table(columns)


def arrow_backed(frame: pd.DataFrame, decimals: tuple[str, ...]) -> pd.DataFrame:
    """The frame with Arrow-backed pandas dtypes (``decimal128`` for ``decimals``)."""
    plain: pd.DataFrame = _arrow_table(frame, decimals).to_pandas(types_mapper=pd.ArrowDtype)
    return plain


def _frame_entries() -> list[Any]:
    return _entries(lambda e: e.frame is not None)


def _comparable(frame: pd.DataFrame, decimals: tuple[str, ...]) -> pd.DataFrame:
    """The plain frame an Arrow round trip stands for (mixed object columns become text)."""
    plain: pd.DataFrame = _arrow_table(frame, decimals).to_pandas()
    return plain


@pytest.mark.parametrize(("name", "example"), _frame_entries())
def test_arrow_pyarrow_and_polars_inputs_give_the_same_answer(
    name: str, example: Example, tmp_path: Path
) -> None:
    assert example.frame_value is not None
    assert example.frame is not None
    frame = example.frame_value()
    table = _arrow_table(frame, example.decimals)
    base = _run(example, tmp_path, **{example.frame: table.to_pandas()})
    inputs = {
        "Arrow-backed pandas": table.to_pandas(types_mapper=pd.ArrowDtype),
        "pyarrow Table": table,
        "polars DataFrame": pl.from_arrow(table),
    }
    for label, value in inputs.items():
        try:
            assert_same(_run(example, tmp_path, **{example.frame: value}), base)
        except AssertionError as exc:
            raise AssertionError(f"{name} on a {label}: {exc}") from None


@pytest.mark.parametrize(("name", "example"), _frame_entries())
def test_malformed_frames_raise_named_errors(name: str, example: Example, tmp_path: Path) -> None:
    assert example.frame_value is not None
    assert example.frame is not None
    with pytest.raises(InputError) as info:
        _run(example, tmp_path, **{example.frame: [1, 2]})
    assert info.value.rule == "type"
    assert "list" in str(info.value)
    with pytest.raises(InputError) as info:
        _run(example, tmp_path, **{example.frame: pl.LazyFrame({"a": [1]})})
    assert "polars" in str(info.value)  # the type's module, not a bare "LazyFrame"
    if example.required is not None:
        frame = example.frame_value().drop(columns=[example.required])
        with pytest.raises(InputError) as info:
            _run(example, tmp_path, **{example.frame: frame})
        assert info.value.rule == "required"
        assert repr(example.required) in str(info.value)


# ---------------------------------------------------------------- rule 2: column roles
@pytest.mark.parametrize(("name", "example"), _entries(lambda e: bool(e.rename)))
def test_columns_by_role(name: str, example: Example, tmp_path: Path) -> None:
    assert example.frame_value is not None
    assert example.frame is not None
    frame = example.frame_value()
    base = _run(example, tmp_path, **{example.frame: frame})
    renamed = frame.rename(columns=dict(example.rename))
    columns: dict[str, Any] = dict(example.rename)
    if example.nested:
        columns = {example.frame: columns}
    out = _run(example, tmp_path, **{example.frame: renamed, "columns": columns})
    back = {new: old for old, new in example.rename.items()}
    if isinstance(out, Result):  # compare frame by frame, under the role names
        for (label, got), (_, want) in zip(
            out.frames().items(), base.frames().items(), strict=True
        ):
            try:
                assert_same(got.rename(columns=back), want)
            except AssertionError as exc:
                raise AssertionError(f"{name}: frame {label!r} differs: {exc}") from None
    elif isinstance(out, pd.DataFrame):
        assert_same(out.rename(columns=back), base)
    else:
        assert_same(out, base)
    with pytest.raises(InputError) as info:
        _run(example, tmp_path, **{example.frame: frame, "columns": {"no_such_role": "x"}})
    assert info.value.rule == "roles"


# ---------------------------------------------------------------- rule 6: provenance
@pytest.mark.parametrize(("name", "example"), _entries(lambda e: e.policy is not None))
def test_results_carry_the_policy_that_produced_them(
    name: str, example: Example, tmp_path: Path
) -> None:
    result = _run(example, tmp_path)
    if isinstance(result, pd.DataFrame):
        stamps = read_provenance(result)
        assert stamps, f"{name}: the result frame carries no provenance"
        assert stamps[0].policy_name == example.policy
    else:
        assert isinstance(result, Result)
        assert result.provenance.policy_name == example.policy
        assert "\n" not in repr(result)  # a one-line summary, never a whole frame
