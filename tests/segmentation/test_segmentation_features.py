"""rfm_features: hand-computed examples, every row policy, exactness and order independence."""

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
from bankcrm.segmentation import RFMPolicy, _aggregate, rfm_features

AS_OF = dt.date(2026, 3, 31)


def _tx(ids: list[object], dates: list[str], amounts: list[object]) -> pd.DataFrame:
    return pd.DataFrame(
        {"customer_id": ids, "date": pd.to_datetime(dates), "amount": amounts},
    )


def _row(result: object, customer: object) -> dict[str, object]:
    features = result.features  # type: ignore[attr-defined]
    row = features.loc[features["customer_id"] == customer].iloc[0]
    return dict(row)


def test_hand_computed_example() -> None:
    tx = _tx(
        [10, 20, 10, 10, 20],
        ["2026-03-31", "2026-01-01", "2026-02-28", "2025-12-01", "2026-03-30"],
        [100.10, 0.01, 200.20, 0.05, 99.99],
    )
    result = rfm_features(tx, as_of=AS_OF)
    a, b = _row(result, 10), _row(result, 20)
    assert (a["recency_days"], a["frequency"], a["monetary_fen"]) == (0, 3, 30035)
    assert (b["recency_days"], b["frequency"], b["monetary_fen"]) == (1, 2, 10000)
    assert a["monetary"] == pytest.approx(300.35)
    assert bool(a["has_transactions"])
    assert bool(b["has_transactions"])
    assert result.features["customer_id"].tolist() == [10, 20]
    assert len(result.excluded) == 0
    assert result.summary()["counted"] == 5


def test_window_is_inclusive_and_before_window_rows_keep_the_customer() -> None:
    # window of 31 days ending 2026-03-31 starts on 2026-03-01 (inclusive)
    tx = _tx([1, 1, 2], ["2026-03-01", "2026-02-28", "2026-02-28"], [1.0, 2.0, 3.0])
    result = rfm_features(tx, as_of=AS_OF, policy=RFMPolicy(window_days=31))
    one, two = _row(result, 1), _row(result, 2)
    assert (one["frequency"], one["monetary_fen"], one["recency_days"]) == (1, 100, 30)
    assert two["frequency"] == 0
    assert two["monetary_fen"] == 0
    assert two["recency_days"] is pd.NA
    assert not two["has_transactions"]
    assert result.excluded["reason"].tolist() == ["before_window", "before_window"]
    assert result.excluded["position"].tolist() == [1, 2]
    assert rfm_features(
        tx, as_of=AS_OF, policy=RFMPolicy(window_days=dt.timedelta(days=31))
    ).features.equals(result.features)


def test_after_as_of_excluded_by_default_or_raises() -> None:
    tx = _tx([1, 1, 2], ["2026-03-31", "2026-04-01", "2026-04-02"], [1.0, 2.0, 3.0])
    result = rfm_features(tx, as_of=AS_OF)
    # customer 2 only transacted after as_of: not a customer yet as of that date
    assert result.features["customer_id"].tolist() == [1]
    assert result.excluded["reason"].tolist() == ["after_as_of", "after_as_of"]
    with pytest.raises(InputError) as info:
        rfm_features(tx, as_of=AS_OF, policy=RFMPolicy(after_as_of="raise"))
    assert info.value.rule == "after_as_of"
    assert info.value.rows == [1, 2]


def test_timestamps_count_by_calendar_day() -> None:
    tx = pd.DataFrame(
        {
            "customer_id": [1, 1],
            "date": pd.to_datetime(["2026-03-31 23:59:59", "2026-04-01 00:00:00"]),
            "amount": [1.0, 1.0],
        }
    )
    result = rfm_features(tx, as_of=AS_OF)
    assert _row(result, 1)["recency_days"] == 0
    assert result.excluded["reason"].tolist() == ["after_as_of"]


@pytest.mark.parametrize("unit", ["s", "ms", "us", "ns"])
def test_any_datetime_unit(unit: str) -> None:
    dates = np.array(["2026-03-01", "2026-03-30"], dtype=f"datetime64[{unit}]")
    tx = pd.DataFrame({"customer_id": [5, 5], "date": dates, "amount": [1.0, 2.0]})
    assert _row(rfm_features(tx, as_of=AS_OF), 5)["recency_days"] == 1


def test_timezone_aware_dates_use_their_wall_clock() -> None:
    stamps = pd.to_datetime(["2026-03-31 23:30"]).tz_localize("Asia/Shanghai")
    tx = pd.DataFrame({"customer_id": [1], "date": stamps, "amount": [5.0]})
    assert _row(rfm_features(tx, as_of=AS_OF), 1)["recency_days"] == 0


def test_negative_amounts_policies() -> None:
    tx = _tx([1, 1, 1], ["2026-03-01", "2026-03-20", "2026-03-25"], [100.0, -40.0, 0.0])
    excluded = rfm_features(tx, as_of=AS_OF)
    row = _row(excluded, 1)
    # default: the reversal is excluded and reported; a zero amount is a transaction
    assert (row["frequency"], row["monetary_fen"], row["recency_days"]) == (2, 10000, 6)
    assert excluded.excluded["reason"].tolist() == ["negative_amount"]
    netted = rfm_features(tx, as_of=AS_OF, policy=RFMPolicy(negatives="net"))
    row = _row(netted, 1)
    # net: lowers monetary, is not a purchase (frequency, recency from the others)
    assert (row["frequency"], row["monetary_fen"], row["recency_days"]) == (2, 6000, 6)
    assert len(netted.excluded) == 0
    with pytest.raises(InputError) as info:
        rfm_features(tx, as_of=AS_OF, policy=RFMPolicy(negatives="raise"))
    assert info.value.rule == "negative_amount"
    assert info.value.rows == [1]


def test_only_reversals_leave_a_customer_without_transactions() -> None:
    tx = _tx([1, 2], ["2026-03-01", "2026-03-02"], [-5.0, 7.0])
    row = _row(rfm_features(tx, as_of=AS_OF, policy=RFMPolicy(negatives="net")), 1)
    assert row["frequency"] == 0
    assert row["monetary_fen"] == -500
    assert not row["has_transactions"]


def test_malformed_rows_raise_by_default_naming_column_rule_and_rows() -> None:
    tx = _tx([1, 2, 3], ["2026-03-01", "2026-03-02", "2026-03-03"], [1.0, float("nan"), 2.0])
    with pytest.raises(InputError) as info:
        rfm_features(tx, as_of=AS_OF)
    assert info.value.column == "amount"
    assert info.value.rule == "missing"
    assert info.value.rows == [1]


def test_malformed_rows_excluded_with_reasons() -> None:
    tx = pd.DataFrame(
        {
            "customer_id": ["a", None, "b", "c", "d", " "],
            "date": ["2026-03-01", "2026-03-01", "not a date", "2026-03-02", None, "2026-03-01"],
            "amount": ["1.00", "2", "3", "¥1,234.50", "5", "6"],
        },
        index=[f"r{i}" for i in range(6)],
    )
    result = rfm_features(tx, as_of=AS_OF, policy=RFMPolicy(on_invalid="exclude"))
    reasons = result.excluded["reason"].astype(str).to_dict()
    assert reasons == {
        "r1": "invalid_customer_id",
        "r2": "invalid_date",
        "r4": "invalid_date",
        "r5": "invalid_customer_id",
    }
    assert result.features["customer_id"].tolist() == ["a", "c"]
    assert _row(result, "c")["monetary_fen"] == 123450
    assert result.summary().sum() == len(tx)


def test_text_and_decimal_amounts_are_exact() -> None:
    tx = _tx(
        [1, 1, 1],
        ["2026-03-01"] * 3,
        [Decimal("0.105"), "1,000.005", 2.675],
    )
    # half away from zero on the typed decimal: 0.11 + 1000.01 + 2.68
    assert _row(rfm_features(tx, as_of=AS_OF), 1)["monetary_fen"] == 11 + 100001 + 268


def test_customers_frame_keeps_inactive_and_flags_unknown() -> None:
    tx = _tx([1, 2, 9], ["2026-03-01", "2026-03-02", "2026-03-03"], [1.0, 2.0, 3.0])
    customers = pd.DataFrame({"customer_id": [3, 1, 2], "branch": ["x", "y", "z"]})
    result = rfm_features(tx, as_of=AS_OF, customers=customers)
    frame = result.features
    assert frame["customer_id"].tolist() == [1, 2, 3]
    assert frame["branch"].tolist() == ["y", "z", "x"]
    assert frame["has_transactions"].tolist() == [True, True, False]
    assert result.excluded["reason"].tolist() == ["unknown_customer"]


@pytest.mark.parametrize("ids", [[1, 2, 9, 9, 2], ["a", "b", "z", "z", "b"]])
def test_reversal_of_an_unknown_customer_is_unknown_not_negative(ids: list[object]) -> None:
    # the unknown-customer reason comes first: negatives="raise" does not fire for row 3,
    # but does for a known customer's reversal
    tx = _tx(ids, ["2026-03-01", "2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05"],
             [1.0, 2.0, 3.0, -4.0, 5.0])  # fmt: skip
    customers = pd.DataFrame({"customer_id": ids[:2]})
    result = rfm_features(tx, as_of=AS_OF, customers=customers, policy=RFMPolicy(negatives="raise"))
    assert result.excluded["reason"].tolist() == ["unknown_customer", "unknown_customer"]
    assert result.excluded["position"].tolist() == [2, 3]
    assert result.features["frequency"].tolist() == [1, 2]
    reversal = tx.assign(amount=[1.0, -2.0, 3.0, -4.0, 5.0])
    with pytest.raises(InputError) as info:
        rfm_features(
            reversal, as_of=AS_OF, customers=customers, policy=RFMPolicy(negatives="raise")
        )
    assert info.value.rule == "negative_amount"
    assert "1" in str(info.value)  # row 1, the known customer's reversal


def test_active_days_with_a_customers_frame_and_reversals() -> None:
    tx = _tx([5, 5, 5, 6, 7], ["2026-03-01", "2026-03-01", "2026-03-02", "2026-03-02",
             "2026-03-03"], [1.0, 2.0, -3.0, 4.0, 5.0])  # fmt: skip
    customers = pd.DataFrame({"customer_id": [8, 6, 5]})
    result = rfm_features(
        tx, as_of=AS_OF, customers=customers, policy=RFMPolicy(frequency="active_days")
    )
    frame = result.features
    assert frame["customer_id"].tolist() == [5, 6, 8]
    assert frame["frequency"].tolist() == [1, 1, 0]  # the reversal's day does not count
    assert sorted(result.excluded["reason"].tolist()) == ["negative_amount", "unknown_customer"]


def test_customers_frame_must_have_unique_ids() -> None:
    tx = _tx([1], ["2026-03-01"], [1.0])
    with pytest.raises(InputError) as info:
        rfm_features(tx, as_of=AS_OF, customers=pd.DataFrame({"customer_id": [1, 1]}))
    assert info.value.rule == "duplicate_key"


def test_genuine_duplicates_are_counted() -> None:
    tx = _tx([1, 1], ["2026-03-01", "2026-03-01"], [50.0, 50.0])
    row = _row(rfm_features(tx, as_of=AS_OF), 1)
    assert (row["frequency"], row["monetary_fen"]) == (2, 10000)


def test_active_days_and_mean() -> None:
    tx = _tx(
        [1, 1, 1, 2],
        ["2026-03-01", "2026-03-01", "2026-03-05", "2026-03-05"],
        [1.0, 1.0, 1.01, 3.0],
    )
    result = rfm_features(
        tx, as_of=AS_OF, policy=RFMPolicy(frequency="active_days", monetary="mean")
    )
    one = _row(result, 1)
    # mean = 301 fen / 3 = 100.33 → 100 fen (half away from zero)
    assert (one["frequency"], one["monetary_fen"]) == (2, 100)
    assert _row(result, 2)["frequency"] == 1


def test_mean_rounds_half_away_from_zero() -> None:
    tx = _tx([1, 1], ["2026-03-01", "2026-03-02"], [0.01, 0.02])
    assert (
        _row(rfm_features(tx, as_of=AS_OF, policy=RFMPolicy(monetary="mean")), 1)["monetary_fen"]
        == 2
    )


def test_custom_column_names_and_input_untouched() -> None:
    tx = pd.DataFrame(
        {"cust": [3, 1], "d": pd.to_datetime(["2026-03-01", "2026-03-02"]), "amt": [1.0, 2.0]}
    )
    before = tx.copy(deep=True)
    result = rfm_features(
        tx,
        as_of=AS_OF,
        columns={"transactions": {"customer_id": "cust", "date": "d", "amount": "amt"}},
    )
    assert result.features["customer_id"].tolist() == [1, 3]
    pd.testing.assert_frame_equal(tx, before)


def test_missing_column_and_bad_arguments_are_clear_errors() -> None:
    tx = _tx([1], ["2026-03-01"], [1.0])
    with pytest.raises(InputError, match="missing required column"):
        rfm_features(tx.drop(columns="amount"), as_of=AS_OF)
    with pytest.raises(InputError, match="as_of"):
        rfm_features(tx, as_of="31/03/2026")
    with pytest.raises(PolicyError, match="window"):
        RFMPolicy(window_days=0)
    with pytest.raises(PolicyError, match="monetary"):
        RFMPolicy(monetary="median")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="roles"):
        rfm_features(tx, as_of=AS_OF, columns={"transactions": {"id": "x"}})
    with pytest.raises(InputError, match="roles"):
        rfm_features(tx, as_of=AS_OF, columns={"customer_id": "x"})  # type: ignore[dict-item]
    with pytest.raises(InputError) as info:
        rfm_features(tx, as_of=AS_OF, policy={"window_days": 30})  # type: ignore[arg-type]
    assert info.value.rule == "type"


def test_empty_transactions() -> None:
    tx = _tx([], [], [])
    result = rfm_features(tx.astype({"customer_id": np.int64, "amount": float}), as_of=AS_OF)
    assert len(result.features) == 0
    assert len(result.excluded) == 0


def test_provenance_is_stamped() -> None:
    tx = _tx([1], ["2026-03-01"], [1.0])
    result = rfm_features(tx, as_of=AS_OF, policy=RFMPolicy(window_days=90))
    (stamp,) = read_provenance(result.features)
    assert stamp.as_of == AS_OF
    # the real policy's name and version, not a name made up from its settings
    assert (stamp.policy_name, stamp.policy_version) == ("bankcrm.segmentation.rfm", "1")
    assert result.provenance == stamp
    assert result.window_days == 90


# -- properties --------------------------------------------------------------------------


def _frame(rows: list[tuple[int, int, int]]) -> pd.DataFrame:
    ids = [r[0] for r in rows]
    days = [r[1] for r in rows]
    cents = [r[2] for r in rows]
    return pd.DataFrame(
        {
            "customer_id": np.asarray(ids, dtype=np.int64),
            "date": pd.Timestamp(AS_OF) + pd.to_timedelta(np.asarray(days, dtype=np.int64), "D"),
            "amount": np.asarray(cents, dtype=np.int64) / 100.0,
        }
    )


_ROWS = st.tuples(
    st.sampled_from([3, 17, 2**40, -5, 99]), st.integers(-200, 5), st.integers(-5_000, 10**9)
)


def transactions() -> st.SearchStrategy[pd.DataFrame]:
    """Small transaction frames with ties, reversals, future rows and huge amounts."""
    return st.lists(_ROWS, max_size=60).map(_frame)


@given(
    transactions(),
    st.randoms(use_true_random=False),
    st.sampled_from(["exclude", "net"]),
    st.sampled_from([None, 30, 150]),
)
def test_row_order_never_matters(
    tx: pd.DataFrame, rnd: object, negatives: str, window: int | None
) -> None:
    order = list(range(len(tx)))
    rnd.shuffle(order)  # type: ignore[attr-defined]
    shuffled = tx.iloc[order]
    policy = RFMPolicy(negatives=negatives, window_days=window)  # type: ignore[arg-type]
    a = rfm_features(tx, as_of=AS_OF, policy=policy)
    b = rfm_features(shuffled, as_of=AS_OF, policy=policy)
    pd.testing.assert_frame_equal(a.features, b.features)
    assert a.summary().equals(b.summary())
    # every row accounted for
    assert a.n_counted + len(a.excluded) == len(tx)


@given(transactions())
def test_matches_a_plain_pandas_reference(tx: pd.DataFrame) -> None:
    result = rfm_features(tx, as_of=AS_OF)
    stamp = pd.Timestamp(AS_OF)
    kept = tx[(tx["date"] <= stamp) & (tx["amount"] >= 0)]
    fen = (kept["amount"] * 100).round().astype(np.int64)
    ref = (
        kept.assign(fen=fen)
        .groupby("customer_id")
        .agg(last=("date", "max"), frequency=("fen", "size"), monetary_fen=("fen", "sum"))
    )
    active = result.features[result.features["has_transactions"]].set_index("customer_id")
    assert active.index.tolist() == ref.index.tolist()
    assert active["frequency"].tolist() == ref["frequency"].tolist()
    assert active["monetary_fen"].tolist() == ref["monetary_fen"].tolist()
    assert active["recency_days"].tolist() == (stamp - ref["last"]).dt.days.tolist()


@given(
    transactions(),
    st.sampled_from(["exclude", "net"]),
    st.sampled_from(["count", "active_days"]),
    st.booleans(),
)
def test_threads_never_change_the_features(
    tx: pd.DataFrame, negatives: str, frequency: str, with_customers: bool
) -> None:
    # small frames normally run on one thread: force the threaded split and compare
    customers = pd.DataFrame({"customer_id": [3, 17, 99, 12345]}) if with_customers else None
    kwargs: dict[str, Any] = {
        "as_of": AS_OF,
        "policy": RFMPolicy(negatives=negatives, frequency=frequency),  # type: ignore[arg-type]
        "customers": customers,
    }
    one = rfm_features(tx, **kwargs)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_aggregate, "thread_count", lambda n_rows: 4)
        many = rfm_features(tx, **kwargs)
    pd.testing.assert_frame_equal(one.features, many.features)
    pd.testing.assert_frame_equal(one.excluded, many.excluded)


def test_equal_totals_are_equal_whatever_the_order() -> None:
    # 0.1 + 0.2 + 0.3 in floats depends on the order; in fen it does not
    tx = _tx([1, 1, 1, 2, 2, 2], ["2026-03-01"] * 6, [0.1, 0.2, 0.3, 0.3, 0.2, 0.1])
    frame = rfm_features(tx, as_of=AS_OF).features
    assert frame["monetary_fen"].tolist() == [60, 60]


# -- day numbers far from today ----------------------------------------------------


def test_recency_exact_when_day_numbers_exceed_int32() -> None:
    # second-resolution stamps ~6 million years back: day numbers below int32's range
    # (recency is still counted in whole days)
    far = np.datetime64(-6_000_000 * 366 * 86_400, "s")
    near = np.datetime64("2026-03-01", "s")
    tx = pd.DataFrame(
        {
            "customer_id": [1, 2, 2],
            "date": np.array([far, far, near], dtype="datetime64[s]"),
            "amount": [1.0, 2.0, 3.0],
        }
    )
    frame = rfm_features(tx, as_of=AS_OF).features
    far_day = int(far.astype(np.int64)) // 86_400
    as_of_day = (AS_OF - dt.date(1970, 1, 1)).days
    assert frame["recency_days"].tolist() == [as_of_day - far_day, 30]
    assert frame["frequency"].tolist() == [1, 2]


def test_recency_with_missing_dates_excluded_in_second_resolution() -> None:
    # NaT rows are excluded; the other rows' recency is unaffected
    tx = pd.DataFrame(
        {
            "customer_id": [1, 1, 2],
            "date": np.array(["2026-03-30", "NaT", "2025-03-31"], dtype="datetime64[s]"),
            "amount": [1.0, 2.0, 3.0],
        }
    )
    result = rfm_features(tx, as_of=AS_OF, policy=RFMPolicy(on_invalid="exclude"))
    assert result.features["recency_days"].tolist() == [1, 365]
    assert result.excluded["reason"].tolist() == ["invalid_date"]
