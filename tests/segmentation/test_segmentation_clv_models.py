"""BG/NBD and Gamma-Gamma: closed forms against numerical integration, properties, recovery of
simulated parameters, fitted-object behaviour and input errors."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import integrate, stats  # type: ignore[import-untyped, unused-ignore]

from bankcrm.errors import InputError, NotFittedError, PolicyError
from bankcrm.segmentation.value import _special
from bankcrm.segmentation.value.bgnbd import (
    BGNBDModel,
    BGNBDParams,
    fit_bgnbd,
    p_alive_matrix,
    plot_p_alive,
)
from bankcrm.segmentation.value.gamma_gamma import (
    GammaGammaModel,
    GammaGammaParams,
    fit_gamma_gamma,
)
from bankcrm.segmentation.value.summary import CLVPolicy

CDNOW = BGNBDParams(r=0.243, alpha=4.414, a=0.793, b=2.426)
CDNOW_SPEND = GammaGammaParams(p=6.25, q=3.74, v=15.44)


# --- simulation ------------------------------------------------------------------------------


def simulate_bgnbd(
    params: BGNBDParams, n: int, horizon: float, seed: int
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Customers drawn from the BG/NBD story, all observed for ``horizon`` after joining."""
    rng = np.random.default_rng(seed)
    rate = rng.gamma(params.r, 1.0 / params.alpha, size=n)
    drop = rng.beta(params.a, params.b, size=n)
    x = np.zeros(n)
    t_x = np.zeros(n)
    clock = np.zeros(n)
    active = np.ones(n, dtype=bool)
    while active.any():
        gap = rng.exponential(1.0 / np.maximum(rate, 1e-300))
        clock = np.where(active, clock + gap, clock)
        bought = active & (clock <= horizon)
        x[bought] += 1
        t_x[bought] = clock[bought]
        dies = rng.random(n) < drop
        active = bought & ~dies
    return x, t_x, np.full(n, horizon)


# --- closed forms against integrals over the individual-level model --------------------------


def _posterior_integral(
    params: BGNBDParams, x: int, t_x: float, big_t: float, horizon: float
) -> tuple[float, float]:
    """(P(alive), E[Y(horizon)]) from the individual-level model by numerical integration.

    The gamma integral over lambda is done by hand (it is elementary); the integral over the
    dropout probability p, where the hypergeometric function of the closed form comes from, is
    done numerically.
    """
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    beta_pdf = stats.beta(a, b).pdf
    scale = math.exp(math.lgamma(r + x) - math.lgamma(r) + r * math.log(alpha))

    def lam_moment(rate_sum: float) -> float:  # E[lambda^x exp(-lambda s)] under Gamma(r, alpha)
        return float(scale * rate_sum ** -(r + x))

    def integral(f: Any) -> float:
        value, _ = integrate.quad(
            lambda p: f(p) * beta_pdf(p), 0.0, 1.0, limit=400, epsabs=0.0, epsrel=1e-11
        )
        return float(value)

    alive = integral(lambda p: (1 - p) ** x) * lam_moment(alpha + big_t)
    dead = integral(lambda p: p * (1 - p) ** (x - 1)) * lam_moment(alpha + t_x) if x else 0.0
    # alive at T and buying at rate lambda until dropping out (exponential at rate lambda p)
    future = integral(
        lambda p: (
            (1 - p) ** x / p * (lam_moment(alpha + big_t) - lam_moment(alpha + big_t + p * horizon))
        )
    )
    return alive / (alive + dead), future / (alive + dead)


@pytest.mark.parametrize(
    ("x", "t_x", "big_t", "horizon"),
    [(2, 30.43, 38.86, 39.0), (0, 0.0, 20.0, 10.0), (7, 29.43, 38.86, 52.0)],
)
def test_p_alive_and_conditional_expectation_equal_the_integrals(
    x: int, t_x: float, big_t: float, horizon: float
) -> None:
    model = BGNBDModel.from_params(CDNOW)
    p_alive, expected = _posterior_integral(CDNOW, x, t_x, big_t, horizon)
    assert float(model.p_alive(frequency=x, recency=t_x, T=big_t)) == pytest.approx(
        p_alive, rel=1e-6
    )
    assert float(
        model.expected_transactions(frequency=x, recency=t_x, T=big_t, horizon=horizon)
    ) == pytest.approx(expected, rel=1e-6)


def test_integer_parameter_combinations_where_scipy_fails_are_summed_directly() -> None:
    # scipy's hyp2f1 gives inf for 2F1(1, 1; 101; 10/11); the exact value is sum n!/(101)_n z^n.
    z = 10.0 / 11.0
    term, exact = 1.0, 1.0
    for n in range(2000):
        term *= (n + 1.0) / (101.0 + n) * z
        exact += term
    value = _special.hyp2f1_robust(1.0, 1.0, np.array([101.0]), np.array([z]))
    assert float(value[0]) == pytest.approx(exact, rel=1e-13)
    round_params = BGNBDParams(r=1.0, alpha=1.0, a=2.0, b=1.0)
    model = BGNBDModel.from_params(round_params)
    _, expected = _posterior_integral(round_params, 99, 5.0, 5.0, 10.0)
    assert float(
        model.expected_transactions(frequency=99, recency=5.0, T=5.0, horizon=10.0)
    ) == pytest.approx(expected, rel=1e-6)


def test_unconditional_expectation_equals_the_integral() -> None:
    model = BGNBDModel.from_params(CDNOW)
    _, expected = _posterior_integral(CDNOW, 0, 0.0, 0.0, 39.0)
    assert float(model.unconditional_expected_transactions(39.0)) == pytest.approx(
        expected, rel=1e-6
    )


def test_frequent_buyers_stay_finite_and_match_the_individual_limit() -> None:
    # 400 purchases in 100 weeks, the last one just now: the posterior of lambda is tight around
    # about 4 a week and of p near 0, so the expectation approaches lambda * horizon.
    model = BGNBDModel.from_params(CDNOW)
    expected = float(
        model.expected_transactions(frequency=400, recency=100.0, T=100.0, horizon=10.0)
    )
    assert math.isfinite(expected)
    assert 30 < expected < 40
    assert float(model.p_alive(frequency=400, recency=100.0, T=100.0)) > 0.99
    assert (
        float(model.p_alive(frequency=400, recency=50.0, T=100.0)) < 1e-12
    )  # silent for 50 weeks: gone


def test_a_equal_to_one_is_handled_by_its_limit() -> None:
    below = BGNBDModel.from_params({"r": 0.5, "alpha": 3.0, "a": 1.0 - 1e-3, "b": 2.0})
    at = BGNBDModel.from_params({"r": 0.5, "alpha": 3.0, "a": 1.0, "b": 2.0})
    above = BGNBDModel.from_params({"r": 0.5, "alpha": 3.0, "a": 1.0 + 1e-3, "b": 2.0})
    for model_args in ((20.0, 3, 10.0, 15.0),):
        lo = float(
            below.expected_transactions(
                frequency=model_args[1],
                recency=model_args[2],
                T=model_args[3],
                horizon=model_args[0],
            )
        )
        mid = float(
            at.expected_transactions(
                frequency=model_args[1],
                recency=model_args[2],
                T=model_args[3],
                horizon=model_args[0],
            )
        )
        hi = float(
            above.expected_transactions(
                frequency=model_args[1],
                recency=model_args[2],
                T=model_args[3],
                horizon=model_args[0],
            )
        )
        assert min(lo, hi) - 1e-6 <= mid <= max(lo, hi) + 1e-6
    assert math.isfinite(float(at.unconditional_expected_transactions(30.0)))


def test_gradient_matches_finite_differences() -> None:
    x, t_x, big_t = simulate_bgnbd(CDNOW, 300, 39.0, seed=1)
    theta = np.array([0.4, 3.0, 0.9, 2.0])

    def total(th: np.ndarray[Any, Any]) -> float:
        return float(_special.bgnbd_log_likelihood(th[0], th[1], th[2], th[3], x, t_x, big_t).sum())

    analytic = np.array(
        [
            g.sum()
            for g in _special.bgnbd_log_likelihood_gradient(
                theta[0], theta[1], theta[2], theta[3], x, t_x, big_t
            )
        ]
    )
    numeric = np.array(
        [(total(theta + h) - total(theta - h)) / (2 * 1e-6) for h in np.eye(4) * 1e-6]
    )
    np.testing.assert_allclose(analytic, numeric, rtol=1e-5)

    m_x = np.random.default_rng(2).gamma(5.0, 10.0, size=len(x))
    freq = x + 1
    spend_theta = np.array([5.0, 3.0, 12.0])

    def spend_total(th: np.ndarray[Any, Any]) -> float:
        return float(_special.gamma_gamma_log_likelihood(th[0], th[1], th[2], freq, m_x).sum())

    analytic = np.array(
        [
            g.sum()
            for g in _special.gamma_gamma_log_likelihood_gradient(
                spend_theta[0], spend_theta[1], spend_theta[2], freq, m_x
            )
        ]
    )
    numeric = np.array(
        [
            (spend_total(spend_theta + h) - spend_total(spend_theta - h)) / (2 * 1e-6)
            for h in np.eye(3) * 1e-6
        ]
    )
    np.testing.assert_allclose(analytic, numeric, rtol=1e-5)


def test_prepared_totals_equal_the_sums_of_the_per_customer_terms() -> None:
    x, t_x, big_t = simulate_bgnbd(CDNOW, 400, 39.0, seed=8)
    weights = np.random.default_rng(9).integers(1, 4, size=len(x)).astype(float)
    theta = (0.4, 3.0, 0.9, 2.0)
    value, gradient = _special.BGNBDTotal(x, t_x, big_t, weights)(theta)
    assert value == pytest.approx(
        float(weights @ _special.bgnbd_log_likelihood(*theta, x, t_x, big_t)), rel=1e-12
    )
    per_customer = _special.bgnbd_log_likelihood_gradient(*theta, x, t_x, big_t)
    np.testing.assert_allclose(gradient, [weights @ g for g in per_customer], rtol=1e-10)
    freq = x + 1
    m_x = np.random.default_rng(10).gamma(4.0, 8.0, size=len(x))
    spend_theta = (5.0, 3.0, 12.0)
    value, gradient = _special.GammaGammaTotal(freq, m_x, weights)(spend_theta)
    assert value == pytest.approx(
        float(weights @ _special.gamma_gamma_log_likelihood(*spend_theta, freq, m_x)), rel=1e-12
    )
    per_customer_spend = _special.gamma_gamma_log_likelihood_gradient(*spend_theta, freq, m_x)
    np.testing.assert_allclose(gradient, [weights @ g for g in per_customer_spend], rtol=1e-10)


def test_a_fit_that_stops_early_says_so() -> None:
    x, t_x, big_t = simulate_bgnbd(CDNOW, 500, 39.0, seed=12)
    with pytest.warns(RuntimeWarning, match="did not converge"):
        model = fit_bgnbd(frequency=x, recency=t_x, T=big_t, policy=CLVPolicy(max_iterations=1))
    assert not model.converged_
    with pytest.warns(RuntimeWarning, match="Gamma-Gamma fit did not converge"):
        fit_gamma_gamma(
            frequency=x + 1,
            monetary_value=np.full(len(x), 10.0) + x,
            policy=CLVPolicy(max_iterations=1),
        )


def test_gamma_gamma_conditional_mean_equals_the_posterior_integral() -> None:
    # nu | x, m_x ~ Gamma(shape p x + q, rate v + x m_x); E[p / nu] by quadrature.
    p, q, v = CDNOW_SPEND.p, CDNOW_SPEND.q, CDNOW_SPEND.v
    x, m_x = 3, 27.5
    posterior = stats.gamma(p * x + q, scale=1.0 / (v + x * m_x))
    value, _ = integrate.quad(lambda nu: p / nu * posterior.pdf(nu), 0, np.inf)
    model = GammaGammaModel.from_params(CDNOW_SPEND)
    assert float(
        model.conditional_expected_average_value(frequency=x, monetary_value=m_x)
    ) == pytest.approx(value)


# --- recovery of known parameters ------------------------------------------------------------


def test_bgnbd_fit_recovers_simulated_parameters() -> None:
    truth = BGNBDParams(r=0.5, alpha=5.0, a=0.8, b=2.5)
    x, t_x, big_t = simulate_bgnbd(truth, 20_000, 52.0, seed=7)
    model = fit_bgnbd(frequency=x, recency=t_x, T=big_t)
    assert model.converged_
    fitted = model.params_.to_dict()
    for name, value in truth.to_dict().items():
        assert fitted[name] == pytest.approx(value, rel=0.2), name
    # The fit is the maximum: the truth never has a higher likelihood.
    at_truth = float(
        BGNBDModel.from_params(truth).log_likelihood(frequency=x, recency=t_x, T=big_t).sum()
    )
    assert model.log_likelihood_ >= at_truth


def test_gamma_gamma_fit_recovers_simulated_parameters() -> None:
    rng = np.random.default_rng(11)
    truth = GammaGammaParams(p=6.0, q=4.0, v=15.0)
    n = 20_000
    nu = rng.gamma(truth.q, 1.0 / truth.v, size=n)
    x = rng.integers(1, 8, size=n)
    # the mean of x Gamma(p, nu) values is Gamma(p x, nu x)
    m_x = rng.gamma(truth.p * x, 1.0 / (nu * x))
    model = fit_gamma_gamma(frequency=x, monetary_value=m_x)
    fitted = model.params_.to_dict()
    for name, value in truth.to_dict().items():
        assert fitted[name] == pytest.approx(value, rel=0.1), name
    assert abs(model.frequency_monetary_correlation_) < 0.05


# --- properties ------------------------------------------------------------------------------

params_strategy = st.builds(
    BGNBDParams,
    r=st.floats(0.05, 5.0),
    alpha=st.floats(0.1, 50.0),
    a=st.floats(0.05, 5.0),
    b=st.floats(0.05, 10.0),
)


@st.composite
def histories(draw: st.DrawFn) -> tuple[int, float, float]:
    big_t = draw(st.floats(0.0, 200.0))
    x = draw(st.integers(0, 300))
    t_x = 0.0 if x == 0 else draw(st.floats(0.0, big_t))
    return x, t_x, big_t


@given(params_strategy, histories())
def test_p_alive_is_a_probability_and_one_without_repeats(
    params: BGNBDParams, history: tuple[int, float, float]
) -> None:
    x, t_x, big_t = history
    value = float(BGNBDModel.from_params(params).p_alive(frequency=x, recency=t_x, T=big_t))
    assert 0.0 <= value <= 1.0
    if x == 0:
        assert value == 1.0
    if x > 0 and t_x == big_t:
        # Bought just now: at least as likely alive as anyone with the same x and T.
        earlier = float(
            BGNBDModel.from_params(params).p_alive(frequency=x, recency=t_x / 2, T=big_t)
        )
        assert value >= earlier


@given(params_strategy, histories(), st.lists(st.floats(0.0, 500.0), min_size=2, max_size=6))
def test_expected_transactions_grow_with_the_horizon(
    params: BGNBDParams, history: tuple[int, float, float], horizons: list[float]
) -> None:
    model = BGNBDModel.from_params(params)
    ordered = np.sort(np.asarray(horizons))
    values = model.expected_transactions(
        frequency=history[0], recency=history[1], T=history[2], horizon=ordered
    )
    assert np.all(np.isfinite(values))
    assert values[0] >= 0.0
    assert np.all(np.diff(values) >= -1e-9 * np.maximum(1.0, values[1:]))
    unconditional = model.unconditional_expected_transactions(ordered)
    assert np.all(np.diff(unconditional) >= -1e-9 * np.maximum(1.0, unconditional[1:]))
    assert (
        float(
            model.expected_transactions(
                frequency=history[0], recency=history[1], T=history[2], horizon=0.0
            )
        )
        == 0.0
    )


@given(params_strategy, st.integers(0, 10_000))
def test_log_likelihood_is_finite_on_generated_data(params: BGNBDParams, seed: int) -> None:
    x, t_x, big_t = simulate_bgnbd(params, 50, 30.0, seed=seed)
    ll = BGNBDModel.from_params(params).log_likelihood(frequency=x, recency=t_x, T=big_t)
    assert np.all(np.isfinite(ll))
    assert np.all(ll <= 1e-12 + np.where(x == 0, 0.0, np.inf))  # x = 0 is a probability


def test_fit_does_not_depend_on_row_order_and_weights_equal_repeats() -> None:
    x, t_x, big_t = simulate_bgnbd(CDNOW, 800, 39.0, seed=3)
    frame = pd.DataFrame({"frequency": x, "recency": t_x, "T": big_t})
    shuffled = frame.sample(frac=1.0, random_state=5)
    first = fit_bgnbd(frame)
    second = fit_bgnbd(shuffled)
    assert first.params_ == second.params_
    assert first.log_likelihood_ == second.log_likelihood_
    doubled = fit_bgnbd(pd.concat([frame, frame]))
    weighted = fit_bgnbd(frame, weights=np.full(len(frame), 2.0))
    assert doubled.params_ == weighted.params_


def test_fit_accepts_arrays_and_frames_and_is_not_fitted_before() -> None:
    model = BGNBDModel()
    for attribute in ("params_", "log_likelihood_", "n_customers_", "converged_"):
        with pytest.raises(NotFittedError, match="not fitted"):
            getattr(model, attribute)
    with pytest.raises(NotFittedError):
        model.p_alive(frequency=1, recency=1.0, T=2.0)
    with pytest.raises(NotFittedError):
        GammaGammaModel().conditional_expected_average_value(frequency=1, monetary_value=10.0)
    with pytest.raises(NotFittedError):
        GammaGammaModel().excluded_  # noqa: B018
    x, t_x, big_t = simulate_bgnbd(CDNOW, 300, 39.0, seed=4)
    from_arrays = model.fit(frequency=x, recency=t_x, T=big_t)
    assert from_arrays is model
    assert repr(model).startswith("BGNBDModel(r=")
    frame = pd.DataFrame({"frequency": x, "recency": t_x, "T": big_t, "other": 1})
    assert fit_bgnbd(frame).params_ == model.params_


def test_params_round_trip_and_reject_nonsense() -> None:
    assert BGNBDParams.from_dict(CDNOW.to_dict()) == CDNOW
    assert GammaGammaParams.from_dict(CDNOW_SPEND.to_dict()) == CDNOW_SPEND
    assert CDNOW["r"] == 0.243
    with pytest.raises(PolicyError, match="alpha"):
        BGNBDParams(r=1, alpha=-1, a=1, b=1)
    with pytest.raises(PolicyError, match="lack 'b'"):
        BGNBDParams.from_dict({"r": 1, "alpha": 1, "a": 1})
    with pytest.raises(PolicyError, match="v must be"):
        GammaGammaParams(p=1, q=1, v=math.nan)
    with pytest.raises(PolicyError):
        CLVPolicy(bgnbd_initial_params=(1.0, 1.0, 1.0))


@pytest.mark.parametrize(
    ("columns", "column", "rule"),
    [
        (
            {"frequency": [1, -1], "recency": [1.0, 0.0], "T": [2.0, 2.0]},
            "frequency",
            "non_negative",
        ),
        (
            {"frequency": [1, 1.5], "recency": [1.0, 1.0], "T": [2.0, 2.0]},
            "frequency",
            "non_negative",
        ),
        ({"frequency": [1, 1], "recency": [1.0, 3.0], "T": [2.0, 2.0]}, "T", "recency_within_T"),
        (
            {"frequency": [1, 0], "recency": [1.0, 1.0], "T": [2.0, 2.0]},
            "recency",
            "zero_without_repeat",
        ),
        ({"frequency": [1, 1], "recency": [1.0, np.nan], "T": [2.0, 2.0]}, "recency", "finite"),
        ({"frequency": [1, 1], "recency": [1.0, -1.0], "T": [2.0, 2.0]}, "recency", "non_negative"),
        ({"frequency": [1, 1], "recency": ["a", "b"], "T": [2.0, 2.0]}, "recency", "numeric"),
        (
            {"frequency": [0, 0], "recency": [0.0, 0.0], "T": [2.0, 2.0]},
            "frequency",
            "repeat_purchases_required",
        ),
    ],
)
def test_bad_summaries_get_clear_errors(
    columns: dict[str, list[Any]], column: str, rule: str
) -> None:
    frame = pd.DataFrame(columns, index=["c1", "c2"])
    with pytest.raises(InputError) as info:
        fit_bgnbd(frame)
    assert info.value.column == column
    assert info.value.rule == rule
    if rule not in ("numeric", "repeat_purchases_required"):
        assert info.value.rows == ["c2"]


def test_frame_and_arrays_are_exclusive_and_required() -> None:
    frame = pd.DataFrame({"frequency": [1], "recency": [1.0], "T": [2.0]})
    with pytest.raises(InputError, match="not both"):
        fit_bgnbd(frame, frequency=[1])
    with pytest.raises(InputError, match="must be given") as info:
        fit_bgnbd(frequency=[1], recency=[1.0])
    assert info.value.column == "T"
    with pytest.raises(InputError, match="missing required column"):
        fit_bgnbd(frame.drop(columns="T"))
    with pytest.raises(InputError, match="differ in length"):
        fit_bgnbd(frequency=[1, 2], recency=[1.0], T=[2.0])
    with pytest.raises(InputError, match="horizon"):
        BGNBDModel.from_params(CDNOW).expected_transactions(
            frequency=1, recency=1.0, T=2.0, horizon=-1.0
        )


def test_gamma_gamma_exclusions_and_errors() -> None:
    model = fit_gamma_gamma(
        frequency=[0, 1, 2, 3, 1, 4], monetary_value=[0.0, 10.0, 0.0, 30.0, 12.0, 25.0]
    )
    assert model.excluded_ == {"no_repeat_purchases": 1, "non_positive_monetary_value": 1}
    assert model.n_customers_ == 4
    with pytest.raises(InputError, match="must be > 0") as info:
        model.conditional_expected_average_value(frequency=[1, 2], monetary_value=[5.0, 0.0])
    assert info.value.rows == [1]
    with pytest.raises(InputError) as too_few:
        fit_gamma_gamma(frequency=[0, 1], monetary_value=[0.0, 5.0])
    assert too_few.value.rule == "repeat_purchases_required"
    # Without repeat purchases a customer gets the population mean, whatever her value column.
    spend = GammaGammaModel.from_params(CDNOW_SPEND)
    assert float(
        spend.conditional_expected_average_value(frequency=0, monetary_value=999.0)
    ) == pytest.approx(spend.population_mean_value())
    heavy = GammaGammaModel.from_params({"p": 1, "q": 0.5, "v": 1})
    assert heavy.population_mean_value() == math.inf
    with pytest.warns(RuntimeWarning, match="1 customer"):
        values = heavy.conditional_expected_average_value(
            frequency=[0, 1], monetary_value=[0.0, 5.0]
        )
    assert values[0] == math.inf
    assert values[1] == pytest.approx(1 * (1 + 5.0) / (1 + 0.5 - 1))


@given(
    st.integers(0, 50),
    st.floats(0.01, 1e6),
    st.floats(0.0, 200.0),
    st.floats(0.0, 0.2),
)
def test_clv_is_non_negative_and_discounting_never_adds(
    x: int, m_x: float, horizon: float, rate: float
) -> None:
    bg = BGNBDModel.from_params(CDNOW)
    gg = GammaGammaModel.from_params(CDNOW_SPEND)
    t_x = 0.0 if x == 0 else 20.0
    plain = float(
        gg.customer_lifetime_value(
            None, bg, frequency=x, recency=t_x, T=30.0, monetary_value=m_x, horizon=horizon
        )
    )
    discounted = float(
        gg.customer_lifetime_value(
            None,
            bg,
            frequency=x,
            recency=t_x,
            T=30.0,
            monetary_value=m_x,
            horizon=horizon,
            policy=CLVPolicy(period=4.0, discount_rate=rate),
        )
    )
    expected = float(bg.expected_transactions(frequency=x, recency=t_x, T=30.0, horizon=horizon))
    spend = float(gg.conditional_expected_average_value(frequency=x, monetary_value=m_x))
    assert plain == pytest.approx(expected * spend, rel=1e-9, abs=1e-9)
    assert 0.0 <= discounted <= plain * (1 + 1e-12) + 1e-12


def test_clv_discounts_each_period_at_its_end() -> None:
    bg = BGNBDModel.from_params(CDNOW)
    gg = GammaGammaModel.from_params(CDNOW_SPEND)
    ends = np.array([4.0, 8.0, 10.0])  # horizon 10 in periods of 4: the last one is short
    cumulative = bg.expected_transactions(frequency=2, recency=30.43, T=38.86, horizon=ends)
    per_period = np.diff(cumulative, prepend=0.0)
    by_hand = float(
        gg.conditional_expected_average_value(frequency=2, monetary_value=22.35)
        * 0.3
        * (per_period @ (1.05 ** -np.arange(1.0, 4.0)))
    )
    value = gg.customer_lifetime_value(
        None,
        bg,
        frequency=2,
        recency=30.43,
        T=38.86,
        monetary_value=22.35,
        horizon=10,
        policy=CLVPolicy(period=4, discount_rate=0.05, margin=0.3),
    )
    assert float(value) == pytest.approx(by_hand, rel=1e-12)
    with pytest.raises(PolicyError, match="period"):
        CLVPolicy(period=0)


# --- P(alive) grid and picture ---------------------------------------------------------------


def test_p_alive_matrix_shape_and_monotonicity() -> None:
    grid = p_alive_matrix(BGNBDModel.from_params(CDNOW), T=39.0, max_frequency=15, n_recency=14)
    assert grid.shape == (14, 16)
    assert grid.index[0] == 39.0
    assert grid.index[-1] == 0.0
    # no repeat purchase: only recency 0 is possible, and such a customer is alive
    assert grid[0].iloc[-1] == 1.0
    assert grid[0].iloc[:-1].isna().all()
    repeaters = grid.loc[:, 1:].to_numpy()
    assert np.all((repeaters >= 0) & (repeaters <= 1))
    # for a fixed frequency, a more recent last purchase never lowers P(alive)
    assert np.all(np.diff(repeaters, axis=0) <= 1e-15)
    with pytest.raises(InputError):
        p_alive_matrix(BGNBDModel.from_params(CDNOW), T=-1.0)


def test_plot_p_alive_draws_the_grid() -> None:
    matplotlib = pytest.importorskip("matplotlib", reason="the picture needs the plots extra")
    matplotlib.use("Agg")
    fig = plot_p_alive(BGNBDModel.from_params(CDNOW), T=39.0, max_frequency=5, n_recency=4)
    image = fig.axes[0].images[0].get_array()
    assert image is not None
    expected = p_alive_matrix(BGNBDModel.from_params(CDNOW), T=39.0, max_frequency=5, n_recency=4)
    np.testing.assert_allclose(np.ma.filled(image, np.nan), expected.to_numpy())
    assert fig.axes[0].get_xlabel().startswith("frequency")
