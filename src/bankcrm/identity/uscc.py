"""Unified Social Credit Code (统一社会信用代码, GB 32100-2015) of organisations.

18 characters from ``0-9A-HJ-NPQRTUWXY`` (no I, O, Z, S, V): the registration authority (char 1),
the entity category (char 2), the registering office's GB/T 2260 region code (chars 3-8), the
organisation's GB 11714 code (chars 9-17, eight characters and their own check character) and a
check character over the first 17 (ISO 7064 MOD 31-3, :func:`~bankcrm.identity.checksums.
uscc_check_char`).

>>> info = validate("91350100M000100Y43")  # the example in GB 32100-2015
>>> info.authority, info.category, info.region_code, info.organisation_code
('9', '1', '350100', 'M000100Y4')
>>> info.authority_name, info.category_name
('industry and commerce / market regulation', 'enterprise')
>>> validate("N2110105MA00000074").category_name  # authority N: agriculture
'village-level collective economic organisation'
>>> explain("N2110105MA00000075")[0].reason.value
'check_character'

Decisions:

- Char 1 must be a published registration-authority code: ``1``-``9``, ``A`` (the Central
  Military Commission's organisation office), ``N`` (agriculture: rural collective economic
  organisations) or ``Y`` (others). Anything else is ``registration_authority``.
- Char 2 (the category) must be a digit in every mode; only ``strict=True`` requires it to be a
  category published for that authority (the published table is in :data:`CATEGORIES`), so a
  newly created category does not reject real codes by default.
- Chars 3-8 must be digits (``format``); ``strict=True`` also requires a known GB/T 2260
  province (or ``10``, the central level) — ``region``.
- The GB 11714 organisation code inside is checked only with ``strict=True``
  (``organisation_code``): GB 32100 protects the whole code with its own check character, and
  bankcrm could not verify that every code ever issued embeds a GB 11714-valid code.
- Findings in order: ``not_text``, ``empty``, ``characters``, ``length``, then
  ``registration_authority``, ``format``, ``region``, ``organisation_code``,
  ``check_character``.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import attrs

from bankcrm.identity._text import coerce_as_of, masked_input, shape_findings
from bankcrm.identity.checksums import USCC_ALPHABET, org_code_check_char, uscc_check_char
from bankcrm.identity.reasons import Finding, Reason, identifier_error
from bankcrm.identity.regions import PROVINCES
from bankcrm.pii import mask_id_number

__all__ = [
    "AUTHORITIES",
    "CATEGORIES",
    "ID_TYPE",
    "UsccInfo",
    "compact",
    "explain",
    "format",
    "is_valid",
    "mask",
    "normalize",
    "validate",
]

#: The id type code of this module in records frames.
ID_TYPE = "USCC"
_LABEL = "unified social credit code"

#: Registration authorities (登记管理部门代码), char 1.
AUTHORITIES: Mapping[str, str] = MappingProxyType(
    {
        "1": "organisation establishment (机构编制)",
        "2": "foreign affairs (外交)",
        "3": "justice (司法行政)",
        "4": "culture (文化)",
        "5": "civil affairs (民政)",
        "6": "tourism (旅游)",
        "7": "religion (宗教)",
        "8": "trade unions (工会)",
        "9": "industry and commerce / market regulation",
        "A": "Central Military Commission organisation office (中央军委改革和编制办公室)",
        "N": "agriculture (农业)",
        "Y": "other (其他)",
    }
)

#: Published entity categories (机构类别代码) per authority, char 2.
CATEGORIES: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {
        "1": {"1": "organ", "2": "public institution", "3": "mass organisation", "9": "other"},
        "2": {"1": "resident foreign news agency", "9": "other"},
        "3": {
            "1": "law firm",
            "2": "notary office",
            "3": "grassroots legal service office",
            "4": "judicial expertise institution",
            "5": "arbitration commission",
            "9": "other",
        },
        "4": {"1": "foreign cultural centre", "9": "other"},
        "5": {
            "1": "social organisation",
            "2": "private non-enterprise unit",
            "3": "foundation",
            "9": "other",
        },
        "6": {
            "1": "foreign tourism office",
            "2": "Hong Kong / Macau / Taiwan tourism office",
            "9": "other",
        },
        "7": {"1": "place of religious activity", "2": "religious school", "9": "other"},
        "8": {"1": "grassroots trade union", "9": "other"},
        "9": {"1": "enterprise", "2": "individual business", "3": "farmers' cooperative"},
        "A": {"1": "military public institution", "9": "other"},
        "N": {
            "1": "group-level collective economic organisation",
            "2": "village-level collective economic organisation",
            "3": "township-level collective economic organisation",
            "9": "other",
        },
        "Y": {"1": "other"},
    }
)

_ALPHABET = frozenset(USCC_ALPHABET)
_DIGITS = frozenset("0123456789")
_CENTRAL_REGION = "10"  # chars 3-4 of codes registered at the central level ("100000")


def _masked_repr(value: str) -> str:
    return repr(mask_id_number(value))


@attrs.frozen
class UsccInfo:
    """What a valid unified social credit code says.

    Attributes:
        number: the canonical 18-character code.
        authority: char 1, the registration authority code.
        category: char 2, the entity category code.
        region_code: chars 3-8, the registering office's region code.
        organisation_code: chars 9-17, the GB 11714 organisation code.
        verified: always ``True``: the check character was verified.
    """

    # Masked in the repr like every other identifier, so a logged result never holds the code.
    number: str = attrs.field(repr=_masked_repr)
    authority: str
    category: str
    region_code: str
    organisation_code: str = attrs.field(repr=_masked_repr)
    verified: bool = True

    @property
    def authority_name(self) -> str:
        """An English name of the registration authority (Chinese in brackets)."""
        return AUTHORITIES[self.authority].split(" (")[0]

    @property
    def category_name(self) -> str | None:
        """The published name of the category, or ``None`` if it is not in the table."""
        return CATEGORIES[self.authority].get(self.category)


def compact(value: object) -> str:
    """Normalise ``value`` without validating it; ``""`` for values that are not text.

    >>> compact("9135 0100 M000 100Y 43")
    '91350100M000100Y43'
    """
    return shape_findings(value, "a credit code")[0]


def _check(value: object, strict: bool) -> tuple[UsccInfo | None, tuple[Finding, ...]]:
    code, findings = shape_findings(value, "a credit code")
    if findings:
        return None, tuple(findings)
    if not set(code) <= _ALPHABET:
        detail = "only 0-9 and the letters A-H, J-N, P, Q, R, T, U, W, X, Y are allowed"
        return None, (Finding(Reason.CHARACTERS, detail),)
    if len(code) != 18:
        return None, (Finding(Reason.LENGTH, f"expected 18 characters, got {len(code)}"),)
    authority, category, region, org = code[0], code[1], code[2:8], code[8:17]
    if authority not in AUTHORITIES:
        detail = f"{authority!r} is not a registration authority code"
        findings.append(Finding(Reason.REGISTRATION_AUTHORITY, detail))
    elif strict and category not in CATEGORIES[authority]:
        detail = f"{category!r} is not a published category of authority {authority!r}"
        findings.append(Finding(Reason.REGISTRATION_AUTHORITY, detail))
    if category not in _DIGITS:
        findings.append(Finding(Reason.FORMAT, "the category (char 2) must be a digit"))
    if not set(region) <= _DIGITS:
        findings.append(Finding(Reason.FORMAT, "the region code (chars 3-8) must be digits"))
    elif strict and region[:2] not in PROVINCES and region[:2] != _CENTRAL_REGION:
        findings.append(Finding(Reason.REGION, f"unknown province code {region[:2]}"))
    if strict:
        expected_org = org_code_check_char(org[:8])
        if org[8] != expected_org:
            detail = f"the organisation code's check character should be {expected_org!r}"
            findings.append(Finding(Reason.ORGANISATION_CODE, detail))
    expected = uscc_check_char(code[:17])
    if code[17] != expected:
        detail = f"the check character should be {expected!r}"
        findings.append(Finding(Reason.CHECK_CHARACTER, detail))
    if findings:
        return None, tuple(findings)
    info = UsccInfo(
        number=code,
        authority=authority,
        category=category,
        region_code=region,
        organisation_code=org,
    )
    return info, ()


def validate(value: object, *, as_of: object = None, strict: bool = False) -> UsccInfo:
    """Validate a unified social credit code and return its parts.

    Args:
        value: the code, in any common written form.
        as_of: accepted for a uniform signature; a credit code carries no date.
        strict: also require a published category, a known province and a valid embedded
            GB 11714 organisation code.

    Raises:
        InvalidIdentifier: with the first finding's reason.

    >>> validate("91350100M000100Y4Z")
    Traceback (most recent call last):
    ...
    bankcrm.errors.InvalidIdentifier: column 'id_number': \
invalid unified social credit code 913501********0Y4Z: \
only 0-9 and the letters A-H, J-N, P, Q, R, T, U, W, X, Y are allowed \
[rule: invalid_id; reason: characters]
    """
    coerce_as_of(as_of)  # checked for a uniform contract; a credit code has no date
    info, findings = _check(value, strict)
    if info is None:
        raise identifier_error(findings, id_type=ID_TYPE, label=_LABEL, masked=masked_input(value))
    return info


def normalize(value: object, *, as_of: object = None, strict: bool = False) -> str:
    """Return the canonical code of a valid unified social credit code.

    >>> normalize("91350100m000100y43")
    '91350100M000100Y43'
    """
    return validate(value, as_of=as_of, strict=strict).number


def is_valid(value: object, *, as_of: object = None, strict: bool = False) -> bool:
    """Tell whether ``value`` is a valid unified social credit code (never raises).

    >>> is_valid("91350100M000100Y43"), is_valid("91350100M000100Y44")
    (True, False)
    """
    coerce_as_of(as_of)  # checked for a uniform contract; a credit code has no date
    return _check(value, strict)[0] is not None


def explain(value: object, *, as_of: object = None, strict: bool = False) -> tuple[Finding, ...]:
    """Return every finding against ``value`` (empty if it is valid).

    >>> [f.reason.value for f in explain("B1350100M000100Y43")]
    ['registration_authority', 'check_character']
    """
    coerce_as_of(as_of)  # checked for a uniform contract; a credit code has no date
    return _check(value, strict)[1]


def format(value: object) -> str:
    """Write a valid code in its canonical form (GB 32100 prints it without separators).

    >>> format("9135-0100-M000-100Y-43")
    '91350100M000100Y43'
    """
    return validate(value).number


def mask(value: object) -> str:
    """Mask a code for display (region code and last four characters kept).

    Credit codes identify organisations, not people, but they can identify sole traders
    (category ``92``), so bankcrm masks them like personal numbers.

    >>> mask("91350100M000100Y43")
    '913501********0Y43'
    """
    return mask_id_number(compact(value))
