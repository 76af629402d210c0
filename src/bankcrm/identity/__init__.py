"""Validate and normalise the identifiers and names a Chinese bank meets.

Each identifier module has the same small API (``compact``, ``validate``, ``is_valid``,
``explain``, ``format``, ``mask``): :mod:`~bankcrm.identity.ric`, :mod:`~bankcrm.identity.permits`,
:mod:`~bankcrm.identity.travel`, :mod:`~bankcrm.identity.uscc`, :mod:`~bankcrm.identity.mobile`;
:mod:`~bankcrm.identity.dispatch` validates by id type code. The names below are the ones other
modules depend on.

>>> validate_ric("11010519491231002X").gender
<Gender.FEMALE: 'F'>
>>> normalize_ric("110105491231002")
'11010519491231002X'
>>> is_valid_uscc("91350100M000100Y43"), normalize_mobile("+86 138-0013-8000")
(True, '+8613800138000')
>>> validate_id("HMT_PERMIT", "810000199408230021").region
<HmtRegion.HONG_KONG: 'HK'>
"""

from bankcrm.identity.dispatch import (
    IdentifierInfo,
    IdType,
    compact_id,
    detect_id_type,
    explain_id,
    format_id,
    is_valid_id,
    mask_id,
    normalize_id,
    parse_id_type,
    validate_id,
)
from bankcrm.identity.mobile import MobileInfo
from bankcrm.identity.mobile import explain as explain_mobile
from bankcrm.identity.mobile import is_valid as is_valid_mobile
from bankcrm.identity.mobile import normalize as normalize_mobile
from bankcrm.identity.mobile import validate as validate_mobile
from bankcrm.identity.permits import (
    FprInfo,
    FprLayout,
    HmtPermitInfo,
    HmtRegion,
    is_valid_fpr,
    is_valid_hmt_permit,
    validate_fpr,
    validate_hmt_permit,
)
from bankcrm.identity.reasons import Finding, Reason
from bankcrm.identity.regions import Region, lookup_region
from bankcrm.identity.ric import Gender, RicInfo
from bankcrm.identity.ric import explain as explain_ric
from bankcrm.identity.ric import is_valid as is_valid_ric
from bankcrm.identity.ric import normalize as normalize_ric
from bankcrm.identity.ric import upgrade as upgrade_ric
from bankcrm.identity.ric import validate as validate_ric
from bankcrm.identity.travel import (
    PassportInfo,
    PassportKind,
    TravelPermitInfo,
    TravelRegion,
    validate_hk_macau_travel,
    validate_passport,
    validate_taiwan_travel,
)
from bankcrm.identity.uscc import UsccInfo
from bankcrm.identity.uscc import explain as explain_uscc
from bankcrm.identity.uscc import is_valid as is_valid_uscc
from bankcrm.identity.uscc import normalize as normalize_uscc
from bankcrm.identity.uscc import validate as validate_uscc

__all__ = [
    "Finding",
    "FprInfo",
    "FprLayout",
    "Gender",
    "HmtPermitInfo",
    "HmtRegion",
    "IdType",
    "IdentifierInfo",
    "MobileInfo",
    "PassportInfo",
    "PassportKind",
    "Reason",
    "Region",
    "RicInfo",
    "TravelPermitInfo",
    "TravelRegion",
    "UsccInfo",
    "compact_id",
    "detect_id_type",
    "explain_id",
    "explain_mobile",
    "explain_ric",
    "explain_uscc",
    "format_id",
    "is_valid_fpr",
    "is_valid_hmt_permit",
    "is_valid_id",
    "is_valid_mobile",
    "is_valid_ric",
    "is_valid_uscc",
    "lookup_region",
    "mask_id",
    "normalize_id",
    "normalize_mobile",
    "normalize_ric",
    "normalize_uscc",
    "parse_id_type",
    "upgrade_ric",
    "validate_fpr",
    "validate_hk_macau_travel",
    "validate_hmt_permit",
    "validate_id",
    "validate_mobile",
    "validate_passport",
    "validate_ric",
    "validate_taiwan_travel",
    "validate_uscc",
]

# Names, addresses, birth date / gender cross-checks and whole records frames.
from bankcrm.identity.addresses import (
    AddressParts,
    address_frame,
    normalize_address,
    normalize_addresses,
    parse_address,
)
from bankcrm.identity.fields import FieldCheck, FieldReport, check_fields, cross_check
from bankcrm.identity.names import (
    name_frame,
    name_key,
    name_keys,
    name_keys_column,
    name_match_key,
    name_pinyin,
    normalize_name,
    normalize_names,
    pinyin_key,
    split_name,
)
from bankcrm.identity.standardize import (
    DEFAULT_STANDARDIZE_POLICY,
    StandardizePolicy,
    standardize,
)

__all__ += [
    "DEFAULT_STANDARDIZE_POLICY",
    "AddressParts",
    "FieldCheck",
    "FieldReport",
    "StandardizePolicy",
    "address_frame",
    "check_fields",
    "cross_check",
    "name_frame",
    "name_key",
    "name_keys",
    "name_keys_column",
    "name_match_key",
    "name_pinyin",
    "normalize_address",
    "normalize_addresses",
    "normalize_name",
    "normalize_names",
    "parse_address",
    "pinyin_key",
    "split_name",
    "standardize",
]
