"""Daily averages: batch == a day-by-day reference, snapshots == events, exact thresholds."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any
from unittest import mock

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import bankcrm.membership.averages as averages
import bankcrm.membership.balances as balances_module
from bankcrm.calendar import periods_between
from bankcrm.errors import InputError
from bankcrm.membership import (
    AUM,
    FINANCIAL_ASSETS,
    AssetPolicy,
    daily_average,
    daily_balances,
    meets,
)
from bankcrm.membership.averages import window_sums

D0 = dt.date(2024, 1, 1)  # 2024 is a leap year: February has 29 days
CLASSES = ("demand_deposit", "fund", "loan")  # loan: weight 0 under the default policy
WEIGHTED = AssetPolicy(weights={"demand_deposit": "1", "fund": "1/3", "loan": "0.5"})


def _half_up(value: Fraction) -> int:
    return (2 * value.numerator + value.denominator) // (2 * value.denominator)


@st.composite
def bank(draw: st.DrawFn) -> dict[str, Any]:
    n = draw(st.integers(1, 4))
    accounts, rows, events = [], [], []
    for k in range(1, n + 1):
        opened = D0 + dt.timedelta(days=draw(st.integers(-20, 80)))
        life = draw(st.none() | st.integers(1, 120))
        closed = None if life is None else opened + dt.timedelta(days=life)
        accounts.append(
            {
                "account_id": k,
                "customer_id": draw(st.sampled_from(["a", "b"])),
                "asset_class": draw(st.sampled_from(CLASSES)),
                "currency": draw(st.sampled_from(["CNY", "CNY", "USD"])),
                "opened_on": pd.Timestamp(opened),
                "closed_on": pd.Timestamp(closed) if closed else pd.NaT,
            }
        )
        days = sorted(draw(st.sets(st.integers(0, 100), min_size=0, max_size=6)))
        first = (opened - D0).days
        days = sorted({max(first, -20)} | {d for d in days if d >= first})
        balance = 0
        for d in days:
            fen = draw(st.integers(0, 10**9))
            rows.append(
                {
                    "account_id": k,
                    "date": pd.Timestamp(D0 + dt.timedelta(days=d)),
                    "balance": fen / 100,
                }
            )
            events.append(
                {
                    "account_id": k,
                    "date": pd.Timestamp(D0 + dt.timedelta(days=d)),
                    "amount": (fen - balance) / 100,
                }
            )
            balance = fen
    fx_days = sorted({-30, 200} | draw(st.sets(st.integers(-29, 130), max_size=8)))
    fx = pd.DataFrame(
        {
            "currency": "USD",
            "date": [pd.Timestamp(D0 + dt.timedelta(days=d)) for d in fx_days],
            "rate": [str(draw(st.decimals("6.5", "7.5", places=4))) for _ in fx_days],
        }
    )
    frame = pd.DataFrame(accounts)
    return {
        "accounts": frame,
        "balances": pd.DataFrame(rows, columns=["account_id", "date", "balance"]),
        "events": pd.DataFrame(events, columns=["account_id", "date", "amount"]),
        "fx": fx,
    }


def reference(
    data: dict[str, Any],
    start: dt.date,
    end: dt.date,
    policy: AssetPolicy,
    by: Any = "customer",
    periods: Any = None,
) -> pd.DataFrame:
    """Day by day, in pure Python: the end-of-day balance of every account, summed."""
    accounts = data["accounts"].to_dict("records")
    snaps: dict[int, list[tuple[dt.date, int]]] = {}
    for r in data["balances"].to_dict("records"):
        snaps.setdefault(r["account_id"], []).append((r["date"].date(), round(r["balance"] * 100)))
    fx = sorted((r["date"].date(), Decimal(r["rate"])) for r in data["fx"].to_dict("records"))

    def balance(acc: dict[str, Any], day: dt.date) -> Fraction:
        if day < acc["opened_on"].date() or (
            pd.notna(acc["closed_on"]) and day >= acc["closed_on"].date()
        ):
            return Fraction(0)
        known = [b for d, b in sorted(snaps.get(acc["account_id"], [])) if d <= day]
        if not known:
            if policy.missing_history == "raise":
                raise LookupError(day)
            return Fraction(0)
        fen = known[-1]
        if acc["currency"] != "CNY":
            rate = [r for d, r in fx if d <= day][-1]
            fen = int((Decimal(fen) * rate).quantize(1, ROUND_HALF_UP))
        return policy.weight(acc["asset_class"]) * fen

    windows = (
        [(start, end)]
        if periods is None
        else [(max(p.start, start), min(p.end, end)) for p in periods_between(start, end, periods)]
    )
    key = "customer_id" if by == "customer" else "account_id"
    out = []
    for g in sorted({a[key] for a in accounts}):
        mine = [a for a in accounts if a[key] == g]
        for a, b in windows:
            totals = [
                sum((balance(x, a + dt.timedelta(days=i)) for x in mine), Fraction(0))
                for i in range((b - a).days + 1)
            ]
            out.append(
                {
                    key: g,
                    "start": pd.Timestamp(a),
                    "end": pd.Timestamp(b),
                    "days": len(totals),
                    "balance_days_fen": _half_up(sum(totals, Fraction(0))),
                    "max_balance_fen": _half_up(max(totals)),
                    "min_balance_fen": _half_up(min(totals)),
                    "end_balance_fen": _half_up(totals[-1]),
                }
            )
    return pd.DataFrame(out)


def _compare(got: pd.DataFrame, want: pd.DataFrame, key: str) -> None:
    cols = [
        key,
        "start",
        "end",
        "days",
        "balance_days_fen",
        "max_balance_fen",
        "min_balance_fen",
        "end_balance_fen",
    ]
    got = got[cols].astype({"start": "datetime64[us]", "end": "datetime64[us]"})
    want = want[cols].astype({"start": "datetime64[us]", "end": "datetime64[us]"})
    pd.testing.assert_frame_equal(
        got.reset_index(drop=True), want.reset_index(drop=True), check_dtype=False
    )


@settings(max_examples=60)
@given(
    bank(),
    st.integers(0, 40),
    st.integers(0, 80),
    st.sampled_from([None, "month", "quarter"]),
    st.sampled_from(["customer", "account"]),
    st.booleans(),
)
def test_batch_equals_the_day_by_day_reference(
    data: dict[str, Any], s: int, length: int, periods: Any, by: Any, weighted: bool
) -> None:
    start, end = D0 + dt.timedelta(days=s), D0 + dt.timedelta(days=s + length)
    policy = (
        AssetPolicy(weights=WEIGHTED.weights, missing_history="zero")
        if weighted
        else AssetPolicy(missing_history="zero")
    )
    want = reference(data, start, end, policy, by, periods)
    got = daily_average(
        data["accounts"],
        data["balances"],
        start=start,
        end=end,
        periods=periods,
        by=by,
        fx_rates=data["fx"],
        policy=policy,
    )
    _compare(got, want, "customer_id" if by == "customer" else "account_id")
    events = daily_average(
        data["accounts"],
        data["events"],
        start=start,
        end=end,
        periods=periods,
        by=by,
        fx_rates=data["fx"],
        policy=policy,
    )
    pd.testing.assert_frame_equal(got, events)
    # the average lies within the window's smallest and largest daily total
    assert (got["balance_days_fen"] <= got["max_balance_fen"] * got["days"] + got["days"]).all()
    assert (got["balance_days_fen"] >= got["min_balance_fen"] * got["days"] - got["days"]).all()
    if not weighted:  # no rounding at all: the bounds are exact
        assert (got["balance_days_fen"] <= got["max_balance_fen"] * got["days"]).all()
        assert (got["balance_days_fen"] >= got["min_balance_fen"] * got["days"]).all()


@settings(max_examples=30)
@given(bank(), st.randoms(use_true_random=False))
def test_row_order_does_not_matter_and_inputs_are_not_mutated(
    data: dict[str, Any], rnd: Any
) -> None:
    policy = AssetPolicy(missing_history="zero")
    kwargs = {
        "start": D0,
        "end": D0 + dt.timedelta(days=90),
        "periods": "month",
        "fx_rates": data["fx"],
        "policy": policy,
    }
    base = daily_average(data["accounts"], data["balances"], **kwargs)
    copies = {k: v.copy() for k, v in data.items()}
    shuffled = {k: v.sample(frac=1, random_state=rnd.randint(0, 10**6)) for k, v in data.items()}
    again = daily_average(
        shuffled["accounts"], shuffled["balances"], **{**kwargs, "fx_rates": shuffled["fx"]}
    )
    pd.testing.assert_frame_equal(base, again)
    for k in data:
        pd.testing.assert_frame_equal(data[k], copies[k])


def _one_account(fen_per_day: list[int], start: dt.date) -> tuple[pd.DataFrame, pd.DataFrame]:
    accounts = pd.DataFrame(
        {
            "account_id": [1],
            "customer_id": ["c"],
            "asset_class": ["demand_deposit"],
            "currency": ["CNY"],
            "opened_on": [pd.Timestamp("2020-01-01")],
        }
    )
    days = [start + dt.timedelta(days=i) for i in range(len(fen_per_day))]
    events = pd.DataFrame(
        {
            "account_id": 1,
            "date": pd.to_datetime(days),
            "amount": np.diff(np.asarray(fen_per_day), prepend=0) / 100,
        }
    )
    return accounts, events


@pytest.mark.parametrize(
    ("year", "month", "days"), [(2024, 2, 29), (2025, 2, 28), (2025, 4, 30), (2025, 12, 31)]
)
def test_exactly_the_threshold_qualifies_and_one_fen_less_does_not(
    year: int, month: int, days: int
) -> None:
    first = dt.date(year, month, 1)
    threshold_fen = 1_000_000 * 100
    for short, expected in ((0, True), (1, False)):
        values = [threshold_fen] * (days - 1) + [threshold_fen - short]
        accounts, events = _one_account(values, first)
        out = daily_average(
            accounts, events, start=first, end=first + dt.timedelta(days=days - 1), periods="month"
        )
        assert out["days"].tolist() == [days]
        assert out["balance_days_fen"].tolist() == [threshold_fen * days - short]
        assert meets(out["balance_days_fen"], out["days"], 1_000_000, "以上").tolist() == [expected]
        assert meets(int(out["balance_days_fen"].iloc[0]), days, "1000000", ">=") is expected


def test_twelve_months_in_one_call_of_a_leap_year() -> None:
    accounts, events = _one_account([100], dt.date(2024, 1, 1))
    out = daily_average(accounts, events, start="2024-01-01", end="2024-12-31", periods="month")
    assert out["days"].tolist() == [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    assert (out["balance_days_fen"] == 100 * out["days"]).all()
    year = daily_average(accounts, events, start="2024-01-01", end="2024-12-31", periods="year")
    assert year["days"].tolist() == [366]


def test_missing_history_raises_unless_the_policy_reads_it_as_zero() -> None:
    accounts, events = _one_account([100], dt.date(2024, 3, 1))  # opened 2020, first row in March
    with pytest.raises(InputError) as info:
        daily_average(accounts, events, start="2024-02-01", end="2024-03-31")
    assert info.value.rule == "no_history"
    out = daily_average(
        accounts,
        events,
        start="2024-02-01",
        end="2024-03-31",
        policy=AssetPolicy(missing_history="zero"),
    )
    assert out["balance_days_fen"].tolist() == [100 * 31]
    assert out["min_balance_fen"].tolist() == [0]


def test_unknown_accounts_and_missing_rates_are_named() -> None:
    accounts, events = _one_account([100], dt.date(2024, 1, 1))
    stray = pd.concat(
        [
            events,
            pd.DataFrame(
                {"account_id": [9], "date": [pd.Timestamp("2024-01-02")], "amount": [1.0]}
            ),
        ],
        ignore_index=True,
    )
    for merge_from in (1 << 16, 0):  # ids by hash lookup, then by the merge walk
        with (
            mock.patch.object(balances_module, "_MERGE_FROM", merge_from),
            pytest.raises(InputError) as info,
        ):
            daily_average(accounts, stray, start="2024-01-01", end="2024-01-31")
        assert info.value.rule == "domain"
        assert info.value.rows == [1]
    usd = accounts.assign(currency="USD")
    fx = pd.DataFrame({"currency": ["USD"], "date": [pd.Timestamp("2024-01-05")], "rate": ["7.1"]})
    with pytest.raises(InputError) as info:
        daily_average(usd, events, start="2024-01-01", end="2024-01-05", fx_rates=fx)
    assert info.value.rule == "fx_rate"
    with pytest.raises(InputError) as info:
        daily_average(usd, events, start="2024-01-05", end="2024-01-06", fx_rates=fx)
    assert info.value.rule == "fx_rate"  # after the table's last date


def test_provenance_and_presets() -> None:
    accounts, events = _one_account([100], dt.date(2024, 1, 1))
    from bankcrm.policy import read_provenance

    out = daily_average(accounts, events, start="2024-01-01", end="2024-01-31")
    assert read_provenance(out)[0].policy_name == FINANCIAL_ASSETS.name
    from bankcrm.membership import AUM

    assert set(FINANCIAL_ASSETS.weights) < set(AUM.weights)


@settings(max_examples=40)
@given(bank())
def test_daily_balances_sum_to_the_reference_and_events_agree(
    data: dict[str, Any],
) -> None:
    policy = AssetPolicy(missing_history="zero")
    start, end = D0, D0 + dt.timedelta(days=70)
    kw: dict[str, Any] = {"start": start, "end": end, "fx_rates": data["fx"], "policy": policy}
    snaps = daily_balances(data["accounts"], data["balances"], **kw)
    events = daily_balances(data["accounts"], data["events"], **kw)
    pd.testing.assert_frame_equal(snaps, events)
    assert (snaps["days"] == (snaps["end"] - snaps["start"]).dt.days + 1).all()
    assert (snaps["start"] >= pd.Timestamp(start)).all()
    assert (snaps["end"] <= pd.Timestamp(end)).all()
    # intervals of one account never overlap
    gaps = snaps.groupby("account_id")["start"].shift(-1) - snaps["end"]
    assert (gaps.dropna().dt.days >= 1).all()
    want = reference(data, start, end, policy, by="account")
    got = (
        snaps.assign(bd=snaps["rmb_balance_fen"] * snaps["days"]).groupby("account_id")["bd"].sum()
    )
    counted = want.set_index("account_id")["balance_days_fen"]
    assert got.reindex(counted.index, fill_value=0).tolist() == counted.tolist()


@settings(max_examples=40)
@given(
    bank(),
    st.integers(0, 40),
    st.integers(0, 80),
    st.sampled_from([None, "month", "quarter"]),
    st.sampled_from(["customer", "account"]),
    st.booleans(),
)
def test_the_split_and_sort_path_equals_the_day_grid(
    data: dict[str, Any], s: int, length: int, periods: Any, by: Any, weighted: bool
) -> None:
    """The NumPy path's fallback for few customers over long spans (and sums near int64)
    gives what its day grid gives; forced here, since small frames always take the grid
    (and, unforced, the compiled walk)."""
    start, end = D0 + dt.timedelta(days=s), D0 + dt.timedelta(days=s + length)
    policy = (
        AssetPolicy(weights=WEIGHTED.weights, missing_history="zero")
        if weighted
        else AssetPolicy(missing_history="zero")
    )
    kwargs: dict[str, Any] = {
        "start": start,
        "end": end,
        "periods": periods,
        "by": by,
        "fx_rates": data["fx"],
        "policy": policy,
    }
    with _numpy_path():
        grid = daily_average(data["accounts"], data["balances"], **kwargs)
        with mock.patch.object(averages, "_grid_fits", return_value=False):
            pieces = daily_average(data["accounts"], data["balances"], **kwargs)
    pd.testing.assert_frame_equal(grid, pieces)
    pd.testing.assert_frame_equal(grid, daily_average(data["accounts"], data["balances"], **kwargs))
    want = reference(data, start, end, policy, by, periods)
    _compare(pieces, want, "customer_id" if by == "customer" else "account_id")


# ---- the compiled walk (bankcrm.membership._kernels) against the NumPy intervals ----
POLICIES = (
    AssetPolicy(missing_history="zero"),
    AssetPolicy(weights=WEIGHTED.weights, missing_history="zero"),
    AssetPolicy(weights=WEIGHTED.weights),  # raises on missing history
    FINANCIAL_ASSETS,
)


def _outcome(call: Any) -> Any:
    """The frame a call returns, or its error (type, rule, message) to compare."""
    try:
        return call()
    except InputError as exc:
        return ("error", exc.rule, str(exc))


def _same(a: Any, b: Any) -> None:
    if isinstance(a, pd.DataFrame) and isinstance(b, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b)
    else:
        assert a == b


def _numpy_path() -> Any:
    return mock.patch.object(averages, "_fast_totals", return_value=None)


@settings(max_examples=60, deadline=None)
@given(
    bank(),
    st.integers(-25, 40),
    st.integers(0, 120),
    st.sampled_from([None, "month", "quarter"]),
    st.sampled_from(["customer", "account"]),
    st.sampled_from(POLICIES),
    st.booleans(),
    st.randoms(use_true_random=False),
)
def test_the_compiled_walk_equals_the_numpy_intervals(
    data: dict[str, Any],
    s: int,
    length: int,
    periods: Any,
    by: Any,
    policy: AssetPolicy,
    events: bool,
    rnd: Any,
) -> None:
    start, end = D0 + dt.timedelta(days=s), D0 + dt.timedelta(days=s + length)
    rows = data["events" if events else "balances"]
    if rnd.random() < 0.5:
        rows = rows.sample(frac=1, random_state=rnd.randint(0, 10**6))  # any row order
    kwargs: dict[str, Any] = {
        "start": start,
        "end": end,
        "periods": periods,
        "by": by,
        "fx_rates": data["fx"],
        "policy": policy,
    }
    with mock.patch.object(balances_module, "_MERGE_FROM", 0):  # account ids by the merge walk
        compiled = _outcome(lambda: daily_average(data["accounts"], rows, **kwargs))
    _same(compiled, _outcome(lambda: daily_average(data["accounts"], rows, **kwargs)))
    with _numpy_path():
        numpy_path = _outcome(lambda: daily_average(data["accounts"], rows, **kwargs))
    _same(compiled, numpy_path)


def _big_account(currency: str, fen: int, *, classes: tuple[str, ...] = ("fund",)) -> Any:
    n = len(classes)
    accounts = pd.DataFrame(
        {
            "account_id": list(range(1, n + 1)),
            "customer_id": ["c"] * n,
            "asset_class": list(classes),
            "currency": [currency] * n,
            "opened_on": pd.to_datetime(["2025-01-01"] * n),
        }
    )
    balances = pd.DataFrame(
        {
            "account_id": list(range(1, n + 1)),
            "date": pd.to_datetime(["2025-01-01"] * n),
            "balance": [fen / 100] * n,
        }
    )
    return accounts, balances


def test_balance_days_beyond_int64_raise_instead_of_wrapping() -> None:
    # 10 trillion yuan (the amount bound) at weight 1 over 1/1000 steps: 1e18 per day
    accounts, balances = _big_account("CNY", 10**15, classes=("fund", "bond"))
    policy = AssetPolicy(weights={"fund": "1", "bond": "0.001"})
    with pytest.raises(InputError) as error:
        daily_average(accounts, balances, start="2025-01-01", end="2025-12-31", policy=policy)
    assert error.value.rule == "range"


def test_a_conversion_beyond_int64_raises_instead_of_wrapping() -> None:
    accounts, balances = _big_account("XAU", 10**15)
    fx = pd.DataFrame(
        {"currency": "XAU", "date": pd.to_datetime(["2025-01-01", "2025-01-31"]), "rate": 1e5}
    )
    for patch in (mock.patch.object(averages, "_FAST_CELLS", 1 << 22), _numpy_path()):
        with patch, pytest.raises(InputError) as error:
            daily_average(accounts, balances, start="2025-01-01", end="2025-01-31", fx_rates=fx)
        assert error.value.rule == "range"


def test_a_rate_too_wide_for_int64_converts_exactly_by_decimals() -> None:
    rate = "7.12345678901234567890123"  # numerator × denominator beyond 2**60
    accounts, balances = _big_account("USD", 123_456_789)
    fx = pd.DataFrame(
        {"currency": "USD", "date": pd.to_datetime(["2025-01-01", "2025-01-10"]), "rate": rate}
    )
    out = daily_average(accounts, balances, start="2025-01-01", end="2025-01-10", fx_rates=fx)
    per_day = int((Decimal(123_456_789) * Decimal(rate)).quantize(1, ROUND_HALF_UP))
    assert out["balance_days_fen"].tolist() == [per_day * 10]


@st.composite
def requests(draw: st.DrawFn) -> list[tuple[AssetPolicy, dt.date, dt.date]]:
    out = []
    for _ in range(draw(st.integers(1, 3))):
        s = draw(st.integers(-25, 60))
        policy = draw(st.sampled_from((*POLICIES, AUM)))
        out.append(
            (
                policy,
                D0 + dt.timedelta(days=s),
                D0 + dt.timedelta(days=s + draw(st.integers(0, 60))),
            )
        )
    return out


@settings(max_examples=60, deadline=None)
@given(bank(), requests(), st.booleans())
def test_window_sums_equal_daily_average_per_request(
    data: dict[str, Any], asked: list[tuple[AssetPolicy, dt.date, dt.date]], events: bool
) -> None:
    rows = data["events" if events else "balances"]
    want: list[Any] = []
    for policy, start, end in asked:
        got = _outcome(
            lambda p=policy, a=start, b=end: daily_average(
                data["accounts"], rows, start=a, end=b, policy=p, fx_rates=data["fx"]
            )
        )
        want.append(got)
    failed = [w for w in want if not isinstance(w, pd.DataFrame)]
    batch = _outcome(
        lambda: window_sums(
            data["accounts"], rows, asked, fx_rates=data["fx"], columns=None, where="daily_average"
        )
    )
    if failed:
        assert batch == failed[0]  # the first request that fails, with the same error
        return
    ids, sums = batch
    for frame, (balance_days, days) in zip(want, sums, strict=True):
        assert ids.tolist() == frame["customer_id"].tolist()
        assert balance_days.dtype == np.int64
        assert days.dtype == np.int64
        assert balance_days.tolist() == frame["balance_days_fen"].tolist()
        assert days.tolist() == frame["days"].tolist()


def test_window_sums_checks_history_per_window() -> None:
    """A request whose window starts after the gap does not raise for the other's days."""
    accounts = pd.DataFrame(
        {
            "account_id": [1],
            "customer_id": ["c"],
            "asset_class": ["fund"],
            "currency": ["CNY"],
            "opened_on": pd.to_datetime(["2025-01-01"]),
        }
    )
    balances = pd.DataFrame(
        {"account_id": [1], "date": pd.to_datetime(["2025-03-01"]), "balance": [100.0]}
    )
    march = (FINANCIAL_ASSETS, dt.date(2025, 3, 1), dt.date(2025, 3, 31))
    ids, sums = window_sums(
        accounts, balances, [march], fx_rates=None, columns=None, where="evaluate_tiers"
    )
    assert ids.tolist() == ["c"]
    assert sums[0][0].tolist() == [10_000 * 31]
    january = (FINANCIAL_ASSETS, dt.date(2025, 1, 1), dt.date(2025, 1, 31))
    with pytest.raises(InputError, match="evaluate_tiers: no balance") as error:
        window_sums(
            accounts,
            balances,
            [march, january],
            fx_rates=None,
            columns=None,
            where="evaluate_tiers",
        )
    assert error.value.rule == "no_history"
