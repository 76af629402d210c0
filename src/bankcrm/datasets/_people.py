"""The true population behind the customer records: people in households, with valid documents.

People live in households of one to five: a head, a spouse, children. Household members share
the address; minors often use a guardian's phone and some spouses share one. Most people are
mainland residents with resident identity cards; a few hold Hong Kong / Macau / Taiwan residence
permits (address codes 810000 / 820000 / 830000) and travel permits, and a few are foreigners
with a permanent-residence card (2023 format: ``9``, province, nationality, birth date, sequence,
GB 11643 check character) and a passport. Every document is valid and unique as issued.

>>> people = make_people(200, seed=1, as_of=np.datetime64("2025-12-31"))
>>> len(people.person_id), bool((people.person_id == np.arange(1, 201)).all())
(200, True)
"""

from __future__ import annotations

import attrs
import numpy as np
import numpy.typing as npt

from bankcrm.datasets._common import Shape, stream, ymd
from bankcrm.datasets._idnumbers import body, ric_numbers
from bankcrm.datasets._pools import (
    FOREIGN_GIVEN_NAMES,
    FOREIGN_SURNAMES,
    FPR_NATIONALITIES,
    MOBILE_PREFIXES,
    STREETS,
    given_name_pool,
    region_pool,
    surname_pool,
)
from bankcrm.identity.dispatch import IdType

__all__ = ["People", "Residency", "make_people"]

IntArray = npt.NDArray[np.int64]
StrArray = npt.NDArray[np.str_]
BoolArray = npt.NDArray[np.bool_]


class Residency:
    """Codes 0/1/2 of :attr:`People.residency` and the names the frames show."""

    MAINLAND = 0
    HMT = 1
    FOREIGN = 2
    NAMES = np.array(["mainland", "hk_macau_taiwan", "foreign"])


#: Household sizes 1..5 and their shares (single-person households are common in cities).
HOUSEHOLD_SIZES = np.array([1, 2, 3, 4, 5])
HOUSEHOLD_SHARES = np.array([0.30, 0.30, 0.25, 0.12, 0.03])
#: Probability a minor is reached on the guardian's phone, and that spouses share one phone.
MINOR_SHARES_PHONE = 0.6
SPOUSE_SHARES_PHONE = 0.05
#: Probability a person lives in the district of the address code on their identity card.
LIVES_WHERE_BORN = 0.7


@attrs.frozen(eq=False)
class People:
    """Column arrays of the true population (index i describes person ``person_id[i]``)."""

    person_id: IntArray
    household_id: IntArray
    residency: npt.NDArray[np.int8]
    surname: IntArray  # index into the surname pool (-1 for foreigners)
    given1: IntArray  # index into the given-name pool (-1 for foreigners)
    given2: IntArray  # -1 when the given name has one character
    foreign_name: StrArray  # "SURNAME GIVEN" for foreigners, "" otherwise
    male: BoolArray
    birth: npt.NDArray[np.datetime64]
    minor: BoolArray
    guardian: IntArray  # row index of the guardian, -1 for adults
    id_type: StrArray
    id_number: StrArray
    id_body: IntArray  # 17-digit body of 18-digit numbers, 0 for passports
    alt_id_type: StrArray  # second document ("" when none)
    alt_id_number: StrArray
    phone: IntArray
    old_phone: IntArray  # a number the person used before
    addresses: StrArray  # per household: current address
    old_addresses: StrArray  # per household: where it lived before moving


def _households(n: int, rng: np.random.Generator) -> tuple[IntArray, IntArray]:
    """Household number and rank within the household (0 head, 1 spouse, 2+ children)."""
    sizes = rng.choice(HOUSEHOLD_SIZES, size=n + 1, p=HOUSEHOLD_SHARES)  # always enough
    ends = np.cumsum(sizes)
    count = int(np.searchsorted(ends, n)) + 1
    sizes = sizes[:count]
    sizes[-1] -= int(ends[count - 1]) - n
    household = np.repeat(np.arange(count, dtype=np.int64), sizes)
    starts = np.repeat(np.cumsum(sizes) - sizes, sizes)
    rank = np.arange(n, dtype=np.int64) - starts
    return household, rank


def _ages(rank: IntArray, household: IntArray, rng: np.random.Generator) -> IntArray:
    """Ages in days: adults for heads and spouses, children younger than their parents."""
    n = len(rank)
    head_years = np.clip(rng.normal(48, 15, n), 20, 88)
    head_days = (head_years * 365.25).astype(np.int64) + rng.integers(0, 365, n)
    head_at = np.flatnonzero(rank == 0)
    head_of = head_at[np.searchsorted(head_at, np.arange(n), side="right") - 1]
    parent_days = head_days[head_of]
    spouse = rank == 1
    spouse_days = np.maximum(parent_days + rng.normal(0, 3 * 365, n).astype(np.int64), 20 * 365)
    gap = rng.integers(21 * 365, 38 * 365, n)
    child_days = parent_days - gap
    young = child_days < 0
    child_days[young] = rng.integers(0, 2 * 365, int(young.sum()))
    return np.where(rank == 0, head_days, np.where(spouse, spouse_days, child_days))


def _phones(n: int, rng: np.random.Generator) -> IntArray:
    prefixes = np.asarray(MOBILE_PREFIXES, dtype=np.int64)
    return prefixes[rng.integers(0, len(prefixes), n)] * 100_000_000 + rng.integers(
        0, 100_000_000, n
    )


def _addresses(n: int, home_region: IntArray, rng: np.random.Generator) -> StrArray:
    """Full street addresses, in the given region indices."""
    regions = region_pool()
    streets = np.asarray(STREETS)
    parts = [
        regions.place[home_region],
        streets[rng.integers(0, len(streets), n)],
        rng.integers(1, 999, n).astype("U4"),
        np.full(n, "号"),
        rng.integers(1, 40, n).astype("U3"),
        np.full(n, "栋"),
        rng.integers(1, 7, n).astype("U2"),
        np.full(n, "单元"),
        (rng.integers(1, 33, n) * 100 + rng.integers(1, 5, n)).astype("U5"),
        np.full(n, "室"),
    ]
    out = parts[0]
    for part in parts[1:]:
        out = np.strings.add(out, part)
    return out


def _unique_bodies(make: IntArray, redraw: np.random.Generator, male: BoolArray) -> IntArray:
    """Make 17-digit bodies unique by redrawing the sequence number of later duplicates."""
    bodies = make.copy()
    for _ in range(50):
        _, first = np.unique(bodies, return_index=True)
        dup = np.ones(len(bodies), dtype=bool)
        dup[first] = False
        if not dup.any():
            return bodies
        seq = 2 * redraw.integers(1, 500, int(dup.sum())) - male[dup]
        bodies[dup] = bodies[dup] // 1000 * 1000 + seq
    raise RuntimeError("could not make identity numbers unique")  # pragma: no cover


def make_people(
    n: int,
    *,
    seed: int,
    as_of: np.datetime64,
    hmt_rate: float = 0.004,
    foreign_rate: float = 0.003,
) -> People:
    """Draw ``n`` people (see the module docstring)."""
    rng = stream(seed, Shape.PEOPLE)
    sur, given, regions = surname_pool(), given_name_pool(), region_pool()
    household, rank = _households(n, rng)
    age_days = _ages(rank, household, rng)
    birth = as_of - age_days.astype("timedelta64[D]")
    birth_ymd = ymd(birth)
    # A minor has not reached the 18th birthday on as_of (YYYYMMDD arithmetic is exact here).
    minor = birth_ymd > int(ymd(np.array([as_of], dtype="datetime64[D]"))[0]) - 180_000
    head_at = np.flatnonzero(rank == 0)
    head_of = head_at[np.searchsorted(head_at, np.arange(n), side="right") - 1]
    guardian = np.where(minor, head_of, -1)

    # Heads are either sex; spouses are the other; children either.
    male = rng.random(n) < 0.5
    male[rank == 1] = ~male[head_of[rank == 1]]
    # Children take the surname of the male parent (the head, or the spouse if the head is a woman).
    surname = rng.choice(len(sur.chars), size=n, p=sur.probabilities).astype(np.int64)
    child = rank >= 2
    father = np.where(male[head_of], head_of, np.minimum(head_of + 1, n - 1))
    surname[child] = surname[father[child]]

    # Given names: one or two characters whose gender lean fits the person.
    fits_m = given.lean != "f"
    fits_f = given.lean != "m"
    pick_m = np.flatnonzero(fits_m)
    pick_f = np.flatnonzero(fits_f)
    given1 = np.where(
        male, pick_m[rng.integers(0, len(pick_m), n)], pick_f[rng.integers(0, len(pick_f), n)]
    )
    given2 = np.where(
        male, pick_m[rng.integers(0, len(pick_m), n)], pick_f[rng.integers(0, len(pick_f), n)]
    )
    given2[rng.random(n) < 0.3] = -1

    # Residency: HK/Macau/Taiwan and foreign people live in single-person households here.
    alone = np.bincount(household)[household] == 1
    draw = rng.random(n)
    residency = np.zeros(n, dtype=np.int8)
    share_alone = max(float(alone.mean()), 1e-9)
    residency[alone & (draw < hmt_rate / share_alone)] = Residency.HMT
    foreign_cut = (hmt_rate + foreign_rate) / share_alone
    residency[alone & (draw >= hmt_rate / share_alone) & (draw < foreign_cut)] = Residency.FOREIGN
    is_hmt = residency == Residency.HMT
    is_foreign = residency == Residency.FOREIGN

    id_region = rng.choice(len(regions.codes), size=n, p=regions.probabilities).astype(np.int64)
    # Children usually carry the address code of where their parents live.
    id_region[child] = id_region[head_of[child]]
    region_code = regions.codes[id_region]
    hmt_code = np.array([810000, 820000, 830000], dtype=np.int64)[rng.integers(0, 3, n)]
    region_code = np.where(is_hmt, hmt_code, region_code)
    seq = 2 * rng.integers(1, 500, n) - male  # odd for men (GB 11643)
    nationality = np.asarray(FPR_NATIONALITIES, dtype=np.int64)[
        rng.integers(0, len(FPR_NATIONALITIES), n)
    ]
    fpr_prefix = 900_000 + (region_code // 10_000) * 1_000 + nationality  # 9 PP NNN
    bodies = body(np.where(is_foreign, fpr_prefix, region_code), birth_ymd, seq)
    bodies = _unique_bodies(bodies, rng, male)

    has_fpr = is_foreign & (rng.random(n) < 0.6)
    id_type = np.full(n, IdType.RIC, dtype="U12")
    id_type[is_hmt] = IdType.HMT_PERMIT
    id_type[has_fpr] = IdType.FPR
    passport_only = is_foreign & ~has_fpr
    id_type[passport_only] = IdType.PASSPORT
    numbers = ric_numbers(bodies).astype("U18")

    # Second documents: travel permits for HMT residents, passports for foreigners (strings
    # are only made for those few people).
    serial = rng.permutation(n).astype(np.int64) + 10_000_000
    letter = rng.integers(0, 5, n)
    hmt_at = np.flatnonzero(is_hmt)
    taiwan = region_code[hmt_at] == 830000
    hk_mo = np.where(region_code[hmt_at] == 820000, "M", "H")
    digits = serial[hmt_at].astype("U8")
    travel = np.where(taiwan, digits, np.strings.add(hk_mo, digits))
    foreign_at = np.flatnonzero(is_foreign)
    passport = np.strings.add(
        np.array(list("EGKPS"))[letter[foreign_at]], (serial[foreign_at] + 20_000_000).astype("U8")
    )
    only_passport = passport_only[foreign_at]
    numbers[foreign_at[only_passport]] = passport[only_passport]
    bodies = np.where(passport_only, 0, bodies)
    alt_type = np.full(n, "", dtype="U12")
    alt_type[hmt_at] = np.where(taiwan, IdType.TW_TRAVEL, IdType.HK_MO_TRAVEL)
    alt_type[has_fpr] = IdType.PASSPORT
    alt_number = np.full(n, "", dtype="U18")
    alt_number[hmt_at] = travel
    alt_number[foreign_at[~only_passport]] = passport[~only_passport]

    family_name = rng.integers(0, len(FOREIGN_SURNAMES), n)[foreign_at]
    first_name = rng.integers(0, len(FOREIGN_GIVEN_NAMES), n)[foreign_at]
    foreign_name = np.full(n, "", dtype="U24")
    foreign_name[foreign_at] = np.strings.add(
        np.strings.add(np.asarray(FOREIGN_SURNAMES)[family_name], " "),
        np.asarray(FOREIGN_GIVEN_NAMES)[first_name],
    )
    surname = np.where(is_foreign, -1, surname)
    given1 = np.where(is_foreign, -1, given1)
    given2 = np.where(is_foreign, -1, given2)

    # Phones: everyone has one; minors often and spouses sometimes share the head's.
    phone = _phones(n, rng)
    shares = (minor & (rng.random(n) < MINOR_SHARES_PHONE)) | (
        (rank == 1) & (rng.random(n) < SPOUSE_SHARES_PHONE)
    )
    phone = np.where(shares, phone[head_of], phone)
    old_phone = _phones(n, rng)

    # Addresses belong to households: drawn for the head, shared by everyone in it.
    n_households = len(head_at)
    stays = rng.random(n_households) < LIVES_WHERE_BORN
    head_mainland = (~is_hmt & ~is_foreign)[head_at]
    elsewhere = rng.choice(len(regions.codes), size=n_households, p=regions.probabilities)
    home_region = np.where(stays & head_mainland, id_region[head_at], elsewhere)
    addresses = _addresses(n_households, home_region.astype(np.int64), rng)
    old_region = rng.choice(len(regions.codes), size=n_households, p=regions.probabilities)
    old_addresses = _addresses(n_households, old_region.astype(np.int64), rng)

    return People(
        person_id=np.arange(1, n + 1, dtype=np.int64),
        household_id=household + 1,
        residency=residency,
        surname=surname,
        given1=given1,
        given2=given2,
        foreign_name=foreign_name,
        male=male,
        birth=birth,
        minor=minor,
        guardian=guardian,
        id_type=id_type,
        id_number=numbers,
        id_body=bodies,
        alt_id_type=alt_type,
        alt_id_number=alt_number,
        phone=phone,
        old_phone=old_phone,
        addresses=addresses,
        old_addresses=old_addresses,
    )
