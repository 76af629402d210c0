"""Fitted RFM cut points: one written-down quintile rule, fitted once, applied to anyone.

**The rule** (``"rank_min_quantile"``, version 1). For one dimension, let ``n`` be the number of
reference customers and, for a value ``v``, let ``W(v)`` be how many reference customers are
*strictly worse* (older last transaction for R; fewer transactions or less money for F and M).
Then

    score(v) = 1 + min(bins − 1, ⌊bins · W(v) / n⌋)

so a score of ``s`` means at least ``(s − 1)/bins`` of the reference customers are strictly
worse. It is the SQL ``1 + bins·(RANK() − 1) // n`` over the reference population, with
``RANK()`` the competition rank (ties share the lowest rank). Consequences:

* equal values always get equal scores, and scores never depend on row order;
* a better value never scores lower (monotone), and every score is in ``1..bins``;
* when ``n`` is divisible by ``bins`` and all values differ, each score holds ``n/bins``
  customers exactly;
* a tie block that straddles a cut goes *down* to the lowest score it touches: with all values
  equal (or one customer) everyone scores 1; with 80 % zeros the zeros score 1 and every
  positive value scores 5; with half the customers buying once, they score 1 and the others
  3..5. Such data never crash ("bin edges must be unique" cannot happen).

The rule is stored as cut points, so that a service scores a new customer against last
quarter's population without the population: with ``m_s = ⌈s·n/bins⌉`` (``s = 1..bins−1``) the
cut ``e_s`` is the ``m_s``-th worst reference value, and ``score(v) = 1 + #{s : v better than
e_s}``. This equals the formula above for *any* ``v``, seen or not.

Only customers with a transaction in the window (``recency_days`` present) are the reference
population; a customer without one scores R = 1 and F, M by the same cuts.

>>> import pandas as pd
>>> features = pd.DataFrame({
...     "customer_id": range(7),
...     "recency_days": [1, 2, 3, 4, 5, 6, 7],
...     "frequency": [1, 1, 1, 1, 2, 3, 9],
...     "monetary_fen": [100, 100, 100, 100, 100, 100, 100],
... })
>>> edges = fit_rfm_edges(features, policy=RFMPolicy(bins=5))
>>> edges.cuts.recency_days, edges.cuts.frequency, edges.cuts.monetary_fen
((6, 5, 3, 2), (1, 1, 2, 3), (100, 100, 100, 100))
>>> from bankcrm.segmentation.scoring import score_rfm
>>> score_rfm(features, edges)["rfm_code"].tolist()
['511', '411', '311', '311', '231', '141', '151']
>>> RFMEdges.from_toml(edges.to_toml()) == edges
True

The edges record the policy they were fitted under (``policy_name``, ``policy_version``),
and :func:`score_rfm` stamps that policy on the scores. Save and load them with
:func:`bankcrm.policy.save` / :func:`bankcrm.policy.load` (JSON or TOML, by the suffix), the
one pair that saves every policy and fitted state.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

import attrs
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from bankcrm._roles import column_names, require_columns
from bankcrm._tables import as_pandas
from bankcrm.calendar import as_date
from bankcrm.errors import InputError, PolicyError
from bankcrm.frames import Column, FrameSchema, validate_frame
from bankcrm.money import to_fen
from bankcrm.policy import Serializable, read_provenance
from bankcrm.segmentation.features import (
    RFMFeatures,
    RFMPolicy,
    _bins,
    _weights,
    as_policy,
)

__all__ = [
    "FEATURE_ROLES",
    "QUANTILE_RULE",
    "RULE_VERSION",
    "CutPoints",
    "GroupCutPoints",
    "RFMEdges",
    "fit_rfm_edges",
]

#: Name of the one quintile rule (see the module docstring).
QUANTILE_RULE = "rank_min_quantile"
#: Version of that rule; bump when the rule changes, so old edges are recognised.
RULE_VERSION = "1"

#: The recency given to customers without a transaction: worse than any real recency.
NO_RECENCY = np.iinfo(np.int64).max

#: The roles of a features frame (``columns={role: name}``); one of the money roles is needed.
FEATURE_ROLES = ("recency_days", "frequency", "monetary_fen", "monetary")
_DEFAULT_POLICY = RFMPolicy()

GroupKey = str | int


def _int_tuple(values: Iterable[Any]) -> tuple[int, ...]:
    return tuple(int(v) for v in values)


@attrs.frozen
class CutPoints:
    """The cut points of one reference population (``bins − 1`` per dimension).

    Attributes:
        n_customers: the size of the reference population.
        recency_days: cuts in days, non-increasing (the ``m_s``-th *largest* recency).
        frequency: cuts, non-decreasing.
        monetary_fen: cuts in fen, non-decreasing.
    """

    n_customers: int
    recency_days: tuple[int, ...] = attrs.field(converter=_int_tuple)
    frequency: tuple[int, ...] = attrs.field(converter=_int_tuple)
    monetary_fen: tuple[int, ...] = attrs.field(converter=_int_tuple)

    def __attrs_post_init__(self) -> None:
        sizes = {len(self.recency_days), len(self.frequency), len(self.monetary_fen)}
        if len(sizes) != 1:
            raise PolicyError("cut points: every dimension needs bins − 1 cuts")
        if self.n_customers < 1:
            raise PolicyError("cut points: the reference population must not be empty")
        if list(self.recency_days) != sorted(self.recency_days, reverse=True):
            raise PolicyError("cut points: recency_days cuts must be non-increasing")
        for name in ("frequency", "monetary_fen"):
            cuts = getattr(self, name)
            if list(cuts) != sorted(cuts):
                raise PolicyError(f"cut points: {name} cuts must be non-decreasing")

    def score_arrays(
        self, recency: NDArray[np.int64], frequency: NDArray[np.int64], monetary: NDArray[np.int64]
    ) -> tuple[NDArray[np.int8], NDArray[np.int8], NDArray[np.int8]]:
        """Scores for arrays of values (recency ``NO_RECENCY`` = no transaction)."""
        ascending = np.asarray(self.recency_days[::-1], dtype=np.int64)
        r = len(ascending) + 1 - np.searchsorted(ascending, recency, side="right")
        f = 1 + np.searchsorted(np.asarray(self.frequency, dtype=np.int64), frequency, "left")
        m = 1 + np.searchsorted(np.asarray(self.monetary_fen, dtype=np.int64), monetary, "left")
        return r.astype(np.int8), f.astype(np.int8), m.astype(np.int8)

    def score_one(
        self, recency: int | None, frequency: int, monetary_fen: int
    ) -> tuple[int, int, int]:
        """Scores of one customer, by the same comparisons (``recency=None``: no transaction)."""
        r = 1 if recency is None else 1 + sum(recency < cut for cut in self.recency_days)
        f = 1 + sum(frequency > cut for cut in self.frequency)
        m = 1 + sum(monetary_fen > cut for cut in self.monetary_fen)
        return r, f, m


@attrs.frozen
class GroupCutPoints:
    """The cut points of one group (``by`` value), e.g. ``"retail"`` or a branch code.

    Attributes:
        group: the group's value.
        cuts: the cut points its customers are scored by.
        fallback: ``True`` when the group had no customer with a transaction and ``cuts``
            are those of the whole active population (``RFMPolicy(empty_group="fallback")``).
    """

    group: GroupKey
    cuts: CutPoints
    fallback: bool = False


def _group_tuple(value: Iterable[GroupCutPoints]) -> tuple[GroupCutPoints, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class RFMEdges(Serializable):
    """Fitted cut points: pooled (``cuts``) or per group (``by`` and ``groups``).

    Fitted state, :class:`bankcrm.policy.Serializable` (``bankcrm.policy.save(edges,
    "edges.toml")`` / ``load(RFMEdges, path)``, JSON or TOML) so that a service scores new
    customers against the edges an analyst fitted last quarter.

    Attributes:
        bins: scores per dimension (2..9; 5 = quintiles).
        rule: the quantile rule's name (:data:`QUANTILE_RULE`).
        version: the rule's version (:data:`RULE_VERSION`).
        as_of: the reference date of the features the edges were fitted on.
        weights: integer weights of R, F and M in the total ``rfm_score``.
        cuts: the pooled cut points (``None`` when fitted per group).
        by: the column the groups come from, or ``None``.
        groups: the cut points of each group, sorted by group.
        policy_name: the name of the :class:`RFMPolicy` the edges were fitted under.
        policy_version: its version.
    """

    bins: int = attrs.field(default=5, validator=_bins)
    rule: str = QUANTILE_RULE
    version: str = RULE_VERSION
    as_of: dt.date | None = None
    weights: tuple[int, int, int] = attrs.field(default=(1, 1, 1), converter=_weights)
    cuts: CutPoints | None = None
    by: str | None = None
    groups: tuple[GroupCutPoints, ...] = attrs.field(default=(), converter=_group_tuple)
    policy_name: str = _DEFAULT_POLICY.name
    policy_version: str = _DEFAULT_POLICY.version

    def __attrs_post_init__(self) -> None:
        if self.rule != QUANTILE_RULE or self.version != RULE_VERSION:
            raise PolicyError(
                f"edges use rule {self.rule!r} version {self.version!r}; this bankcrm applies "
                f"{QUANTILE_RULE!r} version {RULE_VERSION!r}"
            )
        if (self.by is None) == (self.cuts is None):
            raise PolicyError("edges need either pooled cuts or a 'by' column, not both")
        if self.by is None and self.groups:
            raise PolicyError("edges have groups but no 'by' column")
        if self.by is not None and not self.groups:
            raise PolicyError("edges fitted by group need at least one group")
        everything = ([self.cuts] if self.cuts else []) + [g.cuts for g in self.groups]
        for cuts in everything:
            if len(cuts.frequency) != self.bins - 1:
                raise PolicyError(f"every dimension needs bins − 1 = {self.bins - 1} cuts")
        keys = [g.group for g in self.groups]
        if len(set(keys)) != len(keys):
            raise PolicyError("edges list a group more than once")

    def cuts_for(self, group: GroupKey | None = None) -> CutPoints:
        """The cut points that score a customer of ``group`` (``None`` for pooled edges).

        Raises:
            InputError: when the edges were fitted per group and ``group`` is not one of them.
        """
        if self.cuts is not None:
            return self.cuts
        for entry in self.groups:
            if entry.group == group:
                return entry.cuts
        raise InputError(
            f"no edges were fitted for group {group!r}", column=self.by, rule="unknown_group"
        )

    @property
    def max_score(self) -> int:
        """The largest weighted total ``rfm_score`` these edges can give."""
        return self.bins * sum(self.weights)


def read_features(
    features: Any,
    *,
    by: str | None = None,
    columns: Mapping[str, Any] | None = None,
    where: str = "features",
) -> tuple[pd.DataFrame, NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    """The frame and its recency (``NO_RECENCY`` where missing), frequency and fen arrays.

    ``features`` is an :class:`RFMFeatures` or any frame :func:`bankcrm._tables.as_pandas`
    reads; ``columns`` maps the roles of :data:`FEATURE_ROLES` to its column names.
    Canonical dtypes (int64 / ``Int64``) are read without copies; anything else is validated
    and coerced with :func:`bankcrm.frames.validate_frame` (``monetary`` in yuan becomes fen
    when ``monetary_fen`` is absent).
    """
    if isinstance(features, RFMFeatures):
        frame = features.features
    else:
        frame = as_pandas(features, name="features")
    names = column_names(columns, FEATURE_ROLES, where=where)
    if names["monetary_fen"] in frame.columns or names["monetary"] not in frame.columns:
        money_role = "monetary_fen"
    else:
        money_role = "monetary"
    required = {role: names[role] for role in ("recency_days", "frequency", money_role)}
    if by is not None:
        required["by"] = by
    require_columns(frame, required, where=where)
    recency_name, frequency_name = names["recency_days"], names["frequency"]
    money = names[money_role]
    fen = money_role == "monetary_fen"
    schema_columns = [
        Column(recency_name, "int", nullable=True, min_value=0),
        Column(frequency_name, "int", min_value=0),
        Column(money, "int" if fen else "money"),
    ]
    if by is not None:
        schema_columns.append(Column(by, "str" if _is_text(frame, by) else "int"))
    schema = FrameSchema("features", schema_columns)
    if not _canonical(frame, recency_name, frequency_name, money, fen, by):
        frame = validate_frame(frame, schema)
    else:
        validate_frame(frame.iloc[:0], schema)  # the column labels are sane
    recency_col = frame[recency_name]
    if isinstance(recency_col.dtype, pd.Int64Dtype):
        recency = recency_col.to_numpy(dtype=np.int64, na_value=NO_RECENCY)
    else:
        recency = recency_col.to_numpy(dtype=np.int64)
    frequency = frame[frequency_name].to_numpy(dtype=np.int64)
    monetary = frame[money].to_numpy()
    if monetary.dtype != np.int64:
        monetary = to_fen(frame[money], column=str(money))
    if len(frame) and (recency.min() < 0 or frequency.min() < 0):
        bad = recency_name if recency.min() < 0 else frequency_name
        values = recency if bad == recency_name else frequency
        raise InputError(
            "must not be negative",
            column=str(bad),
            rule="range",
            rows=frame.index[np.flatnonzero(values < 0)[:5]].tolist(),
            n_rows=int((values < 0).sum()),
        )
    return frame, recency, frequency, monetary


def _is_text(frame: pd.DataFrame, column: str) -> bool:
    if column not in frame.columns:
        return True
    return not pd.api.types.is_integer_dtype(frame[column].dtype)


def _canonical(
    frame: pd.DataFrame, recency_name: Any, frequency_name: Any, money: Any, fen: bool, by: Any
) -> bool:
    recency = frame[recency_name].dtype
    ok = (recency == np.int64 or isinstance(recency, pd.Int64Dtype)) and frame[
        frequency_name
    ].dtype == np.int64
    ok = ok and (frame[money].dtype == np.int64 or not fen)
    if not fen and frame[money].dtype != np.float64:
        return False
    if by is not None and (by not in frame.columns or frame[by].isna().any()):
        return False
    return bool(ok)


def _fit_cuts(
    recency: NDArray[np.int64], frequency: NDArray[np.int64], monetary: NDArray[np.int64], bins: int
) -> CutPoints:
    n = len(recency)
    ranks = [(s * n + bins - 1) // bins for s in range(1, bins)]  # m_s = ceil(s·n/bins)
    kth_low = sorted({m - 1 for m in ranks})
    kth_high = sorted({n - m for m in ranks})
    f_sorted = np.partition(frequency, kth_low)
    m_sorted = np.partition(monetary, kth_low)
    r_sorted = np.partition(recency, kth_high)
    return CutPoints(
        n_customers=n,
        recency_days=[r_sorted[n - m] for m in ranks],
        frequency=[f_sorted[m - 1] for m in ranks],
        monetary_fen=[m_sorted[m - 1] for m in ranks],
    )


def fit_rfm_edges(
    features: Any,
    *,
    policy: RFMPolicy | None = None,
    as_of: dt.date | str | np.datetime64 | None = None,
    columns: Mapping[str, Any] | None = None,
) -> RFMEdges:
    """Fit the cut points of the quintile rule (see the module docstring) on ``features``.

    Args:
        features: an :class:`RFMFeatures` or a frame (pandas, pyarrow, polars) with
            ``recency_days`` (``<NA>`` = no transaction), ``frequency`` and ``monetary_fen``
            (or ``monetary`` in yuan).
        policy: the :class:`RFMPolicy` whose ``bins``, ``weights`` and ``by`` apply; default
            the policy the :class:`RFMFeatures` were computed with, else ``RFMPolicy()``.
        as_of: the reference date to record; default: the features' own ``as_of``.
        columns: role → column name for a features frame with other column names
            (roles ``recency_days``, ``frequency``, ``monetary_fen``, ``monetary``).

    Returns:
        Frozen, serialisable :class:`RFMEdges` that record the policy's name and version.

    Raises:
        InputError: when there is no customer with a transaction to fit on (rule ``empty``;
            in a group too, unless the policy's ``empty_group`` is ``"fallback"``), or for
            missing or invalid feature columns (all missing columns in one error).
    """
    if policy is None and isinstance(features, RFMFeatures):
        policy = features.policy
    policy = as_policy(policy)
    bins, by = policy.bins, policy.by
    frame, recency, frequency, monetary = read_features(
        features, by=by, columns=columns, where="fit_rfm_edges: features"
    )
    reference = _reference_date(features, frame, as_of)
    edges_kw: dict[str, Any] = {
        "bins": bins,
        "as_of": reference,
        "weights": policy.weights,
        "policy_name": policy.name,
        "policy_version": policy.version,
    }
    active = recency != NO_RECENCY
    if by is None:
        if not active.any():
            raise InputError(
                "no customer has a transaction in the window: nothing to fit edges on",
                column="recency_days",
                rule="empty",
            )
        cuts = _fit_cuts(recency[active], frequency[active], monetary[active], bins)
        return RFMEdges(cuts=cuts, **edges_kw)
    codes, keys = pd.factorize(frame[by], sort=True)
    groups = []
    pooled: CutPoints | None = None
    for code, key in enumerate(keys.tolist()):
        rows = (codes == code) & active
        group_key = key if isinstance(key, str) else int(key)
        if rows.any():
            cuts = _fit_cuts(recency[rows], frequency[rows], monetary[rows], bins)
            groups.append(GroupCutPoints(group_key, cuts))
            continue
        size = int((codes == code).sum())
        if policy.empty_group == "raise" or not active.any():
            hint = (
                "no customer of any group has one either"
                if not active.any()
                else "pass RFMPolicy(empty_group='fallback') to score it by the cuts of the "
                "whole active population, or leave the group out"
            )
            raise InputError(
                f"fit_rfm_edges: group {group_key!r} of column {by!r} ({size:,} customer(s)) "
                f"has no customer with a transaction in the window, so it has no cuts of its "
                f"own; {hint}",
                column=by,
                rule="empty",
            )
        if pooled is None:
            pooled = _fit_cuts(recency[active], frequency[active], monetary[active], bins)
        groups.append(GroupCutPoints(group_key, pooled, fallback=True))
    return RFMEdges(by=by, groups=tuple(groups), **edges_kw)


def _reference_date(features: Any, frame: pd.DataFrame, as_of: Any) -> dt.date | None:
    if as_of is not None:
        return as_date(as_of, name="as_of")
    if isinstance(features, RFMFeatures):
        return features.as_of
    stamped = [p.as_of for p in read_provenance(frame) if p.as_of is not None]
    return stamped[0] if stamped else None
