"""``bankcrm identity standardize``: records file in, standardised records out (issue 9)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from bankcrm import cli
from bankcrm.identity import StandardizePolicy
from bankcrm.identity.dispatch import DEFAULT_ID_TYPE_ALIASES, IdTypeAliases
from bankcrm.policy import save

HEADER = "id_type,id_number,name,birth_date,gender,phone,address\n"
ROWS = [
    "居民身份证,11010519491231002X,张伟,1949-12-31,F,13800138000,北京市朝阳区建国路88号\n",
    "RIC,110105491231002,李娜,,,+86 139 0000 0000,福建省福州市鼓楼区五四路1号\n",
    "01,011010519491231002X,王芳,,,,\n",
]


def test_the_command_is_listed() -> None:
    listed = {c.name: c for c in cli.COMMANDS}
    assert listed["identity"].module == "bankcrm.identity.cli_standardize"


def _run(*argv: str) -> int:
    return cli.main(["identity", "standardize", *argv])


def _write(tmp_path: Path, text: str, encoding: str = "utf-8", name: str = "r.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize("out_name", ["out.csv", "out.parquet"])
def test_csv_in_csv_or_parquet_out(
    tmp_path: Path, out_name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    records = _write(tmp_path, HEADER + "".join(ROWS))
    out = tmp_path / out_name
    assert _run(str(records), "--as-of", "2026-06-30", "--out", str(out)) == 0
    frame = pd.read_csv(out, dtype=str) if out_name.endswith(".csv") else pd.read_parquet(out)
    assert frame["id_canonical"].tolist()[:2] == ["11010519491231002X"] * 2
    assert frame["id_valid"].astype(str).tolist() == ["True", "True", "False"]
    assert frame["addr_district"].tolist()[1] == "鼓楼区"
    assert frame["id_number"].tolist()[2] == "011010519491231002X"  # kept as text
    assert "3 records standardised" in capsys.readouterr().out


def test_parquet_in_with_columns_and_a_policy(tmp_path: Path) -> None:
    frame = pd.read_csv(_write(tmp_path, HEADER + "".join(ROWS)), dtype=str)
    frame = frame.rename(columns={"id_number": "cert_no"}).assign(id_type=["20", "20", "01"])
    records = tmp_path / "r.parquet"
    frame.to_parquet(records)
    aliases = IdTypeAliases(aliases={**DEFAULT_ID_TYPE_ALIASES.aliases, "20": "RIC"})
    policy = save(StandardizePolicy(id_types=aliases), tmp_path / "policy.toml")
    out = tmp_path / "out.parquet"
    argv = [str(records), "--as-of", "2026-06-30", "--out", str(out), "--policy", str(policy)]
    assert _run(*argv, "--columns", "id_number=cert_no") == 0
    assert pd.read_parquet(out)["id_valid"].tolist() == [True, True, False]


def test_gbk_csv_is_detected_and_an_explicit_encoding_and_separator_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (HEADER + "".join(ROWS)).replace(",", ";")
    records = _write(tmp_path, text, "gbk")
    out = tmp_path / "out.csv"
    assert _run(str(records), "--as-of", "2026-06-30", "--out", str(out), "--sep", ";") == 0
    assert "as gb18030" in capsys.readouterr().err
    args = ["--encoding", "gbk", "--sep", ";"]
    assert _run(str(records), "--as-of", "2026-06-30", "--out", str(out), *args) == 0
    assert pd.read_csv(out, dtype=str)["name_norm"].tolist() == ["张伟", "李娜", "王芳"]


def _error(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) >= 1
    return err[-1]


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["missing.csv", "--as-of", "2026-06-30", "--out", "o.csv"], "no such file"),
        (["{records}", "--as-of", "2026-06-31", "--out", "o.csv"], "as_of"),
        (["{records}", "--as-of", "2026-06-30", "--out", "o.txt"], ".csv or .parquet"),
        (["{records}", "--as-of", "2026-06-30", "--out", "o.csv", "--sep", ";;"], "--sep"),
        (["{records}", "--as-of", "2026-06-30", "--out", "o.csv", "--encoding", "x"], "encoding"),
        (["{records}", "--as-of", "2026-06-30", "--out", "o.csv", "--columns", "x"], "ROLE=NAME"),
        (["{records}", "--as-of", "2026-06-30", "--out", "o.csv", "--columns", "nope=x"], "nope"),
        (["{records}", "--as-of", "2026-06-30", "--out", "o.csv", "--policy", "{bad}"], "bad"),
    ],
)
def test_errors_are_one_line_with_status_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], expected: str
) -> None:
    records = _write(tmp_path, HEADER + "".join(ROWS))
    bad = tmp_path / "bad.toml"
    bad.write_text("strict_ids = 3\n")
    argv = [a.format(records=records, bad=bad) for a in argv]
    argv = [str(tmp_path / a) if a.startswith("o.") or a == "missing.csv" else a for a in argv]
    assert _run(*argv) == 2
    line = _error(capsys)
    assert line.startswith("bankcrm: error:")
    assert expected in line


def test_bad_rows_are_cited_by_csv_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Read as text, a CSV file's cells are flagged rather than raised by standardize; an error
    # about rows (positions 1 and 2) is reported with the lines they are on. Line 3 is blank
    # and the third row's quoted address spans two lines.
    from bankcrm.errors import InputError, Rule
    from bankcrm.identity import cli_standardize

    def refuse(records: pd.DataFrame, **_: object) -> pd.DataFrame:
        raise InputError("records: bad", column="name", rule=Rule.NOT_TEXT, positions=[1, 2])

    monkeypatch.setattr(cli_standardize, "standardize", refuse)
    text = (
        HEADER
        + ROWS[0]
        + "\n"
        + ROWS[1].replace("福建省福州市鼓楼区五四路1号", '"福建省福州市\n鼓楼区五四路1号"')
        + ROWS[2]
    )
    records = _write(tmp_path, text)
    assert _run(str(records), "--as-of", "2026-06-30", "--out", str(tmp_path / "o.csv")) == 2
    line = _error(capsys)
    assert "CSV line numbers" in line
    assert "rows: 4, 6" in line


def test_undecodable_text_is_one_line_naming_the_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    records = tmp_path / "r.csv"
    records.write_bytes((HEADER + ROWS[0]).encode("utf-8") + b"RIC,\xff\xfe,x,,,,\n")
    out = str(tmp_path / "o.csv")
    assert _run(str(records), "--as-of", "2026-06-30", "--out", out, "--encoding", "utf-8") == 2
    line = _error(capsys)
    assert "line 3" in line
    assert "utf-8" in line
