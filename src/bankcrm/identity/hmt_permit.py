"""Residence permits of Hong Kong, Macau and Taiwan residents (id type ``HMT_PERMIT``).

The residence permit for Hong Kong, Macau and Taiwan residents (港澳台居民居住证, issued since
2018-09-01): the State Council's issuing measures give it an 18-character number built like a
resident id number (GB 11643): address code ``810000`` (Hong Kong), ``820000`` (Macau) or
``830000`` (Taiwan), birth date, sequence (odd = male) and the MOD 11-2 check character.

>>> info = validate("810000199408230021")  # Beijing police's published sample
>>> info.region, info.birth_date, info.gender
(<HmtRegion.HONG_KONG: 'HK'>, datetime.date(1994, 8, 23), <Gender.FEMALE: 'F'>)
>>> is_valid("830000199201300022"), is_valid("11010519491231002X")
(True, False)

Findings in order: ``not_text``, ``empty``, ``characters``, ``length``, ``format``, then — all
collected — ``region``, ``birth_date``, ``future_birth_date``, ``check_character``.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

import attrs

from bankcrm.identity._text import coerce_as_of, masked_input, shape_findings
from bankcrm.identity.reasons import Finding, Reason, identifier_error
from bankcrm.identity.ric import Gender, birth_and_check_findings, gender_of
from bankcrm.pii import mask_id_number

__all__ = [
    "ID_TYPE",
    "HmtPermitInfo",
    "HmtRegion",
    "compact",
    "explain",
    "format",
    "is_valid",
    "mask",
    "normalize",
    "validate",
]

#: The id type code of this module in records frames.
ID_TYPE = "HMT_PERMIT"
_LABEL = "Hong Kong/Macau/Taiwan residence permit number"
_RIC_ALPHABET = frozenset("0123456789X")


class HmtRegion(StrEnum):
    """Where the holder of a residence permit comes from."""

    HONG_KONG = "HK"
    MACAU = "MO"
    TAIWAN = "TW"


_HMT_CODES = {"810000": HmtRegion.HONG_KONG, "820000": HmtRegion.MACAU, "830000": HmtRegion.TAIWAN}


def _masked_repr(value: str) -> str:
    return repr(mask_id_number(value))


@attrs.frozen
class HmtPermitInfo:
    """What a valid residence permit number of a Hong Kong, Macau or Taiwan resident says.

    Attributes:
        number: the canonical 18-character number.
        region: Hong Kong, Macau or Taiwan (from the address code).
        birth_date: the birth date.
        sequence: the 3-digit sequence code.
        gender: from the sequence's parity (odd = male), as in GB 11643.
        verified: always ``True``: the check character was verified.
    """

    number: str = attrs.field(repr=_masked_repr)
    region: HmtRegion
    birth_date: date
    sequence: str
    gender: Gender
    verified: bool = True


def compact(value: object) -> str:
    """Normalise a permit number without validating it.

    >>> compact("810000 1994-0823 0021")
    '810000199408230021'
    """
    return shape_findings(value, "a permit number")[0]


def _gb11643_shape(value: object, noun: str) -> tuple[str, list[Finding]]:
    """Shape checks of an 18-character GB 11643-style number."""
    number, findings = shape_findings(value, noun)
    if findings:
        return "", findings
    if not set(number) <= _RIC_ALPHABET:
        return "", [Finding(Reason.CHARACTERS, "only digits and a final X are allowed")]
    if len(number) != 18:
        return "", [Finding(Reason.LENGTH, f"expected 18 characters, got {len(number)}")]
    if "X" in number[:17]:
        return "", [Finding(Reason.FORMAT, "X may only be the last character")]
    return number, []


def _check(value: object, as_of: object) -> tuple[HmtPermitInfo | None, tuple[Finding, ...]]:
    as_of_date = coerce_as_of(as_of)
    number, findings = _gb11643_shape(value, "a residence permit number")
    if findings:
        return None, tuple(findings)
    region = _HMT_CODES.get(number[:6])
    if region is None:
        detail = "a residence permit number starts with 810000, 820000 or 830000"
        findings.append(Finding(Reason.REGION, detail))
    born, more = birth_and_check_findings(number, as_of=as_of_date)
    findings.extend(more)
    if findings or region is None or born is None:
        return None, tuple(findings)
    info = HmtPermitInfo(
        number=number,
        region=region,
        birth_date=born,
        sequence=number[14:17],
        gender=gender_of(number),
    )
    return info, ()


def validate(value: object, *, as_of: object = None, strict: bool = False) -> HmtPermitInfo:
    """Validate a residence permit number of a Hong Kong, Macau or Taiwan resident.

    Args:
        value: the number in any common written form.
        as_of: if given, a birth date after it is rejected.
        strict: accepted for a uniform signature (the address code is always checked).

    Raises:
        InvalidIdentifier: with the first finding's reason.

    >>> validate("810000199408230022")
    Traceback (most recent call last):
    ...
    bankcrm.errors.InvalidIdentifier: column 'id_number': \
invalid Hong Kong/Macau/Taiwan residence permit number \
810000********0022: the check character should be '1' [rule: invalid_id; reason: check_character]
    """
    del strict
    info, findings = _check(value, as_of)
    if info is None:
        raise identifier_error(findings, id_type=ID_TYPE, label=_LABEL, masked=masked_input(value))
    return info


def normalize(value: object, *, as_of: object = None, strict: bool = False) -> str:
    """Return the canonical number of a valid residence permit.

    >>> normalize("810000 19940823 0021")
    '810000199408230021'
    """
    return validate(value, as_of=as_of, strict=strict).number


def is_valid(value: object, *, as_of: object = None, strict: bool = False) -> bool:
    """Tell whether ``value`` is a valid residence permit number (never raises for bad values)."""
    del strict
    return _check(value, as_of)[0] is not None


def explain(value: object, *, as_of: object = None, strict: bool = False) -> tuple[Finding, ...]:
    """Return every finding against a residence permit number (empty if it is valid).

    >>> [f.reason.value for f in explain("840000199408230021")]
    ['region', 'check_character']
    """
    del strict
    return _check(value, as_of)[1]


def format(value: object) -> str:
    """Write a valid permit number as address code, birth date and sequence+check.

    >>> format("830000199201300022")
    '830000 19920130 0022'
    """
    number = validate(value).number
    return f"{number[:6]} {number[6:14]} {number[14:]}"


def mask(value: object) -> str:
    """Mask a number for display (first and last characters kept).

    >>> mask('810000199408230021')
    '810000********0021'
    """
    return mask_id_number(compact(value))
