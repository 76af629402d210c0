"""The ``bankcrm credit groups`` command: parties and holdings in, group clients out.

::

    bankcrm credit groups PARTIES HOLDINGS --as-of DATE --out DIR
        [--control-arrangements FILE] [--person-ties FILE] [--dependencies FILE]
        [--policy FILE] [--format csv|parquet] [--encoding ENC] [--sep SEP]

``PARTIES`` has ``party_id`` and ``kind``; ``HOLDINGS`` has ``owner_id``, ``owned_id`` and
``equity_share`` and/or ``voting_share`` (exact decimals: a CSV's text is parsed exactly); the
optional files are those of :func:`~bankcrm.credit.identify_groups`. ``--policy`` reads a
:class:`~bankcrm.credit.GroupPolicy` (``.toml`` or ``.json``). The command writes
``DIR/groups.<format>`` (the membership relation, with the control path of every member) and
``DIR/ultimate_controllers.<format>`` (:func:`~bankcrm.credit.ultimate_controllers`), and prints
a short summary. Files are CSV (any encoding; detected when not given) or Parquet; a bad row is
reported by its CSV line (the header is line 1).

>>> import argparse
>>> parser = argparse.ArgumentParser(prog="bankcrm")
>>> _ = add_credit_command(parser.add_subparsers(dest="command"))
>>> args = parser.parse_args(["credit", "groups", "parties.csv", "holdings.csv",
...                           "--as-of", "2025-12-31", "--out", "groups"])
>>> args.credit_command, args.as_of, args.format
('groups', '2025-12-31', 'csv')
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from bankcrm._files import TableFile, read_table, write_table
from bankcrm.calendar import as_date
from bankcrm.credit.controllers import ultimate_controllers
from bankcrm.credit.groups import identify_groups
from bankcrm.credit.policy import GroupPolicy
from bankcrm.datasets._io import prepare_directory
from bankcrm.errors import InputError
from bankcrm.policy import load

__all__ = ["add_credit_command", "add_groups_command", "run_groups"]

COMMAND = "bankcrm credit groups"

#: The optional files: option name → identify_groups parameter.
_OPTIONAL = {
    "control_arrangements": "--control-arrangements",
    "person_ties": "--person-ties",
    "dependencies": "--dependencies",
}


def add_credit_command(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``credit`` command group (with ``groups``) to ``bankcrm``'s sub-parsers."""
    credit = subparsers.add_parser(
        "credit",
        help="group clients from ownership and control (bankcrm credit groups …)",
        description="Credit commands: identify group clients.",
    )
    commands = credit.add_subparsers(dest="credit_command", metavar="COMMAND")
    add_groups_command(commands)
    return credit  # type: ignore[no-any-return]


def add_groups_command(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``groups`` to a ``credit`` sub-parser set; it dispatches to :func:`run_groups`."""
    command = subparsers.add_parser(
        "groups",
        help="group clients (集团客户) from parties, holdings and control ties",
        description="Identify group clients from PARTIES and HOLDINGS (and optional control "
        "arrangements, person ties and economic dependencies) as of a date; write the "
        "membership relation and the ultimate controllers to OUT.",
    )
    command.add_argument("parties", metavar="PARTIES", help="parties .csv or .parquet")
    command.add_argument("holdings", metavar="HOLDINGS", help="holdings .csv or .parquet")
    command.add_argument("--as-of", required=True, help="the decision date, YYYY-MM-DD")
    command.add_argument("--out", required=True, help="output directory (created if missing)")
    for option in _OPTIONAL.values():
        command.add_argument(option, default=None, metavar="FILE", help=".csv or .parquet")
    command.add_argument("--policy", default=None, help="GroupPolicy (.toml or .json)")
    command.add_argument(
        "--format", choices=("csv", "parquet"), default="csv", help="output format (default csv)"
    )
    command.add_argument(
        "--encoding", default=None, help="CSV encoding; default: detect utf-8-sig, utf-8, gb18030"
    )
    command.add_argument("--sep", default=",", help="CSV field separator (default ','; \\t or tab)")
    command.set_defaults(handler=run_groups)
    return command  # type: ignore[no-any-return]


def _read(path: str, args: argparse.Namespace) -> TableFile:
    return read_table(Path(path), command=COMMAND, encoding=args.encoding, sep=args.sep)


def _with_lines(error: InputError, files: dict[str, TableFile]) -> InputError:
    """The error with its rows as CSV lines of the file its message names (``holdings: …``)."""
    for name, table in files.items():
        if error.message.startswith(f"{name}:") or error.message.startswith(f"{name} "):
            return table.with_lines(error)
    return error


def run_groups(args: argparse.Namespace) -> int:
    """Run ``bankcrm credit groups`` with parsed arguments; prints a summary, returns 0."""
    policy = GroupPolicy() if args.policy is None else load(GroupPolicy, args.policy)
    out_dir = prepare_directory(args.out, name="--out", create=False)  # fail before the work
    files = {"parties": _read(args.parties, args), "holdings": _read(args.holdings, args)}
    for name in _OPTIONAL:
        path = getattr(args, name)
        if path is not None:
            files[name] = _read(path, args)
    frames = {name: table.frame for name, table in files.items()}
    try:
        groups = identify_groups(
            frames["parties"],
            frames["holdings"],
            as_of=args.as_of,
            control_arrangements=frames.get("control_arrangements"),
            person_ties=frames.get("person_ties"),
            dependencies=frames.get("dependencies"),
            policy=policy,
        )
        controllers = ultimate_controllers(
            frames["parties"],
            frames["holdings"],
            as_of=args.as_of,
            control_arrangements=frames.get("control_arrangements"),
            person_ties=frames.get("person_ties"),
            policy=policy,
        )
    except InputError as error:
        raise _with_lines(error, files) from None
    out_dir = prepare_directory(out_dir, name="--out", create=True)
    suffix = "." + args.format
    groups_path = out_dir / f"groups{suffix}"
    controllers_path = out_dir / f"ultimate_controllers{suffix}"
    write_table(groups, groups_path)
    write_table(controllers, controllers_path)
    sizes = groups.groupby("group_id")["party_id"].nunique()
    rule = policy.control_rule(as_date(args.as_of, name="as_of"))
    print(
        f"{groups['party_id'].nunique():,} parties in {len(sizes):,} groups as of "
        f"{args.as_of} ({policy.name} {policy.version}; control: votes {rule.threshold}) -> "
        f"{groups_path}"
    )
    if len(sizes):
        largest = sizes.sort_values(ascending=False, kind="stable").index[0]
        print(
            f"  {int((sizes >= 2).sum()):,} groups of two or more parties; the largest, "
            f"{largest}, has {int(sizes.max()):,}"
        )
    roles = groups["role"].value_counts()
    print("  roles: " + ", ".join(f"{role} {int(n):,}" for role, n in roles.items()))
    found = controllers.drop_duplicates("party_id")["controller_kind"].value_counts()
    print(
        f"{controllers['party_id'].nunique():,} parties' ultimate controllers -> "
        f"{controllers_path} (" + ", ".join(f"{kind} {int(n):,}" for kind, n in found.items()) + ")"
    )
    return 0
