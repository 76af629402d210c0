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
import codecs
import csv
import io
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs
import pandas as pd

from bankcrm.errors import InputError, Rule
from bankcrm.identity.standardize import (
    INPUT_COLUMNS,
    StandardizePolicy,
    standardize,
)
from bankcrm.policy import load, read_provenance

__all__ = [
    "DETECTED_ENCODINGS",
    "add_identity_command",
    "add_standardize_command",
    "column_roles",
    "run_standardize",
]

#: The encodings tried, in order, when ``--encoding`` is not given.
DETECTED_ENCODINGS = ("utf-8-sig", "utf-8", "gb18030")


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


def _separator(text: str) -> str:
    if text in ("\\t", "tab", "TAB"):
        return "\t"
    if len(text) != 1:
        raise InputError(
            f"--sep must be one character (or \\t / tab), got {text!r}",
            column="--sep",
            rule=Rule.ARGUMENTS,
        )
    return text


def _decode_error(path: Path, raw: bytes, encoding: str, error: UnicodeDecodeError) -> InputError:
    line = raw.count(b"\n", 0, error.start) + 1
    bad = raw[error.start : error.start + 4].hex(" ")
    return InputError(
        f"{path.name}: line {line} is not {encoding} text (bytes {bad} at byte {error.start}); "
        "pass --encoding with the file's encoding (e.g. gb18030, utf-8, big5)",
        column="--encoding",
        rule=Rule.ENCODING,
    )


def _decode(path: Path, raw: bytes, encoding: str | None) -> tuple[str, str]:
    """The text of a CSV file and the encoding used: ``encoding``, or the first that fits."""
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise InputError(
                f"--encoding: unknown encoding {encoding!r} (try utf-8, gbk, gb18030)",
                column="--encoding",
                rule=Rule.ENCODING,
            ) from None
        try:
            return raw.decode(encoding), encoding
        except UnicodeDecodeError as error:
            raise _decode_error(path, raw, encoding, error) from None
    candidates = ("utf-8-sig",) if raw.startswith(codecs.BOM_UTF8) else DETECTED_ENCODINGS[1:]
    last: UnicodeDecodeError | None = None
    for candidate in candidates:
        try:
            return raw.decode(candidate), candidate
        except UnicodeDecodeError as error:
            last = error
    assert last is not None
    raise _decode_error(path, raw, " nor ".join(candidates), last) from None


def _csv_lines(text: str, sep: str, positions: Sequence[int]) -> list[int]:
    """The CSV line (1 = header) on which each data row at ``positions`` starts."""
    wanted = set(positions)
    found: dict[int, int] = {}
    reader = csv.reader(io.StringIO(text), delimiter=sep)
    line, row = 1, -1  # the header is row -1, on line 1
    for record in reader:
        if row == -1 or (record and not (len(record) == 1 and not record[0].strip())):
            if row in wanted:
                found[row] = line
            if len(found) == len(wanted):
                break
            row += 1
        line = reader.line_num + 1
    return [found.get(p, p + 2) for p in positions]


@attrs.frozen
class _Table:
    """A records file read: the frame, and for a CSV file its text and separator."""

    frame: pd.DataFrame
    text: str | None = None
    sep: str = ","

    def with_lines(self, error: InputError) -> InputError:
        """``error`` with its rows given as CSV line numbers (for a CSV file)."""
        if self.text is None or not error.positions:
            return error
        return InputError(
            f"{error.message} (rows are CSV line numbers; the header is line 1)",
            column=error.column,
            rule=error.rule,
            rows=_csv_lines(self.text, self.sep, list(error.positions)),
            n_rows=error.n_rows,
        )


def _read(path: Path, encoding: str | None, sep: str) -> _Table:
    if not path.exists():
        raise InputError(f"{path}: no such file", rule=Rule.FILE)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        text, used = _decode(path, path.read_bytes(), encoding)
        if encoding is None:
            print(f"bankcrm identity standardize: read {path.name} as {used}", file=sys.stderr)
        sep = _separator(sep)
        try:
            frame = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False)
        except (pd.errors.ParserError, pd.errors.EmptyDataError) as error:
            raise InputError(
                f"{path.name}: not a CSV file with separator {sep!r}: {error}".replace("\n", " "),
                rule=Rule.FILE,
            ) from None
        # An empty field is a missing value; every other field is kept as written.
        return _Table(frame.mask(frame == ""), text, sep)
    if suffix == ".parquet":
        return _Table(pd.read_parquet(path))
    raise InputError(f"{path.name}: use a .csv or .parquet file", rule=Rule.FILE)


def _write(frame: pd.DataFrame, path: Path) -> None:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        frame.to_csv(path, index=False)
    elif suffix == ".parquet":
        out = frame.copy(deep=False)
        out.attrs = {}  # provenance is printed, not embedded in the Parquet metadata
        out.to_parquet(path, index=False)
    else:
        raise InputError(f"{path.name}: use a .csv or .parquet file", rule=Rule.FILE)


def run_standardize(args: argparse.Namespace) -> int:
    """Run ``bankcrm identity standardize`` with parsed arguments; prints a report, returns 0."""
    out_path = Path(args.out)
    if out_path.suffix.lower() not in (".csv", ".parquet"):
        raise InputError(f"{out_path.name}: use a .csv or .parquet file", rule=Rule.FILE)
    policy = load(StandardizePolicy, args.policy) if args.policy else StandardizePolicy()
    roles = column_roles(args.columns)
    table = _read(Path(args.records), args.encoding, args.sep)
    try:
        out = standardize(table.frame, as_of=args.as_of, policy=policy, columns=roles or None)
    except InputError as error:
        raise table.with_lines(error) from None
    _write(out, out_path)
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
