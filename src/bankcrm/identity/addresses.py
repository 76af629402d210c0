"""Postal addresses: normalisation, administrative parts and a comparable unit key.

The same flat is written ``广东省深圳市南山区科技路１００号３栋２单元３０１室``,
``深圳市南山区科技路100号3栋2-301`` and ``广东深圳市南山区科技路100号三栋二单元301``.
This module makes those comparable.

- :func:`normalize_address`: NFKC (full-width digits and letters → ASCII), invisible
  characters dropped, every dash written ``-``, list separators (``，`` ``、`` ``；``) and
  spaces next to Chinese characters removed, traditional → simplified, ASCII letters upper
  case, and simple Chinese numerals before a unit word written in digits (``三栋`` → ``3栋``,
  ``十二层`` → ``12层``).
- :func:`parse_address`: :class:`AddressParts` — the province (official name, whatever form
  was written: ``广西`` → ``广西壮族自治区``), the prefecture-level city (市, 自治州, 地区, 盟;
  for the four municipalities the municipality itself), the county-level district (区, 县,
  county-level 市, 旗 …), the street part and the unit key.
- The **unit key** keeps the numbers of building, entrance and room in order, joined by ``-``
  (``1号楼2单元301室``, ``1栋2-301`` and ``1-2-301`` all give ``1-2-301``; ``#301`` gives
  ``301``). Floors (``12层``, ``5楼``) are dropped because the room number carries the floor.
- :attr:`AddressParts.key`: city (or province) | district | street | unit, punctuation-free,
  so that an address written with and without its province compares equal. Prefecture-level
  city names are unique in China, which is what makes leaving the province out safe.

The parser is a set of rules, not a gazetteer: it recognises the levels by their suffixes and
the province names by a table. A city written without its suffix (``深圳南山区``) is not
recognised as a city. See ``docs/concepts/identity-standardize.md``.

>>> normalize_address("广东省深圳市南山区科技路１００号　三栋二单元３０１室")
'广东省深圳市南山区科技路100号3栋2单元301室'
>>> parts = parse_address("北京朝阳区建国路88号SOHO现代城A座1205室")
>>> parts.province, parts.city, parts.district, parts.street, parts.unit
('北京市', '北京市', '朝阳区', '建国路88号SOHO现代城', 'A-1205')
>>> parse_address("深圳市南山区科技路100号3栋2-301").key == parse_address(
...     "广东省深圳市南山区科技路100号3号楼2单元301室").key
True
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from typing import Any

import attrs
import numpy as np
import pandas as pd

from bankcrm.identity._distinct import (
    IntArray,
    dict_take,
    distinct_text,
    expand_rows,
    str_series,
    text_or_none,
)
from bankcrm.identity._hanzi import HAN_CLASS, NOT_HAN_CLASS, simplified_han_class, simplify_all
from bankcrm.identity._places import (
    CITY_SUFFIXES,
    COUNTY_SUFFIXES,
    NOT_COUNTY_ENDINGS,
    PROVINCE_BY_SHORT,
    PROVINCES,
    Province,
    county_names,
    prefecture_names,
)

__all__ = [
    "ADDRESS_COLUMNS",
    "AddressParts",
    "address_frame",
    "normalize_address",
    "normalize_addresses",
    "parse_address",
]

# ---------------------------------------------------------------------------------------------
# normalisation

_HAN = re.compile(f"[{HAN_CLASS}]")
# Invisible characters pasted along with text: controls, zero-width and bidi marks,
# embeddings and isolates, invisible operators, variation selectors and Hangul fillers.
_INVISIBLE = re.compile(
    "[\u0000-\u0008\u000e-\u001b\u007f-\u009f\u00ad\u034f\u115f\u1160\u180e\u200b-\u200f"
    "\u202a-\u202e\u2060-\u2064\u2066-\u2069\u3164\ufe00-\ufe0f\ufeff\uffa0]"
)
_DASHES = re.compile("[\u2010-\u2015\u2212\u30fc\ufe58\ufe63\uff0d]")
_LIST_SEPARATORS = re.compile("[,;、]")
_SPACE_BY_HAN = re.compile(f"(?<=[{HAN_CLASS}#-]) | (?=[{HAN_CLASS}#-])")
_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")

_CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5}
_CN_DIGITS |= {"六": 6, "七": 7, "八": 8, "九": 9}
# Unit words that a Chinese numeral may precede. 门 and 座 are left out on purpose: 三门峡市,
# 三座塔 are place names.
_CN_NUMBER_BEFORE_UNIT = re.compile("([〇零一二两三四五六七八九十]+)(?=号楼|栋|幢|单元|层|楼|室)")


def _chinese_number(text: str) -> str:
    """Simple Chinese numerals in digits: ``三`` → 3, ``十二`` → 12, ``三〇一`` → 301.

    Anything else (``一百``, ``十十``) is returned unchanged.
    """
    if "十" not in text:
        return "".join(str(_CN_DIGITS[c]) for c in text)
    tens, _, ones = text.partition("十")
    if "十" in ones or len(tens) > 1 or len(ones) > 1:
        return text  # not a simple number: leave it as written
    return str((_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0))


def _clean(text: str) -> str:
    """Every step of :func:`normalize_address` before traditional → simplified."""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
        text = _INVISIBLE.sub("", text)
        text = _DASHES.sub("-", text)
    elif not text.isprintable():
        text = _INVISIBLE.sub("", text)
    text = _LIST_SEPARATORS.sub(" ", text)
    text = " ".join(text.split())
    return _SPACE_BY_HAN.sub("", text)


def _finish(text: str) -> str | None:
    """The steps after traditional → simplified."""
    text = text.translate(_UPPER)
    if _HAN.search(text):
        text = _CN_NUMBER_BEFORE_UNIT.sub(lambda m: _chinese_number(m.group(1)), text)
    return text or None


def _normalize_many(values: list[str]) -> list[str | None]:
    cleaned = [_clean(v) for v in values]
    han = [i for i, c in enumerate(cleaned) if _HAN.search(c)]
    for i, converted in zip(han, simplify_all([cleaned[i] for i in han]), strict=True):
        cleaned[i] = converted
    return [_finish(c) for c in cleaned]


def normalize_address(value: object) -> str | None:
    """Return the canonical written form of an address, or ``None`` if missing or blank.

    Raises:
        InputError: if ``value`` is neither text nor missing (rule ``not_text``).

    >>> normalize_address("臺北市信義區 市府路１號"), normalize_address("1 栋 2－301")
    ('台北市信义区市府路1号', '1栋2-301')
    >>> normalize_address("Room 3, Tower a"), normalize_address(None)
    ('ROOM 3 TOWER A', None)
    """
    text = text_or_none(value, "an address", "address")
    if text is None:
        return None
    return _normalize_many([text])[0]


# ---------------------------------------------------------------------------------------------
# administrative parts


def _alternation(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_PROVINCE_BY_NAME: dict[str, Province] = {p.name: p for p in PROVINCES}
_PROVINCE_RE = re.compile(
    f"(?P<full>{_alternation(list(_PROVINCE_BY_NAME))})"
    f"|(?P<short>{_alternation(list(PROVINCE_BY_SHORT))})(?P<suffix>省|自治区|特别行政区|市)?"
)
# A bare short name followed by one of these is the start of a longer place name instead:
# 吉林市 (a city in Jilin), 海南藏族自治州 (in Qinghai), 海南区 (in Wuhai), 河南蒙古族自治县.
_NOT_PROVINCE_AFTER = ("市", "区", "县", "州", "盟", "旗", "地区", "藏族", "蒙古族")
# What may follow a municipality before its district: the code tables' "市辖区" / "县"
# placeholders, or the municipality written twice.
_MUNICIPAL_FILLER = re.compile("(?:市辖区|市辖县|县(?![区县市]))")
_CITY_RE = re.compile(f"[^{NOT_HAN_CLASS}省市区县]{{1,12}}?(?:{_alternation(list(CITY_SUFFIXES))})")
_COUNTY_RE = re.compile(
    f"[^{NOT_HAN_CLASS}省区县]{{1,15}}?(?:{_alternation(list(COUNTY_SUFFIXES))})"
)
# Characters of a street name: a place-name token containing one after its first character
# (人民路恒隆广场超市) is part of the street, as is a token directly followed by one (红旗路).
_STREET_CHARS = frozenset("路街巷弄号楼栋室")


def _plausible(token: str, following: str) -> bool:
    if any(c in _STREET_CHARS for c in token[1:]):
        return False
    return not (following and following[0] in "路街巷弄")


# :func:`_match_province` reads no further than this: the longest name, or short name and
# suffix, or short name and what may not follow it.
_PROVINCE_READS = max(
    *map(len, _PROVINCE_BY_NAME),
    max(map(len, PROVINCE_BY_SHORT)) + max(len(s) for s in ("省", "自治区", "特别行政区", "市")),
    max(map(len, PROVINCE_BY_SHORT)) + max(map(len, _NOT_PROVINCE_AFTER)),
)


def _match_province(text: str) -> tuple[Province, int] | None:
    """The province an address starts with and where it ends (memoised on the characters read).

    >>> _match_province("吉林市船营区") is None, _match_province("吉林省吉林市")[1]
    (True, 3)
    """
    return _match_province_prefix(text[:_PROVINCE_READS])


@functools.lru_cache(maxsize=1 << 16)
def _match_province_prefix(text: str) -> tuple[Province, int] | None:
    m = _PROVINCE_RE.match(text)
    if m is None:
        return None
    if m.group("full"):
        return _PROVINCE_BY_NAME[m.group("full")], m.end()
    province = PROVINCE_BY_SHORT[m.group("short")]
    if m.group("suffix") is None and text.startswith(_NOT_PROVINCE_AFTER, m.end()):
        return None
    if m.group("suffix") == "市" and province.kind != "municipality":
        return None  # 吉林市 is the city, not the province
    return province, m.end()


def _parse_admin(text: str) -> tuple[str | None, str | None, str | None, int]:
    """Province, city, district and where the rest of the address starts."""
    province = city = district = None
    pos = 0
    found = _match_province(text)
    if found is not None:
        match, pos = found
        province = match.name
        if match.kind in ("municipality", "sar"):
            city = match.name
            if text.startswith(match.name, pos):
                pos += len(match.name)
            filler = _MUNICIPAL_FILLER.match(text, pos)
            if filler is not None:
                pos = filler.end()
    if city is None:
        prefectures, counties = _admin_names()
        known_city = _known(text, pos, prefectures)
        known_county = _known(text, pos, counties)
        if (
            known_county is not None
            and len(known_county) > len(known_city or "")
            and known_county not in prefectures[0]
        ):  # 新市区 is a district, not the city 新市 and a stray 区
            return province, city, known_county, pos + len(known_county)
        if known_city is not None:  # 唐山市 before 路南区, 宿县地区 before 萧县
            city, pos = known_city, pos + len(known_city)
        else:
            m = _CITY_RE.match(text, pos)
            if (
                m is not None
                and _plausible(m.group(), text[m.end() : m.end() + 1])
                and not _county_only(m.group())
            ):
                city, pos = m.group(), m.end()
    known = _known(text, pos, _admin_names()[1])
    if known is not None:
        return province, city, known, pos + len(known)
    m = _COUNTY_RE.match(text, pos)
    if (
        m is not None
        and not m.group().endswith(NOT_COUNTY_ENDINGS)
        and _plausible(m.group(), text[m.end() : m.end() + 1])
    ):
        district, pos = m.group(), m.end()
    return province, city, district, pos


def _county_only(name: str) -> bool:
    """A county-level name of GB/T 2260 that never named a prefecture (``昆山市``)."""
    return name in county_names() and name not in prefecture_names()


#: GB/T 2260 names of one level; by first character, the lengths of those names, longest first;
#: the lengths for a character no name starts with (``(0,)`` if "" were a name, else none). A
#: lookup tries only the few lengths that can match at a position, longest first, as the loop
#: over every length (:func:`bankcrm.identity._places.county_name_lengths`) did.
_KnownNames = tuple[frozenset[str], dict[str, tuple[int, ...]], tuple[int, ...]]


def _known_names(names: frozenset[str]) -> _KnownNames:
    sizes: dict[str, set[int]] = {}
    for name in names:
        sizes.setdefault(name[:1], set()).add(len(name))
    if "" in names:
        for lengths in sizes.values():
            lengths.add(0)
    by_first = {first: tuple(sorted(s, reverse=True)) for first, s in sizes.items()}
    return names, by_first, (0,) if "" in names else ()


@functools.cache
def _admin_names() -> tuple[_KnownNames, _KnownNames]:
    """The prefecture-level and the county-level names, ready for :func:`_known`."""
    return _known_names(prefecture_names()), _known_names(county_names())


def _known(text: str, pos: int, known: _KnownNames) -> str | None:
    """The longest of the names of ``known`` (GB/T 2260 names) that starts at ``pos``, if any.

    Known names are taken whatever their characters: ``鼓楼区`` (Fuzhou, Nanjing, Kaifeng,
    Xuzhou) has ``楼`` in it, which in an unknown token marks a street.

    The same as trying every length of the level, longest first, for every name followed by
    a street and for every name's prefix:

    >>> from bankcrm.identity._places import county_name_lengths, prefecture_name_lengths
    >>> def every_length(text, pos, names, lengths):
    ...     for length in lengths:
    ...         if len(text[pos : pos + length]) == length and text[pos : pos + length] in names:
    ...             return text[pos : pos + length]
    >>> tables = zip(_admin_names(), (prefecture_name_lengths(), county_name_lengths()))
    >>> all(
    ...     _known(text, 1, known) == every_length(text, 1, known[0], lengths)
    ...     for known, lengths in tables
    ...     for name in known[0]
    ...     for text in ("北" + name + "人民路", "北" + name[:-1], "北" + name + name)
    ... )
    True
    """
    names, lengths, otherwise = known
    for length in lengths.get(text[pos : pos + 1], otherwise):
        candidate = text[pos : pos + length]
        if len(candidate) == length and candidate in names:
            return candidate
    return None


# ---------------------------------------------------------------------------------------------
# street and unit

_LABELS = "号楼|栋|幢|座|单元|门|层|楼|室|房|户"
_NUMBER = "[0-9A-Z]+(?:-[0-9A-Z]+)*"
_LABELLED = f"{_NUMBER}(?:{_LABELS})"
_HASHED = f"#{_NUMBER}"
# The unit is a run of numbered parts at the end of the address: it starts with a labelled
# part ("3栋…") or "#"; or it is bare numbers right after a street number ("…100号301"); or a
# dashed number at the end that does not follow a street word ("阳光小区12-3-401").
_UNIT_LABELLED = re.compile(f"(?:{_LABELLED}|{_HASHED})(?:-?(?:{_LABELLED}|{_HASHED}|{_NUMBER}))*$")
_UNIT_AFTER_NUMBER = re.compile(f"(?<=号)[0-9A-Z]+(?:-?(?:{_LABELLED}|{_NUMBER}))*$")
_UNIT_DASHED = re.compile("(?<![0-9A-Z路街巷弄道-])[0-9A-Z]+(?:-[0-9A-Z]+)+$")
_UNIT_PART = re.compile(f"({_NUMBER})({_LABELS})?")
_FLOOR_LABELS = frozenset({"层", "楼"})
_KEY_DROP = re.compile(f"[^0-9A-Z{HAN_CLASS}]")


def _unit_start(rest: str, start: int = 0) -> int | None:
    """Where the unit begins in ``rest`` (searching from ``start``), or ``None``.

    Characters before ``start`` are context only: the look-behinds may see them.
    """
    for pattern in (_UNIT_LABELLED, _UNIT_AFTER_NUMBER, _UNIT_DASHED):
        m = pattern.search(rest, start)
        if m is not None:
            return m.start()
    return None


def _split_unit(rest: str) -> tuple[str, str | None]:
    """Street text and unit text of the part of an address after its districts."""
    start = _unit_start(rest)
    return (rest, None) if start is None else (rest[:start], rest[start:])


def _unit_key(unit: str) -> str | None:
    """The numbers of the unit in order, floors dropped unless nothing else is left."""
    parts: list[str] = []
    floors: list[str] = []
    for number, label in _UNIT_PART.findall(unit):
        target = floors if label in _FLOOR_LABELS else parts
        target.extend(p.lstrip("0") or "0" for p in number.split("-"))
    return "-".join(parts or floors) or None


@attrs.frozen
class AddressParts:
    """The parts of a normalised address (each ``None`` when not found).

    Attributes:
        province: official name of the province-level division.
        city: the prefecture-level division as written (the municipality itself for 北京, 上海,
            天津 and 重庆, and the region for Hong Kong and Macau).
        district: the county-level division as written (区, 县, county-level 市, 旗 …).
        street: the rest of the address before the unit: street, number, estate, building name.
        unit: the unit key (see the module docstring), such as ``"3-2-301"``.
    """

    province: str | None
    city: str | None
    district: str | None
    street: str | None
    unit: str | None

    @property
    def key(self) -> str | None:
        """``city-or-province|district|street|unit`` without punctuation (``None`` if empty).

        >>> parse_address("上海浦东新区世纪大道100号(近地铁站)").key
        '上海市|浦东新区|世纪大道100号近地铁站|'
        """
        street = _KEY_DROP.sub("", self.street) if self.street else ""
        fields = (self.city or self.province or "", self.district or "", street, self.unit or "")
        return "|".join(fields) if any(fields) else None


def _parse(normal: str) -> AddressParts:
    province, city, district, pos = _parse_admin(normal)
    street, unit = _split_unit(normal[pos:])
    street = street.strip(" -#,")
    return AddressParts(
        province, city, district, street or None, _unit_key(unit) if unit is not None else None
    )


def parse_address(value: object) -> AddressParts | None:
    """Normalise an address and split it into :class:`AddressParts` (``None`` if missing).

    Raises:
        InputError: if ``value`` is neither text nor missing (rule ``not_text``).

    >>> p = parse_address("新疆伊犁哈萨克自治州伊宁市解放路1号")
    >>> p.province, p.city, p.district, p.street, p.unit
    ('新疆维吾尔自治区', '伊犁哈萨克自治州', '伊宁市', '解放路1号', None)
    >>> parse_address("江苏省苏州市昆山市玉山镇1栋2-301").unit
    '1-2-301'
    """
    normal = normalize_address(value)
    if normal is None:
        return None
    return _parse(normal)


# ---------------------------------------------------------------------------------------------
# columns: work once per distinct address, vectorised for the shape that dominates real data
#
# An address of Han characters followed by ASCII digits, letters, "-" and "#" (the usual
# "省市区 + 路 + 号 + 栋单元室") is split with string kernels: the administrative part depends
# only on the leading Han characters (the "head"), parsed once per distinct head; the unit
# depends only on the *shape* of the rest (each run of digits and letters written as "0"),
# analysed once per distinct shape and applied with one regex per shape. Every other address
# goes through the scalar functions. Tests check that both paths agree on generated addresses.

#: The columns of :func:`address_frame`, in order.
ADDRESS_COLUMNS = (
    "addr_province",
    "addr_city",
    "addr_district",
    "addr_street",
    "addr_unit",
    "addr_key",
)

# Plain character classes only, so that RE2 (pyarrow) and Python's re read them alike.
_CN_NUMERAL_UNIT = "[〇零一二两三四五六七八九十](?:号楼|栋|幢|单元|层|楼|室)"
_HEAD = "^[\u4e00-\u9fff]*"
_AFTER_HEAD = "[^\u4e00-\u9fff].*$"
_RUN = "[0-9A-Z]+"
#: Shapes seen on fewer rows than this are finished by the scalar unit key, not a regex.
_MIN_SHAPE_ROWS = 20


def _shape_regex(shape: str, capture: set[int] | None = None) -> str:
    """A regex matching the texts of ``shape``; runs listed in ``capture`` are captured."""
    parts = []
    run = 0
    for char in shape:
        if char == "0":
            captured = capture is not None and run in capture
            parts.append(f"0*({_RUN})" if captured else _RUN)
            run += 1
        else:
            parts.append(re.escape(char))
    return "".join(parts)


def _kept_runs(unit_shape: str) -> list[int]:
    """The runs of a unit shape that :func:`_unit_key` keeps (all but floors, if any)."""
    parts: list[int] = []
    floors: list[int] = []
    run = 0
    for number, label in _UNIT_PART.findall(unit_shape):
        count = number.count("0")
        (floors if label in _FLOOR_LABELS else parts).extend(range(run, run + count))
        run += count
    return parts or floors


def _split_head(normal: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Each fast-shape address's head (leading Han characters), tail (the rest) and the tail's
    shape (every run of digits and capitals written ``0``)."""
    tail = normal.str.replace(_HEAD, "", regex=True)
    return (
        normal.str.replace(_AFTER_HEAD, "", regex=True),
        tail,
        tail.str.replace(_RUN, "0", regex=True),
    )


def _fast_fields(normal: pd.Series) -> pd.DataFrame:
    """The :data:`ADDRESS_COLUMNS` of normalised addresses of the fast shape."""
    index = normal.index
    head, tail, tail_shape = _split_head(normal)
    h_codes, h_uniques = pd.factorize(head)
    heads = h_uniques.tolist()
    admin = [_parse_admin(h) for h in heads]
    rests = [h[pos:] for h, (_, _, _, pos) in zip(heads, admin, strict=True)]
    # Far fewer distinct (province, city, district) than heads: number them, and build the
    # string arrays of the administrative parts over the distinct triples only.
    numbers: dict[tuple[str | None, ...], int] = {}
    triple = np.fromiter(
        (numbers.setdefault(a[:3], len(numbers)) for a in admin), dtype=np.intp, count=len(admin)
    )[h_codes]
    triples = list(numbers)
    province = dict_take([t[0] for t in triples], triple, index)
    city = dict_take([t[1] for t in triples], triple, index)
    district = dict_take([t[2] for t in triples], triple, index)
    street_head = dict_take(rests, h_codes, index)
    context = dict_take([r[-1:] for r in rests], h_codes, index)
    # The key's first two fields depend on the head only: "city-or-province|district|".
    key_head = dict_take([f"{t[1] or t[0] or ''}|{t[2] or ''}|" for t in triples], triple, index)

    shape_key = context + tail_shape
    s_codes, s_uniques = pd.factorize(shape_key)
    counts = np.bincount(s_codes, minlength=len(s_uniques))
    # Rows of each shape (ascending), without one pass over all rows per shape.
    order = np.argsort(s_codes, kind="stable")
    ends = np.cumsum(counts).tolist()
    dtype: Any = tail.dtype  # str, or the caller's string dtype
    street_parts: list[tuple[IntArray, Any]] = []
    unit_parts: list[tuple[IntArray, Any]] = []
    slow: list[IntArray] = []
    for code, key in enumerate(s_uniques.tolist()):
        rows = order[ends[code] - counts[code] : ends[code]]
        skip = 0 if key[:1].isascii() else 1  # the tail itself starts with an ASCII character
        shape = key[skip:]
        start = _unit_start(key, skip)
        if start is None:
            continue  # no unit: the whole tail belongs to the street
        start -= skip
        if counts[code] < _MIN_SHAPE_ROWS:
            slow.append(rows)
            continue
        street_re, unit_re = _shape_regex(shape[:start]), _shape_regex(shape[start:])
        kept = _kept_runs(shape[start:])
        first_run = shape[:start].count("0")
        subset = tail.iloc[rows]
        street_parts.append(
            (rows, subset.str.replace(f"^({street_re}){unit_re}$", r"\1", regex=True).array)
        )
        if kept:
            key_re = _shape_regex(shape, {first_run + k for k in kept})
            repl = "-".join(f"\\{i + 1}" for i in range(len(kept)))
            unit_parts.append((rows, subset.str.replace(f"^{key_re}$", repl, regex=True).array))
    if slow:  # shapes too rare for a regex of their own
        rows = np.sort(np.concatenate(slow))
        slow_streets: list[str] = []
        slow_units: list[str | None] = []
        contexts = context.array.take(rows)
        for ctx, text in zip(contexts.tolist(), tail.array.take(rows).tolist(), strict=True):
            begin = _unit_start(ctx + text, len(ctx))
            if begin is None:
                slow_streets.append(text)
                slow_units.append(None)
            else:
                slow_streets.append(text[: begin - len(ctx)])
                slow_units.append(_unit_key(text[begin - len(ctx) :]))
        street_parts.append((rows, pd.array(slow_streets, dtype=dtype)))
        unit_parts.append((rows, pd.array(slow_units, dtype=dtype)))
    street_tail = _patched(tail.array, np.arange(len(tail)), street_parts, index)
    none = pd.array([None], dtype=dtype)  # all missing until a shape fills it
    unit = _patched(none, np.zeros(len(tail), dtype=np.intp), unit_parts, index)
    street = (street_head + street_tail).str.strip(" -#,")
    street = street.mask(street.str.len() == 0)
    # Fast-shape streets hold only Han characters, digits, capitals, "-" and "#".
    street_key = street.fillna("").str.replace("[-#]", "", regex=True)
    key = key_head + street_key + "|" + unit.fillna("")
    key = key.mask(key == "|||")
    return pd.DataFrame(
        dict(zip(ADDRESS_COLUMNS, (province, city, district, street, unit, key), strict=True))
    )


def _patched(
    base: Any, picks: IntArray, parts: list[tuple[IntArray, Any]], index: pd.Index
) -> pd.Series:
    """``base.take(picks)`` with the rows of each part replaced by its values, in one take."""
    pieces = [base]
    offset = len(base)
    for rows, values in parts:
        picks[rows] = offset + np.arange(len(rows))
        pieces.append(values)
        offset += len(rows)
    array = type(base)._concat_same_type(pieces) if len(pieces) > 1 else base
    return pd.Series(array.take(picks), index=index, copy=False)


def _fields(normal: str | None) -> tuple[str | None, ...]:
    if normal is None:
        return (None,) * len(ADDRESS_COLUMNS)
    parts = _parse(normal)
    return (parts.province, parts.city, parts.district, parts.street, parts.unit, parts.key)


def _scalar_fields(values: pd.Series) -> pd.DataFrame:
    memo: dict[str | None, tuple[str | None, ...]] = {}
    rows = []
    for normal in _normalize_many(values.tolist()):
        fields = memo.get(normal)
        if fields is None:
            fields = memo.setdefault(normal, _fields(normal))
        rows.append(fields)
    columns = list(zip(*rows, strict=True))
    return pd.DataFrame(
        {
            name: str_series(np.array(vals, dtype=object), values.index)
            for name, vals in zip(ADDRESS_COLUMNS, columns, strict=True)
        }
    )


@functools.cache
def _fast_address() -> str:
    """Addresses of simplified Han characters (GB 2312), ASCII digits, capitals, ``#``, ``-``."""
    return f"[{simplified_han_class()}0-9A-Z#-]+"


def _fields_of_distinct(uniques: pd.Series) -> pd.DataFrame:
    """The :data:`ADDRESS_COLUMNS` of each distinct address (rows aligned with ``uniques``).

    Addresses of the fast shape normalise to themselves (nothing to convert, no spaces, no
    full-width forms, no lower case, no Chinese numerals before a unit word).
    """
    if uniques.empty:
        return pd.DataFrame({c: str_series([]) for c in ADDRESS_COLUMNS})
    fast = uniques.str.fullmatch(_fast_address()) & ~uniques.str.contains(
        _CN_NUMERAL_UNIT, regex=True
    )
    normal = uniques[fast]
    parts = [_fast_fields(normal)] if not normal.empty else []
    if not fast.all():
        parts.append(_scalar_fields(uniques[~fast]))
    # Rows stay grouped by path; their index is the distinct value's position (see expand_rows).
    return pd.concat(parts) if len(parts) > 1 else parts[0]


def normalize_addresses(series: Any) -> pd.Series:
    """Vectorised :func:`normalize_address` (each distinct address normalised once).

    >>> normalize_addresses(pd.Series(["１栋", None])).tolist()
    ['1栋', nan]
    """
    label = str(getattr(series, "name", None) or "address")
    series, codes, uniques = distinct_text(series, label, "addresses", pii="address")
    normals = str_series(np.array([*_normalize_many(uniques.tolist()), None], dtype=object))
    return pd.Series(
        normals.array[:-1].take(codes, allow_fill=True), index=series.index, name=series.name
    )


def address_frame(series: Any) -> pd.DataFrame:
    """Vectorised :func:`parse_address`: one column per part, plus the key.

    Returns a frame with the index of ``series`` and the columns :data:`ADDRESS_COLUMNS`
    (all missing where the address is), each equal to the scalar result.

    Raises:
        InputError: if a value is neither text nor missing.

    >>> address_frame(pd.Series(["北京市海淀区中关村大街1号"]))[["addr_city", "addr_district"]]
      addr_city addr_district
    0       北京市           海淀区
    """
    index, codes, (uniques,) = _address_parts(series, 1)
    return _address_rows([_fields_of_distinct(uniques)], codes, index)


#: A part of :func:`_address_parts` holds at least this many distinct addresses.
_MIN_PART = 50_000


def _address_parts(series: Any, parts: int) -> tuple[pd.Index, IntArray, list[pd.Series]]:
    """The column's index, its factorisation codes and its distinct addresses cut into at most
    ``parts`` consecutive parts of at least :data:`_MIN_PART` values (one part if fewer).

    Each part keeps the distinct values' positions as its index, so that the
    :func:`_fields_of_distinct` of the parts, computed in any order or on any thread, go
    together again in :func:`_address_rows`. The fields of an address depend on that address
    only, so the cut does not change any result.

    Raises:
        InputError: if a value is neither text nor missing.
    """
    label = str(getattr(series, "name", None) or "address")
    series, codes, uniques = distinct_text(series, label, "addresses", pii="address")
    count = max(1, min(parts, len(uniques) // _MIN_PART))
    bounds = np.linspace(0, len(uniques), count + 1).astype(np.intp).tolist()
    return (
        series.index,
        codes,
        [uniques.iloc[a:b] for a, b in itertools.pairwise(bounds)],
    )


def _address_rows(fields: list[pd.DataFrame], codes: IntArray, index: pd.Index) -> pd.DataFrame:
    """The :data:`ADDRESS_COLUMNS` of every row from the fields of all parts of its column."""
    return expand_rows(fields[0] if len(fields) == 1 else pd.concat(fields), codes, index)
