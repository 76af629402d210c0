"""Standardising customer records: bankcrm against the row-by-row script a team would write.

Data: the customer records of :func:`bankcrm.datasets.generate_records` (five product systems,
duplicated people, the documented damage: traditional and spaced names, pinyin-only names,
full-width and 15-digit ids, typos, guardians' ids, formatted phones, stale addresses).

- **bankcrm**: :func:`bankcrm.identity.standardize` with its defaults (two threads) and with
  ``workers=1``.
- **pandas .apply**: what a user would otherwise write: ``DataFrame.apply`` over rows, each row
  validated with python-stdnum's ``cn.ric`` (after stripping spaces and upper-casing), the phone
  cleaned with a regex, the name converted with OpenCC ``t2s`` and read with pypinyin
  ``lazy_pinyin``, the address split with one regex. It does less than bankcrm (no 15-digit
  upgrade, no full-width digits, no surname readings, no romanised keys, no unit key, no
  cross-checks) and is still far slower; at full size it is timed on a subsample and
  extrapolated linearly (the note says so), because a row-wise ``apply`` is linear in rows.

Untuned data: bankcrm computes names and addresses once per *distinct* value, and the
generator's pools repeat them (at full size about 450,000 distinct names and 410,000 distinct
addresses in 1,000,000 records): the data those kernels were tuned on. Issue 9 asks for the
time on data they were not tuned on, so the benchmark also standardises
:func:`make_untuned_records`: the records of another seed with every person's name and address
replaced by random ones (names of one or two given characters out of the 3,755 common
characters of GB 2312 level 1, some traditional, spaced or romanised; addresses of a random
current GB/T 2260 county with its prefecture and province, a random road, number, building,
unit and room, in two layouts), so that distinct names and distinct addresses are each most of
the rows (the notes give the counts). Both data sets are seeded and deterministic.

Memory: ``peak MiB`` is tracemalloc's (Python and numpy allocations; pyarrow's string buffers
are not traced). The notes add the peak resident set size of a fresh process while it
standardises the records it has loaded, above its resident size before (Linux ``VmHWM`` after
resetting it through ``/proc/self/clear_refs``).
"""

from __future__ import annotations

import datetime as dt
import functools
import multiprocessing
import os
import platform
import re
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import bankcrm.identity
from bankcrm.datasets import generate_records
from bankcrm.identity import standardize
from benchmarks._harness import Measurement, Section, measure

AS_OF = dt.date(2026, 1, 4)
FULL_RECORDS = 1_000_000
SMOKE_RECORDS = 2_000
#: Rows the row-by-row baseline is timed on at full size (then extrapolated).
BASELINE_SAMPLE = 20_000
DUPLICATION = 0.20


def make_records(n_records: int, seed: int = 7) -> pd.DataFrame:
    """About ``n_records`` records of the synthetic bank (people × (1 + duplication rate))."""
    people = max(1, round(n_records / (1 + DUPLICATION)))
    return generate_records(people, seed=seed, duplication_rate=DUPLICATION, as_of=AS_OF)


# --------------------------------------------------------------------------------------------
# the untuned records: the same people, with names and addresses far more varied


def _common_han() -> list[str]:
    """The 3,755 characters of GB 2312 level 1 (the "common" Han characters), in code order."""
    chars = []
    for high in range(0xB0, 0xD8):
        for low in range(0xA1, 0xFF):
            try:
                chars.append(bytes((high, low)).decode("gb2312"))
            except UnicodeDecodeError:  # the five unassigned cells at the end of row 0xD7
                continue
    return chars


def _current_counties() -> list[tuple[str, str, str]]:
    """(province, prefecture, county) of every county-level GB/T 2260 code still in use.

    The prefecture is empty under a municipality (市辖区) and for counties directly under
    a province.
    """
    path = Path(bankcrm.identity.__file__).parent / "data" / "gb2260_regions.tsv"
    names: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith(("#", "code\t")):
            continue
        code, name, _first, last = line.split("\t")
        if not last:
            names[code] = name
    counties = []
    for code, name in sorted(names.items()):
        province = names.get(code[:2] + "0000")
        if code.endswith("00") or name in _NOT_PLACES or province is None:
            continue
        prefecture = names.get(code[:4] + "00", "")
        counties.append((province, "" if prefecture in _NOT_PLACES else prefecture, name))
    return counties


_NOT_PLACES = frozenset({"市辖区", "县", "省直辖县级行政单位", "自治区直辖县级行政单位"})
_ROAD_SUFFIXES = ("路", "路", "街", "大街", "大道", "巷", "东路", "西路", "南路", "北路")
_COMPOUND_SURNAMES = ("欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "慕容", "令狐")


def make_untuned_records(n_records: int, seed: int = 11) -> pd.DataFrame:
    """``make_records(n_records, seed)`` with a random name and address for every person.

    A person's name is a surname (80 % from the hundred commonest, else any of ~400, a few
    compound) and one or two given characters drawn uniformly from the 3,755 common
    characters; the address is a random current county of GB/T 2260 with its prefecture and
    province, a random road of one or two characters, number, building, unit and room. A
    person's records share them, as in the generator, but each record shows the name in its
    own form (5 % traditional, 4 % spaced, 4 % romanised ``Zhang Wei`` / ``ZHANG WEI``) and
    the address in its own layout (15 % without the province, 15 % ``1-2-301`` for the
    building, unit and room). Missing names and addresses stay missing; ``name_latin`` (where
    present) is the new name's pinyin.
    """
    import opencc
    from pypinyin import lazy_pinyin

    from bankcrm.identity._surnames import COMMON_SURNAMES

    records = make_records(n_records, seed=seed).copy()
    rng = np.random.default_rng(seed)
    people = int(records["person_id"].max()) + 1
    han = np.array(_common_han(), dtype=object)
    singles = [s for s in COMMON_SURNAMES if len(s) == 1]
    surnames = np.array(singles + list(_COMPOUND_SURNAMES), dtype=object)
    reading = {c: "".join(lazy_pinyin(c)) for c in [*han.tolist(), *surnames.tolist()]}

    common = rng.random(people) < 0.8
    surname = np.where(
        common,
        surnames[rng.integers(0, 100, people)],
        surnames[rng.integers(0, len(surnames), people)],
    )
    first, second = han[rng.integers(0, len(han), (2, people))]
    given = np.where(rng.random(people) < 0.75, first + second, first)
    simplified = surname + given
    latin = np.array(
        [
            f"{reading[s].capitalize()} {''.join(reading[c] for c in g).capitalize()}"
            for s, g in zip(surname.tolist(), given.tolist(), strict=True)
        ],
        dtype=object,
    )

    counties = _current_counties()
    places = rng.integers(0, len(counties), people)
    road_chars = han[rng.integers(0, len(han), (2, people))]
    roads = np.where(rng.random(people) < 0.5, road_chars[0] + road_chars[1], road_chars[0])
    roads = roads + np.array(_ROAD_SUFFIXES, dtype=object)[rng.integers(0, 10, people)]
    numbers = rng.integers(1, 2000, people)
    buildings = rng.integers(1, 60, people)
    units = rng.integers(1, 9, people)
    rooms = rng.integers(1, 33, people) * 100 + rng.integers(1, 9, people)

    person = records["person_id"].to_numpy()
    n = len(records)
    form, layout, upper = rng.random((3, n))
    names = simplified[person]
    traditional, spaced = form < 0.05, (form >= 0.05) & (form < 0.09)
    romanised = (form >= 0.09) & (form < 0.13)
    if traditional.any():
        converted = opencc.OpenCC("s2t").convert("\n".join(names[traditional].tolist()))
        names[traditional] = converted.split("\n")
    names[spaced] = [" ".join(x) for x in names[spaced].tolist()]
    shown = latin[person]
    names[romanised & (upper < 0.5)] = [x.upper() for x in shown[romanised & (upper < 0.5)]]
    names[romanised & (upper >= 0.5)] = shown[romanised & (upper >= 0.5)]

    addresses = []
    for p, how in zip(person.tolist(), layout.tolist(), strict=True):
        province, prefecture, county = counties[places[p]]
        head = (prefecture if how < 0.15 else province + prefecture) + county
        tail = (
            f"{buildings[p]}-{units[p]}-{rooms[p]}"
            if how > 0.85
            else f"{buildings[p]}栋{units[p]}单元{rooms[p]}室"
        )
        addresses.append(f"{head}{roads[p]}{numbers[p]}号{tail}")

    for column, values in (
        ("name", names),
        ("address", np.array(addresses, dtype=object)),
        ("name_latin", np.array([x.upper() for x in latin[person].tolist()], dtype=object)),
    ):
        values[records[column].isna().to_numpy()] = None  # missing values stay missing
        records[column] = pd.array(values, dtype="str")
    return records


# --------------------------------------------------------------------------------------------
# the baseline: a row-by-row script


def naive_standardize(records: pd.DataFrame) -> pd.DataFrame:
    """Row-by-row standardisation with python-stdnum, OpenCC and pypinyin via ``.apply``."""
    import opencc
    from pypinyin import lazy_pinyin
    from stdnum.cn import ric as stdnum_ric

    converter = opencc.OpenCC("t2s")
    address_re = re.compile(r"(.+?(?:省|自治区))?(.+?市)?(.+?[区县])?(.*)")

    def one(row: pd.Series) -> tuple[Any, ...]:
        number, valid = row["id_number"], False
        if row["id_type"] == "RIC" and isinstance(number, str):
            number = re.sub(r"\s", "", number).upper()
            try:
                valid = bool(stdnum_ric.is_valid(number))
            except Exception:  # python-stdnum raises KeyError for unknown county codes
                valid = False
        phone = row["phone"]
        e164 = None
        if isinstance(phone, str):
            digits = re.sub(r"\D", "", phone)
            digits = digits[2:] if len(digits) == 13 and digits.startswith("86") else digits
            digits = digits[4:] if digits.startswith("0086") else digits
            e164 = "+86" + digits if re.fullmatch(r"1[3-9]\d{9}", digits) else None
        name = row["name"]
        key = None
        if isinstance(name, str):
            name = converter.convert(name.replace(" ", ""))
            key = "".join(lazy_pinyin(name))
        parts: tuple[Any, ...] = (None, None, None, None)
        if isinstance(row["address"], str):
            m = address_re.match(row["address"])
            parts = m.groups() if m else parts
        return (number if valid else None, valid, e164, name, key, *parts)

    return records.apply(one, axis=1, result_type="expand")


def compare_ids(records: pd.DataFrame, naive: pd.DataFrame, ours: pd.DataFrame) -> str:
    """How the two disagree on resident ids (python-stdnum's known gaps)."""
    ric = (records["id_type"] == "RIC").to_numpy()
    theirs = naive[1].astype(bool).to_numpy() & ric
    bankcrm = ours["id_valid"].to_numpy(dtype=bool) & ric
    only_ours = int((bankcrm & ~theirs).sum())
    only_theirs = int((theirs & ~bankcrm).sum())
    return (
        f"On the {len(records):,} sampled records, bankcrm accepts {only_ours:,} resident ids "
        f"the stdnum script rejects (15-digit legacy numbers, full-width digits, and county "
        f"codes python-stdnum does not accept for the holder's birth year, although people "
        f"keep their number for life) and the script accepts {only_theirs:,} that bankcrm "
        f"rejects."
    )


# --------------------------------------------------------------------------------------------
# memory of a fresh process


def _rss_mib(field: str) -> float | None:
    """A line of /proc/self/status (``VmRSS``, ``VmHWM``) in MiB, if the system has one."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def _child(path: str, queue: Any) -> None:
    records = pd.read_parquet(path)
    try:  # reset the peak-RSS mark (Linux), so that reading the file does not count
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        queue.put(None)
        return
    base = _rss_mib("VmRSS")
    standardize(records, as_of=AS_OF)
    peak = _rss_mib("VmHWM")
    queue.put(None if base is None or peak is None else (peak - base, base))


def rss_growth(records: pd.DataFrame) -> tuple[float, float] | None:
    """Peak RSS growth (MiB) of a fresh process standardising ``records``, and its base RSS."""
    try:
        with tempfile.TemporaryDirectory() as folder:
            path = str(Path(folder) / "records.parquet")
            records.to_parquet(path)
            context = multiprocessing.get_context("spawn")
            queue = context.Queue()
            process = context.Process(target=_child, args=(path, queue))
            process.start()
            result: tuple[float, float] | None = queue.get(timeout=3600)
            process.join()
            return result
    except (ImportError, OSError, ValueError):  # no parquet engine, no processes: skip
        return None


# --------------------------------------------------------------------------------------------


def _timed(fn: Callable[[], Any], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _distinct(records: pd.DataFrame) -> str:
    return (
        f"{records['name'].nunique():,} distinct names, "
        f"{records['address'].nunique():,} distinct addresses"
    )


def run(smoke: bool) -> Section:
    """Time standardisation at ~2,000 (smoke) or 1,000,000 records, tuned and untuned."""
    n = SMOKE_RECORDS if smoke else FULL_RECORDS
    repeats = 3
    records = make_records(n)
    untuned = make_untuned_records(n)
    case = f"standardize {len(records):,} records"
    other = f"standardize {len(untuned):,} untuned records"
    measurements = []
    cpu: dict[str, float] = {}
    for label, frame in ((case, records), (other, untuned)):
        measurements += [
            measure(
                label,
                "bankcrm",
                functools.partial(standardize, frame, as_of=AS_OF),
                repeats=repeats,
            ),
            measure(
                label,
                "bankcrm (workers=1)",
                functools.partial(standardize, frame, as_of=AS_OF, workers=1),
                repeats=repeats,
                trace_memory=False,
            ),
        ]
        # CPU seconds of a one-thread run: the wall time it would take on an idle core,
        # whatever else the shared machine is running.
        times = []
        for _ in range(repeats):
            start = time.process_time()
            standardize(frame, as_of=AS_OF, workers=1)
            times.append(time.process_time() - start)
        cpu[label] = statistics.median(times)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    sample = records if smoke else records.sample(BASELINE_SAMPLE, random_state=1)
    naive_seconds = _timed(lambda: naive_standardize(sample), 1 if not smoke else repeats)
    scale = len(records) / len(sample)
    note = "" if scale == 1 else f"timed on {len(sample):,} rows, × {scale:.0f} (linear)"
    measurements.insert(
        2,
        Measurement(
            case,
            "pandas .apply (stdnum + OpenCC + pypinyin)",
            naive_seconds * scale,
            1 if not smoke else repeats,
            None,
            note,
        ),
    )
    agreement = compare_ids(sample, naive_standardize(sample), standardize(sample, as_of=AS_OF))
    rss = rss_growth(records)
    rss_note = (
        f"A fresh process holding the records ({rss[1]:,.0f} MiB resident after loading them) "
        f"peaked {rss[0]:,.0f} MiB above that while standardising them."
        if rss is not None
        else "RSS growth not measured (no subprocess, parquet engine or /proc)."
    )
    notes = (
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs shared with other jobs (load "
        f"average {load:.1f} after the bankcrm runs), Python {platform.python_version()}, "
        f"pandas {pd.__version__}. Medians of {repeats} runs. CPU time of the one-thread run "
        f"(about its wall time on an idle core): {cpu[case]:.2f} s, untuned {cpu[other]:.2f} s. "
        f"The generator's records ({_distinct(records)}) repeat names and addresses, which "
        f"the per-distinct-value kernels exploit; the untuned records "
        f"(`make_untuned_records`: random names of common characters, random GB/T 2260 "
        f"counties, roads and units; {_distinct(untuned)}) do not. {rss_note} {agreement}"
    )
    return Section("standardize", "Standardising customer records", tuple(measurements), notes)
