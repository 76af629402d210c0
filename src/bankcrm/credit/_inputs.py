"""Reading the credit frames: roles, validation, party codes and the guards between frames."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from bankcrm._roles import column_names_by_frame
from bankcrm._tables import as_pandas
from bankcrm._values import raise_for_rows
from bankcrm.credit.control import distinct
from bankcrm.errors import InputError
from bankcrm.frames import Column, FrameSchema, validate_frame

__all__ = ["ROLES", "Codes", "check_pairs", "read_frame", "read_holdings", "roles_for"]

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
    """Party ids (sorted) and their int64 codes; checks other frames' keys against them.

    Text ids are held as an Arrow array and looked up with Arrow's hash join (``index_in``),
    which reads an Arrow-backed column in place; the sort is Arrow's too (byte order of UTF-8
    is code-point order, the order of Python's ``sorted``).
    """

    def __init__(self, parties: pd.DataFrame, id_column: Any, kind: str) -> None:
        ids = parties[id_column]
        self.kind = kind
        self._ids: npt.NDArray[Any] | None = None
        self.arrow: pa.Array | None = None
        if kind == "str":
            values = _arrow_text(ids)
            sort = pc.sort_indices(values)
            self.arrow = values.take(sort)
            self._n = len(self.arrow)
            by_row = sort.to_numpy().astype(np.int64)
        else:
            raw = ids.to_numpy(dtype=np.int64)
            by_row = np.argsort(raw, kind="stable").astype(np.int64)
            self._ids = raw[by_row]
            self._n = len(self._ids)
        #: The code of each row of the parties frame (its position in the sorted ids).
        self.rows: I64 = np.empty(self._n, dtype=np.int64)
        self.rows[by_row] = np.arange(self._n, dtype=np.int64)

    @property
    def ids(self) -> npt.NDArray[Any]:
        """The sorted ids as a NumPy array (object for text ids)."""
        if self._ids is None:
            assert self.arrow is not None
            self._ids = self.arrow.to_numpy(zero_copy_only=False).astype(object)
        return self._ids

    def __len__(self) -> int:
        return self._n

    def duplicated(self) -> bool:
        """Whether an id occurs twice (the ids are sorted: equal neighbours)."""
        if self._n < 2:
            return False
        if self.arrow is not None:
            same = pc.equal(self.arrow.slice(1), self.arrow.slice(0, self._n - 1))
            return bool(pc.any(same).as_py())
        assert self._ids is not None
        return bool((self._ids[1:] == self._ids[:-1]).any())

    def text(self) -> pa.Array:
        """The sorted ids as Arrow text (int ids formatted as ``str`` does)."""
        if self.arrow is not None:
            return self.arrow
        return pa.array(self.ids).cast(pa.large_string())

    def take(self, codes: I64) -> Any:
        """The ids of ``codes``: an Arrow array for text ids, else int64."""
        if self.arrow is not None:
            return self.arrow.take(pa.array(codes))
        assert self._ids is not None
        return self._ids[codes]

    def of(self, frame: pd.DataFrame, column: Any, where: str) -> I64:
        """The codes of ``frame[column]``; an unknown id is rule ``domain`` naming its rows."""
        return self.of_columns(frame, [column], where)[0]

    def of_columns(self, frame: pd.DataFrame, columns: list[Any], where: str) -> list[I64]:
        """The codes of several columns of ``frame``, looked up together (one hash of the ids);
        the first column with an unknown id raises (rule ``domain``, naming its rows)."""
        rows = len(frame)
        if self.arrow is not None and 16 * rows * len(columns) >= self._n:
            # Many keys: one pass of Arrow's hash lookup (it hashes the ids once per call).
            probe = [_arrow_text(frame[c]) for c in columns]
            joined = probe[0] if len(probe) == 1 else pa.concat_arrays(probe)
            found = pc.index_in(joined, value_set=self.arrow)
            flat = found.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
            codes = [flat[i * rows : (i + 1) * rows] for i in range(len(columns))]
        else:
            codes = [self._search(frame[c]) for c in columns]
        for column, found_codes in zip(columns, codes, strict=True):
            unknown = found_codes < 0
            if unknown.any():
                raise_for_rows(
                    f"{where}: party id not among the parties' party_id",
                    column=str(column),
                    rule="domain",
                    mask=unknown,
                    series=frame[column],
                )
        return codes

    def _search(self, series: pd.Series[Any]) -> I64:
        """Few keys (or int ids): a binary search in the sorted ids; ``-1`` if unknown."""
        ids = self.ids
        values = series.to_numpy(dtype=object if self.arrow is not None else np.int64)
        codes = np.searchsorted(ids, values).astype(np.int64)
        inside = codes < self._n
        hit = np.zeros(len(values), dtype=bool)
        hit[inside] = ids[codes[inside]] == values[inside]
        codes[~hit] = -1
        result: I64 = codes
        return result


def _arrow_text(series: pd.Series[Any]) -> pa.Array:
    """A validated text column as one Arrow ``large_string`` array (no copy when it is one)."""
    array = series.array
    values = pa.array(array) if isinstance(array, pd.arrays.ArrowStringArray) else None
    if values is None:
        values = pa.array(series.to_numpy(dtype=object), type=pa.large_string())
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if values.type != pa.large_string():
        values = values.cast(pa.large_string())
    return values


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


def read_holdings(
    holdings: Any, names: Mapping[str, Any], kind: str, *, unique: bool = True
) -> pd.DataFrame:
    """Holdings with ``equity_share`` and ``voting_share`` as int64 millionths (either may be
    absent; a missing voting share is the equity share).

    Shares are read once per distinct value where a column holds one type of value (Decimal,
    text, float or int; a large book repeats few distinct shares), by the same validation as a
    whole column; anything the fast reading cannot vouch for (a bad value, a missing share,
    mixed types) is read again the slow way, so errors and results are the same.
    ``unique=False`` leaves the duplicate-pair check to the caller (:func:`check_pairs`).
    """
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
    share_cols = [
        Column(equity, "share", required=False, nullable=has_voting),
        Column(voting, "share", required=False, nullable=has_equity),
    ]
    keys = [Column(names["owner_id"], kind), Column(names["owned_id"], kind)]
    key = (names["owner_id"], names["owned_id"])
    full = FrameSchema("holdings", keys + share_cols, key=key, unique_key=True)
    out = _fast_holdings(table, keys, share_cols, key)
    if out is None:
        out = validate_frame(table, full)
    elif unique:
        _check_unique_key_fast(out, table, full)
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


_ONE_TYPE = frozenset({"decimal", "string", "floating", "integer", "empty"})


def _fast_holdings(
    table: pd.DataFrame, keys: list[Column], shares: list[Column], key: tuple[Any, Any]
) -> pd.DataFrame | None:
    """The holdings validated with each share column read per distinct value, or ``None``
    when the slow reading must decide (it then raises the same error, or returns the same)."""
    present = [c for c in shares if c.name in table.columns]
    try:
        out = validate_frame(table, FrameSchema("holdings", keys, key=key, unique_key=False))
    except InputError:
        return None
    done: dict[Any, Any] = {}
    for column in present:
        values = table[column.name]
        if pd.api.types.infer_dtype(values, skipna=True) not in _ONE_TYPE:
            return None
        raw = values.to_numpy(dtype=object) if values.dtype == object else None
        reuse = None
        for other_raw, other_read in done.values():
            if raw is not None and other_raw is not None:
                # Rows equal to the other share column's (equal values read alike).
                reuse = (np.asarray(raw == other_raw, dtype=bool), other_read)
        read = _distinct_shares(values, column, raw, reuse)
        if read is None:
            return None
        out[column.name] = read
        done[column.name] = (raw, read)
    return out


def _distinct_shares(
    values: pd.Series[Any],
    column: Column,
    raw: npt.NDArray[Any] | None,
    reuse: tuple[npt.NDArray[np.bool_], Any] | None,
) -> Any:
    """One share column in millionths, validating each distinct value once; ``None`` when a
    value is missing or invalid (the slow reading then reports it with its rows)."""
    n = len(values)
    result = np.zeros(n, dtype=np.int64)
    rest = np.arange(n)
    if reuse is not None:
        same, other = reuse
        other_arr = np.asarray(other)
        if isinstance(other, pd.arrays.IntegerArray):
            same = same & ~np.asarray(other.isna(), dtype=bool)
            other_arr = other.to_numpy(dtype=np.int64, na_value=0)
        result[same] = other_arr[same]
        rest = np.flatnonzero(~same)
    subset = values.iloc[rest] if len(rest) < n else values
    codes, uniques = pd.factorize(subset.to_numpy(dtype=object) if raw is not None else subset)
    if (codes < 0).any() and not column.nullable:
        return None
    known = _decimal_millionths(uniques)
    if known is None:
        schema = FrameSchema("holdings", [Column(column.name, "share", nullable=True)])
        frame = pd.DataFrame({column.name: pd.Series(uniques, dtype=object)})
        try:
            read = validate_frame(frame, schema)
        except InputError:
            return None
        distinct = read[column.name]
        if distinct.isna().any() and not column.nullable:  # a blank text counts as missing
            return None
        known = distinct.to_numpy(dtype=np.int64, na_value=-1)
    got = (
        np.where(codes >= 0, known[np.maximum(codes, 0)], -1)
        if len(known)
        else np.full(len(codes), -1, dtype=np.int64)
    )
    result[rest] = got
    missing = result < 0
    if missing.any():
        if not column.nullable:
            return None
        result[missing] = 0
        return pd.arrays.IntegerArray(result, missing)
    return result


def _decimal_millionths(uniques: Any) -> I64 | None:
    """Distinct shares that are all plain ``Decimal`` objects in [0, 1] with at most six
    places, in millionths by integer arithmetic on their digits (no context rounding);
    ``None`` when any value is anything else (the full validation then reads them)."""
    if not isinstance(uniques, np.ndarray) or uniques.dtype != object or not len(uniques):
        return None
    out = np.empty(len(uniques), dtype=np.int64)
    for k, value in enumerate(uniques):
        if type(value) is not Decimal:
            return None
        sign, digits, exponent = value.as_tuple()
        if sign or not isinstance(exponent, int) or not -6 <= exponent <= 0 or len(digits) > 7:
            return None
        coefficient = 0
        for digit in digits:
            coefficient = coefficient * 10 + digit
        millionths = coefficient * 10 ** (6 + exponent)
        if millionths > 1_000_000:
            return None
        out[k] = millionths
    return out


def _check_unique_key_fast(out: pd.DataFrame, table: pd.DataFrame, full: FrameSchema) -> None:
    """Duplicate (owner, owned) pairs raise as the full validation does."""
    a, b = (pd.factorize(out[c])[0] for c in full.key)
    pairs = a.astype(np.int64) * np.int64(max(1, int(b.max(initial=0)) + 1)) + b
    if len(distinct(pairs)) < len(pairs):
        validate_frame(table, full)


def check_pairs(
    table: pd.DataFrame, names: Mapping[str, Any], kind: str, n: int, owner: I64, owned: I64
) -> None:
    """Duplicate (owner, owned) code pairs raise as :func:`read_holdings` does."""
    pairs = owner * np.int64(n) + owned
    if len(pairs) > 1 and len(distinct(pairs)) < len(pairs):
        read_holdings(table, names, kind)


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
    if len(owned) < 2**33:  # float64 sums of int64 millionths stay exact below 2**53
        totals = np.bincount(owned, weights=shares.astype(np.float64))
        over = np.flatnonzero(totals > 1_000_000)
    else:
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
