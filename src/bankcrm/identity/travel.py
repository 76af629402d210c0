"""Passports and the Mainland travel permits of Hong Kong, Macau and Taiwan residents.

None of these numbers carries a check character that a validator can recompute from the number
alone (a passport's ICAO 9303 check digits live in the machine-readable zone, not in the
number), so these are **format checks**: every result has ``verified = False``. The formats come
from public descriptions of the documents, not from an official specification bankcrm could
check, so they are deliberately permissive; the pieces marked **unverified** below are the least
certain.

- **Passport** (id type ``PASSPORT``). PRC ordinary passports: ``E`` + 8 digits (electronic
  passports since 2012), ``E`` + a letter + 7 digits (once the ``E`` + 8-digit series ran out;
  any second letter is accepted — which letters are skipped is **unverified**), and ``G`` + 8
  digits (the pre-2012 booklets, still found in old records). Other passports are
  checked permissively: 5 to 17 Latin letters and digits, with at least one digit — ICAO 9303's
  document-number field is 9 characters, but national numbers vary and the field overflows.
- **Mainland travel permit for Hong Kong and Macau residents** (港澳居民来往内地通行证, "回乡证",
  id type ``HK_MO_TRAVEL``): ``H`` (Hong Kong) or ``M`` (Macau) + 8 digits, the holder's
  lifelong number printed on the card since 2013; the older booklet numbers add two digits
  counting the issues (``H`` + 10 digits) — that reading is **unverified** and those numbers are
  accepted with ``legacy = True``.
- **Mainland travel permit for Taiwan residents** (台湾居民来往大陆通行证, "台胞证", id type
  ``TW_TRAVEL``): 8 digits on the card issued since 2015; 10-digit numbers (8 digits + a 2-digit
  issue count, as on older documents — **unverified**) are accepted with ``legacy = True``.

>>> validate_passport("ea1234567").kind
<PassportKind.CN_ORDINARY: 'cn_ordinary'>
>>> validate_passport("X1234567", issuer="CN")
Traceback (most recent call last):
...
bankcrm.errors.InvalidIdentifier: column 'id_number': \
invalid passport number *******7: not a PRC ordinary passport \
number (E + 8 digits, E + letter + 7 digits or G + 8 digits) [rule: invalid_id; reason: format]
>>> validate_hk_macau_travel("h12345678").region
<TravelRegion.HONG_KONG: 'HK'>
>>> validate_taiwan_travel("12345678").legacy
False
"""

from __future__ import annotations

import re
from enum import StrEnum

import attrs

from bankcrm.identity._text import coerce_as_of, masked_input, shape_findings
from bankcrm.identity.reasons import Finding, Reason, identifier_error
from bankcrm.pii import mask_id_number

__all__ = [
    "HK_MO_TRAVEL_ID_TYPE",
    "PASSPORT_ID_TYPE",
    "TW_TRAVEL_ID_TYPE",
    "PassportInfo",
    "PassportKind",
    "TravelPermitInfo",
    "TravelRegion",
    "compact",
    "explain_hk_macau_travel",
    "explain_passport",
    "explain_taiwan_travel",
    "format_hk_macau_travel",
    "format_passport",
    "format_taiwan_travel",
    "is_valid_hk_macau_travel",
    "is_valid_passport",
    "is_valid_taiwan_travel",
    "mask",
    "normalize_hk_macau_travel",
    "normalize_passport",
    "normalize_taiwan_travel",
    "validate_hk_macau_travel",
    "validate_passport",
    "validate_taiwan_travel",
]

PASSPORT_ID_TYPE = "PASSPORT"
HK_MO_TRAVEL_ID_TYPE = "HK_MO_TRAVEL"
TW_TRAVEL_ID_TYPE = "TW_TRAVEL"

_ALNUM = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_DIGITS = frozenset("0123456789")
_CN_ORDINARY = re.compile(r"E[0-9]{8}|E[A-Z][0-9]{7}|G[0-9]{8}")
_CN_ISSUERS = frozenset({"CN", "CHN"})
_HK_MO = re.compile(r"([HM])([0-9]{8})([0-9]{2})?")
_TW = re.compile(r"([0-9]{8})([0-9]{2})?")


class PassportKind(StrEnum):
    """Which passport format a number matched."""

    CN_ORDINARY = "cn_ordinary"
    OTHER = "other"  # a foreign (or unrecognised) passport, permissive format


class TravelRegion(StrEnum):
    """Whose travel permit it is."""

    HONG_KONG = "HK"
    MACAU = "MO"
    TAIWAN = "TW"


def _masked_repr(value: str) -> str:
    return repr(mask_id_number(value))


@attrs.frozen
class PassportInfo:
    """A passport number that passed the format check.

    Attributes:
        number: the canonical number (upper case, no separators).
        kind: PRC ordinary passport or another passport.
        verified: always ``False``: there is no check character in the number.
    """

    number: str = attrs.field(repr=_masked_repr)
    kind: PassportKind
    verified: bool = False


@attrs.frozen
class TravelPermitInfo:
    """A Mainland travel permit number that passed the format check.

    Attributes:
        number: the canonical number as given (upper case, no separators).
        region: Hong Kong, Macau or Taiwan.
        person_number: the holder's lifelong number (``H``/``M`` + 8 digits, or 8 digits).
        legacy: the number carries an issue count (older documents; unverified reading).
        verified: always ``False``: there is no check character in the number.
    """

    number: str = attrs.field(repr=_masked_repr)
    region: TravelRegion
    person_number: str = attrs.field(repr=_masked_repr)
    legacy: bool
    verified: bool = False


def compact(value: object) -> str:
    """Normalise a document number without validating it (brackets dropped too).

    >>> compact("Ｈ1234 5678(01)")
    'H1234567801'
    """
    return shape_findings(value, "a document number")[0].replace("(", "").replace(")", "")


def _shape(value: object, noun: str) -> tuple[str, list[Finding]]:
    number, findings = shape_findings(value, noun)
    if findings:
        return "", findings
    number = number.replace("(", "").replace(")", "")
    if not number:
        return "", [Finding(Reason.EMPTY, "the value is empty")]
    if not set(number) <= _ALNUM:
        return "", [Finding(Reason.CHARACTERS, "only Latin letters and digits are allowed")]
    return number, []


def _check_passport(
    value: object, issuer: str | None
) -> tuple[PassportInfo | None, tuple[Finding, ...]]:
    number, findings = _shape(value, "a passport number")
    if findings:
        return None, tuple(findings)
    issuer_code = issuer.strip().upper() if isinstance(issuer, str) else None
    if _CN_ORDINARY.fullmatch(number) and issuer_code in (None, *_CN_ISSUERS):
        return PassportInfo(number=number, kind=PassportKind.CN_ORDINARY), ()
    if issuer_code in _CN_ISSUERS:
        detail = (
            "not a PRC ordinary passport number"
            " (E + 8 digits, E + letter + 7 digits or G + 8 digits)"
        )
        return None, (Finding(Reason.FORMAT, detail),)
    if not 5 <= len(number) <= 17:
        detail = f"expected 5 to 17 characters, got {len(number)}"
        return None, (Finding(Reason.LENGTH, detail),)
    if not set(number) & _DIGITS:
        return None, (Finding(Reason.FORMAT, "a passport number contains digits"),)
    return PassportInfo(number=number, kind=PassportKind.OTHER), ()


def validate_passport(
    value: object, *, issuer: str | None = None, as_of: object = None, strict: bool = False
) -> PassportInfo:
    """Check the format of a passport number.

    Args:
        value: the number in any common written form.
        issuer: ``"CN"``/``"CHN"`` requires a PRC ordinary passport format; another code
            applies the permissive check; ``None`` accepts either and reports which matched.
        as_of: accepted for a uniform signature.
        strict: accepted for a uniform signature.

    Raises:
        InvalidIdentifier: with the reason.

    >>> validate_passport("C01X00T47", issuer="DEU").kind
    <PassportKind.OTHER: 'other'>
    """
    coerce_as_of(as_of)  # checked for a uniform contract, then unused
    del strict
    info, findings = _check_passport(value, issuer)
    if info is None:
        masked = masked_input(value)
        raise identifier_error(
            findings, id_type=PASSPORT_ID_TYPE, label="passport number", masked=masked
        )
    return info


def normalize_passport(
    value: object, *, issuer: str | None = None, as_of: object = None, strict: bool = False
) -> str:
    """Return the canonical form of a passport number that passes the format check.

    >>> normalize_passport(" e 1234 5678 ")
    'E12345678'
    """
    return validate_passport(value, issuer=issuer, as_of=as_of, strict=strict).number


def is_valid_passport(
    value: object, *, issuer: str | None = None, as_of: object = None, strict: bool = False
) -> bool:
    """Tell whether ``value`` passes the passport format check (never raises for bad values).

    >>> is_valid_passport("E12345678"), is_valid_passport("ABCDEFG"), is_valid_passport(None)
    (True, False, False)
    """
    coerce_as_of(as_of)  # checked for a uniform contract, then unused
    del strict
    return _check_passport(value, issuer)[0] is not None


def explain_passport(
    value: object, *, issuer: str | None = None, as_of: object = None, strict: bool = False
) -> tuple[Finding, ...]:
    """Return the finding against a passport number (empty if it passes).

    >>> explain_passport("E1234", issuer="CN")[0].reason.value
    'format'
    >>> explain_passport("E1234")  # the permissive check accepts it as another passport
    ()
    """
    coerce_as_of(as_of)  # checked for a uniform contract, then unused
    del strict
    return _check_passport(value, issuer)[1]


def format_passport(value: object, *, issuer: str | None = None) -> str:
    """Write a passport number in its canonical form.

    >>> format_passport("e-12345678")
    'E12345678'
    """
    return validate_passport(value, issuer=issuer).number


def _check_hk_mo(value: object) -> tuple[TravelPermitInfo | None, tuple[Finding, ...]]:
    number, findings = _shape(value, "a travel permit number")
    if findings:
        return None, tuple(findings)
    if number[0] not in "HM":
        return None, (Finding(Reason.FORMAT, "the number starts with H or M"),)
    if len(number) not in (9, 11):
        detail = f"expected 9 (or, on older permits, 11) characters, got {len(number)}"
        return None, (Finding(Reason.LENGTH, detail),)
    match = _HK_MO.fullmatch(number)
    if match is None:
        return None, (Finding(Reason.FORMAT, "H or M is followed by digits only"),)
    region = TravelRegion.HONG_KONG if match.group(1) == "H" else TravelRegion.MACAU
    info = TravelPermitInfo(
        number=number,
        region=region,
        person_number=number[:9],
        legacy=match.group(3) is not None,
    )
    return info, ()


def validate_hk_macau_travel(
    value: object, *, as_of: object = None, strict: bool = False
) -> TravelPermitInfo:
    """Check the format of a Mainland travel permit number of a Hong Kong or Macau resident.

    ``as_of`` and ``strict`` are accepted for a uniform signature.

    Raises:
        InvalidIdentifier: with the reason.

    >>> validate_hk_macau_travel("M1234567801").legacy
    True
    """
    coerce_as_of(as_of)  # checked for a uniform contract, then unused
    del strict
    info, findings = _check_hk_mo(value)
    if info is None:
        label = "Hong Kong/Macau travel permit number"
        raise identifier_error(
            findings, id_type=HK_MO_TRAVEL_ID_TYPE, label=label, masked=masked_input(value)
        )
    return info


def normalize_hk_macau_travel(value: object, *, as_of: object = None, strict: bool = False) -> str:
    """Return the canonical form of a Hong Kong/Macau travel permit number.

    >>> normalize_hk_macau_travel("h 1234 5678")
    'H12345678'
    """
    return validate_hk_macau_travel(value, as_of=as_of, strict=strict).number


def is_valid_hk_macau_travel(value: object, *, as_of: object = None, strict: bool = False) -> bool:
    """Tell whether ``value`` passes the Hong Kong/Macau travel permit format check.

    >>> is_valid_hk_macau_travel("H12345678"), is_valid_hk_macau_travel("K12345678")
    (True, False)
    """
    coerce_as_of(as_of)  # checked for a uniform contract, then unused
    del strict
    return _check_hk_mo(value)[0] is not None


def explain_hk_macau_travel(
    value: object, *, as_of: object = None, strict: bool = False
) -> tuple[Finding, ...]:
    """Return the finding against a Hong Kong/Macau travel permit number (empty if it passes).

    >>> explain_hk_macau_travel("H1234567")[0].reason.value
    'length'
    """
    coerce_as_of(as_of)  # checked for a uniform contract, then unused
    del strict
    return _check_hk_mo(value)[1]


def format_hk_macau_travel(value: object) -> str:
    """Write a Hong Kong/Macau travel permit number in its canonical form.

    >>> format_hk_macau_travel("ｍ12345678")
    'M12345678'
    """
    return validate_hk_macau_travel(value).number


def _check_tw(value: object) -> tuple[TravelPermitInfo | None, tuple[Finding, ...]]:
    number, findings = _shape(value, "a travel permit number")
    if findings:
        return None, tuple(findings)
    if not set(number) <= _DIGITS:
        return None, (Finding(Reason.FORMAT, "the number has digits only"),)
    if _TW.fullmatch(number) is None:
        detail = f"expected 8 (or, on older permits, 10) digits, got {len(number)}"
        return None, (Finding(Reason.LENGTH, detail),)
    info = TravelPermitInfo(
        number=number,
        region=TravelRegion.TAIWAN,
        person_number=number[:8],
        legacy=len(number) == 10,
    )
    return info, ()


def validate_taiwan_travel(
    value: object, *, as_of: object = None, strict: bool = False
) -> TravelPermitInfo:
    """Check the format of a Mainland travel permit number of a Taiwan resident.

    ``as_of`` and ``strict`` are accepted for a uniform signature.

    Raises:
        InvalidIdentifier: with the reason.

    >>> validate_taiwan_travel("1234567801").person_number
    '12345678'
    """
    coerce_as_of(as_of)  # checked for a uniform contract, then unused
    del strict
    info, findings = _check_tw(value)
    if info is None:
        label = "Taiwan travel permit number"
        raise identifier_error(
            findings, id_type=TW_TRAVEL_ID_TYPE, label=label, masked=masked_input(value)
        )
    return info


def normalize_taiwan_travel(value: object, *, as_of: object = None, strict: bool = False) -> str:
    """Return the canonical form of a Taiwan travel permit number.

    >>> normalize_taiwan_travel("1234 5678")
    '12345678'
    """
    return validate_taiwan_travel(value, as_of=as_of, strict=strict).number


def is_valid_taiwan_travel(value: object, *, as_of: object = None, strict: bool = False) -> bool:
    """Tell whether ``value`` passes the Taiwan travel permit format check.

    >>> is_valid_taiwan_travel("12345678"), is_valid_taiwan_travel("T12345678")
    (True, False)
    """
    coerce_as_of(as_of)  # checked for a uniform contract, then unused
    del strict
    return _check_tw(value)[0] is not None


def explain_taiwan_travel(
    value: object, *, as_of: object = None, strict: bool = False
) -> tuple[Finding, ...]:
    """Return the finding against a Taiwan travel permit number (empty if it passes).

    >>> explain_taiwan_travel("123456789")[0].reason.value
    'length'
    """
    coerce_as_of(as_of)  # checked for a uniform contract, then unused
    del strict
    return _check_tw(value)[1]


def format_taiwan_travel(value: object) -> str:
    """Write a Taiwan travel permit number in its canonical form.

    >>> format_taiwan_travel("１２３４５６７８")
    '12345678'
    """
    return validate_taiwan_travel(value).number


def mask(value: object) -> str:
    """Mask a document number for display.

    >>> mask("E12345678")
    '********8'
    """
    return mask_id_number(compact(value))
