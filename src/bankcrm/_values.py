"""Small shared helpers for the core: array intake, distinct-value codes and row errors."""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from decimal import Decimal
from typing import Any, NoReturn

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from bankcrm._tables import as_pandas_series
from bankcrm.errors import MAX_ROWS_SHOWN, InputError
from bankcrm.pii import mask_id_number, mask_phone, mask_text

__all__ = [
    "FULLWIDTH_TABLE",
    "as_series",
    "distinct_codes",
    "missing_mask",
    "raise_for_rows",
    "safe_label",
    "safe_value",
]

#: Full-width digits, signs and punctuation (and the ideographic space) to their ASCII forms.
FULLWIDTH_TABLE = str.maketrans(
    {chr(0xFF10 + i): str(i) for i in range(10)}
    | {"．": ".", "，": ",", "－": "-", "＋": "+", "　": " ", "％": "%", "‰": "‰", "／": "/"}
    | {"￥": "¥", "：": ":"}
)

#: How many offending values an error message quotes (masked as needed).
MAX_VALUES_SHOWN = 3

#: PII kinds a column can declare; ids and phones are partly shown, the others never shown.
PII_KINDS = frozenset({"id", "phone", "name", "address", "other"})


def as_series(values: Any, *, column: str) -> pd.Series[Any]:
    """A Series view of ``values`` (never copied or modified when already a Series).

    Raises:
        InputError: (rule ``type``) for scalars, strings, mappings and multi-dimensional data.
    """
    converted = as_pandas_series(values)  # Arrow-backed, pyarrow and polars columns
    if converted is not None:
        return converted
    if isinstance(values, str | bytes | dict) or not isinstance(values, Iterable):
        raise InputError(
            f"expected a column of values, got {type(values).__name__}", column=column, rule="type"
        )
    if isinstance(values, pd.DataFrame):
        raise InputError("expected one column, got a DataFrame", column=column, rule="type")
    if isinstance(values, np.ndarray) and values.ndim != 1:
        raise InputError(
            f"expected a one-dimensional array, got {values.ndim} dimensions",
            column=column,
            rule="type",
        )
    try:
        if isinstance(values, np.ndarray | pd.Index | pd.api.extensions.ExtensionArray):
            return pd.Series(values, copy=False)
        data = list(values)
        if _all_numbers(data):
            return pd.Series(data)  # int64 / float64 (exact: in-range ints are below 2**53)
        array = np.empty(len(data), dtype=object)
        array[:] = data
        return pd.Series(array, dtype=object)
    except (TypeError, ValueError) as exc:
        raise InputError(
            f"cannot read values as a column: {type(exc).__name__}", column=column, rule="type"
        ) from None


def _all_numbers(data: list[Any]) -> bool:
    """True when a list holds only Python/numpy ints or floats (so a numeric dtype is exact)."""
    if not data:
        return False
    kinds = {type(v) for v in data}
    return all(issubclass(k, int | float | np.integer | np.floating) for k in kinds) and not any(
        issubclass(k, bool | np.bool_) for k in kinds
    )


def distinct_codes(series: pd.Series[Any]) -> tuple[NDArray[np.intp], list[Any]]:
    """Codes into a list of distinct non-missing values; missing values get code ``-1``.

    Unhashable junk (lists, dicts) does not crash: it is kept as its own distinct value.
    """
    try:
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
        return np.asarray(codes, dtype=np.intp), list(np.asarray(uniques, dtype=object))
    except (TypeError, ValueError):
        pass
    seen: dict[Any, int] = {}
    distinct: list[Any] = []
    codes_list: list[int] = []
    for value in series.to_numpy(dtype=object):
        if _is_missing(value):
            codes_list.append(-1)
            continue
        key: Hashable = value if isinstance(value, Hashable) else ("<unhashable>", id(value))
        try:
            code = seen.setdefault(key, len(distinct))
        except TypeError:  # a hashable-looking object whose hash fails (e.g. signalling NaN)
            key = ("<unhashable>", id(value))
            code = seen.setdefault(key, len(distinct))
        if code == len(distinct):
            distinct.append(value)
        codes_list.append(code)
    return np.asarray(codes_list, dtype=np.intp), distinct


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, Decimal):
        return value.is_nan()
    return isinstance(value, float | np.floating) and value != value


def missing_mask(series: pd.Series[Any]) -> NDArray[np.bool_]:
    """A writable boolean mask of missing values (None, NaN, NA, NaT).

    Unlike ``Series.isna`` it never raises, even on a signalling ``Decimal("sNaN")``.
    """
    try:
        return series.isna().to_numpy(dtype=bool, copy=True)
    except (ArithmeticError, TypeError, ValueError):
        return np.asarray([_is_missing(v) for v in series.to_numpy(dtype=object)], dtype=bool)


def safe_label(label: Any) -> Any:
    """A row label fit for a message: strings and tuples are scrubbed of ids and phones."""
    if isinstance(label, str):
        return mask_text(label)
    if isinstance(label, tuple):
        return tuple(safe_label(part) for part in label)
    if isinstance(label, int | np.integer) and not isinstance(label, bool | np.bool_):
        # an index of identity numbers or phones stored as integers is masked like text
        masked = mask_text(str(int(label)))
        return int(label) if masked == str(int(label)) else masked
    return label


def safe_value(value: Any, pii: str | None) -> str:
    """One offending value rendered for a message, masked according to the column's PII kind."""
    if pii == "id":
        return repr(mask_id_number(value))
    if pii == "phone":
        return repr(mask_phone(value))
    if pii is not None:
        return "<masked>"
    # mask first: cutting first could leave a partial id number the pattern no longer finds
    text = mask_text(repr(value) if isinstance(value, str) else str(value))
    if len(text) > 40:
        text = text[:37] + "..."
    return text


def raise_for_rows(
    message: str,
    *,
    column: str | None,
    rule: str,
    mask: NDArray[np.bool_],
    series: pd.Series[Any] | None = None,
    index: pd.Index[Any] | None = None,
    pii: str | None = None,
    show_values: bool = True,
    n_rows: int | None = None,
) -> NoReturn:
    """Raise an :class:`InputError` for the rows where ``mask`` is True.

    The error lists the first offending row labels and, unless ``show_values`` is False, a few
    offending values masked according to ``pii``. ``n_rows`` overrides the count when ``mask``
    marks only the first offenders.
    """
    positions = np.flatnonzero(mask)
    labels_index = index if index is not None else (series.index if series is not None else None)
    first = positions[:MAX_ROWS_SHOWN]
    if labels_index is not None:
        rows = [safe_label(label) for label in labels_index[first].tolist()]
    else:
        rows = [int(p) for p in first]
    text = message
    if show_values and rule != "missing" and series is not None and len(positions):
        sample = series.iloc[positions[: MAX_VALUES_SHOWN * 4]].tolist()
        shown: list[str] = []
        for value in sample:
            rendered = safe_value(value, pii)
            if rendered not in shown:
                shown.append(rendered)
            if len(shown) == MAX_VALUES_SHOWN:
                break
        text = f"{message} (e.g. {', '.join(shown)})"
    total = len(positions) if n_rows is None else max(n_rows, len(positions))
    raise InputError(
        text, column=column, rule=rule, rows=rows, positions=first.tolist(), n_rows=total
    )


def raise_for_missing(frame: pd.DataFrame, columns: Any, *, where: str) -> None:
    """Raise ``InputError`` (rule ``missing``) naming the rows of the first of ``columns`` that
    has a missing value; return if none has."""
    for column in columns:
        absent = missing_mask(frame[column])
        if absent.any():
            raise_for_rows(
                f"{where}: missing values are not allowed",
                column=str(column),
                rule="missing",
                mask=absent,
                series=frame[column],
            )
