"""Table intake at public entry points: pandas, pyarrow, polars; NumPy or Arrow-backed dtypes.

Every public function of a frame reads it through :func:`as_pandas`, so one place decides what
a "frame" may be (contract rule 3, ``docs/conventions.md``):

* a pandas DataFrame, with NumPy dtypes, pandas' nullable dtypes or Arrow-backed dtypes
  (``pd.ArrowDtype``: ``decimal128`` amounts, ``string[pyarrow]``, Arrow timestamps …);
* any object with the Arrow PyCapsule stream interface (``__arrow_c_stream__``): a pyarrow
  ``Table`` or ``RecordBatchReader``, a polars ``DataFrame``, a DuckDB relation … read through
  pyarrow, so bankcrm needs no polars dependency;
* anything else is an :class:`~bankcrm.errors.InputError` (rule ``type``) naming the object's
  module and type, so ``polars.DataFrame`` is not mistaken for ``pandas.DataFrame``.

Arrow-backed columns become the dtypes the rest of bankcrm reads (one conversion, at the door):
decimals become exact :class:`~decimal.Decimal` objects, text the pandas ``str`` dtype,
timestamps ``datetime64`` (time zones kept), Arrow dates ``datetime64`` at midnight, integers
and booleans with nulls pandas' nullable ``Int64`` / ``boolean``. NumPy-backed frames pass
through untouched (no copy), so the fast paths pay nothing.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from bankcrm.errors import InputError

__all__ = ["arrow_free", "as_pandas", "as_pandas_series", "type_name"]

# pandas' nullable dtypes for Arrow integer and boolean columns, so that a null never turns an
# integer id or an amount in fen into a float.
_NULLABLE = {
    pa.int8(): pd.Int64Dtype(),
    pa.int16(): pd.Int64Dtype(),
    pa.int32(): pd.Int64Dtype(),
    pa.int64(): pd.Int64Dtype(),
    pa.uint8(): pd.Int64Dtype(),
    pa.uint16(): pd.Int64Dtype(),
    pa.uint32(): pd.Int64Dtype(),
    pa.uint64(): pd.UInt64Dtype(),
    pa.bool_(): pd.BooleanDtype(),
}


def type_name(value: Any) -> str:
    """``module.Qualname`` of a value's type (plain ``int`` for built-ins)."""
    kind = type(value)
    module = kind.__module__
    return kind.__qualname__ if module == "builtins" else f"{module}.{kind.__qualname__}"


def _types_mapper(arrow_type: pa.DataType) -> Any:
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return pd.StringDtype("pyarrow", na_value=np.nan)  # pandas 3's "str"
    if pa.types.is_string_view(arrow_type):
        return pd.StringDtype("pyarrow", na_value=np.nan)
    return _NULLABLE.get(arrow_type)


def _table_to_pandas(table: pa.Table) -> pd.DataFrame:
    # Integers and booleans map to nullable dtypes only when they hold nulls: a complete int
    # column stays int64, as pandas itself would read it.
    columns: dict[str, Any] = {}
    for name, column in zip(table.column_names, table.columns, strict=True):
        columns[name] = _arrow_to_pandas(column)
    frame = pd.DataFrame(columns, index=pd.RangeIndex(table.num_rows))
    frame.columns = pd.Index(table.column_names, dtype=object)
    return frame


def _arrow_to_pandas(column: pa.ChunkedArray | pa.Array) -> Any:
    arrow_type = column.type
    if pa.types.is_dictionary(arrow_type):
        return column.to_pandas()  # pandas Categorical
    if pa.types.is_date(arrow_type):
        column = column.cast(pa.timestamp("us"))
        arrow_type = column.type
    if pa.types.is_timestamp(arrow_type) and arrow_type.unit == "ns":
        return column.to_pandas()
    if pa.types.is_timestamp(arrow_type):
        column = column.cast(pa.timestamp("us", tz=arrow_type.tz))
        return column.to_pandas(coerce_temporal_nanoseconds=False)
    mapped = _types_mapper(arrow_type)
    if mapped is not None and (column.null_count or isinstance(mapped, pd.StringDtype)):
        return pd.array(column.to_pandas(types_mapper=_types_mapper), dtype=mapped)
    if pa.types.is_decimal(arrow_type):
        return pd.array(column.to_pandas(), dtype=object)  # exact Decimal objects
    return column.to_pandas()


def as_pandas(frame: Any, *, name: str) -> pd.DataFrame:
    """``frame`` as a pandas DataFrame whose columns bankcrm can read (see the module doc).

    The input is never modified; a pandas frame without Arrow-backed columns is returned as is.

    Raises:
        InputError: rule ``type`` naming ``name`` and the object's module and type.

    Examples:
        >>> import pyarrow as pa
        >>> from decimal import Decimal
        >>> table = pa.table({"amount": pa.array([Decimal("1.05"), None], pa.decimal128(12, 2))})
        >>> as_pandas(table, name="transactions")["amount"].tolist()
        [Decimal('1.05'), None]
        >>> as_pandas([1, 2], name="transactions")
        Traceback (most recent call last):
        ...
        bankcrm.errors.InputError: column 'transactions': expected a pandas DataFrame or an \
    Arrow table (pyarrow, polars), got list [rule: type]
    """
    if isinstance(frame, pd.DataFrame):
        return arrow_free(frame)
    if isinstance(frame, pa.RecordBatch):
        frame = pa.Table.from_batches([frame])
    if isinstance(frame, pa.Table):
        return _table_to_pandas(frame)
    if hasattr(frame, "__arrow_c_stream__"):
        try:
            table = pa.table(frame)
        except (TypeError, ValueError, pa.ArrowException) as exc:
            raise InputError(
                f"cannot read {type_name(frame)} through the Arrow interface: {exc}",
                column=name,
                rule="type",
            ) from None
        return _table_to_pandas(table)
    raise InputError(
        f"expected a pandas DataFrame or an Arrow table (pyarrow, polars), got {type_name(frame)}",
        column=name,
        rule="type",
    )


def _needs_conversion(dtype: Any) -> bool:
    if isinstance(dtype, pd.ArrowDtype):
        return True
    # string[pyarrow] / string[python] use pd.NA; bankcrm reads pandas 3's "str" (NaN).
    return isinstance(dtype, pd.StringDtype) and dtype.na_value is pd.NA


def _plain(series: pd.Series[Any]) -> Any:
    dtype = series.dtype
    if isinstance(dtype, pd.StringDtype):
        return series.array.astype(pd.StringDtype("pyarrow", na_value=np.nan))
    chunked = pa.chunked_array(series.array.__arrow_array__())
    return _arrow_to_pandas(chunked)


def arrow_free(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its Arrow-backed columns converted (the same object when it has none)."""
    positions = [i for i, dtype in enumerate(frame.dtypes) if _needs_conversion(dtype)]
    if not positions:
        return frame
    out = frame.copy(deep=False)
    for position in positions:
        values = _plain(frame.iloc[:, position])
        out.isetitem(position, pd.Series(values, index=frame.index, copy=False).array)
    return out


def as_pandas_series(values: Any) -> pd.Series[Any] | None:
    """A pandas Series for an Arrow-backed Series or an Arrow / polars column, else ``None``."""
    if isinstance(values, pd.Series):
        if not _needs_conversion(values.dtype):
            return values
        return pd.Series(_plain(values), index=values.index, name=values.name, copy=False)
    if isinstance(values, pa.Array | pa.ChunkedArray):
        return pd.Series(_arrow_to_pandas(values), copy=False)
    if hasattr(values, "__arrow_c_stream__") and not isinstance(values, pd.DataFrame):
        try:
            chunked = pa.chunked_array(values)
        except (TypeError, ValueError, pa.ArrowException):
            return None
        return pd.Series(_arrow_to_pandas(chunked), copy=False)
    return None
