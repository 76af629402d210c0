"""Check-character algorithms of the Chinese identifier standards.

These are the shared kernels: the validators in :mod:`bankcrm.identity` and the synthetic bank
in :mod:`bankcrm.datasets` both compute check characters here, so there is one truth.

- GB 11643-1999 (resident identity card): ISO 7064 MOD 11-2 over 17 digits.
- GB 32100-2015 (unified social credit code): ISO 7064 MOD 31-3 over 17 characters.
- GB 11714-1997 (organisation code): weighted MOD 11 over 8 characters.

>>> ric_check_char("11010519491231002")
'X'
>>> uscc_check_char("91350100M000100Y4")
'3'
>>> org_code_check_char("D2143569")
'X'
"""

from __future__ import annotations

__all__ = [
    "ORG_CODE_ALPHABET",
    "RIC_WEIGHTS",
    "USCC_ALPHABET",
    "org_code_check_char",
    "ric_check_char",
    "uscc_check_char",
]

#: Weights of GB 11643 positions 1..17: 2**(18 - i) mod 11.
RIC_WEIGHTS: tuple[int, ...] = tuple(pow(2, 17 - i, 11) for i in range(17))
_RIC_CHECK = "10X98765432"

#: The 31 characters of GB 32100 (no I, O, Z, S, V); the index is the character's value.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUE = {c: i for i, c in enumerate(USCC_ALPHABET)}
_USCC_WEIGHTS: tuple[int, ...] = tuple(pow(3, i, 31) for i in range(17))

#: GB 11714 body characters: digits and upper-case letters (A=10 … Z=35).
ORG_CODE_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def ric_check_char(body: str) -> str:
    """Return the GB 11643 check character for a 17-digit body.

    Raises:
        ValueError: if ``body`` is not 17 ASCII digits (callers validate first).
    """
    if len(body) != 17 or not body.isascii() or not body.isdigit():
        raise ValueError("a resident id body is 17 ASCII digits")
    # The weights are 2**(17 - i) mod 11 and 13 = 2 (mod 11), so the weighted sum is congruent
    # to twice the body read as a base-13 numeral: one C-level int() instead of a Python loop.
    return _RIC_CHECK[2 * int(body, 13) % 11]


def uscc_check_char(body: str) -> str:
    """Return the GB 32100 check character for a 17-character body.

    Raises:
        ValueError: if ``body`` has a character outside the code's alphabet.
    """
    if len(body) != 17 or any(c not in _USCC_VALUE for c in body):
        raise ValueError("a credit code body is 17 characters of 0-9A-HJ-NPQRTUWXY")
    total = sum(_USCC_VALUE[c] * w for c, w in zip(body, _USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def org_code_check_char(body: str) -> str:
    """Return the GB 11714 check character ("0"-"9" or "X") for an 8-character body.

    Raises:
        ValueError: if ``body`` is not 8 characters of digits and upper-case letters.
    """
    if len(body) != 8 or any(c not in ORG_CODE_ALPHABET for c in body):
        raise ValueError("an organisation code body is 8 characters of 0-9A-Z")
    total = sum(ORG_CODE_ALPHABET.index(c) * w for c, w in zip(body, _ORG_WEIGHTS, strict=True))
    check = (11 - total % 11) % 11
    return "X" if check == 10 else str(check)
