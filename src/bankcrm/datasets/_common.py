"""Shared plumbing of the generators: seeded streams per shape, default dates, date helpers.

Every shape draws from its own numpy stream ``default_rng([seed, shape, part])``, so changing the
size of one shape never changes another, and two parts of one generator never share draws.

>>> a = stream(7, Shape.RECORDS).integers(0, 100, 3)
>>> b = stream(7, Shape.RECORDS).integers(0, 100, 3)
>>> bool((a == b).all())
True
>>> ymd(np.array(["1949-12-31"], dtype="datetime64[D]")).tolist()
[19491231]
"""

from __future__ import annotations

import datetime as dt
from enum import IntEnum

import numpy as np
import numpy.typing as npt
import pandas as pd

from bankcrm.calendar import as_date
from bankcrm.errors import InputError

__all__ = [
    "DEFAULT_AS_OF",
    "DEFAULT_END",
    "DEFAULT_START",
    "Shape",
    "check_count",
    "check_date_order",
    "check_rate",
    "check_ratio",
    "check_seed",
    "day_offsets_to_dates",
    "stream",
    "to_day",
    "ymd",
]

#: The synthetic bank's history runs over three calendar years; records are as of its last day.
DEFAULT_START = dt.date(2023, 1, 1)
DEFAULT_END = dt.date(2025, 12, 31)
DEFAULT_AS_OF = DEFAULT_END


class Shape(IntEnum):
    """Stream identifiers: one per generated shape (never renumber, or old seeds change)."""

    PEOPLE = 1
    RECORDS = 2
    TRANSACTIONS = 3
    ACCOUNTS = 4
    PARTIES = 5
    FX = 6


def stream(seed: int, shape: Shape, part: int = 0) -> np.random.Generator:
    """The numpy generator of one part of one shape for ``seed``."""
    return np.random.default_rng([seed, int(shape), part])


def check_seed(seed: object) -> int:
    """Return ``seed`` if it is a non-negative int, else raise :class:`InputError`."""
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise InputError("must be a non-negative integer", column="seed", rule="seed")
    return int(seed)


def check_count(value: object, name: str, *, minimum: int = 0) -> int:
    """Return ``value`` as an int if it is an integer >= ``minimum``, else raise InputError."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise InputError(f"must be an integer >= {minimum}", column=name, rule="count")
    return int(value)


def check_rate(value: object, name: str) -> float:
    """Return ``value`` as a float if it is a probability in [0, 1], else raise InputError."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.floating | np.integer):
        raise InputError("must be a number in [0, 1]", column=name, rule="rate")
    rate = float(value)
    if not 0.0 <= rate <= 1.0:
        raise InputError("must be a number in [0, 1]", column=name, rule="rate")
    return rate


def check_ratio(value: object, name: str, *, maximum: float) -> float:
    """Return ``value`` as a float if it is a number in [0, ``maximum``], else raise InputError."""
    message = f"must be a number in [0, {maximum:g}]"
    if isinstance(value, bool) or not isinstance(value, int | float | np.floating | np.integer):
        raise InputError(message, column=name, rule="range")
    ratio = float(value)
    if not 0.0 <= ratio <= maximum:  # also rejects NaN
        raise InputError(message, column=name, rule="range")
    return ratio


def check_date_order(start: object, end: object) -> tuple[dt.date, dt.date]:
    """``start`` and ``end`` as dates, checked so that ``start <= end``."""
    first, last = as_date(start, name="start"), as_date(end, name="end")
    if last < first:
        raise InputError("end precedes start", column="end", rule="date_order")
    return first, last


def to_day(value: object, name: str = "date") -> np.datetime64:
    """A date (or datetime, keeping its date) as a numpy day."""
    return np.datetime64(as_date(value, name=name).isoformat(), "D")


def ymd(days: npt.NDArray[np.datetime64]) -> npt.NDArray[np.int64]:
    """Days as integers ``YYYYMMDD``."""
    years = days.astype("datetime64[Y]").astype(np.int64) + 1970
    months = days.astype("datetime64[M]")
    month_no = months.astype(np.int64) % 12 + 1
    day_no = (days - months.astype("datetime64[D]")).astype(np.int64) + 1
    result: npt.NDArray[np.int64] = years * 10_000 + month_no * 100 + day_no
    return result


def day_offsets_to_dates(start: np.datetime64, offsets: npt.NDArray[np.int64]) -> pd.Series:
    """Day offsets from ``start`` as a ``datetime64[s]`` Series (the unit every frame uses)."""
    days = start + offsets.astype("timedelta64[D]")
    return pd.Series(days.astype("datetime64[s]"))
