"""Column roles: ``columns={role: name}`` for one frame, ``{frame: {role: name}}`` for several.

A public function names the columns it reads by *role* (``customer_id``, ``date``,
``amount``); a caller whose frame calls them something else passes ``columns=``. These two
helpers are the only readers of that argument (contract rule 2, ``docs/conventions.md``):

* :func:`column_names` checks the mapping (a mapping of known roles to hashable labels, no
  label given to two roles) and returns every role's column name;
* :func:`require_columns` checks a frame holds them and reports **all** missing columns in one
  :class:`~bankcrm.errors.InputError` (rule ``required``), with their roles and the columns
  that are there.

>>> names = column_names({"customer_id": "cust_no"}, ("customer_id", "date"), where="rfm")
>>> names
{'customer_id': 'cust_no', 'date': 'date'}
>>> import pandas as pd
>>> require_columns(pd.DataFrame({"cust_no": [1], "amount": [2]}), names, where="transactions")
Traceback (most recent call last):
...
bankcrm.errors.InputError: column 'date': transactions: missing required column(s) \
['date' (role date)]; available: ['cust_no', 'amount'] [rule: required]
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Iterable, Mapping
from typing import Any

import pandas as pd

from bankcrm._values import safe_label
from bankcrm.errors import InputError

__all__ = ["column_names", "column_names_by_frame", "require_columns"]

#: How many available column labels a "missing column" message lists.
_AVAILABLE_SHOWN = 30


def column_names(columns: Any, roles: Iterable[str], *, where: str) -> dict[str, Any]:
    """Every role's column name: the caller's ``columns`` over the role names themselves.

    Raises:
        InputError: rule ``roles`` for a non-mapping, an unknown role, an unhashable label or
            one label given to two roles.
    """
    known = tuple(roles)
    names: dict[str, Any] = {role: role for role in known}
    if columns is None:
        return names
    if not isinstance(columns, Mapping):
        raise InputError(
            f"{where}: columns must map roles to column names, got {type(columns).__name__}",
            column="columns",
            rule="roles",
        )
    unknown = sorted(str(r) for r in columns if r not in names)
    if unknown:
        raise InputError(
            f"{where}: unknown role(s) {unknown} in columns; the roles are {list(known)}",
            column="columns",
            rule="roles",
        )
    for role, label in columns.items():
        if not isinstance(label, Hashable) or label is None:
            raise InputError(
                f"{where}: the column for role {role!r} must be a column label, got "
                f"{type(label).__name__}",
                column="columns",
                rule="roles",
            )
        names[role] = label
    _check_distinct(names, where)
    return names


def _check_distinct(names: Mapping[str, Any], where: str) -> None:
    seen: dict[Any, str] = {}
    for role, label in names.items():
        if label in seen:
            raise InputError(
                f"{where}: roles {seen[label]!r} and {role!r} both name column "
                f"{safe_label(label)!r}; each role needs its own column",
                column="columns",
                rule="roles",
            )
        seen[label] = role


def column_names_by_frame(
    columns: Any, roles: Mapping[str, Iterable[str]], *, where: str
) -> dict[str, dict[str, Any]]:
    """Per frame parameter, every role's column name (``columns={frame: {role: name}}``).

    Examples:
        >>> column_names_by_frame(
        ...     {"customers": {"customer_id": "cid"}},
        ...     {"transactions": ("customer_id", "date"), "customers": ("customer_id",)},
        ...     where="rfm",
        ... )["customers"]
        {'customer_id': 'cid'}

    Raises:
        InputError: rule ``roles`` for an unknown frame parameter or a bad inner mapping.
    """
    if columns is None:
        columns = {}
    if not isinstance(columns, Mapping):
        raise InputError(
            f"{where}: columns must map frame parameters ({list(roles)}) to "
            f"{{role: column}} mappings, got {type(columns).__name__}",
            column="columns",
            rule="roles",
        )
    unknown = sorted(str(f) for f in columns if f not in roles)
    if unknown:
        raise InputError(
            f"{where}: unknown frame parameter(s) {unknown} in columns; the frames are "
            f"{list(roles)}",
            column="columns",
            rule="roles",
        )
    return {
        frame: column_names(columns.get(frame), frame_roles, where=f"{where}: {frame}")
        for frame, frame_roles in roles.items()
    }


def require_columns(
    frame: pd.DataFrame,
    names: Mapping[str, Any],
    *,
    where: str,
    optional: Collection[str] = (),
) -> None:
    """Raise one error listing every role whose column ``frame`` lacks (``optional`` aside).

    Raises:
        InputError: rule ``required``; the message lists the missing columns with their roles
            and the columns that are there.
    """
    present = set(frame.columns)
    missing = [
        (role, label)
        for role, label in names.items()
        if role not in optional and label not in present
    ]
    if not missing:
        return
    shown = ", ".join(f"{safe_label(label)!r} (role {role})" for role, label in missing)
    labels = [safe_label(label) for label in frame.columns[:_AVAILABLE_SHOWN]]
    more = len(frame.columns) - _AVAILABLE_SHOWN
    tail = f" and {more} more" if more > 0 else ""
    raise InputError(
        f"{where}: missing required column(s) [{shown}]; available: {labels}{tail}",
        column=str(missing[0][1]),
        rule="required",
    )
