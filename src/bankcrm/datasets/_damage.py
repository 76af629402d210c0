"""What goes wrong with customer records, how often, and the vectorised edits that do it.

:class:`DamageRates` holds one probability per kind of damage. Each rate applies to the records
*eligible* for that damage (a 15-digit legacy number only exists for a resident born in the
1900s, a guardian's id only on a minor's record), independently per record. The defaults are
the documented rates of the synthetic bank (see ``docs/concepts/datasets.md``).

>>> DamageRates().homophone
0.03
>>> DamageRates(homophone=1.5)
Traceback (most recent call last):
...
bankcrm.errors.InputError: column 'homophone': must be a number in [0, 1] [rule: rate]
>>> rng = np.random.default_rng(0)
>>> typo_ids(np.array(["11010519491231002X"]), rng)[0] != "11010519491231002X"
True
>>> transpose_ids(np.array(["12"]), np.random.default_rng(1)).tolist()
['21']
>>> reformat_ids(np.array(["11010519491231002X"]), np.array([1])).tolist()
['110105 19491231 002X']
>>> reformat_phones(np.array([13800138000]), np.array([0])).tolist()
['+86 138 0013 8000']
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from bankcrm.datasets._common import check_rate

__all__ = [
    "DAMAGE_KINDS",
    "DamageRates",
    "reformat_ids",
    "reformat_phones",
    "transpose_ids",
    "typo_ids",
]

StrArray = npt.NDArray[np.str_]
IntArray = npt.NDArray[np.int64]


def _rate(instance: Any, attribute: attrs.Attribute[float], value: float) -> None:
    check_rate(value, attribute.name)


def _as_float(value: Any) -> Any:
    # leave anything that is not a plain number to the validator, which names the field
    if isinstance(value, int | float | Decimal | np.integer | np.floating) and not isinstance(
        value, bool | np.bool_
    ):
        return float(value)
    return value


def _rate_field(default: float) -> float:
    return attrs.field(default=default, validator=_rate, converter=_as_float)


@attrs.frozen
class DamageRates:
    """Probability of each kind of damage among the records eligible for it.

    Attributes:
        pinyin_only: the name is stored only in pinyin (Chinese-named people).
        homophone: one character replaced by another with the same reading (张/章, 伟/玮);
            eligible: Chinese names, not pinyin-only, with a character that has a homophone.
        traditional: the name written in traditional characters (not pinyin-only).
        dropped_char: one character of a two-character given name is missing.
        name_spacing: a space inside or around the name ("张 伟", "张伟 ").
        guardian_id: a minor's record carries the guardian's document instead of their own.
        other_document: a Hong Kong / Macau / Taiwan resident's record holds the travel permit,
            a foreigner's the passport, instead of the residence permit or card.
        legacy_id: the 15-digit number of a resident born in the 1900s (valid as it was issued).
        missing_id: no document at all (type and number empty).
        id_typo: one character of the number replaced by a wrong digit (breaks the check char).
        id_transposition: two adjacent different characters swapped (breaks the check char).
        id_format: harmless formatting: full-width digits, spaces between the parts, or a
            lower-case ``x`` (the number is still valid once cleaned).
        missing_phone / missing_address / missing_birth_date / missing_gender: field empty.
        changed_phone: the record still holds a phone number the person no longer uses.
        stale_address: the person moved and this system was never told.
        phone_format: ``+86``/``0086`` prefixes, spaces or dashes in the phone.
    """

    pinyin_only: float = _rate_field(0.02)
    homophone: float = _rate_field(0.03)
    traditional: float = _rate_field(0.02)
    dropped_char: float = _rate_field(0.02)
    name_spacing: float = _rate_field(0.01)
    guardian_id: float = _rate_field(0.20)
    other_document: float = _rate_field(0.30)
    legacy_id: float = _rate_field(0.05)
    missing_id: float = _rate_field(0.01)
    id_typo: float = _rate_field(0.01)
    id_transposition: float = _rate_field(0.005)
    id_format: float = _rate_field(0.03)
    missing_phone: float = _rate_field(0.04)
    missing_address: float = _rate_field(0.03)
    missing_birth_date: float = _rate_field(0.02)
    missing_gender: float = _rate_field(0.02)
    changed_phone: float = _rate_field(0.05)
    stale_address: float = _rate_field(0.06)
    phone_format: float = _rate_field(0.05)

    @classmethod
    def none(cls) -> DamageRates:
        """Rates that leave every record exactly as issued (useful for tests)."""
        return cls(**dict.fromkeys(DAMAGE_KINDS, 0.0))


#: Every damage flag, in the order they appear in a record's ``damage`` column.
DAMAGE_KINDS: tuple[str, ...] = tuple(f.name for f in attrs.fields(DamageRates))


def _char_matrix(ids: StrArray, width: int) -> StrArray:
    return np.ascontiguousarray(ids.astype(f"U{width}")).view("U1").reshape(len(ids), width)


def typo_ids(ids: StrArray, rng: np.random.Generator) -> StrArray:
    """Replace one character at a random position of each id by a different digit."""
    if len(ids) == 0:
        return ids
    width = max(int(np.strings.str_len(ids).max()), 1)
    chars = _char_matrix(ids, width)
    lengths = np.maximum(np.strings.str_len(ids), 1)
    pos = (rng.random(len(ids)) * lengths).astype(np.int64)
    rows = np.arange(len(ids))
    old = chars[rows, pos]
    is_digit = np.strings.isdigit(old)
    shift = rng.integers(1, 10, len(ids))
    old_digit = np.where(is_digit, old, "0").astype(np.int64)
    new_digit = np.where(is_digit, (old_digit + shift) % 10, shift)
    chars[rows, pos] = new_digit.astype("U1")
    return chars.reshape(-1).view(f"U{width}").copy()


def transpose_ids(ids: StrArray, rng: np.random.Generator) -> StrArray:
    """Swap one pair of adjacent, different characters in each id (ids without one are kept)."""
    if len(ids) == 0:
        return ids
    width = max(int(np.strings.str_len(ids).max()), 2)
    chars = _char_matrix(ids, width)
    differ = (chars[:, :-1] != chars[:, 1:]) & (chars[:, 1:] != "")
    keys = rng.random(differ.shape) * differ
    pos = keys.argmax(axis=1)
    rows = np.flatnonzero(differ.any(axis=1))
    left = chars[rows, pos[rows]].copy()
    chars[rows, pos[rows]] = chars[rows, pos[rows] + 1]
    chars[rows, pos[rows] + 1] = left
    return chars.reshape(-1).view(f"U{width}").copy()


_FULL_WIDTH_SHIFT = 0xFEE0  # U+FF10 "０" - U+0030 "0"


def reformat_ids(ids: StrArray, style: IntArray) -> StrArray:
    """Write each id in a harmless style: 0 full-width, 1 spaced parts, 2 lower-case ``x``.

    Style 2 applies to ids that end in ``X``; the others fall back to spaced parts.
    """
    if len(ids) == 0:
        return ids.astype("U21")
    width = max(int(np.strings.str_len(ids).max()), 1)
    codes = np.ascontiguousarray(ids.astype(f"U{width}")).view(np.uint32).reshape(len(ids), -1)
    wide = codes.copy()
    ascii_alnum = ((wide >= 0x30) & (wide <= 0x39)) | ((wide >= 0x41) & (wide <= 0x5A))
    wide[ascii_alnum] += _FULL_WIDTH_SHIFT
    full_width = wide.reshape(-1).view(f"U{width}")
    spaced = np.strings.add(
        np.strings.add(
            np.strings.add(np.strings.slice(ids, 0, 6), " "), np.strings.slice(ids, 6, 14)
        ),
        np.strings.add(
            np.where(np.strings.str_len(ids) > 14, " ", ""), np.strings.slice(ids, 14, None)
        ),
    )
    lower_x = np.strings.replace(ids, "X", "x")
    ends_x = np.strings.endswith(ids, "X")
    out = np.where(style == 0, full_width, np.where((style == 2) & ends_x, lower_x, spaced))
    return out.astype("U21")


def reformat_phones(phones: IntArray, style: IntArray) -> StrArray:
    """Write 11-digit mobiles as 0 ``+86 138 0013 8000``, 1 ``138-0013-8000``, 2 ``0086…``."""
    text = phones.astype("U11")
    head = np.strings.slice(text, 0, 3)
    mid = np.strings.slice(text, 3, 7)
    tail = np.strings.slice(text, 7, 11)
    spaced = np.strings.add(
        np.strings.add(np.strings.add("+86 ", head), np.strings.add(" ", mid)),
        np.strings.add(" ", tail),
    )
    dashed = np.strings.add(
        np.strings.add(np.strings.add(head, "-"), np.strings.add(mid, "-")), tail
    )
    prefixed = np.strings.add("0086", text)
    return np.where(style == 0, spaced, np.where(style == 1, dashed, prefixed)).astype("U17")
