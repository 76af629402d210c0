"""The ``bankcrm rfm`` command: transactions file in, scored and segmented customers out.

::

    bankcrm rfm TRANSACTIONS --as-of DATE --out FILE [--edges FILE] [--refit]
                [--encoding ENC] [--sep SEP]
                [--policy FILE] [--window DAYS] [--negatives exclude|net|raise]
                [--on-invalid raise|exclude] [--bins N] [--weights R,F,M] [--by COLUMN]
                [--monetary sum|mean] [--frequency count|active_days]
                [--empty-group raise|fallback]
                [--excluded FILE] [--segments POLICY] [--value-groups POLICY]
                [--customer-id COL] [--date COL] [--amount COL]

Files are CSV or Parquet, chosen by their suffix. A CSV file is read in ``--encoding`` (any
Python codec: ``utf-8``, ``gbk``, ``gb18030`` …); without it the encoding is detected: UTF-8
with a byte-order mark (``utf-8-sig``), UTF-8, then GB18030 (a superset of GBK and GB2312,
what Excel on a Chinese Windows writes), and the one used is said on stderr. Text that is not
in the encoding is one error line (exit status 2) naming the file, the encoding, the line and
the byte. ``--sep`` is the field separator (``,`` by default; ``\\t`` or ``tab`` for tabs).
Errors about bad rows of a CSV file give their **CSV line numbers** (the header is line 1),
and the ``--excluded`` file has a ``line`` column.

The settings are an :class:`~bankcrm.segmentation.RFMPolicy`: ``--policy FILE`` reads one
(``.toml`` or ``.json``, see :func:`bankcrm.policy.load`), and each other policy option
changes one field of it (of the default policy without ``--policy``). With ``--edges FILE``
(``.json`` or ``.toml``): when the file exists its edges are reused (scoring this period
against last period's cut points); otherwise edges are fitted and saved there (``--refit``
fits and overwrites). Customer ids are read as text from CSV so that leading zeros survive.

>>> import argparse
>>> parser = argparse.ArgumentParser(prog="bankcrm")
>>> _ = add_rfm_command(parser.add_subparsers(dest="command"))
>>> args = parser.parse_args(["rfm", "tx.csv", "--as-of", "2026-03-31", "--out", "s.csv",
...                           "--weights", "2,1,1", "--by", "branch"])
>>> args.command, args.as_of, args.window, args.encoding
('rfm', '2026-03-31', None, None)
>>> policy = cli_policy(args)
>>> policy.weights, policy.by, policy.bins
((2, 1, 1), 'branch', 5)
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import pandas as pd

from bankcrm._files import TableFile, read_table, write_table
from bankcrm.errors import InputError, PolicyError, Rule
from bankcrm.policy import load, load_policy, save
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
    rfm.add_argument(
        "--encoding",
        default=None,
        help="CSV text encoding (utf-8, gbk, gb18030 …); default: detect utf-8-sig, utf-8, gb18030",
    )
    rfm.add_argument("--sep", default=",", help="CSV field separator (default ','; \\t or tab)")
    rfm.add_argument("--policy", default=None, help="RFM policy (.toml or .json)")
    rfm.add_argument("--bins", type=int, default=None, help="scores per dimension, 2..9")
    rfm.add_argument(
        "--weights", default=None, metavar="R,F,M", help="integer weights of the total, e.g. 2,1,1"
    )
    rfm.add_argument("--by", default=None, metavar="COLUMN", help="fit edges per group")
    rfm.add_argument("--monetary", choices=("sum", "mean"), default=None, help="amount measure")
    rfm.add_argument(
        "--frequency", choices=("count", "active_days"), default=None, help="frequency measure"
    )
    rfm.add_argument(
        "--empty-group",
        choices=("raise", "fallback"),
        default=None,
        help="with --by, a group without transactions: raise, or use the pooled cuts",
    )
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


def _weights(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in text.replace(" ", "").split(","))
    except ValueError:
        raise InputError(
            f"--weights: three whole numbers R,F,M such as 2,1,1, got {text!r}",
            column="--weights",
            rule=Rule.ARGUMENTS,
        ) from None


#: Option → :class:`RFMPolicy` field, for the options that change one field.
POLICY_OPTIONS = {
    "window": "window_days",
    "negatives": "negatives",
    "on_invalid": "on_invalid",
    "bins": "bins",
    "weights": "weights",
    "by": "by",
    "monetary": "monetary",
    "frequency": "frequency",
    "empty_group": "empty_group",
}


def cli_policy(args: argparse.Namespace) -> RFMPolicy:
    """The policy of ``--policy`` (or the default), with the fields the options change.

    >>> ns = argparse.Namespace(policy=None, window=90, negatives=None, on_invalid="exclude")
    >>> policy = cli_policy(ns)
    >>> policy.window_days, policy.negatives, policy.on_invalid
    (90, 'exclude', 'exclude')

    Raises:
        InputError: an option value the policy refuses (rule ``arguments``, naming it).
    """
    policy = load(RFMPolicy, args.policy) if args.policy else RFMPolicy()
    changes: dict[str, Any] = {}
    for option, field in POLICY_OPTIONS.items():
        value = getattr(args, option, None)
        if value is not None:
            changes[field] = _weights(value) if option == "weights" else value
    if not changes:
        return policy
    try:
        return attrs.evolve(policy, **changes)
    except PolicyError as error:
        raise InputError(f"bad option: {error}", rule=Rule.ARGUMENTS) from None


def _with_groups(
    features: pd.DataFrame, transactions: pd.DataFrame, id_column: str, by: str, table: TableFile
) -> pd.DataFrame:
    """The features with each customer's ``by`` value (e.g. branch) from the transactions.

    Raises:
        InputError: for a missing ``by`` column, or a customer with two values (rule
            ``domain``, citing the lines).
    """
    if by not in transactions.columns:
        raise InputError(
            f"--by {by}: no such column in the transactions; available: "
            f"{list(map(str, transactions.columns))}",
            column=by,
            rule=Rule.REQUIRED,
        )
    pairs = transactions[[id_column, by]].drop_duplicates()
    repeated = pairs[id_column].duplicated(keep=False).to_numpy()
    if repeated.any():
        positions = [int(p) for p in pairs.index[repeated][:5]]
        raise InputError(
            f"--by {by}: a customer has more than one {by} value; the edges group customers, "
            "so each needs one (rows are CSV line numbers; the header is line 1)",
            column=by,
            rule=Rule.DOMAIN,
            rows=table.lines(positions),
        )
    groups = pairs.set_index(id_column)[by]
    return features.assign(**{by: features["customer_id"].map(groups).to_numpy()})


def run_rfm(args: argparse.Namespace) -> int:
    """Run ``bankcrm rfm`` with parsed arguments; prints a short report, returns 0."""
    columns = {"customer_id": args.customer_id, "date": args.date, "amount": args.amount}
    policy = cli_policy(args)
    table = read_table(
        Path(args.transactions),
        command="bankcrm rfm",
        encoding=getattr(args, "encoding", None),
        sep=getattr(args, "sep", ","),
        text_columns=[args.customer_id],
    )
    transactions = table.frame
    try:
        result = rfm_features(
            transactions, as_of=args.as_of, policy=policy, columns={"transactions": columns}
        )
    except InputError as error:
        raise table.with_lines(error) from None
    features = result.features
    if policy.by is not None:
        features = _with_groups(features, transactions, args.customer_id, policy.by, table)
    edges_path = Path(args.edges) if args.edges else None
    if edges_path is not None and edges_path.exists() and not args.refit:
        edges = load(RFMEdges, edges_path)
        origin = f"reused edges from {edges_path} (as of {edges.as_of})"
    else:
        edges = fit_rfm_edges(features, policy=policy)
        origin = "fitted edges"
        if edges_path is not None:
            save(edges, edges_path)
            origin += f", saved to {edges_path}"
    segment_map = load_policy(SegmentMap, args.segments) if args.segments else None
    groups = load_policy(ValueGroupPolicy, args.value_groups) if args.value_groups else None
    scored = assign_segments(score_rfm(features, edges), segment_map, groups)
    write_table(scored, Path(args.out))
    if args.excluded:
        excluded = result.excluded.reset_index(names="row")
        if table.text is not None:
            positions = excluded["position"].to_numpy(dtype=np.int64).tolist()
            excluded.insert(1, "line", table.lines(positions))
        write_table(excluded, Path(args.excluded))
    counts = scored["segment"].value_counts()
    print(f"{len(transactions):,} rows, {len(result.excluded):,} excluded; {origin}")
    print(f"{len(scored):,} customers scored as of {result.as_of} -> {args.out}")
    for name, count in counts.items():
        print(f"  {name:<20} {count:>10,}")
    return 0
