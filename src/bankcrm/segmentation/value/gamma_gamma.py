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

>>> import pandas as pd
>>> model = GammaGammaModel.from_params(GammaGammaParams(p=6.25, q=3.74, v=15.44))
>>> summary = pd.DataFrame({"frequency": [0, 1, 10], "monetary_value": [0.0, 40.0, 40.0]})
>>> model.conditional_expected_average_value(summary).round(2).tolist()
[35.22, 38.54, 39.8]
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from typing import Any, Self

import attrs
import numpy as np
import numpy.typing as npt

from bankcrm._values import raise_for_rows
from bankcrm.errors import InputError, NotFittedError, PolicyError, Rule
from bankcrm.policy import Serializable
from bankcrm.segmentation.value import _special
from bankcrm.segmentation.value._inputs import (
    Columns,
    SummaryColumns,
    check_weights,
    history,
    read_summary,
)
from bankcrm.segmentation.value._special import FloatArray
from bankcrm.segmentation.value.bgnbd import (
    BGNBDModel,
    check_keys,
    fitted_stats_from_dict,
    params_from_dict,
    warn_if_not_converged,
)
from bankcrm.segmentation.value.summary import CLVPolicy, resolve_policy

__all__ = ["GammaGammaModel", "GammaGammaParams", "fit_gamma_gamma"]

ArrayLike = npt.ArrayLike

#: Reasons a summary row is left out of the Gamma-Gamma fit (reported in ``excluded_``).
NO_REPEAT_PURCHASES = "no_repeat_purchases"
NON_POSITIVE_VALUE = "non_positive_monetary_value"


def _positive_finite(instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not (math.isfinite(value) and value > 0):
        raise PolicyError(f"{attribute.name} must be a positive finite number, got {value!r}")


@attrs.frozen
class GammaGammaParams(Serializable):
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
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Rebuild from :meth:`to_dict` output.

        Raises:
            PolicyError: when a parameter is missing, unknown or not a positive finite number.
        """
        result: Self = params_from_dict(cls, data, ("p", "q", "v"), "Gamma-Gamma")
        return result


def _check_frequency(read: SummaryColumns) -> None:
    frequency = read.arrays["frequency"].reshape(-1)
    bad = (frequency < 0) | (frequency != np.floor(frequency))
    if bad.any():
        raise_for_rows(
            "must be a whole number of repeat purchases >= 0",
            column=read.labels["frequency"],
            rule=Rule.NON_NEGATIVE,
            mask=bad,
            index=read.index,
        )


class GammaGammaModel(Serializable):
    """The Gamma-Gamma spend model: fit on repeat buyers, then predict each customer's spend.

    Args:
        policy: the :class:`~bankcrm.segmentation.CLVPolicy` whose ``tolerance``,
            ``max_iterations`` and ``gamma_gamma_initial_params`` steer the fit; by default the
            summary's own policy (a :class:`~bankcrm.segmentation.CLVSummary`) or
            ``CLVPolicy()``.

    Fitted attributes (``NotFittedError`` before :meth:`fit`): ``params_``, ``policy_``,
    ``log_likelihood_``, ``n_customers_`` (rows used), ``excluded_`` (rows left out, by reason),
    ``frequency_monetary_correlation_``, ``converged_``, ``n_iterations_`` (a model built with
    :meth:`from_params` has parameters only: its statistics raise ``NotFittedError``).
    """

    _STATS: dict[str, type] = {  # noqa: RUF012 - read only
        "log_likelihood": float,
        "n_customers": float,
        "correlation": float,
        "converged": bool,
        "n_iterations": int,
    }

    def __init__(self, *, policy: CLVPolicy | None = None) -> None:
        if policy is not None:
            resolve_policy(policy)
        self.policy = policy
        self._params: GammaGammaParams | None = None
        self._policy: CLVPolicy | None = None
        self._state: dict[str, Any] = {}

    def __repr__(self) -> str:
        if self._params is None:
            return "GammaGammaModel(not fitted)"
        p = self._params
        return f"GammaGammaModel(p={p.p:.4g}, q={p.q:.4g}, v={p.v:.4g})"

    # -- fitted state -------------------------------------------------------------------------

    def _fit_state(self, name: str) -> Any:
        self.params_  # noqa: B018 - raises NotFittedError
        if name not in self._state:
            raise NotFittedError(
                f"this GammaGammaModel was built from parameters: it has no fit statistics "
                f"({name}; call fit())"
            )
        return self._state[name]

    @property
    def params_(self) -> GammaGammaParams:
        """The fitted parameters ``p, q, v``."""
        if self._params is None:
            raise NotFittedError(
                "this GammaGammaModel is not fitted yet: call fit() or build it with from_params()"
            )
        return self._params

    @property
    def policy_(self) -> CLVPolicy:
        """The policy of the fit (the defaults for a model built with :meth:`from_params`)."""
        self.params_  # noqa: B018 - raises NotFittedError
        return self._policy if self._policy is not None else CLVPolicy()

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
        value: dict[str, int] = self._fit_state("excluded")
        return dict(value)

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

    # -- saving -------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The fitted state as plain data: ``params``, fit statistics, ``excluded``, ``policy``.

        Raises:
            NotFittedError: the model has no parameters yet.
        """
        data: dict[str, Any] = {"params": self.params_.to_dict()}
        for name in self._STATS:
            data[name] = self._state.get(name)
        excluded = self._state.get("excluded")
        data["excluded"] = None if excluded is None else dict(excluded)
        if self._policy is not None:
            data["policy"] = self._policy.to_dict()
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Rebuild a fitted model from :meth:`to_dict` output.

        Raises:
            PolicyError: naming the field that is missing, unknown or malformed.
        """
        checked = check_keys(data, {"params", "policy", "excluded", *cls._STATS}, "GammaGammaModel")
        model = cls()
        model._params = GammaGammaParams.from_dict(checked["params"])
        if checked.get("policy") is not None:
            model._policy = CLVPolicy.from_dict(checked["policy"])
        state = {
            k: v for k, v in fitted_stats_from_dict(checked, cls._STATS).items() if v is not None
        }
        excluded = checked.get("excluded")
        if excluded is not None:
            reasons = (NO_REPEAT_PURCHASES, NON_POSITIVE_VALUE)
            if not (
                isinstance(excluded, Mapping)
                and set(excluded) == set(reasons)
                and all(isinstance(excluded[r], int) and excluded[r] >= 0 for r in reasons)
            ):
                raise PolicyError(
                    f"excluded: expected counts for {list(reasons)}, got {excluded!r}"
                )
            state["excluded"] = {r: int(excluded[r]) for r in reasons}
        model._state = state
        return model

    # -- fitting ------------------------------------------------------------------------------

    def fit(
        self,
        summary: Any = None,
        *,
        columns: Columns = None,
        frequency: ArrayLike | None = None,
        monetary_value: ArrayLike | None = None,
        weights: ArrayLike | None = None,
    ) -> Self:
        """Maximum-likelihood fit on customers with repeat purchases.

        Rows with ``frequency == 0`` (no repeat purchase, so no observed repeat spend) and rows
        whose ``monetary_value`` is not positive (the model has positive spend only) are left
        out and counted in ``excluded_``.

        Args:
            summary: a :class:`~bankcrm.segmentation.CLVSummary` or a summary frame (pandas,
                pyarrow, polars) with the roles ``frequency`` and ``monetary_value`` (the mean
                value of the repeat purchases), or None to pass arrays.
            columns: ``{role: column}`` for summary columns not named after their role.
            frequency: repeat purchases per customer.
            monetary_value: mean value of those repeat purchases.
            weights: optional count of customers each row stands for.

        Returns:
            self, fitted.

        Raises:
            InputError: for missing columns, non-numbers, NaN, negative or fractional
                frequencies, or when fewer than two distinct usable rows remain.
        """
        policy = resolve_policy(self.policy, summary)
        read = read_summary(
            summary,
            {"frequency": frequency, "monetary_value": monetary_value},
            columns=columns,
            where="fit_gamma_gamma",
            broadcast=False,
        )
        x, m_x = read.arrays["frequency"], read.arrays["monetary_value"]
        _check_frequency(read)
        w = check_weights(weights, len(x), read.index)
        no_repeat = x == 0
        non_positive = ~no_repeat & (m_x <= 0)
        used = ~(no_repeat | non_positive)
        if w is not None:
            used &= w > 0
        if len(_special.distinct_rows((x[used], m_x[used]))[0][0]) < 2:
            raise InputError(
                "the Gamma-Gamma model needs at least two distinct customers with repeat "
                "purchases of positive value",
                column=read.labels["monetary_value"],
                rule=Rule.REPEAT_PURCHASES_REQUIRED,
            )
        ux, um = x[used], m_x[used]
        uw = np.ones(len(ux)) if w is None else w[used]
        (px, pm), counts = _pool(ux, um, uw)
        total = _special.GammaGammaTotal(px, pm, counts)
        found = _special.maximise_log_likelihood(
            total,
            policy.gamma_gamma_initial_params,
            tolerance=policy.tolerance,
            max_iterations=policy.max_iterations,
        )
        p, q, v = found.params
        self._params = GammaGammaParams(p=p, q=q, v=v)
        self._policy = policy
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
        self,
        summary: Any = None,
        *,
        columns: Columns = None,
        frequency: ArrayLike | None = None,
        monetary_value: ArrayLike | None = None,
    ) -> FloatArray:
        """Expected spend per future purchase of each customer, ``p (v + x m_x) / (p x + q - 1)``.

        A customer without repeat purchases (``x = 0``) gets the population mean, whatever her
        ``monetary_value``. Takes a summary (roles ``frequency``, ``monetary_value``; one value
        per row, in its order) or keyword arrays (broadcast like numpy).

        Where ``p x + q <= 1`` the posterior mean is infinite (heavy-tailed spend: with
        ``q <= 1`` every customer without repeat purchases is in this case); those entries are
        ``inf`` and a ``RuntimeWarning`` says so, rather than a finite number the model does
        not support.

        Raises:
            InputError: for non-finite values, negative or fractional frequencies, or a
                non-positive ``monetary_value`` where ``frequency > 0``.
        """
        read = read_summary(
            summary,
            {"frequency": frequency, "monetary_value": monetary_value},
            columns=columns,
            where="conditional_expected_average_value",
            broadcast=True,
        )
        _check_frequency(read)
        x, m_x = read.arrays["frequency"], read.arrays["monetary_value"]
        bad = ((x > 0) & (m_x <= 0)).reshape(-1)
        if bad.any():
            raise_for_rows(
                "must be > 0 for customers with repeat purchases",
                column=read.labels["monetary_value"],
                rule=Rule.POSITIVE,
                mask=bad,
                index=read.index,
            )
        result = self._expected_spend(x, m_x)
        _warn_infinite_spend(result, self.params_.q)
        return result

    def _expected_spend(self, x: FloatArray, m_x: FloatArray) -> FloatArray:
        """``p (v + x m_x) / (p x + q - 1)``, ``inf`` where the denominator is not positive."""
        prm = self.params_
        m_used = np.where(x > 0, m_x, 0.0)
        denominator = prm.p * x + prm.q - 1.0
        with np.errstate(divide="ignore", invalid="ignore"):
            value = np.where(denominator > 0, prm.p * (prm.v + x * m_used) / denominator, np.inf)
        return np.asarray(value, dtype=np.float64)

    def customer_lifetime_value(
        self,
        summary: Any,
        bgnbd: BGNBDModel,
        *,
        horizon: float,
        policy: CLVPolicy | None = None,
        columns: Columns = None,
        frequency: ArrayLike | None = None,
        recency: ArrayLike | None = None,
        T: ArrayLike | None = None,  # noqa: N803
        monetary_value: ArrayLike | None = None,
    ) -> FloatArray:
        """Discounted expected value of each customer's purchases over the next ``horizon``.

        The horizon is cut into periods of length ``policy.period`` (the last one may be
        shorter), ``t_k = min(k * period, horizon)``. Purchases expected in period ``k`` (from
        the BG/NBD conditional expectation) are valued at the customer's expected spend per
        purchase (Gamma-Gamma) times ``policy.margin`` and discounted to today at the end of
        their period::

            CLV = margin * E[M | x, m_x] * sum_k (E[Y(t_k) | x, t_x, T] - E[Y(t_(k-1)) | ...])
                                                 / (1 + discount_rate) ** k

        Time is in the unit of the summary (weeks for ``unit="W"``), ``discount_rate`` is per
        ``period``. With ``discount_rate = 0`` this is simply expected purchases times
        expected spend. The result is a forecast in the money unit of ``monetary_value``, not
        a booked amount.

        Args:
            summary: a :class:`~bankcrm.segmentation.CLVSummary` or a summary frame (roles
                ``frequency``, ``recency``, ``T``, ``monetary_value``), or None with the four
                keyword arrays (which broadcast like numpy).
            bgnbd: the fitted BG/NBD model of the same customers.
            horizon: forecast horizon in the summary's unit.
            policy: ``period``, ``discount_rate`` and ``margin``; by default the summary's own
                policy or ``CLVPolicy()``.

        >>> from bankcrm.segmentation import CLVPolicy
        >>> bg = BGNBDModel.from_params({"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426})
        >>> gg = GammaGammaModel.from_params({"p": 6.25, "q": 3.74, "v": 15.44})
        >>> gg.customer_lifetime_value(None, bg, frequency=2, recency=30.43, T=38.86,
        ...                            monetary_value=22.35, horizon=52).round(2).tolist()
        38.44
        """
        used = resolve_policy(policy, summary)
        check_value_inputs(bgnbd, horizon)
        read = history(
            summary,
            columns=columns,
            frequency=frequency,
            recency=recency,
            big_t=T,
            where="customer_lifetime_value",
        )
        spend_read = read_summary(
            summary,
            {
                "frequency": None if summary is not None else frequency,
                "monetary_value": monetary_value,
            },
            columns=columns,
            where="customer_lifetime_value",
            broadcast=True,
        )
        spend = self.conditional_expected_average_value(
            frequency=spend_read.arrays["frequency"],
            monetary_value=spend_read.arrays["monetary_value"],
        )
        return self._discounted_value(bgnbd, used, horizon, read.arrays, spend)

    def _discounted_value(
        self,
        bgnbd: BGNBDModel,
        used: CLVPolicy,
        horizon: float,
        arrays: Mapping[str, FloatArray],
        spend: FloatArray,
    ) -> FloatArray:
        """The discounted value of the expected purchases at the expected ``spend`` each."""
        x, t_x, big_t, spend = np.broadcast_arrays(
            arrays["frequency"], arrays["recency"], arrays["T"], spend
        )
        period = used.period
        n_periods = math.ceil(horizon / period)  # a float-noise extra period adds ~0
        ends = np.minimum(np.arange(1, n_periods + 1) * period, horizon)
        discount = (1.0 + used.discount_rate) ** -np.arange(1, n_periods + 1)
        # Expected cumulative purchases per customer at each period end; identical histories
        # are evaluated once.
        flat = tuple(np.asarray(v, dtype=np.float64).reshape(-1) for v in (x, t_x, big_t))
        (dx, dt_x, dbig_t), inverse = _special.distinct_rows(flat)
        grid = np.broadcast_arrays(
            ends[np.newaxis, :], dx[:, np.newaxis], dt_x[:, np.newaxis], dbig_t[:, np.newaxis]
        )
        cumulative = bgnbd._expected(*grid)
        per_period = np.diff(cumulative, axis=1, prepend=0.0)
        discounted_purchases = per_period @ discount
        value = used.margin * spend.reshape(-1) * discounted_purchases[inverse.reshape(-1)]
        result: FloatArray = value.reshape(x.shape)
        return result


def check_value_inputs(bgnbd: Any, horizon: Any) -> None:
    """The horizon is a finite number >= 0 and ``bgnbd`` a BG/NBD model, or an InputError."""
    if not (
        isinstance(horizon, int | float)
        and not isinstance(horizon, bool)
        and math.isfinite(horizon)
        and horizon >= 0
    ):
        raise InputError("must be a finite number >= 0", column="horizon", rule=Rule.NON_NEGATIVE)
    if not isinstance(bgnbd, BGNBDModel):
        raise InputError(
            f"expected a fitted BGNBDModel, got {type(bgnbd).__name__}",
            column="bgnbd",
            rule=Rule.TYPE,
        )


def _warn_infinite_spend(result: FloatArray, q: float) -> None:
    infinite = int(np.isinf(result).sum())
    if infinite:
        warnings.warn(
            f"{infinite} customer(s) have an infinite expected spend per purchase: the "
            f"fitted spend distribution (q = {q:.4g}) has no finite mean for "
            "customers with p x + q <= 1 (heavy-tailed amounts; consider capping "
            "outliers or a spend model per segment)",
            RuntimeWarning,
            stacklevel=3,
        )


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
    summary: Any = None,
    *,
    policy: CLVPolicy | None = None,
    columns: Columns = None,
    frequency: ArrayLike | None = None,
    monetary_value: ArrayLike | None = None,
    weights: ArrayLike | None = None,
) -> GammaGammaModel:
    """Fit the Gamma-Gamma spend model by maximum likelihood; see :meth:`GammaGammaModel.fit`.

    >>> model = fit_gamma_gamma(frequency=[1, 2, 4, 0, 3], monetary_value=[20, 35, 28, 0, 50])
    >>> sorted(model.params_.to_dict()), model.excluded_["no_repeat_purchases"]
    (['p', 'q', 'v'], 1)
    """
    return GammaGammaModel(policy=policy).fit(
        summary,
        columns=columns,
        frequency=frequency,
        monetary_value=monetary_value,
        weights=weights,
    )
