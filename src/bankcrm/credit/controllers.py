"""Ultimate controllers (实际控制人): who finally controls each party.

The same control fixpoint as :func:`~bankcrm.credit.identify_groups`, with one difference: the
State *does* control here (a firm the State holds 60 % of has the State as its actual
controller), although it never merges groups. A party's ultimate controller is the apex unit of
its control tree when that unit is natural persons (one person, a family, persons acting in
concert) or the State; a tree whose apex is a firm nobody controls (widely held) has no actual
controller (``controller_kind`` ``"none"``).

>>> import pandas as pd
>>> parties = pd.DataFrame({"party_id": ["S", "A", "B", "W"],
...                         "kind": ["government", "corporate", "corporate", "corporate"]})
>>> holdings = pd.DataFrame({"owner_id": ["S", "A"], "owned_id": ["A", "B"],
...                          "equity_share": ["0.6", "0.7"]})
>>> ultimate_controllers(parties, holdings, as_of="2025-12-31")
  party_id controller_id controller_kind       path path_shares
0        A             S           state      S > A         0.6
1        B             S           state  S > A > B   0.6 > 0.7
2        S             S           state          S
3        W           NaN            none          W
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from bankcrm.calendar import as_date
from bankcrm.credit.groups import Inputs, check_policy, control_paths, run_control
from bankcrm.policy import stamp_provenance

__all__ = ["CONTROLLER_KINDS", "ultimate_controllers"]

#: The values of ``controller_kind``.
CONTROLLER_KINDS = ("person", "family", "concert", "state", "none")


def ultimate_controllers(
    parties: Any,
    holdings: Any,
    *,
    as_of: Any,
    control_arrangements: Any = None,
    person_ties: Any = None,
    concert_parties: Any = None,
    policy: Any = None,
    columns: Any = None,
) -> pd.DataFrame:
    """The actual controller(s) of every party (see the module text).

    Args:
        parties: as for :func:`~bankcrm.credit.identify_groups`.
        holdings: as for :func:`~bankcrm.credit.identify_groups`.
        as_of: as for :func:`~bankcrm.credit.identify_groups`.
        control_arrangements: as for :func:`~bankcrm.credit.identify_groups`.
        person_ties: as for :func:`~bankcrm.credit.identify_groups`.
        concert_parties: as for :func:`~bankcrm.credit.identify_groups`.
        policy: as for :func:`~bankcrm.credit.identify_groups`.
        columns: as for :func:`~bankcrm.credit.identify_groups`.

    Returns:
        ``party_id``, ``controller_id`` (missing when there is none), ``controller_kind``
        (``person``, ``family``, ``concert``, ``state`` or ``none``), ``path`` and
        ``path_shares`` (from the controlling unit's member on the path down to the party).
        One row per (party, controller): a family's every member is a controller. Sorted by
        party and controller; stamped with the policy.

    Raises:
        InputError: as :func:`~bankcrm.credit.identify_groups`.
    """
    group_policy = check_policy(policy)
    day = as_date(as_of, name="as_of")
    group_policy.control_rule(day)
    frames = {
        "parties": parties,
        "holdings": holdings,
        "control_arrangements": control_arrangements,
        "person_ties": person_ties,
        "concert_parties": concert_parties,
        "manual_links": None,
        "dependencies": None,
    }
    inputs = Inputs(frames, columns, group_policy, "ultimate_controllers")
    graph = run_control(inputs, group_policy, day, state_controls=True)
    ids = inputs.codes.ids
    n = len(ids)
    path, shares = control_paths(graph, ids, inputs.arrangement_kinds)
    apex_unit = inputs.unit[graph.root]
    unit_size = np.bincount(inputs.unit, minlength=n)
    # A unit controls as natural persons or the State when all its members are such.
    ultimate_member = inputs.is_person | inputs.is_state
    unit_ultimate = np.ones(n, dtype=bool)
    np.logical_and.at(unit_ultimate, inputs.unit, ultimate_member)
    has_controller = unit_ultimate[apex_unit]
    kind = np.full(n, "none", dtype=object)
    kind[has_controller & (unit_size[apex_unit] == 1) & inputs.is_person[graph.root]] = "person"
    kind[has_controller & inputs.is_state[graph.root]] = "state"
    multi = has_controller & (unit_size[apex_unit] >= 2)
    kind[multi] = np.where(inputs.concert[apex_unit[multi]], "concert", "family")
    # One row per (party, member of its controlling unit); a party with none gets one row.
    by_unit = np.argsort(inputs.unit, kind="stable")
    first_member = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(unit_size, out=first_member[1:])
    count = np.where(has_controller, unit_size[apex_unit], 1)
    p = np.repeat(np.arange(n, dtype=np.int64), count)
    offset = np.arange(len(p)) - np.repeat(np.cumsum(count) - count, count)
    member = by_unit[np.minimum(first_member[apex_unit[p]] + offset, n - 1)]
    c = np.where(has_controller[p], member, -1).astype(np.int64)
    controller = pd.array(
        [ids[x] if x >= 0 else None for x in c.tolist()],
        dtype="str" if inputs.codes.kind == "str" else "Int64",
    )
    frame = pd.DataFrame(
        {
            "party_id": ids[p],
            "controller_id": controller,
            "controller_kind": pd.array(kind[p], dtype="str"),
            "path": pd.array(path[p], dtype="str"),
            "path_shares": pd.array(shares[p], dtype="str"),
        }
    )
    if inputs.codes.kind == "str":
        frame["party_id"] = frame["party_id"].astype("str")
    order = np.lexsort((c, p))
    out: pd.DataFrame = frame.iloc[order].reset_index(drop=True)
    return stamp_provenance(out, group_policy.provenance(day))
