"""The ``bankcrm identity standardize`` command: customer records in, standardised records out.

::

    bankcrm identity standardize RECORDS --as-of DATE --out FILE
                                 [--encoding ENC] [--sep SEP] [--policy FILE]
                                 [--columns ROLE=NAME ...]

``RECORDS`` and ``FILE`` are CSV or Parquet, chosen by their suffix. Every CSV column is read as
text, so id numbers and phones keep their leading zeros and digits. A CSV file is read in
``--encoding`` (any Python codec: ``utf-8``, ``gbk``, ``gb18030`` …); without it the encoding
is detected — UTF-8 with a byte-order mark, UTF-8, then GB18030 (a superset of GBK and GB2312,
what Excel on a Chinese Windows writes) — and the one used is said on stderr. ``--sep`` is the
field separator (``,`` by default; ``\\t`` or ``tab`` for tabs).

``--policy FILE`` reads a :class:`~bankcrm.identity.standardize.StandardizePolicy` (``.toml``
or ``.json``, see :func:`bankcrm.policy.load`), for example a bank's id type aliases.
``--columns`` maps roles to the file's own column names (``--columns id_number=cert_no
phone=mobile``). The output is the input with the columns of
:func:`~bankcrm.identity.standardize.standardize` added; a short report goes to stdout.

Errors (a missing file or column, text that is not in the encoding, a bad policy file, a bad
value in a row) are one line on stderr with exit status 2; rows of a CSV file are cited by their
**CSV line numbers** (the header is line 1).

>>> import argparse
>>> parser = argparse.ArgumentParser(prog="bankcrm")
>>> _ = add_identity_command(parser.add_subparsers(dest="command"))
>>> args = parser.parse_args(["identity", "standardize", "records.csv", "--as-of", "2026-06-30",
...                           "--out", "out.parquet", "--columns", "id_number=cert_no"])
>>> args.identity_command, args.as_of, column_roles(args.columns)
('standardize', '2026-06-30', {'id_number': 'cert_no'})
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bankcrm._files import read_table, write_table
from bankcrm.errors import InputError, Rule
from bankcrm.identity.standardize import (
    INPUT_COLUMNS,
    StandardizePolicy,
    standardize,
)
from bankcrm.policy import load, read_provenance

__all__ = [
    "add_identity_command",
    "add_standardize_command",
    "column_roles",
    "run_standardize",
]


def add_identity_command(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``identity`` command group (with ``standardize``) to ``bankcrm``'s sub-parsers."""
    identity = subparsers.add_parser(
        "identity",
        help="validate and standardise customer records",
        description="Identity commands: standardise customer records.",
    )
    commands = identity.add_subparsers(dest="identity_command", metavar="COMMAND")
    add_standardize_command(commands)
    return identity  # type: ignore[no-any-return]


def add_standardize_command(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``standardize`` to an ``identity`` sub-parser set; it dispatches to
    :func:`run_standardize` through ``handler`` (set with ``set_defaults``)."""
    command = subparsers.add_parser(
        "standardize",
        help="canonical ids, validity, name keys and address parts of customer records",
        description="Standardise a customer records file (CSV or Parquet): canonical ids, "
        "validity and reasons, mobile numbers, name keys, address parts and birth date / "
        "gender cross-checks.",
    )
    command.add_argument("records", metavar="RECORDS", help="records .csv or .parquet")
    command.add_argument("--as-of", required=True, help="the date judged on, YYYY-MM-DD")
    command.add_argument("--out", required=True, help="file to write (.csv or .parquet)")
    command.add_argument(
        "--encoding",
        default=None,
        help="CSV text encoding (utf-8, gbk, gb18030 …); default: detect utf-8-sig, utf-8, gb18030",
    )
    command.add_argument("--sep", default=",", help="CSV field separator (default ','; \\t or tab)")
    command.add_argument("--policy", default=None, help="StandardizePolicy (.toml or .json)")
    command.add_argument(
        "--columns",
        nargs="+",
        default=None,
        metavar="ROLE=NAME",
        help=f"the file's column for a role ({', '.join(INPUT_COLUMNS)})",
    )
    command.set_defaults(handler=run_standardize)
    return command  # type: ignore[no-any-return]


def column_roles(pairs: Sequence[str] | None) -> dict[str, str]:
    """``--columns`` as a ``{role: name}`` mapping (roles are checked by ``standardize``).

    >>> column_roles(["id_number=cert_no", "phone = mobile"])
    {'id_number': 'cert_no', 'phone': 'mobile'}

    Raises:
        InputError: rule ``arguments`` for an item without ``=`` or a role given twice.
    """
    roles: dict[str, str] = {}
    for pair in pairs or ():
        role, equals, name = pair.partition("=")
        role, name = role.strip(), name.strip()
        if not equals or not role or not name:
            raise InputError(
                f"--columns: expected ROLE=NAME, got {pair!r}",
                column="--columns",
                rule=Rule.ARGUMENTS,
            )
        if role in roles:
            raise InputError(
                f"--columns: role {role!r} given twice", column="--columns", rule=Rule.ARGUMENTS
            )
        roles[role] = name
    return roles


def run_standardize(args: argparse.Namespace) -> int:
    """Run ``bankcrm identity standardize`` with parsed arguments; prints a report, returns 0."""
    out_path = Path(args.out)
    if out_path.suffix.lower() not in (".csv", ".parquet"):
        raise InputError(f"{out_path.name}: use a .csv or .parquet file", rule=Rule.FILE)
    policy = load(StandardizePolicy, args.policy) if args.policy else StandardizePolicy()
    roles = column_roles(args.columns)
    table = read_table(
        Path(args.records),
        command="bankcrm identity standardize",
        encoding=args.encoding,
        sep=args.sep,
    )
    try:
        out = standardize(table.frame, as_of=args.as_of, policy=policy, columns=roles or None)
    except InputError as error:
        raise table.with_lines(error) from None
    write_table(out, out_path)
    provenance = read_provenance(out)[0]
    n = len(out)
    print(f"{n:,} records standardised as of {provenance.as_of} -> {out_path}")
    print(f"  policy {provenance.policy_name} {provenance.policy_version}")
    print(f"  valid ids     {int(out['id_valid'].sum()):>12,}")
    print(f"  valid phones  {int(out['phone_valid'].sum()):>12,}")
    reasons = out["id_reason"].value_counts()
    for reason, count in reasons.items():
        print(f"  id {reason:<18} {count:>10,}")
    return 0
