"""Validate any identifier by the id type code a records frame carries.

A customer records frame has an ``id_type`` column next to ``id_number``; its codes are the
members of :class:`IdType`:

- ``RIC``: Resident Identity Card number (居民身份证, GB 11643; 18 or legacy 15), MOD 11-2.
- ``HMT_PERMIT``: residence permit of Hong Kong / Macau / Taiwan residents (港澳台居民居住证,
  address code 810000 / 820000 / 830000), MOD 11-2.
- ``FPR``: foreigner's permanent residence card (外国人永久居留身份证); MOD 11-2 on the 18-digit
  2023 layout, format only on the 15-character older layout.
- ``PASSPORT``: passport (PRC ordinary formats, or a permissive foreign format); format only.
- ``HK_MO_TRAVEL``: Mainland travel permit of Hong Kong / Macau residents (回乡证); format only.
- ``TW_TRAVEL``: Mainland travel permit of Taiwan residents (台胞证); format only.
- ``USCC``: unified social credit code of organisations (GB 32100), MOD 31-3.
- ``MOBILE``: mainland mobile number, for phone columns (normalised to E.164); format only.

>>> validate_id("RIC", "11010519491231002X").birth_date
datetime.date(1949, 12, 31)
>>> normalize_id(IdType.MOBILE, "138 0013 8000")
'+8613800138000'
>>> is_valid_id("hmt_permit", "810000199408230021")  # codes are case-insensitive
True
>>> explain_id("SSN", "078-05-1120")[0].reason.value
'id_type'
>>> detect_id_type("91350100M000100Y43")
<IdType.USCC: 'USCC'>

Records from core-banking systems carry their own id type codes and Chinese names (``01``,
``身份证``, ``id_card``): :class:`IdTypeAliases` is the editable table that maps them to
:class:`IdType` (``StandardizePolicy(id_types=...)`` uses it for a whole frame).

>>> parse_id_type("居民身份证"), parse_id_type("01"), parse_id_type("id_card")
(<IdType.RIC: 'RIC'>, <IdType.RIC: 'RIC'>, <IdType.RIC: 'RIC'>)
>>> bank = IdTypeAliases(aliases={**DEFAULT_ID_TYPE_ALIASES.aliases, "20": "PASSPORT"})
>>> parse_id_type("20", aliases=bank)
<IdType.PASSPORT: 'PASSPORT'>
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import Protocol, TypeAlias

import attrs

from bankcrm.errors import PolicyError
from bankcrm.identity import (
    fpr,
    hk_macau_travel,
    hmt_permit,
    mobile,
    passport,
    ric,
    taiwan_travel,
    uscc,
)
from bankcrm.identity._documents import TravelPermitInfo
from bankcrm.identity._text import coerce_as_of
from bankcrm.identity.fpr import FprInfo
from bankcrm.identity.hmt_permit import HmtPermitInfo
from bankcrm.identity.mobile import MobileInfo
from bankcrm.identity.passport import PassportInfo
from bankcrm.identity.reasons import Finding, Reason, identifier_error
from bankcrm.identity.ric import RicInfo
from bankcrm.identity.uscc import UsccInfo
from bankcrm.pii import mask_id_number
from bankcrm.policy import Policy, effective, named, versioned

__all__ = [
    "DEFAULT_ID_TYPE_ALIASES",
    "IDENTIFIER_MODULES",
    "IdType",
    "IdTypeAliases",
    "IdentifierInfo",
    "IdentifierModule",
    "compact_id",
    "detect_id_type",
    "explain_id",
    "format_id",
    "is_valid_id",
    "mask_id",
    "normalize_id",
    "parse_id_type",
    "validate_id",
]


class IdType(StrEnum):
    """The id type codes of a records frame's ``id_type`` column (see the module docstring)."""

    RIC = "RIC"
    HMT_PERMIT = "HMT_PERMIT"
    FPR = "FPR"
    PASSPORT = "PASSPORT"
    HK_MO_TRAVEL = "HK_MO_TRAVEL"
    TW_TRAVEL = "TW_TRAVEL"
    USCC = "USCC"
    MOBILE = "MOBILE"


#: What :func:`validate_id` returns: the parsed result of the identifier's own module. Every
#: member has ``number`` (the canonical form) and ``verified`` (a check character was verified).
IdentifierInfo: TypeAlias = (
    RicInfo | HmtPermitInfo | FprInfo | PassportInfo | TravelPermitInfo | UsccInfo | MobileInfo
)


class IdentifierModule(Protocol):
    """What every identifier module has (python-stdnum's shape, with ``explain`` and ``mask``)."""

    ID_TYPE: str

    def compact(self, value: object) -> str: ...

    def validate(
        self, value: object, *, as_of: object = None, strict: bool = False
    ) -> IdentifierInfo: ...

    def is_valid(self, value: object, *, as_of: object = None, strict: bool = False) -> bool: ...

    def explain(
        self, value: object, *, as_of: object = None, strict: bool = False
    ) -> tuple[Finding, ...]: ...

    def normalize(self, value: object, *, as_of: object = None, strict: bool = False) -> str: ...

    def format(self, value: object) -> str: ...

    def mask(self, value: object) -> str: ...


#: The module of each id type. Every module has the same functions — ``compact``,
#: ``validate``, ``is_valid``, ``explain``, ``normalize``, ``format`` and ``mask`` — with the
#: keywords ``as_of`` and ``strict`` where they validate, and an ``ID_TYPE`` code.
IDENTIFIER_MODULES: Mapping[IdType, IdentifierModule] = MappingProxyType(
    {
        IdType.RIC: ric,
        IdType.HMT_PERMIT: hmt_permit,
        IdType.FPR: fpr,
        IdType.PASSPORT: passport,
        IdType.HK_MO_TRAVEL: hk_macau_travel,
        IdType.TW_TRAVEL: taiwan_travel,
        IdType.USCC: uscc,
        IdType.MOBILE: mobile,
    }
)

_BY_CODE = {t.value: t for t in IdType}
#: Longer text is never an id type code or alias.
_MAX_CODE_LENGTH = 32


def alias_key(text: str) -> str:
    """How codes and aliases are compared: NFKC, upper case, no spaces, ``_`` or ``-``.

    >>> alias_key(" id_card "), alias_key("ＩＤ－Card"), alias_key("身份 证")
    ('IDCARD', 'IDCARD', '身份证')
    """
    normal = unicodedata.normalize("NFKC", text).upper()
    return "".join(c for c in normal if not (c.isspace() or c in "_-"))


def _freeze_aliases(value: object) -> Mapping[str, IdType]:
    if not isinstance(value, Mapping):
        raise PolicyError(f"aliases: must be a mapping of alias to id type, got {value!r}")
    table: dict[str, IdType] = {}
    for alias, code in value.items():
        if not isinstance(alias, str) or not alias_key(alias):
            raise PolicyError(f"aliases: an alias must be non-empty text, got {alias!r}")
        if len(alias) > _MAX_CODE_LENGTH:
            raise PolicyError(f"aliases: {alias!r} is longer than {_MAX_CODE_LENGTH} characters")
        found = _BY_CODE.get(code.strip().upper()) if isinstance(code, str) else None
        if found is None:
            raise PolicyError(
                f"aliases[{alias!r}]: {code!r} is not an id type ({', '.join(_BY_CODE)})"
            )
        key = alias_key(alias)
        if table.get(key, found) is not found:
            raise PolicyError(f"aliases: {alias!r} maps to two id types ({table[key]}, {found})")
        table[key] = found
    return MappingProxyType(table)


#: The default aliases: Chinese document names, common English spellings and the code
#: ``01`` that many core-banking systems give the resident identity card. Core systems number
#: their other documents differently; a bank adds its own codes (see :class:`IdTypeAliases`).
_DEFAULT_ALIASES: Mapping[str, str] = {
    "01": "RIC",
    "身份证": "RIC",
    "居民身份证": "RIC",
    "二代身份证": "RIC",
    "临时身份证": "RIC",
    "临时居民身份证": "RIC",
    "ID_CARD": "RIC",
    "RESIDENT_ID": "RIC",
    "RESIDENT_ID_CARD": "RIC",
    "港澳台居民居住证": "HMT_PERMIT",
    "港澳居民居住证": "HMT_PERMIT",
    "台湾居民居住证": "HMT_PERMIT",
    "外国人永久居留身份证": "FPR",
    "外国人永久居留证": "FPR",
    "护照": "PASSPORT",
    "港澳居民来往内地通行证": "HK_MO_TRAVEL",
    "回乡证": "HK_MO_TRAVEL",
    "台湾居民来往大陆通行证": "TW_TRAVEL",
    "台胞证": "TW_TRAVEL",
    "统一社会信用代码": "USCC",
    "手机": "MOBILE",
    "手机号码": "MOBILE",
}


@attrs.frozen(kw_only=True)
class IdTypeAliases(Policy):
    """The id type codes a bank's records use for each :class:`IdType`, as data.

    The :class:`IdType` codes themselves (``RIC``, ``PASSPORT`` …) are always understood; this
    table adds the bank's own: Chinese names (``居民身份证``), core-banking codes (``01``),
    English spellings (``id_card``). Aliases are compared after :func:`alias_key` (NFKC, case,
    spaces, ``_`` and ``-`` ignored). Edit by building a new table:
    ``IdTypeAliases(aliases={**DEFAULT_ID_TYPE_ALIASES.aliases, "20": "PASSPORT"})``; save and
    load it with :func:`bankcrm.policy.save` / :func:`~bankcrm.policy.load` (or as the
    ``id_types`` table of a :class:`~bankcrm.identity.standardize.StandardizePolicy` file).

    Attributes:
        aliases: alias → id type code (text or :class:`IdType`); stored by :func:`alias_key`.

    Raises:
        PolicyError: for an alias that is not text, an unknown id type, or one alias for two
            id types.
    """

    name: str = named("bankcrm.identity.id_type_aliases")
    version: str = versioned("1")
    effective_date: dt.date = effective(dt.date(2026, 1, 1))  # noqa: RUF009
    aliases: Mapping[str, IdType] = attrs.field(
        factory=lambda: _freeze_aliases(_DEFAULT_ALIASES),
        converter=_freeze_aliases,
        hash=False,
    )

    def lookup(self, id_type: object) -> IdType | None:
        """The :class:`IdType` of a code or alias, or ``None`` if the table does not know it.

        >>> DEFAULT_ID_TYPE_ALIASES.lookup("护照"), DEFAULT_ID_TYPE_ALIASES.lookup("99")
        (<IdType.PASSPORT: 'PASSPORT'>, None)
        """
        if isinstance(id_type, IdType):
            return id_type
        if not isinstance(id_type, str):
            return None
        text = str.__str__(id_type)  # a str subclass may override len/strip
        if len(text) > _MAX_CODE_LENGTH:
            return None
        found = _BY_CODE.get(text.strip().upper())
        return found if found is not None else self.aliases.get(alias_key(text))


#: The default table (``IdTypeAliases()``).
DEFAULT_ID_TYPE_ALIASES = IdTypeAliases()


def _unknown(id_type: object) -> Finding:
    """The finding for an unknown id type, which is shown as it is: a type code is not PII.

    Text that could be an identifier instead (callers who swap the arguments) is masked: no
    type code is longer than 32 characters or has six digits.
    """
    shown = "this"
    if isinstance(id_type, str):
        text = str.__str__(id_type)
        if len(text) <= _MAX_CODE_LENGTH and sum(c.isdigit() for c in text) < 6:
            shown = repr(text)
        elif len(text) <= _MAX_CODE_LENGTH:
            shown = repr(mask_id_number(text))
    elif id_type is None or isinstance(id_type, int | float):
        shown = repr(id_type)
    codes = ", ".join(_BY_CODE)
    return Finding(Reason.ID_TYPE, f"{shown} is not an id type ({codes}, or an alias of them)")


def parse_id_type(id_type: object, *, aliases: IdTypeAliases = DEFAULT_ID_TYPE_ALIASES) -> IdType:
    """Return the :class:`IdType` for a code or an alias of ``aliases`` (case, spaces,
    ``_`` and ``-`` ignored).

    Raises:
        InvalidIdentifier: with reason ``id_type`` for an unknown code; the message shows it.

    >>> parse_id_type(" ric "), parse_id_type("身份证")
    (<IdType.RIC: 'RIC'>, <IdType.RIC: 'RIC'>)
    >>> parse_id_type("SSN")
    Traceback (most recent call last):
    ...
    bankcrm.errors.InvalidIdentifier: column 'id_type': invalid id type: 'SSN' is not an id \
type (RIC, HMT_PERMIT, FPR, PASSPORT, HK_MO_TRAVEL, TW_TRAVEL, USCC, MOBILE, or an alias of \
them) [rule: invalid_id; reason: id_type]
    """
    if not isinstance(aliases, IdTypeAliases):
        raise PolicyError(f"aliases must be an IdTypeAliases, got {type(aliases).__name__}")
    found = aliases.lookup(id_type)
    if found is None:
        raise identifier_error(
            [_unknown(id_type)], id_type="", label="id type", masked="", column="id_type"
        )
    return found


def validate_id(
    id_type: object, value: object, *, as_of: object = None, strict: bool = False
) -> IdentifierInfo:
    """Validate ``value`` as an identifier of type ``id_type``.

    Args:
        id_type: an :class:`IdType` or its code.
        value: the identifier in any common written form.
        as_of: if given, birth dates after it are rejected (ids that carry one).
        strict: the type's strict mode (known county codes, published USCC categories …).

    Raises:
        InvalidIdentifier: with reason ``id_type`` for an unknown type, else the first finding.

    >>> validate_id("USCC", "91350100M000100Y43").authority
    '9'
    """
    day = coerce_as_of(as_of)  # a bad as_of is an error whatever the id type
    return IDENTIFIER_MODULES[parse_id_type(id_type)].validate(value, as_of=day, strict=strict)


def normalize_id(
    id_type: object, value: object, *, as_of: object = None, strict: bool = False
) -> str:
    """Return the canonical form of a valid identifier of type ``id_type``.

    >>> normalize_id("RIC", "110105491231002")
    '11010519491231002X'
    """
    return validate_id(id_type, value, as_of=as_of, strict=strict).number


def is_valid_id(
    id_type: object, value: object, *, as_of: object = None, strict: bool = False
) -> bool:
    """Tell whether ``value`` is a valid identifier of type ``id_type`` (``False`` for unknown
    types; raises only for a bad ``as_of``)."""
    day = coerce_as_of(as_of)
    found = DEFAULT_ID_TYPE_ALIASES.lookup(id_type)
    return found is not None and IDENTIFIER_MODULES[found].is_valid(value, as_of=day, strict=strict)


def explain_id(
    id_type: object, value: object, *, as_of: object = None, strict: bool = False
) -> tuple[Finding, ...]:
    """Return every finding against ``value`` as an identifier of type ``id_type``.

    An unknown id type is itself a finding (reason ``id_type``).
    """
    day = coerce_as_of(as_of)
    found = DEFAULT_ID_TYPE_ALIASES.lookup(id_type)
    if found is None:
        return (_unknown(id_type),)
    return IDENTIFIER_MODULES[found].explain(value, as_of=day, strict=strict)


def format_id(id_type: object, value: object) -> str:
    """Write a valid identifier in its type's display form.

    >>> format_id("MOBILE", "13800138000")
    '+86 138 0013 8000'
    """
    return IDENTIFIER_MODULES[parse_id_type(id_type)].format(value)


def compact_id(id_type: object, value: object) -> str:
    """Normalise ``value`` the way its type does, without validating it."""
    return IDENTIFIER_MODULES[parse_id_type(id_type)].compact(value)


def mask_id(id_type: object, value: object) -> str:
    """Mask ``value`` for display the way its type does (generic masking for unknown types).

    >>> mask_id("MOBILE", "13800138000"), mask_id("RIC", "11010519491231002X")
    ('*******8000', '110105********002X')
    """
    found = DEFAULT_ID_TYPE_ALIASES.lookup(id_type)
    if found is None:
        return mask_id_number(str.__str__(value) if isinstance(value, str) else "")
    return IDENTIFIER_MODULES[found].mask(value)


#: The order :func:`detect_id_type` tries; permissive formats last.
_DETECTION_ORDER = (
    IdType.RIC,
    IdType.HMT_PERMIT,
    IdType.FPR,
    IdType.USCC,
    IdType.MOBILE,
    IdType.HK_MO_TRAVEL,
    IdType.TW_TRAVEL,
    IdType.PASSPORT,
)


def detect_id_type(value: object, *, as_of: object = None) -> IdType | None:
    """Guess the id type of a bare identity document number (``None`` if nothing fits).

    The first type under which ``value`` is valid wins, in the order RIC, HMT_PERMIT, FPR,
    USCC, MOBILE, HK_MO_TRAVEL, TW_TRAVEL, PASSPORT: a mainland mobile number (11 digits
    starting 13-19, with or without +86) is ``MOBILE``, not a passport. A guess is no
    substitute for a recorded id type: an 8-digit number is a Taiwan travel permit here, but
    may be a passport.

    >>> detect_id_type("h12345678"), detect_id_type("hello")
    (<IdType.HK_MO_TRAVEL: 'HK_MO_TRAVEL'>, None)
    >>> detect_id_type("13800138000"), detect_id_type("+86 138 0013 8000")
    (<IdType.MOBILE: 'MOBILE'>, <IdType.MOBILE: 'MOBILE'>)
    """
    day = coerce_as_of(as_of)
    for id_type in _DETECTION_ORDER:
        if IDENTIFIER_MODULES[id_type].is_valid(value, as_of=day):
            return id_type
    return None
