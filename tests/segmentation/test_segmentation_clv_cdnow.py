"""Validation of the CLV models against the published CDNOW figures.

Data: the CDNOW sample (2,357 customers who first bought in Q1 1997; 39-week calibration period
1997-01-01 .. 1997-09-30, 39-week holdout to 1998-06-30) as shipped inside the discontinued
``lifetimes`` package, read directly from its files (its own loader needs ``pkg_resources``).
The package is a test-only dependency; these tests skip when it is not installed.

Published figures:

* Fader, Hardie & Lee (2005), "Counting Your Customers the Easy Way", Marketing Science 24(2):
  BG/NBD r = 0.243, alpha = 4.414, a = 0.793, b = 2.426, LL = -9582.4; the spreadsheet row of
  customer 0001 (x = 2, t_x = 30.43, T = 38.86) with ln L = -9.46; 1,411 customers without
  repeat purchases, who made 334 purchases in the holdout (0.24 each) against 0.23 predicted.
* Fader, Hardie & Lee (2005), "RFM and CLV: Using Iso-Value Curves", JMR 42(4): Gamma-Gamma
  p = 6.25, q = 3.74, gamma = 15.44, fitted on the 946 customers with repeat purchases.
"""

from __future__ import annotations

import importlib.util
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bankcrm.segmentation.value import CLVPolicy, clv_summary, customer_value
from bankcrm.segmentation.value.bgnbd import BGNBDModel, fit_bgnbd
from bankcrm.segmentation.value.gamma_gamma import GammaGammaModel, fit_gamma_gamma

CALIBRATION_END = "1997-09-30"
HOLDOUT_END = "1998-06-30"
PUBLISHED_BGNBD = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
PUBLISHED_GAMMA_GAMMA = {"p": 6.25, "q": 3.74, "v": 15.44}


def _datasets_dir() -> Path:
    spec = importlib.util.find_spec("lifetimes")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("the CDNOW data ships with the test-only package 'lifetimes' (not installed)")
    path = Path(next(iter(spec.submodule_search_locations))) / "datasets"
    if not (path / "CDNOW_sample.txt").exists():
        pytest.skip(f"lifetimes is installed but has no CDNOW files in {path}")
    return path


@pytest.fixture(scope="module")
def datasets() -> Path:
    return _datasets_dir()


@pytest.fixture(scope="module")
def raw_transactions(datasets: Path) -> pd.DataFrame:
    # master id, sample id (1..2357), date YYYYMMDD, number of CDs, dollar value
    return pd.read_csv(
        datasets / "CDNOW_sample.txt",
        sep=r"\s+",
        header=None,
        names=["master_id", "customer_id", "date", "cds", "amount"],
        dtype={"date": str, "amount": str},
    )


@pytest.fixture(scope="module")
def published_summary(datasets: Path) -> pd.DataFrame:
    summary = pd.read_csv(datasets / "cdnow_customers_summary.csv", index_col="ID")
    with_value = pd.read_csv(
        datasets / "cdnow_customers_summary_with_transactions.csv",
        index_col="ID",
        dtype={"zbar": str, "t_x": str, "T": str},
    )
    summary["monetary_text"] = with_value["zbar"]
    return summary


@pytest.fixture(scope="module")
def our_summary(raw_transactions: pd.DataFrame) -> pd.DataFrame:
    return clv_summary(raw_transactions, as_of=CALIBRATION_END, policy=CLVPolicy(unit="W")).frame


def _half_up(value: Fraction, places: int = 2) -> Decimal:
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def test_summary_of_raw_transactions_reproduces_the_published_summary(
    raw_transactions: pd.DataFrame, published_summary: pd.DataFrame
) -> None:
    result = clv_summary(raw_transactions, as_of=CALIBRATION_END, policy=CLVPolicy(unit="W"))
    ours = result.frame.set_index("customer_id")
    assert len(ours) == 2357
    assert ours.index.tolist() == published_summary.index.tolist()
    assert (ours["frequency"] == published_summary["frequency"]).all()
    # The published file rounds to 2 decimals half up; compare with exact arithmetic.
    days_recency = np.rint(ours["recency"].to_numpy() * 7).astype(int)
    days_t = np.rint(ours["T"].to_numpy() * 7).astype(int)
    for days, published in ((days_recency, "recency"), (days_t, "T")):
        rounded = [float(_half_up(Fraction(int(d), 7))) for d in days]
        assert rounded == published_summary[published].tolist()
    # Mean repeat value: exact fen / frequency, rounded half up, equals the published text.
    zbar = [
        str(_half_up(Fraction(int(fen), 100 * int(x)))) if x > 0 else "0.00"
        for fen, x in zip(ours["repeat_value_fen"], ours["frequency"], strict=True)
    ]
    assert zbar == published_summary["monetary_text"].tolist()
    # Every raw row is accounted for: used in the calibration period, or excluded as later.
    assert result.n_rows == len(raw_transactions)
    assert result.n_transactions + len(result.excluded) == len(raw_transactions)
    assert set(result.excluded["reason"]) == {"after_as_of"}
    later = raw_transactions.loc[result.excluded.index, "date"]
    assert (later > "19970930").all()
    assert (raw_transactions.drop(index=result.excluded.index)["date"] <= "19970930").all()


def test_bgnbd_fit_matches_the_published_estimates(published_summary: pd.DataFrame) -> None:
    model = fit_bgnbd(published_summary[["frequency", "recency", "T"]])
    assert model.converged_
    assert model.n_customers_ == 2357
    # Same estimates to the paper's three decimals, same log-likelihood to its one decimal.
    assert {k: round(v, 3) for k, v in model.params_.to_dict().items()} == PUBLISHED_BGNBD
    assert round(model.log_likelihood_, 1) == -9582.4


def test_bgnbd_fit_on_our_summary_matches_the_published_estimates(
    our_summary: pd.DataFrame,
) -> None:
    model = fit_bgnbd(our_summary)
    assert {k: round(v, 3) for k, v in model.params_.to_dict().items()} == PUBLISHED_BGNBD
    assert round(model.log_likelihood_, 1) == -9582.4


def test_bgnbd_published_worked_row_for_customer_0001() -> None:
    model = BGNBDModel.from_params(PUBLISHED_BGNBD)
    assert round(float(model.log_likelihood(frequency=2, recency=30.43, T=38.86)), 2) == -9.46
    # For x = 0 the likelihood is A1 * A3 alone and the customer is surely alive.
    assert float(model.p_alive(frequency=0, recency=0.0, T=38.86)) == 1.0


def test_bgnbd_zero_class_holdout_prediction_matches_the_paper(
    published_summary: pd.DataFrame, raw_transactions: pd.DataFrame
) -> None:
    model = BGNBDModel.from_params(PUBLISHED_BGNBD)
    zero = published_summary[published_summary["frequency"] == 0]
    assert len(zero) == 1411
    predicted = model.expected_transactions(zero, horizon=39)
    assert round(float(predicted.mean()), 2) == 0.23
    # The actual holdout purchases (purchase days) of those customers: 334 in total.
    holdout = raw_transactions[
        (raw_transactions["date"] > "19970930") & (raw_transactions["date"] <= "19980630")
    ]
    days = holdout.drop_duplicates(["customer_id", "date"])
    assert int(days["customer_id"].isin(zero.index).sum()) == 334


def test_gamma_gamma_fit_matches_the_published_estimates(our_summary: pd.DataFrame) -> None:
    model = fit_gamma_gamma(our_summary)
    assert model.converged_
    assert model.n_customers_ == 946
    assert model.excluded_ == {"no_repeat_purchases": 1411, "non_positive_monetary_value": 0}
    assert {k: round(v, 2) for k, v in model.params_.to_dict().items()} == PUBLISHED_GAMMA_GAMMA


def test_gamma_gamma_fit_on_the_rounded_published_values(
    published_summary: pd.DataFrame,
) -> None:
    # The published file rounds each mean to cents; the estimates move by less than 0.01.
    frame = pd.DataFrame(
        {
            "frequency": published_summary["frequency"],
            "monetary_value": published_summary["monetary_text"].astype(float),
        }
    )
    params = fit_gamma_gamma(frame).params_.to_dict()
    for name, published in PUBLISHED_GAMMA_GAMMA.items():
        assert params[name] == pytest.approx(published, abs=0.01)


def test_predictions_agree_with_the_lifetimes_implementation(
    published_summary: pd.DataFrame,
) -> None:
    lifetimes = pytest.importorskip("lifetimes", reason="cross-check needs 'lifetimes'")
    x = published_summary["frequency"]
    t_x = published_summary["recency"]
    big_t = published_summary["T"]
    ours = BGNBDModel.from_params(PUBLISHED_BGNBD)
    theirs = lifetimes.BetaGeoFitter()
    theirs.params_ = pd.Series(PUBLISHED_BGNBD)
    np.testing.assert_allclose(
        ours.p_alive(published_summary),
        theirs.conditional_probability_alive(x, t_x, big_t),
        rtol=1e-10,
    )
    np.testing.assert_allclose(
        ours.expected_transactions(published_summary, horizon=39),
        theirs.conditional_expected_number_of_purchases_up_to_time(39, x, t_x, big_t),
        rtol=1e-9,
    )
    horizons = np.array([1.0, 13.0, 39.0, 78.0])
    np.testing.assert_allclose(
        ours.unconditional_expected_transactions(horizons),
        theirs.expected_number_of_purchases_up_to_time(horizons),
        rtol=1e-9,
    )
    spend = GammaGammaModel.from_params(PUBLISHED_GAMMA_GAMMA)
    their_spend = lifetimes.GammaGammaFitter()
    their_spend.params_ = pd.Series(PUBLISHED_GAMMA_GAMMA)
    repeat = published_summary[x > 0]
    m_x = repeat["monetary_text"].astype(float)
    np.testing.assert_allclose(
        spend.conditional_expected_average_value(frequency=repeat["frequency"], monetary_value=m_x),
        their_spend.conditional_expected_average_profit(repeat["frequency"], m_x),
        rtol=1e-12,
    )


def test_customer_value_on_cdnow_is_stamped_and_complete(our_summary: pd.DataFrame) -> None:
    bg = fit_bgnbd(our_summary)
    gg = fit_gamma_gamma(our_summary)
    scores = customer_value(
        our_summary, bg, gg, horizon=39, policy=CLVPolicy(period=4, discount_rate=0.01)
    )
    assert scores.index.equals(our_summary.index)
    assert scores.notna().all().all()
    assert ((scores["p_alive"] > 0) & (scores["p_alive"] <= 1)).all()
    assert (scores["clv"] > 0).all()
    # Discounting only lowers value: the undiscounted total is expected purchases x spend.
    plain = customer_value(our_summary, bg, gg, horizon=39)
    np.testing.assert_allclose(
        plain["clv"], plain["expected_transactions"] * plain["expected_average_value"], rtol=1e-9
    )
    assert (scores["clv"] <= plain["clv"] + 1e-9).all()
    producers = [p["producer"] for p in scores.attrs["bankcrm"]["provenance"]]
    assert producers == ["bankcrm.segmentation.customer_value", "bankcrm.segmentation.clv_summary"]
