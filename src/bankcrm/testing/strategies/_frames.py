"""Hypothesis strategies for input frames: well-formed for a schema, or broken in exactly one way.

>>> from hypothesis import given, settings
>>> from bankcrm.frames import Column, FrameSchema, validate_frame
>>> schema = FrameSchema("t", [Column("id", "str"), Column("amount", "money")])
>>> @settings(max_examples=10)
... @given(frames_for(schema))
... def test_valid(frame):
...     validate_frame(frame, schema)
>>> test_valid()
"""

from __future__ import annotations

import datetime as dt
import string
from decimal import Decimal
from typing import Any

import attrs
import numpy as np
import pandas as pd
from hypothesis import strategies as st

from bankcrm._money import MAX_ABS_YUAN
from bankcrm.frames import Column, ColumnKind, FrameSchema
from bankcrm.testing.strategies._amounts import amounts, shares

__all__ = ["MalformedFrame", "frames_for", "malformed_frames_for"]

_TEXT = string.ascii_letters + string.digits + " -_" + "张王李赵钱孙"
_MIN_DATE = dt.date(1900, 1, 1)
_MAX_DATE = dt.date(2100, 12, 31)


@attrs.frozen(eq=False)
class MalformedFrame:
    """A frame that breaks exactly one rule of a schema.

    Attributes:
        frame: the input (usually a DataFrame; for rule ``type`` something else).
        rule: the rule :func:`bankcrm.frames.validate_frame` must report.
        column: the column at fault, or ``None`` for frame-level rules.
    """

    frame: Any
    rule: str
    column: str | None


# ---------------------------------------------------------------------------------------------
# valid values (the canonical value of each kind, before it is given an input representation)


def _bounded_decimal(
    column: Column, default_low: Decimal, default_high: Decimal
) -> tuple[Decimal, Decimal]:
    low = Decimal(str(column.min_value)) if column.min_value is not None else default_low
    high = Decimal(str(column.max_value)) if column.max_value is not None else default_high
    return low, high


def _canonical(column: Column) -> st.SearchStrategy[Any]:
    """Valid canonical values of a column (respecting domain and bounds)."""
    if column.domain is not None:
        return st.sampled_from(sorted(column.domain, key=repr))
    kind = column.kind
    if kind == ColumnKind.INT:
        low = int(column.min_value) if column.min_value is not None else -(10**9)
        high = int(column.max_value) if column.max_value is not None else 10**9
        return st.integers(low, high)
    if kind == ColumnKind.FLOAT:
        low_f = float(column.min_value) if column.min_value is not None else -1e9
        high_f = float(column.max_value) if column.max_value is not None else 1e9
        return st.floats(low_f, high_f, allow_nan=False, allow_infinity=False)
    if kind == ColumnKind.MONEY:
        low_m, high_m = _bounded_decimal(column, Decimal(-(10**9)), Decimal(10**9))
        return amounts(min_value=low_m, max_value=high_m)
    if kind == ColumnKind.SHARE:
        low_s, high_s = _bounded_decimal(column, Decimal(0), Decimal(1))
        return shares().filter(lambda s: low_s <= s <= high_s)
    if kind == ColumnKind.BOOL:
        return st.booleans()
    if kind in (ColumnKind.DATE, ColumnKind.DATETIME):
        low_d = column.min_value if column.min_value is not None else _MIN_DATE
        high_d = column.max_value if column.max_value is not None else _MAX_DATE
        dates = st.dates(_as_date(low_d), _as_date(high_d))
        if kind == ColumnKind.DATE:
            return dates
        return st.datetimes(
            dt.datetime.combine(_as_date(low_d), dt.time()),
            dt.datetime.combine(_as_date(high_d), dt.time()),
        )
    if column.pii == "id":
        return st.from_regex(r"\A[1-6]\d{16}[0-9X]\Z")
    if column.pii == "phone":
        return st.from_regex(r"\A1[3-9]\d{9}\Z")
    return st.text(alphabet=_TEXT, max_size=12)


def _as_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


# ---------------------------------------------------------------------------------------------
# input representations: each turns a list of canonical values (None = missing) into a column


def _obj(values: list[Any]) -> pd.Series[Any]:
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return pd.Series(array, dtype=object)


def _represent(kind: ColumnKind, values: list[Any], style: int, coerce: bool) -> pd.Series[Any]:
    has_none = any(v is None for v in values)
    if kind == ColumnKind.MONEY:
        if not coerce:
            return _nullable_ints([None if v is None else int(v * 100) for v in values])
        if style == 0 and not has_none and all(len(v.as_tuple().digits) <= 15 for v in values):
            return pd.Series([float(str(v)) for v in values], dtype=np.float64)
        if style == 1:
            return _obj([None if v is None else f"{v:,}" for v in values])
        return _obj(values)
    if kind == ColumnKind.SHARE:
        if not coerce:
            return _nullable_ints([None if v is None else int(v * 1_000_000) for v in values])
        if style == 0 and not has_none:
            return pd.Series([float(str(v)) for v in values], dtype=np.float64)
        if style == 1:
            return _obj([None if v is None else f"{(v * 100).normalize():f}%" for v in values])
        return _obj(values)
    if kind == ColumnKind.INT:
        if style == 1 and coerce:
            return _obj([None if v is None else str(v) for v in values])
        return _nullable_ints(values)
    if kind == ColumnKind.FLOAT:
        return pd.Series([np.nan if v is None else v for v in values], dtype=np.float64)
    if kind == ColumnKind.BOOL:
        if style == 1 and coerce:
            return _obj([None if v is None else ("yes" if v else "no") for v in values])
        if has_none:
            return pd.Series(values, dtype="boolean")
        return pd.Series(values, dtype=bool)
    if kind in (ColumnKind.DATE, ColumnKind.DATETIME):
        if style == 1 and coerce:
            return _obj([None if v is None else v.isoformat() for v in values])
        if style == 2 and coerce:
            return _obj(values)
        stamps = [pd.NaT if v is None else pd.Timestamp(v) for v in values]
        return pd.Series(stamps, dtype="datetime64[us]")
    # str and category
    if style == 1 or not coerce:
        return pd.Series(values, dtype="str")
    return _obj(values)


def _nullable_ints(values: list[Any]) -> pd.Series[Any]:
    if any(v is None for v in values):
        return pd.Series(values, dtype="Int64")
    return pd.Series(values, dtype=np.int64)


@st.composite
def _rows(draw: st.DrawFn, schema: FrameSchema, min_rows: int, max_rows: int) -> dict[str, Any]:
    """Canonical column values, unique on the key when the schema demands it."""
    present = [c for c in schema.columns if c.required or draw(st.booleans())]
    present += [c for c in schema.columns if c.name in schema.key and c not in present]
    row = st.fixed_dictionaries(
        {
            c.name: (st.one_of(st.none(), _canonical(c)) if c.nullable else _canonical(c))
            for c in present
        }
    )
    key = schema.key
    if schema.unique_key:
        rows = draw(
            st.lists(
                row,
                min_size=min_rows,
                max_size=max_rows,
                unique_by=lambda r: tuple(r[k] for k in key),
            )
        )
    else:
        rows = draw(st.lists(row, min_size=min_rows, max_size=max_rows))
    return {c.name: [r[c.name] for r in rows] for c in present}


@st.composite
def frames_for(
    draw: st.DrawFn, schema: FrameSchema, *, min_rows: int = 0, max_rows: int = 12
) -> pd.DataFrame:
    """Frames that :func:`bankcrm.frames.validate_frame` accepts for ``schema``.

    Columns come in varied input forms (floats, amount text, Decimals, ISO text, datetime64,
    date objects, ``"yes"``/``"no"`` …), optional columns are sometimes absent, nullable columns
    hold some nulls, keys are unique when the schema asks, and the index is sometimes made of
    text labels. With ``allow_extra`` an unrelated column may be added.
    """
    columns = draw(_rows(schema, min_rows, max_rows))
    n = len(next(iter(columns.values()))) if columns else 0
    data: dict[str, pd.Series[Any]] = {}
    for column in schema.columns:
        if column.name not in columns:
            continue
        style = draw(st.integers(0, 2))
        data[column.name] = _represent(column.kind, columns[column.name], style, column.coerce)
    if schema.allow_extra and draw(st.booleans()):
        data["__extra__"] = pd.Series(draw(st.lists(st.integers(), min_size=n, max_size=n)))
    frame = pd.DataFrame(data) if data else pd.DataFrame(index=range(n))
    if draw(st.booleans()):
        frame.index = pd.Index([f"row-{i}" for i in range(n)], dtype=object)
    return frame


# ---------------------------------------------------------------------------------------------
# malformed frames


def _junk(column: Column) -> tuple[Any, str]:
    """A value that breaks the column's kind, and the rule it breaks."""
    if not column.coerce:  # a value that cannot live in the canonical dtype
        if column.kind in (ColumnKind.STR, ColumnKind.CATEGORY):
            return 12345, "dtype"
        return "junk", "dtype"
    kind = column.kind
    table: dict[ColumnKind, tuple[Any, str]] = {
        ColumnKind.MONEY: ("12,34x", "numeric"),
        ColumnKind.SHARE: ("about half", "numeric"),
        ColumnKind.INT: (1.5, "int"),
        ColumnKind.FLOAT: ("n/a!", "numeric"),
        ColumnKind.BOOL: ("maybe", "bool"),
        ColumnKind.DATE: ("2026-02-30", "date"),
        ColumnKind.DATETIME: ("yesterday", "datetime"),
        ColumnKind.STR: (["not", "text"], "not_text"),
        ColumnKind.CATEGORY: ({"not": "text"}, "not_text"),
    }
    return table[kind]


def _out_of_bounds(column: Column) -> Any | None:
    """A value of the right kind outside the column's bounds, or None if it has none."""
    kind = column.kind
    if column.max_value is not None:
        high = column.max_value
        if kind in (ColumnKind.DATE, ColumnKind.DATETIME):
            return (_as_date(high) + dt.timedelta(days=1)).isoformat()
        if kind == ColumnKind.SHARE:
            return None if Decimal(str(high)) >= 1 else str(Decimal(str(high)) + Decimal("1e-6"))
        if kind == ColumnKind.MONEY:
            return str(Decimal(str(high)) + 1)
        return high + 1
    if column.min_value is not None:
        low = column.min_value
        if kind in (ColumnKind.DATE, ColumnKind.DATETIME):
            return (_as_date(low) - dt.timedelta(days=1)).isoformat()
        if kind == ColumnKind.SHARE:
            return None if Decimal(str(low)) <= 0 else str(Decimal(str(low)) - Decimal("1e-6"))
        if kind == ColumnKind.MONEY:
            return str(Decimal(str(low)) - 1)
        return low - 1
    if kind == ColumnKind.MONEY:
        return str(MAX_ABS_YUAN + 1)
    if kind == ColumnKind.SHARE:
        return "150%"
    return None


def _outside_domain(column: Column) -> Any | None:
    if column.domain is None or column.kind not in (ColumnKind.STR, ColumnKind.CATEGORY):
        return None
    candidate = "__not_allowed__"
    return None if candidate in column.domain else candidate


def _set_cell(frame: pd.DataFrame, name: str, position: int, value: Any) -> pd.DataFrame:
    """A copy of ``frame`` with one cell replaced, keeping the column's dtype when it can."""
    out = frame.copy()
    original = out[name]
    values = original.astype(object).to_numpy(copy=True)
    values[position] = value
    try:
        replaced = pd.Series(values, index=out.index, dtype=original.dtype)
        if replaced.iloc[position] != value and not (
            value is None and replaced.isna().iloc[position]
        ):
            raise ValueError("changed on the way in")
    except (TypeError, ValueError, OverflowError):
        replaced = pd.Series(values, index=out.index, dtype=object)
    out[name] = replaced
    return out


@st.composite
def malformed_frames_for(draw: st.DrawFn, schema: FrameSchema) -> MalformedFrame:
    """Inputs that break exactly one rule of ``schema``, with the rule they break.

    Possible rules: ``type`` (not a DataFrame), ``columns`` (MultiIndex columns),
    ``duplicate_columns``, ``required``, ``extra_columns`` (when extras are not allowed),
    ``missing``, the kind's own rule (``numeric``, ``int``, ``bool``, ``date``, ``datetime``,
    ``str``; ``dtype`` for columns with ``coerce=False``), ``domain``, ``range`` and
    ``duplicate_key``.
    """
    frame = draw(frames_for(schema, min_rows=2, max_rows=6))
    present = [c for c in schema.columns if c.name in frame.columns]
    options: list[tuple[str, Column | None]] = [("type", None)]
    if len(frame.columns):
        options += [("columns", None), ("duplicate_columns", None)]
    options += [("required", c) for c in present if c.required]
    if not schema.allow_extra:
        options.append(("extra_columns", None))
    options += [("missing", c) for c in present if not c.nullable]
    options += [("junk", c) for c in present]
    options += [("domain", c) for c in present if c.coerce and _outside_domain(c) is not None]
    options += [
        ("range", c)
        for c in present
        if c.coerce and c.domain is None and _out_of_bounds(c) is not None
    ]
    if schema.unique_key and all(k in frame.columns for k in schema.key):
        options.append(("duplicate_key", None))
    choice, column = draw(st.sampled_from(options))
    row = draw(st.integers(0, len(frame) - 1))
    if choice == "type":
        other = draw(st.sampled_from(["records", "series", "none", "text"]))
        bad: Any = {
            "records": frame.to_dict("records"),
            "series": frame.iloc[:, 0] if len(frame.columns) else pd.Series([1]),
            "none": None,
            "text": "customer_id,amount\n1,2",
        }[other]
        return MalformedFrame(bad, "type", None)
    if choice == "columns":
        broken = frame.copy()
        broken.columns = pd.MultiIndex.from_tuples([(str(c), "x") for c in frame.columns])
        return MalformedFrame(broken, "columns", None)
    if choice == "duplicate_columns":
        first = frame.columns[0]
        broken = pd.concat([frame, frame[[first]]], axis=1)
        return MalformedFrame(broken, "duplicate_columns", None)
    if choice == "extra_columns":
        return MalformedFrame(frame.assign(__unexpected__=1), "extra_columns", None)
    if choice == "duplicate_key":
        broken = frame.copy()
        other_row = (row + 1) % len(frame)
        for key in schema.key:
            broken = _set_cell(broken, key, other_row, frame[key].iloc[row])
        return MalformedFrame(broken, "duplicate_key", ", ".join(schema.key))
    assert column is not None
    if choice == "required":
        return MalformedFrame(frame.drop(columns=[column.name]), "required", None)
    if choice == "missing":
        return MalformedFrame(_set_cell(frame, column.name, row, None), "missing", column.name)
    if choice == "domain":
        value = _outside_domain(column)
        return MalformedFrame(_set_cell(frame, column.name, row, value), "domain", column.name)
    if choice == "range":
        value = _out_of_bounds(column)
        return MalformedFrame(_set_cell(frame, column.name, row, value), "range", column.name)
    value, rule = _junk(column)
    return MalformedFrame(_set_cell(frame, column.name, row, value), rule, column.name)
