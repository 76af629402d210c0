"""Passport numbers (id type ``PASSPORT``): a format check.

A passport number carries no check character that a validator can recompute (ICAO 9303's
check digits live in the machine-readable zone), so every result has ``verified = False``;
the formats come from public descriptions and are deliberately permissive.

PRC ordinary passports: ``E`` + 8 digits (electronic passports since 2012), ``E`` + a letter + 7
digits (once the ``E`` + 8-digit series ran out; any second letter is accepted — which letters
are skipped is **unverified**), and ``G`` + 8 digits (the pre-2012 booklets, still found in old
records). Other passports are checked permissively: 5 to 17 Latin letters and digits, with at
least one digit — ICAO 9303's document-number field is 9 characters, but national numbers vary
and the field overflows.
>>> validate("ea1234567").kind
<PassportKind.CN_ORDINARY: 'cn_ordinary'>
>>> validate("X1234567", issuer="CN")
Traceback (most recent call last):
...
bankcrm.errors.InvalidIdentifier: column 'id_number': \
invalid passport number *******7: not a PRC ordinary passport \
number (E + 8 digits, E + letter + 7 digits or G + 8 digits) [rule: invalid_id; reason: format]
"""

from __future__ import annotations

import re
from enum import StrEnum

import attrs

from bankcrm.identity._documents import compact, mask
from bankcrm.identity._documents import document_shape as _shape
from bankcrm.identity._text import coerce_as_of, masked_input
from bankcrm.identity.reasons import Finding, Reason, identifier_error
from bankcrm.pii import mask_id_number

__all__ = [
    "ID_TYPE",
    "PassportInfo",
    "PassportKind",
    "compact",
    "explain",
    "format",
    "is_valid",
    "mask",
    "normalize",
    "validate",
]

ID_TYPE = "PASSPORT"


_DIGITS = frozenset("0123456789")


_CN_ORDINARY = re.compile(r"E[0-9]{8}|E[A-Z][0-9]{7}|G[0-9]{8}")


_CN_ISSUERS = frozenset({"CN", "CHN"})


class PassportKind(StrEnum):
    """Which passport format a number matched."""

    CN_ORDINARY = "cn_ordinary"
    OTHER = "other"  # a foreign (or unrecognised) passport, permissive format


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


def _check(value: object, issuer: str | None) -> tuple[PassportInfo | None, tuple[Finding, ...]]:
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


def validate(
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

    >>> validate("C01X00T47", issuer="DEU").kind
    <PassportKind.OTHER: 'other'>
    """
    coerce_as_of(as_of)  # checked for a uniform contract, then unused
    del strict
    info, findings = _check(value, issuer)
    if info is None:
        masked = masked_input(value)
        raise identifier_error(findings, id_type=ID_TYPE, label="passport number", masked=masked)
    return info


def normalize(
    value: object, *, issuer: str | None = None, as_of: object = None, strict: bool = False
) -> str:
    """Return the canonical form of a passport number that passes the format check.

    >>> normalize(" e 1234 5678 ")
    'E12345678'
    """
    return validate(value, issuer=issuer, as_of=as_of, strict=strict).number


def is_valid(
    value: object, *, issuer: str | None = None, as_of: object = None, strict: bool = False
) -> bool:
    """Tell whether ``value`` passes the passport format check (never raises for bad values).

    >>> is_valid("E12345678"), is_valid("ABCDEFG"), is_valid(None)
    (True, False, False)
    """
    coerce_as_of(as_of)  # checked for a uniform contract, then unused
    del strict
    return _check(value, issuer)[0] is not None


def explain(
    value: object, *, issuer: str | None = None, as_of: object = None, strict: bool = False
) -> tuple[Finding, ...]:
    """Return the finding against a passport number (empty if it passes).

    >>> explain("E1234", issuer="CN")[0].reason.value
    'format'
    >>> explain("E1234")  # the permissive check accepts it as another passport
    ()
    """
    coerce_as_of(as_of)  # checked for a uniform contract, then unused
    del strict
    return _check(value, issuer)[1]


def format(value: object, *, issuer: str | None = None) -> str:
    """Write a passport number in its canonical form.

    >>> format("e-12345678")
    'E12345678'
    """
    return validate(value, issuer=issuer).number
