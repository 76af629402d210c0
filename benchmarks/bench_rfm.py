"""RFM: features + fitted quintile edges + scores + segments, bankcrm against its peers.

Every tool computes the **same** scores on the same data: exact fen sums (reversals left out),
the quintile rule ``score = 1 + ⌊5·(RANK() − 1)/n⌋`` with competition ranks (ties share the
lowest), recency reversed, the ten-segment R×F map and the three value groups. The run asserts
that DuckDB's and Polars' results equal bankcrm's, customer by customer. The plain pandas
pipeline (``groupby`` + ``qcut`` on ``rank(method="first")``, float sums) is what analysts
write by hand; its scores differ (and depend on row order), so it is timed, not compared.

Data: :func:`bankcrm.datasets.generate_transactions` (heavy-tailed activity and amounts, ~1 %
reversals), with the dense ids ``1..n`` replaced by random sparse int64 ids and the rows
shuffled, as in an extract that is not sorted by customer. Each tool starts from its loaded
input (a pandas frame; a DuckDB table; a Polars frame), built before timing.

Set ``BANKCRM_BENCH_RFM_LARGE=1`` to add the 100 M rows / 10 M customers case (bankcrm only;
about 8 GiB of RAM for the input and its copies).
"""

from __future__ import annotations

import datetime as dt
import gc
import importlib
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from bankcrm.datasets import generate_transactions
from bankcrm.segmentation import (
    TEN_SEGMENTS,
    THREE_VALUE_GROUPS,
    RFMPolicy,
    assign_segments,
    fit_rfm_edges,
    rfm_features,
    score_rfm,
)
from benchmarks._harness import Measurement, Section, traced_peak

AS_OF = dt.date(2025, 12, 31)
BINS = 5
POLICY = RFMPolicy(bins=BINS)  # the defaults: reversals excluded, all history, quintiles


def make_transactions(n_customers: int, n_rows: int, seed: int = 7) -> pd.DataFrame:
    """Synthetic transactions with sparse int64 ids, shuffled rows."""
    tx = generate_transactions(n_customers, n_rows, seed=seed)
    rng = np.random.default_rng(seed)
    sparse = np.sort(rng.choice(10**12, size=n_customers, replace=False)).astype(np.int64)
    order = rng.permutation(len(tx))
    return pd.DataFrame(
        {
            "customer_id": sparse[tx["customer_id"].to_numpy()[order] - 1],
            "date": tx["date"].to_numpy()[order],
            "amount": tx["amount"].to_numpy()[order],
        }
    )


def bankcrm_pipeline(tx: pd.DataFrame) -> pd.DataFrame:
    """Features, edges, scores and segments with bankcrm's defaults (reversals excluded)."""
    features = rfm_features(tx, as_of=AS_OF, policy=POLICY)
    edges = fit_rfm_edges(features)
    return assign_segments(score_rfm(features, edges))


def _segment_table() -> pd.DataFrame:
    cells = TEN_SEGMENTS.cell_table()
    rows = [
        (r + 1, f + 1, TEN_SEGMENTS.keys[cells[r, f]]) for r in range(BINS) for f in range(BINS)
    ]
    return pd.DataFrame(rows, columns=["r", "f", "segment"])


def _group_thresholds() -> tuple[int, int]:
    high, medium, _low = THREE_VALUE_GROUPS.groups
    assert high.threshold is not None
    assert medium.threshold is not None
    return high.threshold, medium.threshold


def duckdb_sql(end: str) -> str:
    """The same pipeline in SQL (one query)."""
    high, medium = _group_thresholds()
    return f"""
    WITH f AS (
        SELECT customer_id,
               DATE '{AS_OF}' - max(CAST(date AS DATE)) AS recency_days,
               count(*) AS frequency,
               sum(CAST(round(amount * 100) AS BIGINT)) AS monetary_fen
        FROM tx
        WHERE amount >= 0 AND date < TIMESTAMP '{end}'
        GROUP BY customer_id
    ), s AS (
        SELECT *,
            1 + ({BINS} * (rank() OVER (ORDER BY recency_days DESC) - 1))
                // count(*) OVER () AS r_score,
            1 + ({BINS} * (rank() OVER (ORDER BY frequency) - 1)) // count(*) OVER () AS f_score,
            1 + ({BINS} * (rank() OVER (ORDER BY monetary_fen) - 1))
                // count(*) OVER () AS m_score
        FROM f
    )
    SELECT s.customer_id, s.recency_days, s.frequency, s.monetary_fen,
           s.r_score, s.f_score, s.m_score, s.r_score + s.f_score + s.m_score AS rfm_score,
           g.segment,
           CASE WHEN s.r_score + s.f_score + s.m_score >= {high} THEN 'high'
                WHEN s.r_score + s.f_score + s.m_score >= {medium} THEN 'medium'
                ELSE 'low' END AS value_group
    FROM s JOIN segments g ON g.r = s.r_score AND g.f = s.f_score
    """


def polars_pipeline(pl: Any, frame: Any, segments: Any, end: dt.datetime) -> Any:
    """The same pipeline as a Polars lazy query."""
    high, medium = _group_thresholds()
    n = pl.len()
    features = (
        frame.lazy()
        .filter((pl.col("amount") >= 0) & (pl.col("date") < end))
        .group_by("customer_id")
        .agg(
            pl.col("date").max().alias("last"),
            pl.len().alias("frequency"),
            (pl.col("amount") * 100).round().cast(pl.Int64).sum().alias("monetary_fen"),
        )
        .with_columns(
            (pl.lit(AS_OF) - pl.col("last").dt.date()).dt.total_days().alias("recency_days")
        )
    )

    def score(column: str, descending: bool) -> Any:
        rank = pl.col(column).rank("min", descending=descending).cast(pl.Int64)
        return 1 + (BINS * (rank - 1)) // n

    scored = features.with_columns(
        score("recency_days", True).alias("r_score"),
        score("frequency", False).alias("f_score"),
        score("monetary_fen", False).alias("m_score"),
    ).with_columns((pl.col("r_score") + pl.col("f_score") + pl.col("m_score")).alias("rfm_score"))
    total = pl.col("rfm_score")
    return (
        scored.join(segments.lazy(), left_on=["r_score", "f_score"], right_on=["r", "f"])
        .with_columns(
            pl.when(total >= high)
            .then(pl.lit("high"))
            .when(total >= medium)
            .then(pl.lit("medium"))
            .otherwise(pl.lit("low"))
            .alias("value_group")
        )
        .collect()
    )


def pandas_naive(tx: pd.DataFrame) -> pd.DataFrame:
    """What analysts write by hand: groupby + qcut on rank(method="first"), float sums."""
    kept = tx[(tx["amount"] >= 0) & (tx["date"] < pd.Timestamp(AS_OF) + pd.Timedelta(days=1))]
    g = kept.groupby("customer_id").agg(
        last=("date", "max"), frequency=("amount", "size"), monetary=("amount", "sum")
    )
    g["recency_days"] = (pd.Timestamp(AS_OF) - g["last"]).dt.days
    labels = list(range(1, BINS + 1))
    r = pd.qcut(g["recency_days"].rank(method="first"), BINS, labels=labels[::-1])
    f = pd.qcut(g["frequency"].rank(method="first"), BINS, labels=labels)
    m = pd.qcut(g["monetary"].rank(method="first"), BINS, labels=labels)
    g["r_score"] = r.astype(np.int64)
    g["f_score"] = f.astype(np.int64)
    g["m_score"] = m.astype(np.int64)
    g["rfm_score"] = g["r_score"] + g["f_score"] + g["m_score"]
    cells = TEN_SEGMENTS.cell_table()
    keys = np.asarray(TEN_SEGMENTS.keys, dtype=object)
    g["segment"] = keys[cells[g["r_score"] - 1, g["f_score"] - 1]]
    high, medium = _group_thresholds()
    g["value_group"] = np.select(
        [g["rfm_score"] >= high, g["rfm_score"] >= medium], ["high", "medium"], "low"
    )
    return g


_COMPARED = [
    "customer_id",
    "recency_days",
    "frequency",
    "monetary_fen",
    "r_score",
    "f_score",
    "m_score",
    "rfm_score",
    "segment",
    "value_group",
]


def _same(ours: pd.DataFrame, theirs: pd.DataFrame, tool: str) -> None:
    a = ours[ours["has_transactions"]][_COMPARED].reset_index(drop=True)
    b = theirs[_COMPARED].sort_values("customer_id").reset_index(drop=True)
    for column in _COMPARED:
        left = a[column].astype(str if column in ("segment", "value_group") else np.int64)
        right = b[column].astype(str if column in ("segment", "value_group") else np.int64)
        if not np.array_equal(left.to_numpy(), right.to_numpy()):
            raise AssertionError(f"{tool} differs from bankcrm in column {column!r}")


def _optional(name: str) -> Any:
    """A benchmark-only peer, or ``None`` when it is not installed."""
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def _interleaved(
    case: str, tools: list[tuple[str, Callable[[], Any], bool, str]], repeats: int
) -> list[Measurement]:
    """Time every tool once per round, round after round (the shared machine's load drifts,
    so interleaving is fairer than timing one tool's repeats back to back); medians."""
    times: dict[str, list[float]] = {name: [] for name, *_ in tools}
    for _ in range(repeats):
        for name, fn, _trace, _note in tools:
            gc.collect()
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    out = []
    for name, fn, trace, note in tools:
        peak = traced_peak(fn) if trace else None
        out.append(Measurement(case, name, statistics.median(times[name]), repeats, peak, note))
    return out


_RSS_PROBE = """
import gc, sys
from benchmarks.bench_rfm import bankcrm_pipeline, make_transactions
tx = make_transactions({customers}, {rows})
gc.collect()
def status(field):
    with open("/proc/self/status") as lines:
        return next(int(line.split()[1]) for line in lines if line.startswith(field))
base = status("VmRSS")
with open("/proc/self/clear_refs", "w") as refs:
    refs.write("5")  # reset the peak (VmHWM) to the current resident set
bankcrm_pipeline(tx)
print((status("VmHWM") - base) // 1024)
"""


def _rss_above_input(n_customers: int, n_rows: int) -> int | None:
    """Peak resident set above the loaded input (MiB) of one bankcrm run in a fresh process.

    Counts everything the process touches (numpy, pandas, the compiled loops and their
    threads), unlike tracemalloc; Linux only (``None`` elsewhere).
    """
    if not os.path.exists("/proc/self/clear_refs"):
        return None
    code = _RSS_PROBE.format(customers=n_customers, rows=n_rows)
    try:
        done = subprocess.run(
            [sys.executable, "-c", code], check=True, capture_output=True, text=True
        )
    except (subprocess.CalledProcessError, OSError):
        return None
    return int(done.stdout.strip().splitlines()[-1])


def _case(name: str, n_customers: int, n_rows: int, repeats: int, peers: bool) -> list[Measurement]:
    above = _rss_above_input(n_customers, n_rows)
    tx = make_transactions(n_customers, n_rows)
    input_mib = tx.memory_usage(deep=True).sum() / 2**20
    ours = bankcrm_pipeline(tx)
    rss_note = (
        ""
        if above is None
        else f"; peak RSS {above:,} MiB above the input (fresh process; Numba loads on first "
        "use, inside this figure)"
    )
    tools: list[tuple[str, Callable[[], Any], bool, str]] = [
        (
            "bankcrm",
            lambda: bankcrm_pipeline(tx),
            True,
            f"input {input_mib:,.0f} MiB; peak = traced numpy/Python allocations{rss_note}",
        )
    ]
    end = dt.datetime.combine(AS_OF + dt.timedelta(days=1), dt.time())
    segments = _segment_table()
    duckdb = _optional("duckdb") if peers else None
    con = None
    if duckdb is not None:
        con = duckdb.connect()
        con.register("tx_frame", tx)
        con.execute("CREATE TABLE tx AS SELECT * FROM tx_frame")
        con.unregister("tx_frame")
        con.register("segments", segments)
        sql = duckdb_sql(end.isoformat(sep=" "))
        _same(ours, con.execute(sql).df(), "DuckDB")
        threads = con.execute("SELECT current_setting('threads')").fetchall()[0][0]
        tools.append(
            (
                f"duckdb {duckdb.__version__}",
                lambda: con.execute(sql).df(),
                False,
                f"{threads} threads; same scores (asserted)",
            )
        )
    pl = _optional("polars") if peers else None
    if pl is not None:
        frame = pl.from_pandas(tx)
        seg = pl.from_pandas(segments).with_columns(
            pl.col("r").cast(pl.Int64), pl.col("f").cast(pl.Int64)
        )
        _same(ours, polars_pipeline(pl, frame, seg, end).to_pandas(), "Polars")
        tools.append(
            (
                f"polars {pl.__version__}",
                lambda: polars_pipeline(pl, frame, seg, end),
                False,
                f"{pl.thread_pool_size()} threads; same scores (asserted)",
            )
        )
    if peers:
        tools.append(
            (
                "pandas groupby+qcut",
                lambda: pandas_naive(tx),
                True,
                "naive: float sums, rank(first) — different scores, order-dependent",
            )
        )
    out = _interleaved(name, tools, repeats)
    if con is not None:
        con.close()
    # the service path: score against fitted edges only
    features = rfm_features(tx, as_of=AS_OF)
    edges = fit_rfm_edges(features)
    frame_only = features.features
    score_case = f"score {len(frame_only):,} customers against fitted edges"
    scoring = [("bankcrm", lambda: score_rfm(frame_only, edges), True, "score_rfm only")]
    out += _interleaved(score_case, scoring, repeats)
    return out


def run(smoke: bool) -> Section:
    """Run the RFM benchmark (tiny when ``smoke``)."""
    started = time.perf_counter()
    load_at_start = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    if smoke:
        measurements = _case(
            "features+fit+score+segments 20k rows / 1k customers",
            1_000,
            20_000,
            repeats=1,
            peers=True,
        )
    else:
        measurements = _case(
            "features+fit+score+segments 20M rows / 1M customers",
            1_000_000,
            20_000_000,
            repeats=5,
            peers=True,
        )
        if os.environ.get("BANKCRM_BENCH_RFM_LARGE") == "1":
            measurements += _case(
                "features+fit+score+segments 100M rows / 10M customers",
                10_000_000,
                100_000_000,
                repeats=3,
                peers=False,
            )
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    notes = (
        "Same data and the same scores for bankcrm, DuckDB and Polars (asserted customer by "
        "customer). Peak MiB is tracemalloc's (numpy and Python allocations; DuckDB and "
        "Polars allocate outside it, so theirs is not shown). "
        f"Machine: {platform.machine()}, {os.cpu_count()} cores shared with other jobs "
        f"(1-min load {load_at_start:.1f} at the start, {load:.1f} at the end); "
        f"run took {time.perf_counter() - started:.0f} s."
    )
    return Section("rfm", "RFM segmentation", tuple(measurements), notes)
