"""Writing a bank to CSV and Parquet."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from bankcrm.datasets import FRAME_NAMES, SyntheticBank, write_bank
from bankcrm.errors import InputError


def test_csv_round_trip(small_bank: SyntheticBank, tmp_path: Path) -> None:
    paths = write_bank(small_bank, tmp_path, file_format="csv")
    assert set(paths) == set(FRAME_NAMES)
    for name, path in paths.items():
        assert path.suffix == ".csv"
        back = pd.read_csv(path)
        assert len(back) == len(small_bank.frames()[name]), name
        assert list(back.columns) == list(small_bank.frames()[name].columns), name
    shares = pd.read_csv(paths["holdings"], dtype={"equity_share": str})["equity_share"]
    assert [Decimal(s) for s in shares] == list(small_bank.holdings["equity_share"])
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["settings"]["seed"] == 11
    assert manifest["frames"]["records"]["rows"] == len(small_bank.records)


def test_parquet_round_trip(small_bank: SyntheticBank, tmp_path: Path) -> None:
    paths = write_bank(small_bank, tmp_path)
    back = pd.read_parquet(paths["transactions"])
    # Parquet has no second resolution: dates come back as milliseconds, same instants.
    pd.testing.assert_frame_equal(back, small_bank.transactions, check_dtype=False)
    assert str(back["date"].dtype) == "datetime64[ms]"
    holdings = pd.read_parquet(paths["holdings"])
    assert list(holdings["voting_share"]) == list(small_bank.holdings["voting_share"])
    records = pd.read_parquet(paths["records"])
    assert records["id_number"].equals(
        small_bank.records["id_number"].astype(records["id_number"].dtype)
    )


def test_unknown_format(small_bank: SyntheticBank, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="parquet, csv"):
        write_bank(small_bank, tmp_path, file_format="xlsx")
