"""The ``bankcrm`` command line, driven through ``bankcrm.cli.main``."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import bankcrm
from bankcrm import cli
from bankcrm.cli import COMMANDS, build_parser, main
from bankcrm.datasets import FRAME_NAMES


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.strip() == f"bankcrm {bankcrm.__version__}"


def test_no_command_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 0
    assert "demo" in capsys.readouterr().out


def test_datasets_synth_writes_every_frame_as_csv(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "bank"
    status = main(
        [
            "datasets",
            "synth",
            "--customers",
            "60",
            "--seed",
            "3",
            "--out",
            str(out),
            "--format",
            "csv",
        ]
    )
    assert status == 0
    for name in FRAME_NAMES:
        assert (out / f"{name}.csv").is_file(), name
    records = pd.read_csv(out / "records.csv")
    assert records["person_id"].nunique() == 60
    assert len(pd.read_csv(out / "transactions.csv")) == 20 * 60
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["settings"]["seed"] == 3
    assert "records" in capsys.readouterr().out


def test_datasets_synth_knobs(tmp_path: Path) -> None:
    args = ["datasets", "synth", "--customers", "40", "--seed", "1", "--out", str(tmp_path)]
    args += ["--format", "csv", "--transactions", "77", "--duplication-rate", "0.5", "--quiet"]
    assert main(args) == 0
    assert len(pd.read_csv(tmp_path / "transactions.csv")) == 77
    assert len(pd.read_csv(tmp_path / "records.csv")) == 60


def test_datasets_synth_parquet(tmp_path: Path) -> None:
    args = ["datasets", "synth", "--customers", "30", "--seed", "1", "--out", str(tmp_path)]
    assert main([*args, "--quiet"]) == 0
    assert (tmp_path / "records.parquet").is_file()


def test_bad_sizes_are_reported_not_raised(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["datasets", "synth", "--customers", "-5", "--seed", "1", "--out", str(tmp_path)]
    assert main(args) == 2
    assert "n_customers" in capsys.readouterr().err


def test_missing_required_argument_exits_with_usage() -> None:
    with pytest.raises(SystemExit) as exited:
        main(["datasets", "synth", "--customers", "5"])
    assert exited.value.code == 2


def test_demo_runs_end_to_end(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "demo"
    assert (
        main(["demo", "--customers", "150", "--seed", "2", "--out", str(out), "--format", "csv"])
        == 0
    )
    captured = capsys.readouterr()
    assert "generate the synthetic bank" in captured.out
    assert "total" in captured.out
    assert "[1/" in captured.err  # progress on stderr
    assert (out / "summary.txt").read_text(encoding="utf-8").startswith("bankcrm")
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["customers"] == 150
    assert (out / "data" / "records.csv").is_file()
    assert (out / "results" / "damage_summary.csv").is_file()


def test_demo_quiet(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["demo", "--customers", "50", "--out", str(tmp_path), "--format", "csv", "--quiet"]
    assert main(args) == 0
    assert capsys.readouterr().err == ""


def test_module_commands_come_from_one_explicit_list() -> None:
    """No discovery by file name: ``COMMANDS`` lists every module's command, in order."""
    assert not hasattr(cli, "_add_module_commands")
    assert [c.name for c in COMMANDS][:1] == ["rfm"]
    for command in COMMANDS:
        assert callable(getattr(importlib.import_module(command.module), command.add))
    full = build_parser().format_help()
    assert all(command.name in full for command in COMMANDS)


def test_top_level_help_imports_no_command_module() -> None:
    """``bankcrm --help`` builds placeholders only: no command's module (nor pandas) loads."""
    code = (
        "import sys; from bankcrm.cli import COMMANDS, build_parser; "
        "help = build_parser(['--help']).format_help(); "
        "assert all(c.name in help for c in COMMANDS), help; "
        "loaded = [c.module for c in COMMANDS if c.module in sys.modules]; "
        "assert not loaded, loaded; assert 'pandas' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_module_commands_are_dispatched(tmp_path: Path) -> None:
    args = ["datasets", "synth", "--customers", "80", "--seed", "5", "--out", str(tmp_path)]
    assert main([*args, "--format", "csv", "--quiet"]) == 0
    scores = tmp_path / "scores.csv"
    rfm = ["rfm", str(tmp_path / "transactions.csv"), "--as-of", "2025-12-31"]
    assert main([*rfm, "--out", str(scores)]) == 0
    assert scores.is_file()


def test_rfm_help_is_the_real_parser(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["rfm", "--help"])
    assert exited.value.code == 0
    assert "--as-of" in capsys.readouterr().out


def test_demo_help_says_parquet_is_the_default(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["demo", "--help"])
    out = capsys.readouterr().out
    assert "default parquet" in out
    assert "pyarrow" not in out


@pytest.mark.parametrize("command", ["synth", "demo"])
def test_an_output_path_that_is_a_file_fails_before_any_work(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    taken = tmp_path / "taken"
    taken.write_text("mine")
    head = ["datasets", "synth", "--seed", "1"] if command == "synth" else ["demo"]
    for out in (taken, taken / "below"):
        status = main([*head, "--customers", "30", "--out", str(out), "--format", "csv"])
        assert status == 2
        captured = capsys.readouterr()
        assert "exists and is not a directory" in captured.err
        assert "generating" not in captured.err
        assert "[1/" not in captured.err
        assert "Traceback" not in captured.err
    assert taken.read_text() == "mine"


def test_bad_arguments_do_not_create_the_output_directory(tmp_path: Path) -> None:
    out = tmp_path / "never"
    args = ["datasets", "synth", "--customers", "0", "--seed", "1", "--out", str(out)]
    assert main(args) == 2
    assert main(["demo", "--customers", "10", "--seed", "-1", "--out", str(out)]) == 2
    assert not out.exists()
