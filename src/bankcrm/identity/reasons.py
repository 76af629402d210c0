"""Stable reason codes for identifier validation failures.

The codes are strings so that they serialise as they are into frames, JSON and logs.

>>> Reason.CHECK_CHARACTER.value
'check_character'
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Reason"]


class Reason(StrEnum):
    """Why an identifier is not valid (or, for ``UNVERIFIED``, why it is only format-checked)."""

    NOT_TEXT = "not_text"  # the value is not a string or a number at all (None, a list, …)
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
