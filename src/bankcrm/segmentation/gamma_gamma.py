"""The Gamma-Gamma model of spend per purchase, and discounted customer value with BG/NBD.

Fader, Hardie & Lee, "RFM and CLV: Using Iso-Value Curves for Customer Base Analysis",
*Journal of Marketing Research* 42(4), 2005 (and Fader & Hardie's 2013 note on the model). The
value of each of a customer's purchases is ``Gamma(shape p, rate nu)``; the rate ``nu`` varies
across customers as ``Gamma(shape q, rate v)`` (``v`` is the paper's gamma). A customer's
observed mean repeat-purchase value ``m_x`` over ``x`` repeat purchases is shrunk towards the
population mean, the less the fewer purchases she made::

    E[M | x, m_x] = p (v + x m_x) / (p x + q - 1)

The model assumes spend per purchase is independent of how often a customer buys;
``frequency_monetary_correlation_`` reports the sample correlation as a check.

>>> model = GammaGammaModel.from_params(GammaGammaParams(p=6.25, q=3.74, v=15.44))
>>> model.conditional_expected_average_value([0, 1, 10], [0.0, 40.0, 40.0]).round(2).tolist()
[35.22, 38.54, 39.8]
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
import numpy.typing as npt
import pandas as pd

from bankcrm._values import raise_for_rows
from bankcrm.errors import InputError, NotFittedError, PolicyError
from bankcrm.segmentation import _special
from bankcrm.segmentation._special import FloatArray
from bankcrm.segmentation.bgnbd import (
    BGNBDModel,
    broadcast_columns,
    check_history,
    check_weights,
    numeric_column,
    summary_arrays,
    warn_if_not_converged,
)

if TYPE_CHECKING:
    from bankcrm.segmentation.clv import CLVSummary

__all__ = ["GammaGammaModel", "GammaGammaParams", "fit_gamma_gamma"]

ArrayLike = npt.ArrayLike

#: Starting point of the optimiser.
DEFAULT_INITIAL = (1.0, 1.0, 1.0)

#: Reasons a summary row is left out of the Gamma-Gamma fit (reported in ``excluded_``).
NO_REPEAT_PURCHASES = "no_repeat_purchases"
NON_POSITIVE_VALUE = "non_positive_monetary_value"


def _positive_finite(instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not (math.isfinite(value) and value > 0):
        raise PolicyError(f"{attribute.name} must be a positive finite number, got {value!r}")


@attrs.frozen
class GammaGammaParams:
    """Fitted Gamma-Gamma parameters (``v`` is called gamma in the papers).

    Attributes:
        p: shape of the distribution of one customer's purchase values.
        q: shape of the gamma distribution of the rate ``nu`` across customers.
        v: rate of that gamma distribution (in the money unit of the fitting data).

    >>> GammaGammaParams.from_dict({"p": 6.25, "q": 3.74, "v": 15.44})["v"]
    15.44
    """

    p: float = attrs.field(converter=float, validator=_positive_finite)
    q: float = attrs.field(converter=float, validator=_positive_finite)
    v: float = attrs.field(converter=float, validator=_positive_finite)

    def __getitem__(self, name: str) -> float:
        """Dictionary-style access, ``params["p"]``."""
        return self.to_dict()[name]

    def to_dict(self) -> dict[str, float]:
        """The parameters as a plain dict (JSON-ready)."""
        return {"p": self.p, "q": self.q, "v": self.v}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> GammaGammaParams:
        """Rebuild from :meth:`to_dict` output.

        Raises:
            PolicyError: when a parameter is missing or not a positive finite number.
        """
        try:
            return cls(p=data["p"], q=data["q"], v=data["v"])
        except KeyError as exc:
            raise PolicyError(f"Gamma-Gamma parameters lack {exc.args[0]!r}") from None
        except (TypeError, ValueError) as exc:
            raise PolicyError(f"Gamma-Gamma parameters are not numbers: {exc}") from None


def _check_frequency(frequency: FloatArray, index: pd.Index[Any] | None) -> None:
    bad = (frequency < 0) | (frequency != np.floor(frequency))
    if bad.any():
        raise_for_rows(
            "must be a whole number of repeat purchases >= 0",
            column="frequency",
            rule="non_negative",
            mask=bad,
            index=index,
        )


class GammaGammaModel:
    """The Gamma-Gamma spend model: fit on repeat buyers, then predict each customer's spend.

    Args:
        tolerance: convergence tolerance of the optimiser.
        max_iterations: iteration cap of the optimiser.
        initial_params: starting ``(p, q, v)``; all ones by default.

    Fitted attributes (``NotFittedError`` before :meth:`fit`): ``params_``,
    ``log_likelihood_``, ``n_customers_`` (rows used), ``excluded_`` (rows left out, by reason),
    ``frequency_monetary_correlation_``, ``converged_``, ``n_iterations_``.
    """

    def __init__(
        self,
        *,
        tolerance: float = 1e-10,
        max_iterations: int = 1000,
        initial_params: tuple[float, float, float] = DEFAULT_INITIAL,
    ) -> None:
        if not (tolerance > 0 and max_iterations > 0):
            raise PolicyError("tolerance and max_iterations must be positive")
        if len(initial_params) != 3 or not all(math.isfinite(v) and v > 0 for v in initial_params):
            raise PolicyError("initial_params must be three positive finite numbers")
        self.tolerance = tolerance
        self.max_iterations = max_iterations
        self.initial_params = tuple(float(v) for v in initial_params)
        self._params: GammaGammaParams | None = None
        self._state: dict[str, Any] | None = None

    def __repr__(self) -> str:
        if self._params is None:
            return "GammaGammaModel(not fitted)"
        p = self._params
        return f"GammaGammaModel(p={p.p:.4g}, q={p.q:.4g}, v={p.v:.4g})"

    # -- fitted state -------------------------------------------------------------------------

    def _not_fitted(self) -> NotFittedError:
        return NotFittedError(
            "this GammaGammaModel is not fitted yet: call fit() or build it with from_params()"
        )

    def _fit_state(self, name: str) -> Any:
        if self._state is None:
            raise self._not_fitted()
        return self._state[name]

    @property
    def params_(self) -> GammaGammaParams:
        """The fitted parameters ``p, q, v``."""
        if self._params is None:
            raise self._not_fitted()
        return self._params

    @property
    def log_likelihood_(self) -> float:
        """Total log-likelihood of the rows used in the fit."""
        value: float = self._fit_state("log_likelihood")
        return value

    @property
    def n_customers_(self) -> float:
        """Customers (sum of weights) the fit used: repeat buyers with a positive mean value."""
        value: float = self._fit_state("n_customers")
        return value

    @property
    def excluded_(self) -> dict[str, int]:
        """Rows left out of the fit, by reason (``no_repeat_purchases``,
        ``non_positive_monetary_value``): every input row is either used or counted here."""
        value: dict[str, int] = dict(self._fit_state("excluded"))
        return value

    @property
    def frequency_monetary_correlation_(self) -> float:
        """Pearson correlation of frequency and mean value among the rows used (near 0 is what
        the model assumes; NaN when either is constant)."""
        value: float = self._fit_state("correlation")
        return value

    @property
    def converged_(self) -> bool:
        """Whether the optimiser reported convergence."""
        value: bool = self._fit_state("converged")
        return value

    @property
    def n_iterations_(self) -> int:
        """Optimiser iterations used."""
        value: int = self._fit_state("n_iterations")
        return value

    @classmethod
    def from_params(cls, params: GammaGammaParams | Mapping[str, Any]) -> GammaGammaModel:
        """A model with known parameters (saved earlier, or published) and no fitting data."""
        model = cls()
        model._params = (
            params if isinstance(params, GammaGammaParams) else GammaGammaParams.from_dict(params)
        )
        return model

    # -- fitting ------------------------------------------------------------------------------

    def fit(
        self,
        summary: pd.DataFrame | CLVSummary | None = None,
        *,
        frequency: ArrayLike | None = None,
        monetary_value: ArrayLike | None = None,
        weights: ArrayLike | None = None,
    ) -> GammaGammaModel:
        """Maximum-likelihood fit on customers with repeat purchases.

        Rows with ``frequency == 0`` (no repeat purchase, so no observed repeat spend) and rows
        whose ``monetary_value`` is not positive (the model has positive spend only) are left
        out and counted in ``excluded_``.

        Args:
            summary: a frame with columns ``frequency`` and ``monetary_value`` (the mean value
                of the repeat purchases), or None to pass arrays.
            frequency: repeat purchases per customer.
            monetary_value: mean value of those repeat purchases.
            weights: optional count of customers each row stands for.

        Returns:
            self, fitted.

        Raises:
            InputError: for missing columns, non-numbers, NaN, negative or fractional
                frequencies, or when fewer than two distinct usable rows remain.
        """
        arrays, index = summary_arrays(
            summary, {"frequency": frequency, "monetary_value": monetary_value}
        )
        x, m_x = arrays["frequency"], arrays["monetary_value"]
        _check_frequency(x, index)
        w = check_weights(weights, len(x), index)
        no_repeat = x == 0
        non_positive = ~no_repeat & (m_x <= 0)
        used = ~(no_repeat | non_positive)
        if w is not None:
            used &= w > 0
        if len(_special.distinct_rows((x[used], m_x[used]))[0][0]) < 2:
            raise InputError(
                "the Gamma-Gamma model needs at least two distinct customers with repeat "
                "purchases of positive value",
                column="monetary_value",
                rule="repeat_purchases_required",
            )
        ux, um = x[used], m_x[used]
        uw = np.ones(len(ux)) if w is None else w[used]
        (px, pm), counts = _pool(ux, um, uw)
        total = _special.GammaGammaTotal(px, pm, counts)
        found = _special.maximise_log_likelihood(
            total, self.initial_params, tolerance=self.tolerance, max_iterations=self.max_iterations
        )
        p, q, v = found.params
        self._params = GammaGammaParams(p=p, q=q, v=v)
        self._state = {
            "log_likelihood": found.log_likelihood,
            "n_customers": float(counts.sum()),
            "excluded": {
                NO_REPEAT_PURCHASES: int(no_repeat.sum()),
                NON_POSITIVE_VALUE: int(non_positive.sum()),
            },
            "correlation": _weighted_correlation(px, pm, counts),
            "converged": found.converged,
            "n_iterations": found.n_iterations,
        }
        warn_if_not_converged("Gamma-Gamma", found)
        return self

    # -- prediction ---------------------------------------------------------------------------

    def population_mean_value(self) -> float:
        """Mean spend per purchase across customers, ``p v / (q - 1)``; infinite when q <= 1.

        >>> GammaGammaModel.from_params({"p": 6.25, "q": 3.74, "v": 15.44}).population_mean_value()
        35.218...
        """
        prm = self.params_
        return math.inf if prm.q <= 1 else prm.p * prm.v / (prm.q - 1.0)

    def conditional_expected_average_value(
        self, frequency: ArrayLike, monetary_value: ArrayLike
    ) -> FloatArray:
        """Expected spend per future purchase of each customer, ``p (v + x m_x) / (p x + q - 1)``.

        A customer without repeat purchases (``x = 0``) gets the population mean, whatever her
        ``monetary_value``. Inputs broadcast like numpy.

        Where ``p x + q <= 1`` the posterior mean is infinite (heavy-tailed spend: with
        ``q <= 1`` every customer without repeat purchases is in this case); those entries are
        ``inf`` and a ``RuntimeWarning`` says so, rather than a finite number the model does
        not support.

        Raises:
            InputError: for non-finite values, negative or fractional frequencies, or a
                non-positive ``monetary_value`` where ``frequency > 0``.
        """
        prm = self.params_
        x, m_x = broadcast_columns(frequency=frequency, monetary_value=monetary_value)
        flat_x = numeric_column(x.reshape(-1), column="frequency", index=None)
        flat_m = numeric_column(m_x.reshape(-1), column="monetary_value", index=None)
        _check_frequency(flat_x, None)
        bad = (flat_x > 0) & (flat_m <= 0)
        if bad.any():
            raise_for_rows(
                "must be > 0 for customers with repeat purchases",
                column="monetary_value",
                rule="positive",
                mask=bad,
            )
        m_used = np.where(x > 0, m_x, 0.0)
        denominator = prm.p * x + prm.q - 1.0
        with np.errstate(divide="ignore", invalid="ignore"):
            value = np.where(denominator > 0, prm.p * (prm.v + x * m_used) / denominator, np.inf)
        result: FloatArray = np.asarray(value, dtype=np.float64)
        infinite = int(np.isinf(result).sum())
        if infinite:
            warnings.warn(
                f"{infinite} customer(s) have an infinite expected spend per purchase: the "
                f"fitted spend distribution (q = {prm.q:.4g}) has no finite mean for "
                "customers with p x + q <= 1 (heavy-tailed amounts; consider capping "
                "outliers or a spend model per segment)",
                RuntimeWarning,
                stacklevel=2,
            )
        return result

    def customer_lifetime_value(
        self,
        bgnbd: BGNBDModel,
        frequency: ArrayLike,
        recency: ArrayLike,
        T: ArrayLike,  # noqa: N803
        monetary_value: ArrayLike,
        *,
        horizon: float,
        period: float = 1.0,
        discount_rate: float = 0.0,
        margin: float = 1.0,
    ) -> FloatArray:
        """Discounted expected value of each customer's purchases over the next ``horizon``.

        The horizon is cut into periods of length ``period`` (the last one may be shorter),
        ``t_k = min(k * period, horizon)``. Purchases expected in period ``k`` (from the
        BG/NBD conditional expectation) are valued at the customer's expected spend per purchase
        (Gamma-Gamma) times ``margin`` and discounted to today at the end of their period::

            CLV = margin * E[M | x, m_x] * sum_k (E[Y(t_k) | x, t_x, T] - E[Y(t_(k-1)) | ...])
                                                 / (1 + discount_rate) ** k

        Time is in the unit of the summary (weeks for ``unit="W"``), ``discount_rate`` is per
        ``period``. With ``discount_rate = 0`` this is simply expected purchases times
        expected spend. The result is a forecast in the money unit of ``monetary_value``, not
        a booked amount.

        >>> bg = BGNBDModel.from_params({"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426})
        >>> gg = GammaGammaModel.from_params({"p": 6.25, "q": 3.74, "v": 15.44})
        >>> gg.customer_lifetime_value(bg, 2, 30.43, 38.86, 22.35, horizon=52).round(2).tolist()
        38.44
        """
        if not (math.isfinite(horizon) and horizon >= 0):
            raise InputError("must be finite and >= 0", column="horizon", rule="non_negative")
        if not (math.isfinite(period) and period > 0):
            raise InputError("must be finite and > 0", column="period", rule="positive")
        if not (math.isfinite(discount_rate) and discount_rate > -1):
            raise InputError("must be finite and > -1", column="discount_rate", rule="range")
        if not math.isfinite(margin):
            raise InputError("must be finite", column="margin", rule="finite")
        spend = self.conditional_expected_average_value(frequency, monetary_value)
        x, t_x, big_t, spend = broadcast_columns(
            frequency=frequency, recency=recency, T=T, monetary_value=spend
        )
        n_periods = math.ceil(horizon / period)  # a float-noise extra period adds ~0
        ends = np.minimum(np.arange(1, n_periods + 1) * period, horizon)
        discount = (1.0 + discount_rate) ** -np.arange(1, n_periods + 1)
        # Expected cumulative purchases per customer at each period end; identical histories
        # are evaluated once.
        flat = [
            numeric_column(v.reshape(-1), column=name, index=None)
            for v, name in ((x, "frequency"), (t_x, "recency"), (big_t, "T"))
        ]
        check_history(flat[0], flat[1], flat[2], None)
        (dx, dt_x, dbig_t), inverse = _special.distinct_rows((flat[0], flat[1], flat[2]))
        cumulative = bgnbd.expected_transactions(
            ends[np.newaxis, :], dx[:, np.newaxis], dt_x[:, np.newaxis], dbig_t[:, np.newaxis]
        )
        per_period = np.diff(cumulative, axis=1, prepend=0.0)
        discounted_purchases = per_period @ discount
        value = margin * spend.reshape(-1) * discounted_purchases[inverse.reshape(-1)]
        result: FloatArray = value.reshape(x.shape)
        return result


def _pool(
    x: FloatArray, m_x: FloatArray, weights: FloatArray
) -> tuple[tuple[FloatArray, FloatArray], FloatArray]:
    (dx, dm), inverse = _special.distinct_rows((x, m_x))
    counts = np.bincount(inverse, weights=weights, minlength=len(dx))
    return (dx, dm), counts.astype(np.float64)


def _weighted_correlation(x: FloatArray, y: FloatArray, w: FloatArray) -> float:
    total = w.sum()
    mx, my = (w @ x) / total, (w @ y) / total
    cov = w @ ((x - mx) * (y - my))
    vx, vy = w @ (x - mx) ** 2, w @ (y - my) ** 2
    if vx <= 0 or vy <= 0:
        return math.nan
    return float(cov / math.sqrt(vx * vy))


def fit_gamma_gamma(
    summary: pd.DataFrame | CLVSummary | None = None,
    *,
    frequency: ArrayLike | None = None,
    monetary_value: ArrayLike | None = None,
    weights: ArrayLike | None = None,
    tolerance: float = 1e-10,
    max_iterations: int = 1000,
) -> GammaGammaModel:
    """Fit the Gamma-Gamma spend model by maximum likelihood; see :meth:`GammaGammaModel.fit`.

    >>> model = fit_gamma_gamma(frequency=[1, 2, 4, 0, 3], monetary_value=[20, 35, 28, 0, 50])
    >>> sorted(model.params_.to_dict()), model.excluded_["no_repeat_purchases"]
    (['p', 'q', 'v'], 1)
    """
    return GammaGammaModel(tolerance=tolerance, max_iterations=max_iterations).fit(
        summary, frequency=frequency, monetary_value=monetary_value, weights=weights
    )
