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
``phone_reason``      why not, else missing (``missing`` for a missing phone)
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
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

import attrs
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from bankcrm._coerce import BadValuesError, coerce_values
from bankcrm._roles import column_names, require_columns
from bankcrm._tables import as_pandas
from bankcrm._values import missing_mask, raise_for_rows
from bankcrm.calendar import DateLike, as_date
from bankcrm.errors import InputError, PolicyError, Rule
from bankcrm.frames import Column, FrameSchema, validate_frame
from bankcrm.identity._mobile_batch import validate_phone_column
from bankcrm.identity._ric_batch import validate_id_column
from bankcrm.identity.addresses import _address_parts, _address_rows, _fields_of_distinct
from bankcrm.identity.dispatch import DEFAULT_ID_TYPE_ALIASES, IdTypeAliases
from bankcrm.identity.fields import check_fields
from bankcrm.identity.names import name_frame
from bankcrm.identity.reasons import Reason
from bankcrm.policy import Policy, effective, named, stamp_provenance, versioned

T = TypeVar("T")

__all__ = [
    "DEFAULT_STANDARDIZE_POLICY",
    "INPUT_COLUMNS",
    "OUTPUT_COLUMNS",
    "StandardizePolicy",
    "standardize",
]


def _is_bool(_instance: object, attribute: attrs.Attribute[bool], value: object) -> None:
    if not isinstance(value, bool):
        raise PolicyError(f"{attribute.name}: must be true or false, got {value!r}")


@attrs.frozen(kw_only=True)
class StandardizePolicy(Policy):
    """Settings of :func:`standardize`, stamped on its results.

    Change one setting by name; the policy's identity (name, version, effective date) has
    defaults, so ``StandardizePolicy(strict_ids=True)`` is enough. A bank that keeps its own
    edition names it: ``StandardizePolicy(name="bank.kyc", version="2026.1", ...)``.

    The scalar identifier functions take the same setting as their ``strict=`` keyword
    (``is_valid_ric(number, strict=True)``): it is the scalar path of ``strict_ids``, and both
    paths give the same answer.

    Attributes:
        strict_ids: validate ids in their strict modes (for resident ids: reject address codes
            missing from the GB/T 2260 table, which the default tolerates because people keep
            numbers whose county codes were later withdrawn).
        id_types: the id type codes and aliases of the ``id_type`` column
            (:class:`~bankcrm.identity.dispatch.IdTypeAliases`: ``居民身份证``, ``01``,
            ``id_card`` … by default); an unknown code is reason ``id_type``.
    """

    name: str = named("bankcrm.identity.standardize")
    version: str = versioned("1")
    effective_date: dt.date = effective(dt.date(2026, 1, 1))  # noqa: RUF009
    strict_ids: bool = attrs.field(default=False, validator=_is_bool)
    id_types: IdTypeAliases = attrs.field(
        default=DEFAULT_ID_TYPE_ALIASES, validator=attrs.validators.instance_of(IdTypeAliases)
    )


#: The default settings (``StandardizePolicy()``).
DEFAULT_STANDARDIZE_POLICY = StandardizePolicy()

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

#: Roles whose non-text values are flagged ``not_text`` in a reason column rather than raised.
_FLAGGED = frozenset({"id_type", "id_number"})

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


def _schema(names: Mapping[str, Any], roles: Iterable[str]) -> FrameSchema:
    text = [
        Column(names[role], "str", nullable=True, pii=_PII[role], required=False) for role in roles
    ]
    return FrameSchema("records", text)


def _check_labels(frame: pd.DataFrame) -> None:
    """Flat, hashable, unique column labels (:func:`bankcrm.frames.validate_frame` checks)."""
    validate_frame(frame.iloc[:0], FrameSchema("records", []))


def _check_inputs(
    records: object, names: Mapping[str, Any]
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, NDArray[np.bool_]]]:
    """Validate the frame; return it as read, with the text columns as text, and the non-text
    cells.

    The frame is read by :func:`bankcrm._tables.as_pandas` (pandas with NumPy, nullable or
    Arrow dtypes, pyarrow, polars); its labels are checked and every missing column is
    reported in one error (:func:`bankcrm._roles.require_columns`). Text columns that do not
    already have the ``str`` dtype are coerced (integers become their digits). In the id type,
    id number and phone columns a present value that is not text (a list, a float phone with a
    fraction) is a bad *value*: it is returned in the mask, read as missing, and flagged
    ``not_text`` in the reason column. In the name and address columns, which have no reason
    column, it is an error.
    """
    frame = as_pandas(records, name="records")
    _check_labels(frame)
    require_columns(frame, names, where="records", optional=_OPTIONAL)
    clash = [c for c in OUTPUT_COLUMNS if c in frame.columns]
    if clash:
        raise InputError(
            f"records: already has output column(s) {clash}; drop or rename them first",
            column=clash[0],
            rule=Rule.OUTPUT_COLUMNS,
        )
    _reject_float_ids(frame[names["id_number"]], str(names["id_number"]))
    # Phones are read cell by cell as the scalar validator reads them (mobile.phone_text).
    present = [r for r in _PII if names[r] in frame.columns and r != "phone"]
    loose = [r for r in present if not isinstance(frame[names[r]].dtype, pd.StringDtype)]
    if not loose:
        return frame, frame, {}
    out = frame.copy(deep=False)
    non_text: dict[str, NDArray[np.bool_]] = {}
    strict = [r for r in loose if r not in _FLAGGED]
    if strict:
        coerced = validate_frame(frame[[names[r] for r in strict]], _schema(names, strict))
        for role in strict:
            out[names[role]] = coerced[names[role]].array
    for role in (r for r in loose if r in _FLAGGED):
        values, bad = _text_or_flag(frame[names[role]], str(names[role]), _PII[role])
        out[names[role]] = values
        if bad is not None:
            non_text[role] = bad
    return frame, out, non_text


def _text_or_flag(
    values: pd.Series, column: str, pii: str | None
) -> tuple[Any, NDArray[np.bool_] | None]:
    """``values`` as a ``str`` array with non-text cells read as missing, and their mask."""
    nulls = missing_mask(values)
    try:
        coerced = coerce_values("str", values[~nulls], column, True)
        bad = None
    except BadValuesError as error:
        bad = np.zeros(len(values), dtype=bool)
        bad[np.flatnonzero(~nulls)[error.mask]] = True
        if error.rule != Rule.NOT_TEXT:  # text UTF-8 cannot hold: the file was misread
            raise_for_rows(
                f"records: {error.message}",
                column=column,
                rule=error.rule,
                mask=bad,
                series=values,
                pii=pii,
            )
        nulls = nulls | bad
        coerced = coerce_values("str", values[~nulls], column, True)
    full = np.empty(len(values), dtype=object)
    full[:] = None
    full[~nulls] = np.asarray(coerced, dtype=object)
    return pd.array(full, dtype="str"), bad


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
        raise_for_rows(
            "id numbers must be text (or integers): a float cannot hold an 18-digit number "
            "exactly; read the column as text",
            column=column,
            rule=Rule.NOT_TEXT,
            mask=floats,
            series=values,
            pii="id",
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
            f"workers must be a positive integer, got {workers!r}",
            column="workers",
            rule=Rule.TYPE,
        )
    return workers


def standardize(
    records: Any,
    *,
    as_of: DateLike,
    policy: StandardizePolicy = DEFAULT_STANDARDIZE_POLICY,
    columns: Mapping[str, Any] | None = None,
    workers: int | None = None,
) -> pd.DataFrame:
    """Return ``records`` with canonical ids, validity, name keys, address parts and checks.

    Args:
        records: one row per customer record, with the columns ``id_type``, ``id_number``,
            ``name``, ``birth_date``, ``gender``, ``phone``, ``address`` and optionally
            ``name_latin`` (other columns are kept as they are). A pandas frame (NumPy,
            nullable or Arrow-backed dtypes), a pyarrow ``Table`` or a polars ``DataFrame``.
        as_of: the date the records are judged on (birth dates after it are invalid): a
            ``date``, ISO text or a midnight ``Timestamp`` (:func:`bankcrm.calendar.as_date`).
        policy: the settings (:class:`StandardizePolicy`); its name and version are stamped.
        columns: the frame's own column names by role, for example ``{"id_number": "cert_no"}``.
        workers: threads to use (default: 2, or 1 on a one-CPU machine); ``1`` runs
            everything in the calling thread. The result is the same for any value.

    Returns:
        A new frame: the input columns and :data:`OUTPUT_COLUMNS` (see the module docstring),
        same index and row order.

    Raises:
        InputError: if ``records`` is not a table (rule ``type``), has duplicate column labels
            (``duplicate_columns``), lacks required columns (``required``, all of them in one
            error), already has an output column (``output_columns``), holds floats in the id
            column or non-text names or addresses (``not_text``), or ``as_of`` is not a date
            (``date``, ``timezone``). Non-text id types, id numbers and phones are not errors:
            they are flagged ``not_text`` in the reason columns. Id numbers and phones are
            masked in messages.
    """
    day = as_date(as_of, name="as_of")
    if not isinstance(policy, StandardizePolicy):
        raise InputError(
            f"policy must be a StandardizePolicy, got {type(policy).__name__}",
            column="policy",
            rule=Rule.TYPE,
        )
    names = column_names(columns, INPUT_COLUMNS, where="standardize")
    read, checked, non_text = _check_inputs(records, names)
    workers = _workers(workers)

    # The four parts are independent; run them on ``workers`` threads (the string kernels and
    # numpy release the GIL). Each is a pure function of its columns, so the result does not
    # depend on how they are scheduled. Addresses take the longest: their distinct values are
    # cut into parts that the threads pick up as they come free.
    with ThreadPoolExecutor(max_workers=workers) if workers > 1 else _InThread() as pool:
        address_job = pool.submit(
            _address_parts, checked[names["address"]], 1 if workers == 1 else 3 * workers
        )
        people_job = pool.submit(_name_columns, checked, names)
        ids_job = pool.submit(
            validate_id_column,
            checked[names["id_type"]],
            checked[names["id_number"]],
            as_of=day,
            strict=policy.strict_ids,
            aliases=policy.id_types,
        )
        phones_job = pool.submit(validate_phone_column, read[names["phone"]])
        index, codes, parts = address_job.result()
        fields_jobs = [pool.submit(_fields_of_distinct, part) for part in parts]
        ids = ids_job.result()
        fields = check_fields(
            checked[names["birth_date"]],
            checked[names["gender"]],
            ids["id_birth_date"],
            ids["id_gender"],
        )
        phones, people = phones_job.result(), people_job.result()
        places = _address_rows([job.result() for job in fields_jobs], codes, index)
    _flag_non_text(ids, "id_reason", non_text.get("id_number"))
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
    # The caller's own columns come back as they were (Arrow dtypes too); copy-on-write: the
    # caller's frame is never touched. A pyarrow or polars table comes back as pandas.
    out = (records if isinstance(records, pd.DataFrame) else read).copy(deep=False)
    for name in OUTPUT_COLUMNS:
        out[name] = added[name].array
    return stamp_provenance(out, policy.provenance(day, producer="bankcrm.identity.standardize"))


def _flag_non_text(results: pd.DataFrame, column: str, mask: NDArray[np.bool_] | None) -> None:
    """Reason ``not_text`` where a present non-text value was read as missing (in place)."""
    if mask is None:
        return
    where = mask & results[column].eq(Reason.MISSING.value).to_numpy(dtype=bool, na_value=False)
    if where.any():
        reasons = results[column].copy()
        reasons.iloc[np.flatnonzero(where)] = Reason.NOT_TEXT.value
        results[column] = reasons
