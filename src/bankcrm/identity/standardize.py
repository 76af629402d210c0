"""Standardise a customer records frame: canonical ids, validity, name keys, address parts.

:func:`standardize` is the first step of building one customer view from many product
systems. It returns a **new** frame — the input is never modified — with every input row, in
the same order and with the same index, its original columns untouched, and these columns
added:

===================== =====================================================================
column                meaning
===================== =====================================================================
``id_canonical``      the canonical id number (15-digit numbers upgraded), missing if invalid
``id_valid``          the number is valid for its ``id_type`` on ``as_of``
``id_reason``         why not (a :class:`~bankcrm.identity.reasons.Reason` code), else missing
``id_upgraded``       a legacy 15-digit resident id number was upgraded to 18 characters
``phone_e164``        the mainland mobile number as ``+86…``, missing if invalid
``phone_valid``       the phone is a mainland mobile number
``phone_reason``      why not, else missing (``not_text`` for a missing phone)
``name_norm``         the normalised name (simplified, no stray spaces, Latin upper case)
``surname``           the surname (compound surnames kept whole)
``given_name``        the given name
``name_key``          folded pinyin ``surname|given`` (see :mod:`bankcrm.identity.names`)
``name_match_key``    the order-free folded key; from ``name_latin`` when ``name`` has none
``addr_province`` …   province, city, district, street and unit key of the address
``addr_key``          the comparable address key (see :mod:`bankcrm.identity.addresses`)
``birth_date_derived`` the birth date the valid id number carries (NaT if none)
``gender_derived``    ``M`` / ``F`` from the id number, missing if none
``birth_date_check``  :class:`~bankcrm.identity.fields.FieldCheck`: match, conflict, derived …
``gender_check``      the same for gender
``birth_date_conflict`` the recorded birth date differs from the id number's (kept, flagged)
``gender_conflict``   the recorded gender differs from the id number's
===================== =====================================================================

Each output row depends only on its input row and ``as_of``: shuffling the input shuffles the
output. Every value is computed once per distinct input value, on the vectorised paths of the
modules named above, which give exactly the results of their scalar functions.

The result carries its provenance (``frame.attrs["bankcrm"]["provenance"]``): the policy's name
and version and ``as_of``.

>>> import datetime as dt
>>> records = pd.DataFrame({
...     "id_type": ["RIC", "RIC"],
...     "id_number": ["110105491231002", "11010519491231002x"],
...     "name": ["張偉", "ZHANG WEI"],
...     "birth_date": [pd.Timestamp("1949-12-31"), pd.NaT],
...     "gender": ["M", None],
...     "phone": ["138-0013-8000", "+86 139 0000 0000"],
...     "address": ["北京市朝阳区建国路88号1栋2单元301室", "北京朝阳区建国路88号1-2-301"],
... })
>>> out = standardize(records, as_of=dt.date(2026, 1, 4))
>>> out[["id_canonical", "id_upgraded", "name_key", "addr_key"]]
         id_canonical  id_upgraded   name_key                addr_key
0  11010519491231002X         True  zhang|wei  北京市|朝阳区|建国路88号|1-2-301
1  11010519491231002X        False  zhang|wei  北京市|朝阳区|建国路88号|1-2-301
>>> out[["gender_check", "birth_date_check"]].values.tolist()
[['conflict', 'match'], ['derived', 'derived']]
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

import attrs
import numpy as np
import pandas as pd

from bankcrm._values import safe_label
from bankcrm.errors import MAX_ROWS_SHOWN, InputError
from bankcrm.frames import Column, FrameSchema, validate_frame
from bankcrm.identity._vectorized import validate_id_column, validate_phone_column
from bankcrm.identity.addresses import address_frame
from bankcrm.identity.fields import check_fields
from bankcrm.identity.names import name_frame
from bankcrm.policy import Policy, stamp_provenance

T = TypeVar("T")

__all__ = [
    "DEFAULT_STANDARDIZE_POLICY",
    "INPUT_COLUMNS",
    "OUTPUT_COLUMNS",
    "StandardizePolicy",
    "standardize",
]


@attrs.frozen(kw_only=True)
class StandardizePolicy(Policy):
    """Settings of :func:`standardize`, stamped on its results.

    Attributes:
        strict_ids: validate ids in their strict modes (for resident ids: reject address codes
            missing from the GB/T 2260 table, which the default tolerates because people keep
            numbers whose county codes were later withdrawn).
    """

    strict_ids: bool = False


#: The default settings.
DEFAULT_STANDARDIZE_POLICY = StandardizePolicy(
    name="bankcrm.identity.standardize",
    version="1",
    effective_date=dt.date(2026, 1, 1),
)

#: The input columns by role; ``name_latin`` is optional, the others are required.
INPUT_COLUMNS = (
    "id_type",
    "id_number",
    "name",
    "name_latin",
    "birth_date",
    "gender",
    "phone",
    "address",
)
_OPTIONAL = frozenset({"name_latin"})

#: The columns :func:`standardize` adds, in order.
OUTPUT_COLUMNS = (
    "id_canonical",
    "id_valid",
    "id_reason",
    "id_upgraded",
    "phone_e164",
    "phone_valid",
    "phone_reason",
    "name_norm",
    "surname",
    "given_name",
    "name_key",
    "name_match_key",
    "addr_province",
    "addr_city",
    "addr_district",
    "addr_street",
    "addr_unit",
    "addr_key",
    "birth_date_derived",
    "gender_derived",
    "birth_date_check",
    "gender_check",
    "birth_date_conflict",
    "gender_conflict",
)

_PII = {
    "id_type": None,
    "id_number": "id",
    "name": "name",
    "name_latin": "name",
    "phone": "phone",
    "address": "address",
}


def _column_names(columns: Mapping[str, str] | None) -> dict[str, str]:
    names = {role: role for role in INPUT_COLUMNS}
    if columns is None:
        return names
    if not isinstance(columns, Mapping):
        raise InputError(
            f"columns must map roles to column names, got {type(columns).__name__}",
            column="columns",
            rule="type",
        )
    unknown = sorted(set(columns) - set(INPUT_COLUMNS))
    if unknown:
        raise InputError(
            f"unknown column role(s) {unknown}; roles: {list(INPUT_COLUMNS)}",
            column="columns",
            rule="roles",
        )
    names.update(columns)
    unhashable = sorted(role for role, label in names.items() if not _hashable(label))
    if unhashable:
        raise InputError(
            f"columns: the column names for role(s) {unhashable} are not column labels",
            column="columns",
            rule="roles",
        )
    shared = sorted(
        {str(label) for label in names.values() if list(names.values()).count(label) > 1}
    )
    if shared:
        raise InputError(
            f"columns: each role needs its own column; {shared} given to more than one role",
            column="columns",
            rule="roles",
        )
    return names


def _hashable(label: object) -> bool:
    try:
        hash(label)
    except TypeError:
        return False
    return True


def _schema(names: Mapping[str, str]) -> FrameSchema:
    text = [
        Column(names[role], "str", nullable=True, pii=pii, required=role not in _OPTIONAL)
        for role, pii in _PII.items()
    ]
    return FrameSchema("records", text)


def _check_inputs(records: object, names: Mapping[str, str]) -> pd.DataFrame:
    """Validate the frame; return it with the text columns as text (a new frame).

    Columns, labels and presence are checked by :func:`bankcrm.frames.validate_frame` on the
    frame's header; the values of text columns that do not already have the ``str`` dtype are
    then validated and coerced by it (a ``str`` column holds only text and missing values).
    """
    if not isinstance(records, pd.DataFrame):
        raise InputError(
            f"records: expected a pandas DataFrame, got {type(records).__name__}", rule="type"
        )
    schema = _schema(names)
    validate_frame(records.iloc[:0], schema)  # labels and required columns
    missing = [names[r] for r in ("birth_date", "gender") if names[r] not in records.columns]
    if missing:
        raise InputError(
            f"records: missing required column(s) {missing}; available: "
            f"{[str(c) for c in records.columns]}",
            rule="required",
        )
    clash = [c for c in OUTPUT_COLUMNS if c in records.columns]
    if clash:
        raise InputError(
            f"records: already has output column(s) {clash}; drop or rename them first",
            rule="output_columns",
        )
    _reject_float_ids(records[names["id_number"]], names["id_number"])
    loose = [
        c
        for c in schema.columns
        if c.name in records.columns and not isinstance(records[c.name].dtype, pd.StringDtype)
    ]
    if not loose:
        return records
    coerced = validate_frame(records[[c.name for c in loose]], FrameSchema("records", loose))
    out = records.copy(deep=False)
    for column in loose:
        out[column.name] = coerced[column.name].array
    return out


def _reject_float_ids(values: pd.Series, column: str) -> None:
    """Floats cannot hold an 18-digit number exactly: an id column read as floats is an error."""
    if pd.api.types.is_float_dtype(values.dtype):
        floats = values.notna().to_numpy(dtype=bool)
    elif pd.api.types.is_object_dtype(values.dtype):
        # One C-level scan answers the usual case (all text, or text and missing) at once.
        if pd.api.types.infer_dtype(values, skipna=True) in ("string", "integer", "empty"):
            return
        floats = np.fromiter(
            (isinstance(v, float | np.floating) and v == v for v in values.to_numpy()),
            dtype=bool,
            count=len(values),
        )
    else:
        return
    if floats.any():
        rows = values.index[floats]
        raise InputError(
            "id numbers must be text (or integers): a float cannot hold an 18-digit number "
            "exactly; read the column as text",
            column=column,
            rule="not_text",
            rows=[safe_label(r) for r in rows[:MAX_ROWS_SHOWN]],
            n_rows=len(rows),
        )


def _name_columns(checked: pd.DataFrame, names: Mapping[str, str]) -> pd.DataFrame:
    frame = name_frame(checked[names["name"]])
    latin = names["name_latin"]
    if latin in checked.columns:
        # A record with no usable Chinese/written name still gets a match key from name_latin.
        lacking = frame["name_match_key"].isna().to_numpy() & checked[latin].notna().to_numpy()
        if lacking.any():
            keys = name_frame(checked.loc[lacking, latin].reset_index(drop=True))
            frame.loc[lacking, "name_match_key"] = keys["name_match_key"].array
    return frame


class _InThread:
    """A stand-in for an executor that runs each job at once, in the calling thread."""

    def __enter__(self) -> _InThread:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        future: Future[T] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as error:  # re-raised by result(), as a pool would
            future.set_exception(error)
        return future


def _workers(workers: int | None) -> int:
    if workers is None:
        return min(2, os.cpu_count() or 1)
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise InputError(
            f"workers must be a positive integer, got {workers!r}", column="workers", rule="type"
        )
    return workers


def standardize(
    records: pd.DataFrame,
    *,
    as_of: dt.date,
    policy: StandardizePolicy = DEFAULT_STANDARDIZE_POLICY,
    columns: Mapping[str, str] | None = None,
    workers: int | None = None,
) -> pd.DataFrame:
    """Return ``records`` with canonical ids, validity, name keys, address parts and checks.

    Args:
        records: one row per customer record, with the columns ``id_type``, ``id_number``,
            ``name``, ``birth_date``, ``gender``, ``phone``, ``address`` and optionally
            ``name_latin`` (other columns are kept as they are).
        as_of: the date the records are judged on (birth dates after it are invalid).
        policy: the settings (:class:`StandardizePolicy`); its name and version are stamped.
        columns: the frame's own column names by role, for example ``{"id_number": "cert_no"}``.
        workers: threads to use (default: 2, or 1 on a one-CPU machine); ``1`` runs
            everything in the calling thread. The result is the same for any value.

    Returns:
        A new frame: the input columns and :data:`OUTPUT_COLUMNS` (see the module docstring),
        same index and row order.

    Raises:
        InputError: if ``records`` is not a DataFrame, lacks a required column, already has an
            output column, has a text column holding non-text values, or ``as_of`` is not a
            date. Id numbers and phones are masked in messages.
    """
    if not isinstance(as_of, dt.date):
        raise InputError(
            f"as_of must be a datetime.date, got {type(as_of).__name__}",
            column="as_of",
            rule="date",
        )
    if isinstance(as_of, dt.datetime):
        as_of = as_of.date()
    if not isinstance(policy, StandardizePolicy):
        raise InputError(
            f"policy must be a StandardizePolicy, got {type(policy).__name__}",
            column="policy",
            rule="type",
        )
    names = _column_names(columns)
    checked = _check_inputs(records, names)
    workers = _workers(workers)

    # The four parts are independent; run them on ``workers`` threads (the string kernels and
    # numpy release the GIL). Each is a pure function of its columns, so the result does not
    # depend on how they are scheduled.
    with ThreadPoolExecutor(max_workers=workers) if workers > 1 else _InThread() as pool:
        places_job = pool.submit(address_frame, checked[names["address"]])
        people_job = pool.submit(_name_columns, checked, names)
        ids_job = pool.submit(
            validate_id_column,
            checked[names["id_type"]],
            checked[names["id_number"]],
            as_of=as_of,
            strict=policy.strict_ids,
        )
        phones_job = pool.submit(validate_phone_column, checked[names["phone"]])
        ids = ids_job.result()
        fields = check_fields(
            checked[names["birth_date"]],
            checked[names["gender"]],
            ids["id_birth_date"],
            ids["id_gender"],
        )
        phones, people, places = phones_job.result(), people_job.result(), places_job.result()
    added = {
        "id_canonical": ids["id_canonical"],
        "id_valid": ids["id_valid"],
        "id_reason": ids["id_reason"],
        "id_upgraded": ids["id_upgraded"],
        **{c: phones[c] for c in phones.columns},
        **{c: people[c] for c in people.columns},
        **{c: places[c] for c in places.columns},
        "birth_date_derived": ids["id_birth_date"],
        "gender_derived": ids["id_gender"],
        **{c: fields[c] for c in fields.columns},
    }
    out = records.copy(deep=False)  # copy-on-write: the caller's frame is never touched
    for name in OUTPUT_COLUMNS:
        out[name] = added[name].array
    return stamp_provenance(out, policy.provenance(as_of, producer="bankcrm.identity.standardize"))
