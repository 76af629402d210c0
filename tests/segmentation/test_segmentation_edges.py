"""The quintile rule: hand-computed cuts, ties, degenerate data, round trips, batch == scalar."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bankcrm.errors import InputError, PolicyError
from bankcrm.policy import load, read_provenance, save
from bankcrm.segmentation import (
    CutPoints,
    RFMEdges,
    RFMPolicy,
    fit_rfm_edges,
    rfm_features,
    score_customer,
    score_rfm,
)


def _features(
    recency: Sequence[int | None], frequency: list[int], monetary_fen: list[int], **extra: object
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": np.arange(len(frequency), dtype=np.int64),
            "recency_days": pd.array(recency, dtype="Int64"),
            "frequency": np.asarray(frequency, dtype=np.int64),
            "monetary_fen": np.asarray(monetary_fen, dtype=np.int64),
            **extra,
        }
    )


def _reference(
    values: np.ndarray[Any, Any], larger_is_better: bool, bins: int
) -> np.ndarray[Any, Any]:
    """score = 1 + min(bins − 1, ⌊bins·W/n⌋), W = customers strictly worse (SQL RANK − 1)."""
    goodness = pd.Series(values if larger_is_better else -values)
    worse = goodness.rank(method="min").to_numpy(dtype=np.int64) - 1
    n = len(values)
    return 1 + np.minimum(bins - 1, bins * worse // n)


# -- hand-computed examples -------------------------------------------------------------------


@pytest.mark.parametrize("n", [7, 13, 23, 101])
def test_distinct_values_counts_not_divisible_by_five(n: int) -> None:
    values = list(range(1, n + 1))
    edges = fit_rfm_edges(_features(values, values, values))
    scored = score_rfm(_features(values, values, values), edges)
    # customer with rank i (1-based, ascending) has W = i − 1 → score 1 + ⌊5(i−1)/n⌋
    expected = [1 + 5 * (i - 1) // n for i in values]
    assert scored["f_score"].tolist() == expected
    assert scored["m_score"].tolist() == expected
    assert scored["r_score"].tolist() == expected[::-1]  # recency reversed
    sizes = pd.Series(expected).value_counts().sort_index().tolist()
    assert max(sizes) - min(sizes) <= 1  # as even as whole customers allow


def test_thirteen_customers_exact_cuts() -> None:
    values = list(range(1, 14))
    cuts = fit_rfm_edges(_features(values, values, values)).cuts
    assert cuts is not None
    # m_s = ceil(13 s / 5) = 3, 6, 8, 11: the 3rd, 6th, 8th and 11th smallest values
    assert cuts.frequency == (3, 6, 8, 11)
    # the 3rd, 6th, 8th, 11th largest recency
    assert cuts.recency_days == (11, 8, 6, 3)
    assert cuts.n_customers == 13


def test_divisible_count_gives_equal_bins() -> None:
    values = list(range(100, 0, -1))
    scored = score_rfm(
        _features(values, values, values), fit_rfm_edges(_features(values, values, values))
    )
    assert scored["m_score"].value_counts().tolist() == [20] * 5


def test_ties_at_a_cut_take_the_lowest_score_they_touch() -> None:
    # 10 customers: values 1,2,3,3,3,3,7,8,9,10. The tie of four 3s spans ranks 3..6.
    values = [1, 2, 3, 3, 3, 3, 7, 8, 9, 10]
    scored = score_rfm(
        _features(values, values, values), fit_rfm_edges(_features(values, values, values))
    )
    # W(3) = 2 → 1 + ⌊5·2/10⌋ = 2 for all four; W(7) = 6 → 4
    assert scored["f_score"].tolist() == [1, 1, 2, 2, 2, 2, 4, 4, 5, 5]
    assert scored["r_score"].tolist() == [5, 5, 3, 3, 3, 3, 2, 2, 1, 1]


def test_degenerate_all_equal() -> None:
    features = _features([5] * 9, [2] * 9, [1000] * 9)
    scored = score_rfm(features, fit_rfm_edges(features))
    assert set(scored["rfm_code"].astype(str)) == {"111"}


def test_degenerate_one_customer() -> None:
    features = _features([0], [1], [1])
    edges = fit_rfm_edges(features)
    assert score_rfm(features, edges)["rfm_code"].tolist() == ["111"]
    # a new customer better than the only reference one scores the top
    assert (
        score_customer({"recency_days": 0, "frequency": 2, "monetary_fen": 2}, edges).code == "155"
    )


def test_degenerate_eighty_percent_zeros() -> None:
    monetary = [0] * 80 + list(range(1, 21))
    features = _features([1] * 100, [1] * 100, monetary)
    scores = score_rfm(features, fit_rfm_edges(features))["m_score"].to_numpy()
    assert (scores[:80] == 1).all()
    assert (scores[80:] == 5).all()


def test_degenerate_half_buying_once() -> None:
    frequency = [1] * 50 + [2] * 20 + [3] * 20 + list(range(4, 14))
    features = _features([1] * 100, frequency, [1] * 100)
    scores = score_rfm(features, fit_rfm_edges(features))["f_score"].to_numpy()
    assert (scores[:50] == 1).all()
    assert (scores[50:70] == 3).all()
    assert (scores[70:90] == 4).all()
    assert (scores[90:] == 5).all()


def test_inactive_customers_score_r_one_and_are_not_in_the_reference() -> None:
    features = _features([1, 2, 3, 4, 5, None], [5, 4, 3, 2, 1, 0], [5, 4, 3, 2, 1, 0])
    edges = fit_rfm_edges(features)
    assert edges.cuts is not None
    assert edges.cuts.n_customers == 5
    last = score_rfm(features, edges).iloc[-1]
    assert (last["r_score"], last["f_score"], last["m_score"]) == (1, 1, 1)
    assert (
        score_customer({"recency_days": None, "frequency": 0, "monetary_fen": 0}, edges).code
        == "111"
    )


def test_no_active_customer_is_a_clear_error() -> None:
    with pytest.raises(InputError) as info:
        fit_rfm_edges(_features([None], [0], [0]))
    assert info.value.rule == "empty"


def test_weights_and_total() -> None:
    features = _features([1, 2], [2, 1], [2, 1])
    edges = fit_rfm_edges(features, policy=RFMPolicy(bins=2, weights=(3, 2, 1)))
    scored = score_rfm(features, edges)
    assert scored["rfm_code"].tolist() == ["222", "111"]
    assert scored["rfm_score"].tolist() == [12, 6]
    assert edges.max_score == 12


def test_bins_outside_two_to_nine_refused() -> None:
    features = _features([1], [1], [1])
    for bins in (1, 10):
        with pytest.raises(PolicyError):
            fit_rfm_edges(features, policy=RFMPolicy(bins=bins))


def test_monetary_in_yuan_is_read_exactly() -> None:
    features = pd.DataFrame(
        {"recency_days": [1, 2], "frequency": [1, 1], "monetary": [0.1 + 0.2, 0.3]}
    )
    scored = score_rfm(features, fit_rfm_edges(features))
    assert scored["m_score"].tolist() == [1, 1]  # both are 30 fen


def test_negative_recency_is_refused() -> None:
    with pytest.raises(InputError) as info:
        fit_rfm_edges(_features([-1], [1], [1]))
    assert info.value.column == "recency_days"


def test_missing_feature_column() -> None:
    with pytest.raises(InputError, match="frequency"):
        fit_rfm_edges(pd.DataFrame({"recency_days": [1], "monetary_fen": [1]}))


def test_text_columns_are_validated_and_coerced() -> None:
    features = pd.DataFrame(
        {"recency_days": ["1", "2"], "frequency": ["3", "4"], "monetary": ["¥1.00", "2"]}
    )
    scored = score_rfm(features, fit_rfm_edges(features))
    # n = 2: W = 1 for the better customer → 1 + ⌊5·1/2⌋ = 3
    assert scored["rfm_code"].tolist() == ["311", "133"]


# -- groups, serialisation, provenance ---------------------------------------------------


def test_edges_per_group() -> None:
    features = _features(
        [1, 2, 3, 1, 2, 3],
        [1, 2, 3, 10, 20, 30],
        [1, 2, 3, 100, 200, 300],
        customer_type=["retail"] * 3 + ["corporate"] * 3,
    )
    edges = fit_rfm_edges(features, policy=RFMPolicy(by="customer_type", bins=3))
    assert [g.group for g in edges.groups] == ["corporate", "retail"]
    scored = score_rfm(features, edges)
    assert scored["f_score"].tolist() == [1, 2, 3, 1, 2, 3]
    metrics = {"recency_days": 1, "frequency": 25, "monetary_fen": 250, "group": "corporate"}
    one = score_customer(metrics, edges)
    assert (one.f, one.m) == (3, 3)
    # a features row carries its group under the edges' ``by`` column
    assert score_customer(scored.iloc[5], edges).code == scored["rfm_code"].iloc[5]
    with pytest.raises(InputError) as info:
        score_customer({**metrics, "group": "branch"}, edges)
    assert info.value.rule == "unknown_group"
    assert RFMEdges.from_json(edges.to_json()) == edges


def test_integer_group_keys_round_trip() -> None:
    features = _features([1, 2, 3], [1, 2, 3], [1, 2, 3], branch=[101, 101, 202])
    edges = fit_rfm_edges(features, policy=RFMPolicy(by="branch"))
    assert [g.group for g in edges.groups] == [101, 202]
    assert RFMEdges.from_dict(json.loads(edges.to_json())) == edges


def test_edges_file_round_trip_and_errors(tmp_path: object) -> None:
    features = _features([1, 2, 3], [1, 2, 3], [1, 2, 3])
    edges = fit_rfm_edges(features, as_of="2026-03-31")
    path = save(edges, tmp_path / "edges.json")  # type: ignore[operator]
    assert load(RFMEdges, path) == edges
    assert edges.as_of == dt.date(2026, 3, 31)
    with pytest.raises(PolicyError):
        RFMEdges.from_json("{not json")
    data = edges.to_dict()
    data["version"] = "0"
    with pytest.raises(PolicyError, match="version"):
        RFMEdges.from_dict(data)
    data = edges.to_dict()
    data["cuts"]["frequency"] = [3, 2, 1, 0]
    with pytest.raises(PolicyError, match="non-decreasing"):
        RFMEdges.from_dict(data)


def test_scores_carry_provenance_and_as_of() -> None:
    tx = pd.DataFrame(
        {
            "customer_id": [1, 2],
            "date": pd.to_datetime(["2026-03-01", "2026-03-20"]),
            "amount": [1.0, 2.0],
        }
    )
    result = rfm_features(tx, as_of="2026-03-31")
    edges = fit_rfm_edges(result)
    assert edges.as_of == dt.date(2026, 3, 31)
    stamps = read_provenance(score_rfm(result, edges))
    # the real policy, twice: it made the features and the edges (no made-up names)
    assert [(s.policy_name, s.policy_version) for s in stamps] == [
        ("bankcrm.segmentation.rfm", "1"),
        ("bankcrm.segmentation.rfm", "1"),
    ]
    assert [s.producer for s in stamps] == [  # first: the step that made the frame
        "bankcrm.segmentation.score_rfm",
        "bankcrm.segmentation.rfm_features",
    ]
    mine = RFMPolicy(name="my_bank.rfm", version="2026.2", window_days=90)
    result = rfm_features(tx, as_of="2026-03-31", policy=mine)
    stamps = read_provenance(score_rfm(result, fit_rfm_edges(result)))
    assert {(s.policy_name, s.policy_version) for s in stamps} == {("my_bank.rfm", "2026.2")}


def test_input_features_not_modified() -> None:
    features = _features([1, 2, 3], [1, 2, 3], [1, 2, 3])
    before = features.copy(deep=True)
    score_rfm(features, fit_rfm_edges(features))
    pd.testing.assert_frame_equal(features, before)


# -- properties ---------------------------------------------------------------------------

_SMALL = st.integers(0, 12)  # small ranges: many ties
_VALUES = st.lists(st.tuples(_SMALL, _SMALL, st.integers(0, 30)), min_size=1, max_size=80)


def _frame(rows: list[tuple[int, int, int]]) -> pd.DataFrame:
    recency, frequency, money = (list(col) for col in zip(*rows, strict=True))
    return _features(recency, frequency, money)


@given(_VALUES, st.integers(2, 9))
def test_matches_the_written_rule(rows: list[tuple[int, int, int]], bins: int) -> None:
    features = _frame(rows)
    scored = score_rfm(features, fit_rfm_edges(features, policy=RFMPolicy(bins=bins)))
    r = _reference(features["recency_days"].to_numpy(dtype=np.int64), False, bins)
    f = _reference(features["frequency"].to_numpy(), True, bins)
    m = _reference(features["monetary_fen"].to_numpy(), True, bins)
    assert scored["r_score"].tolist() == r.tolist()
    assert scored["f_score"].tolist() == f.tolist()
    assert scored["m_score"].tolist() == m.tolist()


@given(_VALUES, st.randoms(use_true_random=False))
def test_permutation_invariance(rows: list[tuple[int, int, int]], rnd: object) -> None:
    features = _frame(rows)
    shuffled = list(rows)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    other = _frame(shuffled)
    edges = fit_rfm_edges(features)
    assert fit_rfm_edges(other) == edges
    a = score_rfm(features, edges)
    b = score_rfm(other, edges)
    columns = ["recency_days", "frequency", "monetary_fen", "rfm_code", "rfm_score"]
    rows_a = sorted(map(tuple, a[columns].astype(str).to_numpy().tolist()))
    rows_b = sorted(map(tuple, b[columns].astype(str).to_numpy().tolist()))
    assert rows_a == rows_b
    # equal inputs → equal scores
    per_value = a.groupby(["recency_days", "frequency", "monetary_fen"])["rfm_code"].nunique()
    assert (per_value == 1).all()


@given(_VALUES, st.integers(2, 9))
def test_scores_in_range_and_monotone(rows: list[tuple[int, int, int]], bins: int) -> None:
    features = _frame(rows)
    scored = score_rfm(features, fit_rfm_edges(features, policy=RFMPolicy(bins=bins)))
    for column in ("r_score", "f_score", "m_score"):
        assert scored[column].between(1, bins).all()
    for value, score, sign in (
        ("frequency", "f_score", 1),
        ("monetary_fen", "m_score", 1),
        ("recency_days", "r_score", -1),
    ):
        ordered = scored.assign(_key=sign * scored[value].astype(np.int64)).sort_values("_key")
        assert ordered[score].is_monotonic_increasing


@given(
    _VALUES,
    st.integers(2, 9),
    st.lists(st.tuples(_SMALL, _SMALL, st.integers(-5, 40)), min_size=1, max_size=20),
)
def test_batch_equals_scalar(
    rows: list[tuple[int, int, int]], bins: int, new: list[tuple[int, int, int]]
) -> None:
    edges = fit_rfm_edges(_frame(rows), policy=RFMPolicy(bins=bins, weights=(2, 1, 1)))
    newcomers = _frame(new)
    batch = score_rfm(newcomers, edges)
    for row in batch.to_dict("records"):
        metrics = {
            "recency_days": int(row["recency_days"]),
            "frequency": int(row["frequency"]),
            "monetary": int(row["monetary_fen"]) / 100,  # yuan float → fen exactly
        }
        one = score_customer(metrics, edges)
        assert score_customer(batch.iloc[0], edges) == score_customer(
            {str(k): v for k, v in batch.iloc[0].items()}, edges
        )
        assert (one.r, one.f, one.m, one.code, one.total) == (
            row["r_score"],
            row["f_score"],
            row["m_score"],
            row["rfm_code"],
            row["rfm_score"],
        )


@given(_VALUES, st.integers(2, 9), st.sampled_from([(1, 1, 1), (3, 2, 1), (0, 5, 7)]))
def test_edges_round_trip(
    rows: list[tuple[int, int, int]], bins: int, weights: tuple[int, int, int]
) -> None:
    policy = RFMPolicy(bins=bins, weights=weights)
    edges = fit_rfm_edges(_frame(rows), policy=policy, as_of="2026-01-04")
    assert RFMEdges.from_json(edges.to_json()) == edges
    assert RFMEdges.from_dict(edges.to_dict()) == edges


def test_cut_points_validate_shape() -> None:
    with pytest.raises(PolicyError):
        CutPoints(n_customers=3, recency_days=(1,), frequency=(1, 2), monetary_fen=(1,))
    with pytest.raises(PolicyError):
        CutPoints(n_customers=0, recency_days=(1,), frequency=(1,), monetary_fen=(1,))
