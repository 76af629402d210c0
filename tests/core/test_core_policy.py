"""Policies: exact round trips through dict / JSON / TOML, clear errors, provenance stamps."""

from __future__ import annotations

import datetime as dt
import enum
import json
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal

import attrs
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bankcrm.errors import PolicyError
from bankcrm.money import Comparator, Threshold
from bankcrm.policy import (
    Policy,
    Provenance,
    load_policy,
    read_provenance,
    save_policy,
    stamp_provenance,
)


class Frequency(enum.Enum):
    MONTHLY = "monthly"
    HALF_YEARLY = "half_yearly"


@attrs.frozen
class Tier:
    name: str
    threshold: Threshold
    window_days: int = 30


@attrs.frozen(kw_only=True)
class LadderPolicy(Policy):
    tiers: tuple[Tier, ...]
    review: Frequency = Frequency.HALF_YEARLY
    review_months: frozenset[int] = frozenset({1, 7})
    weights: dict[str, Decimal] = attrs.field(factory=dict)
    note: str | None = None
    cap: Decimal | None = None
    share: Fraction = Fraction(1, 3)
    started: dt.datetime | None = None
    mode: Literal["strict", "lenient"] = "strict"
    pair: tuple[int, str] = (1, "a")
    flag: bool = False
    ratio: float = 0.5


def example() -> LadderPolicy:
    return LadderPolicy(
        name="wealth_ladder",
        version="2026.1",
        effective_date=dt.date(2026, 1, 1),
        tiers=(
            Tier("wealth", Threshold("1000000", "以上")),
            Tier("private", Threshold(Decimal("10000000.00"), ">="), window_days=183),
        ),
        weights={"deposits": Decimal("1"), "funds": Decimal("0.95")},
        note="月日均",
        cap=Decimal("0.15"),
    )


# ----------------------------------------------------------------------------- pinned examples


def test_dict_form_is_plain_and_exact() -> None:
    data = example().to_dict()
    assert data["effective_date"] == "2026-01-01"
    assert data["tiers"][1]["threshold"] == {"value": "10000000.00", "comparator": ">="}
    assert data["review"] == "half_yearly"
    assert data["review_months"] == [1, 7]
    assert data["weights"]["funds"] == "0.95"
    assert data["share"] == "1/3"
    json.dumps(data)  # JSON-safe


@pytest.mark.parametrize("form", ["dict", "json", "toml"])
def test_round_trip_pinned(form: str) -> None:
    policy = example()
    if form == "dict":
        again = LadderPolicy.from_dict(policy.to_dict())
    elif form == "json":
        again = LadderPolicy.from_json(policy.to_json())
    else:
        again = LadderPolicy.from_toml(policy.to_toml())
    assert again == policy
    assert str(again.tiers[1].threshold.value) == "10000000.00"  # the exact digits survive


def test_files_round_trip(tmp_path: Path) -> None:
    policy = example()
    for suffix in (".json", ".toml"):
        path = save_policy(policy, tmp_path / f"ladder{suffix}")
        assert load_policy(LadderPolicy, path) == policy
    with pytest.raises(PolicyError):
        save_policy(policy, tmp_path / "ladder.yaml")
    with pytest.raises(PolicyError):
        load_policy(LadderPolicy, tmp_path / "ladder.yaml")
    with pytest.raises(PolicyError) as missing:
        load_policy(LadderPolicy, tmp_path / "absent.toml")
    assert "absent.toml" in str(missing.value)


def test_hand_written_toml_with_floats_is_exact() -> None:
    text = """
name = "ladder"
version = "1"
effective_date = 2026-01-01
cap = 0.15
tiers = [{ name = "wealth", threshold = { value = 1000000, comparator = "以上" } }]
review = "MONTHLY"
"""
    policy = LadderPolicy.from_toml(text)
    assert policy.cap == Decimal("0.15")
    assert policy.tiers[0].threshold.comparator is Comparator.GE
    assert policy.review is Frequency.MONTHLY  # by member name as well as by value
    assert policy.note is None


BASE = {"name": "x", "version": "1", "effective_date": "2026-01-01", "tiers": []}


@pytest.mark.parametrize(
    ("change", "path_and_reason"),
    [
        ({"colour": "red"}, "unknown field"),
        ({"tiers": [{"name": "t"}]}, "tiers[0].threshold: missing required field"),
        (
            {"tiers": [{"name": "t", "threshold": {"value": "x", "comparator": ">="}}]},
            "tiers[0].threshold.value: bad decimal",
        ),
        (
            {"tiers": [{"name": "t", "threshold": {"value": "1", "comparator": "~"}}]},
            "tiers[0].threshold",
        ),
        ({"effective_date": "2026-13-01"}, "effective_date: bad date"),
        ({"effective_date": 20260101}, "effective_date: bad date"),
        ({"review": "weekly"}, "review: expected one of"),
        ({"review_months": "1,7"}, "review_months: expected a list"),
        ({"review_months": [1, "seven"]}, "review_months[1]: expected an integer"),
        ({"weights": {"a": "NaN"}}, "weights.a: bad decimal"),
        ({"cap": True}, "cap"),
        ({"flag": "yes"}, "flag: expected true or false"),
        ({"mode": "loose"}, "mode: expected one of"),
        ({"pair": [1]}, "pair: expected 2 items"),
        ({"name": ""}, "name"),
        ({"started": "yesterday"}, "started: bad datetime"),
        ({"share": "1/0"}, "share: bad fraction"),
    ],
)
def test_malformed_dicts_name_the_field(change: dict[str, Any], path_and_reason: str) -> None:
    with pytest.raises(PolicyError) as info:
        LadderPolicy.from_dict({**BASE, **change})
    assert path_and_reason in str(info.value)


def test_missing_base_field_and_malformed_text() -> None:
    with pytest.raises(PolicyError) as info:
        LadderPolicy.from_dict({"name": "x", "version": "1", "tiers": []})
    assert "effective_date: missing required field" in str(info.value)
    with pytest.raises(PolicyError):
        LadderPolicy.from_json("{not json")
    with pytest.raises(PolicyError):
        LadderPolicy.from_toml("name = ")
    with pytest.raises(PolicyError):
        LadderPolicy.from_dict(["not", "a", "table"])  # type: ignore[arg-type]


def test_policy_base_validates_itself() -> None:
    with pytest.raises(PolicyError):
        Policy(name=" ", version="1", effective_date=dt.date(2026, 1, 1))
    with pytest.raises(PolicyError):
        Policy(name="p", version="1", effective_date=dt.datetime(2026, 1, 1))


def test_provenance_stamp() -> None:
    policy = example()
    frame = pd.DataFrame({"customer_id": ["c1"], "tier": ["wealth"]})
    stamped = stamp_provenance(frame, policy.provenance(dt.date(2026, 1, 4), producer="tiers"))
    assert frame.attrs == {}  # the input is untouched
    meta = stamped.attrs["bankcrm"]["provenance"][0]
    assert (meta["policy_name"], meta["policy_version"], meta["as_of"]) == (
        "wealth_ladder",
        "2026.1",
        "2026-01-04",
    )
    (record,) = read_provenance(stamped)
    assert record == Provenance("wealth_ladder", "2026.1", dt.date(2026, 1, 4), producer="tiers")
    assert read_provenance(stamped[stamped["tier"] == "wealth"]) == (record,)  # survives filters
    assert read_provenance(frame) == ()
    with pytest.raises(PolicyError):
        stamp_provenance(frame)
    with pytest.raises(PolicyError):
        Provenance("p", "1", "not a date")


# ----------------------------------------------------------------------------- properties

names = st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), min_size=1).filter(
    lambda s: s.strip() != ""
)
decimals = st.decimals(
    allow_nan=False, allow_infinity=False, places=6, min_value=-(10**12), max_value=10**12
)
thresholds = st.builds(
    Threshold,
    st.decimals(min_value=0, max_value=10**9, places=4),
    st.sampled_from(list(Comparator)),
)
tiers = st.builds(Tier, names, thresholds, st.integers(1, 400))
policies = st.builds(
    LadderPolicy,
    name=names,
    version=names,
    effective_date=st.dates(),
    tiers=st.lists(tiers, max_size=4).map(tuple),
    review=st.sampled_from(list(Frequency)),
    review_months=st.frozensets(st.integers(1, 12)),
    weights=st.dictionaries(st.text(max_size=8), decimals, max_size=4),
    note=st.none() | st.text(),
    cap=st.none() | decimals,
    share=st.fractions(),
    started=st.none() | st.datetimes(),
    mode=st.sampled_from(["strict", "lenient"]),
    pair=st.tuples(st.integers(-(2**60), 2**60), st.text()),
    flag=st.booleans(),
    ratio=st.floats(allow_nan=False, allow_infinity=False),
)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(policies)
def test_generated_policies_round_trip(policy: LadderPolicy) -> None:
    assert LadderPolicy.from_dict(policy.to_dict()) == policy
    assert LadderPolicy.from_json(policy.to_json()) == policy
    assert LadderPolicy.from_toml(policy.to_toml()) == policy


@given(
    st.dictionaries(
        st.sampled_from([*BASE, "tiers", "cap", "weights", "review", "bogus"]),
        st.one_of(
            st.none(),
            st.integers(),
            st.text(),
            st.lists(st.integers()),
            st.booleans(),
            st.dictionaries(st.text(), st.integers()),
        ),
    )
)
def test_arbitrary_dicts_give_policy_error_or_a_policy(data: dict[str, Any]) -> None:
    try:
        policy = LadderPolicy.from_dict(data)
    except PolicyError:
        return
    assert LadderPolicy.from_dict(policy.to_dict()) == policy


def test_policy_subclasses_can_default_their_identity() -> None:
    # Contract rule 5: a policy with defaults needs no version from the caller.
    import datetime as dt

    import attrs

    from bankcrm.policy import Policy, effective, named, versioned

    @attrs.frozen(kw_only=True)
    class Knobs(Policy):
        name: str = named("bankcrm.test.knobs")
        version: str = versioned("1")
        effective_date: dt.date = effective(dt.date(2026, 1, 1))  # noqa: RUF009
        strict: bool = False

    knobs = Knobs(strict=True)
    assert (knobs.name, knobs.version, knobs.strict) == ("bankcrm.test.knobs", "1", True)
    assert Knobs.from_toml(knobs.to_toml()) == knobs
    assert Knobs.from_dict({"strict": True}) == knobs
