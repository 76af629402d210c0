"""Numerically stable log-likelihoods, gradients and special-function terms for the CLV models.

Everything here is plain vectorised numpy/scipy on float arrays, with no validation: the public
modules (:mod:`bankcrm.segmentation.bgnbd`, :mod:`bankcrm.segmentation.gamma_gamma`) check their
inputs once and then call these kernels. Parameters are passed as plain floats.

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

from collections.abc import Callable

import attrs
import numpy as np
import numpy.typing as npt
from scipy.optimize import minimize  # type: ignore[import-untyped, unused-ignore]
from scipy.special import (  # type: ignore[import-untyped, unused-ignore]
    digamma,
    expit,
    gammaln,
    hyp2f1,
)

__all__ = [
    "FloatArray",
    "MaximisationResult",
    "bgnbd_log_likelihood",
    "bgnbd_log_likelihood_gradient",
    "bgnbd_log_odds_dead",
    "bgnbd_p_alive",
    "bgnbd_scaled_growth",
    "gamma_gamma_log_likelihood",
    "gamma_gamma_log_likelihood_gradient",
    "maximise_log_likelihood",
]

FloatArray = npt.NDArray[np.float64]

#: Below this distance of ``a`` from 1 the factor ``[1 - G(a)] / (a - 1)`` is evaluated as the
#: mean of its values at ``1 - h`` and ``1 + h`` (the function is smooth through ``a = 1``; the
#: direct formula is 0/0 there).
_A_NEAR_ONE = 1e-7


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


def _scaled_growth_direct(r: float, a: float, b: float, x: FloatArray, z: FloatArray) -> FloatArray:
    # Euler's transformation 2F1(A,B;C;z) = (1-z)^(C-A-B) 2F1(C-A,C-B;C;z) turns
    # (1-z)^(r+x) 2F1(r+x, b+x; a+b+x-1; z), whose hypergeometric factor overflows for frequent
    # buyers, into (1-z)^(a-1) 2F1(a+b-1-r, a-1; a+b+x-1; z), whose parameters stay small.
    c = a + b + x - 1.0
    tail = np.exp((a - 1.0) * np.log1p(-z)) * hyp2f1(a + b - 1.0 - r, a - 1.0, c, z)
    result: FloatArray = c / (a - 1.0) * (1.0 - tail)
    return result


def bgnbd_scaled_growth(r: float, a: float, b: float, x: FloatArray, z: FloatArray) -> FloatArray:
    """The bracket of the BG/NBD expectations: ``(a+b+x-1)/(a-1) [1 - (1-z)^(r+x) 2F1(...)]``.

    With ``z = t / (alpha + T + t)`` this is the expected number of purchases in ``(T, T + t]``
    of a customer known to be alive at ``T`` (the numerator of eq. 10 of Fader, Hardie & Lee
    2005); with ``x = 0, T = 0`` it is the unconditional ``E[X(t)]`` (eq. 9).

    Near ``a = 1`` both factors vanish; the limit is taken by symmetric averaging.
    """
    if abs(a - 1.0) >= _A_NEAR_ONE:
        return _scaled_growth_direct(r, a, b, x, z)
    h = 1e-4
    below = _scaled_growth_direct(r, 1.0 - h, b, x, z)
    above = _scaled_growth_direct(r, 1.0 + h, b, x, z)
    result: FloatArray = (below + above) / 2.0
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

    outcome = minimize(
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
