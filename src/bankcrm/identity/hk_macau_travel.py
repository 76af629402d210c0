"""Mainland travel permits of Hong Kong and Macau residents (id type ``HK_MO_TRAVEL``).

A format check: the number carries no check character, so ``verified`` is ``False``.

The Mainland travel permit for Hong Kong and Macau residents (港澳居民来往内地通行证,
"回乡证"): ``H`` (Hong Kong) or ``M`` (Macau) + 8 digits, the holder's lifelong number
printed on the card since 2013; the older booklet numbers add two digits counting the issues
(``H`` + 10 digits) — that reading is **unverified** and those numbers are accepted with
``legacy = True``.

>>> validate("h12345678").region
<TravelRegion.HONG_KONG: 'HK'>
"""

from __future__ import annotations

import re

from bankcrm.identity._documents import (
    TravelPermitInfo,
    TravelRegion,
    compact,
    mask,
)
from bankcrm.identity._documents import document_shape as _shape
from bankcrm.identity._text import coerce_as_of, masked_input
from bankcrm.identity.reasons import Finding, Reason, identifier_error

__all__ = [
    "ID_TYPE",
    "TravelPermitInfo",
    "TravelRegion",
    "compact",
    "explain",
    "format",
    "is_valid",
    "mask",
    "normalize",
    "validate",
]

ID_TYPE = "HK_MO_TRAVEL"


_HK_MO = re.compile(r"([HM])([0-9]{8})([0-9]{2})?")


def _check(value: object) -> tuple[TravelPermitInfo | None, tuple[Finding, ...]]:
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


def validate(value: object, *, as_of: object = None, strict: bool = False) -> TravelPermitInfo:
    """Check the format of a Mainland travel permit number of a Hong Kong or Macau resident.

    ``as_of`` and ``strict`` are accepted for a uniform signature.

    Raises:
        InvalidIdentifier: with the reason.

    >>> validate("M1234567801").legacy
    True
    """
    coerce_as_of(as_of)  # checked for a uniform contract, then unused
    del strict
    info, findings = _check(value)
    if info is None:
        label = "Hong Kong/Macau travel permit number"
        raise identifier_error(findings, id_type=ID_TYPE, label=label, masked=masked_input(value))
    return info


def normalize(value: object, *, as_of: object = None, strict: bool = False) -> str:
    """Return the canonical form of a Hong Kong/Macau travel permit number.

    >>> normalize("h 1234 5678")
    'H12345678'
    """
    return validate(value, as_of=as_of, strict=strict).number


def is_valid(value: object, *, as_of: object = None, strict: bool = False) -> bool:
    """Tell whether ``value`` passes the Hong Kong/Macau travel permit format check.

    >>> is_valid("H12345678"), is_valid("K12345678")
    (True, False)
    """
    coerce_as_of(as_of)  # checked for a uniform contract, then unused
    del strict
    return _check(value)[0] is not None


def explain(value: object, *, as_of: object = None, strict: bool = False) -> tuple[Finding, ...]:
    """Return the finding against a Hong Kong/Macau travel permit number (empty if it passes).

    >>> explain("H1234567")[0].reason.value
    'length'
    """
    coerce_as_of(as_of)  # checked for a uniform contract, then unused
    del strict
    return _check(value)[1]


def format(value: object) -> str:
    """Write a Hong Kong/Macau travel permit number in its canonical form.

    >>> format("ｍ12345678")
    'M12345678'
    """
    return validate(value).number
