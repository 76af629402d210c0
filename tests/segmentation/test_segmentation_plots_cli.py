"""Plots (Agg backend, optional extra) and the ``bankcrm rfm`` command."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import attrs
import numpy as np
import pandas as pd
import pytest

from bankcrm.errors import MissingDependencyError
from bankcrm.policy import load, save
from bankcrm.segmentation import (
    TEN_SEGMENTS,
    RFMEdges,
    RFMPolicy,
    assign_segments,
    fit_rfm_edges,
    plots,
    rfm_features,
    score_rfm,
    segment_migration,
)
from bankcrm.segmentation.cli_rfm import add_rfm_command


def _transactions(n_customers: int = 60, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = n_customers * 8
    return pd.DataFrame(
        {
            "customer_id": rng.integers(1, n_customers + 1, n) * 1000 + 7,
            "date": pd.Timestamp("2026-03-31") - pd.to_timedelta(rng.integers(0, 400, n), "D"),
            "amount": np.round(rng.lognormal(4, 1, n), 2),
        }
    )


def _segmented() -> pd.DataFrame:
    result = rfm_features(_transactions(), as_of="2026-03-31")
    return assign_segments(score_rfm(result, fit_rfm_edges(result)))


def _agg() -> None:
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")


def test_heatmap_sizes_and_migration_return_figures() -> None:
    _agg()
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    segmented = _segmented()
    heat = plots.rfm_heatmap(segmented)
    assert isinstance(heat, Figure)
    image = np.asarray(heat.axes[0].images[0].get_array())
    assert image.shape == (5, 5)
    # the top-left cell is R 5, F 1: its mean monetary is the data's
    cell = segmented[(segmented["r_score"] == 5) & (segmented["f_score"] == 1)]
    if len(cell):
        assert image[0, 0] == pytest.approx(cell["monetary_fen"].mean() / 100)
    sizes = plots.segment_sizes(segmented)
    bars = [p.get_width() for p in sizes.axes[0].patches if isinstance(p, Rectangle)]
    assert sum(bars) == len(segmented)
    assert len(bars) == 10
    moves = segment_migration(segmented, segmented.iloc[::2])
    figure = plots.migration_heatmap(moves)
    assert isinstance(figure, Figure)
    assert np.asarray(figure.axes[0].images[0].get_array()).shape == moves.matrix.shape


def test_missing_matplotlib_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    _agg()
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(MissingDependencyError) as info:
        plots.segment_sizes(_segmented())
    assert info.value.extra == "plots"
    assert "bankcrm[plots]" in str(info.value)


def _run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bankcrm")
    add_rfm_command(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    return int(args.handler(args))


def test_cli_fits_saves_then_reuses_edges(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tx = _transactions()
    source = tmp_path / "tx.csv"
    tx.to_csv(source, index=False)
    edges_file = tmp_path / "edges.json"
    out = tmp_path / "scores.csv"
    assert (
        _run(
            [
                "rfm",
                str(source),
                "--as-of",
                "2026-03-31",
                "--edges",
                str(edges_file),
                "--out",
                str(out),
            ]
        )
        == 0
    )
    assert "fitted edges" in capsys.readouterr().out
    edges = load(RFMEdges, edges_file)
    scores = pd.read_csv(out, dtype={"customer_id": str, "rfm_code": str})
    expected = score_rfm(rfm_features(tx, as_of="2026-03-31"), edges)
    # CSV ids are read as text (leading zeros survive): compare customer by customer
    got = dict(zip(scores["customer_id"], scores["rfm_code"], strict=True))
    want = dict(
        zip(expected["customer_id"].astype(str), expected["rfm_code"].astype(str), strict=True)
    )
    assert got == want
    assert scores["customer_id"].tolist() == sorted(scores["customer_id"].tolist())
    # a later month, scored against the saved edges
    later = tmp_path / "later.parquet"
    assert (
        _run(
            [
                "rfm",
                str(source),
                "--as-of",
                "2026-04-30",
                "--edges",
                str(edges_file),
                "--out",
                str(later),
                "--excluded",
                str(tmp_path / "excluded.csv"),
            ]
        )
        == 0
    )
    assert "reused edges" in capsys.readouterr().out
    assert load(RFMEdges, edges_file) == edges
    assert len(pd.read_parquet(later)) == len(scores)


def test_cli_parquet_input_and_custom_columns(tmp_path: Path) -> None:
    tx = _transactions().rename(columns={"customer_id": "cust", "amount": "amt"})
    source = tmp_path / "tx.parquet"
    tx.to_parquet(source)
    out = tmp_path / "scores.csv"
    code = _run(
        [
            "rfm",
            str(source),
            "--as-of",
            "2026-03-31",
            "--out",
            str(out),
            "--customer-id",
            "cust",
            "--amount",
            "amt",
            "--window",
            "90",
        ]
    )
    assert code == 0
    scores = pd.read_csv(out)
    expected = rfm_features(
        _transactions(), as_of="2026-03-31", policy=RFMPolicy(window_days=90)
    ).features
    assert scores["customer_id"].tolist() == expected["customer_id"].tolist()
    assert set(scores["segment"]) <= set(TEN_SEGMENTS.keys)


def test_cli_reads_a_policy_file_and_options_change_its_fields(tmp_path: Path) -> None:
    tx = _transactions()
    source = tmp_path / "tx.parquet"
    tx.to_parquet(source)
    policy = RFMPolicy(name="my_bank.rfm", version="3", window_days=90, negatives="net")
    policy_file = save(policy, tmp_path / "rfm.toml")
    out = tmp_path / "scores.parquet"
    argv = ["rfm", str(source), "--as-of", "2026-03-31", "--out", str(out)]
    assert _run([*argv, "--policy", str(policy_file)]) == 0
    expected = rfm_features(tx, as_of="2026-03-31", policy=policy).features
    scores = pd.read_parquet(out)
    assert scores["customer_id"].tolist() == expected["customer_id"].tolist()
    assert scores["monetary_fen"].tolist() == expected["monetary_fen"].tolist()
    # an option changes one field of the file's policy
    assert _run([*argv, "--policy", str(policy_file), "--window", "30"]) == 0
    narrower = rfm_features(tx, as_of="2026-03-31", policy=attrs.evolve(policy, window_days=30))
    assert pd.read_parquet(out)["monetary_fen"].tolist() == (
        narrower.features["monetary_fen"].tolist()
    )


def test_cli_edges_as_toml(tmp_path: Path) -> None:
    source = tmp_path / "tx.parquet"
    _transactions().to_parquet(source)
    edges_file = tmp_path / "edges.toml"
    argv = ["rfm", str(source), "--as-of", "2026-03-31", "--out", str(tmp_path / "s.parquet")]
    assert _run([*argv, "--edges", str(edges_file)]) == 0
    assert load(RFMEdges, edges_file).bins == 5
