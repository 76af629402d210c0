"""Numerically stable log-likelihoods, gradients and special-function terms for the CLV models.

Everything here is plain vectorised numpy/scipy on float arrays, with no validation: the public
modules (:mod:`~bankcrm.segmentation.value.bgnbd`,
:mod:`~bankcrm.segmentation.value.gamma_gamma`) check their inputs once (with
:mod:`~bankcrm.segmentation.value._inputs`) and then call these kernels. Parameters are passed
as plain floats.

The BG/NBD likelihood is a sum of two terms that are each far below the smallest float for
frequent buyers (``(alpha + T) ** -(r + x)``), so it is summed in log space with
:func:`numpy.logaddexp`; Gamma functions enter only as :func:`scipy.special.gammaln`.

>>> import numpy as np
>>> ll = bgnbd_log_likelihood(0.243, 4.414, 0.793, 2.426, np.array([2.0]), np.array([30.43]),
...                           np.array([38.86]))
>>> round(float(ll[0]), 2)  # customer 0001 of the CDNOW worked example (Fader, Hardie & Lee 2005)
-9.46
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

__all__ = [
    "BGNBDTotal",
    "FloatArray",
    "GammaGammaTotal",
    "MaximisationResult",
    "bgnbd_log_likelihood",
    "bgnbd_log_likelihood_gradient",
    "bgnbd_log_odds_dead",
    "bgnbd_p_alive",
    "bgnbd_scaled_growth",
    "distinct_rows",
    "gamma_gamma_log_likelihood",
    "gamma_gamma_log_likelihood_gradient",
    "hyp2f1_robust",
    "maximise_log_likelihood",
]

FloatArray = npt.NDArray[np.float64]

# scipy costs about 0.2 s to import, so it loads on first use (the first fit or score), not when
# bankcrm.segmentation is imported; after that each call costs one dictionary lookup.
_SCIPY: dict[str, Any] = {}


def _scipy(module: str) -> Any:
    """``scipy.special`` or ``scipy.optimize``, imported on first use."""
    found = _SCIPY.get(module)
    if found is None:
        found = _SCIPY[module] = importlib.import_module(f"scipy.{module}")
    return found


def gammaln(x: Any) -> Any:
    """:func:`scipy.special.gammaln` (scipy loaded on first use)."""
    return _scipy("special").gammaln(x)


def digamma(x: Any) -> Any:
    """:func:`scipy.special.digamma` (scipy loaded on first use)."""
    return _scipy("special").digamma(x)


def expit(x: Any) -> Any:
    """:func:`scipy.special.expit` (scipy loaded on first use)."""
    return _scipy("special").expit(x)


def hyp2f1(a: Any, b: Any, c: Any, z: Any) -> Any:
    """:func:`scipy.special.hyp2f1` (scipy loaded on first use)."""
    return _scipy("special").hyp2f1(a, b, c, z)


#: Within this distance of a removable singularity (``a = 1``, or ``a + b + x - 1 = 0``) the
#: BG/NBD expectation bracket is evaluated as the mean of its values a step ``_STEP`` either
#: side: the bracket is smooth there (it is an expectation of the model), only the formula is
#: 0/0 or 0 * inf, and the symmetric mean is exact up to ``O(_STEP**2)``.
_NEAR_SINGULAR = 1e-7
_STEP = 1e-4


def _bgnbd_terms(
    r: float, alpha: float, a: float, b: float, x: FloatArray, t_x: FloatArray, big_t: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """The four logged pieces of the BG/NBD likelihood, ``ln A1 .. ln A4`` in the paper's notation.

    ``ln A4`` is ``-inf`` for customers without repeat purchases (the dropout branch needs at
    least one repeat purchase to have happened).
    """
    log_a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    log_a2 = gammaln(a + b) + gammaln(b + x) - gammaln(b) - gammaln(a + b + x)
    log_a3 = -(r + x) * np.log(alpha + big_t)
    repeat = x > 0
    # b + x - 1 is only meaningful for x >= 1; evaluate it on a safe stand-in elsewhere.
    x_safe = np.where(repeat, x, 1.0)
    log_a4 = np.where(
        repeat,
        np.log(a) - np.log(b + x_safe - 1.0) - (r + x) * np.log(alpha + t_x),
        -np.inf,
    )
    return log_a1, log_a2, log_a3, log_a4


def bgnbd_log_likelihood(
    r: float, alpha: float, a: float, b: float, x: FloatArray, t_x: FloatArray, big_t: FloatArray
) -> FloatArray:
    """Per-customer BG/NBD log-likelihood ``ln L(r, alpha, a, b | x, t_x, T)``.

    ``ln L = ln A1 + ln A2 + ln(A3 + [x > 0] A4)`` (Fader, Hardie & Lee 2005, eq. 6), with the
    final sum done by log-sum-exp.
    """
    log_a1, log_a2, log_a3, log_a4 = _bgnbd_terms(r, alpha, a, b, x, t_x, big_t)
    result: FloatArray = log_a1 + log_a2 + np.logaddexp(log_a3, log_a4)
    return result


def bgnbd_log_likelihood_gradient(
    r: float, alpha: float, a: float, b: float, x: FloatArray, t_x: FloatArray, big_t: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Per-customer partial derivatives of :func:`bgnbd_log_likelihood` by ``r, alpha, a, b``.

    With ``w4`` the share of the dropout branch in the likelihood (``A4 / (A3 + A4)``, zero
    when ``x = 0``) and ``w3 = 1 - w4``::

        d/dr     = psi(r+x) - psi(r) + ln alpha - w3 ln(alpha+T) - w4 ln(alpha+t_x)
        d/dalpha = r/alpha - (r+x) [w3/(alpha+T) + w4/(alpha+t_x)]
        d/da     = psi(a+b) - psi(a+b+x) + w4/a
        d/db     = psi(a+b) + psi(b+x) - psi(b) - psi(a+b+x) - w4/(b+x-1)
    """
    _, _, log_a3, log_a4 = _bgnbd_terms(r, alpha, a, b, x, t_x, big_t)
    w4 = expit(log_a4 - log_a3)  # exactly 0 where log_a4 is -inf
    w3 = 1.0 - w4
    x_safe = np.where(x > 0, x, 1.0)
    d_r = (
        digamma(r + x)
        - digamma(r)
        + np.log(alpha)
        - w3 * np.log(alpha + big_t)
        - w4 * np.log(alpha + t_x)
    )
    d_alpha = r / alpha - (r + x) * (w3 / (alpha + big_t) + w4 / (alpha + t_x))
    d_a = digamma(a + b) - digamma(a + b + x) + w4 / a
    d_b = (
        digamma(a + b) + digamma(b + x) - digamma(b) - digamma(a + b + x) - w4 / (b + x_safe - 1.0)
    )
    return d_r, d_alpha, d_a, d_b


def bgnbd_log_odds_dead(
    r: float, alpha: float, a: float, b: float, x: FloatArray, t_x: FloatArray, big_t: FloatArray
) -> FloatArray:
    """``ln(A4 / A3)``: log of the posterior odds that the customer has already dropped out.

    Equals ``ln a - ln(b+x-1) + (r+x) [ln(alpha+T) - ln(alpha+t_x)]`` for ``x > 0`` and ``-inf``
    for ``x = 0`` (a customer who never repeated cannot have dropped out in the BG/NBD story).
    """
    _, _, log_a3, log_a4 = _bgnbd_terms(r, alpha, a, b, x, t_x, big_t)
    result: FloatArray = log_a4 - log_a3
    return result


def bgnbd_p_alive(
    r: float, alpha: float, a: float, b: float, x: FloatArray, t_x: FloatArray, big_t: FloatArray
) -> FloatArray:
    """``P(alive | x, t_x, T) = 1 / (1 + A4/A3)``, computed as a logistic of the log-odds."""
    result: FloatArray = expit(-bgnbd_log_odds_dead(r, alpha, a, b, x, t_x, big_t))
    return result


#: Term cap of the power-series fallback of :func:`hyp2f1_robust` (enough for z up to about
#: 1 - 1e-4 at full precision).
_SERIES_MAX_TERMS = 400_000


def _hyp2f1_series(a: float, b: float, c: FloatArray, z: FloatArray) -> FloatArray:
    """Gauss's power series, summed until the terms stop mattering (only for a few elements)."""
    total = np.ones_like(z)
    term = np.ones_like(z)
    active = np.ones(z.shape, dtype=bool)
    for n in range(_SERIES_MAX_TERMS):
        term = np.where(active, term * (a + n) * (b + n) / ((c + n) * (n + 1.0)) * z, 0.0)
        total = total + term
        active &= np.abs(term) > 1e-17 * np.abs(total)
        if not active.any():
            break
    return total


def hyp2f1_robust(a: float, b: float, c: FloatArray, z: FloatArray) -> FloatArray:
    """``2F1(a, b; c; z)`` for ``0 <= z < 1`` and ``c > 0``: scipy, with a series fallback.

    scipy's ``hyp2f1`` returns nan or inf for some integer ``c - a - b`` with large ``c`` and
    ``z`` near 1 (for example ``2F1(1, 1; 101; 10/11)``); those elements are summed directly.
    """
    c, z = np.broadcast_arrays(np.asarray(c, dtype=np.float64), np.asarray(z, dtype=np.float64))
    result = np.array(hyp2f1(a, b, c, z), dtype=np.float64)
    bad = ~np.isfinite(result) & (c > 0)
    if bad.any():
        result[bad] = _hyp2f1_series(a, b, c[bad], z[bad])
    return result


def _scaled_growth_direct(r: float, a: float, b: float, x: FloatArray, z: FloatArray) -> FloatArray:
    # Euler's transformation 2F1(A,B;C;z) = (1-z)^(C-A-B) 2F1(C-A,C-B;C;z) turns
    # (1-z)^(r+x) 2F1(r+x, b+x; a+b+x-1; z), whose hypergeometric factor overflows for frequent
    # buyers, into (1-z)^(a-1) 2F1(a+b-1-r, a-1; a+b+x-1; z), whose parameters stay small.
    c = a + b + x - 1.0
    # At the singular points (replaced by the caller) the product is nan; keep numpy quiet.
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        tail = np.exp((a - 1.0) * np.log1p(-z)) * hyp2f1_robust(a + b - 1.0 - r, a - 1.0, c, z)
        result: FloatArray = c / (a - 1.0) * (1.0 - tail)
    return result


def _scaled_growth_regular_in_b(
    r: float, a: float, b: float, x: FloatArray, z: FloatArray
) -> FloatArray:
    if abs(a - 1.0) >= _NEAR_SINGULAR:
        return _scaled_growth_direct(r, a, b, x, z)
    below = _scaled_growth_direct(r, 1.0 - _STEP, b, x, z)
    above = _scaled_growth_direct(r, 1.0 + _STEP, b, x, z)
    result: FloatArray = (below + above) / 2.0
    return result


def bgnbd_scaled_growth(r: float, a: float, b: float, x: FloatArray, z: FloatArray) -> FloatArray:
    """The bracket of the BG/NBD expectations: ``(a+b+x-1)/(a-1) [1 - (1-z)^(r+x) 2F1(...)]``.

    With ``z = t / (alpha + T + t)`` this is the expected number of purchases in ``(T, T + t]``
    of a customer known to be alive at ``T`` (the numerator of eq. 10 of Fader, Hardie & Lee
    2005); with ``x = 0, T = 0`` it is the unconditional ``E[X(t)]`` (eq. 9).

    The formula is 0/0 at ``a = 1`` and 0 * inf at ``a + b + x = 1`` (possible only for
    ``x = 0``); there the value is taken as the symmetric mean around the point.
    """
    x, z = np.broadcast_arrays(np.asarray(x, dtype=np.float64), np.asarray(z, dtype=np.float64))
    result = np.array(_scaled_growth_regular_in_b(r, a, b, x, z), dtype=np.float64)
    near = np.abs(a + b + x - 1.0) < _NEAR_SINGULAR
    if near.any():
        below = _scaled_growth_regular_in_b(r, a, b - _STEP, x[near], z[near])
        above = _scaled_growth_regular_in_b(r, a, b + _STEP, x[near], z[near])
        result[near] = (below + above) / 2.0
    return result


def gamma_gamma_log_likelihood(
    p: float, q: float, gamma: float, x: FloatArray, m_x: FloatArray
) -> FloatArray:
    """Per-customer Gamma-Gamma log-density of the mean repeat-purchase value ``m_x``.

    ``z_i ~ Gamma(shape p, rate nu)``, ``nu ~ Gamma(shape q, rate gamma)``; the mean of ``x``
    purchases is ``Gamma(px, nu x)``, and mixing over ``nu`` gives::

        ln f = lnG(px+q) - lnG(px) - lnG(q) + q ln gamma + (px-1) ln m_x + px ln x
               - (px+q) ln(gamma + x m_x)
    """
    px = p * x
    result: FloatArray = (
        gammaln(px + q)
        - gammaln(px)
        - gammaln(q)
        + q * np.log(gamma)
        + (px - 1.0) * np.log(m_x)
        + px * np.log(x)
        - (px + q) * np.log(gamma + x * m_x)
    )
    return result


def gamma_gamma_log_likelihood_gradient(
    p: float, q: float, gamma: float, x: FloatArray, m_x: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Per-customer partial derivatives of :func:`gamma_gamma_log_likelihood` by ``p, q, gamma``."""
    px = p * x
    total = gamma + x * m_x
    d_p = x * (digamma(px + q) - digamma(px) + np.log(m_x) + np.log(x) - np.log(total))
    d_q = digamma(px + q) - digamma(q) + np.log(gamma) - np.log(total)
    d_gamma = q / gamma - (px + q) / total
    return d_p, d_q, d_gamma


def distinct_rows(
    columns: tuple[FloatArray, ...],
) -> tuple[tuple[FloatArray, ...], npt.NDArray[np.intp]]:
    """The distinct rows of equal-length float columns (sorted) and each row's index into them.

    A lexicographic sort of the columns, much faster than ``np.unique(axis=0)``; sorting also
    fixes the order in which later sums run, so results never depend on the input row order.
    """
    n = len(columns[0])
    if n == 0:
        return tuple(c[:0].copy() for c in columns), np.zeros(0, dtype=np.intp)
    order = np.lexsort(columns[::-1])  # first column is the primary key
    sorted_cols = [c[order] for c in columns]
    change = np.zeros(n, dtype=bool)
    change[0] = True
    for c in sorted_cols:
        change[1:] |= c[1:] != c[:-1]
    group = np.cumsum(change) - 1
    inverse = np.empty(n, dtype=np.intp)
    inverse[order] = group
    return tuple(c[change] for c in sorted_cols), inverse


class BGNBDTotal:
    """Total weighted BG/NBD log-likelihood and its gradient, prepared for repeated evaluation.

    Terms that depend only on the frequency (the Gamma and Beta functions) are evaluated once
    per distinct frequency and weighted by its count; only the two branch terms are evaluated
    per customer row. Same value as summing :func:`bgnbd_log_likelihood`.
    """

    def __init__(
        self, x: FloatArray, t_x: FloatArray, big_t: FloatArray, weights: FloatArray
    ) -> None:
        self.distinct_x, inverse = np.unique(x, return_inverse=True)
        self.inverse = inverse.reshape(-1)
        self.count_x = np.bincount(self.inverse, weights=weights, minlength=len(self.distinct_x))
        self.x, self.t_x, self.big_t, self.weights = x, t_x, big_t, weights
        self.repeat = x > 0
        self.x_safe_distinct = np.where(self.distinct_x > 0, self.distinct_x, 1.0)

    def __call__(self, params: tuple[float, ...]) -> tuple[float, FloatArray]:
        r, alpha, a, b = params
        xs, n_x, w = self.distinct_x, self.count_x, self.weights
        # per distinct frequency
        head = (
            gammaln(r + xs)
            - gammaln(r)
            + r * np.log(alpha)
            + gammaln(a + b)
            + gammaln(b + xs)
            - gammaln(b)
            - gammaln(a + b + xs)
        )
        log_branch = np.log(a) - np.log(b + self.x_safe_distinct - 1.0)
        # per row
        log_alpha_t = np.log(alpha + self.big_t)
        log_alpha_tx = np.log(alpha + self.t_x)
        log_a3 = -(r + self.x) * log_alpha_t
        log_a4 = np.where(
            self.repeat, log_branch[self.inverse] - (r + self.x) * log_alpha_tx, -np.inf
        )
        total = float(n_x @ head + w @ np.logaddexp(log_a3, log_a4))
        w4 = expit(log_a4 - log_a3)
        w3 = 1.0 - w4
        d_r = n_x @ (digamma(r + xs) - digamma(r) + np.log(alpha)) - w @ (
            w3 * log_alpha_t + w4 * log_alpha_tx
        )
        d_alpha = n_x.sum() * r / alpha - w @ (
            (r + self.x) * (w3 / (alpha + self.big_t) + w4 / (alpha + self.t_x))
        )
        w4_by_x = np.bincount(self.inverse, weights=w * w4, minlength=len(xs))
        d_a = n_x @ (digamma(a + b) - digamma(a + b + xs)) + w4_by_x.sum() / a
        d_b = n_x @ (
            digamma(a + b) + digamma(b + xs) - digamma(b) - digamma(a + b + xs)
        ) - w4_by_x @ (1.0 / (b + self.x_safe_distinct - 1.0))
        return total, np.array([d_r, d_alpha, d_a, d_b], dtype=np.float64)


class GammaGammaTotal:
    """Total weighted Gamma-Gamma log-likelihood and gradient, prepared for repeated evaluation.

    Gamma functions of ``p x`` are evaluated once per distinct frequency; the logarithms of the
    data are taken once; per row only ``ln(v + x m_x)`` is evaluated.
    """

    def __init__(self, x: FloatArray, m_x: FloatArray, weights: FloatArray) -> None:
        self.distinct_x, inverse = np.unique(x, return_inverse=True)
        self.inverse = inverse.reshape(-1)
        self.count_x = np.bincount(self.inverse, weights=weights, minlength=len(self.distinct_x))
        self.weights = weights
        self.spend = x * m_x  # total repeat spend
        # sum over rows of w x (ln m_x + ln x), and of w ln m_x: constants of the data
        self.sum_x_log_spend = float(weights @ (x * np.log(self.spend)))
        self.sum_log_m = float(weights @ np.log(m_x))
        self.sum_x = float(weights @ x)

    def __call__(self, params: tuple[float, ...]) -> tuple[float, FloatArray]:
        p, q, v = params
        xs, n_x, w = self.distinct_x, self.count_x, self.weights
        px = p * xs
        head = gammaln(px + q) - gammaln(px) - gammaln(q) + q * np.log(v)
        log_total = np.log(v + self.spend)
        px_rows = p * xs[self.inverse]
        # (px - 1) ln m + px ln x = p x ln(x m) - ln m
        total = float(
            n_x @ head + p * self.sum_x_log_spend - self.sum_log_m - w @ ((px_rows + q) * log_total)
        )
        sum_w_log_total_by_x = np.bincount(self.inverse, weights=w * log_total, minlength=len(xs))
        d_p = (
            n_x @ (xs * (digamma(px + q) - digamma(px)))
            + self.sum_x_log_spend
            - xs @ sum_w_log_total_by_x
        )
        d_q = n_x @ (digamma(px + q) - digamma(q) + np.log(v)) - sum_w_log_total_by_x.sum()
        d_v = n_x.sum() * q / v - w @ ((px_rows + q) / (v + self.spend))
        return total, np.array([d_p, d_q, d_v], dtype=np.float64)


@attrs.frozen
class MaximisationResult:
    """What :func:`maximise_log_likelihood` found: parameters, total log-likelihood, status."""

    params: tuple[float, ...]
    log_likelihood: float
    converged: bool
    n_iterations: int
    message: str


#: Log-parameters are kept inside [-LOG_BOUND, LOG_BOUND] (about 1e-13 .. 7e12): wide enough
#: for any sensible fit, narrow enough that exp() never overflows while the optimiser explores.
LOG_BOUND = 30.0


def maximise_log_likelihood(
    log_likelihood_and_gradient: Callable[[tuple[float, ...]], tuple[float, FloatArray]],
    initial: tuple[float, ...],
    *,
    tolerance: float,
    max_iterations: int,
) -> MaximisationResult:
    """Maximise a total log-likelihood over positive parameters by L-BFGS-B on their logarithms.

    Args:
        log_likelihood_and_gradient: maps positive parameters to the total log-likelihood and its
            gradient with respect to those parameters (not their logarithms).
        initial: positive starting parameters.
        tolerance: ``gtol`` and ``ftol`` handed to L-BFGS-B (on the objective scaled by the
            number of customers).
        max_iterations: iteration cap.

    The objective is divided by ``scale`` (the absolute starting log-likelihood, at least 1) so
    that the tolerances mean the same on 2,000 and on 2,000,000 customers.
    """
    start = np.log(np.asarray(initial, dtype=np.float64))
    start_ll, _ = log_likelihood_and_gradient(tuple(float(v) for v in np.exp(start)))
    scale = max(abs(start_ll), 1.0) if np.isfinite(start_ll) else 1.0

    def objective(log_params: FloatArray) -> tuple[float, FloatArray]:
        params = np.exp(log_params)
        value, gradient = log_likelihood_and_gradient(tuple(float(v) for v in params))
        if not np.isfinite(value):
            # Steer the line search away from regions where the likelihood underflows.
            return np.inf, np.zeros_like(log_params)
        # Chain rule for the log reparameterisation: d/d ln(theta) = theta * d/d theta.
        return -value / scale, -(gradient * params) / scale

    outcome = _scipy("optimize").minimize(
        objective,
        start,
        jac=True,
        method="L-BFGS-B",
        bounds=[(-LOG_BOUND, LOG_BOUND)] * len(initial),
        options={"maxiter": max_iterations, "gtol": tolerance, "ftol": tolerance},
    )
    params = tuple(float(v) for v in np.exp(outcome.x))
    value, _ = log_likelihood_and_gradient(params)
    return MaximisationResult(
        params=params,
        log_likelihood=float(value),
        converged=bool(outcome.success),
        n_iterations=int(outcome.nit),
        message=str(outcome.message),
    )
