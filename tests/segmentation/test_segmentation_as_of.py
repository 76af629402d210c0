"""The as_of rule shared by rfm_features, edges and clv_summary: a whole date, never a time."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
import pytest

from bankcrm.calendar import as_date as _as_date
from bankcrm.errors import InputError


def as_date(value: Any) -> dt.date:
    return _as_date(value, name="as_of")


@pytest.mark.parametrize(
    "value",
    [
        "2026-03-31",
        " 2026-03-31 ",
        "2026-03-31T00:00:00",
        dt.date(2026, 3, 31),
        dt.datetime(2026, 3, 31),
        pd.Timestamp("2026-03-31"),
        np.datetime64("2026-03-31"),
    ],
)
def test_whole_dates_are_read(value: Any) -> None:
    assert as_date(value) == dt.date(2026, 3, 31)


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("2026-03-31 10:00", "time of day"),
        (pd.Timestamp("2026-03-31 10:00"), "time of day"),
        (np.datetime64("2026-03-31T10:00"), "time of day"),
        (pd.NaT, "NaT"),
        (np.datetime64("NaT"), "NaT"),
        (np.datetime64("99999-01-01"), "out of range"),
        ("2026-02-30", "not a date"),
        ("junk", "not a date"),
        (None, "not a date"),
    ],
)
def test_bad_as_of_is_a_bankcrm_error_naming_the_argument(value: Any, fragment: str) -> None:
    with pytest.raises(InputError, match=fragment) as caught:
        as_date(value)
    assert caught.value.column == "as_of"
    assert caught.value.rule == "date"
