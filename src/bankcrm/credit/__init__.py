"""Credit: group clients from ownership and control graphs (issue 12).

:func:`identify_groups` finds group clients (集团客户) as the guideline defines them — firms
that control or are controlled, by votes counted through controlled parties or by
arrangement, with relatives and concert parties as one controller — under an effective-dated
:class:`GroupPolicy` (Company Law 2018 "50 % or more" before 2024-07-01, 2023 "more than
50 %" from then). :func:`integrated_ownership` gives economic ownership through chains and
cross-holdings, and :func:`ultimate_controllers` the actual controller (实际控制人) of each
party.
"""

from __future__ import annotations

from bankcrm.credit.controllers import ultimate_controllers
from bankcrm.credit.groups import identify_groups
from bankcrm.credit.ownership import integrated_ownership
from bankcrm.credit.policy import RELATIONS, ControlRule, GroupPolicy

__all__ = [
    "RELATIONS",
    "ControlRule",
    "GroupPolicy",
    "identify_groups",
    "integrated_ownership",
    "ultimate_controllers",
]
