"""The BG/NBD model of repeat purchasing ("buy till you die"), fitted by maximum likelihood.

Fader, Hardie & Lee, "Counting Your Customers the Easy Way: An Alternative to the Pareto/NBD
Model", *Marketing Science* 24(2), 2005. While alive, a customer buys as a Poisson process with
rate ``lambda ~ Gamma(r, alpha)``; after each purchase she drops out for good with probability
``p ~ Beta(a, b)``. A customer's history enters only through the summary
``(frequency x, recency t_x, T)`` that :func:`bankcrm.segmentation.clv_summary` builds.

The fitted object follows scikit-learn: settings in the constructor, learned state in attributes
ending in ``_`` (``params_``, ``log_likelihood_``), :class:`~bankcrm.errors.NotFittedError`
before :meth:`BGNBDModel.fit`. The fit is exactly independent of row order (identical customer
rows are pooled and sorted before the likelihood is summed).

The scoring methods take the summary first (a :class:`~bankcrm.segmentation.CLVSummary` or a
summary frame), or its columns as keyword arrays, which broadcast like numpy:

>>> model = BGNBDModel.from_params(BGNBDParams(r=0.243, alpha=4.414, a=0.793, b=2.426))
>>> summary = pd.DataFrame({"frequency": [2, 0], "recency": [30.43, 0.0], "T": [38.86, 38.86]})
>>> model.p_alive(summary).round(3).tolist()
[0.727, 1.0]
>>> round(float(model.expected_transactions(frequency=2, recency=30.43, T=38.86, horizon=39)), 3)
1.226

A fitted model is fitted state: :func:`bankcrm.policy.save` writes it as JSON or TOML and
:func:`bankcrm.policy.load` reads it back, exactly.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self

import attrs
import numpy as np
import pandas as pd

from bankcrm.errors import InputError, MissingDependencyError, NotFittedError, PolicyError, Rule
from bankcrm.policy import Serializable, stamp_provenance
from bankcrm.segmentation.value import _special
from bankcrm.segmentation.value._inputs import (
    ArrayLike,
    Columns,
    check_history,
    check_horizon,
    check_weights,
    history,
    read_summary,
)
from bankcrm.segmentation.value._special import FloatArray
from bankcrm.segmentation.value.summary import CLVPolicy, resolve_policy

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["BGNBDModel", "BGNBDParams", "fit_bgnbd", "p_alive_matrix", "plot_p_alive"]


def _positive_finite(instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not (math.isfinite(value) and value > 0):
        raise PolicyError(f"{attribute.name} must be a positive finite number, got {value!r}")


@attrs.frozen
class BGNBDParams(Serializable):
    """Fitted BG/NBD parameters (rates are per time unit of the summary they were fitted on).

    Attributes:
        r: shape of the gamma distribution of purchase rates.
        alpha: scale of that gamma distribution (mean purchase rate ``r / alpha``).
        a: first shape of the beta distribution of the dropout probability.
        b: second shape (mean dropout probability ``a / (a + b)``).

    >>> params = BGNBDParams.from_dict({"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426})
    >>> params["alpha"], params.to_dict() == {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
    (4.414, True)
    """

    r: float = attrs.field(converter=float, validator=_positive_finite)
    alpha: float = attrs.field(converter=float, validator=_positive_finite)
    a: float = attrs.field(converter=float, validator=_positive_finite)
    b: float = attrs.field(converter=float, validator=_positive_finite)

    def __getitem__(self, name: str) -> float:
        """Dictionary-style access, ``params["r"]``, as in other CLV libraries."""
        return self.to_dict()[name]

    def to_dict(self) -> dict[str, float]:
        """The parameters as a plain dict (JSON-ready)."""
        return {"r": self.r, "alpha": self.alpha, "a": self.a, "b": self.b}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Rebuild from :meth:`to_dict` output.

        Raises:
            PolicyError: when a parameter is missing, unknown or not a positive finite number.
        """
        result: Self = params_from_dict(cls, data, ("r", "alpha", "a", "b"), "BG/NBD")
        return result


def params_from_dict(cls: Any, data: Any, names: tuple[str, ...], model: str) -> Any:
    """Build a parameters object from a mapping of exactly ``names`` (numbers, or Decimals)."""
    if not isinstance(data, Mapping):
        raise PolicyError(f"{model} parameters must be a mapping, got {type(data).__name__}")
    unknown = sorted(str(k) for k in data if k not in names)
    if unknown:
        raise PolicyError(f"{model} parameters: unknown field(s) {unknown}")
    try:
        return cls(**{name: data[name] for name in names})
    except KeyError as exc:
        raise PolicyError(f"{model} parameters lack {exc.args[0]!r}") from None
    except (TypeError, ValueError) as exc:
        raise PolicyError(f"{model} parameters are not numbers: {exc}") from None


# ---------------------------------------------------------------------------------------------
# Input checking shared with the Gamma-Gamma model


def _pool_rows(
    columns: tuple[FloatArray, ...], weights: FloatArray | None
) -> tuple[tuple[FloatArray, ...], FloatArray]:
    """Distinct rows (sorted) and their total weight: identical customers are evaluated once.

    Sorting also fixes the summation order, so the fit is bit-for-bit independent of row order.
    """
    distinct, inverse = _special.distinct_rows(columns)
    w = np.ones(len(inverse)) if weights is None else weights
    pooled = np.bincount(inverse, weights=w, minlength=len(distinct[0])).astype(np.float64)
    return distinct, pooled


def fitted_stats_from_dict(data: Mapping[str, Any], names: dict[str, type]) -> dict[str, Any]:
    """The optional fit statistics of a saved model, checked by type."""
    out: dict[str, Any] = {}
    for name, kind in names.items():
        value = data.get(name)
        if value is None:
            out[name] = None
        elif kind is bool:
            if not isinstance(value, bool):
                raise PolicyError(f"{name}: expected true or false, got {value!r}")
            out[name] = value
        elif kind is int:
            if isinstance(value, bool) or not isinstance(value, int):
                raise PolicyError(f"{name}: expected a whole number, got {value!r}")
            out[name] = value
        else:
            try:
                if isinstance(value, bool):
                    raise TypeError
                out[name] = float(value)
            except (TypeError, ValueError):
                raise PolicyError(f"{name}: expected a number, got {value!r}") from None
    return out


def check_keys(data: Any, allowed: set[str], model: str) -> Mapping[str, Any]:
    """``data`` as a mapping with only ``allowed`` keys and a ``params`` entry."""
    if not isinstance(data, Mapping):
        raise PolicyError(f"a saved {model} must be a mapping, got {type(data).__name__}")
    unknown = sorted(str(k) for k in data if k not in allowed)
    if unknown:
        raise PolicyError(f"a saved {model} has unknown field(s) {unknown}")
    if "params" not in data:
        raise PolicyError(f"a saved {model} lacks 'params'")
    return data


# ---------------------------------------------------------------------------------------------


class BGNBDModel(Serializable):
    """The BG/NBD model: fit on customer summaries, then score customers.

    Args:
        policy: the :class:`~bankcrm.segmentation.CLVPolicy` whose ``tolerance``,
            ``max_iterations`` and ``bgnbd_initial_params`` steer the fit; by default the
            summary's own policy (a :class:`~bankcrm.segmentation.CLVSummary`) or
            ``CLVPolicy()``.

    Fitted attributes (``NotFittedError`` before :meth:`fit`): ``params_``,
    ``log_likelihood_`` (total at ``params_``), ``n_customers_``, ``converged_``,
    ``n_iterations_``, ``policy_`` (the policy the fit used).

    Saving (:func:`bankcrm.policy.save`) writes the parameters, the fit statistics and the
    policy; a model built with :meth:`from_params` saves its parameters only.
    """

    def __init__(self, *, policy: CLVPolicy | None = None) -> None:
        if policy is not None:
            resolve_policy(policy)
        self.policy = policy
        self._params: BGNBDParams | None = None
        self._policy: CLVPolicy | None = None
        self._log_likelihood: float | None = None
        self._n_customers: float | None = None
        self._converged: bool | None = None
        self._n_iterations: int | None = None

    def __repr__(self) -> str:
        if self._params is None:
            return "BGNBDModel(not fitted)"
        p = self._params
        return f"BGNBDModel(r={p.r:.4g}, alpha={p.alpha:.4g}, a={p.a:.4g}, b={p.b:.4g})"

    # -- fitted state -------------------------------------------------------------------------

    def _fitted(self, name: str) -> Any:
        if self._params is None:
            raise NotFittedError(
                "this BGNBDModel is not fitted yet: call fit() or build it with from_params()"
            )
        value = getattr(self, name)
        if value is None and name != "_policy":
            raise NotFittedError(
                f"this BGNBDModel was built from parameters: it has no {name[1:]}_ (call fit())"
            )
        return value

    @property
    def params_(self) -> BGNBDParams:
        """The fitted parameters ``r, alpha, a, b``."""
        params: BGNBDParams = self._fitted("_params")
        return params

    @property
    def policy_(self) -> CLVPolicy:
        """The policy of the fit (the defaults for a model built with :meth:`from_params`)."""
        policy: CLVPolicy | None = self._fitted("_policy")
        return policy if policy is not None else CLVPolicy()

    @property
    def log_likelihood_(self) -> float:
        """Total log-likelihood of the fitting data at ``params_``."""
        value: float = self._fitted("_log_likelihood")
        return value

    @property
    def n_customers_(self) -> float:
        """Number of customers (sum of weights) the model was fitted on."""
        value: float = self._fitted("_n_customers")
        return value

    @property
    def converged_(self) -> bool:
        """Whether the optimiser reported convergence."""
        value: bool = self._fitted("_converged")
        return value

    @property
    def n_iterations_(self) -> int:
        """Optimiser iterations used."""
        value: int = self._fitted("_n_iterations")
        return value

    @classmethod
    def from_params(cls, params: BGNBDParams | Mapping[str, Any]) -> BGNBDModel:
        """A model with known parameters (saved earlier, or published) and no fitting data."""
        model = cls()
        model._params = params if isinstance(params, BGNBDParams) else BGNBDParams.from_dict(params)
        return model

    # -- saving -------------------------------------------------------------------------------

    _STATS: dict[str, type] = {  # noqa: RUF012 - read only
        "log_likelihood": float,
        "n_customers": float,
        "converged": bool,
        "n_iterations": int,
    }

    def to_dict(self) -> dict[str, Any]:
        """The fitted state as plain data: ``params``, fit statistics and ``policy``.

        Raises:
            NotFittedError: the model has no parameters yet.
        """
        data: dict[str, Any] = {"params": self.params_.to_dict()}
        for name in self._STATS:
            data[name] = getattr(self, f"_{name}")
        if self._policy is not None:
            data["policy"] = self._policy.to_dict()
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Rebuild a fitted model from :meth:`to_dict` output.

        Raises:
            PolicyError: naming the field that is missing, unknown or malformed.
        """
        checked = check_keys(data, {"params", "policy", *cls._STATS}, "BGNBDModel")
        model = cls()
        model._params = BGNBDParams.from_dict(checked["params"])
        if checked.get("policy") is not None:
            model._policy = CLVPolicy.from_dict(checked["policy"])
        for name, value in fitted_stats_from_dict(checked, cls._STATS).items():
            setattr(model, f"_{name}", value)
        return model

    # -- fitting ------------------------------------------------------------------------------

    def fit(
        self,
        summary: Any = None,
        *,
        columns: Columns = None,
        frequency: ArrayLike | None = None,
        recency: ArrayLike | None = None,
        T: ArrayLike | None = None,  # noqa: N803 - the literature's name
        weights: ArrayLike | None = None,
    ) -> Self:
        """Maximum-likelihood fit on a summary or on three arrays.

        Args:
            summary: a :class:`~bankcrm.segmentation.CLVSummary` or a summary frame (pandas,
                pyarrow, polars) with the roles ``frequency``, ``recency``, ``T``; or None to
                pass arrays.
            columns: ``{role: column}`` for summary columns not named after their role.
            frequency: repeat purchases per customer (whole numbers >= 0).
            recency: time from first to last purchase (0 when frequency is 0).
            T: time from first purchase to the end of observation (>= recency).
            weights: optional count of customers each row stands for.

        Returns:
            self, fitted.

        Raises:
            InputError: for missing columns, non-numbers, NaN, negative or inconsistent values,
                or when no customer ever repeated (then ``a`` and ``b`` cannot be estimated).
        """
        policy = resolve_policy(self.policy, summary)
        read = read_summary(
            summary,
            {"frequency": frequency, "recency": recency, "T": T},
            columns=columns,
            where="fit_bgnbd",
            broadcast=False,
        )
        check_history(read)
        x, t_x, big_t = (read.arrays[r] for r in ("frequency", "recency", "T"))
        w = check_weights(weights, len(x), read.index)
        repeaters = x > 0 if w is None else (x > 0) & (w > 0)
        if not repeaters.any():
            raise InputError(
                "no customer made a repeat purchase: the dropout parameters a, b cannot be "
                "estimated",
                column=read.labels["frequency"],
                rule=Rule.REPEAT_PURCHASES_REQUIRED,
            )
        (px, pt_x, pbig_t), counts = _pool_rows((x, t_x, big_t), w)
        total = _special.BGNBDTotal(px, pt_x, pbig_t, counts)
        found = _special.maximise_log_likelihood(
            total,
            policy.bgnbd_initial_params,
            tolerance=policy.tolerance,
            max_iterations=policy.max_iterations,
        )
        r, alpha, a, b = found.params
        self._params = BGNBDParams(r=r, alpha=alpha, a=a, b=b)
        self._policy = policy
        self._log_likelihood = found.log_likelihood
        self._n_customers = float(counts.sum())
        self._converged = found.converged
        self._n_iterations = found.n_iterations
        warn_if_not_converged("BG/NBD", found)
        return self

    # -- scoring ------------------------------------------------------------------------------

    def log_likelihood(
        self,
        summary: Any = None,
        *,
        columns: Columns = None,
        frequency: ArrayLike | None = None,
        recency: ArrayLike | None = None,
        T: ArrayLike | None = None,  # noqa: N803
    ) -> FloatArray:
        """Per-customer log-likelihood at ``params_``, in the summary's row order."""
        p = self.params_
        read = history(
            summary,
            columns=columns,
            frequency=frequency,
            recency=recency,
            big_t=T,
            where="log_likelihood",
        )
        x, t_x, big_t = (read.arrays[r] for r in ("frequency", "recency", "T"))
        return _special.bgnbd_log_likelihood(p.r, p.alpha, p.a, p.b, x, t_x, big_t)

    def p_alive(
        self,
        summary: Any = None,
        *,
        columns: Columns = None,
        frequency: ArrayLike | None = None,
        recency: ArrayLike | None = None,
        T: ArrayLike | None = None,  # noqa: N803
    ) -> FloatArray:
        """Probability that each customer is still active at the end of observation ``T``.

        ``P(alive) = 1 / (1 + [x > 0] a / (b + x - 1) ((alpha + T) / (alpha + t_x))^(r + x))``;
        exactly 1 for customers without repeat purchases. Takes a summary (one value per row,
        in its order) or keyword arrays (broadcast like numpy).

        >>> model = BGNBDModel.from_params({"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426})
        >>> model.p_alive(frequency=[0, 2, 7], recency=[0, 30.43, 29.43], T=38.86).round(3).tolist()
        [1.0, 0.727, 0.642]
        """
        p = self.params_
        read = history(
            summary, columns=columns, frequency=frequency, recency=recency, big_t=T, where="p_alive"
        )
        x, t_x, big_t = (read.arrays[r] for r in ("frequency", "recency", "T"))
        return _special.bgnbd_p_alive(p.r, p.alpha, p.a, p.b, x, t_x, big_t)

    def expected_transactions(
        self,
        summary: Any = None,
        *,
        horizon: ArrayLike,
        columns: Columns = None,
        frequency: ArrayLike | None = None,
        recency: ArrayLike | None = None,
        T: ArrayLike | None = None,  # noqa: N803
    ) -> FloatArray:
        """Expected purchases in the next ``horizon`` time units, given each customer's history.

        ``E[Y(t) | x, t_x, T]`` of Fader, Hardie & Lee (2005, eq. 10): the purchases expected
        of a customer alive at ``T`` over ``(T, T + t]``, times ``P(alive)``. ``horizon``
        broadcasts against the customers.

        >>> model = BGNBDModel.from_params({"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426})
        >>> model.expected_transactions(
        ...     frequency=2, recency=30.43, T=38.86, horizon=[0, 39, 78]
        ... ).round(3).tolist()
        [0.0, 1.226, 2.151]
        """
        self.params_  # noqa: B018 - NotFittedError before reading the data
        horizons = check_horizon(horizon)
        read = history(
            summary,
            columns=columns,
            frequency=frequency,
            recency=recency,
            big_t=T,
            where="expected_transactions",
        )
        x, t_x, big_t = (read.arrays[r] for r in ("frequency", "recency", "T"))
        try:
            horizons, x, t_x, big_t = np.broadcast_arrays(horizons, x, t_x, big_t)
        except ValueError:
            raise InputError(
                f"the horizon (shape {horizons.shape}) does not broadcast against the "
                f"customers (shape {x.shape})",
                column="horizon",
                rule=Rule.SAME_LENGTH,
            ) from None
        return self._expected(horizons, x, t_x, big_t)

    def _expected(
        self, horizon: FloatArray, x: FloatArray, t_x: FloatArray, big_t: FloatArray
    ) -> FloatArray:
        """``E[Y(horizon) | x, t_x, T]`` on checked, broadcast arrays."""
        p = self.params_
        z = horizon / (p.alpha + big_t + horizon)
        alive_rate = _special.bgnbd_scaled_growth(p.r, p.a, p.b, x, z)
        alive = _special.bgnbd_p_alive(p.r, p.alpha, p.a, p.b, x, t_x, big_t)
        result: FloatArray = np.where(horizon > 0, alive_rate * alive, 0.0)
        return result

    def unconditional_expected_transactions(self, horizon: ArrayLike) -> FloatArray:
        """Expected repeat purchases ``E[X(t)]`` of a new customer in the ``horizon`` after joining.

        ``E[X(t)] = (a + b - 1)/(a - 1) [1 - (alpha/(alpha + t))^r 2F1(r, b; a + b - 1;
        t/(alpha + t))]`` (eq. 9).

        >>> model = BGNBDModel.from_params({"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426})
        >>> model.unconditional_expected_transactions([0, 39]).round(4).tolist()
        [0.0, 1.1967]
        """
        p = self.params_
        horizons = check_horizon(horizon)
        z = horizons / (p.alpha + horizons)
        result: FloatArray = np.where(
            horizons > 0,
            _special.bgnbd_scaled_growth(p.r, p.a, p.b, np.zeros_like(horizons), z),
            0.0,
        )
        return result


def warn_if_not_converged(model: str, found: _special.MaximisationResult) -> None:
    if not found.converged:
        warnings.warn(
            f"the {model} fit did not converge after {found.n_iterations} iterations "
            f"({found.message}); parameters at a bound of (0, inf) usually mean the data do "
            "not show the model's structure (for example no sign of customers dropping out)",
            RuntimeWarning,
            stacklevel=3,
        )


def fit_bgnbd(
    summary: Any = None,
    *,
    policy: CLVPolicy | None = None,
    columns: Columns = None,
    frequency: ArrayLike | None = None,
    recency: ArrayLike | None = None,
    T: ArrayLike | None = None,  # noqa: N803
    weights: ArrayLike | None = None,
) -> BGNBDModel:
    """Fit the BG/NBD model by maximum likelihood; see :meth:`BGNBDModel.fit`.

    >>> model = fit_bgnbd(frequency=[0, 1, 3, 0, 2, 5], recency=[0, 4, 20, 0, 9, 30],
    ...                   T=[30, 30, 32, 10, 25, 31])
    >>> sorted(model.params_.to_dict())
    ['a', 'alpha', 'b', 'r']
    >>> bool(model.converged_), model.n_customers_
    (True, 6.0)
    """
    return BGNBDModel(policy=policy).fit(
        summary, columns=columns, frequency=frequency, recency=recency, T=T, weights=weights
    )


def p_alive_matrix(
    model: BGNBDModel,
    *,
    T: float,  # noqa: N803
    max_frequency: int = 20,
    n_recency: int = 20,
) -> pd.DataFrame:
    """P(alive) over a grid of frequency (columns) and recency (rows), all observed for ``T``.

    The classic picture of the model: frequent buyers who have gone quiet are the likeliest to
    be gone. Cells that cannot occur (recency > 0 without repeat purchases) are NaN. The model
    is what is tabulated, so it comes first (the data); ``T`` and the grid size are query
    parameters, keywords.

    Args:
        model: a fitted (or :meth:`~BGNBDModel.from_params`) model.
        T: time since the first purchase, in the model's unit.
        max_frequency: the largest frequency shown (columns ``0 .. max_frequency``).
        n_recency: number of recency rows, evenly from ``T`` (top, just bought) down to 0.

    Returns:
        The grid, stamped with the provenance of the model's policy.

    >>> model = BGNBDModel.from_params({"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426})
    >>> grid = p_alive_matrix(model, T=39.0, max_frequency=3, n_recency=3)
    >>> grid.round(2)
    frequency    0     1     2     3
    recency
    39.0       NaN  0.75  0.81  0.85
    19.5       NaN  0.59  0.53  0.45
    0.0        1.0  0.15  0.02  0.00
    """
    if not isinstance(model, BGNBDModel):
        raise InputError(
            f"p_alive_matrix tabulates a BGNBDModel, got {type(model).__name__}",
            column="model",
            rule=Rule.TYPE,
        )
    if not (isinstance(T, int | float) and not isinstance(T, bool) and math.isfinite(T) and T >= 0):
        raise InputError("must be a finite number >= 0", column="T", rule=Rule.NON_NEGATIVE)
    if max_frequency < 0 or n_recency < 1:
        raise InputError(
            "max_frequency must be >= 0 and n_recency >= 1",
            column="max_frequency",
            rule=Rule.RANGE,
        )
    frequencies = np.arange(max_frequency + 1, dtype=np.float64)
    recencies = np.linspace(T, 0.0, n_recency) if n_recency > 1 else np.array([float(T)])
    x, t_x = np.meshgrid(frequencies, recencies)
    possible = (x > 0) | (t_x == 0)
    values = np.full(x.shape, np.nan)
    values[possible] = model.p_alive(frequency=x[possible], recency=t_x[possible], T=T)
    grid = pd.DataFrame(
        values,
        index=pd.Index(recencies, name="recency"),
        columns=pd.Index(frequencies.astype(np.int64), name="frequency"),
    )
    return stamp_provenance(
        grid, model.policy_.provenance(producer="bankcrm.segmentation.p_alive_matrix")
    )


def plot_p_alive(
    model: BGNBDModel,
    *,
    T: float,  # noqa: N803
    max_frequency: int = 20,
    n_recency: int = 20,
    title: str | None = None,
) -> Figure:
    """Heatmap of :func:`p_alive_matrix` (needs the ``plots`` extra, matplotlib).

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> model = BGNBDModel.from_params({"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426})
    >>> plot_p_alive(model, T=39.0).axes[0].get_title()
    'P(alive) by frequency and recency (T = 39)'
    """
    grid = p_alive_matrix(model, T=T, max_frequency=max_frequency, n_recency=n_recency)
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        raise MissingDependencyError("CLV plots", "matplotlib", "plots") from None
    fig, ax = plt.subplots(figsize=(7, 5))
    image = ax.imshow(grid.to_numpy(), cmap="viridis", vmin=0.0, vmax=1.0, aspect="auto")
    ax.set_xlabel("frequency (repeat purchases)")
    ax.set_ylabel("recency (time of last purchase)")
    ticks = np.unique(np.linspace(0, len(grid.index) - 1, min(len(grid.index), 5)).astype(int))
    ax.set_yticks(ticks, [f"{grid.index[i]:.3g}" for i in ticks])
    ax.set_title(title or f"P(alive) by frequency and recency (T = {T:g})")
    fig.colorbar(image, ax=ax, label="P(alive)")
    fig.tight_layout()
    return fig
