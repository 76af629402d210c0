"""Customer records as five product systems hold them, with duplication and damage.

Every person has at least one record; about ``duplication_rate × n`` further records describe
people who already have one (some people have several). Each record belongs to one of the five
product systems and carries the person's data as that system stored it, damaged at the rates of
:class:`~bankcrm.datasets._damage.DamageRates`. The ``damage`` column lists the damage applied
(``|``-separated names from :data:`~bankcrm.datasets._damage.DAMAGE_KINDS`, empty when none);
``person_id`` is the truth.

>>> from bankcrm.datasets import generate_records
>>> records = generate_records(300, seed=3)
>>> int(records["person_id"].nunique())
300
>>> sorted(records["source_system"].unique())
['credit_card', 'funds', 'intermediary', 'savings', 'wealth']
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import numpy.typing as npt
import pandas as pd

from bankcrm.datasets._common import (
    DEFAULT_AS_OF,
    Shape,
    check_count,
    check_rate,
    check_ratio,
    check_seed,
    stream,
    to_day,
)
from bankcrm.datasets._damage import (
    DAMAGE_KINDS,
    DamageRates,
    reformat_ids,
    reformat_phones,
    transpose_ids,
    typo_ids,
)
from bankcrm.datasets._people import People, Residency, make_people
from bankcrm.datasets._pools import given_name_pool, surname_pool
from bankcrm.identity.dispatch import IdType

__all__ = [
    "SOURCE_SYSTEMS",
    "SYSTEM_SHARES",
    "draw_people",
    "generate_people",
    "generate_records",
    "people_frame",
    "records_frame",
]

IntArray = npt.NDArray[np.int64]
StrArray = npt.NDArray[np.str_]
BoolArray = npt.NDArray[np.bool_]

#: The five product systems and the share of records each holds.
SOURCE_SYSTEMS: tuple[str, ...] = ("savings", "wealth", "credit_card", "funds", "intermediary")
SYSTEM_SHARES = np.array([0.35, 0.15, 0.25, 0.10, 0.15])
_SOURCE_PREFIX = np.array(["SV", "WM", "CC", "FD", "IM"])
_STORES_LATIN = np.array([False, False, True, False, True])
#: How far back the records were last updated (stale addresses are older still).
_UPDATE_YEARS = 6


def _with_blank(values: StrArray) -> StrArray:
    """Append "" so that index -1 renders as nothing."""
    return np.append(values, "")


def _choose_position(mask: BoolArray, rng: np.random.Generator) -> IntArray:
    """A random True column per row (0 where a row has none)."""
    position: IntArray = (rng.random(mask.shape) * mask).argmax(axis=1)
    return position


def _latin(
    surname: IntArray, given1: IntArray, given2: IntArray, spelling: IntArray, style: IntArray
) -> StrArray:
    """Romanised names: 0 ``ZHANG XIAOMING``, 1 ``Zhang Xiaoming``, 2 ``XIAOMING ZHANG``.

    Casing is done once on the small pools; rows only concatenate pieces.
    """
    sur, given = surname_pool(), given_name_pool()
    spell = sur.spellings[surname, spelling % sur.n_spellings[surname]]  # upper case
    upper = _with_blank(np.strings.upper(given.pinyin))
    lower = _with_blank(given.pinyin)
    title = _with_blank(np.strings.title(given.pinyin))
    first_upper = np.strings.add(upper[given1], upper[given2])
    first_title = np.strings.add(title[given1], lower[given2])
    spell_title = np.strings.add(
        np.strings.slice(spell, 0, 1), np.strings.lower(np.strings.slice(spell, 1, None))
    )
    surname_part = np.where(style == 1, spell_title, spell)
    given_part = np.where(style == 1, first_title, first_upper)
    left = np.where(style == 2, given_part, surname_part)
    right = np.where(style == 2, surname_part, given_part)
    return np.strings.add(np.strings.add(left, " "), right)


def _true_names(people: People) -> tuple[StrArray, StrArray]:
    """The names as issued: Chinese characters (or the passport name) and canonical pinyin."""
    sur, given = surname_pool(), given_name_pool()
    chinese = people.surname >= 0
    s = np.where(chinese, people.surname, 0)
    chars = np.strings.add(
        np.strings.add(sur.chars[s], _with_blank(given.chars)[people.given1]),
        _with_blank(given.chars)[people.given2],
    )
    zeros = np.zeros(len(s), dtype=np.int64)
    latin = _latin(s, people.given1, people.given2, zeros, zeros)
    return np.where(chinese, chars, people.foreign_name), np.where(
        chinese, latin, people.foreign_name
    )


def _assign_records(
    n: int, duplication_rate: float, rng: np.random.Generator
) -> tuple[IntArray, IntArray]:
    """Person row and system of every record, in a shuffled order."""
    extra = round(duplication_rate * n)
    # Some people have many records: the extra ones go preferentially to "busy" people.
    busy = rng.lognormal(0.0, 1.0, n)
    extra_rows = rng.choice(n, size=extra, p=busy / busy.sum()) if n else np.empty(0, np.int64)
    rows = np.concatenate([np.arange(n, dtype=np.int64), extra_rows.astype(np.int64)])
    system = rng.choice(len(SOURCE_SYSTEMS), size=len(rows), p=SYSTEM_SHARES).astype(np.int64)
    order = rng.permutation(len(rows))
    return rows[order], system[order]


def _flags(rate: float, eligible: BoolArray, rng: np.random.Generator) -> BoolArray:
    return eligible & (rng.random(len(eligible)) < rate)


def _damage_names(
    people: People, rows: IntArray, rates: DamageRates, rng: np.random.Generator
) -> tuple[StrArray, dict[str, BoolArray], tuple[IntArray, IntArray, IntArray, IntArray]]:
    """Names as stored, the name damage flags, and the stored name's pool indices + spelling."""
    sur, given = surname_pool(), given_name_pool()
    m = len(rows)
    chinese = people.surname[rows] >= 0
    s = np.where(chinese, people.surname[rows], 0)
    g1 = people.given1[rows].copy()
    g2 = people.given2[rows].copy()
    flags: dict[str, BoolArray] = {}

    flags["pinyin_only"] = _flags(rates.pinyin_only, chinese, rng)
    written = chinese & ~flags["pinyin_only"]
    flags["dropped_char"] = _flags(rates.dropped_char, chinese & (g2 >= 0), rng)
    drop_first = rng.random(m) < 0.5
    g1 = np.where(flags["dropped_char"] & drop_first, g2, g1)
    g2 = np.where(flags["dropped_char"], -1, g2)

    # Homophones: pick one character that has a same-sounding alternative and swap it.
    has_alt = np.stack(
        [
            sur.n_homophones[s] > 0,
            (g1 >= 0) & (given.group_size[g1] > 1),
            (g2 >= 0) & (given.group_size[g2] > 1),
        ],
        axis=1,
    )
    flags["homophone"] = _flags(rates.homophone, written & has_alt.any(axis=1), rng)
    where = _choose_position(has_alt, rng)
    pick = rng.integers(0, 1 << 30, m)
    hom = flags["homophone"]
    swap_s = hom & (where == 0)
    s = np.where(swap_s, sur.homophones[s, pick % np.maximum(sur.n_homophones[s], 1)], s)
    for col, g in ((1, g1), (2, g2)):
        sel = hom & (where == col)
        size = given.group_size[g[sel]]
        offset = g[sel] - given.group_start[g[sel]]
        g[sel] = given.group_start[g[sel]] + (offset + 1 + pick[sel] % (size - 1)) % size

    flags["traditional"] = _flags(rates.traditional, written, rng)
    trad = flags["traditional"]
    given_chars = _with_blank(given.chars)
    given_trad = _with_blank(given.traditional)
    surname_text = np.where(trad, sur.traditional[s], sur.chars[s])
    given_text = np.strings.add(
        np.where(trad, given_trad[g1], given_chars[g1]),
        np.where(trad, given_trad[g2], given_chars[g2]),
    )
    flags["name_spacing"] = _flags(rates.name_spacing, written, rng)
    inner = rng.random(m) < 0.6
    sep = np.where(flags["name_spacing"] & inner, " ", "")
    trailing = np.where(flags["name_spacing"] & ~inner, " ", "")
    chars = np.strings.add(np.strings.add(surname_text, sep), np.strings.add(given_text, trailing))

    spelling = rng.integers(0, 3, m)
    style = rng.integers(0, 3, m)
    latin = _latin(s, g1, g2, spelling, style)
    name = np.where(
        chinese, np.where(flags["pinyin_only"], latin, chars), people.foreign_name[rows]
    )
    return name, flags, (s, g1, g2, spelling)


def _stored_latin(
    people: People,
    rows: IntArray,
    system: IntArray,
    stored_name: tuple[IntArray, IntArray, IntArray, IntArray],
    rng: np.random.Generator,
) -> tuple[StrArray, BoolArray]:
    """``name_latin`` where the system keeps one (card and intermediary systems, foreigners).

    The romanisation follows the stored name (a dropped character is missing in both; a
    homophone reads the same), in the system's style: cards ``ZHANG WEI``, intermediaries mixed.
    """
    s, g1, g2, spelling = stored_name
    chinese = people.surname[rows] >= 0
    style = np.where(system == 2, 0, rng.choice(3, size=len(rows), p=[0.2, 0.5, 0.3]))
    latin = np.where(chinese, _latin(s, g1, g2, spelling, style), people.foreign_name[rows])
    return latin, _STORES_LATIN[system] | ~chinese


def _damage_ids(
    people: People, rows: IntArray, rates: DamageRates, rng: np.random.Generator
) -> tuple[StrArray, StrArray, dict[str, BoolArray]]:
    """Document type and number as stored, and the document damage flags."""
    m = len(rows)
    flags: dict[str, BoolArray] = {}
    id_type = people.id_type[rows].astype("U12")
    number = people.id_number[rows].astype("U21")
    guardian = people.guardian[rows]
    flags["guardian_id"] = _flags(rates.guardian_id, guardian >= 0, rng)
    g = guardian[flags["guardian_id"]]
    id_type[flags["guardian_id"]] = people.id_type[g]
    number[flags["guardian_id"]] = people.id_number[g]
    own = ~flags["guardian_id"]

    flags["other_document"] = _flags(
        rates.other_document, own & (people.alt_id_type[rows] != ""), rng
    )
    alt = flags["other_document"]
    id_type[alt] = people.alt_id_type[rows[alt]]
    number[alt] = people.alt_id_number[rows[alt]]

    born_1900s = people.birth[rows] < np.datetime64("2000-01-01")
    resident = own & ~alt & (people.id_type[rows] == IdType.RIC) & born_1900s
    flags["legacy_id"] = _flags(rates.legacy_id, resident, rng)
    legacy = flags["legacy_id"]
    body = people.id_body[rows[legacy]]
    number[legacy] = (body // 100_000_000_000 * 1_000_000_000 + body % 1_000_000_000).astype("U15")

    flags["missing_id"] = _flags(rates.missing_id, own, rng)
    present = ~flags["missing_id"]
    flags["id_typo"] = _flags(rates.id_typo, present, rng)
    number[flags["id_typo"]] = typo_ids(number[flags["id_typo"]], rng)
    flags["id_transposition"] = _flags(rates.id_transposition, present, rng)
    number[flags["id_transposition"]] = transpose_ids(number[flags["id_transposition"]], rng)
    digits_type = np.isin(id_type, [IdType.RIC, IdType.HMT_PERMIT, IdType.FPR])
    flags["id_format"] = _flags(rates.id_format, present & digits_type, rng)
    fmt = flags["id_format"]
    number[fmt] = reformat_ids(number[fmt], rng.integers(0, 3, int(fmt.sum())))
    id_type[flags["missing_id"]] = ""
    number[flags["missing_id"]] = ""
    del m
    return id_type, number, flags


def _damage_contacts(
    people: People, rows: IntArray, rates: DamageRates, rng: np.random.Generator
) -> tuple[StrArray, StrArray, dict[str, BoolArray]]:
    m = len(rows)
    everyone = np.ones(m, dtype=bool)
    flags: dict[str, BoolArray] = {}
    flags["missing_phone"] = _flags(rates.missing_phone, everyone, rng)
    has_phone = ~flags["missing_phone"]
    flags["changed_phone"] = _flags(rates.changed_phone, has_phone, rng)
    flags["phone_format"] = _flags(rates.phone_format, has_phone, rng)
    numbers = np.where(flags["changed_phone"], people.old_phone[rows], people.phone[rows])
    phone = numbers.astype("U17")
    fmt = flags["phone_format"]
    phone[fmt] = reformat_phones(numbers[fmt], rng.integers(0, 3, int(fmt.sum())))
    phone[flags["missing_phone"]] = ""

    flags["missing_address"] = _flags(rates.missing_address, everyone, rng)
    flags["stale_address"] = _flags(rates.stale_address, ~flags["missing_address"], rng)
    address = np.where(flags["stale_address"], people.old_address[rows], people.address[rows])
    address[flags["missing_address"]] = ""
    return phone, address, flags


def _damage_column(flags: dict[str, BoolArray], m: int) -> StrArray:
    """``|``-joined damage names per record (rendered once per distinct combination)."""
    kinds = [k for k in DAMAGE_KINDS if k in flags]
    bits = np.zeros(m, dtype=np.int64)
    for i, kind in enumerate(kinds):
        bits |= flags[kind].astype(np.int64) << i
    distinct, inverse = np.unique(bits, return_inverse=True)
    text = ["|".join(k for i, k in enumerate(kinds) if int(b) >> i & 1) for b in distinct]
    return np.asarray(text, dtype=str)[inverse]


def _optional(values: npt.NDArray[np.str_], blank: BoolArray) -> pd.Series:
    """A string Series with missing values where ``blank``."""
    return pd.Series(values, dtype="str").mask(pd.Series(blank))


def records_frame(
    people: People,
    *,
    seed: int,
    duplication_rate: float = 0.20,
    damage: DamageRates | None = None,
    as_of: dt.date = DEFAULT_AS_OF,
) -> pd.DataFrame:
    """Build the records of ``people`` (see the module docstring)."""
    rates = damage if damage is not None else DamageRates()
    rng = stream(seed, Shape.RECORDS)
    n = len(people.person_id)
    rows, system = _assign_records(n, duplication_rate, rng)
    m = len(rows)
    name, name_flags, stored_name = _damage_names(people, rows, rates, rng)
    latin, stores_latin = _stored_latin(people, rows, system, stored_name, rng)
    id_type, number, id_flags = _damage_ids(people, rows, rates, rng)
    phone, address, contact_flags = _damage_contacts(people, rows, rates, rng)
    everyone = np.ones(m, dtype=bool)
    other_flags = {
        "missing_birth_date": _flags(rates.missing_birth_date, everyone, rng),
        "missing_gender": _flags(rates.missing_gender, everyone, rng),
    }
    flags = name_flags | id_flags | contact_flags | other_flags

    # Source ids: per-system running numbers in record order, from a random base.
    source_id = np.empty(m, dtype="U12")
    for code in range(len(SOURCE_SYSTEMS)):
        at = np.flatnonzero(system == code)
        if len(at) == 0:
            continue
        base = int(rng.integers(10_000_000, 90_000_000))
        numbers = (base + np.arange(len(at), dtype=np.int64)).astype("U10")
        source_id[at] = np.strings.add(_SOURCE_PREFIX[code], np.strings.zfill(numbers, 10))

    as_of_s = to_day(as_of).astype("datetime64[s]")
    year = 365 * 86_400
    back = rng.integers(0, _UPDATE_YEARS * year, m)
    stale_back = rng.integers(3 * year, 8 * year, m)
    back = np.where(flags["stale_address"], stale_back, back)
    updated_at = as_of_s - back.astype("timedelta64[s]")

    birth = pd.Series(people.birth[rows].astype("datetime64[s]"))
    gender = np.where(people.male[rows], "M", "F")
    return pd.DataFrame(
        {
            "source_system": pd.Series(np.asarray(SOURCE_SYSTEMS)[system], dtype="str"),
            "source_id": pd.Series(source_id, dtype="str"),
            "name": pd.Series(name, dtype="str"),
            "name_latin": _optional(latin, ~stores_latin),
            "gender": _optional(gender, flags["missing_gender"]),
            "birth_date": birth.mask(pd.Series(flags["missing_birth_date"])),
            "id_type": _optional(id_type, flags["missing_id"]),
            "id_number": _optional(number, flags["missing_id"]),
            "phone": _optional(phone, flags["missing_phone"]),
            "address": _optional(address, flags["missing_address"]),
            "updated_at": pd.Series(updated_at),
            "person_id": pd.Series(people.person_id[rows]),
            "damage": pd.Series(_damage_column(flags, m), dtype="str"),
        }
    )


def people_frame(people: People) -> pd.DataFrame:
    """The true identities: one row per person as their documents were issued."""
    name, latin = _true_names(people)
    guardian = pd.Series(
        np.where(people.guardian >= 0, people.person_id[people.guardian], 0)
    ).astype("Int64")
    return pd.DataFrame(
        {
            "person_id": people.person_id,
            "household_id": people.household_id,
            "residency": pd.Series(Residency.NAMES[people.residency], dtype="str"),
            "name": pd.Series(name, dtype="str"),
            "name_latin": pd.Series(latin, dtype="str"),
            "gender": pd.Series(np.where(people.male, "M", "F"), dtype="str"),
            "birth_date": pd.Series(people.birth.astype("datetime64[s]")),
            "id_type": pd.Series(people.id_type, dtype="str"),
            "id_number": pd.Series(people.id_number, dtype="str"),
            "alt_id_type": _optional(people.alt_id_type, people.alt_id_type == ""),
            "alt_id_number": _optional(people.alt_id_number, people.alt_id_number == ""),
            "phone": pd.Series(people.phone.astype("U11"), dtype="str"),
            "address": pd.Series(people.address, dtype="str"),
            "guardian_id": guardian.mask(pd.Series(people.guardian < 0)),
        }
    )


def draw_people(
    n_people: int, seed: int, as_of: dt.date, hmt_rate: float, foreign_rate: float
) -> People:
    return make_people(
        check_count(n_people, "n_people", minimum=1),
        seed=check_seed(seed),
        as_of=to_day(as_of),
        hmt_rate=check_rate(hmt_rate, "hmt_rate"),
        foreign_rate=check_rate(foreign_rate, "foreign_rate"),
    )


def generate_people(
    n_people: int,
    *,
    seed: int,
    as_of: dt.date = DEFAULT_AS_OF,
    hmt_rate: float = 0.004,
    foreign_rate: float = 0.003,
) -> pd.DataFrame:
    """The true people behind :func:`generate_records` with the same arguments.

    Args:
        n_people: how many distinct people.
        seed: the random seed.
        as_of: the date the population is described at (decides who is a minor).
        hmt_rate: share of Hong Kong / Macau / Taiwan residents (residence permits).
        foreign_rate: share of foreigners (permanent-residence cards or passports).

    Returns:
        One row per person: ``person_id``, ``household_id``, ``residency``, ``name``,
        ``name_latin``, ``gender``, ``birth_date``, ``id_type``, ``id_number``,
        ``alt_id_type``, ``alt_id_number``, ``phone``, ``address``, ``guardian_id``.

    >>> people = generate_people(50, seed=1)
    >>> people["person_id"].tolist() == list(range(1, 51))
    True
    """
    return people_frame(draw_people(n_people, seed, as_of, hmt_rate, foreign_rate))


def generate_records(
    n_people: int,
    *,
    seed: int,
    duplication_rate: float = 0.20,
    damage: DamageRates | None = None,
    as_of: dt.date = DEFAULT_AS_OF,
    hmt_rate: float = 0.004,
    foreign_rate: float = 0.003,
) -> pd.DataFrame:
    """Customer records of ``n_people`` people across the five product systems.

    Args:
        n_people: how many distinct people (each has at least one record).
        seed: the random seed; the same arguments always give the same frame.
        duplication_rate: extra records of already-present people, as a share of ``n_people``.
        damage: damage rates (default :class:`DamageRates` ()); ``DamageRates.none()`` for clean
            records.
        as_of: the date the records are extracted (``updated_at`` never exceeds it).
        hmt_rate: share of Hong Kong / Macau / Taiwan residents.
        foreign_rate: share of foreigners.

    Returns:
        One row per record: ``source_system``, ``source_id``, ``name``, ``name_latin``,
        ``gender``, ``birth_date``, ``id_type``, ``id_number``, ``phone``, ``address``,
        ``updated_at`` and the truth ``person_id`` and ``damage``.

    >>> records = generate_records(100, seed=1, duplication_rate=0.5)
    >>> len(records)
    150
    """
    people = draw_people(n_people, seed, as_of, hmt_rate, foreign_rate)
    return records_frame(
        people,
        seed=seed,
        duplication_rate=check_ratio(duplication_rate, "duplication_rate", maximum=10.0),
        damage=damage,
        as_of=as_of,
    )
