"""What the Mainland travel permits of Hong Kong, Macau and Taiwan residents share.

:mod:`~bankcrm.identity.hk_macau_travel` and :mod:`~bankcrm.identity.taiwan_travel` (and
:mod:`~bankcrm.identity.passport`, for the shape of a document number) build on these.
"""

from __future__ import annotations

from enum import StrEnum

import attrs

from bankcrm.identity._text import shape_findings
from bankcrm.identity.reasons import Finding, Reason
from bankcrm.pii import mask_id_number

__all__ = [
    "TravelPermitInfo",
    "TravelRegion",
    "compact",
    "document_shape",
    "mask",
]

_ALNUM = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")


class TravelRegion(StrEnum):
    """Whose travel permit it is."""

    HONG_KONG = "HK"
    MACAU = "MO"
    TAIWAN = "TW"


def _masked_repr(value: str) -> str:
    return repr(mask_id_number(value))


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


def document_shape(value: object, noun: str) -> tuple[str, list[Finding]]:
    """The cleaned number (Latin letters and digits only) or the one finding against it."""
    number, findings = shape_findings(value, noun)
    if findings:
        return "", findings
    number = number.replace("(", "").replace(")", "")
    if not number:
        return "", [Finding(Reason.EMPTY, "the value is empty")]
    if not set(number) <= _ALNUM:
        return "", [Finding(Reason.CHARACTERS, "only Latin letters and digits are allowed")]
    return number, []


def mask(value: object) -> str:
    """Mask a document number for display.

    >>> mask("E12345678")
    '********8'
    """
    return mask_id_number(compact(value))
