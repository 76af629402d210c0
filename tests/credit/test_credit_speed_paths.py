"""The fast paths of identify_groups give what the plain ones give.

* share columns read once per distinct value (``read_holdings``) == the whole-column
  validation, values and errors alike;
* the Arrow-built control paths (``arrow_paths``) == the NumPy-built ones (``control_paths``);
* the party-code lookups (Arrow hash, binary search, int ids) agree.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from test_credit_properties import worlds  # type: ignore[import-not-found]

from bankcrm.credit._inputs import Codes, read_holdings
from bankcrm.credit.groups import (
    Inputs,
    arrow_paths,
    check_policy,
    control_paths,
    run_control,
)
from bankcrm.errors import InputError
from bankcrm.frames import Column, FrameSchema, validate_frame

NAMES = {
    "owner_id": "owner_id",
    "owned_id": "owned_id",
    "equity_share": "equity_share",
    "voting_share": "voting_share",
}

SHARE_VALUES = st.one_of(
    st.sampled_from(["0.5", "0.50", "0.25", "1/3", "", " ", "abc", "1.5", "0.1234567"]),
    st.sampled_from([Decimal("0.5"), Decimal("0.25"), Decimal("0.1"), Decimal("NaN")]),
    st.sampled_from([0.5, 0.1, 0.25, float("nan"), 1.0, -0.1]),
    st.sampled_from([0, 1, 2, True, None]),
)


def _outcome(call: Any) -> tuple[pd.DataFrame | None, InputError | None]:
    try:
        return call(), None
    except InputError as error:
        return None, error


def _slow(table: pd.DataFrame) -> pd.DataFrame:
    schema = FrameSchema(
        "holdings",
        [
            Column("owner_id", "str"),
            Column("owned_id", "str"),
            Column("equity_share", "share", required=False, nullable="voting_share" in table),
            Column("voting_share", "share", required=False, nullable="equity_share" in table),
        ],
        key=("owner_id", "owned_id"),
        unique_key=True,
    )
    return validate_frame(table, schema)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(SHARE_VALUES, SHARE_VALUES), min_size=1, max_size=8),
    st.sampled_from(["both", "equity", "voting", "same"]),
)
def test_shares_read_per_distinct_value_match_the_whole_column(
    rows: list[tuple[Any, Any]], layout: str
) -> None:
    _fast_equals_slow(rows, layout)


DECIMAL_SHARES = st.one_of(
    st.decimals(min_value=Decimal("-0.000002"), max_value=Decimal("1.000002"), places=6),
    st.decimals(allow_nan=False, allow_infinity=True),
    st.sampled_from(
        [
            Decimal("0.5"),
            Decimal("0.500000"),
            Decimal("0.5000000"),
            Decimal("1"),
            Decimal("1.000000"),
            Decimal("1.0000001"),
            Decimal("-0"),
            Decimal("-0.0"),
            Decimal("0E+3"),
            Decimal("1E+1"),
            Decimal("0E-7"),
            Decimal("0.000001"),
            Decimal("0.0000005"),
            Decimal("1E-999999"),
            Decimal("NaN"),
            Decimal("-Infinity"),
        ]
    ),
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(DECIMAL_SHARES, DECIMAL_SHARES), min_size=1, max_size=8),
    st.sampled_from(["both", "equity", "voting", "same"]),
)
def test_decimal_shares_by_their_digits_match_the_whole_column(
    rows: list[tuple[Any, Any]], layout: str
) -> None:
    """Columns of Decimal objects only (the digit-arithmetic path), errors included."""
    _fast_equals_slow(rows, layout)


def _fast_equals_slow(rows: list[tuple[Any, Any]], layout: str) -> None:
    equity = [e for e, _ in rows]
    voting = equity if layout == "same" else [v for _, v in rows]
    table = pd.DataFrame(
        {
            "owner_id": pd.Series([f"o{i}" for i in range(len(rows))], dtype="str"),
            "owned_id": pd.Series(["x"] * len(rows), dtype="str"),
        }
    )
    if layout != "voting":
        table["equity_share"] = pd.Series(equity, dtype=object)
    if layout != "equity":
        table["voting_share"] = pd.Series(voting, dtype=object)
    expected, slow_error = _outcome(lambda: _slow(table))
    got, fast_error = _outcome(lambda: read_holdings(table, NAMES, "str"))
    if slow_error is not None:
        assert fast_error is not None
        assert (fast_error.rule, str(fast_error)) == (slow_error.rule, str(slow_error))
        return
    if fast_error is not None:  # only the both-missing rule comes on top
        assert fast_error.rule == "missing"
        return
    assert got is not None
    assert expected is not None
    for column in ("equity_share", "voting_share"):
        if column in table:
            assert got[column].tolist() == expected[column].tolist()
            assert str(got[column].dtype) == str(expected[column].dtype)


@settings(max_examples=100, deadline=None)
@given(worlds())
def test_arrow_paths_equal_the_numpy_paths(world: dict[str, pd.DataFrame]) -> None:
    policy = check_policy(None)
    frames = {
        "parties": world["parties"],
        "holdings": world["holdings"],
        "control_arrangements": world["control_arrangements"],
        "person_ties": world["person_ties"],
        "concert_parties": None,
        "manual_links": None,
        "dependencies": None,
    }
    inputs = Inputs(frames, None, policy, "identify_groups")
    graph = run_control(inputs, policy, dt.date(2025, 12, 31), state_controls=False)
    path, shares = control_paths(graph, inputs.codes.ids, inputs.arrangement_kinds)
    fast_path, fast_shares = arrow_paths(graph, inputs.codes, inputs.arrangement_kinds)
    assert fast_path.to_pylist() == path.tolist()
    assert fast_shares.to_pylist() == shares.tolist()


@given(st.lists(st.text(min_size=1, max_size=4), min_size=1, max_size=30, unique=True), st.data())
def test_code_lookups_agree(ids: list[str], data: Any) -> None:
    parties = pd.DataFrame({"party_id": pd.Series(ids, dtype="str")})
    codes = Codes(parties, "party_id", "str")
    assert codes.ids.tolist() == sorted(ids)
    assert codes.rows.tolist() == [sorted(ids).index(i) for i in ids]
    probe = data.draw(st.lists(st.sampled_from(ids), max_size=40))
    frame = pd.DataFrame({"a": pd.Series(probe, dtype="str"), "b": pd.Series(probe, dtype="str")})
    expected = [sorted(ids).index(i) for i in probe]
    hashed = codes.of_columns(frame, ["a", "b"], "t")  # Arrow hash (many keys)
    searched = [codes._search(frame["a"])]  # binary search (few keys)
    assert [c.tolist() for c in hashed] == [expected, expected]
    assert searched[0].tolist() == expected
    numbers = pd.DataFrame({"party_id": np.array([5, 3, 9], dtype=np.int64)})
    int_codes = Codes(numbers, "party_id", "int")
    found = int_codes.of(pd.DataFrame({"k": np.array([9, 3], dtype=np.int64)}), "k", "t")
    assert found.tolist() == [2, 0]
