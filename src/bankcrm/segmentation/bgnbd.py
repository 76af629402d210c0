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

>>> model = BGNBDModel.from_params(BGNBDParams(r=0.243, alpha=4.414, a=0.793, b=2.426))
>>> round(float(model.p_alive(2, 30.43, 38.86)), 3)
0.727
>>> round(float(model.expected_transactions(39, 2, 30.43, 38.86)), 3)
1.226
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
from bankcrm.errors import InputError, MissingDependencyError, NotFittedError, PolicyError
from bankcrm.segmentation import _special
from bankcrm.segmentation._special import FloatArray

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from bankcrm.segmentation.clv import CLVSummary

__all__ = ["BGNBDModel", "BGNBDParams", "fit_bgnbd", "p_alive_matrix", "plot_p_alive"]

ArrayLike = npt.ArrayLike

#: Starting point of the optimiser (all four parameters 1, the customary neutral start).
DEFAULT_INITIAL = (1.0, 1.0, 1.0, 1.0)


def _positive_finite(instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not (math.isfinite(value) and value > 0):
        raise PolicyError(f"{attribute.name} must be a positive finite number, got {value!r}")


@attrs.frozen
class BGNBDParams:
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
    def from_dict(cls, data: Mapping[str, Any]) -> BGNBDParams:
        """Rebuild from :meth:`to_dict` output.

        Raises:
            PolicyError: when a parameter is missing or not a positive finite number.
        """
        try:
            return cls(r=data["r"], alpha=data["alpha"], a=data["a"], b=data["b"])
        except KeyError as exc:
            raise PolicyError(f"BG/NBD parameters lack {exc.args[0]!r}") from None
        except (TypeError, ValueError) as exc:
            raise PolicyError(f"BG/NBD parameters are not numbers: {exc}") from None


# ---------------------------------------------------------------------------------------------
# Input checking shared with the Gamma-Gamma model


def _column_of(summary: pd.DataFrame, name: str) -> pd.Series[Any]:
    if name not in summary.columns:
        raise InputError(
            f"the summary has no column {name!r} (columns: {list(map(str, summary.columns))})",
            column=name,
            rule="required",
        )
    column: pd.Series[Any] = summary[name]
    return column


def numeric_column(values: ArrayLike, *, column: str, index: pd.Index[Any] | None) -> FloatArray:
    """A float64 copy of ``values`` that is finite everywhere, or an InputError naming the rows."""
    series = values if isinstance(values, pd.Series) else None
    try:
        if series is not None:
            if not (
                pd.api.types.is_numeric_dtype(series.dtype)
                and not pd.api.types.is_bool_dtype(series.dtype)
            ):
                raise TypeError(str(series.dtype))
            array = series.to_numpy(dtype=np.float64, na_value=np.nan)
        else:
            raw = np.asarray(values)
            if raw.dtype.kind not in "iuf":
                raise TypeError(str(raw.dtype))
            array = raw.astype(np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError(
            f"expected numbers, got values of type {exc}", column=column, rule="numeric"
        ) from None
    array = np.atleast_1d(array)
    if array.ndim != 1:
        raise InputError("expected a one-dimensional column", column=column, rule="type")
    bad = ~np.isfinite(array)
    if bad.any():
        raise_for_rows(
            "must be a finite number (no NaN or infinity)",
            column=column,
            rule="finite",
            mask=bad,
            index=index,
        )
    return array


def summary_arrays(
    summary: pd.DataFrame | CLVSummary | None,
    columns: Mapping[str, ArrayLike | None],
) -> tuple[dict[str, FloatArray], pd.Index[Any] | None]:
    """Read the named columns either from ``summary`` or from the keyword arrays, never both.

    Returns float arrays of equal length and the row labels used in error messages.
    """
    frame = _frame_of(summary)
    given = [name for name, values in columns.items() if values is not None]
    if frame is not None:
        if given:
            raise InputError(
                f"pass either a summary frame or arrays, not both (got {given})",
                column=given[0],
                rule="arguments",
            )
        index: pd.Index[Any] | None = frame.index
        arrays = {
            name: numeric_column(_column_of(frame, name), column=name, index=index)
            for name in columns
        }
        return arrays, index
    missing = [name for name, values in columns.items() if values is None]
    if missing:
        raise InputError(
            f"without a summary frame, {', '.join(map(repr, missing))} must be given",
            column=missing[0],
            rule="required",
        )
    first = next(iter(columns.values()))
    index = first.index if isinstance(first, pd.Series) else None
    arrays = {
        name: numeric_column(values, column=name, index=index)
        for name, values in columns.items()
        if values is not None
    }
    lengths = {name: len(array) for name, array in arrays.items()}
    if len(set(lengths.values())) > 1:
        raise InputError(
            f"columns differ in length: {lengths}", column=next(iter(lengths)), rule="same_length"
        )
    return arrays, index


def _frame_of(summary: pd.DataFrame | CLVSummary | None) -> pd.DataFrame | None:
    if summary is None or isinstance(summary, pd.DataFrame):
        return summary
    frame = getattr(summary, "frame", None)
    if isinstance(frame, pd.DataFrame):
        return frame
    raise InputError(
        f"expected a DataFrame or a CLVSummary, got {type(summary).__name__}",
        column=None,
        rule="type",
    )


def check_history(
    frequency: FloatArray,
    recency: FloatArray,
    big_t: FloatArray,
    index: pd.Index[Any] | None,
    *,
    frequency_name: str = "frequency",
) -> None:
    """The rules every (frequency, recency, T) summary obeys, each with its own error."""
    rules: list[tuple[npt.NDArray[np.bool_], str, str, str]] = [
        (
            (frequency < 0) | (frequency != np.floor(frequency)),
            frequency_name,
            "non_negative",
            "must be a whole number of repeat purchases >= 0",
        ),
        (recency < 0, "recency", "non_negative", "must be >= 0"),
        (big_t < recency, "T", "recency_within_T", "T must be >= recency"),
        (
            (frequency == 0) & (recency != 0),
            "recency",
            "zero_without_repeat",
            "must be 0 for customers without repeat purchases (frequency 0)",
        ),
    ]
    for mask, column, rule, message in rules:
        if mask.any():
            raise_for_rows(message, column=column, rule=rule, mask=mask, index=index)


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


def check_weights(
    weights: ArrayLike | None, n: int, index: pd.Index[Any] | None
) -> FloatArray | None:
    """Optional per-row counts (for pre-aggregated data): finite, >= 0, one per row."""
    if weights is None:
        return None
    w = numeric_column(weights, column="weights", index=index)
    if len(w) != n:
        raise InputError(
            f"weights have {len(w)} rows, the summary has {n}", column="weights", rule="same_length"
        )
    negative = w < 0
    if negative.any():
        raise_for_rows(
            "must be >= 0", column="weights", rule="non_negative", mask=negative, index=index
        )
    return w


def as_float_array(values: ArrayLike, *, column: str) -> FloatArray:
    """``values`` as a float64 array (any shape), or an InputError if they are not numbers."""
    try:
        raw = np.asarray(values)
        if raw.dtype.kind not in "iuf":
            raise TypeError(str(raw.dtype))
        return raw.astype(np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError(
            f"expected numbers, got values of type {exc}", column=column, rule="numeric"
        ) from None


def broadcast_columns(**values: ArrayLike) -> tuple[FloatArray, ...]:
    """Named inputs as float arrays broadcast to one shape (scalars stretch, like numpy)."""
    arrays = [as_float_array(v, column=name) for name, v in values.items()]
    try:
        return tuple(np.broadcast_arrays(*arrays))
    except ValueError:
        shapes = {name: a.shape for name, a in zip(values, arrays, strict=True)}
        raise InputError(
            f"inputs do not broadcast to one shape: {shapes}",
            column=next(iter(values)),
            rule="same_length",
        ) from None


# ---------------------------------------------------------------------------------------------


class BGNBDModel:
    """The BG/NBD model: fit on customer summaries, then score customers.

    Args:
        tolerance: convergence tolerance of the optimiser (on the log-likelihood divided by its
            starting magnitude).
        max_iterations: iteration cap of the optimiser.
        initial_params: starting ``(r, alpha, a, b)``; all ones by default.

    Fitted attributes (``NotFittedError`` before :meth:`fit`): ``params_``,
    ``log_likelihood_`` (total at ``params_``), ``n_customers_``, ``converged_``,
    ``n_iterations_``.
    """

    def __init__(
        self,
        *,
        tolerance: float = 1e-10,
        max_iterations: int = 1000,
        initial_params: tuple[float, float, float, float] = DEFAULT_INITIAL,
    ) -> None:
        if not (tolerance > 0 and max_iterations > 0):
            raise PolicyError("tolerance and max_iterations must be positive")
        if len(initial_params) != 4 or not all(math.isfinite(v) and v > 0 for v in initial_params):
            raise PolicyError("initial_params must be four positive finite numbers")
        self.tolerance = tolerance
        self.max_iterations = max_iterations
        self.initial_params = tuple(float(v) for v in initial_params)
        self._params: BGNBDParams | None = None
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
        value = getattr(self, name)
        if value is None:
            raise NotFittedError(
                "this BGNBDModel is not fitted yet: call fit() or build it with from_params()"
            )
        return value

    @property
    def params_(self) -> BGNBDParams:
        """The fitted parameters ``r, alpha, a, b``."""
        params: BGNBDParams = self._fitted("_params")
        return params

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

    # -- fitting ------------------------------------------------------------------------------

    def fit(
        self,
        summary: pd.DataFrame | CLVSummary | None = None,
        *,
        frequency: ArrayLike | None = None,
        recency: ArrayLike | None = None,
        T: ArrayLike | None = None,  # noqa: N803 - the literature's name
        weights: ArrayLike | None = None,
    ) -> BGNBDModel:
        """Maximum-likelihood fit on a summary frame or on three arrays.

        Args:
            summary: a frame with columns ``frequency``, ``recency``, ``T`` (for example
                :func:`~bankcrm.segmentation.clv_summary` output), or None to pass arrays.
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
        arrays, index = summary_arrays(
            summary, {"frequency": frequency, "recency": recency, "T": T}
        )
        x, t_x, big_t = arrays["frequency"], arrays["recency"], arrays["T"]
        check_history(x, t_x, big_t, index)
        w = check_weights(weights, len(x), index)
        repeaters = x > 0 if w is None else (x > 0) & (w > 0)
        if not repeaters.any():
            raise InputError(
                "no customer made a repeat purchase: the dropout parameters a, b cannot be "
                "estimated",
                column="frequency",
                rule="repeat_purchases_required",
            )
        (px, pt_x, pbig_t), counts = _pool_rows((x, t_x, big_t), w)
        total = _special.BGNBDTotal(px, pt_x, pbig_t, counts)
        found = _special.maximise_log_likelihood(
            total,
            self.initial_params,
            tolerance=self.tolerance,
            max_iterations=self.max_iterations,
        )
        r, alpha, a, b = found.params
        self._params = BGNBDParams(r=r, alpha=alpha, a=a, b=b)
        self._log_likelihood = found.log_likelihood
        self._n_customers = float(counts.sum())
        self._converged = found.converged
        self._n_iterations = found.n_iterations
        warn_if_not_converged("BG/NBD", found)
        return self

    # -- scoring ------------------------------------------------------------------------------

    def _scoring_inputs(
        self, frequency: ArrayLike, recency: ArrayLike, big_t: ArrayLike
    ) -> tuple[FloatArray, FloatArray, FloatArray]:
        x, t_x, tt = broadcast_columns(frequency=frequency, recency=recency, T=big_t)
        shape = x.shape
        flat = [
            numeric_column(v.reshape(-1), column=name, index=None)
            for v, name in ((x, "frequency"), (t_x, "recency"), (tt, "T"))
        ]
        check_history(flat[0], flat[1], flat[2], None)
        return x.reshape(shape), t_x.reshape(shape), tt.reshape(shape)

    def log_likelihood(
        self,
        frequency: ArrayLike,
        recency: ArrayLike,
        T: ArrayLike,  # noqa: N803
    ) -> FloatArray:
        """Per-customer log-likelihood at ``params_`` (inputs broadcast like numpy)."""
        p = self.params_
        x, t_x, big_t = self._scoring_inputs(frequency, recency, T)
        return _special.bgnbd_log_likelihood(p.r, p.alpha, p.a, p.b, x, t_x, big_t)

    def p_alive(
        self,
        frequency: ArrayLike,
        recency: ArrayLike,
        T: ArrayLike,  # noqa: N803
    ) -> FloatArray:
        """Probability that each customer is still active at the end of observation ``T``.

        ``P(alive) = 1 / (1 + [x > 0] a / (b + x - 1) ((alpha + T) / (alpha + t_x))^(r + x))``;
        exactly 1 for customers without repeat purchases.

        >>> model = BGNBDModel.from_params({"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426})
        >>> model.p_alive([0, 2, 7], [0, 30.43, 29.43], 38.86).round(3).tolist()
        [1.0, 0.727, 0.642]
        """
        p = self.params_
        x, t_x, big_t = self._scoring_inputs(frequency, recency, T)
        return _special.bgnbd_p_alive(p.r, p.alpha, p.a, p.b, x, t_x, big_t)

    def expected_transactions(
        self,
        t: ArrayLike,
        frequency: ArrayLike,
        recency: ArrayLike,
        T: ArrayLike,  # noqa: N803
    ) -> FloatArray:
        """Expected purchases in the next ``t`` time units, given each customer's history.

        ``E[Y(t) | x, t_x, T]`` of Fader, Hardie & Lee (2005, eq. 10): the purchases expected
        of a customer alive at ``T`` over ``(T, T + t]``, times ``P(alive)``.

        >>> model = BGNBDModel.from_params({"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426})
        >>> model.expected_transactions([0, 39, 78], 2, 30.43, 38.86).round(3).tolist()
        [0.0, 1.226, 2.151]
        """
        p = self.params_
        horizon = _check_horizon(t)
        x, t_x, big_t = self._scoring_inputs(frequency, recency, T)
        horizon, x, t_x, big_t = broadcast_columns(t=horizon, frequency=x, recency=t_x, T=big_t)
        z = horizon / (p.alpha + big_t + horizon)
        alive_rate = _special.bgnbd_scaled_growth(p.r, p.a, p.b, x, z)
        alive = _special.bgnbd_p_alive(p.r, p.alpha, p.a, p.b, x, t_x, big_t)
        result: FloatArray = np.where(horizon > 0, alive_rate * alive, 0.0)
        return result

    def unconditional_expected_transactions(self, t: ArrayLike) -> FloatArray:
        """Expected repeat purchases ``E[X(t)]`` of a new customer in the ``t`` units after joining.

        ``E[X(t)] = (a + b - 1)/(a - 1) [1 - (alpha/(alpha + t))^r 2F1(r, b; a + b - 1;
        t/(alpha + t))]`` (eq. 9).

        >>> model = BGNBDModel.from_params({"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426})
        >>> model.unconditional_expected_transactions([0, 39]).round(4).tolist()
        [0.0, 1.1967]
        """
        p = self.params_
        horizon = _check_horizon(t)
        z = horizon / (p.alpha + horizon)
        result: FloatArray = np.where(
            horizon > 0,
            _special.bgnbd_scaled_growth(p.r, p.a, p.b, np.zeros_like(horizon), z),
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


def _check_horizon(t: ArrayLike) -> FloatArray:
    horizon = as_float_array(t, column="t")
    bad = ~np.isfinite(horizon) | (horizon < 0)
    if bad.any():
        raise InputError("horizon must be finite and >= 0", column="t", rule="non_negative")
    return horizon


def fit_bgnbd(
    summary: pd.DataFrame | CLVSummary | None = None,
    *,
    frequency: ArrayLike | None = None,
    recency: ArrayLike | None = None,
    T: ArrayLike | None = None,  # noqa: N803
    weights: ArrayLike | None = None,
    tolerance: float = 1e-10,
    max_iterations: int = 1000,
) -> BGNBDModel:
    """Fit the BG/NBD model by maximum likelihood; see :meth:`BGNBDModel.fit`.

    >>> model = fit_bgnbd(frequency=[0, 1, 3, 0, 2, 5], recency=[0, 4, 20, 0, 9, 30],
    ...                   T=[30, 30, 32, 10, 25, 31])
    >>> sorted(model.params_.to_dict())
    ['a', 'alpha', 'b', 'r']
    >>> bool(model.converged_), model.n_customers_
    (True, 6.0)
    """
    return BGNBDModel(tolerance=tolerance, max_iterations=max_iterations).fit(
        summary, frequency=frequency, recency=recency, T=T, weights=weights
    )


def p_alive_matrix(
    model: BGNBDModel,
    T: float,  # noqa: N803
    *,
    max_frequency: int = 20,
    n_recency: int = 20,
) -> pd.DataFrame:
    """P(alive) over a grid of frequency (columns) and recency (rows), all observed for ``T``.

    The classic picture of the model: frequent buyers who have gone quiet are the likeliest to
    be gone. Cells that cannot occur (recency > 0 without repeat purchases) are NaN.

    Args:
        model: a fitted (or :meth:`~BGNBDModel.from_params`) model.
        T: time since the first purchase, in the model's unit.
        max_frequency: the largest frequency shown (columns ``0 .. max_frequency``).
        n_recency: number of recency rows, evenly from ``T`` (top, just bought) down to 0.

    >>> model = BGNBDModel.from_params({"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426})
    >>> grid = p_alive_matrix(model, 39.0, max_frequency=3, n_recency=3)
    >>> grid.round(2)
    frequency    0     1     2     3
    recency
    39.0       NaN  0.75  0.81  0.85
    19.5       NaN  0.59  0.53  0.45
    0.0        1.0  0.15  0.02  0.00
    """
    if not (math.isfinite(T) and T >= 0):
        raise InputError("must be finite and >= 0", column="T", rule="non_negative")
    if max_frequency < 0 or n_recency < 1:
        raise InputError(
            "max_frequency must be >= 0 and n_recency >= 1", column="max_frequency", rule="range"
        )
    frequencies = np.arange(max_frequency + 1, dtype=np.float64)
    recencies = np.linspace(T, 0.0, n_recency) if n_recency > 1 else np.array([T])
    x, t_x = np.meshgrid(frequencies, recencies)
    possible = (x > 0) | (t_x == 0)
    values = np.full(x.shape, np.nan)
    values[possible] = model.p_alive(x[possible], t_x[possible], T)
    return pd.DataFrame(
        values,
        index=pd.Index(recencies, name="recency"),
        columns=pd.Index(frequencies.astype(np.int64), name="frequency"),
    )


def plot_p_alive(
    model: BGNBDModel,
    T: float,  # noqa: N803
    *,
    max_frequency: int = 20,
    n_recency: int = 20,
    title: str | None = None,
) -> Figure:
    """Heatmap of :func:`p_alive_matrix` (needs the ``plots`` extra, matplotlib).

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> model = BGNBDModel.from_params({"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426})
    >>> plot_p_alive(model, 39.0).axes[0].get_title()
    'P(alive) by frequency and recency (T = 39)'
    """
    grid = p_alive_matrix(model, T, max_frequency=max_frequency, n_recency=n_recency)
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
