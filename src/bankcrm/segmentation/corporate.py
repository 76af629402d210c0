"""RFM for corporate customers: the same features, edges and segments on credit business.

The source bank's corporate RFM study scores firms by the recency, frequency and amount of
their business with the bank. :func:`corporate_rfm_features` reads that business from the
credit facilities frame (one row per facility: ``party_id``, ``start_date``, ``currency``,
``drawn``, ``undrawn``): each facility granted is one "transaction" dated on its start date,
its amount the committed credit (drawn + undrawn) in RMB. So

* R = days since the firm's most recent new facility,
* F = facilities granted in the window,
* M = committed credit granted in the window, in RMB fen.

Foreign-currency facilities convert to RMB at the latest rate on or before ``as_of`` (one
valuation date for the whole report), with :func:`bankcrm.money.to_rmb_fen`. Every corporate
party is kept, also without a facility. The result is an ordinary
:class:`~bankcrm.segmentation.RFMFeatures`: fit edges on it (or fit retail and corporate
together with ``RFMPolicy(by="customer_type")``) and assign segments exactly as for retail
customers. The window and the other settings come from the same
:class:`~bankcrm.segmentation.RFMPolicy`.

Other corporate measures (daily-average deposits, fee income) go through
:func:`~bankcrm.segmentation.rfm_features` the same way: any frame of dated amounts per firm.

>>> import datetime as dt
>>> import pandas as pd
>>> parties = pd.DataFrame({"party_id": ["C1", "C2", "C3"],
...                         "kind": ["corporate", "corporate", "corporate"]})
>>> facilities = pd.DataFrame({
...     "party_id": ["C1", "C1", "C2"],
...     "start_date": pd.to_datetime(["2025-03-01", "2025-11-30", "2024-01-10"]),
...     "currency": ["CNY", "USD", "CNY"],
...     "drawn": [1_000_000.00, 0.0, 250_000.50],
...     "undrawn": [0.0, 100_000.00, 0.0],
... })
>>> rates = pd.DataFrame({"currency": ["USD"], "date": ["2025-12-31"], "rate": ["7.1000"]})
>>> result = corporate_rfm_features(parties, facilities, as_of="2025-12-31", fx_rates=rates)
>>> result.features[["customer_id", "recency_days", "frequency", "monetary_fen"]]
  customer_id  recency_days  frequency  monetary_fen
0          C1            31          2     171000000
1          C2           721          1      25000050
2          C3          <NA>          0             0
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from bankcrm._roles import column_names, column_names_by_frame, require_columns
from bankcrm._tables import as_pandas
from bankcrm.calendar import as_date
from bankcrm.errors import InputError
from bankcrm.frames import Column, FrameSchema, validate_frame
from bankcrm.money import FxRates, to_rmb_fen
from bankcrm.policy import Provenance, stamp_provenance
from bankcrm.segmentation.features import RFMFeatures, RFMPolicy, rfm_features

__all__ = ["FACILITY_BUSINESS_RULE", "corporate_rfm_features", "facility_business"]

#: The name and version of the fixed rule :func:`facility_business` applies (one event per
#: facility, on its start date, for its committed credit in RMB at ``as_of``); stamped as the
#: provenance of its frames.
FACILITY_BUSINESS_RULE = ("bankcrm.segmentation.facility_business", "1")

#: The roles of the facilities frame.
FACILITY_ROLES = ("party_id", "start_date", "currency", "drawn", "undrawn")
#: The roles of the parties frame.
PARTY_ROLES = ("party_id", "kind")


def _rates(fx_rates: Any) -> FxRates | None:
    if fx_rates is None or isinstance(fx_rates, FxRates):
        return fx_rates
    return FxRates.from_frame(as_pandas(fx_rates, name="fx_rates"))


def facility_business(
    facilities: Any,
    *,
    as_of: dt.date | str | np.datetime64,
    fx_rates: FxRates | pd.DataFrame | None,
    columns: Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """One business event per facility: ``party_id``, ``date`` and the RMB ``amount`` (yuan).

    Args:
        facilities: one row per facility (pandas, pyarrow or polars).
        as_of: the FX valuation date.
        fx_rates: a rates frame (``currency``, ``date``, ``rate``) or an ``FxRates``.
        columns: role → column name (roles ``party_id``, ``start_date``, ``currency``,
            ``drawn``, ``undrawn``).

    Returns:
        A frame stamped with :data:`FACILITY_BUSINESS_RULE` and ``as_of``.

    Raises:
        InputError: for missing (all in one error) or invalid facility columns, or a foreign
            currency without a rate on or before ``as_of``.
    """
    valuation = as_date(as_of, name="as_of")
    names = column_names(columns, FACILITY_ROLES, where="facility_business")
    facilities = as_pandas(facilities, name="facilities")
    require_columns(facilities, names, where="facilities")
    schema = FrameSchema(
        "facilities",
        [
            Column(names["party_id"], "str"),
            Column(names["start_date"], "date"),
            Column(names["currency"], "str"),
            Column(names["drawn"], "money", min_value=0),
            Column(names["undrawn"], "money", min_value=0),
        ],
    )
    clean = validate_frame(facilities, schema)  # money columns become fen
    fen = clean[names["drawn"]].to_numpy(dtype=np.int64) + clean[names["undrawn"]].to_numpy(
        dtype=np.int64
    )
    currencies = clean[names["currency"]].astype(str).str.upper()
    foreign = ~currencies.isin(["CNY", "RMB"]).to_numpy()
    if foreign.any():
        if fx_rates is None:
            raise InputError(
                "foreign-currency facilities need fx_rates",
                column="currency",
                rule="fx_rate",
                rows=clean.index[np.flatnonzero(foreign)[:5]].tolist(),
                n_rows=int(foreign.sum()),
            )
        rates = _rates(fx_rates)
        assert rates is not None
        fen = to_rmb_fen(
            pd.Series(fen, index=clean.index),
            currencies,
            [valuation] * len(fen),
            rates,
            column="drawn+undrawn",
        )
    business = pd.DataFrame(
        {
            "party_id": clean[names["party_id"]].to_numpy(),
            "date": clean[names["start_date"]].to_numpy(),
            "amount": fen / 100.0,  # exact: to_fen reads the two-decimal repr back
        },
        index=clean.index,
    )
    rule, version = FACILITY_BUSINESS_RULE
    return stamp_provenance(
        business,
        Provenance(rule, version, valuation, producer="bankcrm.segmentation.facility_business"),
    )


def corporate_rfm_features(
    parties: Any,
    facilities: Any,
    *,
    as_of: dt.date | str | np.datetime64,
    fx_rates: FxRates | pd.DataFrame | None = None,
    kinds: Iterable[str] = ("corporate",),
    carry: Iterable[str] = (),
    policy: RFMPolicy | None = None,
    columns: Mapping[str, Mapping[str, Any]] | None = None,
) -> RFMFeatures:
    """RFM features of corporate parties from their credit facilities (see the module doc).

    Args:
        parties: one row per party with ``party_id`` and ``kind`` (pandas, pyarrow, polars).
        facilities: one row per facility (see :func:`facility_business`).
        as_of: the reference and FX valuation date.
        fx_rates: a rates frame (``currency``, ``date``, ``rate``) or an ``FxRates``.
        kinds: which party kinds are corporate customers.
        carry: further party columns to carry into the features (``"name"`` …).
        policy: the :class:`~bankcrm.segmentation.RFMPolicy` (window, negatives …).
        columns: frame → role → column name: ``{"parties": {"party_id": …, "kind": …},
            "facilities": {"party_id": …, "start_date": …, …}}``.

    Returns:
        :class:`~bankcrm.segmentation.RFMFeatures` keyed by ``customer_id`` = ``party_id``.
        Facilities of parties that are not corporate customers are excluded with reason
        ``unknown_customer``.
    """
    names = column_names_by_frame(
        columns,
        {"parties": PARTY_ROLES, "facilities": FACILITY_ROLES},
        where="corporate_rfm_features",
    )
    parties = as_pandas(parties, name="parties")
    party_names = names["parties"]
    carried = list(carry)
    require_columns(
        parties,
        {**party_names, **{f"carry {c}": c for c in carried}},
        where="parties",
    )
    wanted = set(kinds)
    chosen: Any = parties.loc[
        parties[party_names["kind"]].isin(sorted(wanted)).to_numpy(),
        [party_names["party_id"], *carried],
    ]
    business = facility_business(
        facilities, as_of=as_of, fx_rates=fx_rates, columns=names["facilities"]
    )
    return rfm_features(
        business,
        as_of=as_of,
        customers=chosen,
        policy=policy,
        columns={
            "transactions": {"customer_id": "party_id"},
            "customers": {"customer_id": party_names["party_id"]},
        },
    )
