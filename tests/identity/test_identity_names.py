"""Names: normalisation, surname splitting, surname readings, romanised keys, the column path."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import opencc
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypinyin import Style, pinyin

from bankcrm.errors import InputError
from bankcrm.identity._hanzi import (
    GB2312_KEPT,
    needs_simplify,
    needs_simplify_table,
    simplify_all,
)
from bankcrm.identity.names import (
    NAME_COLUMNS,
    keys_intersect,
    name_frame,
    name_key,
    name_keys,
    name_keys_column,
    name_match_key,
    name_pinyin,
    normalize_name,
    normalize_names,
    pinyin_key,
    split_name,
)

# --------------------------------------------------------------------------------------------
# surname readings: the reading of the surname, not the everyday reading of the character


@pytest.mark.parametrize(
    ("name", "surname_reading"),
    [
        ("单田芳", "shan"),
        ("曾国藩", "zeng"),
        ("解缙", "xie"),
        ("区志强", "ou"),
        ("朴树", "piao"),
        ("翟天临", "zhai"),
        ("覃雪", "qin"),
        ("仇英", "qiu"),
        ("查良镛", "zha"),
        ("盖聂", "ge"),
        ("乐嘉", "yue"),
        ("缪杰", "miao"),
        ("卜算", "bu"),
        ("薄一波", "bo"),
        ("阚泽", "kan"),
        ("重阳", "chong"),
        ("种师道", "chong"),
        ("秘书", "bi"),
        ("召忠", "shao"),
        ("繁钦", "po"),
        ("折克行", "she"),
        ("员半千", "yun"),
        ("任盈", "ren"),
        ("华佗", "hua"),
        ("纪昀", "ji"),
        ("燕青", "yan"),
        ("尉迟恭", "yuchi"),
        ("万俟卨", "moqi"),
        ("单于成", "chanyu"),
        ("长孙无忌", "zhangsun"),
        ("澹台灭明", "tantai"),
    ],
)
def test_surname_reading(name: str, surname_reading: str) -> None:
    readings = name_pinyin(name)
    assert readings is not None
    assert readings[0] == surname_reading


def test_everyday_reading_differs_for_the_table_surnames() -> None:
    # The point of the table: pypinyin's default reading is the wrong one for these.
    for char, reading in [("单", "shan"), ("曾", "zeng"), ("解", "xie"), ("区", "ou")]:
        assert pinyin(char, style=Style.NORMAL)[0][0] != reading
        assert name_pinyin(char + "明") == (reading, "ming")


@pytest.mark.parametrize(
    ("name", "parts"),
    [
        ("欧阳娜娜", ("欧阳", "娜娜")),
        ("欧阳锋", ("欧阳", "锋")),
        ("欧阳", ("欧", "阳")),  # a compound alone is a one-character surname and a given name
        ("诸葛亮", ("诸葛", "亮")),
        ("司马光", ("司马", "光")),
        ("上官婉儿", ("上官", "婉儿")),
        ("爱新觉罗溥仪", ("爱新觉罗", "溥仪")),
        ("钮祜禄和珅", ("钮祜禄", "和珅")),
        ("张伟", ("张", "伟")),
        ("王", ("王", "")),
        ("买买提·艾力", ("艾力", "买买提")),
        ("ZHANG, XIAO MING", ("ZHANG", "XIAO MING")),
        ("Xiaoming Zhang", ("ZHANG", "XIAOMING")),
    ],
)
def test_split_name(name: str, parts: tuple[str, str]) -> None:
    assert split_name(name) == parts


def test_compound_surname_keys() -> None:
    assert name_key("歐陽鋒") == name_key("OUYANG FENG") == "ouyang|feng"
    assert "ouyang|na" in name_keys("OU YANG NA")  # the compound written as two words


# --------------------------------------------------------------------------------------------
# romanised forms


@pytest.mark.parametrize("latin", ["LYU WEI", "LV WEI", "LU WEI", "Lü Wei", "lyu wei", "Lv, Wei"])
def test_lv_spellings_share_the_key(latin: str) -> None:
    assert name_key("吕伟") == name_key(latin) == "lu|wei"


def test_nv_spellings_share_the_key() -> None:
    assert name_key("吕女") == name_key("LYU NYU") == name_key("LV NV") == name_key("LU NU")
    assert name_key("吕女") == "lu|nu"


def test_strict_key_keeps_the_umlaut_letter() -> None:
    assert pinyin_key("吕伟") == "lv|wei"
    assert pinyin_key("LYU WEI") == "lyu|wei"


def test_given_name_first_matches_through_the_key_set_and_match_key() -> None:
    assert name_key("WEI ZHANG") == "wei|zhang"  # read as written: WEI could be the surname
    assert keys_intersect(name_keys("张伟"), name_keys("WEI ZHANG"))
    assert name_match_key("张伟") == name_match_key("WEI ZHANG") == "wei|zhang"
    assert name_match_key("Zhang, Wei") == name_match_key("Zhang Wei") == "wei|zhang"


def test_order_guess_uses_known_surnames() -> None:
    assert split_name("XIAOMING ZHANG") == ("ZHANG", "XIAOMING")
    assert name_key("XIAOMING ZHANG") == name_key("张晓明") == "zhang|xiaoming"


def test_apostrophes_and_hyphens_are_dropped() -> None:
    assert name_key("LI XI'AN") == name_key("Li Xi-An") == name_key("李西安") == "li|xian"


def test_polyphonic_surname_gives_every_reading_in_the_key_set() -> None:
    assert name_keys("覃雪") == {"qin|xue", "tan|xue"}
    assert name_keys("TAN XUE") & name_keys("覃雪")


# --------------------------------------------------------------------------------------------
# normalisation


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("張偉", "张伟"),
        ("歐陽鋒", "欧阳锋"),
        (" 张  伟 ", "张伟"),
        ("张\u3000伟", "张伟"),
        ("张\u200b伟", "张伟"),
        ("ＺＨＡＮＧ　ｗｅｉ", "ZHANG WEI"),
        ("zhang,wei", "ZHANG, WEI"),
        ("买买提 • 艾力", "买买提·艾力"),
        ("买买提.艾力", "买买提·艾力"),
        ("约翰・史密斯", "约翰·史密斯"),
        ("李乾", "李乾"),  # 乾 is simplified; OpenCC t2s alone would write 李干
        ("張乾", "张乾"),
        ("於梨华", "於梨华"),
        ("李藉", "李藉"),
    ],
)
def test_normalize_name(raw: str, normal: str) -> None:
    assert normalize_name(raw) == normal


@pytest.mark.parametrize("missing", [None, float("nan"), pd.NA, "", "   ", "\u200b"])
def test_missing_names(missing: object) -> None:
    assert normalize_name(missing) is None
    assert split_name(missing) is None
    assert name_key(missing) is None
    assert name_keys(missing) == frozenset()


@pytest.mark.parametrize("bad", [123, 1.5, b"zhang", ["张伟"]])
def test_non_text_names_are_input_errors(bad: object) -> None:
    with pytest.raises(InputError, match="name must be text"):
        normalize_name(bad)


@pytest.mark.parametrize("column", [name_frame, name_keys_column, normalize_names])
@pytest.mark.parametrize("bad", [None, pd.DataFrame({"a": ["张伟"]}), "张伟", 7])
def test_column_functions_want_a_series(column: Callable[[pd.Series], object], bad: object) -> None:
    with pytest.raises(InputError) as info:
        column(bad)  # type: ignore[arg-type]
    assert info.value.rule == "type"


def test_non_text_in_a_column_names_the_rows() -> None:
    with pytest.raises(InputError) as info:
        name_frame(pd.Series(["张伟", 7, "李娜"], index=[10, 11, 12], name="name", dtype=object))
    assert info.value.rule == "not_text"
    assert info.value.rows == [11]


def test_gb2312_kept_is_what_opencc_rewrites_inside_gb2312() -> None:
    converter = opencc.OpenCC("t2s")
    rewritten = set()
    for cp in range(0x4E00, 0xA000):
        char = chr(cp)
        try:
            char.encode("gb2312")
        except UnicodeEncodeError:
            continue
        if converter.convert(char) != char:
            rewritten.add(char)
    assert rewritten == GB2312_KEPT


def test_needs_simplify_table_agrees_with_the_regex() -> None:
    table = needs_simplify_table()
    for cp in [*list(range(13312, 40960, 7)), 24373, 24352, 20094, 131072]:
        expected = bool(table[cp]) if cp < 0x10000 else True
        assert needs_simplify(chr(cp)) is expected


def test_simplify_all_converts_each_text_alone() -> None:
    texts = ["張偉", "乾隆", "後來", "歐陽", "藉口", "臺灣"]
    assert simplify_all(texts) == [simplify_all([t])[0] for t in texts]


# --------------------------------------------------------------------------------------------
# properties

SIMPLIFIED = "张王李赵刘陈杨黄吴周徐孙马朱胡郭何林罗伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚"
TRADITIONAL = "張劉陳楊黃吳周孫馬羅偉麗強軍傑濤艷歐陽諸葛鋒"
ODD = "·•・. ,-'’\u3000\u00a0\u200b\tÜüÉé乾於藉ǅΐﬁ"
LATIN = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyzＡＢＣａｂｃ"

name_text = st.text(alphabet=SIMPLIFIED + TRADITIONAL + ODD + LATIN + " ", max_size=12)


@given(name_text)
def test_normalize_name_is_idempotent(text: str) -> None:
    once = normalize_name(text)
    assert normalize_name(once) == once


@given(st.text(max_size=10))
def test_normalize_name_is_idempotent_on_any_text(text: str) -> None:
    once = normalize_name(text)
    assert normalize_name(once) == once


@given(name_text)
def test_keys_are_stable_under_normalisation(text: str) -> None:
    normal = normalize_name(text)
    assert name_key(text) == name_key(normal)
    assert name_keys(text) == name_keys(normal)


def _single_reading(char: str) -> str | None:
    readings = set(pinyin(char, style=Style.NORMAL, heteronym=True)[0])
    return readings.pop() if len(readings) == 1 else None


# Surnames with the spellings passports have used for them.
SURNAME_SPELLINGS = [
    ("张", ["ZHANG"]),
    ("王", ["WANG"]),
    ("吕", ["LYU", "LV", "LU", "LÜ"]),
    ("单", ["SHAN"]),
    ("曾", ["ZENG"]),
    ("区", ["OU"]),
    ("朴", ["PIAO"]),
    ("翟", ["ZHAI"]),
    ("欧阳", ["OUYANG"]),
    ("司马", ["SIMA"]),
    ("诸葛", ["ZHUGE"]),
    ("闾丘", ["LYUQIU", "LVQIU", "LUQIU"]),
]
GIVEN_POOL = [
    (c, r)
    for c in "伟芳娜敏静强磊军洋勇杰涛明超秀霞平刚英玉兰宇晨雪梅林峰波辉鹏飞"
    if (r := _single_reading(c)) is not None
]


@st.composite
def chinese_and_latin(draw: st.DrawFn) -> tuple[str, str, str, str]:
    surname, spellings = draw(st.sampled_from(SURNAME_SPELLINGS))
    given_chars = draw(st.lists(st.sampled_from(GIVEN_POOL), min_size=1, max_size=2))
    chinese = surname + "".join(c for c, _ in given_chars)
    spelling = draw(st.sampled_from(spellings))
    given = "".join(r for _, r in given_chars)
    if len(given_chars) == 2 and draw(st.booleans()):  # "Xiao-Ming", "XIAO MING"
        joiner = draw(st.sampled_from(["-", "'", ""]))
        given = given_chars[0][1] + joiner + given_chars[1][1]
    case = draw(st.sampled_from([str.upper, str.title, str.lower]))
    surname_first = case(f"{spelling} {given}")
    comma = case(f"{spelling}, {given}")
    given_first = case(f"{given} {spelling}")
    return chinese, surname_first, comma, given_first


@given(chinese_and_latin())
def test_chinese_name_and_its_romanisation_share_keys(
    names: tuple[str, str, str, str],
) -> None:
    chinese, surname_first, comma, given_first = names
    assert name_key(chinese) == name_key(comma)
    if " " not in surname_first.split(" ", 1)[1]:
        assert name_key(chinese) == name_key(surname_first)
    for latin in (surname_first, comma, given_first):
        assert keys_intersect(name_keys(chinese), name_keys(latin)), latin
    if " " not in given_first.rsplit(" ", 1)[0]:
        assert name_match_key(chinese) == name_match_key(given_first)


names_for_columns = st.one_of(
    st.none(),
    name_text,
    st.text(max_size=8),
    st.builds(lambda n: n[0], chinese_and_latin()),
    st.builds(lambda n: n[1], chinese_and_latin()),
    st.builds(lambda n: n[3], chinese_and_latin()),
    st.sampled_from(["張 偉", "欧阳 娜娜", "李乾", "買買提·艾力", "ZHANG WEI", "Wei Zhang", "旻"]),
)


def _expected(values: list[str | None]) -> pd.DataFrame:
    rows = []
    for value in values:
        normal = normalize_name(value)
        parts = split_name(value)
        rows.append(
            (
                normal,
                parts[0] if parts else None,
                parts[1] if parts else None,
                name_key(value),
                name_match_key(value),
            )
        )
    return pd.DataFrame(rows, columns=list(NAME_COLUMNS)).astype("str")


def _same(got: pd.DataFrame, expected: pd.DataFrame) -> None:
    got = got.reset_index(drop=True)
    for column in expected.columns:
        left = [None if isinstance(v, float) and math.isnan(v) else v for v in got[column]]
        right = [None if isinstance(v, float) and math.isnan(v) else v for v in expected[column]]
        assert left == right, column


@settings(max_examples=60)
@given(st.lists(names_for_columns, max_size=30))
def test_name_frame_equals_the_scalar_functions(values: list[str | None]) -> None:
    series = pd.Series(values, dtype="str", index=np.arange(len(values)) * 3 + 5)
    frame = name_frame(series)
    assert list(frame.columns) == list(NAME_COLUMNS)
    assert frame.index.equals(series.index)
    _same(frame, _expected(values))
    normals = [None if pd.isna(v) else v for v in normalize_names(series)]
    assert normals == [normalize_name(v) for v in values]
    assert name_keys_column(series).tolist() == [name_keys(v) for v in values]


@settings(max_examples=30)
@given(st.lists(names_for_columns, max_size=20))
def test_name_frame_on_object_columns(values: list[str | None]) -> None:
    series = pd.Series(values, dtype=object)
    _same(name_frame(series), _expected(values))


def test_lone_surrogates_in_a_column_are_an_input_error_naming_the_rows() -> None:
    series = pd.Series(["张伟", "\ud800李", "张伟"], index=[7, 8, 9], dtype=object, name="name")
    for column in (name_frame, name_keys_column, normalize_names):
        with pytest.raises(InputError) as info:
            column(series)
        assert info.value.rule == "not_unicode"
        assert info.value.rows == [8]


def test_row_labels_that_are_id_numbers_are_masked_in_errors() -> None:
    series = pd.Series(["张伟", 7], index=["11010519491231002X", "13800138000"], dtype=object)
    with pytest.raises(InputError) as info:
        name_frame(series)
    assert "13800138000" not in str(info.value)
    assert info.value.n_rows == 1


@pytest.mark.parametrize("mark", ["\u200e", "\u202a", "\u2066", "\ufe0f", "\u3164", "\u2061"])
def test_invisible_characters_pasted_into_a_name_are_dropped(mark: str) -> None:
    written = f"{mark}張{mark}偉{mark}"
    assert normalize_name(written) == "张伟"
    assert name_key(written) == "zhang|wei"
    assert name_frame(pd.Series([written] * 3))["name_key"].tolist() == ["zhang|wei"] * 3


@pytest.mark.parametrize(("written", "normal"), [("军·,", "军"), (",·军", "军"), ("军,·,", "军")])
def test_a_comma_at_the_edge_does_not_hide_a_stray_dot(written: str, normal: str) -> None:
    # Found by Hypothesis: normalising was not idempotent, so the keys of a name and of its
    # normal form differed ("|jun" against "jun|").
    assert normalize_name(written) == normal
    assert normalize_name(normal) == normal
    assert name_key(written) == name_key(normal)


def test_ascii_dot_then_space_between_han_is_a_middle_dot() -> None:
    # Found by Hypothesis: "洋. 丽" normalised to "洋.丽", whose keys differed from its own.
    assert normalize_name("洋. 丽") == normalize_name("洋.丽") == "洋·丽"
    assert name_key("洋. 丽") == name_key(normalize_name("洋. 丽"))


# --- organisations key as organisations (issue 9) --------------------------------------------

ORGANISATIONS = [
    "中国工商银行股份有限公司",
    "福州市鼓楼区农民专业合作社",
    "福建省农村信用社联合社",
    "华为投资控股有限公司",
    "万达集团",
    "红星机械制造厂",
    "金杜律师事务所",
    "华为技术有限公司(深圳)",
    "招商银行",
    "ACME TRADING CO., LTD.",
    "Acme Ltd",
    "HSBC BANK",
]


@pytest.mark.parametrize("name", ORGANISATIONS)
def test_organisation_names_key_as_organisations(name: str) -> None:
    from bankcrm.identity.names import ORGANISATION_KEY_PREFIX, is_organisation_name

    assert is_organisation_name(name)
    key = name_key(name)
    assert key is not None
    assert key.startswith(ORGANISATION_KEY_PREFIX)
    assert "某" not in key
    assert "|" not in key
    assert name_match_key(name) == key
    assert name_keys(name) == frozenset({key})
    assert split_name(name) is None
    frame = name_frame(pd.Series([name, "张伟"]))
    assert frame["name_key"].tolist() == [key, "zhang|wei"]
    assert frame["surname"].isna().tolist() == [True, False]


@pytest.mark.parametrize("name", ["张伟", "欧阳娜娜", "李厂", "王建国", "ZHANG WEI", "买买提·艾力"])
def test_people_are_not_organisations(name: str) -> None:
    from bankcrm.identity.names import is_organisation_name

    assert not is_organisation_name(name)
    assert not (name_key(name) or "").startswith("org:")


def test_an_organisation_written_in_traditional_characters_keys_like_simplified() -> None:
    assert name_key("招商銀行") == name_key("招商银行") == "org:招商银行"
