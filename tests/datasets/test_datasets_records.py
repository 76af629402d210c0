"""Customer records: ground truth, damage semantics and damage rates."""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
from collections.abc import Callable

import numpy as np
import opencc
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bankcrm.datasets import (
    DAMAGE_KINDS,
    SOURCE_SYSTEMS,
    DamageRates,
    generate_people,
    generate_records,
)
from bankcrm.datasets._pools import GIVEN_NAME_GROUPS, SURNAMES
from bankcrm.errors import InputError
from bankcrm.identity.checksums import ric_check_char
from bankcrm.identity.dispatch import IdType

NAME_FLAGS = {"pinyin_only", "homophone", "traditional", "dropped_char", "name_spacing"}
ID_FLAGS = {
    "guardian_id",
    "other_document",
    "legacy_id",
    "missing_id",
    "id_typo",
    "id_transposition",
    "id_format",
}
PHONE_FLAGS = {"missing_phone", "changed_phone", "phone_format"}
ADDRESS_FLAGS = {"missing_address", "stale_address"}
CHECKED_TYPES = {"RIC", "HMT_PERMIT", "FPR"}

READING = {c: reading for reading, spec in GIVEN_NAME_GROUPS.items() for c in spec[::2]}
SURNAME_READING = {s.char: s.pinyin for s in SURNAMES}
COMPOUND = {s.char for s in SURNAMES if len(s.char) == 2}


def _flags(records: pd.DataFrame) -> pd.Series:
    return records["damage"].map(lambda d: frozenset(d.split("|")) - {""})


def _joined(records: pd.DataFrame, people: pd.DataFrame) -> pd.DataFrame:
    truth = people.add_prefix("true_").rename(columns={"true_person_id": "person_id"})
    joined = records.merge(truth, on="person_id", how="left", validate="many_to_one")
    joined["flags"] = _flags(joined)
    return joined


def _only(joined: pd.DataFrame, flag: str, family: set[str]) -> pd.DataFrame:
    """Rows whose damage within ``family`` is exactly ``flag``."""
    return joined[joined["flags"].map(lambda f: f & family == {flag})]


def _valid_18(number: str) -> bool:
    return len(number) == 18 and number[:17].isdigit() and ric_check_char(number[:17]) == number[17]


@pytest.fixture(scope="module")
def joined(moderate_records: pd.DataFrame, moderate_people: pd.DataFrame) -> pd.DataFrame:
    return _joined(moderate_records, moderate_people)


def test_every_person_has_records_and_every_record_a_person(
    moderate_records: pd.DataFrame, moderate_people: pd.DataFrame
) -> None:
    assert set(moderate_records["person_id"]) == set(moderate_people["person_id"])
    assert moderate_people["person_id"].is_unique


@pytest.mark.parametrize("rate", [0.0, 0.2, 1.0, 2.5])
def test_record_count_follows_the_duplication_rate(rate: float) -> None:
    records = generate_records(500, seed=1, duplication_rate=rate)
    assert len(records) == 500 + round(rate * 500)
    assert records["person_id"].nunique() == 500


def test_columns_systems_and_source_ids(moderate_records: pd.DataFrame) -> None:
    expected = [
        "source_system", "source_id", "name", "name_latin", "gender", "birth_date", "id_type",
        "id_number", "phone", "address", "updated_at", "person_id", "damage",
    ]  # fmt: skip
    assert list(moderate_records.columns) == expected
    assert set(moderate_records["source_system"]) == set(SOURCE_SYSTEMS)
    assert not moderate_records.duplicated(["source_system", "source_id"]).any()
    assert moderate_records["updated_at"].max() <= pd.Timestamp("2025-12-31")
    known = {t.value for t in IdType}
    assert set(moderate_records["id_type"].dropna()) <= known
    kinds = set(moderate_records["damage"].str.split("|").explode()) - {""}
    assert kinds <= set(DAMAGE_KINDS)


def test_id_types_vary(moderate_records: pd.DataFrame) -> None:
    types = set(moderate_records["id_type"].dropna())
    assert {"RIC", "HMT_PERMIT", "FPR", "PASSPORT", "HK_MO_TRAVEL", "TW_TRAVEL"} <= types


def test_undamaged_fields_equal_the_truth(joined: pd.DataFrame) -> None:
    def clean(family: set[str]) -> pd.Series:
        return joined["flags"].map(lambda f: not f & family)

    rows = joined[clean(NAME_FLAGS)]
    assert (rows["name"] == rows["true_name"]).all()
    rows = joined[clean(ID_FLAGS)]
    assert (rows["id_number"] == rows["true_id_number"]).all()
    assert (rows["id_type"] == rows["true_id_type"]).all()
    rows = joined[clean(PHONE_FLAGS)]
    assert (rows["phone"] == rows["true_phone"]).all()
    rows = joined[clean(ADDRESS_FLAGS)]
    assert (rows["address"] == rows["true_address"]).all()
    rows = joined[clean({"missing_birth_date"})]
    assert (rows["birth_date"] == rows["true_birth_date"]).all()
    rows = joined[clean({"missing_gender"})]
    assert (rows["gender"] == rows["true_gender"]).all()


def test_missing_flags_mean_missing_values(joined: pd.DataFrame) -> None:
    for flag, columns in {
        "missing_id": ["id_type", "id_number"],
        "missing_phone": ["phone"],
        "missing_address": ["address"],
        "missing_birth_date": ["birth_date"],
        "missing_gender": ["gender"],
    }.items():
        has = joined["flags"].map(lambda f, flag=flag: flag in f)
        for column in columns:
            assert joined.loc[has, column].isna().all(), flag
            assert joined.loc[~has, column].notna().all(), flag


def test_guardian_ids_are_the_guardians_document(
    joined: pd.DataFrame, moderate_people: pd.DataFrame
) -> None:
    rows = _only(joined, "guardian_id", ID_FLAGS)
    assert len(rows) > 0
    guardian_id = moderate_people.set_index("person_id")["id_number"]
    assert (rows["id_number"].to_numpy() == guardian_id[rows["true_guardian_id"]].to_numpy()).all()
    assert rows["true_guardian_id"].notna().all()  # only minors carry a guardian's id


def test_legacy_ids_upgrade_to_the_issued_number(joined: pd.DataFrame) -> None:
    rows = _only(joined, "legacy_id", ID_FLAGS)
    assert len(rows) > 0
    for legacy, issued in zip(rows["id_number"], rows["true_id_number"], strict=True):
        assert len(legacy) == 15
        assert legacy.isdigit()
        body = legacy[:6] + "19" + legacy[6:]
        assert body + ric_check_char(body) == issued


@pytest.mark.parametrize("flag", ["id_typo", "id_transposition"])
def test_digit_damage_breaks_the_check_character(joined: pd.DataFrame, flag: str) -> None:
    rows = _only(joined, flag, ID_FLAGS)
    rows = rows[rows["true_id_type"].isin(CHECKED_TYPES)]
    assert len(rows) > 0
    assert all(_valid_18(x) for x in rows["true_id_number"])
    assert not any(_valid_18(x) for x in rows["id_number"])
    assert (rows["id_number"].str.len() == rows["true_id_number"].str.len()).all()


def test_id_format_noise_cleans_to_the_issued_number(joined: pd.DataFrame) -> None:
    rows = _only(joined, "id_format", ID_FLAGS)
    assert len(rows) > 0
    cleaned = rows["id_number"].map(
        lambda x: unicodedata.normalize("NFKC", x).replace(" ", "").upper()
    )
    assert (cleaned == rows["true_id_number"]).all()
    assert (rows["id_number"] != rows["true_id_number"]).all()


def test_other_documents_are_the_second_document(joined: pd.DataFrame) -> None:
    rows = _only(joined, "other_document", ID_FLAGS)
    assert len(rows) > 0
    assert (rows["id_number"] == rows["true_alt_id_number"]).all()
    assert (rows["id_type"] == rows["true_alt_id_type"]).all()


def test_homophones_read_the_same(joined: pd.DataFrame) -> None:
    rows = _only(joined, "homophone", NAME_FLAGS)
    assert len(rows) > 0
    for stored, true in zip(rows["name"], rows["true_name"], strict=True):
        assert len(stored) == len(true)
        cut = 2 if true[:2] in COMPOUND else 1
        if stored[:cut] != true[:cut]:  # the surname was swapped
            assert SURNAME_READING[stored[:cut]] == SURNAME_READING[true[:cut]]
            assert stored[cut:] == true[cut:]
            continue
        diffs = [(a, b) for a, b in zip(stored[cut:], true[cut:], strict=True) if a != b]
        assert len(diffs) == 1
        assert READING[diffs[0][0]] == READING[diffs[0][1]]


def test_pinyin_only_names_spell_the_true_name(joined: pd.DataFrame) -> None:
    rows = _only(joined, "pinyin_only", NAME_FLAGS)
    assert len(rows) > 0
    lyu = {"LYU", "LV", "LU"}
    for stored, latin in zip(rows["name"], rows["true_name_latin"], strict=True):
        assert stored.isascii()
        tokens = sorted(stored.upper().split())
        expected = sorted(latin.upper().split())
        if "LYU" in expected:
            tokens = ["LYU" if t in lyu and "LYU" not in tokens else t for t in tokens]
        assert tokens == expected


def test_traditional_names_simplify_back(joined: pd.DataFrame) -> None:
    rows = _only(joined, "traditional", NAME_FLAGS)
    assert len(rows) > 0
    t2s = opencc.OpenCC("t2s")
    back = rows["name"].map(t2s.convert)
    assert (back == rows["true_name"]).mean() > 0.98
    assert (rows["name"] != rows["true_name"]).mean() > 0.5  # many names have a traditional form


def test_dropped_and_spaced_names(joined: pd.DataFrame) -> None:
    dropped = _only(joined, "dropped_char", NAME_FLAGS)
    assert len(dropped) > 0
    for stored, true in zip(dropped["name"], dropped["true_name"], strict=True):
        assert len(stored) == len(true) - 1
        assert any(true[:i] + true[i + 1 :] == stored for i in range(1, len(true)))
    spaced = _only(joined, "name_spacing", NAME_FLAGS)
    assert len(spaced) > 0
    assert (spaced["name"].str.replace(" ", "") == spaced["true_name"]).all()
    assert (spaced["name"] != spaced["true_name"]).all()


def test_changed_phones_and_stale_addresses_differ(joined: pd.DataFrame) -> None:
    changed = _only(joined, "changed_phone", PHONE_FLAGS)
    assert len(changed) > 0
    assert (changed["phone"] != changed["true_phone"]).all()
    stale = _only(joined, "stale_address", ADDRESS_FLAGS)
    assert len(stale) > 0
    assert (stale["address"] != stale["true_address"]).all()
    formatted = _only(joined, "phone_format", PHONE_FLAGS)
    digits = formatted["phone"].str.replace(r"\D", "", regex=True).str[-11:]
    assert (digits == formatted["true_phone"]).all()


def test_latin_names_only_where_systems_keep_them(joined: pd.DataFrame) -> None:
    chinese = joined["true_residency"] != "foreign"
    keeps = joined["source_system"].isin(["credit_card", "intermediary"])
    assert joined.loc[keeps | ~chinese, "name_latin"].notna().all()
    assert joined.loc[~keeps & chinese, "name_latin"].isna().all()
    cards = joined[(joined["source_system"] == "credit_card") & chinese]
    assert (cards["name_latin"] == cards["name_latin"].str.upper()).all()


def _eligibility(joined: pd.DataFrame) -> dict[str, Callable[[pd.DataFrame], pd.Series]]:
    """Which records each damage kind can apply to (see DamageRates)."""

    def has(flag: str) -> Callable[[pd.DataFrame], pd.Series]:
        return lambda j: j["flags"].map(lambda f: flag in f)

    chinese = joined["true_residency"] != "foreign"
    written = chinese & ~has("pinyin_only")(joined)
    given_len = joined["true_name"].map(lambda n: len(n) - (2 if n[:2] in COMPOUND else 1))

    def homophone_possible(name: str) -> bool:
        surname = name[:2] if name[:2] in COMPOUND else name[0]
        same = sum(1 for s in SURNAMES if s.pinyin == SURNAME_READING[surname]) > 1
        given_chars = name[len(surname) :]
        groups = [GIVEN_NAME_GROUPS[READING[c]] for c in given_chars]
        return same or any(len(g) > 2 for g in groups)

    possible = (
        joined["true_name"].where(chinese, "").map(lambda n: bool(n) and homophone_possible(n))
    )
    guardian = has("guardian_id")(joined)
    alt = has("other_document")(joined)
    born_1900s = joined["true_birth_date"] < pd.Timestamp("2000-01-01")
    missing_id = has("missing_id")(joined)
    return {
        "pinyin_only": lambda j: chinese,
        "homophone": lambda j: written & possible & ~has("dropped_char")(j),
        "traditional": lambda j: written,
        "dropped_char": lambda j: chinese & (given_len == 2),
        "name_spacing": lambda j: written,
        "guardian_id": lambda j: j["true_guardian_id"].notna(),
        "other_document": lambda j: ~guardian & j["true_alt_id_type"].notna(),
        "legacy_id": lambda j: ~guardian & ~alt & (j["true_id_type"] == "RIC") & born_1900s,
        "missing_id": lambda j: ~guardian,
        "id_typo": lambda j: ~missing_id,
        "id_transposition": lambda j: ~missing_id,
        "id_format": lambda j: ~missing_id & j["id_type"].isin(CHECKED_TYPES),
        "missing_phone": lambda j: pd.Series(True, index=j.index),
        "missing_address": lambda j: pd.Series(True, index=j.index),
        "missing_birth_date": lambda j: pd.Series(True, index=j.index),
        "missing_gender": lambda j: pd.Series(True, index=j.index),
        "changed_phone": lambda j: ~has("missing_phone")(j),
        "phone_format": lambda j: ~has("missing_phone")(j),
        "stale_address": lambda j: ~has("missing_address")(j),
    }


def test_damage_rates_match_the_configured_rates(joined: pd.DataFrame) -> None:
    rates = DamageRates()
    eligibility = _eligibility(joined)
    assert set(eligibility) == set(DAMAGE_KINDS)
    for kind, eligible_of in eligibility.items():
        eligible = eligible_of(joined)
        n = int(eligible.sum())
        assert n > 100, kind
        observed = float(joined.loc[eligible, "flags"].map(lambda f, k=kind: k in f).mean())
        expected = getattr(rates, kind)
        sigma = math.sqrt(expected * (1 - expected) / n)
        assert abs(observed - expected) <= 4 * sigma + 1e-9, (kind, observed, expected, n)
        outside = joined.loc[~eligible, "flags"].map(lambda f, k=kind: k in f)
        if kind != "homophone":  # a dropped character can still leave a homophone behind
            assert not outside.any(), kind


def test_no_damage_gives_records_equal_to_the_truth() -> None:
    records = generate_records(2_000, seed=5, damage=DamageRates.none())
    joined = _joined(records, generate_people(2_000, seed=5))
    assert (records["damage"] == "").all()
    for column in ["name", "id_number", "phone", "address", "gender", "birth_date"]:
        assert (joined[column] == joined[f"true_{column}"]).all(), column


def test_damage_rates_one_make_every_eligible_record_damaged() -> None:
    records = generate_records(300, seed=2, damage=DamageRates(missing_phone=1.0))
    assert records["phone"].isna().all()


@pytest.mark.parametrize(
    ("kwargs", "column"),
    [
        ({"n_people": -1}, "n_people"),
        ({"n_people": 10, "duplication_rate": float("nan")}, "duplication_rate"),
        ({"n_people": 10, "duplication_rate": -0.1}, "duplication_rate"),
        ({"n_people": 10, "seed": -3}, "seed"),
        ({"n_people": 10, "hmt_rate": 2}, "hmt_rate"),
        ({"n_people": 10, "as_of": "2025-01-01T08:00"}, "as_of"),
    ],
)
def test_bad_arguments_raise_input_errors(kwargs: dict[str, object], column: str) -> None:
    arguments: dict[str, object] = {"seed": 1, **kwargs}
    with pytest.raises(InputError) as caught:
        generate_records(**arguments)  # type: ignore[arg-type]
    assert caught.value.column == column


def test_bad_damage_rate_is_an_input_error() -> None:
    with pytest.raises(InputError, match="homophone"):
        DamageRates(homophone=-0.5)


@settings(max_examples=25)
@given(n=st.integers(1, 60), seed=st.integers(0, 2**32 - 1), rate=st.floats(0, 1.5))
def test_records_invariants_hold_for_any_size_and_seed(n: int, seed: int, rate: float) -> None:
    records = generate_records(n, seed=seed, duplication_rate=rate)
    assert len(records) == n + round(rate * n)
    assert set(records["person_id"]) == set(range(1, n + 1))
    assert records.equals(generate_records(n, seed=seed, duplication_rate=rate))
    assert records["updated_at"].max() <= pd.Timestamp(dt.date(2025, 12, 31))
    assert not records.duplicated(["source_system", "source_id"]).any()
    assert np.isin(records["source_system"].unique(), SOURCE_SYSTEMS).all()
