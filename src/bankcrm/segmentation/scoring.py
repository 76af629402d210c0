"""Scoring customers against fitted edges: the batch path and the one-customer path.

:func:`score_rfm` adds to a features frame

=========== ===============================================================================
r_score     1..bins, the most recent scoring highest (no transaction in the window: 1)
f_score     1..bins
m_score     1..bins
rfm_code    the three digits as text, e.g. ``"545"`` (a categorical of all bins³ codes)
rfm_score   the weighted total ``wR·r + wF·f + wM·m`` with the edges' integer weights
=========== ===============================================================================

:func:`score_customer` scores one customer by the same comparisons, for services: its data (a
mapping or a features row) first, the fitted edges second, as in :func:`score_rfm`. The test
suite checks that both paths agree on generated data.

The scores frame records the edges' ``bins``, largest total, reference date and a fingerprint
of the cut points in ``frame.attrs["bankcrm"]["rfm_edges"]`` (:func:`edges_record`), so that
:func:`~bankcrm.segmentation.assign_segments` refuses a segment map or value groups written for
other bins, and :func:`~bankcrm.segmentation.segment_migration` refuses two frames scored with
different edges (rule ``mismatch``).

>>> import pandas as pd
>>> from bankcrm.segmentation.edges import fit_rfm_edges
>>> features = pd.DataFrame({
...     "customer_id": [1, 2, 3, 4, 5],
...     "recency_days": pd.array([3, 40, 8, None, 1], dtype="Int64"),
...     "frequency": [5, 1, 2, 0, 9],
...     "monetary_fen": [50_000, 1_000, 9_900, 0, 250_000],
... })
>>> edges = fit_rfm_edges(features)
>>> scored = score_rfm(features, edges)
>>> scored[["customer_id", "r_score", "f_score", "m_score", "rfm_code", "rfm_score"]]
   customer_id  r_score  f_score  m_score rfm_code  rfm_score
0            1        3        3        3      333          9
1            2        1        1        1      111          3
2            3        2        2        2      222          6
3            4        1        1        1      111          3
4            5        4        4        4      444         12
>>> score_customer({"recency_days": 0, "frequency": 20, "monetary": "3000.00"}, edges)
RFMScore(r=5, f=5, m=5, code='555', total=15)
>>> score_customer(features.iloc[4], edges) == RFMScore(4, 4, 4, "444", 12)
True
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
from collections.abc import Mapping
from typing import Any

import attrs
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from bankcrm._tables import as_pandas, type_name
from bankcrm.errors import InputError
from bankcrm.money import to_fen
from bankcrm.policy import ATTRS_KEY, Provenance, read_provenance, stamp_provenance
from bankcrm.segmentation.edges import RFMEdges, read_features
from bankcrm.segmentation.features import RFMFeatures

__all__ = ["SCORE_COLUMNS", "RFMScore", "rfm_codes", "score_customer", "score_rfm"]

#: The columns :func:`score_rfm` adds.
SCORE_COLUMNS = ("r_score", "f_score", "m_score", "rfm_code", "rfm_score")
#: The key of the edges' shape in ``frame.attrs["bankcrm"]`` of a scores frame.
EDGES_KEY = "rfm_edges"


@attrs.frozen
class RFMScore:
    """One customer's scores: R, F, M (1..bins), the code ``"RFM"`` and the weighted total."""

    r: int
    f: int
    m: int
    code: str
    total: int


def rfm_codes(bins: int) -> list[str]:
    """Every code of a grid, in the order of its integer index ``(r−1)·bins² + (f−1)·bins + m−1``.

    >>> rfm_codes(2)
    ['111', '112', '121', '122', '211', '212', '221', '222']
    """
    digits = [str(d) for d in range(1, bins + 1)]
    return ["".join(c) for c in itertools.product(digits, repeat=3)]


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def score_customer(metrics: Mapping[str, Any] | pd.Series[Any], edges: RFMEdges) -> RFMScore:
    """Score one customer against fitted edges (the scalar path of :func:`score_rfm`).

    Args:
        metrics: a mapping or a features row (``pd.Series``) with ``recency_days`` (``None``
            or ``<NA>``: no transaction in the window), ``frequency``, and ``monetary_fen``
            (integer fen) or ``monetary`` (yuan, any amount :func:`bankcrm.money.to_fen`
            accepts; used when ``monetary_fen`` is absent); and, when the edges were fitted
            per group, the group under the edges' ``by`` column name or ``"group"``.
        edges: fitted :class:`~bankcrm.segmentation.edges.RFMEdges`.

    Raises:
        InputError: for a negative recency or frequency, a bad amount, no amount, or a
            group without edges.
    """
    if not isinstance(edges, RFMEdges):
        raise InputError(
            f"edges must be RFMEdges, got {type_name(edges)}", column="edges", rule="type"
        )
    if not isinstance(metrics, Mapping | pd.Series):
        raise InputError(
            f"metrics must be a mapping or a features row (pandas Series), got "
            f"{type_name(metrics)}",
            column="metrics",
            rule="type",
        )
    monetary_fen = metrics.get("monetary_fen")
    if _missing(monetary_fen):
        monetary = metrics.get("monetary")
        if _missing(monetary):
            raise InputError(
                "metrics need monetary_fen (fen) or monetary (yuan)",
                column="monetary",
                rule="required",
            )
        fen = int(to_fen([monetary], column="monetary")[0])
    else:
        if isinstance(monetary_fen, bool) or not isinstance(monetary_fen, int | np.integer):
            raise InputError("monetary_fen must be an integer", column="monetary_fen", rule="int")
        fen = int(monetary_fen)
    recency_days = metrics.get("recency_days")
    recency_days = None if _missing(recency_days) else recency_days
    frequency: Any = metrics.get("frequency")
    for name, value in (("recency_days", recency_days), ("frequency", frequency)):
        if value is None and name == "recency_days":
            continue
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 0:
            raise InputError(
                f"must be a non-negative integer, got {value!r}", column=name, rule="range"
            )
    group = None
    if edges.by is not None:
        group = metrics.get(edges.by, metrics.get("group"))
        if isinstance(group, np.integer):
            group = int(group)
    cuts = edges.cuts_for(group)
    r, f, m = cuts.score_one(
        None if recency_days is None else int(recency_days), int(frequency), fen
    )
    wr, wf, wm = edges.weights
    return RFMScore(r, f, m, f"{r}{f}{m}", wr * r + wf * f + wm * m)


def _scores_by_group(
    frame: pd.DataFrame,
    edges: RFMEdges,
    recency: NDArray[np.int64],
    frequency: NDArray[np.int64],
    monetary: NDArray[np.int64],
) -> tuple[NDArray[np.int8], NDArray[np.int8], NDArray[np.int8]]:
    if edges.cuts is not None:
        return edges.cuts.score_arrays(recency, frequency, monetary)
    assert edges.by is not None
    n = len(frame)
    r = np.empty(n, dtype=np.int8)
    f = np.empty(n, dtype=np.int8)
    m = np.empty(n, dtype=np.int8)
    codes, keys = pd.factorize(frame[edges.by], sort=True)
    missing = codes < 0
    if missing.any():
        raise InputError(
            "group column has missing values",
            column=edges.by,
            rule="missing",
            rows=frame.index[np.flatnonzero(missing)[:5]].tolist(),
            n_rows=int(missing.sum()),
        )
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(len(keys) + 1))
    for code, key in enumerate(keys.tolist()):
        rows = order[bounds[code] : bounds[code + 1]]
        cuts = edges.cuts_for(key if isinstance(key, str) else int(key))
        r[rows], f[rows], m[rows] = cuts.score_arrays(
            recency[rows], frequency[rows], monetary[rows]
        )
    return r, f, m


def score_rfm(
    features: Any, edges: RFMEdges, *, columns: Mapping[str, Any] | None = None
) -> pd.DataFrame:
    """Score every customer of ``features`` against ``edges`` (the batch path).

    Args:
        features: an :class:`~bankcrm.segmentation.RFMFeatures` or a features frame
            (pandas, pyarrow, polars).
        edges: fitted :class:`~bankcrm.segmentation.edges.RFMEdges`.
        columns: role → column name for a features frame with other column names (roles
            ``recency_days``, ``frequency``, ``monetary_fen``, ``monetary``).

    Returns a new frame: the features plus the columns listed in the module docstring,
    stamped first with the policy the edges were fitted under (its name and version, and the
    features' ``as_of``), then with the features' provenance. The edges' own reference date
    is ``edges.as_of``. The input is never modified.

    Raises:
        InputError: for missing or invalid feature columns, or a group without edges.
    """
    if not isinstance(edges, RFMEdges):
        raise InputError(
            f"edges must be RFMEdges, got {type_name(edges)}", column="edges", rule="type"
        )
    source = (
        features.features
        if isinstance(features, RFMFeatures)
        else as_pandas(features, name="features")
    )
    frame, recency, frequency, monetary = read_features(
        source, by=edges.by, columns=columns, where="score_rfm: features"
    )
    r, f, m = _scores_by_group(frame, edges, recency, frequency, monetary)
    bins = edges.bins
    index = (r.astype(np.int64) - 1) * bins * bins + (f.astype(np.int64) - 1) * bins
    index += m.astype(np.int64) - 1
    codes = pd.Categorical.from_codes(index, categories=pd.Index(rfm_codes(bins)))
    wr, wf, wm = edges.weights
    total = wr * r.astype(np.int64) + wf * f.astype(np.int64) + wm * m.astype(np.int64)
    out = source.copy(deep=False)
    out = out.drop(columns=[c for c in SCORE_COLUMNS if c in out.columns])
    out["r_score"] = r
    out["f_score"] = f
    out["m_score"] = m
    out["rfm_code"] = codes
    out["rfm_score"] = total
    upstream = read_provenance(source)
    as_of: dt.date | None
    if isinstance(features, RFMFeatures):
        as_of = features.as_of
    else:  # the features' own date, else the edges' reference date
        as_of = next((p.as_of for p in upstream if p.as_of is not None), edges.as_of)
    provenance = Provenance(
        edges.policy_name,
        edges.policy_version,
        as_of,
        producer="bankcrm.segmentation.score_rfm",
    )
    out = stamp_provenance(out, provenance, *upstream)  # first: this step's record
    meta = dict(out.attrs[ATTRS_KEY])
    meta[EDGES_KEY] = edges_record(edges)
    out.attrs[ATTRS_KEY] = meta
    return out


def edges_record(edges: RFMEdges) -> dict[str, Any]:
    """What a scores frame records of its edges (``frame.attrs["bankcrm"]["rfm_edges"]``).

    ``bins`` and ``max_score`` (checked by :func:`~bankcrm.segmentation.assign_segments`),
    the edges' reference date ``as_of`` (ISO text or ``None``) and ``fingerprint``, a digest
    of the whole fitted state (cuts, groups, weights, rule), so that
    :func:`~bankcrm.segmentation.segment_migration` can refuse frames scored with different
    edges.

    >>> from bankcrm.segmentation.edges import CutPoints
    >>> cuts = CutPoints(4, recency_days=[9, 5, 3, 1], frequency=[1, 2, 3, 4],
    ...                  monetary_fen=[1, 2, 3, 4])
    >>> record = edges_record(RFMEdges(cuts=cuts, as_of=dt.date(2026, 3, 31)))
    >>> record["bins"], record["max_score"], record["as_of"], len(record["fingerprint"])
    (5, 15, '2026-03-31', 16)
    """
    digest = hashlib.sha256(edges.to_json(indent=None).encode()).hexdigest()[:16]
    return {
        "bins": edges.bins,
        "max_score": edges.max_score,
        "as_of": None if edges.as_of is None else edges.as_of.isoformat(),
        "fingerprint": digest,
    }
