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
together with ``by="customer_type"``) and assign segments exactly as for retail customers.

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
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from bankcrm.errors import InputError
from bankcrm.frames import Column, FrameSchema, validate_frame
from bankcrm.money import FxRates, to_rmb_fen
from bankcrm.segmentation._intake import as_date
from bankcrm.segmentation.features import RFMFeatures, rfm_features

__all__ = ["corporate_rfm_features", "facility_business"]

_FACILITIES = FrameSchema(
    "facilities",
    [
        Column("party_id", "str"),
        Column("start_date", "date"),
        Column("currency", "str"),
        Column("drawn", "money", min_value=0),
        Column("undrawn", "money", min_value=0),
    ],
)


def facility_business(
    facilities: pd.DataFrame, *, as_of: dt.date | str, fx_rates: FxRates | pd.DataFrame | None
) -> pd.DataFrame:
    """One business event per facility: ``party_id``, ``date`` and the RMB ``amount`` (yuan).

    Raises:
        InputError: for missing or invalid facility columns, or a foreign currency without
            a rate on or before ``as_of``.
    """
    valuation = as_date(as_of)
    clean = validate_frame(facilities, _FACILITIES)  # money columns become fen
    fen = clean["drawn"].to_numpy(dtype=np.int64) + clean["undrawn"].to_numpy(dtype=np.int64)
    currencies = clean["currency"].astype(str).str.upper()
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
        rates = fx_rates if isinstance(fx_rates, FxRates) else FxRates.from_frame(fx_rates)
        fen = to_rmb_fen(
            pd.Series(fen, index=clean.index),
            currencies,
            [valuation] * len(fen),
            rates,
            column="drawn+undrawn",
        )
    return pd.DataFrame(
        {
            "party_id": clean["party_id"].to_numpy(),
            "date": clean["start_date"].to_numpy(),
            "amount": fen / 100.0,  # exact: to_fen reads the two-decimal repr back
        },
        index=clean.index,
    )


def corporate_rfm_features(
    parties: pd.DataFrame,
    facilities: pd.DataFrame,
    *,
    as_of: dt.date | str,
    window: int | dt.timedelta | None = None,
    fx_rates: FxRates | pd.DataFrame | None = None,
    kinds: Iterable[str] = ("corporate",),
    carry: Iterable[str] = (),
) -> RFMFeatures:
    """RFM features of corporate parties from their credit facilities (see the module doc).

    Args:
        parties: one row per party with ``party_id`` and ``kind``.
        facilities: one row per facility (see :func:`facility_business`).
        as_of: the reference and FX valuation date.
        window: count only facilities granted in the last ``window`` days.
        fx_rates: a rates frame (``currency``, ``date``, ``rate``) or an ``FxRates``.
        kinds: which party kinds are corporate customers.
        carry: further party columns to carry into the features (``"name"`` …).

    Returns:
        :class:`~bankcrm.segmentation.RFMFeatures` keyed by ``customer_id`` = ``party_id``.
        Facilities of parties that are not corporate customers are excluded with reason
        ``unknown_customer``.
    """
    wanted = set(kinds)
    columns = ["party_id", *carry]
    missing = [c for c in [*columns, "kind"] if c not in parties.columns]
    if missing:
        raise InputError(f"parties: missing column(s) {missing}", rule="required")
    chosen: Any = parties.loc[parties["kind"].isin(sorted(wanted)).to_numpy(), columns]
    business = facility_business(facilities, as_of=as_of, fx_rates=fx_rates)
    return rfm_features(
        business,
        as_of=as_of,
        window=window,
        customers=chosen,
        columns={"customer_id": "party_id"},
    )
