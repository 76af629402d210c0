"""Addresses: normalisation, administrative parts, unit keys, the column path."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bankcrm.errors import InputError
from bankcrm.identity import addresses
from bankcrm.identity.addresses import (
    ADDRESS_COLUMNS,
    AddressParts,
    address_frame,
    normalize_address,
    normalize_addresses,
    parse_address,
)


def parts(text: str) -> AddressParts:
    result = parse_address(text)
    assert result is not None
    return result


# --------------------------------------------------------------------------------------------
# administrative parts


def test_municipality() -> None:
    p = parts("北京市朝阳区建国路88号SOHO现代城A座1205室")
    assert (p.province, p.city, p.district) == ("北京市", "北京市", "朝阳区")
    assert (p.street, p.unit) == ("建国路88号SOHO现代城", "A-1205")


def test_municipality_short_form_and_placeholders() -> None:
    assert parts("上海浦东新区世纪大道100号").district == "浦东新区"
    assert parts("上海浦东新区世纪大道100号").city == "上海市"
    assert parts("重庆市县巫山县广东路1号").district == "巫山县"
    assert parts("北京市市辖区海淀区中关村大街1号").district == "海淀区"
    assert parts("北京市北京市朝阳区").district == "朝阳区"


def test_province_prefecture_city_and_district() -> None:
    p = parts("广东省深圳市南山区科技路100号3栋2单元301室")
    assert p == AddressParts("广东省", "深圳市", "南山区", "科技路100号", "3-2-301")
    assert p.key == "深圳市|南山区|科技路100号|3-2-301"


def test_county_level_city_under_a_prefecture() -> None:
    p = parts("江苏省苏州市昆山市玉山镇人民路1号")
    assert (p.city, p.district, p.street) == ("苏州市", "昆山市", "玉山镇人民路1号")


@pytest.mark.parametrize(
    ("text", "province", "city", "district"),
    [
        ("广西壮族自治区南宁市青秀区民族大道1号", "广西壮族自治区", "南宁市", "青秀区"),
        ("广西南宁市青秀区民族大道1号", "广西壮族自治区", "南宁市", "青秀区"),
        ("广西省南宁市青秀区", "广西壮族自治区", "南宁市", "青秀区"),
        ("新疆伊犁哈萨克自治州伊宁市解放路1号", "新疆维吾尔自治区", "伊犁哈萨克自治州", "伊宁市"),
        ("内蒙古锡林郭勒盟锡林浩特市", "内蒙古自治区", "锡林郭勒盟", "锡林浩特市"),
        ("内蒙古自治区呼伦贝尔市海拉尔区", "内蒙古自治区", "呼伦贝尔市", "海拉尔区"),
        ("西藏阿里地区噶尔县", "西藏自治区", "阿里地区", "噶尔县"),
        ("宁夏回族自治区银川市兴庆区", "宁夏回族自治区", "银川市", "兴庆区"),
        ("湖北省神农架林区松柏镇", "湖北省", None, "神农架林区"),
        ("山东省济南市市中区经十路1号", "山东省", "济南市", "市中区"),
    ],
)
def test_autonomous_regions_and_special_divisions(
    text: str, province: str, city: str | None, district: str
) -> None:
    p = parts(text)
    assert (p.province, p.city, p.district) == (province, city, district)


def test_short_province_names_that_start_other_place_names() -> None:
    assert parts("吉林市船营区解放路1号").province is None
    assert parts("吉林市船营区解放路1号").city == "吉林市"
    assert parts("吉林省吉林市船营区").city == "吉林市"
    assert parts("海南藏族自治州共和县").city == "海南藏族自治州"
    assert parts("海南省海口市龙华区").province == "海南省"


def test_street_words_are_not_districts() -> None:
    assert parts("深圳市红旗路100号").district is None
    assert parts("深圳市阳光小区12-3-401").district is None
    assert parts("深圳市阳光小区12-3-401").unit == "12-3-401"


# --------------------------------------------------------------------------------------------
# units


@pytest.mark.parametrize(
    "written",
    [
        "科技路100号1号楼2单元301室",
        "科技路100号1栋2-301",
        "科技路100号1-2-301",
        "科技路100号1幢2单元301",
        "科技路100号一号楼二单元301室",
        "科技路100号１栋２单元３０１室",
        "科技路100号 1 栋 2 单元 301 室",
        "科技路100号1栋2单元3层301室",
    ],
)
def test_unit_spellings_share_a_key(written: str) -> None:
    assert parts(written).unit == "1-2-301"
    assert parts(written).street == "科技路100号"


def test_room_only_units() -> None:
    assert parts("科技路100号#301").unit == "301"
    assert parts("科技路100号301").unit == "301"
    assert parts("科技大厦12层1205室").unit == "1205"
    assert parts("科技大厦12层").unit == "12"  # only a floor: kept
    assert parts("科技路100-1号").unit is None  # a street number with a dash


def test_key_compares_with_and_without_province() -> None:
    a = parts("广东省深圳市南山区科技路100号3号楼2单元301室")
    b = parts("深圳市南山区科技路１００号３栋２-３０１")
    assert a.key == b.key
    assert a.province == "广东省"
    assert b.province is None


# --------------------------------------------------------------------------------------------
# normalisation


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("广东省深圳市南山区科技路１００号", "广东省深圳市南山区科技路100号"),
        ("深圳市 南山区 科技路 100 号", "深圳市南山区科技路100号"),
        ("科技路100号，3栋、2单元", "科技路100号3栋2单元"),
        ("科技路100号3栋2－301", "科技路100号3栋2-301"),
        ("科技路100号a座", "科技路100号A座"),
        ("臺北市信義區市府路1號", "台北市信义区市府路1号"),
        ("陕西省乾县城关镇", "陕西省乾县城关镇"),  # 乾 is simplified: kept
        ("三门峡市湖滨区", "三门峡市湖滨区"),  # 三门 is a name, not "3门"
        ("科技路十二号十二层", "科技路十二号12层"),
        ("Room 3, Tower a", "ROOM 3 TOWER A"),
    ],
)
def test_normalize_address(raw: str, normal: str) -> None:
    assert normalize_address(raw) == normal


@pytest.mark.parametrize("missing", [None, float("nan"), pd.NA, "", " \u3000 "])
def test_missing_addresses(missing: object) -> None:
    assert normalize_address(missing) is None
    assert parse_address(missing) is None


def test_non_text_addresses_are_input_errors() -> None:
    with pytest.raises(InputError, match="address must be text"):
        normalize_address(100)
    with pytest.raises(InputError) as info:
        address_frame(pd.Series(["北京市", 3.5], dtype=object, name="address"))
    assert info.value.column == "address"
    assert info.value.rows == [1]


# --------------------------------------------------------------------------------------------
# properties

PROVINCE_FORMS = [
    "",
    "广东省",
    "广东",
    "北京市",
    "北京",
    "上海",
    "广西壮族自治区",
    "广西",
    "新疆",
    "内蒙古",
    "吉林省",
    "海南",
    "臺灣省",
]
CITY_FORMS = [
    "",
    "深圳市",
    "吉林市",
    "伊犁哈萨克自治州",
    "锡林郭勒盟",
    "阿里地区",
    "济南市",
    "苏州市",
]
DISTRICT_FORMS = [
    "",
    "南山区",
    "朝阳区",
    "市中区",
    "昆山市",
    "噶尔县",
    "准格尔旗",
    "神农架林区",
    "阳光小区",
]
STREETS = ["科技路", "红旗路", "人民大街", "解放路", "中山北路", "建國路", "工业区", ""]
NUMBERS = ["100号", "1号", "100-1号", "88号院", "", "十二号", "１００号", "7"]
UNITS = [
    "",
    "3栋2单元301室",
    "3号楼2单元301室",
    "3栋2-301",
    "3-2-301",
    "#301",
    "301",
    "12层1205室",
    "A座1205",
    "三栋二单元三〇一室",
    "3幢502",
    "b座0101",
    "２单元３０２室",
    "5楼",
]
NOISE = ["", " ", "，", "\u3000", "-", "(近地铁站)"]


@st.composite
def address_text(draw: st.DrawFn) -> str:
    pieces = [
        draw(st.sampled_from(PROVINCE_FORMS)),
        draw(st.sampled_from(CITY_FORMS)),
        draw(st.sampled_from(DISTRICT_FORMS)),
        draw(st.sampled_from(STREETS)),
        draw(st.sampled_from(NUMBERS)),
        draw(st.sampled_from(UNITS)),
    ]
    if not draw(st.booleans()):  # a clean address: the vectorised path takes it
        return "".join(pieces)
    return "".join(piece + draw(st.sampled_from(NOISE)) for piece in pieces)


any_address = st.one_of(
    address_text(),
    st.text(alphabet="省市区县路号栋单元室层楼#-0123456789ABab北京深圳广西 ，", max_size=20),
    st.text(max_size=12),
)


@given(any_address)
def test_normalize_address_is_idempotent(text: str) -> None:
    once = normalize_address(text)
    assert normalize_address(once) == once


@given(any_address)
def test_parse_address_depends_only_on_the_normal_form(text: str) -> None:
    assert parse_address(text) == parse_address(normalize_address(text))


def _expected(values: Sequence[str | None]) -> list[tuple[object, ...]]:
    rows: list[tuple[object, ...]] = []
    for value in values:
        p = parse_address(value)
        rows.append(
            (None,) * len(ADDRESS_COLUMNS)
            if p is None
            else (p.province, p.city, p.district, p.street, p.unit, p.key)
        )
    return rows


def _rows(frame: pd.DataFrame) -> list[tuple[object, ...]]:
    def clean(v: object) -> object:
        return None if isinstance(v, float) and math.isnan(v) else v

    return [tuple(clean(v) for v in row) for row in frame.itertuples(index=False)]


@settings(max_examples=60)
@given(st.lists(st.one_of(st.none(), any_address), max_size=25))
def test_address_frame_equals_the_scalar_parser(values: list[str | None]) -> None:
    series = pd.Series(values, dtype="str", index=range(100, 100 + len(values)))
    frame = address_frame(series)
    assert list(frame.columns) == list(ADDRESS_COLUMNS)
    assert frame.index.equals(series.index)
    assert _rows(frame) == _expected(values)
    normals = [None if pd.isna(v) else v for v in normalize_addresses(series)]
    assert normals == [normalize_address(v) for v in values]


@settings(max_examples=60)
@given(st.lists(st.one_of(st.none(), address_text()), max_size=25))
def test_address_frame_regex_path_equals_the_scalar_parser(values: list[str | None]) -> None:
    # Every unit shape goes through its regex (normally only shapes seen on many rows do).
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(addresses, "_MIN_SHAPE_ROWS", 1)
        frame = address_frame(pd.Series(values, dtype="str"))
    assert _rows(frame) == _expected(values)


def test_address_frame_on_many_rows_of_few_shapes() -> None:
    values: list[str | None] = [
        f"广东省深圳市南山区科技路{n}号{n % 30 + 1}栋{n % 6 + 1}单元{n % 9 + 1}0{n % 4 + 1}室"
        for n in range(400)
    ]
    values += [f"北京朝阳区建国路{n}号#{n}" for n in range(50)]
    values += [f"上海市徐汇区某大厦{n % 30}层{n}室" for n in range(40)]
    values.append(None)
    frame = address_frame(pd.Series(values, dtype="str"))
    assert _rows(frame) == _expected(values)


def test_address_frame_on_object_columns() -> None:
    values = ["广东省深圳市南山区科技路100号3栋2单元301室", None, "臺北市信義區市府路1號"]
    assert _rows(address_frame(pd.Series(values, dtype=object))) == _expected(values)


@pytest.mark.parametrize("column", [address_frame, normalize_addresses])
@pytest.mark.parametrize("bad", [None, pd.DataFrame({"a": ["北京市"]}), "北京市", 7])
def test_column_functions_want_a_series(column: Callable[[pd.Series], object], bad: object) -> None:
    with pytest.raises(InputError) as info:
        column(bad)  # type: ignore[arg-type]
    assert info.value.rule == "type"


def test_lone_surrogates_in_a_column_are_an_input_error_naming_the_rows() -> None:
    series = pd.Series(["北京市", None, "\udcff路"], index=["a", "b", "c"], dtype=object)
    for column in (address_frame, normalize_addresses):
        with pytest.raises(InputError) as info:
            column(series)
        assert info.value.rule == "not_unicode"
        assert info.value.rows == ["c"]


@pytest.mark.parametrize("mark", ["\u200e", "\u202a", "\u2069", "\ufe0f"])
def test_invisible_characters_pasted_into_an_address_are_dropped(mark: str) -> None:
    written = f"{mark}北京市朝阳区{mark}建国路88号{mark}"
    assert normalize_address(written) == "北京市朝阳区建国路88号"
    column = normalize_addresses(pd.Series([written] * 3))
    assert column.tolist() == ["北京市朝阳区建国路88号"] * 3


# --- every county-level name of the bundled GB/T 2260 table is a district (issue 9) ----------


def _county_rows() -> list[tuple[str, str, str | None, str]]:
    from bankcrm.identity._places import county_names
    from bankcrm.identity.regions import region_table

    rows = []
    known = county_names()
    for code, region in sorted(region_table().items()):
        if code[4:] == "00":
            continue
        for written in region.names:
            name = normalize_address(written)
            if name in known:
                province = region.province_name or ""
                rows.append((code, province, region.prefecture_name, name))
    return rows


def test_every_county_name_parses_as_a_district_alone_and_in_a_full_address() -> None:
    from bankcrm.identity._places import prefecture_names

    prefectures = prefecture_names()
    wrong_full, wrong_alone = [], []
    for code, province, prefecture, name in _county_rows():
        city = "" if prefecture is None or prefecture == province else prefecture
        if name in prefectures and not city:  # 黄山市: the county-level city became the city
            continue
        full = parse_address(f"{province}{city}{name}人民路1号")
        assert full is not None
        if (full.district, full.street) != (name, "人民路1号"):
            wrong_full.append((code, name, full))
        alone = parse_address(name)
        assert alone is not None
        # A name that also named a prefecture-level city (三亚市 …) is read as that city.
        expected = (None, name) if name not in prefectures else (name, None)
        if name in prefectures and (alone.city, alone.district) in ((name, None), (None, name)):
            continue
        if (alone.city, alone.district) != expected:
            wrong_alone.append((code, name, alone))
    assert wrong_full == []
    assert wrong_alone == []


@pytest.mark.parametrize(
    ("text", "city", "district"),
    [
        ("福建省福州市鼓楼区", "福州市", "鼓楼区"),
        ("江苏省南京市鼓楼区中山路1号", "南京市", "鼓楼区"),
        ("河南省开封市鼓楼区", "开封市", "鼓楼区"),
        ("江苏省徐州市鼓楼区", "徐州市", "鼓楼区"),
    ],
)
def test_gulou_districts(text: str, city: str, district: str) -> None:
    parts = parse_address(text)
    assert parts is not None
    assert (parts.city, parts.district) == (city, district)
    assert address_frame(pd.Series([text]))["addr_district"].tolist() == [district]
