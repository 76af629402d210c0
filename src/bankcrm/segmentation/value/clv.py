"""Scoring customers with fitted models: P(alive), expected purchases and lifetime value.

:func:`customer_value` joins the two models of :mod:`bankcrm.segmentation.value`: the BG/NBD
model (:mod:`~bankcrm.segmentation.value.bgnbd`) for how many purchases a customer will make,
and the Gamma-Gamma model (:mod:`~bankcrm.segmentation.value.gamma_gamma`) for what each is
worth, valued and discounted by a :class:`~bankcrm.segmentation.CLVPolicy`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Mapping
from typing import Any

import pandas as pd

from bankcrm._roles import require_columns
from bankcrm.errors import InputError, Rule
from bankcrm.policy import read_provenance, stamp_provenance
from bankcrm.segmentation.value._inputs import read_summary, summary_frame, summary_names
from bankcrm.segmentation.value.bgnbd import BGNBDModel
from bankcrm.segmentation.value.gamma_gamma import GammaGammaModel, check_value_inputs
from bankcrm.segmentation.value.summary import CLVPolicy, CLVSummary, resolve_policy

__all__ = ["customer_value"]

_VALUE_PRODUCER = "bankcrm.segmentation.customer_value"


def customer_value(
    summary: Any,
    bgnbd: BGNBDModel,
    gamma_gamma: GammaGammaModel | None = None,
    *,
    horizon: float,
    policy: CLVPolicy | None = None,
    columns: Mapping[str, Hashable] | None = None,
) -> pd.DataFrame:
    """Score every customer of a summary: P(alive), expected purchases and (optionally) value.

    Args:
        summary: a :class:`CLVSummary` or a summary frame (pandas, pyarrow or polars) with the
            roles ``frequency``, ``recency``, ``T`` and, with ``gamma_gamma``,
            ``monetary_value``; an optional ``customer_id`` column is copied.
        bgnbd: a fitted BG/NBD model (same time unit as the summary).
        gamma_gamma: a fitted Gamma-Gamma model, or None to skip the money columns.
        horizon: forecast horizon in the summary's time unit (a query parameter).
        policy: the :class:`CLVPolicy` whose ``period``, ``discount_rate`` and ``margin``
            value the purchases; by default the summary's own policy (a :class:`CLVSummary`)
            or ``CLVPolicy()``. Its ``unit`` must be the summary's.
        columns: ``{role: column}`` for summary columns not named after their role.

    Returns:
        A frame with the summary's index, its id column (when it has one), ``p_alive``,
        ``expected_transactions`` (over the horizon), and with ``gamma_gamma`` also
        ``expected_average_value`` and ``clv``; stamped with the policy's provenance, followed
        by the summary's own provenance records.

    Raises:
        InputError: missing columns (all in one error), bad values, a bad horizon; rule
            ``mismatch`` when ``policy`` has another unit than the summary.

    >>> from bankcrm.segmentation import BGNBDModel, GammaGammaModel
    >>> bg = BGNBDModel.from_params({"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426})
    >>> gg = GammaGammaModel.from_params({"p": 6.25, "q": 3.74, "v": 15.44})
    >>> summary = pd.DataFrame({"customer_id": ["c1", "c2"], "frequency": [2, 0],
    ...                         "recency": [30.43, 0.0], "T": [38.86, 38.86],
    ...                         "monetary_value": [22.35, 0.0]})
    >>> customer_value(summary, bg, gg, horizon=39).round(3)
      customer_id  p_alive  expected_transactions  expected_average_value     clv
    0          c1    0.727                  1.226                  24.664  30.238
    1          c2    1.000                  0.195                  35.219   6.871
    """
    used = resolve_policy(policy, summary)
    if isinstance(summary, CLVSummary) and used.unit != summary.policy.unit:
        raise InputError(
            f"customer_value: the policy's unit {used.unit!r} is not the summary's "
            f"{summary.policy.unit!r}; period and horizon would be read in the wrong unit",
            column="policy",
            rule=Rule.MISMATCH,
        )
    frame = summary_frame(summary)
    if frame is None:
        raise InputError(
            "customer_value: expected a summary frame or a CLVSummary, got None",
            column="summary",
            rule=Rule.TYPE,
        )
    roles = ["frequency", "recency", "T"] + (["monetary_value"] if gamma_gamma else [])
    names = summary_names(summary, columns, where="customer_value")
    id_given = isinstance(columns, Mapping) and "customer_id" in columns
    wanted = {role: names[role] for role in ([*roles, "customer_id"] if id_given else roles)}
    require_columns(frame, wanted, where="customer_value: summary")
    read = read_summary(
        summary, dict.fromkeys(roles), columns=columns, where="customer_value", broadcast=False
    )
    x, t_x, big_t = (read.arrays[role] for role in ("frequency", "recency", "T"))
    out = pd.DataFrame(index=frame.index)
    if names["customer_id"] in frame.columns:
        out[names["customer_id"]] = frame[names["customer_id"]]
    out["p_alive"] = bgnbd.p_alive(frequency=x, recency=t_x, T=big_t)
    out["expected_transactions"] = bgnbd.expected_transactions(
        frequency=x, recency=t_x, T=big_t, horizon=horizon
    )
    if gamma_gamma is not None:
        check_value_inputs(bgnbd, horizon)
        m_x = read.arrays["monetary_value"]
        # the spend is computed (and an infinite one warned about) once, then valued
        spend = gamma_gamma.conditional_expected_average_value(frequency=x, monetary_value=m_x)
        out["expected_average_value"] = spend
        out["clv"] = gamma_gamma._discounted_value(bgnbd, used, horizon, read.arrays, spend)
    earlier = read_provenance(frame)
    if isinstance(summary, CLVSummary):
        as_of: dt.date | None = summary.as_of
    else:
        as_of = earlier[0].as_of if earlier else None
    mine = used.provenance(as_of, producer=_VALUE_PRODUCER)
    return stamp_provenance(out, mine, *earlier)
