"""``bankcrm credit groups``: the synthetic bank's files in, groups and controllers out."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from bankcrm.cli import COMMANDS, main
from bankcrm.credit import GroupPolicy, identify_groups, ultimate_controllers
from bankcrm.datasets import SyntheticBank, synthetic_bank
from bankcrm.policy import save

AS_OF = "2025-12-31"
FRAMES = ("parties", "holdings", "control_arrangements", "person_ties")


@pytest.fixture(scope="module")
def bank() -> SyntheticBank:
    return synthetic_bank(300, seed=5)


@pytest.fixture(scope="module", params=["csv", "parquet"])
def files(
    request: pytest.FixtureRequest, bank: SyntheticBank, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Path]:
    suffix = request.param
    folder = tmp_path_factory.mktemp(f"credit_{suffix}")
    paths = {}
    for name in FRAMES:
        frame = getattr(bank, name)
        path = folder / f"{name}.{suffix}"
        if suffix == "csv":
            frame.to_csv(path, index=False, encoding="gb18030" if name == "parties" else "utf-8")
        else:
            frame.astype({c: str for c in frame.columns if frame[c].dtype == object}).to_parquet(
                path, index=False
            )
        paths[name] = path
    return paths


def _run(files: dict[str, Path], out: Path, *extra: str) -> int:
    return main(
        [
            "credit",
            "groups",
            str(files["parties"]),
            str(files["holdings"]),
            "--as-of",
            AS_OF,
            "--out",
            str(out),
            "--control-arrangements",
            str(files["control_arrangements"]),
            "--person-ties",
            str(files["person_ties"]),
            *extra,
        ]
    )


def test_the_command_is_listed() -> None:
    assert "credit" in [c.name for c in COMMANDS]


def test_files_give_what_the_library_gives(
    files: dict[str, Path], bank: SyntheticBank, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(files, tmp_path / "out") == 0
    got = pd.read_csv(tmp_path / "out" / "groups.csv", dtype=str, keep_default_na=False)
    frames = {name: getattr(bank, name) for name in FRAMES}
    want = identify_groups(
        frames["parties"],
        frames["holdings"],
        as_of=AS_OF,
        control_arrangements=frames["control_arrangements"],
        person_ties=frames["person_ties"],
    )
    for column in ("party_id", "group_id", "role", "path", "path_shares", "basis"):
        assert got[column].tolist() == want[column].astype(str).tolist(), column
    controllers = pd.read_csv(tmp_path / "out" / "ultimate_controllers.csv", dtype=str)
    expected = ultimate_controllers(
        frames["parties"],
        frames["holdings"],
        as_of=AS_OF,
        control_arrangements=frames["control_arrangements"],
        person_ties=frames["person_ties"],
    )
    assert controllers["controller_kind"].tolist() == expected["controller_kind"].tolist()
    printed = capsys.readouterr().out
    groups = want["group_id"].nunique()
    assert f"{want['party_id'].nunique():,} parties in {groups:,} groups as of {AS_OF}" in printed
    assert "control: votes > 0.5" in printed


def test_parquet_output_and_a_policy_file(files: dict[str, Path], tmp_path: Path) -> None:
    policy = save(GroupPolicy(joint_control="both"), tmp_path / "policy.toml")
    out = tmp_path / "out"
    assert _run(files, out, "--format", "parquet", "--policy", str(policy)) == 0
    got = pd.read_parquet(out / "groups.parquet")
    assert (got["basis"] == "joint").any() == (got["role"] == "joint_venture").any()
    assert (out / "ultimate_controllers.parquet").exists()


def test_a_bad_row_is_reported_by_its_csv_line(
    bank: SyntheticBank, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    parties = bank.parties
    holdings = bank.holdings.copy()
    holdings.loc[3, "owned_id"] = "NOBODY"  # data row 3 is CSV line 5
    parties.to_csv(tmp_path / "parties.csv", index=False)
    holdings.to_csv(tmp_path / "holdings.csv", index=False)
    status = main(
        [
            "credit",
            "groups",
            str(tmp_path / "parties.csv"),
            str(tmp_path / "holdings.csv"),
            "--as-of",
            AS_OF,
            "--out",
            str(tmp_path / "out"),
        ]
    )
    assert status == 2
    error = capsys.readouterr().err
    assert "column 'owned_id'" in error
    assert "CSV line numbers" in error
    assert error.rstrip().endswith("[rule: domain; rows: 5]")
    assert not (tmp_path / "out").exists()  # nothing written on an error


def test_a_missing_file_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status = main(
        ["credit", "groups", "nope.csv", "nope.csv", "--as-of", AS_OF, "--out", str(tmp_path)]
    )
    assert status == 2
    assert "no such file" in capsys.readouterr().err


def test_dependencies_join_groups_only_in_the_connected_view(
    bank: SyntheticBank, tmp_path: Path
) -> None:
    for name in ("parties", "holdings", "dependencies"):
        getattr(bank, name).to_csv(tmp_path / f"{name}.csv", index=False)
    status = main(
        [
            "credit",
            "groups",
            str(tmp_path / "parties.csv"),
            str(tmp_path / "holdings.csv"),
            "--dependencies",
            str(tmp_path / "dependencies.csv"),
            "--as-of",
            AS_OF,
            "--out",
            str(tmp_path / "out"),
            "--sep",
            ",",
        ]
    )
    assert status == 0
    got = pd.read_csv(tmp_path / "out" / "groups.csv", dtype=str)
    want = identify_groups(bank.parties, bank.holdings, as_of=AS_OF, dependencies=bank.dependencies)
    assert got["connected_group_id"].tolist() == want["connected_group_id"].tolist()
    assert (got["connected_group_id"] != got["group_id"]).any()
