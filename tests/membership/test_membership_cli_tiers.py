"""``bankcrm tiers``: files in, one graded row per customer out, errors by CSV line."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from bankcrm.cli import COMMANDS, main
from bankcrm.datasets import synthetic_bank
from bankcrm.membership import evaluate_tiers, membership_timeline, review_notifications
from bankcrm.membership.presets import EVERBRIGHT
from bankcrm.policy import save

AS_OF = "2025-12-31"


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    bank = synthetic_bank(300, seed=9)
    folder = tmp_path_factory.mktemp("tiers")
    paths = {name: folder / f"{name}.csv" for name in ("accounts", "balances", "fx_rates")}
    bank.accounts.to_csv(paths["accounts"], index=False, encoding="gb18030")
    bank.balances.to_csv(paths["balances"], index=False)
    bank.fx_rates.to_csv(paths["fx_rates"], index=False)
    return paths


def _run(files: dict[str, Path], out: Path, *extra: str) -> int:
    return main(
        [
            "tiers",
            str(files["accounts"]),
            str(files["balances"]),
            "--fx-rates",
            str(files["fx_rates"]),
            "--as-of",
            AS_OF,
            "--out",
            str(out),
            *extra,
        ]
    )


def test_the_command_is_listed() -> None:
    assert "tiers" in [c.name for c in COMMANDS]


def test_files_give_what_the_library_gives(files: dict[str, Path], tmp_path: Path) -> None:
    assert _run(files, tmp_path / "tiers.parquet") == 0
    got = pd.read_parquet(tmp_path / "tiers.parquet")
    bank = synthetic_bank(300, seed=9)
    want = evaluate_tiers(
        bank.accounts, bank.balances, EVERBRIGHT, as_of=AS_OF, fx_rates=bank.fx_rates
    )
    assert got["tier"].tolist() == want["tier"].tolist()
    assert got["balance_days_fen"].tolist() == want["balance_days_fen"].tolist()


def test_a_ladder_file_and_the_previous_output_as_states(
    files: dict[str, Path], tmp_path: Path
) -> None:
    ladder = save(EVERBRIGHT, tmp_path / "ladder.toml")
    first = tmp_path / "now.csv"
    assert _run(files, first, "--ladder", str(ladder)) == 0
    assert _run(files, tmp_path / "again.csv", "--states", str(first)) == 0
    again = pd.read_csv(tmp_path / "again.csv")
    assert again["tier"].tolist() == pd.read_csv(first)["tier"].tolist()  # idempotent


def test_a_bad_balance_row_is_reported_by_its_csv_line(
    files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    balances = pd.read_csv(files["balances"], dtype=str)
    balances.loc[4, "balance"] = "lots"
    bad = dict(files, balances=tmp_path / "bad.csv")
    balances.to_csv(bad["balances"], index=False)
    assert _run(bad, tmp_path / "out.csv") == 2
    message = capsys.readouterr().err
    assert "column 'balance'" in message
    assert "rows: 6]" in message  # data row 4 is CSV line 6 (the header is line 1)
    assert "CSV line numbers" in message


def test_notifications_and_timeline_files(files: dict[str, Path], tmp_path: Path) -> None:
    notes_path, history_path = tmp_path / "list.parquet", tmp_path / "history.parquet"
    code = _run(
        files,
        tmp_path / "tiers.csv",
        "--notifications",
        str(notes_path),
        "--timeline",
        str(history_path),
        "--start",
        "2025-06-01",
    )
    assert code == 0
    bank = synthetic_bank(300, seed=9)
    want = review_notifications(
        bank.accounts, bank.balances, EVERBRIGHT, as_of=AS_OF, fx_rates=bank.fx_rates
    )
    got = pd.read_parquet(notes_path)
    assert got["customer_id"].tolist() == want["customer_id"].tolist()
    assert got["change"].tolist() == want["change"].tolist()
    assert got["balance_days_fen"].tolist() == want["balance_days_fen"].tolist()
    history = pd.read_parquet(history_path)
    timeline = membership_timeline(
        bank.accounts,
        bank.balances,
        EVERBRIGHT,
        start="2025-06-01",
        as_of=AS_OF,
        fx_rates=bank.fx_rates,
    )
    assert len(history) == len(timeline) > 0
    assert history["event"].tolist() == timeline["event"].tolist()


def test_one_review_tier_and_timeline_needs_start(
    files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    notes_path = tmp_path / "wealth.csv"
    assert (
        _run(
            files, tmp_path / "t.csv", "--notifications", str(notes_path), "--review-tier", "wealth"
        )
        == 0
    )
    assert set(pd.read_csv(notes_path)["review_tier"]) == {"wealth"}
    assert "rows for the next review" in capsys.readouterr().out
    assert _run(files, tmp_path / "t.csv", "--timeline", str(tmp_path / "h.csv")) == 2
    assert "--timeline needs --start" in capsys.readouterr().err
