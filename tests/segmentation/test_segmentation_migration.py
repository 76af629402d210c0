"""Segment migration between two as_of dates, and the corporate RFM on the synthetic bank."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bankcrm.datasets import synthetic_bank
from bankcrm.errors import InputError
from bankcrm.segmentation import (
    TEN_SEGMENTS,
    RFMPolicy,
    assign_segments,
    corporate_rfm_features,
    fit_rfm_edges,
    rfm_features,
    score_rfm,
    segment_migration,
)
from bankcrm.segmentation.migration import GONE, NEW

YEAR = RFMPolicy(window_days=365)


def test_who_left_champions() -> None:
    before = pd.DataFrame({"customer_id": [1, 2, 3], "segment": ["champions"] * 3})
    after = pd.DataFrame({"customer_id": [1, 2, 4], "segment": ["champions", "loyal", "new"]})
    moves = segment_migration(before, after)
    assert moves.left("champions")["customer_id"].tolist() == [2, 3]
    assert moves.left("champions")["after"].astype(str).tolist() == ["loyal", GONE]
    assert moves.entered("new")["before"].astype(str).tolist() == [NEW]
    assert moves.matrix.loc["champions", "champions"] == 1
    assert moves.shares().loc["champions"].sum() == pytest.approx(1.0)
    assert moves.moves["moved"].tolist() == [False, True, True, True]


@given(
    st.dictionaries(st.integers(0, 30), st.sampled_from(TEN_SEGMENTS.keys), max_size=30),
    st.dictionaries(st.integers(0, 30), st.sampled_from(TEN_SEGMENTS.keys), max_size=30),
)
def test_matrix_accounts_for_every_customer(before: dict[int, str], after: dict[int, str]) -> None:
    a = pd.DataFrame({"customer_id": list(before), "segment": list(before.values())})
    b = pd.DataFrame({"customer_id": list(after), "segment": list(after.values())})
    moves = segment_migration(a, b)
    assert int(moves.matrix.to_numpy().sum()) == len(set(before) | set(after))
    stayed = sum(1 for k, v in before.items() if after.get(k) == v)
    assert int((~moves.moves["moved"]).sum()) == stayed


def test_repeated_ids_are_refused() -> None:
    frame = pd.DataFrame({"customer_id": [1, 1], "segment": ["new", "new"]})
    with pytest.raises(InputError) as info:
        segment_migration(frame, frame)
    assert info.value.rule == "duplicate_key"


def test_migration_with_last_quarters_edges_on_the_synthetic_bank() -> None:
    bank = synthetic_bank(400, seed=3)
    as_of = bank.as_of
    earlier = as_of - dt.timedelta(days=91)
    before = rfm_features(bank.transactions, as_of=earlier, policy=YEAR)
    now = rfm_features(bank.transactions, as_of=as_of, policy=YEAR)
    edges = fit_rfm_edges(before)
    moves = segment_migration(
        assign_segments(score_rfm(before, edges)), assign_segments(score_rfm(now, edges))
    )
    assert moves.before_as_of == earlier
    assert moves.after_as_of == as_of
    total = len(set(before.features["customer_id"]) | set(now.features["customer_id"]))
    assert int(moves.matrix.to_numpy().sum()) == total
    # every transaction row of each run is counted or excluded with a reason
    assert now.n_counted + len(now.excluded) == len(bank.transactions)


def test_corporate_rfm_on_the_synthetic_bank() -> None:
    bank = synthetic_bank(1_000, seed=5)
    result = corporate_rfm_features(
        bank.parties, bank.facilities, as_of=bank.as_of, fx_rates=bank.fx_rates, carry=("name",)
    )
    corporate = bank.parties[bank.parties["kind"] == "corporate"]
    assert sorted(result.features["customer_id"]) == sorted(corporate["party_id"])
    assert "name" in result.features.columns
    # each granted facility of a corporate party is one counted event
    own = bank.facilities["party_id"].isin(corporate["party_id"])
    granted = own & (bank.facilities["start_date"] <= pd.Timestamp(bank.as_of))
    assert int(result.features["frequency"].sum()) == int(granted.sum())
    scored = assign_segments(score_rfm(result, fit_rfm_edges(result)))
    assert scored["segment"].notna().all()
    cny = bank.facilities[granted & (bank.facilities["currency"] == "CNY")]
    fen = (cny["drawn"] * 100).round() + (cny["undrawn"] * 100).round()
    by_party = fen.astype(np.int64).groupby(cny["party_id"]).sum()
    only_cny = set(by_party.index) - set(
        bank.facilities.loc[granted & (bank.facilities["currency"] != "CNY"), "party_id"]
    )
    features = result.features.set_index("customer_id")
    for party in only_cny:
        assert features.loc[party, "monetary_fen"] == by_party[party]


def test_corporate_foreign_currency_needs_rates() -> None:
    parties = pd.DataFrame({"party_id": ["C1"], "kind": ["corporate"]})
    facilities = pd.DataFrame(
        {
            "party_id": ["C1"],
            "start_date": pd.to_datetime(["2025-01-01"]),
            "currency": ["USD"],
            "drawn": [1.0],
            "undrawn": [0.0],
        }
    )
    with pytest.raises(InputError) as info:
        corporate_rfm_features(parties, facilities, as_of="2025-12-31")
    assert info.value.rule == "fx_rate"


def test_retail_and_corporate_edges_fitted_per_group() -> None:
    bank = synthetic_bank(600, seed=8)
    retail = rfm_features(bank.transactions, as_of=bank.as_of, policy=YEAR).features
    corporate = corporate_rfm_features(
        bank.parties, bank.facilities, as_of=bank.as_of, fx_rates=bank.fx_rates
    ).features
    both = pd.concat(
        [
            retail.assign(customer_id=retail["customer_id"].astype(str), customer_type="retail"),
            corporate.assign(customer_type="corporate"),
        ],
        ignore_index=True,
    )
    edges = fit_rfm_edges(both, policy=RFMPolicy(by="customer_type"))
    scored = score_rfm(both, edges)
    assert [g.group for g in edges.groups] == ["corporate", "retail"]
    for group in ("retail", "corporate"):
        alone = score_rfm(
            both[both["customer_type"] == group],
            fit_rfm_edges(both[both["customer_type"] == group]),
        )
        assert (
            scored.loc[scored["customer_type"] == group, "rfm_code"].tolist()
            == alone["rfm_code"].tolist()
        )
