"""Results: one frame stamped with provenance, or a frozen object of named frames.

Contract rule 6 (``docs/conventions.md``): a function that returns one frame returns a
DataFrame stamped with :func:`bankcrm.policy.stamp_provenance`; one that returns more is a
frozen :class:`Result` subclass whose frames are attributes, with ``.excluded`` where input
rows can be left out and ``.provenance`` saying which policy produced it for which ``as_of``.

:func:`excluded_frame` builds the ``.excluded`` frame every result uses: one row per input row
left out, indexed by the row's label, with its ``position`` in the input, its ``reason`` and
the row's key columns (so a row can be found again without the positions).

>>> import pandas as pd
>>> rows = pd.DataFrame({"customer_id": ["c1", "c2", "c3"]}, index=[10, 11, 12])
>>> excluded_frame(rows, [2], ["negative_amount"], keys=["customer_id"])
    position           reason customer_id
12         2  negative_amount          c3
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import attrs
import numpy as np
import pandas as pd

from bankcrm.policy import Provenance

__all__ = ["Result", "excluded_frame"]


def excluded_frame(
    rows: pd.DataFrame,
    positions: Iterable[int] | np.ndarray[Any, Any],
    reasons: Iterable[Any] | np.ndarray[Any, Any] | pd.Categorical,
    *,
    keys: Sequence[Any] = (),
) -> pd.DataFrame:
    """The excluded rows of ``rows``: ``position``, ``reason`` and the ``keys`` columns.

    The frame is indexed by the rows' own labels and sorted by position. ``reason`` is text,
    or stays categorical when ``reasons`` is a :class:`pandas.Categorical` (cheaper for
    millions of rows with a handful of reasons).
    """
    where = np.asarray(positions if isinstance(positions, np.ndarray) else list(positions))
    where = where.astype(np.int64, copy=False)
    order = np.argsort(where, kind="stable")
    if isinstance(reasons, pd.Categorical):
        why: Any = reasons[order]
    else:
        text = np.asarray(reasons if isinstance(reasons, np.ndarray) else list(reasons))
        why = pd.array(text[order].astype(str), dtype="str")
    where = where[order]
    out = pd.DataFrame({"position": where, "reason": why}, index=rows.index[where])
    for key in keys:
        if key in rows.columns and key not in out.columns:
            out[key] = rows[key].iloc[where].to_numpy()
    return out


def _frame_summary(frame: pd.DataFrame) -> str:
    return f"{len(frame):,} rows × {frame.shape[1]} columns"


@attrs.frozen(eq=False, repr=False)
class Result:
    """Base of bankcrm's multi-frame results (frozen; compare their frames, not the objects).

    Subclasses declare their frames and scalars as attrs fields; every subclass has a
    ``provenance`` property or field. The repr is a short summary, never a whole frame.
    """

    def frames(self) -> dict[str, pd.DataFrame]:
        """The result's named frames, in field order."""
        return {
            field.name: getattr(self, field.name)
            for field in attrs.fields(type(self))
            if isinstance(getattr(self, field.name), pd.DataFrame)
        }

    @property
    def provenance(self) -> Provenance:
        """Which policy (name and version) produced this result, for which ``as_of``."""
        raise NotImplementedError  # pragma: no cover - every subclass defines it

    def __repr__(self) -> str:
        parts = [f"{name}: {_frame_summary(frame)}" for name, frame in self.frames().items()]
        try:
            stamp = self.provenance
            parts.append(
                f"policy {stamp.policy_name} {stamp.policy_version}"
                + (f", as_of {stamp.as_of}" if stamp.as_of is not None else "")
            )
        except NotImplementedError:  # pragma: no cover
            pass
        return f"{type(self).__name__}({'; '.join(parts)})"
