"""The ``bankcrm`` command line.

- ``bankcrm --version``
- ``bankcrm demo [--customers N] [--seed S] [--out DIR] [--format parquet|csv] [--quiet]``: the
  end-to-end pipeline on a synthetic bank (see :mod:`bankcrm.demo`).
- ``bankcrm datasets synth --customers N --seed S --out DIR [--format parquet|csv]``: write every
  frame of a synthetic bank (see :mod:`bankcrm.datasets`).

The modules' commands are listed in :data:`COMMANDS`, one explicit, ordered list: each entry
names the command, its one-line help, and the module and function that add its sub-parser
(``add_rfm_command(subparsers)``; the sub-parser sets ``handler``, a function of the parsed
arguments returning the exit status, with ``set_defaults``). A module is imported only when its
command is run (or its help asked for), so ``bankcrm --help`` does not load pandas. A new command
is one more entry in the list.

Errors from bankcrm (bad arguments, a missing optional package) are printed as one line on
stderr and give exit status 2; everything else is a bug and shows its traceback.

>>> main(["datasets", "synth", "--customers", "0", "--seed", "1", "--out", "unused"])
2
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import NamedTuple

from bankcrm import __version__
from bankcrm.errors import BankCRMError

__all__ = ["COMMANDS", "Command", "build_parser", "main"]


class Command(NamedTuple):
    """A module's ``bankcrm`` command: its name and help, and where its sub-parser comes from."""

    name: str
    help: str
    module: str
    add: str


#: The modules' commands, in the order ``bankcrm --help`` lists them (after ``demo`` and
#: ``datasets``, which live here).
COMMANDS: tuple[Command, ...] = (
    Command(
        "rfm",
        "score customers by recency, frequency and monetary value",
        "bankcrm.segmentation.cli_rfm",
        "add_rfm_command",
    ),
    Command(
        "identity",
        "validate and standardise customer records (bankcrm identity standardize …)",
        "bankcrm.identity.cli_standardize",
        "add_identity_command",
    ),
    Command(
        "tiers",
        "grade customers on a tier ladder (wealth, 阳光汇 …)",
        "bankcrm.membership.cli_tiers",
        "add_tiers_command",
    ),
    Command(
        "credit",
        "group clients from ownership and control (bankcrm credit groups …)",
        "bankcrm.credit.cli_groups",
        "add_credit_command",
    ),
)


def _integer(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    return value


def _command_word(argv: Sequence[str]) -> str | None:
    """The command named in ``argv`` (its first word that is not an option), if any."""
    return next((word for word in argv if not word.startswith("-")), None)


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The argument parser of the ``bankcrm`` command.

    Args:
        argv: the arguments about to be parsed. Only the module of the command they name is
            imported; the other commands get a placeholder with their help line. ``None``
            (the default) imports every command's module and builds the whole parser.
    """
    parser = argparse.ArgumentParser(
        prog="bankcrm",
        description="Exact, explainable customer-relationship management kernels for banks.",
    )
    parser.add_argument("--version", action="version", version=f"bankcrm {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo = commands.add_parser(
        "demo",
        help="run the end-to-end demo on a synthetic bank",
        description="Generate a synthetic bank, run every demo step on it (identity "
        "standardisation, RFM segmentation), write the data and results under OUT/data and "
        "OUT/results, and print a summary (also OUT/summary.txt and OUT/summary.json).",
    )
    demo.add_argument(
        "--customers", type=_integer, default=10_000, help="customers of the bank (default 10000)"
    )
    demo.add_argument("--seed", type=_integer, default=42, help="random seed (default 42)")
    demo.add_argument(
        "--out", default="bankcrm-demo", help="output directory (default bankcrm-demo)"
    )
    demo.add_argument(
        "--format",
        choices=("parquet", "csv"),
        default="parquet",
        help="output format (default parquet)",
    )
    demo.add_argument("--quiet", action="store_true", help="no progress on stderr")

    datasets = commands.add_parser("datasets", help="synthetic data sets")
    dataset_commands = datasets.add_subparsers(dest="dataset_command", metavar="COMMAND")
    synth = dataset_commands.add_parser(
        "synth",
        help="write a synthetic bank to files",
        description="Write every frame of a seeded synthetic bank (with its ground truth) to "
        "OUT, one file per frame plus manifest.json.",
    )
    synth.add_argument("--customers", type=_integer, required=True, help="customers of the bank")
    synth.add_argument("--seed", type=_integer, required=True, help="random seed")
    synth.add_argument("--out", required=True, help="output directory")
    synth.add_argument(
        "--format", choices=("parquet", "csv"), default="parquet", help="default parquet"
    )
    synth.add_argument(
        "--transactions",
        type=_integer,
        default=None,
        help="transaction rows (default 20 per customer)",
    )
    synth.add_argument(
        "--duplication-rate",
        type=float,
        default=0.20,
        help="extra records of existing people (default 0.20)",
    )
    synth.add_argument("--quiet", action="store_true", help="no progress on stderr")
    wanted = None if argv is None else _command_word(argv)
    for command in COMMANDS:
        if argv is None or command.name == wanted:
            add = getattr(importlib.import_module(command.module), command.add)
            add(commands)
        else:
            commands.add_parser(command.name, help=command.help)
    return parser


def _demo(args: argparse.Namespace) -> int:
    from bankcrm.demo import Progress, run_demo

    report = run_demo(
        args.customers,
        seed=args.seed,
        out_dir=args.out,
        file_format=args.format,
        progress=Progress(quiet=args.quiet),
    )
    print(report.to_text())
    return 0


def _synth(args: argparse.Namespace) -> int:
    from bankcrm.datasets import synthetic_bank, write_bank
    from bankcrm.datasets._io import prepare_directory

    prepare_directory(args.out, name="--out", create=False)

    def note(message: str) -> None:
        if not args.quiet:
            print(f"generating {message}", file=sys.stderr, flush=True)

    bank = synthetic_bank(
        args.customers,
        seed=args.seed,
        n_transactions=args.transactions,
        duplication_rate=args.duplication_rate,
        progress=note,
    )
    paths = write_bank(bank, args.out, file_format=args.format)
    for name, path in paths.items():
        print(f"{name:<22} {len(bank.frames()[name]):>12,} rows  {path}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    arguments = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(arguments)
    args = parser.parse_args(arguments)
    try:
        if args.command == "demo":
            return _demo(args)
        if args.command == "datasets" and args.dataset_command == "synth":
            return _synth(args)
        handler = getattr(args, "handler", None)
        if callable(handler):
            return int(handler(args))
    except BankCRMError as error:
        print(f"bankcrm: error: {error}", file=sys.stderr)
        return 2
    except OSError as error:  # a full disk or a vanished directory: not a bug, say it plainly
        print(f"bankcrm: error: {error}", file=sys.stderr)
        return 1
    if args.command == "datasets":
        parser.parse_args(["datasets", "--help"])
    parser.print_help()
    return 0


if __name__ == "__main__":
    sys.exit(main())
