"""GB/T 2260 administrative division codes: provinces and counties.

The first six characters of a resident id number are the GB/T 2260 code of the county where the
number was first issued. Codes are created, renamed and withdrawn every year while people keep
their numbers for life, so the county table here is a **historical** table: every code that was
ever in use, with the names it carried and the years it was in use. The table is derived from
facts compiled by python-stdnum (see ``scripts/build_gb2260_regions.py`` and
``data/gb2260_regions.tsv``); the province list is small and stable and written out here.

>>> PROVINCES["44"]
'广东省'
>>> region = lookup_region("110105")
>>> region.province_name, region.prefecture_name, region.name
('北京市', '北京市', '朝阳区')
>>> lookup_region("120110").names  # a renamed code keeps every name it carried
('东郊区', '东丽区')
>>> is_known_region("110199"), is_known_province("99")
(False, False)
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from importlib import resources
from types import MappingProxyType

import attrs

__all__ = [
    "PROVINCES",
    "Region",
    "is_known_province",
    "is_known_region",
    "lookup_region",
    "province_name",
    "region_table",
]

#: Province-level divisions of GB/T 2260 (2-digit prefix → name). Hainan (46) exists since
#: 1988 and Chongqing (50) since 1997; numbers issued earlier there carry 44 and 51.
PROVINCES: Mapping[str, str] = MappingProxyType(
    {
        "11": "北京市",
        "12": "天津市",
        "13": "河北省",
        "14": "山西省",
        "15": "内蒙古自治区",
        "21": "辽宁省",
        "22": "吉林省",
        "23": "黑龙江省",
        "31": "上海市",
        "32": "江苏省",
        "33": "浙江省",
        "34": "安徽省",
        "35": "福建省",
        "36": "江西省",
        "37": "山东省",
        "41": "河南省",
        "42": "湖北省",
        "43": "湖南省",
        "44": "广东省",
        "45": "广西壮族自治区",
        "46": "海南省",
        "50": "重庆市",
        "51": "四川省",
        "52": "贵州省",
        "53": "云南省",
        "54": "西藏自治区",
        "61": "陕西省",
        "62": "甘肃省",
        "63": "青海省",
        "64": "宁夏回族自治区",
        "65": "新疆维吾尔自治区",
        "71": "台湾省",
        "81": "香港特别行政区",
        "82": "澳门特别行政区",
    }
)

_DATA_FILE = "gb2260_regions.tsv"


@attrs.frozen
class Region:
    """One GB/T 2260 code and what is known about it.

    Attributes:
        code: the 6-digit code.
        names: every name the code carried, oldest first (most codes have one).
        first_year: the first year the code was in use, if known.
        last_year: the last year the code was in use, or ``None`` if it is still in use.
        province_name: the name of the province (first two digits).
        prefecture_name: the name of the prefecture-level code (first four digits + "00"), if
            that code is in the table and names a place; the municipality itself for codes of
            Beijing, Tianjin, Shanghai and Chongqing (whose tables say "市辖区" / "县");
            ``None`` for counties a province administers directly.
    """

    code: str
    names: tuple[str, ...]
    first_year: int | None
    last_year: int | None
    province_name: str | None
    prefecture_name: str | None

    @property
    def name(self) -> str:
        """The most recent name of the code."""
        return self.names[-1]


def _year(text: str) -> int | None:
    return int(text) if text else None


#: Prefecture-level codes whose name is a placeholder of the code tables, not a place: the
#: municipalities' "市辖区" / "县" groups and the provinces' directly administered counties.
_PLACEHOLDERS = frozenset({"市辖区", "市辖县", "县"})
#: The four municipalities (直辖市): they are their own prefecture-level division.
_MUNICIPALITIES = frozenset({"11", "12", "31", "50"})


def _prefecture(
    code: str, rows: list[tuple[int, int, str, int | None, int | None]] | None
) -> str | None:
    """The prefecture-level name of a county-level code: the municipality itself for
    Beijing, Tianjin, Shanghai and Chongqing, ``None`` for placeholders and province codes."""
    if code[2:] == "0000":
        return None
    if code[:2] in _MUNICIPALITIES:
        return PROVINCES[code[:2]]
    if code[4:] == "00" or not rows:
        return None
    name = sorted(rows)[-1][2]
    return None if name in _PLACEHOLDERS or "直辖" in name else name


@functools.cache
def region_table() -> Mapping[str, Region]:
    """Return the whole historical table, keyed by 6-digit code (loaded once).

    >>> len(region_table()) > 6000
    True
    """
    text = resources.files("bankcrm.identity").joinpath("data", _DATA_FILE).read_text("utf-8")
    spans: dict[str, list[tuple[int, int, str, int | None, int | None]]] = {}
    for line in text.splitlines():
        if not line or line.startswith(("#", "code\t")):
            continue
        code, name, first, last = line.split("\t")
        first_year, last_year = _year(first), _year(last)
        # Order names by when they were in use: open starts first, open ends last.
        order = (first_year or 0, last_year or 9999)
        spans.setdefault(code, []).append((*order, name, first_year, last_year))
    table: dict[str, Region] = {}
    for code, rows in spans.items():
        rows.sort()
        firsts = [r[3] for r in rows]
        lasts = [r[4] for r in rows]
        table[code] = Region(
            code=code,
            names=tuple(r[2] for r in rows),
            first_year=None if None in firsts else min(y for y in firsts if y is not None),
            last_year=None if None in lasts else max(y for y in lasts if y is not None),
            province_name=PROVINCES.get(code[:2]),
            prefecture_name=_prefecture(code, spans.get(code[:4] + "00")),
        )
    return MappingProxyType(table)


def lookup_region(code: str) -> Region | None:
    """Return the :class:`Region` for a 6-digit code, or ``None`` if the table lacks it.

    Anything but a string (``None``, bytes, a number) is not a code and gives ``None``.

    >>> lookup_region("110105").name, lookup_region(None)
    ('朝阳区', None)
    """
    if not isinstance(code, str):
        return None
    return region_table().get(str.__str__(code))


def is_known_region(code: str) -> bool:
    """Tell whether a 6-digit code is in the historical table."""
    return code in region_table()


def is_known_province(code: str) -> bool:
    """Tell whether a 2-digit code is a GB/T 2260 province-level division."""
    return code in PROVINCES


def province_name(code: str) -> str | None:
    """Return the province name for the first two digits of ``code``.

    >>> province_name("330106")
    '浙江省'
    """
    return PROVINCES.get(code[:2])
