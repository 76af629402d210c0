"""Tier migration between two reviews: who moved up, down, joined or left the ladder.

:func:`tier_migration` compares two :func:`~bankcrm.membership.evaluate_tiers` results (for
example at the January and at the July review) customer by customer. The matrix counts
customers per (tier before, tier after) with its rows and columns in **ladder order** (lowest
tier first), never alphabetical. A customer only in the later result comes from ``(new)``
(the matrix's last row; direction ``joined``), one only in the earlier result goes to
``(gone)`` (its last column; direction ``left``): nobody is dropped, so the matrix sums to the
customers of both results.

Both results must come from the same ladder (name and version, read from the provenance
``evaluate_tiers`` stamps; rule ``mismatch``) and in date order (rule ``date_order``). The
ladder gives the tiers' order: pass it as ``ladder=``, or leave it out for results of a preset
ladder (:mod:`bankcrm.membership.presets`), which is found by its name and version.

>>> import pandas as pd
>>> from bankcrm.membership.presets import EVERBRIGHT
>>> january = pd.DataFrame({"customer_id": ["c1", "c2", "c3"],
...                         "tier": ["wealth", "sunshine_club", "standard"],
...                         "status": ["qualified"] * 3})
>>> july = pd.DataFrame({"customer_id": ["c1", "c2", "c4"],
...                      "tier": ["sunshine_club", "wealth", "wealth"],
...                      "status": ["qualified", "downgraded", "qualified"]})
>>> moves = tier_migration(january, july, ladder=EVERBRIGHT)
>>> moves.matrix
tier_after     standard  wealth  sunshine_club  (gone)
tier_before
standard              0       0              0       1
wealth                0       0              1       0
sunshine_club         0       1              0       0
(new)                 0       1              0       0
>>> moves.moves[["customer_id", "tier_before", "tier_after", "direction"]]
  customer_id    tier_before     tier_after direction
0          c1         wealth  sunshine_club        up
1          c2  sunshine_club         wealth      down
2          c3       standard            NaN      left
3          c4            NaN         wealth    joined
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import attrs
import numpy as np
import pandas as pd

from bankcrm._migration import GONE, NEW, check_key_types, count_matrix
from bankcrm._roles import column_names_by_frame, require_columns
from bankcrm._tables import as_pandas
from bankcrm._values import raise_for_missing, raise_for_rows
from bankcrm.errors import InputError, Rule
from bankcrm.membership import presets
from bankcrm.membership.ladders import TierLadder
from bankcrm.policy import Provenance, read_provenance, stamp_provenance
from bankcrm.results import Result

__all__ = ["DIRECTIONS", "GONE", "NEW", "TierMigration", "tier_migration"]

#: The ``direction`` of a customer's move, lowest tier first: ``up`` / ``down`` / ``same``
#: along the ladder, ``joined`` (only in the later result) and ``left`` (only in the earlier).
DIRECTIONS = ("up", "down", "same", "joined", "left")

#: The roles of each frame (``columns={"before": {role: name}, "after": {role: name}}``).
ROLES = ("customer_id", "tier", "status")

_PRODUCER = "bankcrm.membership.tier_migration"


@attrs.frozen(eq=False, repr=False)
class TierMigration(Result):
    """Counts and per-customer moves between two tier evaluations.

    Attributes:
        matrix: customers per (``tier_before``, ``tier_after``), tiers in ladder order
            (lowest first); the last row is ``(new)`` (only in the later result), the last
            column ``(gone)`` (only in the earlier one). Sums to the customers of both.
        moves: one row per customer of either result, in customer id order:
            ``customer_id``, ``tier_before`` and ``tier_after`` (ordered categoricals in
            ladder order; missing on the side the customer is absent from),
            ``status_after`` (missing for a customer who left) and ``direction`` (one of
            :data:`DIRECTIONS`).
        ladder: the ladder whose tiers were compared.
        before_as_of, after_as_of: the results' ``as_of`` if they carry one.
        sources: the provenance records of the later result.
    """

    matrix: pd.DataFrame
    moves: pd.DataFrame
    ladder: TierLadder
    before_as_of: dt.date | None
    after_as_of: dt.date | None
    sources: tuple[Provenance, ...] = ()

    @property
    def provenance(self) -> Provenance:
        """The ladder (name and version) whose tiers moved, as of the later review."""
        return self.ladder.provenance(self.after_as_of, producer=_PRODUCER)

    def counts(self) -> pd.Series[Any]:
        """Customers per direction, in the order of :data:`DIRECTIONS` (zeros included)."""
        counted = self.moves["direction"].value_counts().reindex(list(DIRECTIONS), fill_value=0)
        return counted.astype(np.int64).rename("customers")


def _ladder_record(frame: pd.DataFrame) -> Provenance | None:
    """The first provenance record: the ladder that produced an evaluate_tiers result."""
    records = read_provenance(frame)
    return records[0] if records else None


def _known_ladder(record: Provenance) -> TierLadder | None:
    for value in vars(presets).values():
        if (
            isinstance(value, TierLadder)
            and value.name == record.policy_name
            and value.version == record.policy_version
        ):
            return value
    return None


def _choose_ladder(
    ladder: TierLadder | None, old: Provenance | None, new: Provenance | None
) -> TierLadder:
    if (
        old is not None
        and new is not None
        and (old.policy_name, old.policy_version) != (new.policy_name, new.policy_version)
    ):
        raise InputError(
            f"tier_migration: before was graded by ladder {old.policy_name} "
            f"{old.policy_version} but after by {new.policy_name} {new.policy_version}; a "
            "customer could change tier only because the ladder did. Grade both reviews "
            "with one ladder",
            column="after",
            rule=Rule.MISMATCH,
        )
    if ladder is not None:
        if not isinstance(ladder, TierLadder):
            raise InputError(
                f"tier_migration: ladder must be a TierLadder, got {type(ladder).__name__}",
                column="ladder",
                rule=Rule.TYPE,
            )
        for which, record in (("before", old), ("after", new)):
            if record is not None and (record.policy_name, record.policy_version) != (
                ladder.name,
                ladder.version,
            ):
                raise InputError(
                    f"tier_migration: {which} was graded by ladder {record.policy_name} "
                    f"{record.policy_version}, not by the ladder passed ({ladder.name} "
                    f"{ladder.version})",
                    column=which,
                    rule=Rule.MISMATCH,
                )
        return ladder
    record = new if new is not None else old
    found = None if record is None else _known_ladder(record)
    if found is None:
        stamped = (
            "carry no provenance"
            if record is None
            else f"were graded by ladder {record.policy_name} {record.policy_version}, not a preset"
        )
        raise InputError(
            f"tier_migration: the results {stamped}; pass the ladder they were graded with "
            "(tier_migration(before, after, ladder=...)) so that tiers are in ladder order",
            column="ladder",
            rule=Rule.REQUIRED,
        )
    return found


def _read(
    frame: pd.DataFrame, names: Mapping[str, Any], ladder: TierLadder, which: str
) -> tuple[pd.Index[Any], np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """The ids, tier ranks and statuses of one result, checked."""
    key, tier, status = names["customer_id"], names["tier"], names["status"]
    ids = frame[key]
    raise_for_missing(frame, (key, tier), where=which)
    repeated = ids.duplicated(keep=False).to_numpy()
    if repeated.any():
        raise_for_rows(
            f"{which}: customer ids repeat; pass one row per customer",
            column=str(key),
            rule=Rule.DUPLICATE_KEY,
            mask=repeated,
            series=ids,
        )
    ranks = pd.Index(ladder.tier_ids).get_indexer(frame[tier].to_numpy(dtype=object))
    if (ranks < 0).any():
        raise_for_rows(
            f"{which}: unknown tier; the ladder {ladder.name} {ladder.version} has "
            f"{list(ladder.tier_ids)}",
            column=str(tier),
            rule=Rule.DOMAIN,
            mask=ranks < 0,
            series=frame[tier],
        )
    statuses = frame[status].astype(object).where(frame[status].notna(), None)
    return pd.Index(ids.to_numpy()), ranks, statuses.to_numpy(dtype=object)


def _sorted_union(old: pd.Index[Any], new: pd.Index[Any]) -> pd.Index[Any]:
    """The ids of both results in id order (mixed kinds by kind, then text): row order free."""
    ids = old.append(new).unique()
    try:
        return ids.sort_values()
    except TypeError:
        order = sorted(range(len(ids)), key=lambda i: (type(ids[i]).__name__, str(ids[i])))
        return ids[order]


def _as_of(record: Provenance | None) -> dt.date | None:
    return None if record is None else record.as_of


def tier_migration(
    before: Any,
    after: Any,
    *,
    ladder: TierLadder | None = None,
    columns: Mapping[str, Mapping[str, Any]] | None = None,
) -> TierMigration:
    """Compare two tier evaluations customer by customer (see the module docstring).

    Args:
        before: the earlier :func:`~bankcrm.membership.evaluate_tiers` result (one row per
            customer; pandas, pyarrow or polars).
        after: the later result.
        ladder: the ladder both were graded with; default: the preset ladder their
            provenance names.
        columns: frame → role → column name, roles ``customer_id``, ``tier`` and ``status``:
            ``{"before": {"tier": "grade"}}``.

    Returns:
        A :class:`TierMigration` (``matrix``, ``moves``; its frames are stamped with the
        ladder's provenance for the later ``as_of``, then the later result's records).

    Raises:
        InputError: missing columns (all of a frame's in one error, rule ``required``);
            customer ids of different kinds in the two results (``key_type``); a repeated
            customer id (``duplicate_key``); a missing id or tier (``missing``); a tier the
            ladder does not have (``domain``); results of different ladders, or of another
            ladder than ``ladder`` (``mismatch``); the later result dated before the earlier
            (``date_order``); no ladder passed and none found (``required``).
    """
    names = column_names_by_frame(
        columns, {"before": ROLES, "after": ROLES}, where="tier_migration"
    )
    old_frame = as_pandas(before, name="before")
    new_frame = as_pandas(after, name="after")
    require_columns(old_frame, names["before"], where="before")
    require_columns(new_frame, names["after"], where="after")
    old_record, new_record = _ladder_record(old_frame), _ladder_record(new_frame)
    before_as_of, after_as_of = _as_of(old_record), _as_of(new_record)
    if before_as_of is not None and after_as_of is not None and before_as_of > after_as_of:
        raise InputError(
            f"tier_migration: before is as of {before_as_of} but after is as of {after_as_of}; "
            "pass the earlier result first (tier_migration(before, after))",
            column="before",
            rule=Rule.DATE_ORDER,
        )
    the_ladder = _choose_ladder(ladder, old_record, new_record)
    old_key, new_key = names["before"]["customer_id"], names["after"]["customer_id"]
    check_key_types(
        old_frame[old_key],
        new_frame[new_key],
        where="tier_migration",
        before_key=old_key,
        after_key=new_key,
    )
    old_ids, old_ranks, _ = _read(old_frame, names["before"], the_ladder, "before")
    new_ids, new_ranks, new_status = _read(new_frame, names["after"], the_ladder, "after")

    ids = _sorted_union(old_ids, new_ids)
    k = len(the_ladder.tiers)
    where_old = old_ids.get_indexer(ids)
    where_new = new_ids.get_indexer(ids)
    in_old, in_new = where_old >= 0, where_new >= 0
    rank_before = np.full(len(ids), -1, dtype=np.int64)
    rank_before[in_old] = old_ranks[where_old[in_old]]
    rank_after = np.full(len(ids), -1, dtype=np.int64)
    rank_after[in_new] = new_ranks[where_new[in_new]]
    status_after = np.full(len(ids), None, dtype=object)
    status_after[in_new] = new_status[where_new[in_new]]

    rows = np.where(rank_before < 0, k, rank_before).astype(np.int64)  # k = (new)
    cols = np.where(rank_after < 0, k, rank_after).astype(np.int64)  # k = (gone)
    tier_ids = list(the_ladder.tier_ids)
    matrix = pd.DataFrame(
        count_matrix(rows, cols, k),
        index=pd.Index([*tier_ids, NEW], name="tier_before"),
        columns=pd.Index([*tier_ids, GONE], name="tier_after"),
    )
    direction = np.select(
        [rank_before < 0, rank_after < 0, rank_after > rank_before, rank_after < rank_before],
        ["joined", "left", "up", "down"],
        default="same",
    ).astype(object)
    tier_type = pd.CategoricalDtype(tier_ids, ordered=True)
    moves = pd.DataFrame(
        {
            "customer_id": ids.to_numpy(),
            "tier_before": pd.Categorical.from_codes(rank_before, dtype=tier_type),
            "tier_after": pd.Categorical.from_codes(rank_after, dtype=tier_type),
            "status_after": status_after,
            "direction": direction,
        }
    )
    sources = read_provenance(new_frame)
    stamp = the_ladder.provenance(after_as_of, producer=_PRODUCER)
    return TierMigration(
        matrix=stamp_provenance(matrix, stamp, *sources),
        moves=stamp_provenance(moves, stamp, *sources),
        ladder=the_ladder,
        before_as_of=before_as_of,
        after_as_of=after_as_of,
        sources=sources,
    )
