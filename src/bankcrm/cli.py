"""The ``bankcrm`` command line.

- ``bankcrm --version``
- ``bankcrm demo [--customers N] [--seed S] [--out DIR] [--format parquet|csv] [--quiet]``: the
  end-to-end pipeline on a synthetic bank (see :mod:`bankcrm.demo`).
- ``bankcrm datasets synth --customers N --seed S --out DIR [--format parquet|csv]``: write every
  frame of a synthetic bank (see :mod:`bankcrm.datasets`).

Modules add their own commands without editing this file: a module
``bankcrm.<package>.cli_<name>`` that defines ``add_<name>_command(subparsers)`` is found and
called when the parser is built; the sub-parser it adds sets ``handler`` (a function of the
parsed arguments returning the exit status) with ``set_defaults``. ``bankcrm rfm`` comes from
:mod:`bankcrm.segmentation.cli_rfm` this way.

Errors from bankcrm (bad arguments, a missing optional package) are printed as one line on
stderr and give exit status 2; everything else is a bug and shows its traceback.

>>> main(["datasets", "synth", "--customers", "0", "--seed", "1", "--out", "unused"])
2
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import pkgutil
import sys
from collections.abc import Sequence
from typing import Any

import bankcrm
from bankcrm import __version__
from bankcrm.errors import BankCRMError

__all__ = ["build_parser", "main"]


def _integer(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``bankcrm`` command."""
    parser = argparse.ArgumentParser(
        prog="bankcrm",
        description="Exact, explainable customer-relationship management kernels for banks.",
    )
    parser.add_argument("--version", action="version", version=f"bankcrm {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo = commands.add_parser("demo", help="run the end-to-end demo on a synthetic bank")
    demo.add_argument("--customers", type=_integer, default=10_000, help="default 10000")
    demo.add_argument("--seed", type=_integer, default=42, help="default 42")
    demo.add_argument("--out", default="bankcrm-demo", help="output directory")
    demo.add_argument(
        "--format",
        choices=("parquet", "csv"),
        default=None,
        help="output format (default parquet if pyarrow is installed, else csv)",
    )
    demo.add_argument("--quiet", action="store_true", help="no progress on stderr")

    datasets = commands.add_parser("datasets", help="synthetic data sets")
    dataset_commands = datasets.add_subparsers(dest="dataset_command", metavar="COMMAND")
    synth = dataset_commands.add_parser("synth", help="write a synthetic bank to files")
    synth.add_argument("--customers", type=_integer, required=True)
    synth.add_argument("--seed", type=_integer, required=True)
    synth.add_argument("--out", required=True, help="output directory")
    synth.add_argument("--format", choices=("parquet", "csv"), default="parquet")
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
    _add_module_commands(commands)
    return parser


def _add_module_commands(commands: Any) -> None:
    """Let every ``bankcrm.<package>.cli_<name>`` module add its command."""
    for package in pkgutil.iter_modules(bankcrm.__path__):
        if not package.ispkg:
            continue
        spec = importlib.util.find_spec(f"bankcrm.{package.name}")
        locations = spec.submodule_search_locations if spec else None
        for module in pkgutil.iter_modules(list(locations or [])):
            if not module.name.startswith("cli_"):
                continue
            loaded = importlib.import_module(f"bankcrm.{package.name}.{module.name}")
            add = getattr(loaded, f"add_{module.name.removeprefix('cli_')}_command", None)
            if callable(add):
                add(commands)


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
    from bankcrm.datasets._io import prepare_directory, require_pyarrow

    if args.format == "parquet":
        require_pyarrow()  # fail before generating, not after
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
    parser = build_parser()
    args = parser.parse_args(argv)
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
