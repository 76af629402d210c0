"""Resident Identity Card number (居民身份证号码, GB 11643-1999).

An 18-character number: a 6-digit GB/T 2260 address code, the birth date as YYYYMMDD, a 3-digit
sequence (odd for men, even for women) and an ISO 7064 MOD 11-2 check character (``0``-``9`` or
``X``). Legacy 15-digit numbers (GB 11643-1989) have a YYMMDD birth date and no check character;
they are upgraded by inserting ``19`` before the year and appending the check character.

>>> info = validate("11010519491231002X")  # the example printed in GB 11643-1999
>>> info.birth_date, info.gender, info.region_code, info.county_name
(datetime.date(1949, 12, 31), <Gender.FEMALE: 'F'>, '110105', '朝阳区')
>>> validate("１１０１０５ ４９１２３１ ００２").number  # full-width legacy 15-digit number
'11010519491231002X'
>>> is_valid("110105194912310021")
False
>>> explain("110105194912310021")
(Finding(reason=<Reason.CHECK_CHARACTER: 'check_character'>, detail="the check character should \
be 'X'"),)

Decisions (see docs/concepts/identity-identifiers.md):

- Input is normalised by :func:`compact`: NFKC (full-width → ASCII), separators and invisible
  characters dropped, upper case (so ``x`` is accepted). Integers are accepted as text.
- Findings are checked in this order, and :func:`validate` raises the first one: ``not_text``,
  ``empty``, ``characters`` (anything but digits and ``X``), ``length`` (not 15 or 18),
  ``format`` (``X`` anywhere but the last of 18), then — all collected — ``region``,
  ``birth_date``, ``future_birth_date`` and ``check_character``.
- The address code: an unknown **province** (first two digits) is a ``region`` failure in every
  mode; an unknown county is tolerated by default (people keep numbers whose codes were since
  withdrawn, and the table may lag new codes) and rejected with ``strict=True``. Codes 81, 82
  and 83 belong to the residence permits for Hong Kong, Macau and Taiwan residents: this module
  rejects them with a ``region`` finding that says so; validate them with
  :mod:`bankcrm.identity.hmt_permit` (id type ``HMT_PERMIT``). Taiwan's GB/T 2260 code 71 is a
  known province and accepted.
- The birth date must be a real calendar date on or after :data:`MIN_BIRTH_DATE` (1850-01-01;
  the standard's own second example is born in 1880). It is after ``as_of`` only when ``as_of``
  is given; nothing here reads the clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from enum import StrEnum
from types import MappingProxyType

import attrs

from bankcrm.identity._text import coerce_as_of, masked_input, shape_findings
from bankcrm.identity.checksums import ric_check_char
from bankcrm.identity.reasons import Finding, Reason, identifier_error
from bankcrm.identity.regions import PROVINCES, lookup_region
from bankcrm.pii import mask_id_number

__all__ = [
    "ID_TYPE",
    "MIN_BIRTH_DATE",
    "PERMIT_PROVINCES",
    "Gender",
    "RicInfo",
    "compact",
    "explain",
    "format",
    "is_valid",
    "mask",
    "normalize",
    "parse_birth_date",
    "upgrade",
    "validate",
]

#: The id type code of this module in records frames (see :mod:`bankcrm.identity.dispatch`).
ID_TYPE = "RIC"
_LABEL = "resident id number"

#: The earliest birth date accepted.
MIN_BIRTH_DATE = date(1850, 1, 1)

#: Address-code prefixes of the residence permits for Hong Kong, Macau and Taiwan residents.
PERMIT_PROVINCES: Mapping[str, str] = MappingProxyType(
    {"81": "Hong Kong", "82": "Macau", "83": "Taiwan"}
)

_DIGITS = frozenset("0123456789")
_ALPHABET = frozenset("0123456789X")


class Gender(StrEnum):
    """Gender as encoded by the parity of the sequence code (odd = male)."""

    MALE = "M"
    FEMALE = "F"


_GENDER_BY_PARITY = (Gender.FEMALE, Gender.MALE)


def gender_of(number: str) -> Gender:
    """Gender from the last sequence digit (the 17th character) of an 18-character number.

    >>> gender_of("11010519491231002X")
    <Gender.FEMALE: 'F'>
    """
    return _GENDER_BY_PARITY[(ord(number[16]) - 48) & 1]


def _masked_repr(value: str) -> str:
    return repr(mask_id_number(value))


@attrs.frozen
class RicInfo:
    """What a valid resident id number says.

    Attributes:
        number: the canonical 18-character number (upgraded if it came in with 15 digits).
        region_code: the 6-digit address code.
        province_name: the province of the address code.
        prefecture_name: the prefecture-level name, if the table has it.
        county_name: the most recent county name of the code, or ``None`` if the table lacks
            the code (tolerated unless ``strict``).
        birth_date: the birth date.
        sequence: the 3-digit sequence code.
        gender: from the sequence's parity.
        upgraded_from_15: the input was a legacy 15-digit number.
        verified: a check character was verified (``False`` for upgraded 15-digit numbers).
    """

    number: str = attrs.field(repr=_masked_repr)
    region_code: str
    province_name: str
    prefecture_name: str | None
    county_name: str | None
    birth_date: date
    sequence: str
    gender: Gender
    upgraded_from_15: bool

    @property
    def verified(self) -> bool:
        """A check character was present and verified."""
        return not self.upgraded_from_15

    @property
    def region_known(self) -> bool:
        """The address code is in the GB/T 2260 table."""
        return self.county_name is not None


def compact(value: object) -> str:
    """Normalise ``value`` without validating it (full-width, separators, case).

    Returns ``""`` for values that are not text.

    >>> compact("110105 19491231 002x")
    '11010519491231002X'
    """
    return shape_findings(value, "an identity number")[0]


def upgrade(number: object) -> str:
    """Upgrade a 15-digit legacy number to 18 characters (no other check).

    Raises:
        InvalidIdentifier: if ``number`` is not 15 digits after :func:`compact`.

    >>> upgrade("110105491231002")
    '11010519491231002X'
    """
    digits = compact(number)
    if len(digits) != 15 or not set(digits) <= _DIGITS:
        reason = Reason.LENGTH if len(digits) != 15 else Reason.CHARACTERS
        finding = Finding(reason, "a legacy number has 15 digits")
        raise identifier_error(
            [finding], id_type=ID_TYPE, label=_LABEL, masked=masked_input(number)
        )
    body = digits[:6] + "19" + digits[6:]
    return body + ric_check_char(body)


def parse_birth_date(yyyymmdd: object) -> date | None:
    """Parse 8 ASCII digits as a date, or return ``None`` if they are not a calendar date.

    >>> parse_birth_date("20000229"), parse_birth_date("19000229"), parse_birth_date(None)
    (datetime.date(2000, 2, 29), None, None)
    """
    if not (isinstance(yyyymmdd, str) and len(yyyymmdd) == 8):
        return None  # a public helper: anything but 8 characters is not a YYYYMMDD date
    if not (yyyymmdd.isascii() and yyyymmdd.isdigit()):
        return None
    try:
        return date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return None


def birth_and_check_findings(
    number: str, *, as_of: date | None, has_check: bool = True
) -> tuple[date | None, list[Finding]]:
    """Check the birth date and check character of an 18-character GB 11643-shaped number.

    Shared with the residence permits, which use the same layout. ``number`` must already be
    17 ASCII digits followed by a digit or ``X``.
    """
    findings: list[Finding] = []
    born = parse_birth_date(number[6:14])
    if born is None:
        findings.append(Finding(Reason.BIRTH_DATE, "the birth date is not a calendar date"))
    elif born < MIN_BIRTH_DATE:
        findings.append(
            Finding(Reason.BIRTH_DATE, f"the birth date is before {MIN_BIRTH_DATE.isoformat()}")
        )
        born = None
    elif as_of is not None and born > as_of:
        findings.append(
            Finding(Reason.FUTURE_BIRTH_DATE, f"the birth date is after {as_of.isoformat()}")
        )
    if has_check:
        expected = ric_check_char(number[:17])
        if number[17] != expected:
            findings.append(
                Finding(Reason.CHECK_CHARACTER, f"the check character should be {expected!r}")
            )
    return born, findings


def _shape(value: object) -> tuple[str, bool, list[Finding]]:
    """Check characters and length; return the 18-char number, whether upgraded, findings."""
    cleaned, findings = shape_findings(value, "an identity number")
    if findings:
        return "", False, findings
    if not set(cleaned) <= _ALPHABET:
        return "", False, [Finding(Reason.CHARACTERS, "only digits and a final X are allowed")]
    n = len(cleaned)
    if n not in (15, 18):
        detail = f"expected 18 (or legacy 15) characters, got {n}"
        return "", False, [Finding(Reason.LENGTH, detail)]
    if "X" in cleaned[:17] or (n == 15 and cleaned[14] == "X"):
        return "", False, [Finding(Reason.FORMAT, "X may only be the last of 18 characters")]
    if n == 15:
        body = cleaned[:6] + "19" + cleaned[6:]
        # The check character is computed, so it cannot fail: only the date and region can.
        return body + ric_check_char(body), True, []
    return cleaned, False, []


def _check(
    value: object, as_of: object, strict: bool
) -> tuple[RicInfo | None, tuple[Finding, ...]]:
    as_of_date = coerce_as_of(as_of)
    number, upgraded, findings = _shape(value)
    if findings:
        return None, tuple(findings)
    code = number[:6]
    province = PROVINCES.get(code[:2])
    region = lookup_region(code)
    if code[:2] in PERMIT_PROVINCES:
        where = PERMIT_PROVINCES[code[:2]]
        findings.append(
            Finding(
                Reason.REGION,
                f"address code {code[:2]}xxxx is a residence permit for {where} residents;"
                " validate it as HMT_PERMIT",
            )
        )
    elif province is None:
        findings.append(Finding(Reason.REGION, f"unknown province code {code[:2]}"))
    elif strict and region is None:
        findings.append(Finding(Reason.REGION, f"address code {code} is not in GB/T 2260"))
    born, more = birth_and_check_findings(number, as_of=as_of_date, has_check=not upgraded)
    findings.extend(more)
    if findings or born is None or province is None:
        return None, tuple(findings)
    return (
        RicInfo(
            number=number,
            region_code=code,
            province_name=province,
            prefecture_name=region.prefecture_name if region else None,
            county_name=region.name if region else None,
            birth_date=born,
            sequence=number[14:17],
            gender=gender_of(number),
            upgraded_from_15=upgraded,
        ),
        (),
    )


def validate(value: object, *, as_of: object = None, strict: bool = False) -> RicInfo:
    """Validate a resident id number and return what it says.

    Args:
        value: the number, in any common written form (or an integer).
        as_of: if given, a birth date after it is rejected (``future_birth_date``).
        strict: reject address codes missing from the GB/T 2260 table.

    Raises:
        InvalidIdentifier: with the first finding's reason; the message is masked.
        InputError: if ``as_of`` is not a date.

    >>> validate("110105491231002").upgraded_from_15
    True
    >>> validate("11010520491231002X", as_of=date(2024, 1, 1))
    Traceback (most recent call last):
    ...
    bankcrm.errors.InvalidIdentifier: column 'id_number': \
invalid resident id number 110105********002X: the birth \
date is after 2024-01-01; the check character should be '6' \
[rule: invalid_id; reason: future_birth_date]
    """
    info, findings = _check(value, as_of, strict)
    if info is None:
        raise identifier_error(findings, id_type=ID_TYPE, label=_LABEL, masked=masked_input(value))
    return info


def normalize(value: object, *, as_of: object = None, strict: bool = False) -> str:
    """Return the canonical 18-character number of a valid resident id number.

    Raises:
        InvalidIdentifier: if the number is not valid (see :func:`validate`).

    >>> normalize("110105 491231 002")
    '11010519491231002X'
    """
    return validate(value, as_of=as_of, strict=strict).number


def is_valid(value: object, *, as_of: object = None, strict: bool = False) -> bool:
    """Tell whether ``value`` is a valid resident id number (never raises for bad values).

    >>> is_valid("11010519491231002x"), is_valid(None), is_valid("81000019940823002x")
    (True, False, False)
    """
    return _check(value, as_of, strict)[0] is not None


def explain(value: object, *, as_of: object = None, strict: bool = False) -> tuple[Finding, ...]:
    """Return every finding against ``value`` (empty if it is valid).

    >>> [f.reason.value for f in explain("110105 19491331 002X")]
    ['birth_date', 'check_character']
    """
    return _check(value, as_of, strict)[1]


def format(value: object) -> str:
    """Write a valid number as address code, birth date and sequence+check, space-separated.

    Raises:
        InvalidIdentifier: if the number is not valid.

    >>> format("11010519491231002x")
    '110105 19491231 002X'
    """
    number = validate(value).number
    return f"{number[:6]} {number[6:14]} {number[14:]}"


def mask(value: object) -> str:
    """Mask a number for display: address code and last four characters kept.

    Works on invalid values too (the normalised text is masked).

    >>> mask("110105 19491231 002x")
    '110105********002X'
    """
    return mask_id_number(compact(value))
