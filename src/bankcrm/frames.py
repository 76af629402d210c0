"""Validating input DataFrames at public entry points: one schema per frame, one error style.

A :class:`FrameSchema` lists the :class:`Column` s a public function needs. :func:`validate_frame`
checks a frame against it once, at the door, and returns a **new** frame whose columns have
their canonical dtypes; the caller's frame is never modified. Every problem becomes an
:class:`~bankcrm.errors.InputError` naming the column, the rule and the first offending row
labels; identity numbers and phones are masked (:mod:`bankcrm.pii`). No raw pandas
``KeyError``/``TypeError``/``ValueError`` escapes, whatever the frame holds.

Canonical dtypes after validation:

========== =====================================================================
kind       validated column
========== =====================================================================
int        int64 (``Int64`` when nullable and nulls are present)
float      float64, finite
str        pandas ``str`` dtype
category   pandas ``category`` with the domain (sorted) as its categories
bool       bool (``boolean`` when nullable and nulls are present)
date       ``datetime64[us]`` at midnight (a time of day is an error)
datetime   ``datetime64[us]`` (time-zone-aware columns keep their zone)
money      int64 **fen**, replacing the yuan column of the same name (see :mod:`bankcrm.money`)
share      int64 **millionths** (1.0 → 1_000_000), replacing the column, exact
========== =====================================================================

Blank strings count as missing in every kind but ``str`` and ``category``.

Examples:
    >>> import pandas as pd
    >>> schema = FrameSchema(
    ...     "transactions",
    ...     [Column("customer_id", "str"), Column("date", "date"), Column("amount", "money")],
    ... )
    >>> raw = pd.DataFrame(
    ...     {"customer_id": ["c1", "c2"], "date": ["2026-01-04", "2026/1/5"],
    ...      "amount": ["1,000.005", 2]}
    ... )
    >>> clean = validate_frame(raw, schema)
    >>> clean["amount"].tolist(), str(clean["date"].dtype)
    ([100001, 200], 'datetime64[us]')
    >>> validate_frame(raw.drop(columns="date"), schema)
    Traceback (most recent call last):
    ...
    bankcrm.errors.InputError: column 'date': transactions: missing required column(s) ['date']; \
    available: ['customer_id', 'amount'] [rule: required]
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Iterable
from typing import Any, NoReturn

import attrs
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from bankcrm._coerce import DATETIME_DTYPE, BadValuesError, coerce_values
from bankcrm._tables import as_pandas
from bankcrm._values import PII_KINDS, missing_mask, raise_for_rows, safe_label, safe_value
from bankcrm.errors import BankCRMError, InputError, PolicyError

__all__ = [
    "DATETIME_DTYPE",
    "Column",
    "ColumnKind",
    "FrameSchema",
    "validate_frame",
]


class ColumnKind(enum.StrEnum):
    """The kinds of column a schema can ask for (see the module table for their dtypes)."""

    INT = "int"
    FLOAT = "float"
    STR = "str"
    CATEGORY = "category"
    BOOL = "bool"
    DATE = "date"
    DATETIME = "datetime"
    MONEY = "money"
    SHARE = "share"


def _kind(value: ColumnKind | str) -> ColumnKind:
    try:
        return ColumnKind(value)
    except ValueError:
        known = ", ".join(k.value for k in ColumnKind)
        raise PolicyError(f"unknown column kind {value!r}; known kinds: {known}") from None


def _domain(value: Collection[Any] | None) -> frozenset[Any] | None:
    if value is None:
        return None
    if isinstance(value, str):
        raise PolicyError("a column domain must be a collection of values, not one string")
    try:
        return frozenset(value)
    except TypeError:
        raise PolicyError("a column domain must be a collection of hashable values") from None


def _pii(value: str | None) -> str | None:
    if value is not None and value not in PII_KINDS:
        raise PolicyError(f"unknown pii kind {value!r}; known: {sorted(PII_KINDS)}")
    return value


@attrs.frozen
class Column:
    """One expected column of an input frame.

    Attributes:
        name: the column label.
        kind: one of :class:`ColumnKind` (``"int"``, ``"str"``, ``"date"``, ``"money"`` …).
        required: whether the column must be present (absent optional columns are not added).
        nullable: whether missing values are allowed.
        domain: the allowed values (checked after coercion), or ``None`` for any value.
        pii: ``"id"`` or ``"phone"`` (values shown masked in errors), ``"name"``,
            ``"address"`` or ``"other"`` (values never shown), or ``None``.
        coerce: convert values to the kind (``"1,234.50"`` → fen, ``"2026-01-04"`` → date);
            with ``False`` the column must already have the canonical dtype.
        min_value: inclusive lower bound in the column's input units (yuan for money, a share
            for shares, a date for dates), or ``None``.
        max_value: inclusive upper bound, likewise.

    Examples:
        >>> Column("phone", "str", pii="phone")
        Column(name='phone', kind=<ColumnKind.STR: 'str'>, required=True, nullable=False, \
    domain=None, pii='phone', coerce=True, min_value=None, max_value=None)
    """

    name: str
    kind: ColumnKind = attrs.field(converter=_kind)
    required: bool = attrs.field(default=True, kw_only=True)
    nullable: bool = attrs.field(default=False, kw_only=True)
    domain: frozenset[Any] | None = attrs.field(default=None, kw_only=True, converter=_domain)
    pii: str | None = attrs.field(default=None, kw_only=True, converter=_pii)
    coerce: bool = attrs.field(default=True, kw_only=True)
    min_value: Any = attrs.field(default=None, kw_only=True)
    max_value: Any = attrs.field(default=None, kw_only=True)


def _columns(value: Iterable[Column]) -> tuple[Column, ...]:
    columns = tuple(value)
    for column in columns:
        if not isinstance(column, Column):
            raise PolicyError(f"schema columns must be Column objects, got {type(column).__name__}")
    names = [c.name for c in columns]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        raise PolicyError(f"schema lists column(s) {duplicated} more than once")
    return columns


def _key(value: Iterable[str] | str) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


@attrs.frozen
class FrameSchema:
    """The expected shape of one input frame.

    Attributes:
        name: a short name used in error messages (``"transactions"``).
        columns: the expected columns.
        key: the columns that identify a row (may be several).
        unique_key: whether duplicate key combinations are an error (rule ``duplicate_key``).
        allow_extra: whether columns not in the schema are allowed (they pass through as is).
    """

    name: str
    columns: tuple[Column, ...] = attrs.field(converter=_columns)
    key: tuple[str, ...] = attrs.field(default=(), kw_only=True, converter=_key)
    unique_key: bool = attrs.field(default=False, kw_only=True)
    allow_extra: bool = attrs.field(default=True, kw_only=True)

    def __attrs_post_init__(self) -> None:
        names = set(self.names)
        unknown = [k for k in self.key if k not in names]
        if unknown:
            raise PolicyError(f"schema {self.name!r}: key column(s) {unknown} are not columns")
        if self.unique_key and not self.key:
            raise PolicyError(f"schema {self.name!r}: unique_key needs a key")

    @property
    def names(self) -> tuple[str, ...]:
        """The column names, in schema order."""
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        """The column called ``name``.

        Raises:
            KeyError: if the schema has no such column.
        """
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)

    def validate(self, frame: Any) -> pd.DataFrame:
        """Shorthand for :func:`validate_frame` with this schema."""
        return validate_frame(frame, self)


def validate_frame(frame: Any, schema: FrameSchema) -> pd.DataFrame:
    """Validate and coerce ``frame`` against ``schema``; return a new frame.

    Checks, in order: it is a DataFrame with flat, unique column labels; required columns are
    present (the message lists the missing and the available columns); no unexpected columns
    when ``allow_extra`` is False; then per column in schema order: nulls, coercion to the kind,
    domain and bounds; finally duplicate keys. The index, the column order and extra columns
    are kept. The input frame is never modified.

    Raises:
        InputError: naming the column, the rule (``type``, ``columns``, ``duplicate_columns``,
            ``required``, ``extra_columns``, ``missing``, ``dtype``, a kind such as ``date`` or
            ``numeric``, ``domain``, ``range``, ``duplicate_key`` …) and the first offending
            row labels, with PII values masked.
    """
    if not isinstance(schema, FrameSchema):
        raise PolicyError(f"expected a FrameSchema, got {type(schema).__name__}")
    where = schema.name
    frame = as_pandas(frame, name=where)
    _check_labels(frame, schema)
    out: pd.DataFrame = frame.copy(deep=False)  # copy-on-write: the input is never touched
    positions = {label: i for i, label in enumerate(frame.columns)}
    for column in schema.columns:
        if column.name not in positions:
            continue
        position = positions[column.name]
        try:
            out.isetitem(position, _validate_column(frame.iloc[:, position], column, where))
        except BankCRMError:  # InputError, or a PolicyError for a bad bound in the schema
            raise
        except (
            TypeError,
            ValueError,
            KeyError,
            IndexError,
            AttributeError,
            OverflowError,
            ArithmeticError,
        ) as exc:  # last-resort guard: never leak a pandas exception
            raise InputError(
                f"{where}: cannot validate values ({type(exc).__name__})",
                column=column.name,
                rule="invalid",
            ) from exc
    if schema.unique_key:
        _check_unique_key(out, schema)
    return out


def _check_labels(frame: pd.DataFrame, schema: FrameSchema) -> None:
    where = schema.name
    if isinstance(frame.columns, pd.MultiIndex):
        raise InputError(
            f"{where}: columns must be flat labels, not a MultiIndex", column=where, rule="columns"
        )
    labels = list(frame.columns)
    try:
        duplicated = frame.columns[frame.columns.duplicated()].unique().tolist()
    except TypeError:  # unhashable labels
        raise InputError(
            f"{where}: column labels must be hashable", column=where, rule="columns"
        ) from None
    if duplicated:
        shown = [safe_label(d) for d in duplicated]
        raise InputError(
            f"{where}: duplicate column label(s) {shown[:10]}",
            column=str(shown[0]),
            rule="duplicate_columns",
        )
    present = set(labels)
    missing = [c.name for c in schema.columns if c.required and c.name not in present]
    if missing:
        available = [safe_label(label) for label in labels[:30]]
        more = f" and {len(labels) - 30} more" if len(labels) > 30 else ""
        raise InputError(
            f"{where}: missing required column(s) {missing}; available: {available}{more}",
            column=missing[0],
            rule="required",
        )
    if not schema.allow_extra:
        names = set(schema.names)
        extra = [safe_label(label) for label in labels if label not in names]
        if extra:
            raise InputError(
                f"{where}: unexpected column(s) {extra[:30]}; allowed: {list(schema.names)}",
                rule="extra_columns",
            )


def _null_mask(values: pd.Series[Any], kind: ColumnKind) -> NDArray[np.bool_]:
    mask = missing_mask(values)
    if kind in (ColumnKind.STR, ColumnKind.CATEGORY):
        return mask
    dtype = values.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        values = values.astype(object)
        dtype = values.dtype
    if pd.api.types.is_string_dtype(dtype) and not pd.api.types.is_object_dtype(dtype):
        mask |= (values.str.strip() == "").to_numpy(dtype=bool, na_value=False)
    elif pd.api.types.is_object_dtype(dtype):
        blank = [isinstance(v, str) and not v.strip() for v in values.to_numpy(dtype=object)]
        mask |= np.asarray(blank, dtype=bool)
    return mask


def _validate_column(values: pd.Series[Any], column: Column, where: str) -> Any:
    kind = column.kind
    nulls = _null_mask(values, kind)
    has_nulls = bool(nulls.any())
    if has_nulls and not column.nullable:
        _fail(column, where, "missing", "missing values are not allowed", nulls, values)
    present = values[~nulls] if has_nulls else values
    try:
        coerced = coerce_values(kind.value, present, column.name, column.coerce)
    except BadValuesError as bad:
        mask = np.zeros(len(values), dtype=bool)
        mask[np.flatnonzero(~nulls)[bad.mask]] = True
        _fail(column, where, bad.rule, bad.message, mask, values, n_rows=bad.n_rows)
    _check_domain(column, where, coerced, values, nulls)
    _check_bounds(column, where, coerced, values, nulls)
    return _assemble(kind, coerced, nulls, column)


def _assemble(kind: ColumnKind, coerced: Any, nulls: NDArray[np.bool_], column: Column) -> Any:
    """Put coerced non-null values back in place, with a null-capable dtype where needed."""
    n = len(nulls)
    if kind == ColumnKind.CATEGORY:
        categories = sorted(column.domain, key=str) if column.domain is not None else None
        if not nulls.any():
            return pd.Categorical(coerced, categories=categories)
        full = np.empty(n, dtype=object)
        full[:] = None
        full[~nulls] = np.asarray(coerced, dtype=object)
        return pd.Categorical(full, categories=categories)
    if not nulls.any():
        return coerced
    if kind == ColumnKind.STR:
        full = np.empty(n, dtype=object)
        full[:] = None
        full[~nulls] = np.asarray(coerced, dtype=object)
        return pd.array(full, dtype="str")
    if kind in (ColumnKind.INT, ColumnKind.MONEY, ColumnKind.SHARE):
        data = np.zeros(n, dtype=np.int64)
        data[~nulls] = coerced
        return pd.arrays.IntegerArray(data, nulls.copy())
    if kind == ColumnKind.BOOL:
        flags = np.zeros(n, dtype=bool)
        flags[~nulls] = coerced
        return pd.arrays.BooleanArray(flags, nulls.copy())
    if kind == ColumnKind.FLOAT:
        floats = np.full(n, np.nan)
        floats[~nulls] = coerced
        return floats
    if isinstance(coerced, pd.arrays.DatetimeArray) and coerced.tz is not None:
        stamps = pd.Series(pd.NaT, index=range(n), dtype=coerced.dtype)
        stamps[~nulls] = coerced
        return stamps.array
    stamps_np = np.full(n, np.datetime64("NaT"), dtype=DATETIME_DTYPE)
    stamps_np[~nulls] = coerced
    return stamps_np


def _bound_value(column: Column, bound: Any) -> Any:
    """A bound in the same units as the coerced column (fen, millionths, datetime64)."""
    one = pd.Series([bound], dtype=object)
    try:
        return coerce_values(column.kind.value, one, column.name, True)[0]
    except BadValuesError as bad:
        raise PolicyError(
            f"column {column.name!r}: bound {bound!r} is invalid: {bad.message}"
        ) from None


def _check_bounds(
    column: Column, where: str, coerced: Any, values: pd.Series[Any], nulls: NDArray[np.bool_]
) -> None:
    if column.min_value is None and column.max_value is None:
        return
    data = np.asarray(coerced)
    outside = np.zeros(len(data), dtype=bool)
    try:
        if column.min_value is not None:
            outside |= data < _bound_value(column, column.min_value)
        if column.max_value is not None:
            outside |= data > _bound_value(column, column.max_value)
    except TypeError:  # e.g. a naive date bound on a time-zone-aware column
        raise PolicyError(
            f"column {column.name!r}: bounds [{column.min_value}, {column.max_value}] cannot be "
            f"compared with its {_dtype_label(coerced)} values"
        ) from None
    if outside.any():
        mask = np.zeros(len(values), dtype=bool)
        mask[np.flatnonzero(~nulls)[outside]] = True
        text = f"value outside [{column.min_value}, {column.max_value}]"
        _fail(column, where, "range", text, mask, values)


def _dtype_label(values: Any) -> str:
    """A short name of the dtype of coerced values, for messages."""
    return str(getattr(values, "dtype", type(values).__name__))


def _check_domain(
    column: Column, where: str, coerced: Any, values: pd.Series[Any], nulls: NDArray[np.bool_]
) -> None:
    if column.domain is None:
        return
    allowed = list(column.domain)
    try:
        inside = pd.Series(coerced, copy=False).isin(allowed).to_numpy(dtype=bool)
    except (TypeError, ValueError):
        inside = pd.Series(np.asarray(coerced, dtype=object)).isin(allowed).to_numpy(dtype=bool)
    if not inside.all():
        mask = np.zeros(len(values), dtype=bool)
        mask[np.flatnonzero(~nulls)[~inside]] = True
        shown = sorted(str(v) for v in allowed)[:20]
        if column.pii is None:
            text = f"value not in the allowed set {shown}"
        else:
            text = "value not in the allowed set"
        _fail(column, where, "domain", text, mask, values)


def _check_unique_key(out: pd.DataFrame, schema: FrameSchema) -> None:
    key = list(schema.key)
    try:
        duplicated = np.asarray(out.duplicated(subset=key, keep=False), dtype=bool)
    except TypeError:
        raise InputError(
            f"{schema.name}: key values must be hashable", column=key[0], rule="duplicate_key"
        ) from None
    if not duplicated.any():
        return
    pii = {c.name: c.pii for c in schema.columns}
    rendered = out.loc[duplicated, key].head(3)
    examples = []
    for row in rendered.itertuples(index=False):
        parts = []
        for name, value in zip(key, row, strict=True):
            parts.append(safe_value(value, pii.get(name)))
        examples.append("(" + ", ".join(parts) + ")")
    column = key[0] if len(key) == 1 else ", ".join(key)
    raise_for_rows(
        f"{schema.name}: duplicate key {tuple(key)} (e.g. {'; '.join(examples)})",
        column=column,
        rule="duplicate_key",
        mask=duplicated,
        index=out.index,
        show_values=False,
    )


def _fail(
    column: Column,
    where: str,
    rule: str,
    message: str,
    mask: NDArray[np.bool_],
    values: pd.Series[Any],
    *,
    n_rows: int | None = None,
) -> NoReturn:
    raise_for_rows(
        f"{where}: {message}",
        column=column.name,
        rule=rule,
        mask=mask,
        series=values,
        pii=column.pii,
        show_values=rule != "missing",
        n_rows=n_rows,
    )
