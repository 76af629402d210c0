"""The true population: valid, unique documents and consistent households."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from pypinyin import lazy_pinyin

from bankcrm.datasets._pools import GIVEN_NAME_GROUPS, REGIONS, SURNAMES, surname_pool
from bankcrm.identity import ric
from bankcrm.identity.checksums import ric_check_char
from bankcrm.identity.dispatch import is_valid_id

AS_OF = dt.date(2025, 12, 31)


def test_documents_are_valid_and_unique(moderate_people: pd.DataFrame) -> None:
    checked = moderate_people[moderate_people["id_type"].isin(["RIC", "HMT_PERMIT", "FPR"])]
    assert all(ric_check_char(x[:17]) == x[17] for x in checked["id_number"])
    assert moderate_people["id_number"].is_unique
    assert moderate_people["alt_id_number"].dropna().is_unique
    for id_type, number in zip(
        moderate_people["id_type"], moderate_people["id_number"], strict=True
    ):
        assert is_valid_id(id_type, number, as_of=AS_OF), (id_type, number[:6])
    alt = moderate_people.dropna(subset=["alt_id_type"])
    assert len(alt) > 0
    assert all(
        is_valid_id(t, x) for t, x in zip(alt["alt_id_type"], alt["alt_id_number"], strict=True)
    )


def test_documents_encode_birth_date_and_sex(moderate_people: pd.DataFrame) -> None:
    rows = moderate_people[moderate_people["id_type"] != "PASSPORT"].head(3_000)
    for number, birth, gender in zip(
        rows["id_number"], rows["birth_date"], rows["gender"], strict=True
    ):
        assert number[6:14] == f"{birth:%Y%m%d}"
        assert (int(number[16]) % 2 == 1) == (gender == "M")
    first = ric.validate(rows[rows["id_type"] == "RIC"]["id_number"].iloc[0])
    assert first.birth_date == rows[rows["id_type"] == "RIC"]["birth_date"].iloc[0].date()


def test_residence_permits_and_foreign_cards(moderate_people: pd.DataFrame) -> None:
    hmt = moderate_people[moderate_people["residency"] == "hk_macau_taiwan"]
    assert set(hmt["id_number"].str[:6]) == {"810000", "820000", "830000"}
    assert (hmt["id_type"] == "HMT_PERMIT").all()
    taiwan = hmt["id_number"].str.startswith("830000")
    assert (hmt.loc[taiwan, "alt_id_type"] == "TW_TRAVEL").all()
    assert (hmt.loc[~taiwan, "alt_id_type"] == "HK_MO_TRAVEL").all()
    foreign = moderate_people[moderate_people["residency"] == "foreign"]
    assert set(foreign["id_type"]) == {"FPR", "PASSPORT"}
    assert foreign.loc[foreign["id_type"] == "FPR", "id_number"].str.startswith("9").all()
    assert foreign["name"].str.isascii().all()


def test_abolished_address_codes_still_appear(moderate_people: pd.DataFrame) -> None:
    abolished = {str(r.code) for r in REGIONS if r.abolished}
    assert set(moderate_people["id_number"].str[:6]) & abolished


def test_households_share_addresses_and_minors_have_guardians(
    moderate_people: pd.DataFrame,
) -> None:
    per_household = moderate_people.groupby("household_id")["address"].nunique()
    assert (per_household == 1).all()
    assert (moderate_people.groupby("household_id").size() > 1).any()
    eighteen = pd.Timestamp(AS_OF.replace(year=AS_OF.year - 18))
    minor = moderate_people["birth_date"] > eighteen
    assert (moderate_people["guardian_id"].notna() == minor).all()
    by_id = moderate_people.set_index("person_id")
    guardians = by_id.loc[moderate_people.loc[minor, "guardian_id"].astype(int)]
    assert (guardians["birth_date"] <= eighteen).all()
    assert (
        guardians["household_id"].to_numpy()
        == moderate_people.loc[minor, "household_id"].to_numpy()
    ).all()
    shared = moderate_people[minor]["phone"].to_numpy() == guardians["phone"].to_numpy()
    assert 0.4 < shared.mean() < 0.8  # most minors are reached on a guardian's phone


def test_phones_are_mainland_mobiles(moderate_people: pd.DataFrame) -> None:
    assert moderate_people["phone"].str.fullmatch(r"1[3-9]\d{9}").all()


def test_pools_readings_agree_with_pypinyin() -> None:
    """The homophone groups are built from readings; check them against pypinyin."""
    chars = [(c, reading) for reading, spec in GIVEN_NAME_GROUPS.items() for c in spec[::2]]
    agree = sum(lazy_pinyin(c)[0] == reading for c, reading in chars)
    assert agree / len(chars) > 0.95
    assert len({c for c, _ in chars}) == len(chars)  # each character in one group only
    assert len({s.char for s in SURNAMES}) == len(SURNAMES)


@pytest.mark.parametrize(
    ("char", "reading"), [("单", "shan"), ("曾", "zeng"), ("区", "ou"), ("吕", "lyu")]
)
def test_polyphonic_surnames_use_the_surname_reading(char: str, reading: str) -> None:
    pool = surname_pool()
    at = int((pool.chars == char).nonzero()[0][0])
    assert str(pool.pinyin_upper[at]).lower() == reading
