"""One module per identifier standard, each with the same API (issue 9).

Every module of :data:`bankcrm.identity.IDENTIFIER_MODULES` has ``compact``, ``validate``,
``is_valid``, ``explain``, ``normalize``, ``format`` and ``mask``; the validating ones take
the keywords ``as_of`` and ``strict``; ``is_valid`` is "validate does not raise";
``normalize`` is idempotent; error messages never show the number unmasked.
"""

from __future__ import annotations

import datetime as dt
import inspect
from types import ModuleType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bankcrm.errors import InvalidIdentifier
from bankcrm.identity import IDENTIFIER_MODULES, IdType
from bankcrm.testing.strategies import (
    arbitrary_id_inputs,
    valid_fprs,
    valid_hmt_permits,
    valid_rics,
    valid_usccs,
)

AS_OF = dt.date(2026, 1, 4)
API = ("compact", "validate", "is_valid", "explain", "normalize", "format", "mask")
VALIDATING = ("validate", "is_valid", "explain", "normalize")
MODULES = sorted(IDENTIFIER_MODULES.items())
EXAMPLES = {
    IdType.RIC: st.one_of(valid_rics(), st.just("110105491231002")),
    IdType.HMT_PERMIT: valid_hmt_permits(),
    IdType.FPR: st.one_of(valid_fprs(), st.just("KAZ110090123105")),
    IdType.PASSPORT: st.sampled_from(["E12345678", "EA1234567", "G12345678", "C01X00T47"]),
    IdType.HK_MO_TRAVEL: st.sampled_from(["H12345678", "M1234567801", "h 1234 5678"]),
    IdType.TW_TRAVEL: st.sampled_from(["12345678", "1234567801"]),
    IdType.USCC: valid_usccs(),
    IdType.MOBILE: st.sampled_from(["13800138000", "+86 139 0000 0000", "0086-15912345678"]),
}


def test_every_id_type_has_a_module() -> None:
    assert set(IDENTIFIER_MODULES) == set(IdType)
    assert len({id(m) for m in IDENTIFIER_MODULES.values()}) == len(IdType)


@pytest.mark.parametrize(("id_type", "module"), MODULES)
def test_the_same_functions_and_keywords(id_type: IdType, module: ModuleType) -> None:
    assert id_type.value == module.ID_TYPE
    for name in API:
        assert callable(getattr(module, name)), name
        assert name in module.__all__
    for name in VALIDATING:
        params = inspect.signature(getattr(module, name)).parameters
        assert next(iter(params)) == "value"
        for keyword, default in (("as_of", None), ("strict", False)):
            assert params[keyword].kind is inspect.Parameter.KEYWORD_ONLY, (name, keyword)
            assert params[keyword].default is default
    for name in ("compact", "format", "mask"):
        assert next(iter(inspect.signature(getattr(module, name)).parameters)) == "value"


@settings(max_examples=60)
@pytest.mark.parametrize(("id_type", "module"), MODULES)
@given(data=st.data())
def test_validate_is_valid_explain_and_normalize_agree(
    id_type: IdType, module: ModuleType, data: st.DataObject
) -> None:
    value = data.draw(st.one_of(EXAMPLES[id_type], arbitrary_id_inputs()))
    strict = data.draw(st.booleans())
    valid = module.is_valid(value, as_of=AS_OF, strict=strict)
    findings = module.explain(value, as_of=AS_OF, strict=strict)
    if not valid:
        with pytest.raises(InvalidIdentifier) as caught:
            module.validate(value, as_of=AS_OF, strict=strict)
        assert findings
        assert caught.value.reason == findings[0].reason.value
        compact = module.compact(value)
        if len(compact) >= 8:  # the number is masked in the message
            assert compact not in str(caught.value)
        return
    info = module.validate(value, as_of=AS_OF, strict=strict)  # does not raise
    assert valid
    assert findings == ()
    normal = module.normalize(value, as_of=AS_OF, strict=strict)
    assert normal == info.number
    assert module.normalize(normal, as_of=AS_OF, strict=strict) == normal
    assert module.is_valid(module.format(value), as_of=AS_OF, strict=strict)
    assert "*" in module.mask(value)
