"""Structure changes between two group snapshots: the input for early warnings.

:func:`compare_group_snapshots` compares two :func:`~bankcrm.credit.identify_groups` results
(for example at two ``as_of`` dates, or before and after a change of holdings) and lists every
change, one row each: parties new or gone, members that joined, left or moved group, role and
control-path changes, apex changes, groups that merged, split off, appeared or disappeared, and
(given the holdings of both snapshots) new and broken ownership cycles.

**Groups are matched by member overlap**, because a group's id is its apex and the apex itself
may change. Every (before group, after group) pair sharing at least one party is a candidate;
candidates are taken greedily, most shared parties first, a pair with the same ``group_id``
before a pair with different ids, then by the smaller and larger of the two ids; a pair is
matched when neither group is matched yet. The order does not depend on which snapshot is
called ``before``, so swapping the two mirrors the changes. A matched pair is one group that
continued (``apex_changed`` when its id differs); an unmatched before group whose members went
to other groups ``merged`` into them, an unmatched after group whose members came from other
groups ``split`` off them, and one with no shared member is ``group_new`` / ``group_gone``.

>>> import pandas as pd
>>> from bankcrm.credit import identify_groups
>>> parties = pd.DataFrame({"party_id": ["P", "Q", "A", "B"],
...                         "kind": ["person", "person", "corporate", "corporate"]})
>>> before = identify_groups(parties, pd.DataFrame({
...     "owner_id": ["P", "A"], "owned_id": ["A", "B"], "equity_share": ["0.6", "0.6"]}),
...     as_of="2025-06-30")
>>> after = identify_groups(parties, pd.DataFrame({
...     "owner_id": ["P", "Q"], "owned_id": ["A", "B"], "equity_share": ["0.6", "0.6"]}),
...     as_of="2025-12-31")
>>> changes = compare_group_snapshots(before, after).changes
>>> changes
         change party_id group_before group_after                  details
0         moved        B            P           Q          member → member
1  role_changed        Q            Q           Q  standalone → controller
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import attrs
import numpy as np
import pandas as pd

from bankcrm._migration import check_key_types, key_kind
from bankcrm._roles import column_names_by_frame, require_columns
from bankcrm._tables import as_pandas
from bankcrm._values import raise_for_missing, raise_for_rows
from bankcrm.errors import InputError, Rule
from bankcrm.policy import Provenance, read_provenance, stamp_provenance
from bankcrm.results import Result

__all__ = ["CHANGES", "MIRROR", "GroupChanges", "compare_group_snapshots"]

#: The kinds of change, in the order the result lists them.
CHANGES = (
    "party_new",
    "party_gone",
    "joined",
    "left",
    "moved",
    "role_changed",
    "path_changed",
    "apex_changed",
    "merged",
    "split",
    "group_new",
    "group_gone",
    "cycle_new",
    "cycle_gone",
)

#: Each change as seen with the snapshots swapped (``group_before`` and ``group_after`` swap).
MIRROR = {
    "party_new": "party_gone",
    "party_gone": "party_new",
    "joined": "left",
    "left": "joined",
    "moved": "moved",
    "role_changed": "role_changed",
    "path_changed": "path_changed",
    "apex_changed": "apex_changed",
    "merged": "split",
    "split": "merged",
    "group_new": "group_gone",
    "group_gone": "group_new",
    "cycle_new": "cycle_gone",
    "cycle_gone": "cycle_new",
}

#: The rule stamped on the result (a fixed rule, no policy to choose).
RULE_NAME = "bankcrm.credit.compare_group_snapshots"
RULE_VERSION = "1"

_ROLES = ("party_id", "group_id", "role", "path")
_HOLDING_ROLES = ("owner_id", "owned_id")
_FRAMES = ("before", "after", "holdings_before", "holdings_after")


@attrs.frozen(eq=False, repr=False)
class GroupChanges(Result):
    """What changed between two group snapshots.

    Attributes:
        changes: one row per change: ``change`` (one of :data:`CHANGES`), ``party_id``
            (missing for a change of a whole group), ``group_before`` and ``group_after``
            (the group ids on each side; missing where the party or group is absent there) and
            ``details`` (roles, paths, the members of a cycle, the parties shared). Sorted by
            the order of :data:`CHANGES`, then party and groups.
        groups: the matching of groups: one row per matched pair and per unmatched group,
            ``group_before``, ``group_after``, ``members_before``, ``members_after`` and
            ``shared`` (parties in both).
        before_as_of: the earlier snapshot's ``as_of``, if it carries one.
        after_as_of: the later snapshot's ``as_of``, if it carries one.
        sources: the provenance records of the two snapshots (after's, then before's).
    """

    changes: pd.DataFrame
    groups: pd.DataFrame
    before_as_of: dt.date | None
    after_as_of: dt.date | None
    sources: tuple[Provenance, ...] = ()

    @property
    def provenance(self) -> Provenance:
        """The comparison rule, as of the later snapshot."""
        return Provenance(RULE_NAME, RULE_VERSION, self.after_as_of)

    def counts(self) -> pd.Series[Any]:
        """Changes per kind, in the order of :data:`CHANGES` (zeros included)."""
        counted = self.changes["change"].value_counts().reindex(list(CHANGES), fill_value=0)
        return counted.astype(np.int64).rename("changes")


class _Snapshot:
    """One membership relation: party → groups, group → members, roles and paths."""

    def __init__(self, frame: pd.DataFrame, names: Mapping[str, Any], which: str) -> None:
        party, group, role = names["party_id"], names["group_id"], names["role"]
        raise_for_missing(frame, (party, group, role), where=which)
        pairs = pd.DataFrame({"p": frame[party].to_numpy(), "g": frame[group].to_numpy()})
        repeated = pairs.duplicated(keep=False).to_numpy()
        if repeated.any():
            raise_for_rows(
                f"{which}: a (party_id, group_id) pair repeats; pass one row per party and group",
                column=str(party),
                rule=Rule.DUPLICATE_KEY,
                mask=repeated,
                series=frame[party],
            )
        path = names["path"]
        has_path = path in frame.columns
        self.has_path = has_path
        self.row: dict[tuple[Any, Any], tuple[str, str | None]] = {}
        self.groups_of: dict[Any, list[Any]] = {}
        self.members: dict[Any, set[Any]] = {}
        paths = frame[path].to_numpy(dtype=object) if has_path else None
        for i, (p, g, r) in enumerate(
            zip(
                pairs["p"].tolist(),
                pairs["g"].tolist(),
                frame[role].astype(object).tolist(),
                strict=True,
            )
        ):
            text = None if paths is None or pd.isna(paths[i]) else str(paths[i])
            self.row[(p, g)] = (str(r), text)
            self.groups_of.setdefault(p, []).append(g)
            self.members.setdefault(g, set()).add(p)


def _as_of(frame: pd.DataFrame) -> dt.date | None:
    records = read_provenance(frame)
    return records[0].as_of if records else None


def _match(old: _Snapshot, new: _Snapshot) -> dict[Any, Any]:
    """Before group → after group, greedily by shared members (see the module text)."""
    shared: dict[tuple[Any, Any], int] = {}
    for p, before_groups in old.groups_of.items():
        for a in new.groups_of.get(p, ()):
            for b in before_groups:
                shared[(b, a)] = shared.get((b, a), 0) + 1

    def key(pair: tuple[Any, Any]) -> tuple[int, bool, Any, Any]:
        b, a = pair
        return (-shared[pair], b != a, min(b, a), max(b, a))

    order = sorted(shared, key=key)
    matched: dict[Any, Any] = {}
    taken: set[Any] = set()
    i = 0
    while i < len(order):
        j = i + 1
        while j < len(order) and key(order[j]) == key(order[i]):
            j += 1
        batch = [(b, a) for b, a in order[i:j] if b not in matched and a not in taken]
        for b, a in batch:  # a tie is (X, Y) and (Y, X): distinct groups on each side
            matched[b] = a
            taken.add(a)
        i = j
    return matched


def _cycles(holdings: pd.DataFrame, names: Mapping[str, Any]) -> set[frozenset[Any]]:
    """The ownership cycles: strongly connected sets of two or more parties."""
    from scipy.sparse import coo_matrix  # type: ignore[import-untyped]
    from scipy.sparse.csgraph import connected_components  # type: ignore[import-untyped]

    owner = holdings[names["owner_id"]].to_numpy()
    owned = holdings[names["owned_id"]].to_numpy()
    ids, codes = np.unique(np.concatenate([owner, owned]), return_inverse=True)
    n = len(ids)
    if not n:
        return set()
    m = len(owner)
    graph = coo_matrix((np.ones(m), (codes[:m], codes[m:])), shape=(n, n)).tocsr()
    _, label = connected_components(graph, directed=True, connection="strong")
    size = np.bincount(label)
    out: dict[int, set[Any]] = {}
    for node in np.flatnonzero(size[label] >= 2).tolist():
        out.setdefault(int(label[node]), set()).add(
            ids[node].item() if hasattr(ids[node], "item") else ids[node]
        )
    return {frozenset(members) for members in out.values()}


def _read_holdings(
    frame: Any, names: Mapping[str, Any], which: str, party_column: pd.Series[Any]
) -> pd.DataFrame:
    table = as_pandas(frame, name=which)
    require_columns(table, names, where=which)
    for role in _HOLDING_ROLES:
        column = names[role]
        check_key_types(
            party_column,
            table[column],
            where="compare_group_snapshots",
            before_key="party_id",
            after_key=column,
        )
        raise_for_missing(table, (column,), where=which)
    return table


def compare_group_snapshots(
    before: Any,
    after: Any,
    *,
    holdings_before: Any = None,
    holdings_after: Any = None,
    columns: Mapping[str, Mapping[str, Any]] | None = None,
) -> GroupChanges:
    """Every structure change between two group snapshots (see the module text).

    Args:
        before: the earlier :func:`~bankcrm.credit.identify_groups` result: ``party_id``,
            ``group_id``, ``role`` and optionally ``path`` (then path changes are listed).
        after: the later result, with the same columns.
        holdings_before: optionally the holdings (``owner_id``, ``owned_id``) ``before`` was
            computed from; with ``holdings_after``, ownership cycles that appear or disappear
            are listed (a membership relation alone cannot show a cycle: its paths are trees).
        holdings_after: the holdings ``after`` was computed from.
        columns: frame → role → column name, frames ``before``, ``after``,
            ``holdings_before`` and ``holdings_after``.

    Returns:
        A :class:`GroupChanges` (``changes``, ``groups``), its frames stamped with this rule
        as of the later snapshot, then the snapshots' own records.

    Raises:
        InputError: a missing column (rule ``required``); ids of different kinds in the two
            snapshots or the holdings (``key_type``); a missing id, group or role
            (``missing``); a repeated (party, group) pair (``duplicate_key``); the later
            snapshot dated before the earlier (``date_order``); only one side's holdings
            (``required``).
    """
    names = column_names_by_frame(
        columns,
        {
            "before": _ROLES,
            "after": _ROLES,
            "holdings_before": _HOLDING_ROLES,
            "holdings_after": _HOLDING_ROLES,
        },
        where="compare_group_snapshots",
    )
    old_frame = as_pandas(before, name="before")
    new_frame = as_pandas(after, name="after")
    for which, frame in (("before", old_frame), ("after", new_frame)):
        required = {r: names[which][r] for r in ("party_id", "group_id", "role")}
        require_columns(frame, required, where=which)
    before_as_of, after_as_of = _as_of(old_frame), _as_of(new_frame)
    if before_as_of is not None and after_as_of is not None and before_as_of > after_as_of:
        raise InputError(
            f"compare_group_snapshots: before is as of {before_as_of} but after is as of "
            f"{after_as_of}; pass the earlier snapshot first",
            column="before",
            rule=Rule.DATE_ORDER,
        )
    for which, frame in (("before", old_frame), ("after", new_frame)):
        for role in ("party_id", "group_id"):
            column = names[which][role]
            if key_kind(frame[column]) == "mixed":
                raise InputError(
                    f"compare_group_snapshots: {which}: {column!r} mixes kinds of ids (numbers "
                    "and text); use one kind",
                    column=str(column),
                    rule=Rule.KEY_TYPE,
                )
    for role in ("party_id", "group_id"):
        check_key_types(
            old_frame[names["before"][role]],
            new_frame[names["after"][role]],
            where="compare_group_snapshots",
            before_key=names["before"][role],
            after_key=names["after"][role],
        )
    old = _Snapshot(old_frame, names["before"], "before")
    new = _Snapshot(new_frame, names["after"], "after")
    if (holdings_before is None) != (holdings_after is None):
        raise InputError(
            "compare_group_snapshots: pass the holdings of both snapshots (holdings_before and "
            "holdings_after) to compare ownership cycles, or neither",
            column="holdings_before" if holdings_before is None else "holdings_after",
            rule=Rule.REQUIRED,
        )
    rows: list[tuple[str, Any, Any, Any, str]] = []
    matched = _match(old, new)
    matched_back = {a: b for b, a in matched.items()}
    _party_changes(old, new, matched, rows)
    _group_changes(old, new, matched, matched_back, rows)
    if holdings_before is not None:
        party_before = old_frame[names["before"]["party_id"]]
        party_after = new_frame[names["after"]["party_id"]]
        old_h = _read_holdings(
            holdings_before, names["holdings_before"], "holdings_before", party_before
        )
        new_h = _read_holdings(
            holdings_after, names["holdings_after"], "holdings_after", party_after
        )
        old_cycles = _cycles(old_h, names["holdings_before"])
        new_cycles = _cycles(new_h, names["holdings_after"])
        for change, cycles, others in (
            ("cycle_new", new_cycles, old_cycles),
            ("cycle_gone", old_cycles, new_cycles),
        ):
            for cycle in cycles - others:
                text = "cycle of " + ", ".join(map(str, sorted(cycle)))
                rows.extend((change, p, None, None, text) for p in cycle)
    changes = _frame(rows, old_frame[names["before"]["party_id"]])
    groups = _groups_frame(old, new, matched)
    sources = (*read_provenance(new_frame), *read_provenance(old_frame))
    stamp = Provenance(RULE_NAME, RULE_VERSION, after_as_of)
    return GroupChanges(
        changes=stamp_provenance(changes, stamp, *sources),
        groups=stamp_provenance(groups, stamp, *sources),
        before_as_of=before_as_of,
        after_as_of=after_as_of,
        sources=sources,
    )


def _party_changes(
    old: _Snapshot,
    new: _Snapshot,
    matched: dict[Any, Any],
    rows: list[tuple[str, Any, Any, Any, str]],
) -> None:
    for p, groups in new.groups_of.items():
        if p not in old.groups_of:
            rows.extend(("party_new", p, None, a, new.row[(p, a)][0]) for a in groups)
    for p, before_groups in old.groups_of.items():
        after_groups = new.groups_of.get(p)
        if after_groups is None:
            rows.extend(("party_gone", p, b, None, old.row[(p, b)][0]) for b in before_groups)
            continue
        successors = {matched.get(b) for b in before_groups}
        joined = [a for a in after_groups if a not in successors]
        left = [b for b in before_groups if matched.get(b) not in after_groups]
        if len(joined) == 1 and len(left) == 1:
            b, a = left[0], joined[0]
            rows.append(("moved", p, b, a, f"{old.row[(p, b)][0]} → {new.row[(p, a)][0]}"))
        else:
            rows.extend(("joined", p, None, a, new.row[(p, a)][0]) for a in joined)
            rows.extend(("left", p, b, None, old.row[(p, b)][0]) for b in left)
        for b in before_groups:
            a = matched.get(b)
            if a is None or a not in after_groups:
                continue
            (role_b, path_b), (role_a, path_a) = old.row[(p, b)], new.row[(p, a)]
            if role_b != role_a:
                rows.append(("role_changed", p, b, a, f"{role_b} → {role_a}"))
            if old.has_path and new.has_path and path_b != path_a:
                rows.append(("path_changed", p, b, a, f"{path_b} → {path_a}"))


def _group_changes(
    old: _Snapshot,
    new: _Snapshot,
    matched: dict[Any, Any],
    matched_back: dict[Any, Any],
    rows: list[tuple[str, Any, Any, Any, str]],
) -> None:
    for b, a in matched.items():
        if b != a:
            shared = len(old.members[b] & new.members[a])
            rows.append(("apex_changed", None, b, a, f"{shared} parties shared"))
    for b, members in old.members.items():
        if b in matched:
            continue
        targets: dict[Any, int] = {}
        for p in members:
            for a in new.groups_of.get(p, ()):
                targets[a] = targets.get(a, 0) + 1
        if not targets:
            rows.append(("group_gone", None, b, None, f"{len(members)} parties"))
        rows.extend(("merged", None, b, a, f"{n} parties") for a, n in targets.items())
    for a, members in new.members.items():
        if a in matched_back:
            continue
        sources: dict[Any, int] = {}
        for p in members:
            for b in old.groups_of.get(p, ()):
                sources[b] = sources.get(b, 0) + 1
        if not sources:
            rows.append(("group_new", None, None, a, f"{len(members)} parties"))
        rows.extend(("split", None, b, a, f"{n} parties") for b, n in sources.items())


def _id_array(values: list[Any], like: pd.Series[Any]) -> Any:
    if pd.api.types.is_integer_dtype(like.dtype):
        return pd.array(values, dtype="Int64")
    if all(v is None or isinstance(v, str) for v in values):
        return pd.array(values, dtype="str")
    return np.array(values, dtype=object)


def _sort_key(value: Any) -> tuple[int, str, Any]:
    if value is None:
        return (1, "", "")
    return (0, type(value).__name__, value)


def _frame(rows: list[tuple[str, Any, Any, Any, str]], like: pd.Series[Any]) -> pd.DataFrame:
    rank = {c: i for i, c in enumerate(CHANGES)}
    rows = sorted(
        rows,
        key=lambda r: (rank[r[0]], _sort_key(r[1]), _sort_key(r[2]), _sort_key(r[3]), r[4]),
    )
    return pd.DataFrame(
        {
            "change": pd.array([r[0] for r in rows], dtype="str"),
            "party_id": _id_array([r[1] for r in rows], like),
            "group_before": _id_array([r[2] for r in rows], like),
            "group_after": _id_array([r[3] for r in rows], like),
            "details": pd.array([r[4] for r in rows], dtype="str"),
        }
    )


def _groups_frame(old: _Snapshot, new: _Snapshot, matched: dict[Any, Any]) -> pd.DataFrame:
    rows: list[tuple[Any, Any, int, int, int]] = []
    for b, members in old.members.items():
        a = matched.get(b)
        after = new.members[a] if a is not None else set()
        rows.append((b, a, len(members), len(after), len(members & after)))
    taken = set(matched.values())
    rows.extend((None, a, 0, len(m), 0) for a, m in new.members.items() if a not in taken)
    rows.sort(key=lambda r: (_sort_key(r[0]), _sort_key(r[1])))
    like = pd.Series([r[0] if r[0] is not None else r[1] for r in rows], dtype=object)
    if rows and all(isinstance(v, int | np.integer) for v in like):
        like = like.astype(np.int64)
    return pd.DataFrame(
        {
            "group_before": _id_array([r[0] for r in rows], like),
            "group_after": _id_array([r[1] for r in rows], like),
            "members_before": np.array([r[2] for r in rows], dtype=np.int64),
            "members_after": np.array([r[3] for r in rows], dtype=np.int64),
            "shared": np.array([r[4] for r in rows], dtype=np.int64),
        }
    )
