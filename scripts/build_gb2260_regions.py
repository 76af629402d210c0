"""Build bankcrm's GB/T 2260 region-code table from python-stdnum's ``cn/loc.dat``.

Provenance: python-stdnum (2.2) ships ``stdnum/cn/loc.dat``, a list of Chinese administrative
division codes (GB/T 2260) with the years each name was in use, compiled by its authors from
the Wikipedia pages "中华人民共和国行政区划代码 (1区) … (8区)". The codes, names and years are
facts; this script only re-shapes them into a tab-separated table with one row per
(code, name, first year, last year):

    code    name    first_year    last_year

An empty year means "open" (before the earliest or after the latest list the compilers had).
Only the facts are carried over; no code from python-stdnum is used.

Usage (from the repository root)::

    .venv/bin/python scripts/build_gb2260_regions.py \
        > src/bankcrm/identity/data/gb2260_regions.tsv
"""

from __future__ import annotations

import re
import sys
from importlib import resources

_PROVINCE = re.compile(r'^(\d{2}) province="([^"]*)"$')
_COUNTY = re.compile(r'^ {2}(\d{4}) county="([^"]*)"$')
_PERIOD = re.compile(r"^\[(\d{4})?-(\d{4})?\](.+)$")


def _rows(text: str) -> list[tuple[str, str, str, str]]:
    rows: list[tuple[str, str, str, str]] = []
    province = ""
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if match := _PROVINCE.match(line):
            province = match.group(1)
            continue
        match = _COUNTY.match(line)
        if match is None or not province:
            raise SystemExit(f"unexpected line in loc.dat: {line!r}")
        code = province + match.group(1)
        for entry in match.group(2).split(","):
            period = _PERIOD.match(entry)
            if period:
                first, last, name = period.group(1) or "", period.group(2) or "", period.group(3)
            else:
                first, last, name = "", "", entry
            rows.append((code, name.strip(), first, last))
    return sorted(set(rows))


def main() -> None:
    text = resources.files("stdnum").joinpath("cn/loc.dat").read_text(encoding="utf-8")
    out = sys.stdout
    out.write("# GB/T 2260 administrative division codes with the years each name was in use.\n")
    out.write("# Facts compiled by python-stdnum 2.2 (stdnum/cn/loc.dat) from zh.wikipedia\n")
    out.write("# '中华人民共和国行政区划代码'; regenerate with scripts/build_gb2260_regions.py.\n")
    out.write("code\tname\tfirst_year\tlast_year\n")
    for row in _rows(text):
        out.write("\t".join(row) + "\n")


if __name__ == "__main__":
    main()
