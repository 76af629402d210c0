"""Control as a least fixpoint over integer-coded parties (no per-party recursion).

Parties are coded ``0 .. n-1`` (in sorted id order, so the smallest code is the smallest id);
shares are int64 millionths, so every sum below is exact. Relatives and concert parties are
first joined into **units** (``unit[p]`` is the smallest code of ``p``'s unit); a unit is one
controller and, when controlled, is controlled as a whole.

The fixpoint starts with every unit uncontrolled and repeats, vectorised over all holdings:

1. each holding's votes are attributed to the **root** of its owner (the apex of the owner's
   current control tree), unless the owner is the State (State parties never control);
2. votes are summed per (root, owned party), leaving out a root's votes in its own tree (a
   firm never counts its own subsidiaries' votes in itself);
3. a sum that passes the control threshold, or a control arrangement, is a candidate; an
   uncontrolled unit with exactly one candidate root becomes controlled by it.

Control only grows from round to round (attributed votes only grow), so this reaches the
least fixpoint: no control is justified by itself. Rounds are as many as the longest chain of
*indirect* control decisions (direct majorities are all found in round one). Roots are found by
pointer doubling; a control cycle decided in one round (A and B each holding 60 % of the other)
is broken at its smallest party, which becomes the cycle's apex.

>>> import numpy as np
>>> units = np.arange(3)
>>> state = np.zeros(3, dtype=bool)
>>> result = control_fixpoint(
...     units, state, np.array([0, 1]), np.array([1, 2]), np.array([600_000, 600_000]),
...     threshold=(1, 2), comparator=">")
>>> result.root.tolist(), result.parent.tolist(), result.step.tolist()
([0, 0, 0], [-1, 0, 1], [0, 600000, 600000])
"""

from __future__ import annotations

import attrs
import numpy as np
import numpy.typing as npt

from bankcrm.ratios import SHARE_SCALE, Comparator

__all__ = ["ControlGraph", "control_fixpoint", "distinct", "find_roots", "group_sums"]

I64 = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]

#: ``ControlGraph.basis`` codes.
NONE, VOTES, ARRANGEMENT, UNIT = 0, 1, 2, 3


@attrs.frozen(eq=False)
class ControlGraph:
    """The fixpoint's result, per party code.

    Attributes:
        root: the apex (a unit's smallest code) of the party's control tree.
        parent: the party the control path comes through (``-1`` for a party of a root unit).
        step: the votes (millionths) the controller counts in the party at the deciding step,
            or ``-1 - kind`` for an arrangement (``kind`` indexing the arrangement kinds).
        basis: ``VOTES``, ``ARRANGEMENT``, ``UNIT`` (joined through its unit) or ``NONE``.
        joint: ``(party, parent root, step)`` of jointly controlled parties (no single
            controller, two or more parents).
        rounds: how many rounds the fixpoint took.
    """

    root: I64
    parent: I64
    step: I64
    basis: npt.NDArray[np.int8]
    joint: tuple[I64, I64, I64]
    rounds: int


def group_sums(keys: I64, values: I64) -> tuple[I64, I64, I64]:
    """Distinct ``keys`` (sorted), the exact int64 sum of ``values`` per key, and the order.

    >>> group_sums(np.array([5, 3, 5]), np.array([1, 2, 4]))[:2]
    (array([3, 5]), array([2, 5]))
    """
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    if len(ordered) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, order.astype(np.int64)
    starts = np.flatnonzero(np.concatenate([[True], ordered[1:] != ordered[:-1]]))
    sums = np.add.reduceat(values[order], starts)
    return ordered[starts], sums.astype(np.int64), order.astype(np.int64)


def distinct(values: I64) -> I64:
    """The sorted distinct values (a sort and a neighbour test: NumPy's hash-based
    ``unique`` is several times slower on millions of int64 keys).

    >>> distinct(np.array([3, 1, 3])).tolist()
    [1, 3]
    """
    ordered = np.sort(values)
    if len(ordered) < 2:
        return ordered
    keep = np.empty(len(ordered), dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    out: I64 = ordered[keep]
    return out


def find_roots(pointer: I64) -> tuple[I64, I64]:
    """Roots of a functional graph by pointer doubling; cycles are broken at their smallest node.

    Returns ``(root, broken)``: ``broken`` are the nodes whose pointer was cut to break a
    cycle (they become roots).

    >>> find_roots(np.array([0, 0, 1, 4, 3]))
    (array([0, 0, 0, 3, 3]), array([3]))
    """
    pointer = pointer.copy()
    broken: list[int] = []
    while True:
        root = pointer.copy()
        for _ in range(64):
            nxt = root[root]
            if np.array_equal(nxt, root):
                break
            root = nxt
        settled = pointer[root] == root
        if settled.all():
            return root, np.asarray(sorted(broken), dtype=np.int64)
        # Nodes on or behind a cycle: walk the (few) cycles in Python and cut each once.
        seen: set[int] = set()
        for start in np.flatnonzero(~settled).tolist():
            node = int(root[start])
            if node in seen:
                continue
            cycle = [node]
            nxt_node = int(pointer[node])
            while nxt_node != node:
                cycle.append(nxt_node)
                nxt_node = int(pointer[nxt_node])
            seen.update(cycle)
            smallest = min(cycle)
            pointer[smallest] = smallest
            broken.append(smallest)


def _passes(sums: I64, threshold: tuple[int, int], comparator: Comparator) -> Bools:
    """``sums / SHARE_SCALE <comparator> p / q`` by cross-multiplication in int64."""
    p, q = threshold
    result: Bools = comparator.compare_arrays(
        sums * np.int64(q), np.full_like(sums, p * SHARE_SCALE)
    )
    return result


def control_fixpoint(
    unit: I64,
    is_state: Bools,
    owner: I64,
    owned: I64,
    votes: I64,
    *,
    threshold: tuple[int, int],
    comparator: Comparator | str,
    arrangement_from: I64 | None = None,
    arrangement_to: I64 | None = None,
    arrangement_kind: I64 | None = None,
    joint_share: tuple[int, int] = (1, 2),
) -> ControlGraph:
    """Run the control fixpoint (see the module text); ``threshold`` is ``(p, q)`` for p/q."""
    comp = Comparator.parse(comparator)
    n = len(unit)
    empty = np.zeros(0, dtype=np.int64)
    a_from = empty if arrangement_from is None else arrangement_from
    a_to = empty if arrangement_to is None else arrangement_to
    a_kind = empty if arrangement_kind is None else arrangement_kind
    keep = ~is_state[owner]
    owner, owned, votes = owner[keep], owned[keep], votes[keep]
    # Holdings in owned-party order: the per-round keys (owned, owner's root) then come in long
    # sorted runs, which the stable sort (a merge sort) takes in near-linear time.
    by_owned = np.argsort(owned, kind="stable")
    owner, owned, votes = owner[by_owned], owned[by_owned], votes[by_owned]
    keep_a = ~is_state[a_from]
    a_from, a_to, a_kind = a_from[keep_a], a_to[keep_a], a_kind[keep_a]

    members = _unit_members(unit)
    forced = np.zeros(n, dtype=bool)  # contested units: jointly controlled, never decided
    total_rounds = 0
    while True:
        ctrl, parent, step, basis, root, rounds = _fixpoint(
            unit, members, forced, owner, owned, votes, a_from, a_to, a_kind, threshold, comp
        )
        total_rounds += rounds
        contested = _contested(
            root, unit, ctrl, forced, owner, owned, votes, a_from, a_to, threshold, comp
        )
        if not len(contested):
            break
        forced[contested] = True
    joint = _joint(
        root,
        unit,
        ctrl,
        forced,
        owner,
        owned,
        votes,
        a_from,
        a_to,
        a_kind,
        threshold,
        comp,
        joint_share,
    )
    return ControlGraph(
        root=root, parent=parent, step=step, basis=basis, joint=joint, rounds=rounds
    )


def _fixpoint(
    unit: I64,
    members: dict[int, tuple[int, ...]],
    forced: Bools,
    owner: I64,
    owned: I64,
    votes: I64,
    a_from: I64,
    a_to: I64,
    a_kind: I64,
    threshold: tuple[int, int],
    comp: Comparator,
) -> tuple[I64, I64, I64, npt.NDArray[np.int8], I64, int]:
    """One least fixpoint with the ``forced`` units left uncontrolled."""
    n = len(unit)
    ctrl = np.full(n, -1, dtype=np.int64)  # per unit code: the root that controls it
    parent = np.full(n, -1, dtype=np.int64)
    step = np.zeros(n, dtype=np.int64)
    basis = np.zeros(n, dtype=np.int8)
    root = unit.copy()
    rounds = 0
    while True:
        rounds += 1
        cand_root, cand_party, cand_step, cand_parent, cand_basis = _candidates(
            root, unit, ctrl, owner, owned, votes, a_from, a_to, a_kind, n, threshold, comp
        )
        open_ = ~forced[unit[cand_party]]
        decided = _decide(unit[cand_party][open_], cand_root[open_], n)
        if len(decided) == 0:
            break
        is_decided = np.zeros(n, dtype=bool)
        is_decided[decided] = True
        chosen = is_decided[unit[cand_party]]
        cand_root, cand_party = cand_root[chosen], cand_party[chosen]
        cand_step, cand_parent, cand_basis = (
            cand_step[chosen],
            cand_parent[chosen],
            cand_basis[chosen],
        )
        # One deciding party per unit: the smallest code among its candidate parties.
        order = np.lexsort((cand_party, unit[cand_party]))
        first = np.concatenate([[True], np.diff(unit[cand_party][order]) != 0])
        pick = order[first]
        u = unit[cand_party[pick]]
        ctrl[u] = cand_root[pick]
        x = cand_party[pick]
        parent[x] = cand_parent[pick]
        step[x] = cand_step[pick]
        basis[x] = cand_basis[pick]
        for rep, via in zip(u.tolist(), x.tolist(), strict=True):
            for other in members.get(rep, ()):
                if other != via:
                    parent[other], step[other], basis[other] = via, 0, UNIT
        pointer = np.where(ctrl >= 0, ctrl, np.arange(n, dtype=np.int64))
        chased, broken = find_roots(pointer)
        if len(broken):
            ctrl[broken] = -1
            for rep in broken.tolist():
                for party in (rep, *members.get(rep, ())):
                    parent[party], step[party], basis[party] = -1, 0, NONE
        root = chased[unit]
    return ctrl, parent, step, basis, root, rounds


def _contested(
    root: I64,
    unit: I64,
    ctrl: I64,
    forced: Bools,
    owner: I64,
    owned: I64,
    votes: I64,
    a_from: I64,
    a_to: I64,
    threshold: tuple[int, int],
    comp: Comparator,
) -> I64:
    """Controlled units that another root also controls (by votes or by arrangement)."""
    n = len(unit)
    _r, x, sums, _best = _attributed(root, unit, ctrl, owner, owned, votes, n, free_only=False)
    passing = x[_passes(sums, threshold, comp)]
    ar = root[a_from]
    by_arrangement = a_to[ar != root[a_to]]
    claimed = unit[np.concatenate([passing, by_arrangement])]
    return distinct(claimed[(ctrl[claimed] >= 0) & ~forced[claimed]])


def _unit_members(unit: I64) -> dict[int, tuple[int, ...]]:
    """The members of every unit of two or more parties (few), keyed by the unit code."""
    codes = np.arange(len(unit))
    multi = unit != codes
    found: dict[int, list[int]] = {}
    for party, rep in zip(codes[multi].tolist(), unit[multi].tolist(), strict=True):
        found.setdefault(rep, [rep]).append(party)
    return {rep: tuple(parties) for rep, parties in found.items()}


def _attributed(
    root: I64,
    unit: I64,
    ctrl: I64,
    owner: I64,
    owned: I64,
    votes: I64,
    n: int,
    free_only: bool,
    select: tuple[tuple[int, int], Comparator] | None = None,
) -> tuple[I64, I64, I64, I64]:
    """Votes per (owner's root, owned party), outside the owned party's own tree, in the
    order of (owned party, root).

    With ``select`` (a threshold and its comparator), only the sums that pass it are kept,
    with the largest single holding behind each (ties: the smallest owner) for the path;
    otherwise the fourth array is empty.
    """
    att = root[owner]
    mask = att != root[owned]
    if free_only:
        mask &= ctrl[unit[owned]] < 0
    key = owned[mask] * np.int64(n) + att[mask]  # (owned, root): sorted runs per owned party
    v = votes[mask]
    order = np.argsort(key, kind="stable")
    ordered = key[order]
    empty = np.zeros(0, dtype=np.int64)
    if len(ordered) == 0:
        return empty, empty, empty, empty
    head = np.empty(len(ordered), dtype=bool)
    head[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=head[1:])
    starts = np.flatnonzero(head)
    sums = np.add.reduceat(v[order], starts).astype(np.int64)
    keys = ordered[starts]
    if select is None:
        return keys % n, keys // n, sums, empty
    ok = _passes(sums, *select)
    keys, sums = keys[ok], sums[ok]
    lengths = np.diff(np.append(starts, len(ordered)))
    rows = order[np.repeat(ok, lengths)]
    if not len(rows):
        return keys % n, keys // n, sums, empty
    sub_key, sub_v, sub_o = key[rows], v[rows], owner[mask][rows]
    best_order = np.lexsort((sub_o, -sub_v, sub_key))
    first = np.concatenate([[True], np.diff(sub_key[best_order]) != 0])
    best_owner: I64 = sub_o[best_order][first]
    return keys % n, keys // n, sums, best_owner


def _candidates(
    root: I64,
    unit: I64,
    ctrl: I64,
    owner: I64,
    owned: I64,
    votes: I64,
    a_from: I64,
    a_to: I64,
    a_kind: I64,
    n: int,
    threshold: tuple[int, int],
    comp: Comparator,
) -> tuple[I64, I64, I64, I64, npt.NDArray[np.int8]]:
    r, x, sums, best = _attributed(
        root, unit, ctrl, owner, owned, votes, n, free_only=True, select=(threshold, comp)
    )
    b = np.full(len(r), VOTES, dtype=np.int8)
    ar = root[a_from]
    am = (ar != root[a_to]) & (ctrl[unit[a_to]] < 0)
    # An arrangement only where the votes alone do not already decide the same pair.
    decided_by_votes = r * np.int64(n) + x
    am &= ~_member(ar * np.int64(n) + a_to, decided_by_votes)
    extra = np.flatnonzero(am)
    if len(extra):
        e = extra.astype(np.int64)
        order = np.lexsort((a_from[e], a_to[e], ar[e]))
        e = e[order]
        keys = ar[e] * np.int64(n) + a_to[e]
        first = np.concatenate([[True], np.diff(keys) != 0])
        e = e[first]
        r = np.concatenate([r, ar[e]])
        x = np.concatenate([x, a_to[e]])
        sums = np.concatenate([sums, -1 - a_kind[e]])
        best = np.concatenate([best, a_from[e]])
        b = np.concatenate([b, np.full(len(e), ARRANGEMENT, dtype=np.int8)])
    return r, x, sums, best, b


def _member(values: I64, pool: I64) -> Bools:
    """``np.isin(values, pool)`` by a binary search in the sorted pool (no hash table)."""
    if not len(pool) or not len(values):
        return np.zeros(len(values), dtype=bool)
    ordered = np.sort(pool)
    at = np.minimum(np.searchsorted(ordered, values), len(ordered) - 1)
    found: Bools = ordered[at] == values
    return found


def _decide(target_unit: I64, cand_root: I64, n: int) -> I64:
    """Units with exactly one distinct candidate root."""
    pairs = distinct(target_unit * np.int64(n) + cand_root)
    units, counts = np.unique(pairs // n, return_counts=True)
    decided: I64 = units[counts == 1]
    return decided


def _joint(
    root: I64,
    unit: I64,
    ctrl: I64,
    forced: Bools,
    owner: I64,
    owned: I64,
    votes: I64,
    a_from: I64,
    a_to: I64,
    a_kind: I64,
    threshold: tuple[int, int],
    comp: Comparator,
    joint_share: tuple[int, int],
) -> tuple[I64, I64, I64]:
    """Uncontrolled parties with two or more parent roots (controlling, or at the joint share).

    Returns ``(party, parent root, step)`` with ``step`` as in :class:`ControlGraph`; a
    contested (``forced``) party is joint with whatever parents it has.
    """
    n = len(unit)
    r, x, sums, _best = _attributed(root, unit, ctrl, owner, owned, votes, n, free_only=True)
    parent_like = _passes(sums, threshold, comp) | _passes(sums, joint_share, Comparator.GE)
    ar = root[a_from]
    am = (ar != root[a_to]) & (ctrl[unit[a_to]] < 0)
    pr = np.concatenate([r[parent_like], ar[am]])
    px = np.concatenate([x[parent_like], a_to[am]])
    ps = np.concatenate([sums[parent_like], -1 - a_kind[am]])
    key = px * np.int64(n) + pr
    order = np.lexsort((-ps, key))  # votes (>= 0) before arrangements (< 0)
    key, ps = key[order], ps[order]
    first = np.concatenate([[True], np.diff(key) != 0]) if len(key) else np.zeros(0, bool)
    key, ps = key[first], ps[first]
    parties, counts = np.unique(key // n, return_counts=True)
    keep = np.isin(key // n, parties[counts >= 2]) | forced[unit[key // n]]
    return key[keep] // n, key[keep] % n, ps[keep]
