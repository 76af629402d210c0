"""Hypothesis strategies for Chinese identifiers: valid, legacy, messy and broken numbers.

Valid numbers are built from their parts with bankcrm's own check-character kernels
(:mod:`bankcrm.identity.checksums`), so a strategy never needs a validator to filter its output.

>>> from hypothesis import given
>>> from bankcrm.identity import is_valid_ric
>>> @given(valid_rics())
... def test(number: str) -> None:
...     assert is_valid_ric(number)
>>> test()
"""

from __future__ import annotations

import functools
from datetime import date

from hypothesis import strategies as st

from bankcrm.identity.checksums import (
    ORG_CODE_ALPHABET,
    USCC_ALPHABET,
    org_code_check_char,
    ric_check_char,
    uscc_check_char,
)
from bankcrm.identity.reasons import Reason
from bankcrm.identity.regions import PROVINCES, region_table
from bankcrm.identity.ric import PERMIT_PROVINCES
from bankcrm.identity.uscc import CATEGORIES

__all__ = [
    "arbitrary_id_inputs",
    "invalid_rics",
    "legacy_rics",
    "messy_forms",
    "messy_rics",
    "mobile_pairs",
    "mobiles",
    "valid_fprs",
    "valid_hmt_permits",
    "valid_rics",
    "valid_usccs",
]

#: Upper bound of generated birth dates when no ``as_of`` is given (a fixed date: strategies,
#: like the library, never read the clock).
DEFAULT_LATEST_BIRTH = date(2030, 12, 31)
_EARLIEST_BIRTH = date(1900, 1, 1)
_FULL_WIDTH = {c: chr(ord(c) + 0xFEE0) for c in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"}
_SEPARATORS = (" ", "-", "\u3000", " - ", "\u2014", "\t")


@functools.cache
def _mainland_codes() -> tuple[str, ...]:
    """Known 6-digit county codes whose province a resident id number may carry."""
    return tuple(
        sorted(
            code
            for code in region_table()
            if code[:2] in PROVINCES and code[:2] not in PERMIT_PROVINCES
        )
    )


def _ric(region: str, born: date, sequence: int) -> str:
    body = f"{region}{born:%Y%m%d}{sequence:03d}"
    return body + ric_check_char(body)


def valid_rics(
    *, as_of: date | None = None, earliest: date = _EARLIEST_BIRTH
) -> st.SearchStrategy[str]:
    """Canonical 18-character resident id numbers with known county codes.

    Args:
        as_of: the latest birth date generated (default :data:`DEFAULT_LATEST_BIRTH`).
        earliest: the earliest birth date generated.
    """
    latest = as_of or DEFAULT_LATEST_BIRTH
    return st.builds(
        _ric,
        st.sampled_from(_mainland_codes()),
        st.dates(min_value=earliest, max_value=latest),
        st.integers(0, 999),
    )


def legacy_rics() -> st.SearchStrategy[str]:
    """15-digit legacy resident id numbers (born 1900-1999, known county codes)."""
    return st.builds(
        lambda region, born, seq: f"{region}{born:%y%m%d}{seq:03d}",
        st.sampled_from(_mainland_codes()),
        st.dates(min_value=date(1900, 1, 1), max_value=date(1999, 12, 31)),
        st.integers(0, 999),
    )


def valid_hmt_permits(*, as_of: date | None = None) -> st.SearchStrategy[str]:
    """Residence permit numbers of Hong Kong, Macau and Taiwan residents."""
    return st.builds(
        _ric,
        st.sampled_from(("810000", "820000", "830000")),
        st.dates(min_value=_EARLIEST_BIRTH, max_value=as_of or DEFAULT_LATEST_BIRTH),
        st.integers(0, 999),
    )


def valid_fprs(*, as_of: date | None = None) -> st.SearchStrategy[str]:
    """Foreigners' permanent residence card numbers, 18-digit (2023) and 15-character layouts."""
    eighteen = st.builds(
        lambda province, nation, born, seq: _ric(f"9{province}{nation:03d}", born, seq),
        st.sampled_from(sorted(PROVINCES)),
        st.integers(0, 999),
        st.dates(min_value=_EARLIEST_BIRTH, max_value=as_of or DEFAULT_LATEST_BIRTH),
        st.integers(0, 999),
    )
    fifteen = st.builds(
        lambda letters, digits: letters + digits,
        st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=3, max_size=3),
        st.text(alphabet="0123456789", min_size=12, max_size=12),
    )
    return st.one_of(eighteen, fifteen)


def _uscc(authority: str, category: str, region: str, org_body: str) -> str:
    org = org_body + org_code_check_char(org_body)
    body = authority + category + region + org
    return body + uscc_check_char(body)


@st.composite
def valid_usccs(draw: st.DrawFn) -> str:
    """Unified social credit codes with every registration authority (digits, A, N, Y).

    They pass ``strict`` validation too: a published category, a known region and a valid
    embedded GB 11714 organisation code.
    """
    authority = draw(st.sampled_from(sorted(CATEGORIES)))
    category = draw(st.sampled_from(sorted(CATEGORIES[authority])))
    region = draw(st.sampled_from(_mainland_codes()))
    # The organisation code body must stay inside the credit code's alphabet.
    org_alphabet = "".join(c for c in ORG_CODE_ALPHABET if c in USCC_ALPHABET)
    org_body = draw(st.text(alphabet=org_alphabet, min_size=8, max_size=8))
    return _uscc(authority, category, region, org_body)


@st.composite
def messy_forms(draw: st.DrawFn, number: str) -> str:
    """One way a person might write ``number``: separators, full width, lower case, padding."""
    out = []
    for ch in number:
        if draw(st.integers(0, 9)) == 0:
            out.append(draw(st.sampled_from(_SEPARATORS)))
        style = draw(st.integers(0, 3))
        if style == 1:
            ch = _FULL_WIDTH.get(ch, ch)
        elif style == 2:
            ch = ch.lower()
        out.append(ch)
    pad = draw(st.sampled_from(("", " ", "\u3000", "\t ")))
    return pad + "".join(out) + pad


@st.composite
def messy_rics(draw: st.DrawFn, *, as_of: date | None = None) -> tuple[str, str]:
    """Pairs (messy written form, canonical number) of valid resident id numbers."""
    number = draw(valid_rics(as_of=as_of))
    return draw(messy_forms(number)), number


_MOBILE_PREFIXES = ("", "+86", "+86 ", "0086", "0086 ", "86", "(+86) ", "+86-")


@st.composite
def mobile_pairs(draw: st.DrawFn) -> tuple[str, str]:
    """Pairs (messy written form, E.164) of mainland mobile numbers."""
    national = (
        "1"
        + draw(st.sampled_from("3456789"))
        + draw(st.text(alphabet="0123456789", min_size=9, max_size=9))
    )
    grouped = draw(
        st.sampled_from(
            (
                national,
                f"{national[:3]} {national[3:7]} {national[7:]}",
                f"{national[:3]}-{national[3:7]}-{national[7:]}",
            )
        )
    )
    text = draw(st.sampled_from(_MOBILE_PREFIXES)) + grouped
    if draw(st.booleans()):
        text = "".join(_FULL_WIDTH.get(c, c) for c in text)
    return text, "+86" + national


def mobiles() -> st.SearchStrategy[str]:
    """Mainland mobile numbers as people write them (+86 / 0086, spaces, dashes, full width)."""
    return mobile_pairs().map(lambda pair: pair[0])


def _with_check(body17: str) -> str:
    return body17 + ric_check_char(body17)


@st.composite
def invalid_rics(draw: st.DrawFn, *, as_of: date | None = None) -> tuple[object, Reason]:
    """Pairs (value, the reason ``validate_ric`` must give) of values that are not valid.

    Each value breaks exactly one rule; where a rule sits before the check character, the
    check character is recomputed so that only that rule fails. With ``as_of`` given,
    future-birth-date cases are included (validate them with the same ``as_of``).
    """
    number = draw(valid_rics(as_of=as_of))
    kinds = [
        Reason.MISSING,
        Reason.NOT_TEXT,
        Reason.EMPTY,
        Reason.LENGTH,
        Reason.CHARACTERS,
        Reason.FORMAT,
        Reason.REGION,
        Reason.BIRTH_DATE,
        Reason.CHECK_CHARACTER,
    ]
    if as_of is not None:
        kinds.append(Reason.FUTURE_BIRTH_DATE)
    kind = draw(st.sampled_from(kinds))
    if kind is Reason.MISSING:
        return draw(st.sampled_from((None, float("nan")))), kind
    if kind is Reason.NOT_TEXT:
        return draw(st.sampled_from((1.5, b"110105", (), True))), kind
    if kind is Reason.EMPTY:
        return draw(st.sampled_from(("", " ", "\u3000", " - "))), kind
    if kind is Reason.LENGTH:
        size = draw(st.integers(1, 30).filter(lambda n: n not in (15, 18)))
        return (number * 2)[:size], kind
    if kind is Reason.CHARACTERS:
        at = draw(st.integers(0, 17))
        bad = draw(st.sampled_from("ABYZ#?中"))
        return number[:at] + bad + number[at + 1 :], kind
    if kind is Reason.FORMAT:
        at = draw(st.integers(0, 16))
        return number[:at] + "X" + number[at + 1 :], kind
    if kind is Reason.REGION:
        unknown = [p for p in (f"{i:02d}" for i in range(100)) if p not in PROVINCES]
        province = draw(st.sampled_from([*unknown, *PERMIT_PROVINCES]))
        return _with_check(province + number[2:17]), kind
    if kind is Reason.BIRTH_DATE:
        bad_date = draw(
            st.sampled_from(("19991301", "20000230", "19990132", "19000229", "17991231"))
        )
        return _with_check(number[:6] + bad_date + number[14:17]), kind
    if kind is Reason.FUTURE_BIRTH_DATE:
        assert as_of is not None
        later = draw(st.dates(min_value=date.fromordinal(as_of.toordinal() + 1)))
        return _with_check(f"{number[:6]}{later:%Y%m%d}{number[14:17]}"), kind
    wrong = draw(st.sampled_from([c for c in "0123456789X" if c != number[17]]))
    return number[:17] + wrong, kind


class HostileStr(str):
    """A ``str`` subclass whose own methods fail: validators must read its plain text."""

    __slots__ = ()

    def __len__(self) -> int:
        raise RuntimeError("HostileStr.__len__")

    def __str__(self) -> str:
        raise RuntimeError("HostileStr.__str__")

    def strip(self, chars: str | None = None) -> str:
        raise RuntimeError("HostileStr.strip")


def arbitrary_id_inputs() -> st.SearchStrategy[object]:
    """Anything at all a validator might be handed: text, near-numbers and non-text objects."""
    near_numbers = st.text(
        alphabet=st.sampled_from("0123456789Xx１２３４５６７８９０ｘ -—+()\u3000\u200b"),
        max_size=24,
    )
    long_text = st.builds(lambda n, c: c * n, st.integers(200, 20_000), st.sampled_from("1X１ "))
    surrogates = st.text(st.characters(categories=["Cs"]), min_size=1, max_size=3)
    objects = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(),
        st.binary(max_size=20),
        st.dates(),
        st.datetimes(),
        st.decimals(allow_nan=True),
        st.lists(st.integers(), max_size=3),
        st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
        st.just(object()),
        st.builds(HostileStr, st.one_of(st.text(max_size=20), near_numbers)),
    )
    return st.one_of(st.text(), near_numbers, long_text, surrogates, objects)
