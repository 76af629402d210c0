"""The previous state of each customer, read from a frame or a mapping (internal)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from bankcrm._tables import as_pandas
from bankcrm._values import raise_for_rows
from bankcrm.calendar import as_date
from bankcrm.errors import InputError, Rule
from bankcrm.frames import Column, FrameSchema, validate_frame
from bankcrm.membership._decisions import NAT, STATUSES, States, day_or_nat
from bankcrm.membership.ladders import TierLadder

STATE_ROLES = (
    "customer_id",
    "tier",
    "status",
    "since",
    "valid_until",
    "notified_on",
    "periods_below",
    "floor",
)


def read_states(
    states: Any, ladder: TierLadder, names: dict[str, Any], customers: pd.Index[Any]
) -> States:
    frame = as_pandas(states, name="states")
    cid = names["customer_id"]
    cust_kind = "int" if pd.api.types.is_integer_dtype(customers.dtype) else "str"
    if cid in frame.columns:
        kind = "int" if pd.api.types.is_integer_dtype(frame[cid].dtype) else "str"
        if kind != cust_kind and len(frame):
            raise InputError(
                f"states: customer ids are {kind} but the accounts' are {cust_kind}; use one "
                "type in both frames",
                column=str(cid),
                rule=Rule.KEY_TYPE,
            )
    schema = FrameSchema(
        "states",
        [
            Column(cid, cust_kind),
            Column(names["tier"], "str"),
            Column(names["status"], "str"),
            Column(names["since"], "date", nullable=True),
            Column(names["valid_until"], "date", nullable=True),
            Column(names["notified_on"], "date", nullable=True),
            Column(names["periods_below"], "int"),
            Column(names["floor"], "str", required=False, nullable=True),
        ],
        key=cid,
        unique_key=True,
    )
    frame = validate_frame(frame, schema)
    ids = pd.Index(ladder.tier_ids)
    tier_rank = ids.get_indexer(frame[names["tier"]].to_numpy(dtype=object))
    if (tier_rank < 0).any():
        raise_for_rows(
            f"states: unknown tier; this ladder has {list(ladder.tier_ids)}",
            column=str(names["tier"]),
            rule=Rule.DOMAIN,
            mask=tier_rank < 0,
            series=frame[names["tier"]],
        )
    status = frame[names["status"]].to_numpy(dtype=object)
    bad = ~pd.Series(status).isin(STATUSES).to_numpy()
    if bad.any():
        raise_for_rows(
            f"states: unknown status; use one of {list(STATUSES)}",
            column=str(names["status"]),
            rule=Rule.DOMAIN,
            mask=bad,
            series=frame[names["status"]],
        )
    periods = frame[names["periods_below"]].to_numpy().astype(np.int64)
    if (periods < 0).any():
        raise_for_rows(
            "states: periods_below must not be negative",
            column=str(names["periods_below"]),
            rule=Rule.RANGE,
            mask=periods < 0,
            series=frame[names["periods_below"]],
        )
    if names["floor"] in frame.columns:
        floor_values = frame[names["floor"]]
        present = floor_values.notna().to_numpy()
        floor = np.full(len(frame), -1, dtype=np.int64)
        floor[present] = ids.get_indexer(floor_values[present].to_numpy(dtype=object))
        unknown = present & (floor < 0)
        if unknown.any():
            raise_for_rows(
                f"states: unknown floor tier; this ladder has {list(ladder.tier_ids)}",
                column=str(names["floor"]),
                rule=Rule.DOMAIN,
                mask=unknown,
                series=floor_values,
            )
    else:
        floor = np.full(len(frame), -1, dtype=np.int64)
    where = customers.get_indexer(frame[cid].to_numpy())
    if (where < 0).any():
        raise_for_rows(
            "states: customer not in accounts",
            column=str(cid),
            rule=Rule.DOMAIN,
            mask=where < 0,
            series=frame[cid],
        )
    out = States.new(len(customers))
    out.rank[where] = tier_rank
    out.status[where] = status
    for column, target in (
        ("since", out.since),
        ("valid_until", out.valid_until),
        ("notified_on", out.notified_on),
    ):
        values = frame[names[column]]
        present = values.notna().to_numpy()
        days = np.full(len(frame), NAT, dtype=np.int64)
        days[present] = values[present].to_numpy().astype("datetime64[D]").astype(np.int64)
        target[where] = days
    out.periods_below[where] = periods
    out.floor[where] = floor
    return out


def state_from_mapping(state: Mapping[str, Any] | None, ladder: TierLadder) -> States:
    out = States.new(1)
    if state is None:
        return out
    if not isinstance(state, Mapping):
        raise InputError(
            f"state must be a mapping of the state columns, got {type(state).__name__}",
            column="state",
            rule=Rule.TYPE,
        )
    for required in ("tier", "status"):
        if required not in state:
            raise InputError(f"state: missing {required!r}", column=required, rule=Rule.REQUIRED)
    out.rank[0] = ladder.rank(state["tier"])
    if state["status"] not in STATUSES:
        raise InputError(
            f"state: unknown status {state['status']!r}; use one of {list(STATUSES)}",
            column="status",
            rule=Rule.DOMAIN,
        )
    out.status[0] = state["status"]
    for name in ("since", "valid_until", "notified_on"):
        value = state.get(name)
        missing = value is None or (not isinstance(value, str) and bool(pd.isna(value)))
        out_days = getattr(out, name)
        out_days[0] = NAT if missing else day_or_nat(as_date(value, name=name))
    periods = state.get("periods_below", 0)
    if isinstance(periods, bool) or not isinstance(periods, int | np.integer) or periods < 0:
        raise InputError(
            f"state: periods_below must be an integer >= 0, got {periods!r}",
            column="periods_below",
            rule=Rule.RANGE,
        )
    out.periods_below[0] = int(periods)
    floor = state.get("floor")
    if floor is not None and not (not isinstance(floor, str) and pd.isna(floor)):
        out.floor[0] = ladder.rank(floor)
    return out
