"""Credit: group clients from ownership and control graphs (issue 12).

:func:`identify_groups` finds group clients (集团客户) as the guideline defines them — firms
that control or are controlled, by votes counted through controlled parties or by
arrangement, with relatives and concert parties as one controller — under an effective-dated
:class:`GroupPolicy` (Company Law 2018 "50 % or more" before 2024-07-01, 2023 "more than
50 %" from then). :func:`integrated_ownership` gives economic ownership through chains and
cross-holdings, and :func:`ultimate_controllers` the actual controller (实际控制人) of each
party. :func:`compare_group_snapshots` lists the structure changes between two group
snapshots (members new, gone or moved, apex changes, merges and splits, new cycles).
"""

from __future__ import annotations

from bankcrm.credit.controllers import ultimate_controllers
from bankcrm.credit.groups import identify_groups
from bankcrm.credit.ownership import integrated_ownership
from bankcrm.credit.policy import RELATIONS, ControlRule, GroupPolicy
from bankcrm.credit.snapshots import GroupChanges, compare_group_snapshots

__all__ = [
    "RELATIONS",
    "ControlRule",
    "GroupChanges",
    "GroupPolicy",
    "compare_group_snapshots",
    "identify_groups",
    "integrated_ownership",
    "ultimate_controllers",
]
