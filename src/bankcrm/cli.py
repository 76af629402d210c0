"""The ``bankcrm`` command line (skeleton; commands are added by their modules)."""

from __future__ import annotations

import argparse
import sys

from bankcrm import __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bankcrm", description=__doc__)
    parser.add_argument("--version", action="version", version=f"bankcrm {__version__}")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    parser.parse_args(argv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
