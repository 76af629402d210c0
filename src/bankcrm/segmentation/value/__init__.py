"""Customer value: the buy-till-you-die models and the lifetime value built on them.

One subpackage, one direction of imports (no cycles)::

    summary      CLVPolicy, CLVSummary, clv_summary      (transactions -> one row per customer)
    _inputs      the shared input checks: summary or arrays, columns, finite values, history
    _special     the special functions and the optimiser (scipy, loaded on first use)
    bgnbd        BGNBDModel, fit_bgnbd, p_alive_matrix   (how many purchases; P(alive))
    gamma_gamma  GammaGammaModel, fit_gamma_gamma        (what a purchase is worth)
    clv          customer_value                          (both models, valued by the policy)

Each module imports only those above it. Every public name is also importable from
:mod:`bankcrm.segmentation`. See ``docs/concepts/customer-value.md``.
"""

from bankcrm.segmentation.value.bgnbd import (
    BGNBDModel,
    BGNBDParams,
    fit_bgnbd,
    p_alive_matrix,
    plot_p_alive,
)
from bankcrm.segmentation.value.clv import customer_value
from bankcrm.segmentation.value.gamma_gamma import (
    GammaGammaModel,
    GammaGammaParams,
    fit_gamma_gamma,
)
from bankcrm.segmentation.value.summary import CLVPolicy, CLVSummary, clv_summary

__all__ = [
    "BGNBDModel",
    "BGNBDParams",
    "CLVPolicy",
    "CLVSummary",
    "GammaGammaModel",
    "GammaGammaParams",
    "clv_summary",
    "customer_value",
    "fit_bgnbd",
    "fit_gamma_gamma",
    "p_alive_matrix",
    "plot_p_alive",
]
