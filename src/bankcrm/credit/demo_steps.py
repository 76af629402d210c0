"""The credit step of ``bankcrm demo`` (listed in :data:`bankcrm.demo.STEPS`).

Group clients (集团客户) found on the synthetic bank's parties, holdings, control arrangements and
person ties at its reporting date, compared with the generator's ``groups`` truth as partitions
(group ids ignored: how many groups each side has, how many are exactly equal); the control
paths of the largest group, the way a credit officer reads them; and the structure changes
since the day before the Company Law 2023 threshold ("more than 50 %") took effect
(:func:`~bankcrm.credit.compare_group_snapshots`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from bankcrm.credit.groups import identify_groups
from bankcrm.credit.snapshots import compare_group_snapshots
from bankcrm.demo import DemoContext, StepOutcome

__all__ = ["control_paths_of", "groups_step", "partition_agreement"]

#: The earlier snapshot the demo compares with: the last day of the 2018 threshold.
OLD_LAW_DAY = dt.date(2024, 6, 30)

#: How many control paths of the largest group the summary shows.
PATHS_SHOWN = 8


def _partition(groups: pd.DataFrame) -> set[frozenset[Any]]:
    return set(groups.groupby("group_id")["party_id"].agg(frozenset))


def partition_agreement(found: pd.DataFrame, truth: pd.DataFrame) -> dict[str, int]:
    """Groups found, true groups, and groups with exactly the same members (ids ignored).

    >>> found = pd.DataFrame({"party_id": ["a", "b", "c"], "group_id": ["a", "a", "c"]})
    >>> truth = pd.DataFrame({"party_id": ["a", "b", "c"], "group_id": ["G1", "G1", "G1"]})
    >>> partition_agreement(found, truth)
    {'found': 2, 'true': 1, 'equal': 0}
    """
    mine, theirs = _partition(found), _partition(truth)
    return {"found": len(mine), "true": len(theirs), "equal": len(mine & theirs)}


def control_paths_of(groups: pd.DataFrame, group_id: Any) -> list[str]:
    """The members of one group with their control paths and shares, apex first.

    >>> groups = pd.DataFrame({"party_id": ["A", "P"], "group_id": ["P", "P"],
    ...                        "role": ["member", "controller"], "path": ["P > A", "P"],
    ...                        "path_shares": ["0.6", ""], "basis": ["votes", "apex"]})
    >>> control_paths_of(groups, "P")
    ['P (controller)', 'P > A (member, votes 0.6)']
    """
    rows = groups[groups["group_id"] == group_id]
    rows = rows.assign(_depth=rows["path"].str.count(" > ")).sort_values(
        ["_depth", "path"], kind="stable"
    )
    lines = []
    for row in rows.itertuples(index=False):
        shares = f", {row.basis} {row.path_shares}" if row.path_shares else ""
        lines.append(f"{row.path} ({row.role}{shares})")
    return lines


def groups_step(ctx: DemoContext) -> StepOutcome:
    """Identify the groups; compare with the truth; show the largest; list the changes."""
    bank = ctx.require_bank()

    def groups_at(day: dt.date) -> pd.DataFrame:
        return identify_groups(
            bank.parties,
            bank.holdings,
            as_of=day,
            control_arrangements=bank.control_arrangements,
            person_ties=bank.person_ties,
        )

    found = groups_at(ctx.as_of)
    earlier = groups_at(OLD_LAW_DAY)
    changes = compare_group_snapshots(earlier, found)
    agreement = partition_agreement(found, bank.groups)
    sizes = found.groupby("group_id")["party_id"].nunique()
    largest = sizes.sort_values(ascending=False, kind="stable").index[0] if len(sizes) else None
    ctx.results["credit_groups"] = found
    ctx.results["credit_group_changes"] = changes
    ctx.results["credit_partition_agreement"] = agreement
    ctx.add_output("credit_groups", found)
    ctx.add_output("credit_group_changes", changes.changes)
    lines = [
        f"{found['party_id'].nunique():,} parties in {agreement['found']:,} groups as of "
        f"{ctx.as_of} ({int((sizes >= 2).sum()):,} of two or more parties)",
        f"against the generator's truth: {agreement['equal']:,} of {agreement['true']:,} true "
        f"groups found exactly (ids ignored)",
    ]
    if largest is not None:
        paths = control_paths_of(found, largest)
        lines.append(f"largest group {largest}, {int(sizes[largest]):,} parties; control paths:")
        lines += [f"  {path}" for path in paths[:PATHS_SHOWN]]
        if len(paths) > PATHS_SHOWN:
            lines.append(f"  … and {len(paths) - PATHS_SHOWN:,} more (credit_groups)")
    counts = changes.counts()
    counts = counts[counts > 0]
    lines.append(
        f"structure changes since {OLD_LAW_DAY} (Company Law 2018 threshold): "
        + (", ".join(f"{kind} {int(n):,}" for kind, n in counts.items()) or "none")
    )
    return StepOutcome(tuple(lines))
