"""Province-level divisions of China and the suffixes of the administrative levels below them.

Facts from the GB/T 2260 administrative division names: 23 provinces (Taiwan included, as in
the standard), 4 municipalities directly under the central government, 5 autonomous regions
and 2 special administrative regions. Each entry gives the official name and the short forms
people write in addresses (``广西`` for ``广西壮族自治区``).

>>> PROVINCES[0]
Province(name='北京市', short='北京', kind='municipality')
>>> len(PROVINCES), sum(p.kind == "municipality" for p in PROVINCES)
(34, 4)
>>> PROVINCE_BY_SHORT["新疆"].name
'新疆维吾尔自治区'
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Literal

import attrs

from bankcrm.identity._hanzi import simplify_all
from bankcrm.identity.regions import region_table

__all__ = [
    "CITY_SUFFIXES",
    "COUNTY_SUFFIXES",
    "NOT_COUNTY_ENDINGS",
    "PROVINCES",
    "PROVINCE_BY_SHORT",
    "Province",
    "ProvinceKind",
    "county_name_lengths",
    "county_names",
    "prefecture_name_lengths",
    "prefecture_names",
]

ProvinceKind = Literal["province", "municipality", "autonomous_region", "sar"]


@attrs.frozen
class Province:
    """A province-level division: official name, usual short form and kind."""

    name: str
    short: str
    kind: ProvinceKind


PROVINCES: tuple[Province, ...] = (
    Province("北京市", "北京", "municipality"),
    Province("天津市", "天津", "municipality"),
    Province("上海市", "上海", "municipality"),
    Province("重庆市", "重庆", "municipality"),
    Province("河北省", "河北", "province"),
    Province("山西省", "山西", "province"),
    Province("辽宁省", "辽宁", "province"),
    Province("吉林省", "吉林", "province"),
    Province("黑龙江省", "黑龙江", "province"),
    Province("江苏省", "江苏", "province"),
    Province("浙江省", "浙江", "province"),
    Province("安徽省", "安徽", "province"),
    Province("福建省", "福建", "province"),
    Province("江西省", "江西", "province"),
    Province("山东省", "山东", "province"),
    Province("河南省", "河南", "province"),
    Province("湖北省", "湖北", "province"),
    Province("湖南省", "湖南", "province"),
    Province("广东省", "广东", "province"),
    Province("海南省", "海南", "province"),
    Province("四川省", "四川", "province"),
    Province("贵州省", "贵州", "province"),
    Province("云南省", "云南", "province"),
    Province("陕西省", "陕西", "province"),
    Province("甘肃省", "甘肃", "province"),
    Province("青海省", "青海", "province"),
    Province("台湾省", "台湾", "province"),
    Province("内蒙古自治区", "内蒙古", "autonomous_region"),
    Province("广西壮族自治区", "广西", "autonomous_region"),
    Province("西藏自治区", "西藏", "autonomous_region"),
    Province("宁夏回族自治区", "宁夏", "autonomous_region"),
    Province("新疆维吾尔自治区", "新疆", "autonomous_region"),
    Province("香港特别行政区", "香港", "sar"),
    Province("澳门特别行政区", "澳门", "sar"),
)

PROVINCE_BY_SHORT: dict[str, Province] = {p.short: p for p in PROVINCES}

#: Suffixes of prefecture-level divisions: cities, autonomous prefectures, prefectures, leagues.
CITY_SUFFIXES: tuple[str, ...] = ("自治州", "地区", "盟", "市")

#: Suffixes of county-level divisions: districts, counties, county-level cities, banners,
#: autonomous counties and banners, forestry and special districts (the longer ones first).
COUNTY_SUFFIXES: tuple[str, ...] = ("自治县", "自治旗", "林区", "特区", "区", "县", "市", "旗")

#: Endings that look like a district but name a housing estate, campus or zone of a street
#: address (``阳光小区``), so they are never taken as the county-level part.
NOT_COUNTY_ENDINGS: tuple[str, ...] = ("小区", "社区", "园区", "校区", "街区", "景区", "厂区")


def _is_placeholder(name: str) -> bool:
    return name in ("市辖区", "市辖县", "县") or "直辖" in name


def _simplified(names: Iterable[str]) -> frozenset[str]:
    """The names as addresses are compared: in simplified characters (a few table entries
    are written in traditional ones, 加格達奇區)."""
    return frozenset(simplify_all(sorted(set(names))))


@functools.cache
def county_names() -> frozenset[str]:
    """Every county-level name of the historical GB/T 2260 table (districts, counties,
    county-level cities, banners …), placeholders such as ``市辖区`` left out.

    >>> {"鼓楼区", "朝阳区", "昆山市"} <= county_names()
    True
    """
    return _simplified(
        name
        for code, region in region_table().items()
        if code[4:] != "00"
        for name in region.names
        if not _is_placeholder(name)
    )


@functools.cache
def prefecture_names() -> frozenset[str]:
    """Every prefecture-level name of the historical GB/T 2260 table (placeholders left out)."""
    return _simplified(
        name
        for code, region in region_table().items()
        if code[4:] == "00" and code[2:] != "0000"
        for name in region.names
        if not _is_placeholder(name)
    )


@functools.cache
def county_name_lengths() -> tuple[int, ...]:
    """The lengths of :func:`county_names`, longest first (for longest-match lookups)."""
    return tuple(sorted({len(name) for name in county_names()}, reverse=True))


@functools.cache
def prefecture_name_lengths() -> tuple[int, ...]:
    """The lengths of :func:`prefecture_names`, longest first."""
    return tuple(sorted({len(name) for name in prefecture_names()}, reverse=True))
