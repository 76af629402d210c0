"""The GB/T 2260 region table: provenance, shape and known facts."""

from __future__ import annotations

import contextlib
import io
import runpy
from importlib import resources
from pathlib import Path

import pytest

from bankcrm.errors import InvalidIdentifier
from bankcrm.identity import regions, ric
from bankcrm.identity.reasons import Reason

ROOT = Path(__file__).resolve().parents[2]


def test_data_file_is_what_the_build_script_makes() -> None:
    # The table is derived from python-stdnum's loc.dat by scripts/build_gb2260_regions.py.
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        runpy.run_path(str(ROOT / "scripts" / "build_gb2260_regions.py"), run_name="__main__")
    shipped = resources.files("bankcrm.identity").joinpath("data", "gb2260_regions.tsv")
    assert out.getvalue() == shipped.read_text("utf-8")


def test_province_list() -> None:
    assert len(regions.PROVINCES) == 34
    assert all(len(code) == 2 and code.isdigit() for code in regions.PROVINCES)
    for code in regions.PROVINCES:
        assert regions.is_known_region(code + "0000"), code


def test_table_shape() -> None:
    table = regions.region_table()
    assert len(table) > 6000
    for code, region in table.items():
        assert len(code) == 6
        assert code.isdigit()
        assert region.code == code
        assert region.names
        assert all(region.names)
        assert region.province_name == regions.PROVINCES[code[:2]]


@pytest.mark.parametrize(
    ("code", "province", "name"),
    [
        ("110105", "北京市", "朝阳区"),
        ("440305", "广东省", "南山区"),
        ("310115", "上海市", "浦东新区"),
        ("330106", "浙江省", "西湖区"),
    ],
)
def test_known_codes(code: str, province: str, name: str) -> None:
    region = regions.lookup_region(code)
    assert region is not None
    assert (region.province_name, region.name) == (province, name)


def test_history_is_kept() -> None:
    renamed = regions.lookup_region("120110")
    assert renamed is not None
    assert renamed.names == ("东郊区", "东丽区")
    withdrawn = regions.lookup_region("110103")
    assert withdrawn is not None
    assert withdrawn.last_year == 2010


def test_upgrade_rejects_what_is_not_a_legacy_number() -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        ric.upgrade("11010519491231002X")
    assert caught.value.reason == Reason.LENGTH
    with pytest.raises(InvalidIdentifier) as caught:
        ric.upgrade("11010549123100X")
    assert caught.value.reason == Reason.CHARACTERS
    with pytest.raises(InvalidIdentifier):
        ric.upgrade(None)


@pytest.mark.parametrize("code", [None, 110105, b"110105", bytearray(b"110105"), ["110105"]])
def test_lookup_region_of_a_non_string_is_none(code: object) -> None:
    assert regions.lookup_region(code) is None  # type: ignore[arg-type]


def test_lookup_region_reads_a_str_subclass_as_text() -> None:
    class Code(str):
        def __hash__(self) -> int:
            raise RuntimeError("no")

    found = regions.lookup_region(Code("110105"))
    assert found is not None
    assert found.name == "朝阳区"
