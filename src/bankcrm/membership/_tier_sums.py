"""The exact sums a set of tier decisions needs, and the partial-period rule (internal)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from bankcrm._roles import column_names_by_frame
from bankcrm._tables import as_pandas
from bankcrm.errors import InputError, Rule
from bankcrm.membership._decisions import Decision, day_or_nat
from bankcrm.membership.averages import window_sums
from bankcrm.membership.balances import ROLES
from bankcrm.membership.ladders import TierLadder

Sums = list[tuple[NDArray[np.int64], NDArray[np.int64]]]


def decision_sums(
    accounts: Any,
    balances: Any,
    ladder: TierLadder,
    plan: list[Decision],
    fx_rates: Any,
    columns: Any,
) -> tuple[NDArray[Any], Sums]:
    """Every customer of ``accounts`` (sorted) and, per decision, its exact sums (the frames
    validated once, each distinct (metric, window) summed once)."""
    if not plan:  # a ladder of the base tier alone: the customers of accounts
        return accounts_column(accounts, columns, "customer_id")[0], []
    keys = list(dict.fromkeys(d.key for d in plan))
    policy_of = {d.key: ladder.asset_policy(d.tier) for d in plan}
    requests = [(policy_of[k], k[1], k[2]) for k in keys]
    customer_ids, sums = window_sums(
        accounts, balances, requests, fx_rates=fx_rates, columns=columns, where="evaluate_tiers"
    )
    by_key = dict(zip(keys, sums, strict=True))
    return customer_ids, [by_key[d.key] for d in plan]


def accounts_column(accounts: Any, columns: Any, role: str) -> tuple[NDArray[Any], Any]:
    """The sorted customer ids of ``accounts`` and the column of ``role`` (None if absent)."""
    names = column_names_by_frame(columns, ROLES, where="evaluate_tiers")["accounts"]
    frame = as_pandas(accounts, name="accounts")
    column = names["customer_id"]
    if column not in frame.columns:
        raise InputError(
            f"accounts: missing required column {column!r}", column=str(column), rule=Rule.REQUIRED
        )
    wanted = frame[names[role]] if names[role] in frame.columns else None
    return np.sort(frame[column].unique()), (frame[column], wanted)


def since_opening(
    accounts: Any, columns: Any, customer_ids: NDArray[Any], plan: list[Decision], sums: Sums
) -> Sums:
    """Days divided by under ``partial_period="days_since_opening"``: from the customer's first
    opening (earliest ``opened_on`` of their accounts) to the window's end, at most the window."""
    _, (customers, opened) = accounts_column(accounts, columns, "opened_on")
    if opened is None:
        return sums
    days = pd.Series(pd.to_datetime(opened).to_numpy().astype("datetime64[D]"))
    first = days.groupby(customers.to_numpy()).min()  # NaT (never recorded) is skipped
    first_day = first.reindex(customer_ids).to_numpy()
    known = ~np.isnat(first_day)
    first_num = np.where(known, first_day.astype("datetime64[D]").astype(np.int64), 0)
    out: Sums = []
    for d, (bd, n_days) in zip(plan, sums, strict=True):
        end = day_or_nat(d.window.end)
        left = np.clip(end - first_num + 1, 0, n_days)
        out.append((bd, np.where(known, left, n_days).astype(np.int64)))
    return out
