"""Foreigners' permanent residence identity card numbers (id type ``FPR``).

The foreigner's permanent residence identity card (外国人永久居留身份证) has two number
layouts:

- the 2023 card (issued since 2023-12-01): 18 digits, built like a resident id number — ``9``
  (the foreigner marker), the 2-digit province code of the accepting office, a 3-digit numeric
  nationality code, the birth date YYYYMMDD, a 3-digit sequence and a MOD 11-2 check character.
  The leading ``9``, the 18 digits and MOD 11-2 are stated in the National Immigration
  Administration's 2023 machine-readable rules; the positions of the province and nationality
  codes come from secondary descriptions and a published sample. Gender is not derived: the
  parity rule is **unverified** for this card;
- the earlier cards (2004 and 2017 versions): 15 characters, three Latin letters for the
  nationality followed by 12 digits. No check algorithm for this layout has been published that
  bankcrm could verify, so only the layout is checked and ``verified`` is ``False``; the
  meaning of the 12 digits is **unverified** and not parsed.

The NIA's rules state that the 2017 card kept the 15-character number; bankcrm knows of no
18-digit number on a 2017 card.

>>> validate("932682198501010017").issuing_province_name
'江苏省'
>>> fpr = validate("KAZ110090123105")  # format-only: no published check
>>> fpr.layout, fpr.nationality_code, fpr.verified
(<FprLayout.LETTERS_15: 'letters_15'>, 'KAZ', False)

Findings in order: ``not_text``, ``empty``, ``characters``, ``length``, ``format``, then — all
collected — ``region``, ``birth_date``, ``future_birth_date``, ``check_character``.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

import attrs

from bankcrm.identity._text import coerce_as_of, masked_input, shape_findings
from bankcrm.identity.reasons import Finding, Reason, identifier_error
from bankcrm.identity.regions import PROVINCES
from bankcrm.identity.ric import birth_and_check_findings
from bankcrm.pii import mask_id_number

__all__ = [
    "ID_TYPE",
    "FprInfo",
    "FprLayout",
    "compact",
    "explain",
    "format",
    "is_valid",
    "mask",
    "normalize",
    "validate",
]

ID_TYPE = "FPR"
_LABEL = "foreign permanent resident id number"
_DIGITS = frozenset("0123456789")
_LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_RIC_ALPHABET = frozenset("0123456789X")


class FprLayout(StrEnum):
    """The number layout of a foreigner's permanent residence card."""

    LETTERS_15 = "letters_15"  # 2004 and 2017 cards: 3 letters + 12 digits, no known check
    DIGITS_18 = "digits_18"  # 2023 card: "9" + province + nationality + birth date + seq + check


def _masked_repr(value: str) -> str:
    return repr(mask_id_number(value))


@attrs.frozen
class FprInfo:
    """What a valid foreigner's permanent residence card number says.

    Attributes:
        number: the canonical number (15 or 18 characters).
        layout: which number layout it has.
        nationality_code: ISO-style letters (15-character layout) or the 3-digit numeric code
            (18-digit layout), as printed in the number; not checked against a country list.
        issuing_province_code: the accepting office's province (18-digit layout only).
        birth_date: the birth date (18-digit layout only).
        verified: a check character was verified (18-digit layout only).
    """

    number: str = attrs.field(repr=_masked_repr)
    layout: FprLayout
    nationality_code: str
    issuing_province_code: str | None = None
    birth_date: date | None = None
    verified: bool = False

    @property
    def issuing_province_name(self) -> str | None:
        """The province of the accepting office, if the layout carries it."""
        code = self.issuing_province_code
        return PROVINCES.get(code) if code else None


def compact(value: object) -> str:
    """Normalise a permanent residence card number without validating it.

    >>> compact("ｋａｚ 1100 9012 3105")
    'KAZ110090123105'
    """
    return shape_findings(value, "a permit number")[0]


def _check(value: object, as_of: object) -> tuple[FprInfo | None, tuple[Finding, ...]]:
    as_of_date = coerce_as_of(as_of)
    number, findings = shape_findings(value, "a permanent residence card number")
    if findings:
        return None, tuple(findings)
    if not set(number) <= _DIGITS | _LETTERS:
        return None, (Finding(Reason.CHARACTERS, "only digits and Latin letters are allowed"),)
    if len(number) not in (15, 18):
        detail = f"expected 18 (or, on older cards, 15) characters, got {len(number)}"
        return None, (Finding(Reason.LENGTH, detail),)
    if len(number) == 15:
        if not (set(number[:3]) <= _LETTERS and set(number[3:]) <= _DIGITS):
            detail = "a 15-character number is three letters and twelve digits"
            return None, (Finding(Reason.FORMAT, detail),)
        return FprInfo(number=number, layout=FprLayout.LETTERS_15, nationality_code=number[:3]), ()
    if not set(number[:17]) <= _DIGITS or number[17] not in _RIC_ALPHABET:
        return None, (Finding(Reason.FORMAT, "an 18-character number is 17 digits and 0-9/X"),)
    if number[0] != "9":
        return None, (Finding(Reason.FORMAT, "an 18-digit number starts with 9"),)
    province = number[1:3]
    if province not in PROVINCES:
        findings.append(Finding(Reason.REGION, f"unknown province code {province}"))
    born, more = birth_and_check_findings(number, as_of=as_of_date)
    findings.extend(more)
    if findings or born is None:
        return None, tuple(findings)
    info = FprInfo(
        number=number,
        layout=FprLayout.DIGITS_18,
        nationality_code=number[3:6],
        issuing_province_code=province,
        birth_date=born,
        verified=True,
    )
    return info, ()


def validate(value: object, *, as_of: object = None, strict: bool = False) -> FprInfo:
    """Validate a foreigner's permanent residence card number (either layout).

    Args:
        value: the number in any common written form.
        as_of: if given, a birth date after it is rejected (18-digit layout).
        strict: accepted for a uniform signature.

    Raises:
        InvalidIdentifier: with the first finding's reason.

    >>> validate("KAZ11009012310")
    Traceback (most recent call last):
    ...
    bankcrm.errors.InvalidIdentifier: column 'id_number': \
invalid foreign permanent resident id number \
KAZ110****2310: expected 18 (or, on older cards, 15) characters, got 14 \
[rule: invalid_id; reason: length]
    """
    del strict
    info, findings = _check(value, as_of)
    if info is None:
        raise identifier_error(findings, id_type=ID_TYPE, label=_LABEL, masked=masked_input(value))
    return info


def normalize(value: object, *, as_of: object = None, strict: bool = False) -> str:
    """Return the canonical number of a valid permanent residence card.

    >>> normalize("kaz 110090123105")
    'KAZ110090123105'
    """
    return validate(value, as_of=as_of, strict=strict).number


def is_valid(value: object, *, as_of: object = None, strict: bool = False) -> bool:
    """Tell whether ``value`` is a valid permanent residence card number (never raises)."""
    del strict
    return _check(value, as_of)[0] is not None


def explain(value: object, *, as_of: object = None, strict: bool = False) -> tuple[Finding, ...]:
    """Return every finding against a permanent residence card number (empty if valid).

    >>> [f.reason.value for f in explain("932682198502300017")]
    ['birth_date', 'check_character']
    """
    del strict
    return _check(value, as_of)[1]


def format(value: object) -> str:
    """Write a valid permanent residence card number in its canonical form.

    >>> format("932682 19850101 0017")
    '932682198501010017'
    """
    return validate(value).number


def mask(value: object) -> str:
    """Mask a number for display (first and last characters kept).

    >>> mask('932682198501010017')
    '932682********0017'
    """
    return mask_id_number(compact(value))
