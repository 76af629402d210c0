"""Stable reason codes for identifier validation failures, and findings that carry them.

The codes are strings so that they serialise as they are into frames, JSON and logs. A
:class:`Finding` pairs a code with a human-readable detail; every identifier module's ``explain``
returns a tuple of findings (empty for a valid value) and its ``validate`` raises
:class:`~bankcrm.errors.InvalidIdentifier` carrying the first finding's code.

>>> Reason.CHECK_CHARACTER.value
'check_character'
>>> Finding(Reason.LENGTH, "expected 18 characters, got 17")
Finding(reason=<Reason.LENGTH: 'length'>, detail='expected 18 characters, got 17')
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

import attrs

from bankcrm.errors import InvalidIdentifier

__all__ = ["Finding", "Reason", "identifier_error"]


class Reason(StrEnum):
    """Why an identifier is not valid (or, for ``UNVERIFIED``, why it is only format-checked)."""

    MISSING = "missing"  # no value at all (None, NaN, pandas' NA or NaT)
    NOT_TEXT = "not_text"  # a value is present but is not text or an integer (a list, a float …)
    EMPTY = "empty"
    LENGTH = "length"
    CHARACTERS = "characters"  # a character outside the identifier's alphabet
    FORMAT = "format"  # right characters in the wrong places (prefix, letter positions)
    REGION = "region"  # unknown or impossible region / address code
    BIRTH_DATE = "birth_date"  # not a calendar date
    FUTURE_BIRTH_DATE = "future_birth_date"  # born after as_of
    CHECK_CHARACTER = "check_character"
    ORGANISATION_CODE = "organisation_code"  # embedded GB 11714 code fails its own check
    REGISTRATION_AUTHORITY = "registration_authority"  # USCC char 1 / 2 not a known code
    ID_TYPE = "id_type"  # validate_id was given an id type it does not know
    UNVERIFIED = "unverified"  # only the format could be checked; no check character exists


@attrs.frozen
class Finding:
    """One reason why a value is not a valid identifier.

    Attributes:
        reason: the stable code.
        detail: a short explanation for people; it never contains the identifier itself.
    """

    reason: Reason
    detail: str


def identifier_error(
    findings: Sequence[Finding],
    *,
    id_type: str,
    label: str,
    masked: str,
    column: str = "id_number",
) -> InvalidIdentifier:
    """Build the error ``validate`` raises for ``findings`` (at least one).

    The reason is the first finding's; the message lists every finding's detail after the
    masked value.

    >>> err = identifier_error(
    ...     [Finding(Reason.CHECK_CHARACTER, "the check character should be 'X'")],
    ...     id_type="RIC", label="resident id number", masked="110105********0020",
    ... )
    >>> err.reason, str(err)
    ('check_character', "column 'id_number': invalid resident id number 110105********0020: \
the check character should be 'X' [rule: invalid_id; reason: check_character]")
    """
    if not findings:
        raise ValueError("identifier_error needs at least one finding")
    shown = f" {masked}" if masked else ""
    details = "; ".join(f.detail for f in findings)
    return InvalidIdentifier(
        f"invalid {label}{shown}: {details}",
        reason=findings[0].reason.value,
        id_type=id_type,
        column=column,
    )
