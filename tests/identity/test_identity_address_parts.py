"""Addresses cut into parts (as :func:`standardize` does on several threads) give the results
of the scalar parser, on data of the untuned benchmark's shape."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pandas as pd
import pytest

from bankcrm.identity import addresses
from bankcrm.identity.addresses import ADDRESS_COLUMNS, address_frame, parse_address
from bankcrm.identity.standardize import standardize

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repository's benchmarks
from benchmarks.bench_standardize import make_untuned_records


def _scalar(values: pd.Series) -> pd.DataFrame:
    rows = []
    for value in values:
        parts = parse_address(value)
        fields = (
            (None,) * 6
            if parts is None
            else (parts.province, parts.city, parts.district, parts.street, parts.unit, parts.key)
        )
        rows.append(fields)
    return pd.DataFrame(rows, columns=list(ADDRESS_COLUMNS), index=values.index).astype("str")


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_standardize_addresses_in_parts_equal_the_scalar_parser(
    monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    records = make_untuned_records(6_000, seed=11)
    records.loc[records.index[::97], "address"] = None
    monkeypatch.setattr(addresses, "_MIN_PART", 500)  # several parts on a small frame
    out = standardize(records, as_of=dt.date(2026, 1, 4), workers=workers)
    expected = _scalar(records["address"])
    pd.testing.assert_frame_equal(
        out[list(ADDRESS_COLUMNS)].astype("str"), expected, check_dtype=False
    )
    pd.testing.assert_frame_equal(
        address_frame(records["address"]).astype("str"), expected, check_dtype=False
    )


def test_parts_cover_every_distinct_address(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(addresses, "_MIN_PART", 2)
    values = pd.Series(["北京市朝阳区建国路1号", None, "上海市浦东新区世纪大道2号", "x", "y"])
    _index, codes, parts = addresses._address_parts(values, 3)
    assert len(parts) == 2
    assert sorted(i for p in parts for i in p.index) == list(range(4))
    assert codes.tolist() == [0, -1, 1, 2, 3]
