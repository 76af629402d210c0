"""``bankcrm tiers``: grade customers on a tier ladder from account and balance files.

::

    bankcrm tiers ACCOUNTS BALANCES --as-of 2025-12-31 --out tiers.csv
        [--ladder ladder.toml] [--fx-rates fx.csv] [--states previous.parquet]
        [--notifications list.csv [--review-tier sunshine_club]]
        [--timeline history.csv --start 2025-01-01]
        [--encoding gb18030] [--sep ';']

``ACCOUNTS`` has ``account_id``, ``customer_id``, ``asset_class``, ``currency``,
``opened_on``, ``closed_on``; ``BALANCES`` has ``account_id``, ``date`` and ``balance``
(snapshots) or ``amount`` (change events). The ladder is a :class:`TierLadder` file (TOML or
JSON; default :data:`~bankcrm.membership.presets.EVERBRIGHT`); ``--states`` is the previous
run's output, so that watch, downgrade and lapse follow the customer's history. Files are CSV
(any encoding; detected when not given) or Parquet. A bad row is reported by its CSV line.

``--notifications`` also writes the list of the next review of each review-decided tier (or of
``--review-tier``) after ``--as-of``: who joins, renews or leaves, with the evidence and the
shortfall (:func:`~bankcrm.membership.review_notifications`; balances after ``--as-of`` are an
error, the last known balance is projected). ``--timeline`` also writes every join, renewal,
watch, downgrade and lapse from ``--start`` to ``--as-of``
(:func:`~bankcrm.membership.membership_timeline`; ``--states`` is then the state before
``--start``).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from bankcrm._files import TableFile, read_table, write_table
from bankcrm.errors import InputError, Rule
from bankcrm.membership.evaluation import evaluate_tiers
from bankcrm.membership.ladders import TierLadder
from bankcrm.membership.notifications import review_notifications
from bankcrm.membership.presets import EVERBRIGHT
from bankcrm.membership.timeline import membership_timeline
from bankcrm.policy import load, read_provenance

__all__ = ["add_tiers_command", "run_tiers"]

COMMAND = "bankcrm tiers"


def add_tiers_command(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``tiers`` to ``bankcrm``'s sub-parsers; it dispatches to :func:`run_tiers`."""
    command = subparsers.add_parser(
        "tiers",
        help="grade customers on a tier ladder (wealth, 阳光汇 …)",
        description="Grade every customer of ACCOUNTS on a tier ladder from the daily-average "
        "balances of BALANCES, exactly; write one row per customer with its tier, status, "
        "validity and the evidence.",
    )
    command.add_argument("accounts", metavar="ACCOUNTS", help="accounts .csv or .parquet")
    command.add_argument("balances", metavar="BALANCES", help="balances .csv or .parquet")
    command.add_argument("--as-of", required=True, help="the decision date, YYYY-MM-DD")
    command.add_argument("--out", required=True, help="file to write (.csv or .parquet)")
    command.add_argument(
        "--ladder", default=None, help="TierLadder (.toml or .json); default: EVERBRIGHT"
    )
    command.add_argument("--fx-rates", default=None, help="FX rates file (currency, date, rate)")
    command.add_argument("--states", default=None, help="the previous run's output")
    command.add_argument(
        "--notifications",
        default=None,
        metavar="FILE",
        help="also write who joins, renews or leaves at the next review (.csv or .parquet)",
    )
    command.add_argument(
        "--review-tier", default=None, help="the tier of --notifications (default: every reviewed)"
    )
    command.add_argument(
        "--timeline",
        default=None,
        metavar="FILE",
        help="also write every tier change from --start to --as-of (.csv or .parquet)",
    )
    command.add_argument("--start", default=None, help="the first day of --timeline, YYYY-MM-DD")
    command.add_argument(
        "--encoding", default=None, help="CSV encoding; default: detect utf-8-sig, utf-8, gb18030"
    )
    command.add_argument("--sep", default=",", help="CSV field separator (default ','; \\t or tab)")
    command.set_defaults(handler=run_tiers)
    return command  # type: ignore[no-any-return]


def _read(path: str, args: argparse.Namespace) -> TableFile:
    return read_table(Path(path), command=COMMAND, encoding=args.encoding, sep=args.sep)


def _typed(table: TableFile, dates: tuple[str, ...], numbers: tuple[str, ...]) -> Any:
    """A CSV read as text, with its id, number and date columns as the evaluation reads them."""
    frame = table.frame
    if table.text is None:  # Parquet keeps its types
        return frame
    out = frame.copy()
    for name in dates:
        if name in out.columns:
            out[name] = out[name].astype("datetime64[us]")
    for name in numbers:
        if name in out.columns and out[name].notna().all() and out[name].str.isdigit().all():
            out[name] = out[name].astype("int64")
    return out


def run_tiers(args: argparse.Namespace) -> int:
    """Run ``bankcrm tiers`` with parsed arguments; prints a short report, returns 0."""
    ladder = EVERBRIGHT if args.ladder is None else load(TierLadder, args.ladder)
    ids = ("account_id", "customer_id")
    accounts = _read(args.accounts, args)
    balances = _read(args.balances, args)
    fx = None if args.fx_rates is None else _typed(_read(args.fx_rates, args), ("date",), ())
    states = None
    if args.states is not None:
        dates = ("since", "valid_until", "notified_on")
        states = _typed(_read(args.states, args), dates, ("customer_id", "periods_below"))
    if args.timeline is not None and args.start is None:
        raise InputError(
            "--timeline needs --start (its first day)", column="start", rule=Rule.REQUIRED
        )
    frames = (
        _typed(accounts, ("opened_on", "closed_on"), ids),
        _typed(balances, ("date",), ids),
    )
    try:
        out = evaluate_tiers(*frames, ladder, as_of=args.as_of, states=states, fx_rates=fx)
        notes = (
            None
            if args.notifications is None
            else review_notifications(
                *frames,
                ladder,
                as_of=args.as_of,
                states=states,
                tier=args.review_tier,
                fx_rates=fx,
            )
        )
        history = (
            None
            if args.timeline is None
            else membership_timeline(
                *frames, ladder, start=args.start, as_of=args.as_of, states=states, fx_rates=fx
            )
        )
    except InputError as error:
        raise balances.with_lines(error) from None
    out_path = Path(args.out)
    write_table(out, out_path)
    provenance = read_provenance(out)[0]
    print(f"{len(out):,} customers graded as of {args.as_of} -> {out_path}")
    print(f"  ladder {provenance.policy_name} {provenance.policy_version}")
    for tier in ladder.tier_ids:
        print(f"  {tier:<20} {int((out['tier'] == tier).sum()):>10,}")
    if notes is not None:
        write_table(notes, Path(args.notifications))
        counts = notes["change"].value_counts()
        summary = ", ".join(f"{change} {int(n):,}" for change, n in counts.items())
        print(f"{len(notes):,} rows for the next review -> {args.notifications} ({summary})")
    if history is not None:
        write_table(history, Path(args.timeline))
        print(f"{len(history):,} tier events {args.start}..{args.as_of} -> {args.timeline}")
    return 0
