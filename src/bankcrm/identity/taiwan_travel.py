"""Mainland travel permits of Taiwan residents (id type ``TW_TRAVEL``).

A format check: the number carries no check character, so ``verified`` is ``False``.

The Mainland travel permit for Taiwan residents (台湾居民来往大陆通行证, "台胞证"): 8 digits on
the card issued since 2015; 10-digit numbers (8 digits + a 2-digit issue count, as on older
documents — **unverified**) are accepted with ``legacy = True``.

>>> validate("12345678").legacy
False
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

ID_TYPE = "TW_TRAVEL"


_DIGITS = frozenset("0123456789")


_TW = re.compile(r"([0-9]{8})([0-9]{2})?")


def _check(value: object) -> tuple[TravelPermitInfo | None, tuple[Finding, ...]]:
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


def validate(value: object, *, as_of: object = None, strict: bool = False) -> TravelPermitInfo:
    """Check the format of a Mainland travel permit number of a Taiwan resident.

    ``as_of`` and ``strict`` are accepted for a uniform signature.

    Raises:
        InvalidIdentifier: with the reason.

    >>> validate("1234567801").person_number
    '12345678'
    """
    coerce_as_of(as_of)  # checked for a uniform contract, then unused
    del strict
    info, findings = _check(value)
    if info is None:
        label = "Taiwan travel permit number"
        raise identifier_error(findings, id_type=ID_TYPE, label=label, masked=masked_input(value))
    return info


def normalize(value: object, *, as_of: object = None, strict: bool = False) -> str:
    """Return the canonical form of a Taiwan travel permit number.

    >>> normalize("1234 5678")
    '12345678'
    """
    return validate(value, as_of=as_of, strict=strict).number


def is_valid(value: object, *, as_of: object = None, strict: bool = False) -> bool:
    """Tell whether ``value`` passes the Taiwan travel permit format check.

    >>> is_valid("12345678"), is_valid("T12345678")
    (True, False)
    """
    coerce_as_of(as_of)  # checked for a uniform contract, then unused
    del strict
    return _check(value)[0] is not None


def explain(value: object, *, as_of: object = None, strict: bool = False) -> tuple[Finding, ...]:
    """Return the finding against a Taiwan travel permit number (empty if it passes).

    >>> explain("123456789")[0].reason.value
    'length'
    """
    coerce_as_of(as_of)  # checked for a uniform contract, then unused
    del strict
    return _check(value)[1]


def format(value: object) -> str:
    """Write a Taiwan travel permit number in its canonical form.

    >>> format("１２３４５６７８")
    '12345678'
    """
    return validate(value).number
