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

from bankcrm.calendar import DateLike, as_date
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
from bankcrm.datasets._render import by_distinct, chinese_names, latin_names, strings
from bankcrm.errors import InputError
from bankcrm.identity.dispatch import IdType

__all__ = [
    "SOURCE_SYSTEMS",
    "SYSTEM_SHARES",
    "check_residency_rates",
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
_GENDERS = np.array(["F", "M"])  # by the person's ``male`` flag
#: How far back the records were last updated (stale addresses are older still).
_UPDATE_YEARS = 6


def _choose_position(mask: BoolArray, rng: np.random.Generator) -> IntArray:
    """A random True column per row (0 where a row has none)."""
    position: IntArray = (rng.random(mask.shape) * mask).argmax(axis=1)
    return position


def _foreign_names(people: People, rows: IntArray) -> tuple[StrArray, IntArray]:
    table, codes = np.unique(people.foreign_name[rows], return_inverse=True)
    return table, codes.astype(np.int64)


def _names_column(
    parts: list[tuple[StrArray, IntArray, BoolArray]], m: int
) -> tuple[StrArray, IntArray]:
    """Combine (table, codes, used-by-row) parts into one table and one code per row (-1 none)."""
    tables: list[StrArray] = []
    codes = np.full(m, -1, dtype=np.int64)
    offset = 0
    for table, part_codes, used in parts:
        codes[used] = part_codes[used] + offset
        tables.append(table)
        offset += len(table)
    return np.concatenate(tables) if tables else np.empty(0, dtype="U1"), codes


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
) -> tuple[
    tuple[StrArray, IntArray], dict[str, BoolArray], tuple[IntArray, IntArray, IntArray, IntArray]
]:
    """Names as stored (table, codes), the damage flags, the stored pool indices + spelling."""
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
    flags["name_spacing"] = _flags(rates.name_spacing, written, rng)
    inner = rng.random(m) < 0.6
    spacing = np.where(flags["name_spacing"], np.where(inner, 1, 2), 0)
    chars, char_codes = chinese_names(s, g1, g2, flags["traditional"], spacing)

    spelling = rng.integers(0, 3, m)
    style = rng.integers(0, 3, m)
    latin, latin_codes = latin_names(s, g1, g2, spelling, style)
    foreign, foreign_codes = _foreign_names(people, rows)
    name = _names_column(
        [
            (chars, char_codes, chinese & ~flags["pinyin_only"]),
            (latin, latin_codes, flags["pinyin_only"]),
            (foreign, foreign_codes, ~chinese),
        ],
        m,
    )
    return name, flags, (s, g1, g2, spelling)


def _stored_latin(
    people: People,
    rows: IntArray,
    system: IntArray,
    stored_name: tuple[IntArray, IntArray, IntArray, IntArray],
    rng: np.random.Generator,
) -> tuple[StrArray, IntArray]:
    """``name_latin`` (table, codes; -1 none) where systems keep one: cards, intermediary, foreign.

    The romanisation follows the stored name (a dropped character is missing in both; a
    homophone reads the same), in the system's style: cards ``ZHANG WEI``, intermediaries mixed.
    """
    s, g1, g2, spelling = stored_name
    chinese = people.surname[rows] >= 0
    style = np.where(system == 2, 0, rng.choice(3, size=len(rows), p=[0.2, 0.5, 0.3]))
    latin, latin_codes = latin_names(s, g1, g2, spelling, style)
    foreign, foreign_codes = _foreign_names(people, rows)
    stored = _STORES_LATIN[system]
    return _names_column(
        [(latin, latin_codes, chinese & stored), (foreign, foreign_codes, ~chinese)], len(rows)
    )


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
) -> tuple[StrArray, IntArray, dict[str, BoolArray]]:
    """Phones as stored, address codes (household; + households when stale; -1 missing), flags."""
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
    home = people.household_id[rows] - 1
    n_households = len(people.addresses)
    codes = np.where(flags["stale_address"], home + n_households, home)
    codes[flags["missing_address"]] = -1
    return phone, codes, flags


def _damage_column(flags: dict[str, BoolArray], m: int) -> tuple[StrArray, IntArray]:
    """``|``-joined damage names per record (rendered once per distinct combination)."""
    kinds = [k for k in DAMAGE_KINDS if k in flags]
    bits = np.zeros(m, dtype=np.int64)
    for i, kind in enumerate(kinds):
        bits |= flags[kind].astype(np.int64) << i

    def render(distinct: IntArray) -> StrArray:
        text = ["|".join(k for i, k in enumerate(kinds) if int(b) >> i & 1) for b in distinct]
        return np.asarray(text, dtype=str)

    return by_distinct(bits, render)


def _codes(values: IntArray, blank: BoolArray) -> IntArray:
    return np.where(blank, -1, values)


def records_frame(
    people: People,
    *,
    seed: int,
    duplication_rate: float = 0.20,
    damage: DamageRates | None = None,
    as_of: DateLike = DEFAULT_AS_OF,
) -> pd.DataFrame:
    """Build the records of ``people`` (see the module docstring)."""
    rates = damage if damage is not None else DamageRates()
    if not isinstance(rates, DamageRates):
        raise InputError(
            f"must be a DamageRates, got {type(rates).__name__}", column="damage", rule="type"
        )
    rng = stream(seed, Shape.RECORDS)
    n = len(people.person_id)
    rows, system = _assign_records(n, duplication_rate, rng)
    m = len(rows)
    name, name_flags, stored_name = _damage_names(people, rows, rates, rng)
    latin = _stored_latin(people, rows, system, stored_name, rng)
    id_type, number, id_flags = _damage_ids(people, rows, rates, rng)
    phone, address_codes, contact_flags = _damage_contacts(people, rows, rates, rng)
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

    as_of_s = to_day(as_of, "as_of").astype("datetime64[s]")
    year = 365 * 86_400
    back = rng.integers(0, _UPDATE_YEARS * year, m)
    stale_back = rng.integers(3 * year, 8 * year, m)
    back = np.where(flags["stale_address"], stale_back, back)
    updated_at = as_of_s - back.astype("timedelta64[s]")

    birth = pd.Series(people.birth[rows].astype("datetime64[s]"))
    row_codes = np.arange(m, dtype=np.int64)
    male = people.male[rows].astype(np.int64)
    addresses = np.concatenate([people.addresses, people.old_addresses])
    return pd.DataFrame(
        {
            "source_system": strings(np.asarray(SOURCE_SYSTEMS), system),
            "source_id": strings(source_id, row_codes),
            "name": strings(*name),
            "name_latin": strings(*latin),
            "gender": strings(_GENDERS, _codes(male, flags["missing_gender"])),
            "birth_date": birth.mask(pd.Series(flags["missing_birth_date"])),
            "id_type": strings(id_type, _codes(row_codes, flags["missing_id"])),
            "id_number": strings(number, _codes(row_codes, flags["missing_id"])),
            "phone": strings(phone, _codes(row_codes, flags["missing_phone"])),
            "address": strings(addresses, address_codes),
            "updated_at": pd.Series(updated_at),
            "person_id": pd.Series(people.person_id[rows]),
            "damage": strings(*_damage_column(flags, m)),
        }
    )


def people_frame(people: People) -> pd.DataFrame:
    """The true identities: one row per person as their documents were issued."""
    n = len(people.person_id)
    rows = np.arange(n, dtype=np.int64)
    chinese = people.surname >= 0
    s = np.where(chinese, people.surname, 0)
    zeros = np.zeros(n, dtype=np.int64)
    chars, char_codes = chinese_names(s, people.given1, people.given2, zeros.astype(bool), zeros)
    latin, latin_codes = latin_names(s, people.given1, people.given2, zeros, zeros)
    foreign, foreign_codes = _foreign_names(people, rows)
    name = _names_column([(chars, char_codes, chinese), (foreign, foreign_codes, ~chinese)], n)
    name_latin = _names_column(
        [(latin, latin_codes, chinese), (foreign, foreign_codes, ~chinese)], n
    )
    guardian = pd.Series(
        np.where(people.guardian >= 0, people.person_id[people.guardian], 0)
    ).astype("Int64")
    no_alt = people.alt_id_type == ""
    return pd.DataFrame(
        {
            "person_id": people.person_id,
            "household_id": people.household_id,
            "residency": strings(Residency.NAMES, people.residency.astype(np.int64)),
            "name": strings(*name),
            "name_latin": strings(*name_latin),
            "gender": strings(_GENDERS, people.male.astype(np.int64)),
            "birth_date": pd.Series(people.birth.astype("datetime64[s]")),
            "id_type": strings(people.id_type, rows),
            "id_number": strings(people.id_number, rows),
            "alt_id_type": strings(people.alt_id_type, _codes(rows, no_alt)),
            "alt_id_number": strings(people.alt_id_number, _codes(rows, no_alt)),
            "phone": strings(people.phone.astype("U11"), rows),
            "address": strings(people.addresses, people.household_id - 1),
            "guardian_id": guardian.mask(pd.Series(people.guardian < 0)),
        }
    )


def draw_people(
    n_people: int, seed: int, as_of: dt.date, hmt_rate: float, foreign_rate: float
) -> People:
    """Validate the arguments and draw the true population."""
    hmt, foreign = check_residency_rates(hmt_rate, foreign_rate)
    return make_people(
        check_count(n_people, "n_people", minimum=1),
        seed=check_seed(seed),
        as_of=to_day(as_of, "as_of"),
        hmt_rate=hmt,
        foreign_rate=foreign,
    )


def check_residency_rates(hmt_rate: object, foreign_rate: object) -> tuple[float, float]:
    """Both shares as floats in [0, 1] whose sum is at most 1, else raise InputError."""
    hmt = check_rate(hmt_rate, "hmt_rate")
    foreign = check_rate(foreign_rate, "foreign_rate")
    if hmt + foreign > 1.0:
        raise InputError(
            "hmt_rate + foreign_rate must not exceed 1", column="foreign_rate", rule="rate"
        )
    return hmt, foreign


def generate_people(
    n_people: int,
    *,
    seed: int,
    as_of: DateLike = DEFAULT_AS_OF,
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
    return people_frame(
        draw_people(n_people, seed, as_date(as_of, name="as_of"), hmt_rate, foreign_rate)
    )


def generate_records(
    n_people: int,
    *,
    seed: int,
    duplication_rate: float = 0.20,
    damage: DamageRates | None = None,
    as_of: DateLike = DEFAULT_AS_OF,
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
    people = draw_people(n_people, seed, as_date(as_of, name="as_of"), hmt_rate, foreign_rate)
    return records_frame(
        people,
        seed=seed,
        duplication_rate=check_ratio(duplication_rate, "duplication_rate", maximum=10.0),
        damage=damage,
        as_of=as_of,
    )
