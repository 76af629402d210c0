"""Group clients (集团客户): who belongs to which group, and why.

:func:`identify_groups` reads parties, holdings and the optional ties, joins relatives and
concert parties into one controller each, runs the control fixpoint
(:mod:`bankcrm.credit.control`) under the policy's threshold for ``as_of``, and returns the
membership relation: one row per (party, group), with the control path that puts the party
there.

>>> import pandas as pd
>>> parties = pd.DataFrame({"party_id": ["P", "A", "B"],
...                         "kind": ["person", "corporate", "corporate"]})
>>> holdings = pd.DataFrame({"owner_id": ["P", "A"], "owned_id": ["A", "B"],
...                          "equity_share": ["0.6", "0.6"]})
>>> groups = identify_groups(parties, holdings, as_of="2025-12-31")
>>> groups[["party_id", "group_id", "role", "path", "path_shares", "basis"]]
  party_id group_id        role       path path_shares  basis
0        A        P      member      P > A         0.6  votes
1        B        P      member  P > A > B   0.6 > 0.6  votes
2        P        P  controller          P               apex
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from bankcrm._tables import as_pandas
from bankcrm._values import raise_for_rows
from bankcrm.calendar import as_date
from bankcrm.credit._inputs import (
    Codes,
    check_pairs,
    check_totals,
    key_kind,
    read_frame,
    read_holdings,
    roles_for,
    share_columns,
)
from bankcrm.credit.control import (
    ARRANGEMENT,
    UNIT,
    VOTES,
    ControlGraph,
    control_fixpoint,
    distinct,
)
from bankcrm.credit.policy import GroupPolicy
from bankcrm.errors import InputError
from bankcrm.frames import Column, FrameSchema, validate_frame
from bankcrm.policy import stamp_provenance

__all__ = ["GROUP_COLUMNS", "identify_groups"]

I64 = npt.NDArray[np.int64]

#: The columns of :func:`identify_groups`' result.
GROUP_COLUMNS = (
    "party_id",
    "group_id",
    "role",
    "path",
    "path_shares",
    "basis",
    "connected_group_id",
)

_FRAMES = (
    "parties",
    "holdings",
    "control_arrangements",
    "person_ties",
    "concert_parties",
    "manual_links",
    "dependencies",
)


def share_text(millionths: int) -> str:
    """An exact decimal text of a share in millionths (``510000`` → ``"0.51"``).

    >>> share_text(510_000), share_text(1_000_000), share_text(5)
    ('0.51', '1', '0.000005')
    """
    whole, part = divmod(int(millionths), 1_000_000)
    return f"{whole}.{part:06d}".rstrip("0").rstrip(".")


def components(n: int, a: I64, b: I64) -> I64:
    """Connected components by min-label propagation: each node's smallest connected code.

    >>> components(5, np.array([3, 1]), np.array([4, 3])).tolist()
    [0, 1, 2, 1, 1]
    """
    label = np.arange(n, dtype=np.int64)
    if not len(a):
        return label
    while True:
        low = np.minimum(label[a], label[b])
        new = label.copy()
        np.minimum.at(new, a, low)
        np.minimum.at(new, b, low)
        new = new[new]
        if np.array_equal(new, label):
            return label
        label = new


class Inputs:
    """The validated frames as party codes."""

    def __init__(
        self, frames: dict[str, Any], columns: Any, policy: GroupPolicy, where: str
    ) -> None:
        names = roles_for(columns, _FRAMES, where)
        self.names = names
        raw = as_pandas(frames["parties"], name="parties")
        pid = names["parties"]["party_id"]
        kind = key_kind(raw[pid]) if pid in raw.columns else "str"
        columns_ = [Column(pid, kind), Column(names["parties"]["kind"], "str")]
        parties = validate_frame(raw, FrameSchema("parties", columns_, key=pid))
        self.codes = Codes(parties, pid, kind)
        if self.codes.duplicated():  # the full validation names the duplicate rows
            validate_frame(raw, FrameSchema("parties", columns_, key=pid, unique_key=True))
        n = len(self.codes)
        order = self.codes.rows
        # Party kinds as codes of their distinct values (few), flags per distinct kind.
        kind_codes, kind_values = pd.factorize(parties[names["parties"]["kind"]])
        distinct = np.asarray(kind_values, dtype=object)
        by_code = np.empty(n, dtype=np.int64)
        by_code[order] = kind_codes
        self.kinds = distinct[by_code] if n else np.zeros(0, dtype=object)
        self.is_person = (distinct == "person")[by_code] if n else np.zeros(0, dtype=bool)
        state_kind = np.isin(distinct, list(policy.state_kinds)) if len(distinct) else distinct
        self.is_state = np.asarray(state_kind, dtype=bool)[by_code] if n else np.zeros(0, bool)
        if policy.public_owners:
            self.is_state = self.is_state | np.isin(self.codes.ids, list(policy.public_owners))
        h_names = names["holdings"]
        holdings = read_holdings(frames["holdings"], h_names, kind, unique=False)
        try:
            self.owner, self.owned = self.codes.of_columns(
                holdings, [h_names["owner_id"], h_names["owned_id"]], "holdings"
            )
        except InputError:
            read_holdings(frames["holdings"], h_names, kind)  # a duplicate pair is told first
            raise
        check_pairs(frames["holdings"], h_names, kind, n, self.owner, self.owned)
        self.equity, self.votes = share_columns(holdings, h_names)
        check_totals(holdings, h_names, self.owned, self.equity, "equity_share")
        check_totals(holdings, h_names, self.owned, self.votes, "voting_share")
        self.arrangement_kinds: list[str] = []
        self.a_from = self.a_to = self.a_kind = np.zeros(0, dtype=np.int64)
        if frames["control_arrangements"] is not None:
            self._arrangements(frames["control_arrangements"], names, kind)
        self.unit, self.concert = self._units(frames, names, kind, policy)
        self.links = self._pairs(frames["manual_links"], "manual_links", names, kind)
        self.dependencies = self._pairs(frames["dependencies"], "dependencies", names, kind)

    def _arrangements(self, frame: Any, names: dict[str, dict[str, Any]], kind: str) -> None:
        a_names = names["control_arrangements"]
        table = read_frame(frame, "control_arrangements", a_names, kind, text=("kind",))
        self.a_from = self.codes.of(table, a_names["controller_id"], "control_arrangements")
        self.a_to = self.codes.of(table, a_names["controlled_id"], "control_arrangements")
        values = table[a_names["kind"]].to_numpy(dtype=object)
        self.arrangement_kinds = sorted(set(values.tolist()))
        lookup = {k: i for i, k in enumerate(self.arrangement_kinds)}
        self.a_kind = np.array([lookup[v] for v in values], dtype=np.int64)
        same = self.a_from == self.a_to
        if same.any():
            raise_for_rows(
                "control_arrangements: a party cannot control itself",
                column=str(a_names["controlled_id"]),
                rule="domain",
                mask=same,
                series=table[a_names["controlled_id"]],
            )

    def _units(
        self,
        frames: dict[str, Any],
        names: dict[str, dict[str, Any]],
        kind: str,
        policy: GroupPolicy,
    ) -> tuple[I64, npt.NDArray[np.bool_]]:
        n = len(self.codes)
        a_parts: list[I64] = []
        b_parts: list[I64] = []
        concert = np.zeros(n, dtype=bool)
        if frames["person_ties"] is not None:
            t_names = names["person_ties"]
            ties = read_frame(
                frames["person_ties"], "person_ties", t_names, kind, text=("relation",)
            )
            a, b = self.codes.of_columns(
                ties, [t_names["person_a"], t_names["person_b"]], "person_ties"
            )
            for role, codes in (("person_a", a), ("person_b", b)):
                not_person = ~self.is_person[codes]
                if not_person.any():
                    raise_for_rows(
                        "person_ties: a tie joins persons (party kind 'person')",
                        column=str(t_names[role]),
                        rule="domain",
                        mask=not_person,
                        series=ties[t_names[role]],
                    )
            relations = ties[t_names["relation"]].to_numpy(dtype=object)
            kinds_of, which = np.unique(relations.astype(str), return_inverse=True)
            close_of = np.zeros(len(kinds_of), dtype=bool)
            for k, relation in enumerate(kinds_of.tolist()):
                if relation not in policy.relations:
                    raise_for_rows(
                        f"person_ties: unknown relation; known: {sorted(policy.relations)}",
                        column=str(t_names["relation"]),
                        rule="domain",
                        mask=which == k,
                        series=ties[t_names["relation"]],
                    )
                close_of[k] = policy.is_close_relation(relation)
            close = close_of[which] if len(which) else np.zeros(0, dtype=bool)
            a_parts.append(a[close])
            b_parts.append(b[close])
        if frames["concert_parties"] is not None:
            c_names = names["concert_parties"]
            table = read_frame(
                frames["concert_parties"], "concert_parties", c_names, kind, text=("concert_id",)
            )
            members = self.codes.of(table, c_names["party_id"], "concert_parties")
            state = self.is_state[members]
            if state.any():
                raise_for_rows(
                    "concert_parties: the State does not act in concert (it never merges groups)",
                    column=str(c_names["party_id"]),
                    rule="domain",
                    mask=state,
                    series=table[c_names["party_id"]],
                )
            concert_ids = table[c_names["concert_id"]].to_numpy(dtype=object)
            _, first_code = np.unique(concert_ids.astype(str), return_inverse=True)
            lead = np.full(int(first_code.max()) + 1 if len(first_code) else 0, n, dtype=np.int64)
            np.minimum.at(lead, first_code, members)
            a_parts.append(members)
            b_parts.append(lead[first_code])
            concert[members] = True
        if not a_parts:
            return np.arange(n, dtype=np.int64), concert
        unit = components(n, np.concatenate(a_parts), np.concatenate(b_parts))
        in_concert = np.zeros(n, dtype=bool)
        in_concert[unit[concert]] = True
        return unit, in_concert[unit]

    def _pairs(
        self, frame: Any, name: str, names: dict[str, dict[str, Any]], kind: str
    ) -> tuple[I64, I64, npt.NDArray[Any]]:
        if frame is None:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, np.zeros(0, dtype=object)
        f_names = names[name]
        table = read_frame(frame, name, f_names, kind, text=("reason",))
        return (
            self.codes.of(table, f_names["party_a"], name),
            self.codes.of(table, f_names["party_b"], name),
            table[f_names["reason"]].to_numpy(dtype=object),
        )


def _fraction(value: Any) -> tuple[int, int]:
    share = Fraction(value)
    return share.numerator, share.denominator


def _step_text(step: I64, kinds: list[str]) -> npt.NDArray[Any]:
    """Each step as text, formatted once per distinct value."""
    values, inverse = np.unique(step, return_inverse=True)
    texts = np.array(
        [share_text(v) if v >= 0 else kinds[-1 - v] for v in values.tolist()], dtype=object
    )
    out: npt.NDArray[Any] = texts[inverse] if len(step) else np.zeros(0, dtype=object)
    return out


def control_paths(graph: ControlGraph, ids: npt.NDArray[Any], kinds: list[str]) -> tuple[Any, Any]:
    """Path and path-share texts per party, built level by level from the apexes."""
    n = len(ids)
    parent = graph.parent
    depth = np.zeros(n, dtype=np.int64)
    has_parent = parent >= 0
    while True:
        new = np.where(has_parent, depth[np.maximum(parent, 0)] + 1, 0)
        if np.array_equal(new, depth):
            break
        depth = new
    text_ids = np.array([str(i) for i in ids.tolist()], dtype=object)
    path = text_ids.copy()
    shares = np.full(n, "", dtype=object)
    steps = _step_text(graph.step, kinds)
    steps[graph.basis == UNIT] = "unit"  # controlled with a relative or concert party
    for level in range(1, int(depth.max(initial=0)) + 1):
        at = np.flatnonzero(depth == level)
        up = parent[at]
        path[at] = path[up] + " > " + text_ids[at]
        first = shares[up] == ""
        shares[at] = np.where(first, steps[at], shares[up] + " > " + steps[at])
    return path, shares


_SEP = pa.scalar(" > ", pa.large_string())
_EMPTY = pa.scalar("", pa.large_string())


def _depths(parent: I64) -> I64:
    """Each party's depth below its apex (apexes 0)."""
    depth = np.zeros(len(parent), dtype=np.int64)
    has_parent = parent >= 0
    while True:
        new = np.where(has_parent, depth[np.maximum(parent, 0)] + 1, 0)
        if np.array_equal(new, depth):
            return depth
        depth = new


def arrow_paths(graph: ControlGraph, codes: Codes, kinds: list[str]) -> tuple[pa.Array, pa.Array]:
    """:func:`control_paths` as Arrow text arrays in party-code order, built level by level
    with Arrow's string kernels (the same texts; no Python string per party)."""
    n = len(codes)
    parent = graph.parent
    depth = _depths(parent)
    text_ids = codes.text()
    steps = _step_text(graph.step, kinds)
    steps[graph.basis == UNIT] = "unit"
    step_text = pa.array(steps, type=pa.large_string()) if n else pa.array([], pa.large_string())
    at = np.flatnonzero(depth == 0)
    position = np.zeros(n, dtype=np.int64)
    position[at] = np.arange(len(at))
    placed = [at]
    paths = [text_ids.take(pa.array(at))]
    shares = [pa.array(np.full(len(at), "", dtype=object), type=pa.large_string())]
    for level in range(1, int(depth.max(initial=0)) + 1):
        at = np.flatnonzero(depth == level)
        up = pa.array(position[parent[at]])
        own = pa.array(at)
        paths.append(pc.binary_join_element_wise(paths[-1].take(up), text_ids.take(own), _SEP))
        before, step = shares[-1].take(up), step_text.take(own)
        joined = pc.binary_join_element_wise(before, step, _SEP)
        shares.append(pc.if_else(pc.equal(before, _EMPTY), step, joined))
        position[at] = np.arange(len(at))
        placed.append(at)
    back = np.empty(n, dtype=np.int64)
    back[np.concatenate(placed)] = np.arange(n)
    index = pa.array(back)
    return (
        pa.concat_arrays(paths).take(index),
        pa.concat_arrays(shares).take(index),
    )


def _text_column(values: Any) -> Any:
    """A pandas ``str`` column from an Arrow text array or a NumPy array of text."""
    if not isinstance(values, pa.Array | pa.ChunkedArray):
        values = pa.array(values, type=pa.large_string())
    if isinstance(values, pa.Array):
        values = pa.chunked_array([values], type=values.type)
    return pd.arrays.ArrowStringArray(values, dtype=_STR)  # type: ignore[call-arg]


_STR = pd.StringDtype("pyarrow", na_value=np.nan)


def _roles(inputs: Inputs, graph: ControlGraph, joint_parties: I64) -> npt.NDArray[Any]:
    n = len(inputs.codes)
    root, unit = graph.root, inputs.unit
    group_size = np.bincount(root, minlength=n)
    unit_size = np.bincount(unit, minlength=n)
    in_root_unit = unit[root] == unit  # the party is of its group's apex unit
    beyond_unit = group_size[root] > unit_size[unit]
    role = np.full(n, "member", dtype=object)
    apex = in_root_unit
    person = inputs.is_person
    role[apex & person & beyond_unit] = "controller"
    role[apex & person & ~beyond_unit & (unit_size[unit] >= 2)] = "family"
    role[apex & person & ~beyond_unit & (unit_size[unit] == 1)] = "standalone"
    firm_alone = apex & ~person & (group_size[root] == 1)
    role[firm_alone] = "standalone"
    is_joint = np.zeros(n, dtype=bool)
    is_joint[joint_parties] = True
    role[apex & ~person & is_joint] = "joint_venture"
    role[inputs.is_state] = "standalone"
    return role


def _basis(inputs: Inputs, graph: ControlGraph) -> npt.NDArray[Any]:
    n = len(inputs.codes)
    unit_size = np.bincount(inputs.unit, minlength=n)
    together = np.where(inputs.concert, "concert", "family")
    basis = np.full(n, "apex", dtype=object)
    basis[(graph.parent < 0) & (unit_size[inputs.unit] >= 2)] = together[
        (graph.parent < 0) & (unit_size[inputs.unit] >= 2)
    ]
    basis[graph.basis == VOTES] = "votes"
    basis[graph.basis == ARRANGEMENT] = "arrangement"
    basis[graph.basis == UNIT] = together[graph.basis == UNIT]
    return basis


def check_policy(policy: Any) -> GroupPolicy:
    """The policy itself, the default for ``None``, or an InputError (rule ``type``)."""
    if policy is None:
        return GroupPolicy()
    if not isinstance(policy, GroupPolicy):
        raise InputError(
            f"policy must be a GroupPolicy, got {type(policy).__name__}",
            column="policy",
            rule="type",
        )
    return policy


def run_control(
    inputs: Inputs, policy: GroupPolicy, day: Any, *, state_controls: bool
) -> ControlGraph:
    """The control fixpoint on the read inputs; ``state_controls`` lets the State control."""
    rule = policy.control_rule(day)
    is_state = np.zeros_like(inputs.is_state) if state_controls else inputs.is_state
    return control_fixpoint(
        inputs.unit,
        is_state,
        inputs.owner,
        inputs.owned,
        inputs.votes,
        threshold=_fraction(rule.threshold.value),
        comparator=rule.threshold.comparator,
        arrangement_from=inputs.a_from,
        arrangement_to=inputs.a_to,
        arrangement_kind=inputs.a_kind,
        joint_share=_fraction(policy.joint_venture_share),
    )


def identify_groups(
    parties: Any,
    holdings: Any,
    *,
    as_of: Any,
    control_arrangements: Any = None,
    person_ties: Any = None,
    concert_parties: Any = None,
    manual_links: Any = None,
    dependencies: Any = None,
    policy: GroupPolicy | None = None,
    columns: Any = None,
) -> pd.DataFrame:
    """The group clients among ``parties``: one row per (party, group), with the reason.

    Control is decided by :class:`~bankcrm.credit.policy.GroupPolicy` for ``as_of`` (the
    Company Law 2018 "50 % or more" before 2024-07-01, the 2023 "more than 50 %" from then),
    on voting shares (the equity share where a holding has no voting share), counting votes
    held through controlled parties, plus control arrangements; relatives within the policy's
    degrees (``person_ties``) and ``concert_parties`` count as one controller. State parties
    control nothing for grouping: firms they control are separate groups.

    Args:
        parties: ``party_id`` (unique) and ``kind`` (``person``, ``corporate``,
            ``government`` …).
        holdings: ``owner_id``, ``owned_id`` and ``equity_share`` and/or ``voting_share``,
            exact shares in [0, 1] (float, text, Decimal; whole millionths), one row per pair;
            the shares held in one party sum to at most 1.
        as_of: the decision date (picks the control threshold).
        control_arrangements: ``controller_id``, ``controlled_id``, ``kind`` (board majority,
            VIE agreement, entrusted management …): control without a majority of votes.
        person_ties: ``person_a``, ``person_b``, ``relation`` (a key of the policy's
            ``relations``: ``spouse``, ``parent_child``, ``sibling`` …).
        concert_parties: ``party_id``, ``concert_id``: parties acting in concert.
        manual_links: ``party_a``, ``party_b``, ``reason``: the two parties' groups are one.
        dependencies: ``party_a``, ``party_b``, ``reason``: economic dependence; joins groups
            only in ``connected_group_id`` (the large-exposure view).
        policy: the group policy (default :class:`GroupPolicy`).
        columns: ``{frame parameter: {role: column}}``.

    Returns:
        A frame of ``party_id``, ``group_id`` (the apex party's id), ``role`` (``controller``,
        ``member``, ``joint_venture``, ``family`` or ``standalone``), ``path`` (party ids from
        the apex, ``" > "``-separated), ``path_shares`` (the votes the controller counts at each
        step, exact decimals, the arrangement's kind, or ``unit`` for a party controlled together
        with its relative or concert party), ``basis`` (``apex``, ``votes``,
        ``arrangement``, ``family``, ``concert``, ``joint`` or ``manual``) and
        ``connected_group_id`` (groups joined by ``dependencies``). Every party appears at
        least once; with ``joint_control="both"`` a joint venture and its tree appear again in
        each parent's group. Sorted by ``group_id`` and ``party_id``; stamped with the policy.

    Raises:
        InputError: a malformed frame; an id not among the parties (rule ``domain``); ids of
            different types across frames (``key_type``); duplicate holdings
            (``duplicate_key``); shares of one party summing to more than 1 (``range``); an
            unknown relation (``domain``); a date before the first control rule (``range``).
    """
    policy = check_policy(policy)
    day = as_date(as_of, name="as_of")
    policy.control_rule(day)
    frames = {
        "parties": parties,
        "holdings": holdings,
        "control_arrangements": control_arrangements,
        "person_ties": person_ties,
        "concert_parties": concert_parties,
        "manual_links": manual_links,
        "dependencies": dependencies,
    }
    inputs = Inputs(frames, columns, policy, "identify_groups")
    graph = run_control(inputs, policy, day, state_controls=False)
    frame = _relation(inputs, graph, policy)
    return stamp_provenance(frame, policy.provenance(day))


def _relation(inputs: Inputs, graph: ControlGraph, policy: GroupPolicy) -> pd.DataFrame:
    codes = inputs.codes
    n = len(codes)
    joint_party, joint_parent, joint_step = graph.joint
    path_text, shares_text = arrow_paths(graph, codes, inputs.arrangement_kinds)
    role = _roles(inputs, graph, distinct(joint_party))
    basis = _basis(inputs, graph)
    party = np.arange(n, dtype=np.int64)
    group = graph.root.copy()
    path: Any = path_text
    shares: Any = shares_text
    if policy.joint_control == "both" and len(joint_party):
        ids = codes.ids
        path = path_text.to_numpy(zero_copy_only=False).astype(object)
        shares = shares_text.to_numpy(zero_copy_only=False).astype(object)
        extra_party, extra_group, extra_path, extra_shares = [], [], [], []
        steps = _step_text(joint_step, inputs.arrangement_kinds)
        for jv, parent_root, step in zip(
            joint_party.tolist(), joint_parent.tolist(), steps.tolist(), strict=True
        ):
            tree = np.flatnonzero(graph.root == graph.root[jv])
            extra_party.append(tree)
            extra_group.append(np.full(len(tree), parent_root, dtype=np.int64))
            head = str(ids[parent_root])
            extra_path.append(
                np.array([f"{head} > {p}" for p in path[tree].tolist()], dtype=object)
            )
            extra_shares.append(
                np.array(
                    [f"{step} > {s}" if s else step for s in shares[tree].tolist()], dtype=object
                )
            )
        more = np.concatenate(extra_party)
        party = np.concatenate([party, more])
        group = np.concatenate([group, np.concatenate(extra_group)])
        path = np.concatenate([path, np.concatenate(extra_path)])
        shares = np.concatenate([shares, np.concatenate(extra_shares)])
        extra_role = np.where(role[more] == "joint_venture", "joint_venture", "member")
        # A parent that was alone now heads a group: a firm is its member, persons control it.
        parents = np.isin(graph.root, joint_parent) & np.isin(role, ["standalone", "family"])
        role = role.copy()
        role[parents] = np.where(inputs.is_person[parents], "controller", "member")
        role = np.concatenate([role, extra_role])
        basis = np.concatenate([basis, np.full(len(more), "joint", dtype=object)])
    # Manual links merge whole groups; the absorbed groups' rows say so.
    link_a, link_b, _reason = inputs.links
    if len(link_a):
        merged = components(n, graph.root[link_a], graph.root[link_b])
        absorbed = merged[group] != group
        basis = np.where(absorbed, "manual", basis)
        group = merged[group]
    dep_a, dep_b, _why = inputs.dependencies
    connected = group.copy()
    if len(dep_a):
        home = group[:n]
        linked = components(n, home[dep_a], home[dep_b])
        connected = linked[group]
    # By group, then party (party codes ascend in the first n rows, so a stable sort of the
    # groups is the lexicographic order there).
    order = np.argsort(group, kind="stable") if len(party) == n else np.lexsort((party, group))
    row = pa.array(order)

    def ids_of(which: I64) -> Any:
        found = codes.take(which[order])
        return _text_column(found) if codes.kind == "str" else found

    def text_of(values: Any) -> Any:
        if isinstance(values, pa.Array):
            return _text_column(values.take(row))
        return _text_column(np.asarray(values, dtype=object)[order])

    return pd.DataFrame(
        {
            "party_id": ids_of(party),
            "group_id": ids_of(group),
            "role": text_of(role),
            "path": text_of(path),
            "path_shares": text_of(shares),
            "basis": text_of(basis),
            "connected_group_id": ids_of(connected),
        }
    )
