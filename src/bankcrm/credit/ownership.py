"""Economic ownership through chains and cross-holdings: the integrated-ownership matrix.

With ``A[o, x]`` the equity share of ``x`` that ``o`` holds directly, the integrated ownership
is ``A + A² + A³ + … = A(I − A)⁻¹``: shares multiply along a chain (60 % of 60 % is 36 %) and
add across paths. :func:`integrated_ownership` never forms a dense matrix: it pushes a sparse
frontier of ``(owner, party, share)`` terms through the holdings, one step per round, for the
requested owners only, and drops a term once it is below ``tolerance``.

**Cycle convention.** Cross-holdings are real and the series counts every walk, including walks
that go round a cycle (A holds 10 % of B, B holds 10 % of A: A's share of B is
0.1 + 0.1·0.1·0.1 + … = 0.1/(1 − 0.01)). A party's indirect holding of *itself* through a
cycle (the diagonal of the matrix) is left out of the result. A cycle whose shares multiply to
1 (two firms each wholly owning the other) has no finite answer and is an error.

The shares are floats (the series is infinite with cycles); they are economic measures, never
compared with a control threshold — control is decided exactly by
:func:`~bankcrm.credit.identify_groups`.

>>> import pandas as pd
>>> holdings = pd.DataFrame({"owner_id": ["P", "A"], "owned_id": ["A", "B"],
...                          "equity_share": ["0.6", "0.6"]})
>>> integrated_ownership(holdings, owners=["P"])
  owner_id owned_id  share
0        P        A   0.60
1        P        B   0.36
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from bankcrm._tables import as_pandas
from bankcrm.credit._inputs import check_totals, key_kind, read_holdings, roles_for, share_columns
from bankcrm.errors import InputError
from bankcrm.policy import Provenance, stamp_provenance
from bankcrm.ratios import parse_share

__all__ = ["OWNERSHIP_RULE", "integrated_ownership"]

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]

#: The rule :func:`integrated_ownership` stamps (it has no policy to choose).
OWNERSHIP_RULE = ("bankcrm.credit.integrated_ownership", "1")


def integrated_ownership(
    holdings: Any,
    *,
    owners: Iterable[Any] | None = None,
    min_share: Any = "0.0001",
    tolerance: float = 1e-12,
    max_rounds: int = 10_000,
    columns: Any = None,
) -> pd.DataFrame:
    """Each owner's economic share of every party it holds directly or indirectly.

    Args:
        holdings: ``owner_id``, ``owned_id``, ``equity_share`` (exact shares in [0, 1]; the
            ``voting_share`` where a row has no equity share), one row per pair.
        owners: the owners to trace (default: every party that holds something).
        min_share: leave out results below this share (a reporting cut-off, ``"0.0001"``).
        tolerance: drop a path term once it is below this (the approximation of the series).
        max_rounds: give up (rule ``range``) after this many steps without convergence.
        columns: ``{"holdings": {role: column}}``.

    Returns:
        ``owner_id``, ``owned_id``, ``share`` (float), sorted by owner and owned party; the
        frame carries provenance :data:`OWNERSHIP_RULE`.

    Raises:
        InputError: a malformed frame, shares of one party above 1 (``range``), an unknown
            owner (``domain``), or a cycle that does not converge (``range``).
    """
    names = roles_for(columns, ("holdings",), "integrated_ownership")["holdings"]
    raw = as_pandas(holdings, name="holdings")
    owner_label = names["owner_id"]
    kind = key_kind(raw[owner_label]) if owner_label in raw.columns else "str"
    table = read_holdings(raw, names, kind)
    cut = float(parse_share(Decimal(str(min_share)), column="min_share"))
    if not (isinstance(tolerance, float | int) and 0 < tolerance < 1):
        raise InputError("tolerance must lie in (0, 1)", column="tolerance", rule="range")
    ids: npt.NDArray[Any] = np.unique(
        np.concatenate(
            [
                table[names["owner_id"]].to_numpy(dtype=object),
                table[names["owned_id"]].to_numpy(dtype=object),
            ]
        )
    )
    index = pd.Index(ids)
    owner = index.get_indexer(table[names["owner_id"]].to_numpy(dtype=object)).astype(np.int64)
    owned = index.get_indexer(table[names["owned_id"]].to_numpy(dtype=object)).astype(np.int64)
    equity, _votes = share_columns(table, names)
    check_totals(table, names, owned, equity, "equity_share")
    weight = equity.astype(np.float64) / 1_000_000.0
    sources = _sources(owners, index, owner)
    src, dst, share = _propagate(len(ids), owner, owned, weight, sources, tolerance, max_rounds)
    keep = (src != dst) & (share >= cut)
    src, dst, share = src[keep], dst[keep], share[keep]
    order = np.lexsort((dst, src))
    frame = pd.DataFrame(
        {
            "owner_id": ids[src[order]],
            "owned_id": ids[dst[order]],
            "share": share[order],
        }
    )
    if kind == "str":
        frame["owner_id"] = frame["owner_id"].astype("str")
        frame["owned_id"] = frame["owned_id"].astype("str")
    else:
        frame["owner_id"] = frame["owner_id"].astype(np.int64)
        frame["owned_id"] = frame["owned_id"].astype(np.int64)
    name, version = OWNERSHIP_RULE
    return stamp_provenance(frame, Provenance(name, version, None, producer=name))


def _sources(owners: Iterable[Any] | None, index: pd.Index[Any], owner: I64) -> I64:
    if owners is None:
        found: I64 = np.unique(owner)
        return found
    if isinstance(owners, str | bytes):
        owners = [owners]
    wanted = list(owners)
    codes = index.get_indexer(pd.Index(wanted)) if wanted else np.zeros(0, dtype=np.int64)
    unknown = [w for w, c in zip(wanted, codes.tolist(), strict=True) if c < 0]
    if unknown:
        raise InputError(
            f"owners not in the holdings: {unknown[:5]}", column="owners", rule="domain"
        )
    result: I64 = np.unique(codes.astype(np.int64))
    return result


def _propagate(
    n: int,
    owner: I64,
    owned: I64,
    weight: F64,
    sources: I64,
    tolerance: float,
    max_rounds: int,
) -> tuple[I64, I64, F64]:
    """Sum of the series for the ``sources`` rows, by sparse frontier expansion."""
    order = np.argsort(owner, kind="stable")
    child = owned[order]
    child_weight = weight[order]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(owner, minlength=n), out=indptr[1:])
    # The first frontier: the sources' direct holdings.
    f_src, f_node, f_w = _expand(
        sources, sources, np.ones(len(sources)), indptr, child, child_weight
    )
    parts_key: list[I64] = []
    parts_w: list[F64] = []
    rounds = 0
    while len(f_w):
        rounds += 1
        if rounds > max_rounds:
            raise InputError(
                "integrated ownership does not converge: a cycle of holdings owns all of "
                "itself (or raise max_rounds)",
                column="equity_share",
                rule="range",
            )
        key, w = _combine(f_src * np.int64(n) + f_node, f_w)
        parts_key.append(key)
        parts_w.append(w)
        keep = w >= tolerance
        key, w = key[keep], w[keep]
        f_src, f_node, f_w = _expand(key // n, key % n, w, indptr, child, child_weight)
    if not parts_key:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0)
    key, w = _combine(np.concatenate(parts_key), np.concatenate(parts_w))
    return key // n, key % n, w


def _expand(
    src: I64, node: I64, w: F64, indptr: I64, child: I64, child_weight: F64
) -> tuple[I64, I64, F64]:
    """One step: every term (src, node, w) becomes (src, child, w · share) for node's holdings."""
    start = indptr[node]
    count = indptr[node + 1] - start
    total = int(count.sum())
    if total == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0)
    rep = np.repeat(np.arange(len(node)), count)
    offsets = np.arange(total) - np.repeat(np.cumsum(count) - count, count)
    edge = start[rep] + offsets
    return src[rep], child[edge], w[rep] * child_weight[edge]


def _combine(key: I64, w: F64) -> tuple[I64, F64]:
    unique, inverse = np.unique(key, return_inverse=True)
    sums: F64 = np.bincount(inverse, weights=w, minlength=len(unique)).astype(np.float64)
    return unique.astype(np.int64), sums
