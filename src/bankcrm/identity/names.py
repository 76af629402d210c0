"""Names: normalisation, surname splitting and pinyin keys that match romanised names.

A customer's name reaches the bank in many forms: ``张伟``, ``張偉`` (traditional), ``张 伟``,
full-width ``ＺＨＡＮＧ　ＷＥＩ``, ``Zhang Wei``, ``WEI ZHANG`` (given name first), ``ZHANG, WEI``.
This module turns each into a canonical form and into keys that agree across those forms.

- :func:`normalize_name`: NFKC, invisible characters dropped, whitespace collapsed, no spaces
  inside Chinese names, the middle dot of minority and transliterated foreign names unified to
  ``·``, traditional → simplified (OpenCC ``t2s``, applied to names with a character outside
  GB 2312, keeping the few GB 2312 characters ``t2s`` would rewrite, such as 乾; see
  :mod:`bankcrm.identity._hanzi`), Latin letters upper-cased.
- :func:`split_name`: ``(surname, given)``, with compound surnames (欧阳, 司马, 诸葛 …).
- :func:`name_pinyin`: the readings of the two parts, the surname read with its *surname*
  reading (单 Shan, 曾 Zeng, 解 Xie …; see :mod:`bankcrm.identity._surnames`), the given name
  with :mod:`pypinyin`; ``v`` stands for ü.
- :func:`pinyin_key`: ``"surname|given"`` from those readings (strict: ``lv`` ≠ ``lyu``).
- :func:`name_key`: the same, *folded* so that passport spellings of ü agree (吕 = ``LYU`` /
  ``LV`` / ``LU`` → ``lu``), apostrophes and hyphens dropped.
- :func:`name_keys`: every plausible folded key — both orders of a romanised name, a compound
  surname written as two words, the other readings of a polyphonic surname (覃 Qin / Tan).
  Two names may be the same person when their key sets intersect.
- :func:`name_match_key`: one order-free folded key (the two parts sorted), so that ``张伟``,
  ``ZHANG WEI`` and ``WEI ZHANG`` share a single column value for blocking.
- :func:`is_organisation_name`: company, bank, cooperative … names (…有限公司, …银行,
  …合作社, ``… CO., LTD.``). They are not split and key as themselves: ``"org:"`` and the
  normalised name, in :func:`name_key`, :func:`name_match_key` and :func:`name_keys`.
- :func:`name_frame`, :func:`normalize_names`, :func:`name_keys_column`: the same for a whole
  column, computed once per distinct name, vectorised for the common shapes, equal to the
  scalar functions.

Romanised names are read as Hanyu Pinyin. Wade-Giles (``Chang``, ``Hsu``), Cantonese
(``Chan``, ``Wong``) and other systems are out of scope: they produce different keys.

>>> normalize_name(" 張  偉 ")
'张伟'
>>> split_name("欧阳娜娜")
('欧阳', '娜娜')
>>> name_pinyin("单田芳"), name_pinyin("曾国藩")
(('shan', 'tianfang'), ('zeng', 'guofan'))
>>> pinyin_key("吕伟"), name_key("吕伟"), name_key("LYU WEI"), name_key("Lv Wei")
('lv|wei', 'lu|wei', 'lu|wei', 'lu|wei')
>>> name_match_key("张伟") == name_match_key("WEI ZHANG") == name_match_key("Zhang, Wei")
True
>>> sorted(name_keys("WEI ZHANG"))
['wei|zhang', 'zhang|wei']
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from bankcrm.identity._distinct import (
    dict_take,
    distinct_text,
    expand_rows,
    str_series,
    text_or_none,
)
from bankcrm.identity._hanzi import HAN_CLASS, needs_simplify_pattern, simplify_all
from bankcrm.identity._surnames import COMMON_SURNAMES, COMPOUND_SURNAMES, SURNAME_READINGS

__all__ = [
    "NAME_COLUMNS",
    "ORGANISATION_KEY_PREFIX",
    "is_organisation_name",
    "keys_intersect",
    "name_frame",
    "name_key",
    "name_keys",
    "name_keys_column",
    "name_match_key",
    "name_pinyin",
    "normalize_name",
    "normalize_names",
    "pinyin_key",
    "split_name",
]

_HAN_CLASS = HAN_CLASS
_HAN = re.compile(f"[{_HAN_CLASS}]")
_DOT = "·"
# Middle-dot look-alikes used between the parts of minority and transliterated foreign names.
_DOTS = re.compile("[\u00b7\u2022\u2027\u2219\u22c5\u2e31\u30fb\u16eb]")
# Invisible characters pasted along with text: controls, zero-width and bidi marks,
# embeddings and isolates, invisible operators, variation selectors and Hangul fillers.
_INVISIBLE = re.compile(
    "[\u0000-\u0008\u000e-\u001b\u007f-\u009f\u00ad\u034f\u115f\u1160\u180e\u200b-\u200f"
    "\u202a-\u202e\u2060-\u2064\u2066-\u2069\u3164\ufe00-\ufe0f\ufeff\uffa0]"
)
# Spaces and dots next to a Han character or a middle dot: none belong in a Chinese name.
_SPACE_BY_HAN = re.compile(f"(?<=[{_HAN_CLASS}{_DOT}]) | (?=[{_HAN_CLASS}{_DOT}])")
_ASCII_DOT_IN_HAN = re.compile(f"(?<=[{_HAN_CLASS}])\\.(?=[{_HAN_CLASS}])")
_DOT_RUNS = re.compile(f"{_DOT}{{2,}}")
_COMMA = re.compile(r" ?, ?")
_NOT_LETTER = re.compile(r"[^a-z]")
# Passport spellings of ü after l and n (LYU, LV, LU; NYU, NV, NU) all fold to "u". After a
# vowel, "nyu" is far more often a syllable ending in n followed by yu (晨宇 chenyu) than nü,
# so it is left alone there.
_UMLAUT = re.compile(r"(?<=l)(?:yu|v)|(?<=n)v|(?<![aeiou]n)(?<=n)yu")


# --------------------------------------------------------------------------------------------
# normalisation


def _clean(text: str) -> str:
    """Every step of :func:`normalize_name` except traditional → simplified."""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
        text = _INVISIBLE.sub("", text)
        text = _DOTS.sub(_DOT, text)
    elif not text.isprintable():
        text = _INVISIBLE.sub("", text)
    text = " ".join(text.split())
    if _HAN.search(text):
        text = _SPACE_BY_HAN.sub("", text)  # first: "洋. 丽" has its dot between Han then
        text = _ASCII_DOT_IN_HAN.sub(_DOT, text)
        text = _DOT_RUNS.sub(_DOT, text).strip(_DOT)
    if "," in text:
        text = _COMMA.sub(", ", text).strip(", ")
        if _HAN.search(text):  # a comma at the edge may have hidden a dot from the strip above
            text = text.strip(", " + _DOT)
    upper = text.upper()
    if upper != text and not upper.isascii():
        upper = unicodedata.normalize("NFKC", upper)
    return upper


def _finish(cleaned: str, simplified: str) -> str | None:
    """Re-clean after conversion only when the conversion changed something."""
    out = simplified if simplified == cleaned else _clean(simplified)
    return out or None


def normalize_name(value: object) -> str | None:
    """Return the canonical written form of a name, or ``None`` if it is missing or blank.

    Args:
        value: the name as stored (``None``, NaN and ``pd.NA`` count as missing).

    Raises:
        InputError: if ``value`` is neither text nor missing (rule ``not_text``).

    >>> normalize_name("張 偉"), normalize_name("ＺＨＡＮＧ　ｗｅｉ"), normalize_name("zhang,wei")
    ('张伟', 'ZHANG WEI', 'ZHANG, WEI')
    >>> normalize_name("买买提 • 艾力"), normalize_name("乾 隆"), normalize_name("  ")
    ('买买提·艾力', '乾隆', None)
    """
    text = text_or_none(value, "a name", "name")
    if text is None:
        return None
    cleaned = _clean(text)
    if not _HAN.search(cleaned):
        return cleaned or None
    return _finish(cleaned, simplify_all([cleaned])[0])


# --------------------------------------------------------------------------------------------
# organisations

#: The prefix of an organisation's keys: ``"org:" + the normalised name``, letters, digits and
#: Han characters only. Person keys are folded pinyin (``"zhang|wei"``) and never start so.
ORGANISATION_KEY_PREFIX = "org:"

# The endings of Chinese organisation names (company, bank, cooperative, group, factory, firm,
# institute, school, hospital, association, shop …), optionally followed by a bracketed branch
# or place, "(北京)". Plain alternations and classes: RE2 (pyarrow) and Python's re read them
# alike. A Chinese person's name has at most four characters with a compound surname, so
# only names of four or more characters are considered.
_ORG_ENDINGS = (
    "公司|银行|合作社|联合社|信用社|集团|厂|事务所|研究所|研究院|设计院|医院|卫生院|诊所|学校|"
    "大学|学院|中学|小学|幼儿园|协会|学会|商会|基金会|委员会|中心|商行|商店|商场|超市|门市部|"
    "经营部|营业部|工作室|分行|支行|企业|酒店|饭店|宾馆|药店|药房|政府|办事处|俱乐部|农场|林场|"
    "牧场"
)
# One-character endings only from five characters on (a person may be named 李厂 or 欧阳建社).
_ORG_ENDINGS_1 = "[厂矿场社局所院部店馆站队]"
_BRANCH = "(?:[(][^()]*[)])?$"
_ORG_HAN_RE = f"(?:{_ORG_ENDINGS}){_BRANCH}"
_ORG_HAN_RE_1 = f"{_ORG_ENDINGS_1}{_BRANCH}"
_ORG_LATIN_RE = (
    r"\b(?:CO|COMPANY|LTD|LIMITED|INC|INCORPORATED|CORP|CORPORATION|LLC|LLP|PLC|GMBH|BANK|"
    r"GROUP|HOLDINGS?|TRUST|FUND|COOPERATIVE|ASSOCIATION|FOUNDATION|UNIVERSITY)\b"
)
_ORG_HAN = re.compile(_ORG_HAN_RE)
_ORG_HAN_1 = re.compile(_ORG_HAN_RE_1)
_ORG_LATIN = re.compile(_ORG_LATIN_RE)
_ORG_KEY_DROP = re.compile(f"[^0-9A-Z{_HAN_CLASS}]")


def _is_org(name: str) -> bool:
    if _HAN.search(name):
        return (len(name) >= 4 and _ORG_HAN.search(name) is not None) or (
            len(name) >= 5 and _ORG_HAN_1.search(name) is not None
        )
    return _ORG_LATIN.search(name) is not None


def _org_key(name: str) -> str:
    return ORGANISATION_KEY_PREFIX + _ORG_KEY_DROP.sub("", name)


def is_organisation_name(value: object) -> bool:
    """Tell whether a name is an organisation's rather than a person's.

    A Chinese name of four or more characters that ends like an organisation's (…有限公司,
    …银行, …合作社, …集团, …事务所, …医院, …协会, …中心 …; with a one-character ending such
    as …厂, …局, …店 five or more), optionally followed by a bracketed place; or a romanised
    name with a word such as ``CO``, ``LTD``, ``LIMITED``, ``INC``, ``CORP``, ``LLC``,
    ``BANK`` or ``GROUP``. Organisations get one key, the
    normalised name prefixed ``org:`` (:data:`ORGANISATION_KEY_PREFIX`), and no surname.

    >>> is_organisation_name("福州市鼓楼区建设银行"), is_organisation_name("张伟")
    (True, False)
    >>> is_organisation_name("Acme Trading Co., Ltd."), is_organisation_name(None)
    (True, False)
    """
    name = normalize_name(value)
    return name is not None and _is_org(name)


# --------------------------------------------------------------------------------------------
# splitting


def _is_han(name: str) -> bool:
    return _HAN.search(name) is not None


def _compound_length(name: str) -> int:
    """Length of the compound surname ``name`` starts with (0 if none), given a given name."""
    for size in (4, 3, 2):
        if len(name) > size and name[:size] in COMPOUND_SURNAMES:
            return size
    return 0


def _split_han(name: str) -> tuple[str, str]:
    if _DOT in name:
        # Minority and transliterated foreign names: the last part is the family name.
        head, _, last = name.rpartition(_DOT)
        return last, head
    size = _compound_length(name) or 1
    return name[:size], name[size:]


def _latin_tokens(name: str) -> list[str]:
    return [t for t in re.split(r"[\s,]+", name) if t]


def _fold(text: str) -> str:
    """Lower-case letters only, diacritics dropped (ü → v), ü spellings folded to ``u``."""
    text = text.lower().replace("ü", "v")
    if text.isascii():
        if not text.isalpha():
            text = _NOT_LETTER.sub("", text)
    else:  # combining marks are not letters, so NFD then filtering drops the diacritics
        text = "".join(c for c in unicodedata.normalize("NFD", text) if c.isalpha())
    if "v" in text or "yu" in text:  # the only spellings the fold rewrites
        text = _UMLAUT.sub("u", text)
    return text


@functools.cache
def _known_surname_keys() -> frozenset[str]:
    """Folded readings of the common and compound surnames, to guess a romanised name's order."""
    keys = {_fold(r) for readings in COMPOUND_SURNAMES.values() for r in readings}
    for char in COMMON_SURNAMES:
        keys.update(_fold(r) for r in _surname_readings(char))
    return frozenset(keys)


def _latin_parses(name: str) -> list[tuple[str, str]]:
    """Plausible (surname, given) readings of a romanised name, the preferred one first."""
    if "," in name:
        surname, _, given = name.partition(",")
        return [(" ".join(_latin_tokens(surname)), " ".join(_latin_tokens(given)))]
    tokens = _latin_tokens(name)
    if len(tokens) <= 1:
        return [(tokens[0] if tokens else "", "")]
    known = _known_surname_keys()
    chinese = (tokens[0], " ".join(tokens[1:]))
    western = (tokens[-1], " ".join(tokens[:-1]))
    first_known, last_known = _fold(tokens[0]) in known, _fold(tokens[-1]) in known
    parses = [western, chinese] if last_known and not first_known else [chinese, western]
    if len(tokens) >= 3:  # a compound surname written as two words: "OU YANG NA"
        if _fold(tokens[0] + tokens[1]) in known:
            parses.append((tokens[0] + tokens[1], " ".join(tokens[2:])))
        if _fold(tokens[-2] + tokens[-1]) in known:
            parses.append((tokens[-2] + tokens[-1], " ".join(tokens[:-2])))
    return parses


def split_name(value: object) -> tuple[str, str] | None:
    """Split a name into ``(surname, given name)``, or ``None`` if it is missing or an
    organisation's (:func:`is_organisation_name`).

    Chinese names: a compound surname when the name starts with one and has a given name,
    otherwise the first character. Names with a middle dot (``买买提·艾力``): the last part is
    the family name. Romanised names: the part before a comma if there is one; otherwise the
    first word, unless only the last word is a common surname (``XIAOMING ZHANG``).

    >>> split_name("欧阳锋"), split_name("欧阳"), split_name("诸葛亮"), split_name("王")
    (('欧阳', '锋'), ('欧', '阳'), ('诸葛', '亮'), ('王', ''))
    >>> split_name("Xiaoming Zhang"), split_name("ZHANG, XIAO MING")
    (('ZHANG', 'XIAOMING'), ('ZHANG', 'XIAO MING'))
    """
    name = normalize_name(value)
    if name is None or _is_org(name):
        return None
    return _split(name)


def _split(name: str) -> tuple[str, str]:
    return _split_han(name) if _is_han(name) else _latin_parses(name)[0]


# --------------------------------------------------------------------------------------------
# readings

_CHAR_READINGS: dict[str, str] = {}
_PHRASE_READINGS: dict[str, str] = {}


def _char_reading(char: str) -> str:
    """The most frequent pypinyin reading of one character (the character itself if none)."""
    reading = _CHAR_READINGS.get(char)
    if reading is None:
        from pypinyin import Style, lazy_pinyin

        reading = lazy_pinyin(char, style=Style.NORMAL, v_to_u=False)[0].lower()
        _CHAR_READINGS[char] = reading
    return reading


@functools.cache
def _phrases() -> Any:
    from pypinyin.constants import PHRASES_DICT

    return PHRASES_DICT


def _text_reading(text: str) -> str:
    """Readings of ``text`` joined: Han characters read, Latin letters kept, the rest dropped.

    A given name that is itself a word in pypinyin's phrase dictionary (长江, 乐天) is read as
    that word; otherwise character by character, because given names are not phrases.
    """
    if len(text) > 1 and text in _phrases():
        reading = _PHRASE_READINGS.get(text)
        if reading is None:
            from pypinyin import Style, lazy_pinyin

            reading = "".join(lazy_pinyin(text, style=Style.NORMAL, v_to_u=False)).lower()
            _PHRASE_READINGS[text] = reading
        return reading
    try:  # the common case: every character is a Han character read before
        return "".join([_CHAR_READINGS[char] for char in text])
    except KeyError:
        pass
    parts = []
    for char in text:
        if _HAN.match(char):
            parts.append(_char_reading(char))
        elif char.isalpha():
            parts.append(char.lower())
    return "".join(parts)


def _surname_readings(surname: str) -> tuple[str, ...]:
    readings = COMPOUND_SURNAMES.get(surname) or SURNAME_READINGS.get(surname)
    if readings is not None:
        return readings
    return ("".join(_char_reading(c) if _HAN.match(c) else c.lower() for c in surname),)


def _han_pinyin(name: str) -> tuple[str, str]:
    surname, given = _split_han(name)
    if _DOT in name:
        return _text_reading(surname), "".join(_text_reading(p) for p in given.split(_DOT))
    return _surname_readings(surname)[0], _text_reading(given)


def _latin_reading(text: str) -> str:
    return text.lower().replace("ü", "v")


def name_pinyin(value: object) -> tuple[str, str] | None:
    """Return the pinyin of ``(surname, given name)``, lower case, ``v`` for ü (``None`` if
    the name is missing or an organisation's).

    A romanised name is returned as written, lower case, its words joined.

    >>> name_pinyin("解缙"), name_pinyin("区"), name_pinyin("朴树"), name_pinyin("翟天临")
    (('xie', 'jin'), ('ou', ''), ('piao', 'shu'), ('zhai', 'tianlin'))
    >>> name_pinyin("覃"), name_pinyin("吕女"), name_pinyin("司马光"), name_pinyin("Lü Na")
    (('qin', ''), ('lv', 'nv'), ('sima', 'guang'), ('lv', 'na'))
    """
    name = normalize_name(value)
    if name is None or _is_org(name):
        return None
    return _pinyin(name)


def _pinyin(name: str) -> tuple[str, str]:
    if _is_han(name):
        return _han_pinyin(name)
    surname, given = _latin_parses(name)[0]
    return _latin_reading(surname).replace(" ", ""), _latin_reading(given).replace(" ", "")


# --------------------------------------------------------------------------------------------
# keys


def pinyin_key(value: object) -> str | None:
    """Return the strict key ``"surname|given"`` of :func:`name_pinyin` (``None`` if missing).

    >>> pinyin_key("曾国藩"), pinyin_key("ZENG Guofan")
    ('zeng|guofan', 'zeng|guofan')
    """
    readings = name_pinyin(value)
    if readings is None:
        return None
    return "|".join(readings)


def _key(surname: str, given: str) -> str | None:
    surname, given = _fold(surname), _fold(given)
    if not surname and not given:
        return None
    return f"{surname}|{given}"


def _match_key(surname: str, given: str) -> str | None:
    parts = sorted(p for p in (_fold(surname), _fold(given)) if p)
    return "|".join(parts) if parts else None


def name_key(value: object) -> str | None:
    """Return the folded key ``"surname|given"`` of a name (``None`` if missing or empty).

    Folding: lower case, only letters kept (no spaces, hyphens or apostrophes), diacritics
    dropped, and ü after l/n folded to ``u`` whichever way it was written (``lyu``, ``lv``,
    ``lü``, ``lu``). The fold is applied to both Chinese and romanised names, so it is
    lossy the same way on both sides.

    An organisation's name (:func:`is_organisation_name`) keys as itself: ``"org:"`` and the
    normalised name, letters, digits and Han characters only.

    >>> name_key("張偉"), name_key("Zhang Wei"), name_key("Li Xi'an"), name_key("女")
    ('zhang|wei', 'zhang|wei', 'li|xian', 'nu|')
    >>> name_key("福建省 農村信用社聯合社"), name_key("ACME Co., Ltd.")
    ('org:福建省农村信用社联合社', 'org:ACMECOLTD')
    """
    name = normalize_name(value)
    if name is None:
        return None
    if _is_org(name):
        return _org_key(name)
    return _key(*_pinyin(name))


def name_match_key(value: object) -> str | None:
    """Return an order-free folded key: the folded surname and given name, sorted.

    It puts ``张伟``, ``ZHANG WEI``, ``Zhang, Wei`` and ``WEI ZHANG`` in one block (and also
    ``魏章``: it is a blocking key, not a decision).

    >>> name_match_key("张伟"), name_match_key("WEI ZHANG"), name_match_key("吕")
    ('wei|zhang', 'wei|zhang', 'lu')
    """
    name = normalize_name(value)
    if name is None:
        return None
    if _is_org(name):
        return _org_key(name)
    return _match_key(*_pinyin(name))


def _keys(name: str) -> frozenset[str]:
    if _is_org(name):
        return frozenset({_org_key(name)})
    if _is_han(name):
        surname, given = _split_han(name)
        if _DOT in name:
            first = _han_pinyin(name)
            return frozenset(k for k in (_key(*first), _key(first[1], first[0])) if k)
        reading = _text_reading(given)
        return frozenset(k for r in _surname_readings(surname) if (k := _key(r, reading)))
    return frozenset(k for s, g in _latin_parses(name) if (k := _key(s, g)))


def name_keys(value: object) -> frozenset[str]:
    """Return every plausible folded key of a name (empty if missing).

    Chinese names: one key per reading of the surname (覃 gives ``qin|…`` and ``tan|…``).
    Romanised names: the key of each plausible order (surname first and given name first,
    the part before a comma when there is one) and of a compound surname written as two words.

    >>> sorted(name_keys("覃雪"))
    ['qin|xue', 'tan|xue']
    >>> sorted(name_keys("OU YANG NA"))
    ['na|ouyang', 'ouyang|na', 'ou|yangna']
    >>> bool(name_keys("张伟") & name_keys("WEI ZHANG")), name_keys(None)
    (True, frozenset())
    """
    name = normalize_name(value)
    if name is None:
        return frozenset()
    return _keys(name)


# --------------------------------------------------------------------------------------------
# columns: work once per distinct name, vectorised for the two shapes that dominate real data
#
# Chinese names of GB 2312 characters (with stray spaces) and two-word romanised names are
# handled with pandas string kernels; every other name goes through the scalar functions above.
# Tests check that both paths give the scalar result on generated names.

#: The columns of :func:`name_frame`, in order.
NAME_COLUMNS = ("name_norm", "surname", "given_name", "name_key", "name_match_key")

# The two shapes of the vectorised paths. Plain character classes only, so that pyarrow's RE2
# and Python's re read them alike (pandas uses either, depending on the string storage).
_HAN_NAME = "[ \u4e00-\u9fff]*[\u4e00-\u9fff][ \u4e00-\u9fff]*"
_LATIN_NAME = "[A-Za-z]+ [A-Za-z]+"
_PLAIN_HAN = "[\u4e00-\u9fff]+"


def _folded(parts: pd.Series, reading: Any) -> pd.Series:
    """``_fold(reading(part))`` for every part, computed once per distinct part."""
    codes, uniques = pd.factorize(parts)
    return dict_take([_fold(reading(u)) for u in uniques.tolist()], codes, parts.index)


def _keys_from_parts(surname: pd.Series, given: pd.Series) -> tuple[pd.Series, pd.Series]:
    """:func:`_key` and :func:`_match_key` of folded parts, vectorised."""
    s_empty, g_empty = surname.str.len() == 0, given.str.len() == 0
    key = surname + "|" + given
    ordered = surname <= given
    match = surname.where(ordered, given) + "|" + given.where(ordered, surname)
    match = match.mask(g_empty, surname).mask(s_empty, given)
    both = s_empty & g_empty
    if both.any():
        key, match = key.mask(both), match.mask(both)
    return key, match


def _han_fast(names: pd.Series) -> pd.DataFrame:
    """Names of Han characters and spaces that need no conversion (any more): spaces dropped."""
    normal = names.str.replace(" ", "", regex=False)
    length = normal.str.len()
    surname, given = normal.str.slice(0, 1), normal.str.slice(1)
    settled = pd.Series(False, index=names.index)
    for size in (4, 3, 2):
        table = [c for c in COMPOUND_SURNAMES if len(c) == size]
        hit = ~settled & (length > size) & normal.str.slice(0, size).isin(table)
        if hit.any():
            surname = surname.mask(hit, normal.str.slice(0, size))
            given = given.mask(hit, normal.str.slice(size))
            settled |= hit
    key, match = _keys_from_parts(
        _folded(surname, lambda s: _surname_readings(s)[0]), _folded(given, _text_reading)
    )
    fields = pd.DataFrame(
        dict(zip(NAME_COLUMNS, (normal, surname, given, key, match), strict=True))
    )
    org = ((length >= 4) & normal.str.contains(_ORG_HAN_RE, regex=True)) | (
        (length >= 5) & normal.str.contains(_ORG_HAN_RE_1, regex=True)
    )
    return _with_orgs(fields, org)


def _latin_fast(names: pd.Series) -> pd.DataFrame:
    """Names that are two ASCII words of letters separated by one space."""
    upper = names.str.upper()
    first = upper.str.replace(" .*", "", regex=True)
    last = upper.str.replace(".* ", "", regex=True)
    known = _known_surname_keys()
    f_codes, f_uniques = pd.factorize(first)
    l_codes, l_uniques = pd.factorize(last)
    f_fold = [_fold(u) for u in f_uniques.tolist()]
    l_fold = [_fold(u) for u in l_uniques.tolist()]
    f_known = np.array([f in known for f in f_fold], dtype=bool)[f_codes]
    l_known = np.array([f in known for f in l_fold], dtype=bool)[l_codes]
    western = pd.Series(l_known & ~f_known, index=names.index)
    first_fold = dict_take(f_fold, f_codes, names.index)
    last_fold = dict_take(l_fold, l_codes, names.index)
    key, match = _keys_from_parts(
        last_fold.where(western, first_fold), first_fold.where(western, last_fold)
    )
    surname, given = last.where(western, first), first.where(western, last)
    fields = pd.DataFrame(dict(zip(NAME_COLUMNS, (upper, surname, given, key, match), strict=True)))
    return _with_orgs(fields, upper.str.contains(_ORG_LATIN_RE, regex=True))


def _org_fields(normal: str) -> tuple[str | None, ...]:
    key = _org_key(normal)
    return normal, None, None, key, key


def _with_orgs(fields: pd.DataFrame, org: pd.Series) -> pd.DataFrame:
    """``fields`` with the rows of organisation names replaced by their fields."""
    if not org.any():
        return fields
    fields = fields.copy()
    normals = fields.loc[org, "name_norm"].tolist()
    rows = [_org_fields(n) for n in normals]
    for i, column in enumerate(NAME_COLUMNS):
        fields.loc[org, column] = pd.array([r[i] for r in rows], dtype="str")
    return fields


def _name_fields(normal: str | None) -> tuple[str | None, ...]:
    if normal is None:
        return (None,) * len(NAME_COLUMNS)
    if _is_org(normal):
        return _org_fields(normal)
    surname, given = _split(normal)
    readings = _pinyin(normal)
    return normal, surname, given, _key(*readings), _match_key(*readings)


def _scalar_fields(names: pd.Series) -> pd.DataFrame:
    """Any other names: the scalar functions, once per distinct value."""
    memo: dict[str | None, tuple[str | None, ...]] = {}
    rows = []
    for normal in _normalize_many(names.tolist()):
        fields = memo.get(normal)
        if fields is None:
            fields = memo.setdefault(normal, _name_fields(normal))
        rows.append(fields)
    columns = list(zip(*rows, strict=True))
    return pd.DataFrame(
        {
            name: str_series(np.array(values, dtype=object), names.index)
            for name, values in zip(NAME_COLUMNS, columns, strict=True)
        }
    )


def _fields_of_distinct(uniques: pd.Series) -> pd.DataFrame:
    """The :data:`NAME_COLUMNS` of each distinct name (rows aligned with ``uniques``)."""
    if uniques.empty:
        return pd.DataFrame({c: str_series([]) for c in NAME_COLUMNS})
    han = uniques.str.fullmatch(_HAN_NAME)
    latin = uniques.str.fullmatch(_LATIN_NAME) & ~han
    # Chinese names with traditional (or other non-GB 2312) characters: converted at once,
    # then handled like the others if they became plain Han characters.
    needs = han & uniques.str.contains(needs_simplify_pattern(), regex=True)
    names = uniques[han]
    if needs.any():
        names = names.copy()
        converted = simplify_all(uniques[needs].str.replace(" ", "", regex=False).tolist())
        names[needs[han]] = pd.array(converted, dtype="str")
        plain = names.str.fullmatch(_PLAIN_HAN)
        names = names[~needs[han] | plain]
    other = ~uniques.index.isin(names.index) & ~latin
    parts = [
        fast(part)
        for part, fast in ((names, _han_fast), (uniques[latin], _latin_fast))
        if not part.empty
    ]
    if other.any():
        parts.append(_scalar_fields(uniques[other]))
    # Rows stay grouped by path; their index is the distinct value's position (see expand_rows).
    return pd.concat(parts) if len(parts) > 1 else parts[0]


def _normalize_many(values: list[str]) -> list[str | None]:
    """:func:`normalize_name` of many distinct strings, converting them all at once."""
    cleaned = [_clean(v) for v in values]
    out: list[str | None] = [c or None for c in cleaned]
    han = [i for i, c in enumerate(cleaned) if _HAN.search(c)]
    for i, converted in zip(han, simplify_all([cleaned[i] for i in han]), strict=True):
        out[i] = _finish(cleaned[i], converted)
    return out


def normalize_names(series: Any) -> pd.Series:
    """Vectorised :func:`normalize_name`: a ``str`` Series with the same index.

    Each distinct name is normalised once.

    >>> normalize_names(pd.Series(["張偉", None, "张 伟"])).tolist()
    ['张伟', nan, '张伟']
    """
    label = str(getattr(series, "name", None) or "name")
    series, codes, uniques = distinct_text(series, label, "names", pii="name")
    normals = _fields_of_distinct(uniques)[["name_norm"]]
    out: pd.Series = expand_rows(normals, codes, series.index)["name_norm"]
    out.name = series.name
    return out


def name_frame(series: Any) -> pd.DataFrame:
    """Vectorised normalisation, split and keys of a column of names.

    Returns a frame with the index of ``series`` and the columns ``name_norm``, ``surname``,
    ``given_name``, ``name_key`` and ``name_match_key`` (all missing where the name is), each
    equal to the scalar function's result. Work is done once per distinct name.

    Raises:
        InputError: if a value is neither text nor missing.

    >>> name_frame(pd.Series(["歐陽鋒", "OUYANG FENG"])).loc[:, ["surname", "name_key"]]
      surname     name_key
    0      欧阳  ouyang|feng
    1  OUYANG  ouyang|feng
    """
    label = str(getattr(series, "name", None) or "name")
    series, codes, uniques = distinct_text(series, label, "names", pii="name")
    return expand_rows(_fields_of_distinct(uniques), codes, series.index)


def name_keys_column(series: Any) -> pd.Series:
    """Vectorised :func:`name_keys`: an object Series of frozensets (empty where missing).

    >>> name_keys_column(pd.Series(["覃雪", None])).map(sorted).tolist()
    [['qin|xue', 'tan|xue'], []]
    """
    label = str(getattr(series, "name", None) or "name")
    series, codes, uniques = distinct_text(series, label, "names", pii="name")
    normals = _normalize_many(uniques.tolist())
    keys = np.empty(len(normals) + 1, dtype=object)
    for i, normal in enumerate(normals):
        keys[i] = frozenset() if normal is None else _keys(normal)
    keys[-1] = frozenset()  # code −1: a missing name
    return pd.Series(keys[codes], index=series.index, name=series.name, dtype=object)


def keys_intersect(left: Iterable[str], right: Iterable[str]) -> bool:
    """Tell whether two key sets (from :func:`name_keys`) share a key.

    >>> keys_intersect(name_keys("张伟"), name_keys("Wei Zhang"))
    True
    """
    return not frozenset(left).isdisjoint(right)
