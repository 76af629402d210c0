"""integrated_ownership: chains multiply, paths add, cycles converge, never a dense matrix."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bankcrm.credit import integrated_ownership
from bankcrm.errors import InputError
from bankcrm.policy import read_provenance


def holdings(*rows: tuple[str, str, Any]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "owner_id": [r[0] for r in rows],
            "owned_id": [r[1] for r in rows],
            "equity_share": [r[2] for r in rows],
        }
    )


def shares(frame: pd.DataFrame) -> dict[tuple[str, str], float]:
    return {
        (o, d): s
        for o, d, s in zip(frame["owner_id"], frame["owned_id"], frame["share"], strict=True)
    }


def test_a_chain_multiplies_and_split_paths_add() -> None:
    found = shares(
        integrated_ownership(
            holdings(("P", "A", "0.6"), ("A", "B", "0.6"), ("P", "X", "0.3"), ("A", "X", "0.25"))
        )
    )
    assert found[("P", "B")] == pytest.approx(0.36, abs=1e-12)
    assert found[("P", "X")] == pytest.approx(0.3 + 0.6 * 0.25, abs=1e-12)
    assert found[("A", "X")] == pytest.approx(0.25)


def test_a_cross_holding_follows_the_closed_form_and_leaves_the_diagonal_out() -> None:
    found = integrated_ownership(
        holdings(("A", "B", "0.1"), ("B", "A", "0.1"), ("P", "A", "0.5")), min_share=0
    )
    got = shares(found)
    assert got[("A", "B")] == pytest.approx(0.1 / 0.99, abs=1e-10)
    assert got[("P", "A")] == pytest.approx(0.5 / 0.99, abs=1e-10)
    assert (found["owner_id"] != found["owned_id"]).all()
    assert read_provenance(found)[0].policy_name == "bankcrm.credit.integrated_ownership"


def test_requested_owners_and_the_cut_off() -> None:
    stakes = holdings(("P", "A", "0.6"), ("A", "B", "0.001"), ("Q", "A", "0.4"))
    found = integrated_ownership(stakes, owners=["P"], min_share="0.001")
    assert shares(found) == {("P", "A"): pytest.approx(0.6)}  # 0.0006 is below the cut-off
    with pytest.raises(InputError) as info:
        integrated_ownership(stakes, owners=["Z"])
    assert (info.value.rule, info.value.column) == ("domain", "owners")


def test_a_cycle_that_owns_itself_is_an_error() -> None:
    with pytest.raises(InputError) as info:
        integrated_ownership(holdings(("A", "B", "1"), ("B", "A", "1")), max_rounds=50)
    assert info.value.rule == "range"


@st.composite
def graphs(draw: st.DrawFn) -> tuple[int, list[tuple[int, int, int]]]:
    n = draw(st.integers(2, 7))
    pairs = draw(
        st.lists(
            st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)).filter(lambda p: p[0] != p[1]),
            unique=True,
            max_size=12,
        )
    )
    rows = []
    room = dict.fromkeys(range(n), 9_000)  # keep every column sum below 0.9: the series converges
    for owner, owned in pairs:
        share = draw(st.integers(0, room[owned]))
        room[owned] -= share
        rows.append((owner, owned, share))
    return n, rows


@given(graphs())
def test_it_agrees_with_the_dense_formula(graph: tuple[int, list[tuple[int, int, int]]]) -> None:
    n, rows = graph
    frame = pd.DataFrame(
        {
            "owner_id": [f"p{o}" for o, _, _ in rows],
            "owned_id": [f"p{d}" for _, d, _ in rows],
            "equity_share": [f"{s / 10_000}" for _, _, s in rows],
        },
        dtype=object,
    )
    a = np.zeros((n, n))
    for o, d, s in rows:
        a[o, d] = s / 10_000
    dense = a @ np.linalg.inv(np.eye(n) - a)
    found = shares(integrated_ownership(frame, min_share=0, tolerance=1e-15))
    for (holder, held), value in found.items():
        assert value == pytest.approx(dense[int(holder[1:]), int(held[1:])], abs=1e-9)
    for i in range(n):
        for j in range(n):
            if i != j and dense[i, j] > 1e-9 and any(r[0] == i for r in rows):
                assert (f"p{i}", f"p{j}") in found
