"""``bankcrm rfm`` on real-world CSV files: encodings, separators, line numbers, policy options."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import pytest

from bankcrm.cli import main
from bankcrm.policy import load
from bankcrm.segmentation import RFMEdges

ROWS = [
    ("001", "2026-03-01", "120.50", "福州分行"),
    ("002", "2026-03-05", "80.00", "南京分行"),
    ("001", "2026-03-20", "33.10", "福州分行"),
    ("003", "2026-02-11", "1,200.00", "南京分行"),
    ("004", "2026-01-30", "5.00", "福州分行"),
]


def _csv(rows: Sequence[tuple[str, ...]] = ROWS, sep: str = ",") -> str:
    header = sep.join(["customer_id", "date", "amount", "branch"])
    lines = [sep.join(f'"{v}"' if sep in v or "," in v else v for v in row) for row in rows]
    return "\n".join([header, *lines]) + "\n"


def _run(tmp_path: Path, data: bytes, *extra: str, name: str = "tx.csv") -> int:
    path = tmp_path / name
    path.write_bytes(data)
    out = tmp_path / "scores.csv"
    return main(["rfm", str(path), "--as-of", "2026-03-31", "--out", str(out), *extra])


def test_a_gbk_file_is_detected_and_said(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(tmp_path, _csv().encode("gbk")) == 0
    err = capsys.readouterr().err
    assert "read tx.csv as gb18030" in err
    scores = pd.read_csv(tmp_path / "scores.csv", dtype={"customer_id": str})
    assert scores["customer_id"].tolist() == ["001", "002", "003", "004"]
    assert scores.loc[scores["customer_id"] == "001", "monetary_fen"].item() == 15_360


def test_a_utf8_file_with_a_bom_is_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(tmp_path, _csv().encode("utf-8-sig")) == 0
    assert "as utf-8-sig" in capsys.readouterr().err
    scores = pd.read_csv(tmp_path / "scores.csv", dtype={"customer_id": str})
    assert "customer_id" in scores.columns  # not "\ufeffcustomer_id"


def test_a_stated_encoding_is_used_silently_and_a_wrong_one_explained(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(tmp_path, _csv().encode("gbk"), "--encoding", "gbk") == 0
    assert capsys.readouterr().err == ""
    assert _run(tmp_path, _csv().encode("gbk"), "--encoding", "utf-8") == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err
    assert "UnicodeDecodeError" not in err
    assert "line 2 is not utf-8 text" in err
    assert "--encoding" in err
    assert _run(tmp_path, _csv().encode("gbk"), "--encoding", "klingon") == 2
    assert "unknown encoding 'klingon'" in capsys.readouterr().err


def test_separator_option(tmp_path: Path) -> None:
    assert _run(tmp_path, _csv(sep=";").encode(), "--sep", ";") == 0
    assert _run(tmp_path, _csv(sep="\t").encode(), "--sep", "\\t") == 0
    scores = pd.read_csv(tmp_path / "scores.csv")
    assert len(scores) == 4


def test_bad_rows_cite_csv_line_numbers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = [*ROWS[:2], ("005", "2026-03-07", "lots", "福州分行"), *ROWS[2:]]
    text = _csv(rows).replace("\n002", "\n\n002")  # a blank line before the second record
    assert _run(tmp_path, text.encode("gbk")) == 2
    err = capsys.readouterr().err
    assert "CSV line numbers" in err
    assert "rows: 5" in err  # header 1, 001 on 2, blank 3, 002 on 4, "lots" on 5
    excluded = tmp_path / "excluded.csv"
    assert (
        _run(tmp_path, text.encode("gbk"), "--on-invalid", "exclude", "--excluded", str(excluded))
        == 0
    )
    assert pd.read_csv(excluded)["line"].tolist() == [5]


def test_policy_options(tmp_path: Path) -> None:
    edges = tmp_path / "edges.json"
    args = ["--weights", "2,1,1", "--bins", "5", "--by", "branch", "--monetary", "mean"]
    assert (
        _run(tmp_path, _csv().encode(), *args, "--frequency", "active_days", "--edges", str(edges))
        == 0
    )
    fitted = load(RFMEdges, edges)
    assert fitted.weights == (2, 1, 1)
    assert fitted.bins == 5
    assert fitted.by == "branch"
    assert json.loads(edges.read_text())["by"] == "branch"


def test_bad_policy_options_are_one_line_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(tmp_path, _csv().encode(), "--weights", "2,x,1") == 2
    assert "--weights" in capsys.readouterr().err
    assert _run(tmp_path, _csv().encode(), "--bins", "12") == 2
    assert "bins: must be an integer from 2 to 9" in capsys.readouterr().err


def test_by_needs_one_group_per_customer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [*ROWS, ("002", "2026-03-09", "1.00", "福州分行")]
    assert _run(tmp_path, _csv(rows).encode(), "--by", "branch") == 2
    err = capsys.readouterr().err
    assert "more than one branch value" in err
    assert "rows: 3, 7" in err
