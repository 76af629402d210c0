"""Reading the credit frames: roles, validation, party codes and the guards between frames."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from bankcrm._roles import column_names_by_frame
from bankcrm._tables import as_pandas
from bankcrm._values import raise_for_rows
from bankcrm.errors import InputError
from bankcrm.frames import Column, FrameSchema, validate_frame

__all__ = ["ROLES", "Codes", "read_frame", "read_holdings", "roles_for"]

I64 = npt.NDArray[np.int64]

#: The roles of every frame parameter of the group functions.
ROLES: dict[str, tuple[str, ...]] = {
    "parties": ("party_id", "kind"),
    "holdings": ("owner_id", "owned_id", "equity_share", "voting_share"),
    "control_arrangements": ("controller_id", "controlled_id", "kind"),
    "person_ties": ("person_a", "person_b", "relation"),
    "concert_parties": ("party_id", "concert_id"),
    "manual_links": ("party_a", "party_b", "reason"),
    "dependencies": ("party_a", "party_b", "reason"),
}

#: Which roles of each frame are party keys.
KEYS: dict[str, tuple[str, ...]] = {
    "parties": ("party_id",),
    "holdings": ("owner_id", "owned_id"),
    "control_arrangements": ("controller_id", "controlled_id"),
    "person_ties": ("person_a", "person_b"),
    "concert_parties": ("party_id",),
    "manual_links": ("party_a", "party_b"),
    "dependencies": ("party_a", "party_b"),
}


def roles_for(columns: Any, frames: tuple[str, ...], where: str) -> dict[str, dict[str, Any]]:
    """``columns=`` by frame for the frames a function takes."""
    return column_names_by_frame(columns, {f: ROLES[f] for f in frames}, where=where)


def key_kind(series: pd.Series[Any]) -> str:
    """``"int"`` for integer party ids, else ``"str"``."""
    return "int" if pd.api.types.is_integer_dtype(series.dtype) else "str"


class Codes:
    """Party ids (sorted) and their int64 codes; checks other frames' keys against them."""

    def __init__(self, parties: pd.DataFrame, id_column: Any, kind: str) -> None:
        ids = parties[id_column]
        self.kind = kind
        self.ids: npt.NDArray[Any] = np.sort(
            ids.to_numpy(dtype=object if kind == "str" else np.int64)
        )
        self.index = pd.Index(self.ids)

    def __len__(self) -> int:
        return len(self.ids)

    def of(self, frame: pd.DataFrame, column: Any, where: str) -> I64:
        """The codes of ``frame[column]``; an unknown id is rule ``domain`` naming its rows."""
        series = frame[column]
        codes = self.index.get_indexer(series.to_numpy())
        unknown = codes < 0
        if unknown.any():
            raise_for_rows(
                f"{where}: party id not among the parties' party_id",
                column=str(column),
                rule="domain",
                mask=unknown,
                series=series,
            )
        result: I64 = codes.astype(np.int64)
        return result


def read_frame(
    frame: Any, name: str, names: Mapping[str, Any], kind: str, *, text: tuple[str, ...] = ()
) -> pd.DataFrame:
    """Validate a frame of party keys (of ``kind``, as the parties' ids) and text columns."""
    table = as_pandas(frame, name=name)
    for role in KEYS[name]:
        label = names[role]
        if label in table.columns and key_kind(table[label]) != kind and len(table):
            raise InputError(
                f"{name}: {label!r} holds {key_kind(table[label])} ids but parties' party_id "
                f"holds {kind} ids",
                column=str(label),
                rule="key_type",
            )
    columns = [Column(names[role], kind) for role in KEYS[name]]
    columns += [Column(names[role], "str") for role in text]
    return validate_frame(table, FrameSchema(name, columns))


def read_holdings(holdings: Any, names: Mapping[str, Any], kind: str) -> pd.DataFrame:
    """Holdings with ``equity_share`` and ``voting_share`` as int64 millionths (either may be
    absent; a missing voting share is the equity share)."""
    table = as_pandas(holdings, name="holdings")
    equity, voting = names["equity_share"], names["voting_share"]
    has_equity, has_voting = equity in table.columns, voting in table.columns
    if not has_equity and not has_voting:
        raise InputError(
            f"holdings: missing required column(s) [{equity!r} (role equity_share) or "
            f"{voting!r} (role voting_share)]; available: {list(map(str, table.columns))}",
            column=str(equity),
            rule="required",
        )
    for role in KEYS["holdings"]:
        label = names[role]
        if label in table.columns and key_kind(table[label]) != kind and len(table):
            raise InputError(
                f"holdings: {label!r} holds {key_kind(table[label])} ids but parties' party_id "
                f"holds {kind} ids",
                column=str(label),
                rule="key_type",
            )
    schema = FrameSchema(
        "holdings",
        [
            Column(names["owner_id"], kind),
            Column(names["owned_id"], kind),
            Column(equity, "share", required=False, nullable=has_voting),
            Column(voting, "share", required=False, nullable=has_equity),
        ],
        key=(names["owner_id"], names["owned_id"]),
        unique_key=True,
    )
    out = validate_frame(table, schema)
    if has_equity and has_voting:
        both_missing = out[equity].isna().to_numpy() & out[voting].isna().to_numpy()
        if both_missing.any():
            raise_for_rows(
                "holdings: a row needs an equity or a voting share",
                column=str(voting),
                rule="missing",
                mask=both_missing,
                series=table[voting],
            )
    self_held = (out[names["owner_id"]] == out[names["owned_id"]]).to_numpy()
    if self_held.any():
        raise_for_rows(
            "holdings: a party cannot hold itself (leave treasury shares out: they carry no votes)",
            column=str(names["owned_id"]),
            rule="domain",
            mask=self_held,
            series=table[names["owned_id"]],
        )
    return out


def share_columns(holdings: pd.DataFrame, names: Mapping[str, Any]) -> tuple[I64, I64]:
    """``(equity, voting)`` millionths per row: each falls back on the other where absent."""
    equity, voting = names["equity_share"], names["voting_share"]
    e = holdings[equity] if equity in holdings.columns else None
    v = holdings[voting] if voting in holdings.columns else None
    if e is None:
        assert v is not None
        e = v
    if v is None:
        v = e
    e_arr = e.fillna(v).to_numpy(dtype=np.int64) if e.isna().any() else e.to_numpy(dtype=np.int64)
    v_arr = v.fillna(e).to_numpy(dtype=np.int64) if v.isna().any() else v.to_numpy(dtype=np.int64)
    return e_arr, v_arr


def check_totals(
    holdings: pd.DataFrame, names: Mapping[str, Any], owned: I64, shares: I64, role: str
) -> None:
    """The shares of one owned party sum to at most one (rule ``range``, naming its rows)."""
    if not len(owned):
        return
    order = np.argsort(owned, kind="stable")
    o = owned[order]
    starts = np.flatnonzero(np.concatenate([[True], o[1:] != o[:-1]]))
    sums = np.add.reduceat(shares[order], starts)
    over = o[starts][sums > 1_000_000]
    if len(over):
        mask = np.isin(owned, over)
        raise_for_rows(
            f"holdings: the {role} shares held in one party sum to more than 1",
            column=str(names[role]),
            rule="range",
            mask=mask,
            series=holdings[names["owned_id"]],
        )
