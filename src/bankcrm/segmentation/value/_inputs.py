"""The input checks every customer-value model shares, in one place.

A model method takes either a summary (a :class:`~bankcrm.segmentation.CLVSummary` or a
frame, read through :func:`bankcrm._tables.as_pandas`; ``columns={role: name}``) or keyword
arrays, never both (:func:`read_summary`); every value is a finite number
(:func:`numeric_column`), and a (frequency, recency, T) history obeys the rules of
:func:`check_history`. Weights and horizons are checked by :func:`check_weights` and
:func:`check_horizon`.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from decimal import Decimal
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt
import pandas as pd

from bankcrm._roles import column_names, require_columns
from bankcrm._tables import as_pandas
from bankcrm._values import raise_for_rows
from bankcrm.errors import InputError, Rule
from bankcrm.segmentation.value._special import FloatArray
from bankcrm.segmentation.value.summary import SUMMARY_ROLES, CLVSummary

__all__ = [
    "ArrayLike",
    "Columns",
    "SummaryColumns",
    "as_float_array",
    "check_history",
    "check_horizon",
    "check_weights",
    "history",
    "numeric_column",
    "read_summary",
    "summary_frame",
    "summary_names",
]

ArrayLike = npt.ArrayLike
#: ``{role: column}`` for summary columns not named after their role, or ``None``.
Columns = Mapping[str, Hashable] | None


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | Decimal | np.number) and not isinstance(
        value, bool | np.bool_
    )


def numeric_column(values: Any, *, column: str, index: pd.Index[Any] | None) -> FloatArray:
    """A float64 copy of ``values`` that is finite everywhere, or an InputError naming the rows.

    Exact decimals (an Arrow ``decimal128`` column arrives as Decimal objects) are read as the
    nearest floats: the models work in floats.
    """
    series = values if isinstance(values, pd.Series) else None
    try:
        if series is not None:
            dtype = series.dtype
            if pd.api.types.is_object_dtype(dtype):
                raw = series.to_numpy()
                if not all(v is None or _is_number(v) for v in raw):
                    raise TypeError("object")
                array = np.array([np.nan if v is None else float(v) for v in raw], np.float64)
            elif pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
                array = series.to_numpy(dtype=np.float64, na_value=np.nan)
            else:
                raise TypeError(str(dtype))
        else:
            raw = np.asarray(values)
            if raw.dtype.kind not in "iuf":
                raise TypeError(str(raw.dtype))
            array = raw.astype(np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError(
            f"expected numbers, got values of type {exc}", column=column, rule=Rule.NUMERIC
        ) from None
    array = np.atleast_1d(array)
    if array.ndim != 1:
        raise InputError("expected a one-dimensional column", column=column, rule=Rule.TYPE)
    bad = ~np.isfinite(array)
    if bad.any():
        raise_for_rows(
            "must be a finite number (no NaN or infinity)",
            column=column,
            rule=Rule.FINITE,
            mask=bad,
            index=index,
        )
    return array


def as_float_array(values: Any, *, column: str) -> FloatArray:
    """``values`` as a float64 array (any shape), or an InputError if they are not numbers."""
    try:
        raw = np.asarray(values)
        if raw.dtype.kind not in "iuf":
            raise TypeError(str(raw.dtype))
        return raw.astype(np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError(
            f"expected numbers, got values of type {exc}", column=column, rule=Rule.NUMERIC
        ) from None


def summary_frame(summary: Any) -> pd.DataFrame | None:
    """The frame of a :class:`CLVSummary`, or ``summary`` read through ``as_pandas``."""
    if summary is None:
        return None
    if isinstance(summary, CLVSummary):
        return summary.frame
    return as_pandas(summary, name="summary")


def summary_names(summary: Any, columns: Any, *, where: str) -> dict[str, Any]:
    """Each summary role's column (a :class:`CLVSummary` names its own id column)."""
    names = column_names(columns, SUMMARY_ROLES, where=where)
    if isinstance(summary, CLVSummary) and not (
        isinstance(columns, Mapping) and "customer_id" in columns
    ):
        names["customer_id"] = summary.id_column
    return names


@attrs.frozen
class SummaryColumns:
    """Summary columns read as float arrays, with the row labels and column labels used."""

    arrays: dict[str, FloatArray]
    index: pd.Index[Any] | None
    labels: dict[str, str]


def read_summary(
    summary: Any,
    arrays: Mapping[str, Any],
    *,
    columns: Any,
    where: str,
    broadcast: bool,
) -> SummaryColumns:
    """The roles in ``arrays`` read from ``summary`` (a frame) or from the keyword arrays.

    Exactly one of the two is given. From a frame every missing column is reported in one
    error; keyword arrays are one-dimensional and of one length (``broadcast=False``, for
    fitting) or broadcast like numpy (``broadcast=True``, for scoring: a scalar history works).
    """
    frame = summary_frame(summary)
    given = [role for role, values in arrays.items() if values is not None]
    if frame is not None:
        if given:
            raise InputError(
                f"{where}: pass either a summary or arrays, not both (got {given})",
                column=given[0],
                rule=Rule.ARGUMENTS,
            )
        names = summary_names(summary, columns, where=where)
        wanted = {role: names[role] for role in arrays}
        require_columns(frame, wanted, where=f"{where}: summary")
        index: pd.Index[Any] | None = frame.index
        read = {
            role: numeric_column(frame[label], column=str(label), index=index)
            for role, label in wanted.items()
        }
        return SummaryColumns(read, index, {r: str(label) for r, label in wanted.items()})
    if columns is not None:
        raise InputError(
            f"{where}: columns= names the columns of a summary frame; none was given",
            column="columns",
            rule=Rule.ARGUMENTS,
        )
    missing = [role for role, values in arrays.items() if values is None]
    if missing:
        raise InputError(
            f"{where}: without a summary, {', '.join(map(repr, missing))} must be given",
            column=missing[0],
            rule=Rule.REQUIRED,
        )
    labels = {role: role for role in arrays}
    if broadcast:
        floats = [as_float_array(v, column=role) for role, v in arrays.items()]
        try:
            shaped = np.broadcast_arrays(*floats)
        except ValueError:
            shapes = {role: a.shape for role, a in zip(arrays, floats, strict=True)}
            raise InputError(
                f"{where}: inputs do not broadcast to one shape: {shapes}",
                column=next(iter(arrays)),
                rule=Rule.SAME_LENGTH,
            ) from None
        for role, values in zip(arrays, shaped, strict=True):
            numeric_column(values.reshape(-1), column=role, index=None)
        return SummaryColumns(
            {role: np.array(v, dtype=np.float64) for role, v in zip(arrays, shaped, strict=True)},
            None,
            labels,
        )
    first = next(iter(arrays.values()))
    index = first.index if isinstance(first, pd.Series) else None
    read = {role: numeric_column(v, column=role, index=index) for role, v in arrays.items()}
    lengths = {role: len(a) for role, a in read.items()}
    if len(set(lengths.values())) > 1:
        raise InputError(
            f"{where}: columns differ in length: {lengths}",
            column=next(iter(lengths)),
            rule=Rule.SAME_LENGTH,
        )
    return SummaryColumns(read, index, labels)


def check_history(read: SummaryColumns) -> None:
    """The rules every (frequency, recency, T) summary obeys, each with its own error."""
    x, t_x, big_t = (read.arrays[r].reshape(-1) for r in ("frequency", "recency", "T"))
    label = read.labels
    rules: list[tuple[npt.NDArray[np.bool_], str, Rule, str]] = [
        (
            (x < 0) | (x != np.floor(x)),
            label["frequency"],
            Rule.NON_NEGATIVE,
            "must be a whole number of repeat purchases >= 0",
        ),
        (t_x < 0, label["recency"], Rule.NON_NEGATIVE, "must be >= 0"),
        (big_t < t_x, label["T"], Rule.RECENCY_WITHIN_T, "T must be >= recency"),
        (
            (x == 0) & (t_x != 0),
            label["recency"],
            Rule.ZERO_WITHOUT_REPEAT,
            "must be 0 for customers without repeat purchases (frequency 0)",
        ),
    ]
    for mask, column, rule, message in rules:
        if mask.any():
            raise_for_rows(message, column=column, rule=rule, mask=mask, index=read.index)


def check_weights(
    weights: ArrayLike | None, n: int, index: pd.Index[Any] | None
) -> FloatArray | None:
    """Optional per-row counts (for pre-aggregated data): finite, >= 0, one per row."""
    if weights is None:
        return None
    w = numeric_column(weights, column="weights", index=index)
    if len(w) != n:
        raise InputError(
            f"weights have {len(w)} rows, the summary has {n}",
            column="weights",
            rule=Rule.SAME_LENGTH,
        )
    negative = w < 0
    if negative.any():
        raise_for_rows(
            "must be >= 0", column="weights", rule=Rule.NON_NEGATIVE, mask=negative, index=index
        )
    return w


def history(
    summary: Any,
    *,
    columns: Columns,
    frequency: ArrayLike | None,
    recency: ArrayLike | None,
    big_t: ArrayLike | None,
    where: str,
) -> SummaryColumns:
    """A checked (frequency, recency, T) history, from a summary or broadcast keyword arrays."""
    read = read_summary(
        summary,
        {"frequency": frequency, "recency": recency, "T": big_t},
        columns=columns,
        where=where,
        broadcast=True,
    )
    check_history(read)
    return read


def check_horizon(horizon: ArrayLike) -> FloatArray:
    """The forecast horizon(s): finite and >= 0."""
    value = as_float_array(horizon, column="horizon")
    bad = ~np.isfinite(value) | (value < 0)
    if bad.any():
        raise InputError(
            "the horizon must be finite and >= 0", column="horizon", rule=Rule.NON_NEGATIVE
        )
    return value
