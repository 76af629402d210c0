"""Writing a synthetic bank to files: one file per frame plus a manifest of the settings.

CSV or Parquet (pyarrow is installed with bankcrm). Shares (Decimal) are written as
their exact decimal text in CSV and as a Parquet decimal column; dates as ISO text in CSV and
as Parquet timestamps (millisecond resolution: Parquet has no seconds unit).

>>> import tempfile, pathlib
>>> from bankcrm.datasets import synthetic_bank
>>> with tempfile.TemporaryDirectory() as tmp:
...     paths = write_bank(synthetic_bank(50, seed=1), tmp, file_format="csv")
...     sorted(p.name for p in paths.values())[:3]
['accounts.csv', 'balance_changes.csv', 'balances.csv']
"""

from __future__ import annotations

import json
from os import PathLike
from pathlib import Path
from typing import Literal

import pandas as pd

from bankcrm.datasets._bank import SyntheticBank
from bankcrm.errors import InputError

__all__ = ["FILE_FORMATS", "prepare_directory", "write_bank", "write_frame"]

FileFormat = Literal["parquet", "csv"]
FILE_FORMATS: tuple[str, ...] = ("parquet", "csv")


def prepare_directory(out_dir: object, *, name: str = "out_dir", create: bool = True) -> Path:
    """``out_dir`` as a Path to a directory, created if missing (unless ``create`` is False,
    which only checks that the path could be one, so that commands fail before long work).

    Raises:
        InputError: (rule ``path``) ``out_dir`` is not a path, is an existing file, or cannot be
            created; the message says why.
    """
    if not isinstance(out_dir, str | PathLike):
        raise InputError(
            f"must be a directory path, got {type(out_dir).__name__}", column=name, rule="path"
        )
    if not str(out_dir).strip():
        raise InputError("must be a directory path, got an empty one", column=name, rule="path")
    directory = Path(out_dir)
    blocking = next((p for p in (directory, *directory.parents) if p.exists()), None)
    if blocking is not None and not blocking.is_dir():
        raise InputError(f"{blocking} exists and is not a directory", column=name, rule="path")
    if not create:
        return directory
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(
            f"cannot create directory {directory}: {exc.strerror or exc}", column=name, rule="path"
        ) from None
    return directory


def write_frame(frame: pd.DataFrame, path: Path, file_format: FileFormat) -> Path:
    """Write one frame to ``path`` (the suffix is set from the format) and return the path."""
    target = path.with_suffix(f".{file_format}")
    if file_format == "parquet":
        frame.to_parquet(target, index=False)
    else:
        frame.to_csv(target, index=False)
    return target


def write_bank(
    bank: SyntheticBank, out_dir: str | Path, *, file_format: str = "parquet"
) -> dict[str, Path]:
    """Write every frame of ``bank`` into ``out_dir`` and a ``manifest.json`` of its settings.

    Args:
        bank: the generated bank.
        out_dir: the directory (created if missing).
        file_format: ``"parquet"`` or ``"csv"``.

    Returns:
        The written path of every frame, by frame name.

    Raises:
        InputError: ``bank`` is not a :class:`SyntheticBank`, an unknown format, or an output
            directory that is a file or cannot be written (rule ``path``).
    """
    if not isinstance(bank, SyntheticBank):
        raise InputError(
            f"must be a SyntheticBank, got {type(bank).__name__}", column="bank", rule="type"
        )
    if file_format not in FILE_FORMATS:
        raise InputError(
            f"must be one of {', '.join(FILE_FORMATS)}", column="file_format", rule="domain"
        )
    fmt: FileFormat = "parquet" if file_format == "parquet" else "csv"
    directory = prepare_directory(out_dir)
    try:
        paths = {
            name: write_frame(frame, directory / name, fmt) for name, frame in bank.frames().items()
        }
    except OSError as exc:
        raise InputError(
            f"cannot write into {directory}: {exc.strerror or exc}", column="out_dir", rule="path"
        ) from None
    manifest = {
        "generator": "bankcrm.datasets.synthetic_bank",
        "settings": bank.settings(),
        "format": fmt,
        "frames": {
            name: {"file": paths[name].name, "rows": len(frame), "columns": list(frame.columns)}
            for name, frame in bank.frames().items()
        },
    }
    (directory / "manifest.json").write_text(
        json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8"
    )
    return paths
