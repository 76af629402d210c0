r"""Table files for the command line: CSV (any encoding, any separator) or Parquet, in and out.

The ``bankcrm`` commands read their input through :func:`read_table` and write through
:func:`write_table`, so every command takes the same ``--encoding`` and ``--sep`` and reports
a bad row by its CSV line number (the header is line 1) rather than a frame position.

Without ``--encoding`` a UTF-8 byte-order mark means ``utf-8-sig``; else UTF-8, else GB18030
(which also reads GBK and GB2312, what Chinese spreadsheet software writes).

>>> decode_csv(Path("tx.csv"), "客户,金额\n".encode("gbk"), None)
('客户,金额\n', 'gb18030')
>>> decode_csv(Path("tx.csv"), b"\xef\xbb\xbfid\n", None)
('id\n', 'utf-8-sig')
>>> csv_lines("id,amount\n1,2\n\n3,\"4\n5\"\n6,7\n", ",", [0, 1, 2])
[2, 4, 6]
"""

from __future__ import annotations

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

__all__ = [
    "DETECTED_ENCODINGS",
    "TableFile",
    "csv_lines",
    "decode_csv",
    "read_table",
    "separator",
    "write_table",
]

#: The encodings tried, in order, when ``--encoding`` is not given.
DETECTED_ENCODINGS = ("utf-8-sig", "utf-8", "gb18030")


def separator(text: str) -> str:
    r"""The one-character CSV separator ``--sep`` names (``\t`` or ``tab`` for a tab)."""
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


def decode_csv(path: Path, raw: bytes, encoding: str | None) -> tuple[str, str]:
    """The text of a CSV file and the encoding used: ``encoding``, or the first that fits.

    Raises:
        InputError: rule ``encoding`` (one line: file, encoding, line and bytes), or an
            unknown codec name.
    """
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


def csv_lines(text: str, sep: str, positions: Sequence[int]) -> list[int]:
    """The CSV line (1 = header) on which each data row at ``positions`` starts.

    Blank lines are skipped as the reader skips them; a quoted field may span lines.
    """
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
class TableFile:
    """A table file read: the frame and, for a CSV file, its text and separator."""

    frame: pd.DataFrame
    text: str | None = None
    sep: str = ","

    def lines(self, positions: Sequence[int]) -> list[int]:
        """The CSV line numbers of rows at ``positions`` (the positions for a Parquet file)."""
        if self.text is None:
            return [int(p) for p in positions]
        return csv_lines(self.text, self.sep, positions)

    def with_lines(self, error: InputError) -> InputError:
        """``error`` with its rows given as CSV line numbers (for a CSV file)."""
        if self.text is None:
            return error
        positions = list(error.positions) or [r for r in error.rows if isinstance(r, int)]
        if not positions:
            return error
        return InputError(
            f"{error.message} (rows are CSV line numbers; the header is line 1)",
            column=error.column,
            rule=error.rule,
            rows=self.lines(positions),
            n_rows=error.n_rows,
        )


def read_table(
    path: Path,
    *,
    command: str,
    encoding: str | None = None,
    sep: str = ",",
    text_columns: Sequence[str] | None = None,
) -> TableFile:
    """Read a ``.csv`` or ``.parquet`` file; says on stderr which encoding a CSV was read as.

    Args:
        path: the file.
        command: the command's name, for the stderr line (``"bankcrm rfm"``).
        encoding: the CSV's encoding, or ``None`` to detect it.
        sep: the CSV separator (see :func:`separator`).
        text_columns: CSV columns read as text, or ``None`` for every column (an empty field
            is then a missing value and every other field is kept as written).

    Raises:
        InputError: rule ``file`` (no such file, unknown suffix, not a CSV), ``encoding``.
    """
    if not path.exists():
        raise InputError(f"{path}: no such file", rule=Rule.FILE)
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return TableFile(pd.read_parquet(path))
    if suffix != ".csv":
        raise InputError(f"{path.name}: use a .csv or .parquet file", rule=Rule.FILE)
    text, used = decode_csv(path, path.read_bytes(), encoding)
    if encoding is None:
        print(f"{command}: read {path.name} as {used}", file=sys.stderr)
    sep = separator(sep)
    options: dict[str, Any] = (
        {"dtype": str, "keep_default_na": False}
        if text_columns is None
        else {"dtype": dict.fromkeys(text_columns, str)}
    )
    try:
        frame = pd.read_csv(io.StringIO(text), sep=sep, **options)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        raise InputError(
            f"{path.name}: not a CSV file with separator {sep!r}: {error}".replace("\n", " "),
            rule=Rule.FILE,
        ) from None
    if text_columns is None:
        frame = frame.mask(frame == "")
    return TableFile(frame, text, sep)


def write_table(frame: pd.DataFrame, path: Path) -> None:
    """Write ``frame`` as ``.csv`` or ``.parquet`` (provenance is printed, not embedded)."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        frame.to_csv(path, index=False)
    elif suffix == ".parquet":
        out = frame.copy(deep=False)
        out.attrs = {}
        out.to_parquet(path, index=False)
    else:
        raise InputError(f"{path.name}: use a .csv or .parquet file", rule=Rule.FILE)
