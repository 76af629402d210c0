"""Issue 9: the defects a first user tripped on in segmentation, each pinned by a test."""

from __future__ import annotations

import datetime as dt
import pathlib
import tempfile
import warnings

import numpy as np
import pandas as pd
import pytest

from bankcrm.datasets import synthetic_bank
from bankcrm.errors import InputError
from bankcrm.policy import load, save
from bankcrm.segmentation import (
    THREE_VALUE_GROUPS,
    BGNBDModel,
    GammaGammaModel,
    RFMEdges,
    RFMPolicy,
    ValueGroupPolicy,
    assign_segments,
    customer_value,
    fit_rfm_edges,
    rfm_features,
    score_customer,
    score_rfm,
    segment_migration,
)

YEAR = RFMPolicy(window_days=365)


@pytest.fixture(scope="module")
def bank() -> object:
    return synthetic_bank(300, seed=5)


# --- 1. segment_migration: date order and edges ---------------------------------------------


def _segmented(bank: object, as_of: dt.date, edges: RFMEdges | None = None) -> pd.DataFrame:
    features = rfm_features(bank.transactions, as_of=as_of, policy=YEAR)  # type: ignore[attr-defined]
    return assign_segments(score_rfm(features, edges or fit_rfm_edges(features)))


def test_migration_refuses_swapped_dates(bank: object) -> None:
    as_of = bank.as_of  # type: ignore[attr-defined]
    earlier = as_of - dt.timedelta(days=91)
    edges = fit_rfm_edges(rfm_features(bank.transactions, as_of=earlier, policy=YEAR))  # type: ignore[attr-defined]
    before, after = _segmented(bank, earlier, edges), _segmented(bank, as_of, edges)
    assert segment_migration(before, after).before_as_of == earlier
    with pytest.raises(InputError) as info:
        segment_migration(after, before)
    assert info.value.rule == "date_order"
    assert str(earlier) in info.value.message
    assert str(as_of) in info.value.message


def test_migration_refuses_frames_scored_with_different_edges(bank: object) -> None:
    as_of = bank.as_of  # type: ignore[attr-defined]
    earlier = as_of - dt.timedelta(days=91)
    before, after = _segmented(bank, earlier), _segmented(bank, as_of)  # each its own edges
    with pytest.raises(InputError) as info:
        segment_migration(before, after)
    assert info.value.rule == "mismatch"
    assert "same fitted edges" in info.value.message


def test_scores_record_as_of_and_edges(bank: object, tmp_path: object) -> None:
    as_of = bank.as_of  # type: ignore[attr-defined]
    features = rfm_features(bank.transactions, as_of=as_of, policy=YEAR)  # type: ignore[attr-defined]
    edges = fit_rfm_edges(features)
    again = load(RFMEdges, save(edges, tmp_path / "edges.toml"))  # type: ignore[operator]
    one, two = score_rfm(features, edges), score_rfm(features, again)
    record = one.attrs["bankcrm"]["rfm_edges"]
    assert record["as_of"] == edges.as_of.isoformat()  # type: ignore[union-attr]
    assert record == two.attrs["bankcrm"]["rfm_edges"]  # same edges, same fingerprint
    moves = segment_migration(assign_segments(one), assign_segments(two))
    assert moves.edges == record
    assert moves.after_as_of == as_of


# --- 2. fit_rfm_edges(by=...) with a group without an active customer -----------------------


def _grouped() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": range(8),
            "recency_days": pd.array([1, 5, 9, 2, 30, 60, None, None], dtype="Int64"),
            "frequency": [9, 3, 1, 4, 2, 1, 0, 0],
            "monetary_fen": [900, 300, 100, 5_000, 4_000, 1_000, 0, 0],
            "branch": ["a", "a", "a", "b", "b", "b", "c", "c"],
        }
    )


def test_empty_group_raises_by_default_naming_the_group() -> None:
    with pytest.raises(InputError) as info:
        fit_rfm_edges(_grouped(), policy=RFMPolicy(by="branch"))
    assert info.value.rule == "empty"
    assert "'c'" in info.value.message
    assert "empty_group='fallback'" in info.value.message


def test_empty_group_falls_back_to_the_population_cuts_in_both_paths() -> None:
    features = _grouped()
    edges = fit_rfm_edges(features, policy=RFMPolicy(by="branch", empty_group="fallback"))
    pooled = fit_rfm_edges(features).cuts
    entry = next(g for g in edges.groups if g.group == "c")
    assert entry.fallback
    assert entry.cuts == pooled
    assert not any(g.fallback for g in edges.groups if g.group != "c")
    assert load(RFMEdges, save(edges, _tmp() / "e.json")) == edges
    shifted = features.assign(branch=["c"] * 8)  # every customer scored by group c's cuts
    batch = score_rfm(shifted, edges)["rfm_code"].tolist()
    scalar = [score_customer(row, edges).code for _, row in shifted.iterrows()]
    assert batch == scalar == score_rfm(features, fit_rfm_edges(features))["rfm_code"].tolist()


def _tmp() -> pathlib.Path:
    return pathlib.Path(tempfile.mkdtemp())


def test_empty_group_policy_is_checked() -> None:
    from bankcrm.errors import PolicyError

    with pytest.raises(PolicyError):
        RFMPolicy(empty_group="guess")  # type: ignore[arg-type]


# --- 3. weights with the default value groups -------------------------------------------------


def test_weighted_scores_scale_the_default_value_groups(bank: object) -> None:
    features = rfm_features(
        bank.transactions,  # type: ignore[attr-defined]
        as_of=bank.as_of,  # type: ignore[attr-defined]
        policy=RFMPolicy(weights=(2, 1, 1)),
    )
    scored = score_rfm(features, fit_rfm_edges(features))
    out = assign_segments(scored)  # raised "mismatch" before
    totals = out["rfm_score"].to_numpy()
    groups = out["value_group"].astype(str).to_numpy()
    # 12/15 and 8/15 of 20, exactly: high >= 16, medium >= 32/3, so >= 11
    assert np.array_equal(groups == "high", totals >= 16)
    assert np.array_equal(groups == "medium", (totals >= 11) & (totals < 16))
    for total in range(4, 21):
        expected = "high" if total >= 16 else "medium" if total >= 11 else "low"
        assert THREE_VALUE_GROUPS.group_of(total, max_score=20).key == expected


def test_value_groups_that_do_not_scale_still_refuse(bank: object) -> None:
    import attrs

    fixed: ValueGroupPolicy = attrs.evolve(THREE_VALUE_GROUPS, scale=False)
    features = rfm_features(
        bank.transactions,  # type: ignore[attr-defined]
        as_of=bank.as_of,  # type: ignore[attr-defined]
        policy=RFMPolicy(weights=(2, 1, 1)),
    )
    with pytest.raises(InputError) as info:
        assign_segments(score_rfm(features, fit_rfm_edges(features)), value_groups=fixed)
    assert info.value.rule == "mismatch"


# --- 4. one warning for one infinite value ----------------------------------------------------


def test_customer_value_warns_once_for_one_infinite_spend() -> None:
    bg = BGNBDModel.from_params({"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426})
    gg = GammaGammaModel.from_params({"p": 6.25, "q": 0.74, "v": 15.44})  # q < 1: x = 0 is inf
    summary = pd.DataFrame(
        {
            "frequency": [2, 0],
            "recency": [30.43, 0.0],
            "T": [38.86, 38.86],
            "monetary_value": [22.35, 0.0],
        }
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = customer_value(summary, bg, gg, horizon=39)
    assert [str(w.message)[:14] for w in caught] == ["1 customer(s) "]
    assert np.isinf(out["clv"].iloc[1])
    assert np.isfinite(out["clv"].iloc[0])


# --- 5. short reprs ---------------------------------------------------------------------------


def test_migration_and_clv_summary_reprs_are_one_line_summaries(bank: object) -> None:
    from bankcrm.segmentation import clv_summary

    segmented = _segmented(bank, bank.as_of)  # type: ignore[attr-defined]
    text = repr(segment_migration(segmented, segmented))
    assert text.startswith("SegmentMigration(matrix: ")
    assert "\n" not in text
    assert len(text) < 250
    summary = clv_summary(bank.transactions, as_of=bank.as_of)  # type: ignore[attr-defined]
    text = repr(summary)
    assert text.startswith("CLVSummary(frame: ")
    assert "\n" not in text
    assert len(text) < 250


# --- 9. one fen rule ----------------------------------------------------------------------


def test_the_compiled_kernels_take_the_fen_bound_from_money() -> None:
    from bankcrm import _money
    from bankcrm.segmentation import _kernels

    assert _kernels.MAX_ABS_FEN is _money.MAX_ABS_FEN
    assert float(_money.MAX_ABS_FEN) == _kernels._LIMIT_FEN
    # ... and the same near-half tolerance that sends a float to the exact path
    assert (_kernels._NEAR_REL, _kernels._NEAR_ABS) == (
        _money.NEAR_HALF_REL,
        _money.NEAR_HALF_ABS,
    )


@pytest.mark.parametrize("on_invalid", ["raise", "exclude"])
def test_kernel_amounts_round_and_bound_like_to_fen(on_invalid: str) -> None:
    from bankcrm._money import MAX_ABS_YUAN
    from bankcrm.money import to_fen

    amounts = [1.005, 2.675, 0.125, 0.005, 1e-3, 123456.785, float(MAX_ABS_YUAN), 99.995]
    tx = pd.DataFrame(
        {
            "customer_id": range(len(amounts)),
            "date": pd.Timestamp("2026-03-01"),
            "amount": amounts,
        }
    )
    features = rfm_features(tx, as_of="2026-03-31").features
    assert features["monetary_fen"].tolist() == to_fen(pd.Series(amounts)).tolist()
    over = tx.assign(amount=[*amounts[:-1], float(MAX_ABS_YUAN) * 1.000001])
    policy = RFMPolicy(on_invalid=on_invalid)  # type: ignore[arg-type]
    if on_invalid == "raise":
        with pytest.raises(InputError) as info:
            rfm_features(over, as_of="2026-03-31", policy=policy)
        assert info.value.rule == "range"
    else:
        result = rfm_features(over, as_of="2026-03-31", policy=policy)
        assert result.excluded["reason"].astype(str).tolist() == ["invalid_amount"]


# --- 6. Chinese plot labels need a CJK font -------------------------------------------------


@pytest.fixture
def plots(monkeypatch: pytest.MonkeyPatch) -> object:
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    from bankcrm.segmentation import plots

    monkeypatch.setattr(plots, "_state", {"font": None, "warned": False})
    return plots


def _labels_family(plots: object, language: str = "zh") -> list[str]:
    segmented = pd.DataFrame({"segment": ["champions", "loyal", "new"]})
    fig = plots.segment_sizes(segmented, language=language)  # type: ignore[attr-defined]
    families = {tuple(t.get_family()) for t in fig.axes[0].get_yticklabels()}
    assert len(families) == 1
    return list(families.pop())


def test_zh_plots_use_an_installed_cjk_font(plots: object, monkeypatch: pytest.MonkeyPatch) -> None:
    installed = {"DejaVu Sans", "WenQuanYi Zen Hei", "Noto Sans CJK SC"}
    monkeypatch.setattr(plots, "_installed_fonts", lambda: installed)
    assert plots.cjk_font() == "Noto Sans CJK SC"  # type: ignore[attr-defined]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the patched font is not really there to draw with
        assert _labels_family(plots)[0] == "Noto Sans CJK SC"
        assert _labels_family(plots, "en")[0] != "Noto Sans CJK SC"


def test_zh_plots_without_a_cjk_font_warn_once_saying_how_to_configure(
    plots: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(plots, "_installed_fonts", lambda: {"DejaVu Sans"})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _labels_family(plots)
        _labels_family(plots)
    ours = [w for w in caught if "CJK font" in str(w.message)]
    assert len(ours) == 1
    text = str(ours[0].message)
    assert "set_cjk_font('Font Name')" in text
    assert "/path/to/font.otf" in text
    assert "fonts-noto-cjk" in text


def test_set_cjk_font_takes_a_name_or_a_file(plots: object) -> None:
    import matplotlib as mpl

    path = pathlib.Path(mpl.get_data_path()) / "fonts" / "ttf" / "DejaVuSerif.ttf"
    assert plots.set_cjk_font(path) == "DejaVu Serif"  # type: ignore[attr-defined]
    assert plots.cjk_font() == "DejaVu Serif"  # type: ignore[attr-defined]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # DejaVu has no Chinese glyphs: only the family counts
        assert _labels_family(plots)[0] == "DejaVu Serif"
    assert plots.set_cjk_font("DejaVu Sans") == "DejaVu Sans"  # type: ignore[attr-defined]
    with pytest.raises(InputError) as info:
        plots.set_cjk_font("No Such Font")  # type: ignore[attr-defined]
    assert info.value.rule == "domain"
    with pytest.raises(InputError):
        plots.set_cjk_font(pathlib.Path("/nonexistent/font.otf"))  # type: ignore[attr-defined]
