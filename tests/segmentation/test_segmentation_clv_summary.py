"""clv_summary: hand-computed examples, policies for excluded rows, errors and invariants."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bankcrm.errors import InputError, PolicyError
from bankcrm.policy import read_provenance
from bankcrm.segmentation.value.bgnbd import fit_bgnbd
from bankcrm.segmentation.value.summary import CLVPolicy, clv_summary

AS_OF = dt.date(2026, 3, 31)


def _tx(ids: list[Any], dates: list[Any], amounts: list[Any], **extra: Any) -> pd.DataFrame:
    return pd.DataFrame({"customer_id": ids, "date": dates, "amount": amounts, **extra})


def _row(frame: pd.DataFrame, customer: Any) -> pd.Series[Any]:
    matches = frame[frame["customer_id"] == customer]
    assert len(matches) == 1
    row: pd.Series[Any] = matches.iloc[0]
    return row


def test_hand_computed_summary_in_days_and_weeks() -> None:
    tx = _tx(
        ["a", "a", "a", "a", "b", "c", "c"],
        [
            "2026-01-01",
            "2026-01-01",  # same day: one purchase of 30 yuan
            "2026-01-15",
            "2026-03-12",
            "2026-03-31",  # on as_of: included
            "2026-02-01",
            "2026-02-01",
        ],
        ["10.00", "20.00", "7.50", "12.51", "99", "5", "6"],
    )
    days = clv_summary(tx, as_of=AS_OF, policy=CLVPolicy(unit="D")).frame
    assert days["customer_id"].tolist() == ["a", "b", "c"]
    a = _row(days, "a")
    assert a["frequency"] == 2
    assert a["recency"] == 70.0  # Jan 1 -> Mar 12
    assert a["T"] == 89.0  # Jan 1 -> Mar 31
    assert a["repeat_value_fen"] == 750 + 1251
    assert a["monetary_value"] == pytest.approx(10.005)
    assert a["first_purchase"] == pd.Timestamp("2026-01-01")
    b = _row(days, "b")
    assert (b["frequency"], b["recency"], b["T"], b["monetary_value"]) == (0, 0.0, 0.0, 0.0)
    c = _row(days, "c")
    assert (c["frequency"], c["recency"], c["T"]) == (0, 0.0, 58.0)
    weeks = clv_summary(tx, as_of=AS_OF).frame
    np.testing.assert_allclose(weeks["recency"] * 7, days["recency"])
    np.testing.assert_allclose(weeks["T"] * 7, days["T"])
    assert weeks["frequency"].tolist() == days["frequency"].tolist()
    fortnights = clv_summary(tx, as_of=AS_OF, policy=CLVPolicy(unit=14)).frame
    np.testing.assert_allclose(fortnights["T"] * 14, days["T"])


def test_timestamps_count_on_their_own_calendar_day() -> None:
    tx = pd.DataFrame(
        {
            "customer_id": [1, 1, 1],
            "date": pd.to_datetime(
                ["2026-03-01 09:00", "2026-03-01 23:59", "2026-03-02 00:01"]
            ).tz_localize("Asia/Shanghai"),
            "amount": [1.0, 2.0, 4.0],
        }
    )
    row = _row(clv_summary(tx, as_of=AS_OF, policy=CLVPolicy(unit="D")).frame, 1)
    assert (row["frequency"], row["recency"], row["repeat_value_fen"]) == (1, 1.0, 400)


def test_after_as_of_and_negative_rows_are_listed_not_lost() -> None:
    tx = _tx(
        [1, 1, 1, 2, 2],
        ["2026-03-01", "2026-03-05", "2026-04-01", "2026-03-02", "2026-03-03"],
        [10.0, -10.0, 5.0, 3.0, -1.0],
    ).set_axis(["r1", "r2", "r3", "r4", "r5"])
    result = clv_summary(tx, as_of=AS_OF)
    assert result.excluded.index.tolist() == ["r2", "r3", "r5"]
    assert result.excluded["position"].tolist() == [1, 2, 4]
    assert result.excluded["reason"].tolist() == [
        "negative_amount",
        "after_as_of",
        "negative_amount",
    ]
    assert result.n_rows == 5
    assert result.n_transactions == 2
    assert result.frame["frequency"].tolist() == [0, 0]

    with pytest.raises(InputError) as info:
        clv_summary(tx, as_of=AS_OF, policy=CLVPolicy(negatives="raise"))
    assert info.value.rule == "negative_amount"
    assert info.value.column == "amount"
    assert info.value.rows == ["r2", "r5"]
    with pytest.raises(InputError) as later:
        clv_summary(tx, as_of=AS_OF, policy=CLVPolicy(after_as_of="raise"))
    assert later.value.rule == "after_as_of"
    assert later.value.rows == ["r3"]


def test_a_negative_row_after_as_of_is_excluded_as_later_not_refused() -> None:
    tx = _tx([1, 1], ["2026-03-01", "2026-04-02"], [10.0, -10.0])
    result = clv_summary(tx, as_of=AS_OF, policy=CLVPolicy(negatives="raise"))
    assert result.excluded["reason"].tolist() == ["after_as_of"]


def test_amounts_are_summed_exactly_in_fen() -> None:
    # 0.1 + 0.2 in floats is 0.30000000000000004; in fen it is 30.
    tx = _tx(
        [1, 1, 1, 1],
        ["2026-01-01", "2026-02-01", "2026-02-01", "2026-03-01"],
        [Decimal("1"), 0.1, "0.2", "¥0.30"],
    )
    row = _row(clv_summary(tx, as_of=AS_OF).frame, 1)
    assert row["repeat_value_fen"] == 60
    assert row["monetary_value"] == 0.3


@pytest.mark.parametrize(
    ("frame", "column", "rule"),
    [
        (_tx([1, None], ["2026-01-01", "2026-01-02"], [1.0, 2.0]), "customer_id", "missing"),
        (_tx([1, 2], ["2026-01-01", "yesterday"], [1.0, 2.0]), "date", "datetime"),
        (_tx([1, 2], ["2026-01-01", None], [1.0, 2.0]), "date", "missing"),
        (_tx([1, 2], ["2026-01-01", "2026-01-02"], [1.0, "abc"]), "amount", "numeric"),
        (_tx([1, 2], ["2026-01-01", "2026-01-02"], [1.0, np.nan]), "amount", "missing"),
    ],
)
def test_malformed_rows_get_clear_errors(frame: pd.DataFrame, column: str, rule: str) -> None:
    with pytest.raises(InputError) as info:
        clv_summary(frame, as_of=AS_OF)
    assert info.value.column == column
    assert info.value.rule == rule
    assert info.value.rows == [1]


def test_ids_are_read_like_the_rfm_features_read_them() -> None:
    tx = _tx([1, "1", "x"], ["2026-01-01", "2026-01-02", "2026-01-03"], [1.0, 2.0, 3.0])
    frame = clv_summary(tx, as_of=AS_OF).frame
    assert frame["customer_id"].tolist() == ["1", "x"]
    assert frame["frequency"].tolist() == [1, 0]


def test_bad_arguments_get_clear_errors() -> None:
    tx = _tx([1], ["2026-01-01"], [1.0])
    with pytest.raises(InputError, match="missing required column"):
        clv_summary(tx.drop(columns="amount"), as_of=AS_OF)
    with pytest.raises(InputError, match="'customer_id'"):
        clv_summary(tx.drop(columns="customer_id"), as_of=AS_OF)
    with pytest.raises(InputError, match="time of day"):
        clv_summary(tx, as_of=dt.datetime(2026, 3, 31, 12))
    with pytest.raises(InputError, match="not a date"):
        clv_summary(tx, as_of="03/31/2026")  # only ISO dates: no day/month guessing
    with pytest.raises(InputError, match="not a date") as soon:
        clv_summary(tx, as_of="soon")
    assert (soon.value.column, soon.value.rule) == ("as_of", "date")
    with pytest.raises(InputError) as number:
        clv_summary(tx, as_of=20260331)  # type: ignore[arg-type]
    assert (number.value.column, number.value.rule) == ("as_of", "date")
    with pytest.raises(PolicyError, match="unit"):
        CLVPolicy(unit="M")
    with pytest.raises(PolicyError, match="negatives"):
        CLVPolicy(negatives="net")  # type: ignore[arg-type]
    with pytest.raises(PolicyError, match="CLVPolicy"):
        clv_summary(tx, as_of=AS_OF, policy="weekly")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="got list"):
        clv_summary([1, 2], as_of=AS_OF)


def test_custom_column_names_and_provenance() -> None:
    tx = pd.DataFrame(
        {"cust": [5, 5], "day": ["2026-01-01", "2026-02-01"], "amt": [1.0, 2.0], "x": [0, 0]}
    )
    result = clv_summary(
        tx, as_of=AS_OF, columns={"customer_id": "cust", "date": "day", "amount": "amt"}
    )
    assert result.frame.columns[0] == "cust"
    (stamp,) = read_provenance(result.frame)
    assert stamp.as_of == AS_OF
    assert (stamp.policy_name, stamp.policy_version) == ("bankcrm.segmentation.clv", "1")
    assert stamp == result.provenance


def test_empty_and_all_excluded_inputs_give_empty_summaries() -> None:
    empty = _tx([], [], []).astype({"customer_id": np.int64, "amount": float})
    assert len(clv_summary(empty, as_of=AS_OF).frame) == 0
    later = _tx([1], ["2026-05-01"], [1.0])
    result = clv_summary(later, as_of=AS_OF)
    assert len(result.frame) == 0
    assert result.excluded["reason"].tolist() == ["after_as_of"]


def test_summary_of_the_synthetic_bank_fits_bgnbd() -> None:
    datasets = pytest.importorskip("bankcrm.datasets")
    generate = getattr(datasets, "generate_transactions", None)
    if generate is None:
        pytest.skip("bankcrm.datasets.generate_transactions is not available yet")
    tx = generate(300, 6_000, seed=5)
    as_of = tx["date"].max().date()
    summary = clv_summary(tx, as_of=as_of)
    assert summary.n_transactions + len(summary.excluded) == len(tx)
    model = fit_bgnbd(summary)
    assert model.converged_
    p_alive = model.p_alive(summary)
    assert np.all((p_alive >= 0) & (p_alive <= 1))


# --- properties ------------------------------------------------------------------------------


@st.composite
def transaction_frames(draw: st.DrawFn) -> pd.DataFrame:
    n = draw(st.integers(1, 40))
    ids = draw(st.lists(st.integers(1, 6), min_size=n, max_size=n))
    days = draw(st.lists(st.integers(0, 120), min_size=n, max_size=n))
    fen = draw(st.lists(st.integers(-500, 100_000), min_size=n, max_size=n))
    start = np.datetime64("2026-01-01")
    return pd.DataFrame(
        {
            "customer_id": np.asarray(ids, dtype=np.int64),
            "date": (start + np.asarray(days, dtype="timedelta64[D]")).astype("datetime64[s]"),
            "amount": [str(Decimal(f).scaleb(-2)) for f in fen],
        }
    )


@given(transaction_frames(), st.sampled_from(["D", "W", 3]))
def test_summary_invariants(tx: pd.DataFrame, unit: str | int) -> None:
    before = tx.copy()
    result = clv_summary(tx, as_of=AS_OF, policy=CLVPolicy(unit=unit))
    pd.testing.assert_frame_equal(tx, before)  # input untouched
    frame = result.frame
    assert (frame["frequency"] >= 0).all()
    assert (frame["recency"] >= 0).all()
    assert (frame["recency"] <= frame["T"]).all()
    assert ((frame["frequency"] > 0) | (frame["recency"] == 0)).all()
    assert ((frame["frequency"] > 0) | (frame["monetary_value"] == 0)).all()
    assert frame["customer_id"].is_monotonic_increasing
    assert frame["customer_id"].is_unique
    # every row is used or excluded, and the excluded ones are exactly the later or negative
    used = tx.drop(index=result.excluded.index)
    assert len(used) == result.n_transactions
    assert (used["date"] <= pd.Timestamp(AS_OF)).all()
    assert not used["amount"].str.startswith("-").any()
    # frequency is distinct purchase days minus one, per customer
    distinct_days = used.groupby("customer_id")["date"].nunique()
    assert frame.set_index("customer_id")["frequency"].to_dict() == (distinct_days - 1).to_dict()


@given(transaction_frames(), st.randoms(use_true_random=False))
def test_summary_does_not_depend_on_row_order(tx: pd.DataFrame, rnd: Any) -> None:
    order = list(range(len(tx)))
    rnd.shuffle(order)
    shuffled = tx.iloc[order]
    first = clv_summary(tx, as_of=AS_OF)
    second = clv_summary(shuffled, as_of=AS_OF)
    pd.testing.assert_frame_equal(first.frame, second.frame)
    assert sorted(first.excluded.index) == sorted(second.excluded.index)


@given(st.integers(1, 5), st.integers(0, 89), st.integers(1, 10_000))
def test_one_purchase_day_means_no_repeat(n_rows: int, day: int, fen: int) -> None:
    date = (np.datetime64("2026-01-01") + np.timedelta64(day, "D")).astype(str)
    tx = _tx([7] * n_rows, [date] * n_rows, [fen / 100] * n_rows)
    row = _row(clv_summary(tx, as_of=AS_OF, policy=CLVPolicy(unit="D")).frame, 7)
    assert row["frequency"] == 0
    assert row["recency"] == 0.0
    assert row["monetary_value"] == 0.0
    assert row["T"] == float((AS_OF - dt.date(2026, 1, 1)).days - day)
