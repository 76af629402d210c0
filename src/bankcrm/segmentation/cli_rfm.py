"""The ``bankcrm rfm`` command: transactions file in, scored and segmented customers out.

::

    bankcrm rfm TRANSACTIONS --as-of DATE --out FILE [--edges FILE] [--refit]
                [--policy FILE] [--window DAYS] [--negatives exclude|net|raise]
                [--on-invalid raise|exclude]
                [--excluded FILE] [--segments POLICY] [--value-groups POLICY]
                [--customer-id COL] [--date COL] [--amount COL]

Files are CSV or Parquet, chosen by their suffix. The settings are an
:class:`~bankcrm.segmentation.RFMPolicy`: ``--policy FILE`` reads one (``.toml`` or
``.json``, see :func:`bankcrm.policy.load`), and ``--window``, ``--negatives`` and
``--on-invalid`` change one field of it (of the default policy without ``--policy``). With
``--edges FILE`` (``.json`` or ``.toml``): when the file exists its edges are reused (scoring
this period against last period's cut points); otherwise edges are fitted and saved there
(``--refit`` fits and overwrites). Customer ids are read as text from CSV so that leading
zeros survive.

>>> import argparse
>>> parser = argparse.ArgumentParser(prog="bankcrm")
>>> _ = add_rfm_command(parser.add_subparsers(dest="command"))
>>> args = parser.parse_args(["rfm", "tx.csv", "--as-of", "2026-03-31", "--out", "s.csv"])
>>> args.command, args.as_of, args.window
('rfm', '2026-03-31', None)
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import attrs
import pandas as pd

from bankcrm.errors import InputError, MissingDependencyError
from bankcrm.policy import load, load_policy
from bankcrm.segmentation.edges import RFMEdges, fit_rfm_edges
from bankcrm.segmentation.features import RFMPolicy, rfm_features
from bankcrm.segmentation.scoring import score_rfm
from bankcrm.segmentation.segments import SegmentMap, ValueGroupPolicy, assign_segments

__all__ = ["add_rfm_command", "cli_policy", "run_rfm"]


def add_rfm_command(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``rfm`` command to a ``bankcrm`` sub-parser set; it dispatches to :func:`run_rfm`.

    ``main`` can call ``args.handler(args)`` (set here with ``set_defaults``) or
    ``run_rfm(args)`` when ``args.command == "rfm"``.
    """
    rfm = subparsers.add_parser(
        "rfm",
        help="score customers by recency, frequency and monetary value",
        description="Score and segment customers from a transactions file (CSV or Parquet).",
    )
    rfm.add_argument("transactions", metavar="TRANSACTIONS", help="transactions .csv or .parquet")
    rfm.add_argument("--as-of", required=True, help="reference date YYYY-MM-DD")
    rfm.add_argument("--out", required=True, help="scores file to write (.csv or .parquet)")
    rfm.add_argument(
        "--edges", default=None, help="edges .json/.toml: reused if it exists, else saved"
    )
    rfm.add_argument("--refit", action="store_true", help="fit edges even if --edges exists")
    rfm.add_argument("--policy", default=None, help="RFM policy (.toml or .json)")
    rfm.add_argument("--window", type=int, default=None, help="count only the last N days")
    rfm.add_argument("--excluded", default=None, help="write excluded rows with reasons here")
    rfm.add_argument("--segments", default=None, help="segment map policy (.toml or .json)")
    rfm.add_argument("--value-groups", default=None, help="value group policy (.toml or .json)")
    rfm.add_argument("--customer-id", default="customer_id", help="customer id column")
    rfm.add_argument("--date", default="date", help="date column")
    rfm.add_argument("--amount", default="amount", help="amount column (yuan)")
    rfm.add_argument(
        "--negatives",
        choices=("exclude", "net", "raise"),
        default=None,
        help="negative amounts (default: the policy's, exclude)",
    )
    rfm.add_argument(
        "--on-invalid",
        choices=("raise", "exclude"),
        default=None,
        help="malformed rows (default: the policy's, raise)",
    )
    rfm.set_defaults(handler=run_rfm)
    return rfm  # type: ignore[no-any-return]


def _read(path: Path, id_column: str) -> pd.DataFrame:
    suffix = path.suffix.lower()
    if not path.exists():
        raise InputError(f"{path}: no such file", rule="file")
    if suffix == ".csv":
        return pd.read_csv(path, dtype={id_column: str})
    if suffix == ".parquet":
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise MissingDependencyError("Parquet files", "pyarrow", "parquet") from None
        return pd.read_parquet(path)
    raise InputError(f"{path.name}: use a .csv or .parquet file", rule="file")


def _write(frame: pd.DataFrame, path: Path) -> None:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        frame.to_csv(path, index=False)
    elif suffix == ".parquet":
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise MissingDependencyError("Parquet files", "pyarrow", "parquet") from None
        out = frame.copy(deep=False)
        out.attrs = {}  # provenance is printed, not embedded in the Parquet metadata
        out.to_parquet(path, index=False)
    else:
        raise InputError(f"{path.name}: use a .csv or .parquet file", rule="file")


def cli_policy(args: argparse.Namespace) -> RFMPolicy:
    """The policy of ``--policy`` (or the default), with the fields the options change.

    >>> ns = argparse.Namespace(policy=None, window=90, negatives=None, on_invalid="exclude")
    >>> policy = cli_policy(ns)
    >>> policy.window_days, policy.negatives, policy.on_invalid
    (90, 'exclude', 'exclude')
    """
    policy = load(RFMPolicy, args.policy) if args.policy else RFMPolicy()
    changes: dict[str, Any] = {}
    if args.window is not None:
        changes["window_days"] = args.window
    if args.negatives is not None:
        changes["negatives"] = args.negatives
    if args.on_invalid is not None:
        changes["on_invalid"] = args.on_invalid
    return attrs.evolve(policy, **changes) if changes else policy


def run_rfm(args: argparse.Namespace) -> int:
    """Run ``bankcrm rfm`` with parsed arguments; prints a short report, returns 0."""
    columns = {"customer_id": args.customer_id, "date": args.date, "amount": args.amount}
    policy = cli_policy(args)
    transactions = _read(Path(args.transactions), args.customer_id)
    result = rfm_features(
        transactions, as_of=args.as_of, policy=policy, columns={"transactions": columns}
    )
    edges_path = Path(args.edges) if args.edges else None
    if edges_path is not None and edges_path.exists() and not args.refit:
        edges = RFMEdges.load(edges_path)
        origin = f"reused edges from {edges_path} (as of {edges.as_of})"
    else:
        edges = fit_rfm_edges(result)
        origin = "fitted edges"
        if edges_path is not None:
            edges.save(edges_path)
            origin += f", saved to {edges_path}"
    segment_map = load_policy(SegmentMap, args.segments) if args.segments else None
    groups = load_policy(ValueGroupPolicy, args.value_groups) if args.value_groups else None
    scored = assign_segments(score_rfm(result, edges), segment_map, groups)
    _write(scored, Path(args.out))
    if args.excluded:
        _write(result.excluded.reset_index(names="row"), Path(args.excluded))
    counts = scored["segment"].value_counts()
    print(f"{len(transactions):,} rows, {len(result.excluded):,} excluded; {origin}")
    print(f"{len(scored):,} customers scored as of {result.as_of} -> {args.out}")
    for name, count in counts.items():
        print(f"  {name:<20} {count:>10,}")
    return 0
