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

Memory: ``peak MiB`` is tracemalloc's (Python and numpy allocations; pyarrow's string buffers
are not traced). The notes add the peak resident set size of a fresh process while it
standardises the records it has loaded, above its resident size before (Linux ``VmHWM`` after
resetting it through ``/proc/self/clear_refs``).
"""

from __future__ import annotations

import datetime as dt
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

import pandas as pd

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


def run(smoke: bool) -> Section:
    """Time standardisation at ~2,000 (smoke) or 1,000,000 records."""
    n = SMOKE_RECORDS if smoke else FULL_RECORDS
    repeats = 3
    records = make_records(n)
    case = f"standardize {len(records):,} records"
    measurements = [
        measure(case, "bankcrm", lambda: standardize(records, as_of=AS_OF), repeats=repeats),
        measure(
            case,
            "bankcrm (workers=1)",
            lambda: standardize(records, as_of=AS_OF, workers=1),
            repeats=repeats,
            trace_memory=False,
        ),
    ]
    # CPU seconds of a one-thread run: the wall time it would take on an idle core, whatever
    # else the shared machine is running.
    cpu = []
    for _ in range(repeats):
        start = time.process_time()
        standardize(records, as_of=AS_OF, workers=1)
        cpu.append(time.process_time() - start)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    sample = records if smoke else records.sample(BASELINE_SAMPLE, random_state=1)
    naive_seconds = _timed(lambda: naive_standardize(sample), 1 if not smoke else repeats)
    scale = len(records) / len(sample)
    note = "" if scale == 1 else f"timed on {len(sample):,} rows, × {scale:.0f} (linear)"
    measurements.append(
        Measurement(
            case,
            "pandas .apply (stdnum + OpenCC + pypinyin)",
            naive_seconds * scale,
            1 if not smoke else repeats,
            None,
            note,
        )
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
        f"(about its wall time on an idle core): {statistics.median(cpu):.2f} s. {rss_note} "
        f"{agreement}"
    )
    return Section("standardize", "Standardising customer records", tuple(measurements), notes)
