"""Validate and normalise the identifiers and names a Chinese bank meets.

One module per identifier standard, each with the same small API (``compact``, ``validate``,
``is_valid``, ``explain``, ``normalize``, ``format``, ``mask``; python-stdnum's shape):
:mod:`~bankcrm.identity.ric`, :mod:`~bankcrm.identity.hmt_permit`,
:mod:`~bankcrm.identity.fpr`, :mod:`~bankcrm.identity.passport`,
:mod:`~bankcrm.identity.hk_macau_travel`, :mod:`~bankcrm.identity.taiwan_travel`,
:mod:`~bankcrm.identity.uscc` and :mod:`~bankcrm.identity.mobile`.
:mod:`~bankcrm.identity.dispatch` validates by id type code (:data:`IDENTIFIER_MODULES` maps
each :class:`IdType` to its module). Names, addresses, birth date / gender cross-checks and
whole records frames (:func:`standardize`) build on them. The names below are the ones other
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

from bankcrm.identity._documents import TravelPermitInfo, TravelRegion
from bankcrm.identity.addresses import (
    AddressParts,
    address_frame,
    normalize_address,
    normalize_addresses,
    parse_address,
)
from bankcrm.identity.dispatch import (
    DEFAULT_ID_TYPE_ALIASES,
    IDENTIFIER_MODULES,
    IdentifierInfo,
    IdentifierModule,
    IdType,
    IdTypeAliases,
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
from bankcrm.identity.fields import FieldCheck, FieldReport, check_fields, cross_check
from bankcrm.identity.fpr import FprInfo, FprLayout
from bankcrm.identity.fpr import is_valid as is_valid_fpr
from bankcrm.identity.fpr import validate as validate_fpr
from bankcrm.identity.hk_macau_travel import validate as validate_hk_macau_travel
from bankcrm.identity.hmt_permit import HmtPermitInfo, HmtRegion
from bankcrm.identity.hmt_permit import is_valid as is_valid_hmt_permit
from bankcrm.identity.hmt_permit import validate as validate_hmt_permit
from bankcrm.identity.mobile import MobileInfo
from bankcrm.identity.mobile import explain as explain_mobile
from bankcrm.identity.mobile import is_valid as is_valid_mobile
from bankcrm.identity.mobile import normalize as normalize_mobile
from bankcrm.identity.mobile import validate as validate_mobile
from bankcrm.identity.names import (
    ORGANISATION_KEY_PREFIX,
    is_organisation_name,
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
from bankcrm.identity.passport import PassportInfo, PassportKind
from bankcrm.identity.passport import validate as validate_passport
from bankcrm.identity.reasons import Finding, Reason
from bankcrm.identity.regions import Region, lookup_region
from bankcrm.identity.ric import Gender, RicInfo
from bankcrm.identity.ric import explain as explain_ric
from bankcrm.identity.ric import is_valid as is_valid_ric
from bankcrm.identity.ric import normalize as normalize_ric
from bankcrm.identity.ric import upgrade as upgrade_ric
from bankcrm.identity.ric import validate as validate_ric
from bankcrm.identity.standardize import (
    DEFAULT_STANDARDIZE_POLICY,
    StandardizePolicy,
    standardize,
)
from bankcrm.identity.taiwan_travel import validate as validate_taiwan_travel
from bankcrm.identity.uscc import UsccInfo
from bankcrm.identity.uscc import explain as explain_uscc
from bankcrm.identity.uscc import is_valid as is_valid_uscc
from bankcrm.identity.uscc import normalize as normalize_uscc
from bankcrm.identity.uscc import validate as validate_uscc

__all__ = [
    "DEFAULT_ID_TYPE_ALIASES",
    "DEFAULT_STANDARDIZE_POLICY",
    "IDENTIFIER_MODULES",
    "ORGANISATION_KEY_PREFIX",
    "AddressParts",
    "FieldCheck",
    "FieldReport",
    "Finding",
    "FprInfo",
    "FprLayout",
    "Gender",
    "HmtPermitInfo",
    "HmtRegion",
    "IdType",
    "IdTypeAliases",
    "IdentifierInfo",
    "IdentifierModule",
    "MobileInfo",
    "PassportInfo",
    "PassportKind",
    "Reason",
    "Region",
    "RicInfo",
    "StandardizePolicy",
    "TravelPermitInfo",
    "TravelRegion",
    "UsccInfo",
    "address_frame",
    "check_fields",
    "compact_id",
    "cross_check",
    "detect_id_type",
    "explain_id",
    "explain_mobile",
    "explain_ric",
    "explain_uscc",
    "format_id",
    "is_organisation_name",
    "is_valid_fpr",
    "is_valid_hmt_permit",
    "is_valid_id",
    "is_valid_mobile",
    "is_valid_ric",
    "is_valid_uscc",
    "lookup_region",
    "mask_id",
    "name_frame",
    "name_key",
    "name_keys",
    "name_keys_column",
    "name_match_key",
    "name_pinyin",
    "normalize_address",
    "normalize_addresses",
    "normalize_id",
    "normalize_mobile",
    "normalize_name",
    "normalize_names",
    "normalize_ric",
    "normalize_uscc",
    "parse_address",
    "parse_id_type",
    "pinyin_key",
    "split_name",
    "standardize",
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
