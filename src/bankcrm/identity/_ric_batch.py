"""Vectorised validation of a whole id column, equal to :func:`~bankcrm.identity.validate_id`.

The batch path of :mod:`bankcrm.identity.ric` (and, through the scalar validators, of every
other id type). Row ``i`` of :func:`validate_id_column` says what
``bankcrm.identity.validate_id(id_types[i], id_numbers[i], as_of=as_of, strict=strict)`` says
(the canonical number, or the first finding's reason).

Speed comes from the shape of real data. Most resident id numbers are already clean: 18 ASCII
characters (or 15 digits). Those are checked together as a ``uint8`` matrix — the weighted MOD
11-2 sum is one matrix product, birth dates are checked with integer arithmetic, the province
with a lookup table. Numbers with full-width digits, spaces or a lower-case ``x`` are cleaned
once per distinct value with the scalar cleaner and then join the matrix. Everything else (other
id types, malformed values, non-text objects) goes to the scalar validators, once per distinct
``(id type, value)``.

>>> import datetime as dt
>>> out = validate_id_column(
...     pd.Series(["RIC", "RIC", "RIC", "PASSPORT"]),
...     pd.Series(["11010519491231002X", "110105491231002", "11010519491231002", "E12345678"]),
...     as_of=dt.date(2026, 1, 4),
... )
>>> out[["id_canonical", "id_valid", "id_reason", "id_upgraded"]]
         id_canonical  id_valid id_reason  id_upgraded
0  11010519491231002X      True       NaN        False
1  11010519491231002X      True       NaN         True
2                 NaN     False    length        False
3           E12345678      True       NaN        False
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from bankcrm.errors import InvalidIdentifier
from bankcrm.identity import ric
from bankcrm.identity._distinct import memo_key, str_take
from bankcrm.identity._text import coerce_as_of
from bankcrm.identity.checksums import RIC_WEIGHTS
from bankcrm.identity.dispatch import (
    DEFAULT_ID_TYPE_ALIASES,
    IdType,
    IdTypeAliases,
    validate_id,
)
from bankcrm.identity.reasons import Reason
from bankcrm.identity.regions import PROVINCES, lookup_region

__all__ = ["ID_COLUMNS", "validate_id_column"]

#: The columns of :func:`validate_id_column`.
ID_COLUMNS = (
    "id_canonical",
    "id_valid",
    "id_reason",
    "id_upgraded",
    "id_birth_date",
    "id_gender",
)

IntArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]
ByteMatrix = npt.NDArray[np.uint8]

_ZERO, _NINE, _X = ord("0"), ord("9"), ord("X")
_CHECK_CHARS = np.frombuffer(b"10X98765432", dtype=np.uint8)
_WEIGHTS16 = np.array(RIC_WEIGHTS, dtype=np.uint16)
_MIN_BIRTH = ric.MIN_BIRTH_DATE.year * 10000 + ric.MIN_BIRTH_DATE.month * 100 + 1
_PERMIT_CODES = frozenset(int(code) for code in ric.PERMIT_PROVINCES)
_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)
# Reason codes in the order the scalar RIC validator reports them after the shape checks.
_REASONS = (
    None,
    Reason.REGION.value,
    Reason.BIRTH_DATE.value,
    Reason.FUTURE_BIRTH_DATE.value,
    Reason.CHECK_CHARACTER.value,
)


def _province_table() -> BoolArray:
    table = np.zeros(100, dtype=bool)
    for code in PROVINCES:
        if int(code) not in _PERMIT_CODES:
            table[int(code)] = True
    return table


# --------------------------------------------------------------------------------------------
# fixed-width byte matrices of string columns


class _Utf8Column:
    """A text column as pyarrow holds it: byte lengths (−1 when missing) and row slices."""

    def __init__(self, array: Any) -> None:
        self.array = array
        offsets = self._offsets(array)
        present = ~np.asarray(array.is_null().to_numpy(zero_copy_only=False), dtype=bool)
        self.lengths = np.where(present, np.diff(offsets), -1).astype(np.intp)

    @staticmethod
    def _offsets(array: Any) -> npt.NDArray[np.int64]:
        kind = np.int32 if array.type == pa.string() else np.int64
        buffer = array.buffers()[1]
        if buffer is None:
            return np.zeros(len(array) + 1, dtype=np.int64)
        raw = np.frombuffer(buffer, dtype=kind)
        return raw[array.offset : array.offset + len(array) + 1].astype(np.int64)

    @classmethod
    def of(cls, values: pd.Series) -> _Utf8Column | None:
        """The column, or ``None`` if pyarrow cannot hold it as text (non-text objects)."""
        try:
            array = pa.array(values, from_pandas=True)
        except (pa.ArrowException, TypeError, ValueError):
            return None
        if isinstance(array, pa.ChunkedArray):
            array = array.combine_chunks()
        if array.type == pa.null():
            array = pa.array([None] * len(values), type=pa.large_string())
        if array.type not in (pa.string(), pa.large_string()):
            return None
        return cls(array)

    def rows(self, rows: IntArray, width: int) -> ByteMatrix:
        """The bytes of ``rows`` (each exactly ``width`` bytes long) as an ``(n, width)`` matrix."""

        if not len(rows):
            return np.zeros((0, width), dtype=np.uint8)
        mask = np.zeros(len(self.array), dtype=bool)
        mask[rows] = True
        picked = pc.filter(self.array, pa.array(mask))  # contiguous: rows are width bytes apart
        start = int(self._offsets(picked)[0])
        data = np.frombuffer(picked.buffers()[2], dtype=np.uint8)
        return np.asarray(data[start : start + len(rows) * width], dtype=np.uint8).reshape(
            len(rows), width
        )


def _matrix_of(texts: list[str], width: int) -> ByteMatrix:
    if not texts:
        return np.zeros((0, width), dtype=np.uint8)
    raw = "".join(texts).encode("ascii")
    return np.frombuffer(raw, dtype=np.uint8).reshape(len(texts), width).copy()


# --------------------------------------------------------------------------------------------
# the resident id kernel


def _is_digit(matrix: ByteMatrix) -> BoolArray:
    return np.asarray((matrix - np.uint8(_ZERO)) <= 9, dtype=bool)  # uint8 wraps below "0"


def _weighted_check(matrix: ByteMatrix) -> ByteMatrix:
    """The MOD 11-2 check characters of the 17-digit bodies (ASCII bytes)."""
    # sum(w * (c - 48)) = sum(w * c) - 48 * sum(w); the sums fit in 16 bits.
    total = matrix[:, :17] @ _WEIGHTS16 - np.uint16(_ZERO * int(_WEIGHTS16.sum()))
    return np.asarray(_CHECK_CHARS[total % 11], dtype=np.uint8)


def _upgrade(matrix15: ByteMatrix) -> ByteMatrix:
    """Legacy 15-digit numbers → 18 characters: "19" inserted, check character appended."""
    n = len(matrix15)
    out = np.empty((n, 18), dtype=np.uint8)
    out[:, :6] = matrix15[:, :6]
    out[:, 6] = ord("1")
    out[:, 7] = _NINE
    out[:, 8:17] = matrix15[:, 6:]
    out[:, 17] = _weighted_check(out)
    return out


def _number(matrix: ByteMatrix, start: int, stop: int) -> npt.NDArray[np.int32]:
    value = np.zeros(len(matrix), dtype=np.int32)
    for column in range(start, stop):
        value = value * 10 + (matrix[:, column].astype(np.int32) - _ZERO)
    return value


def _ric_kernel(
    matrix: ByteMatrix, has_check: BoolArray, as_of: dt.date | None, strict: bool
) -> tuple[IntArray, npt.NDArray[np.int32]]:
    """Reason index (0 = valid, else into ``_REASONS``) and birth date as YYYYMMDD.

    ``matrix`` holds 18 characters per row: 17 digits and a digit or ``X``.
    """
    province = _number(matrix, 0, 2)
    region_bad = ~_province_table()[province]
    if strict:
        unique, inverse = np.unique(_number(matrix, 0, 6), return_inverse=True)
        known = np.array([lookup_region(f"{c:06d}") is not None for c in unique], dtype=bool)
        region_bad |= ~known[inverse]
    year, month, day = _number(matrix, 6, 10), _number(matrix, 10, 12), _number(matrix, 12, 14)
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    month_ok = (month >= 1) & (month <= 12)
    days = _DAYS[np.clip(month, 0, 12)] + ((month == 2) & leap)
    yyyymmdd = year * 10000 + month * 100 + day
    birth_bad = ~month_ok | (day < 1) | (day > days) | (yyyymmdd < _MIN_BIRTH)
    future = np.zeros(len(matrix), dtype=bool)
    if as_of is not None:
        future = ~birth_bad & (yyyymmdd > as_of.year * 10000 + as_of.month * 100 + as_of.day)
    check_bad = has_check & (_weighted_check(matrix) != matrix[:, 17])
    reason = np.select([region_bad, birth_bad, future, check_bad], [1, 2, 3, 4], default=0)
    return reason.astype(np.intp), yyyymmdd


def _clean_shape(matrix: ByteMatrix) -> tuple[BoolArray, BoolArray]:
    """Rows that are 18 characters (17 digits + digit or ``X``) and 15-digit rows."""
    if matrix.shape[1] == 18:
        ok = _is_digit(matrix[:, :17]).all(axis=1) & (
            _is_digit(matrix[:, 17]) | (matrix[:, 17] == _X)
        )
        return np.asarray(ok, dtype=bool), np.zeros(len(matrix), dtype=bool)
    return np.zeros(len(matrix), dtype=bool), np.asarray(_is_digit(matrix).all(axis=1), dtype=bool)


# --------------------------------------------------------------------------------------------
# results


class _Results:
    """Column buffers for the id results, filled by the kernel and the scalar fallback."""

    def __init__(self, n: int) -> None:
        self.reason = np.zeros(n, dtype=np.intp)  # index into self.reasons
        self.reasons: list[str | None] = list(_REASONS)
        self.upgraded = np.zeros(n, dtype=bool)
        self.birth = np.zeros(n, dtype=np.int64)  # YYYYMMDD, 0 for none
        self.gender = np.zeros(n, dtype=np.int8)  # 0 none, 1 male, 2 female
        self.canonical_code = np.full(n, -1, dtype=np.intp)  # into self.canonicals
        self.canonicals: list[str] = []
        self.same_as_input = np.zeros(n, dtype=bool)
        self.done = np.zeros(n, dtype=bool)

    def reason_index(self, reason: str) -> int:
        if reason not in self.reasons:
            self.reasons.append(reason)
        return self.reasons.index(reason)


def _apply_kernel(
    out: _Results,
    rows: IntArray,
    matrix: ByteMatrix,
    upgraded: BoolArray,
    same_as_input: BoolArray,
    as_of: dt.date | None,
    strict: bool,
) -> None:
    reason, yyyymmdd = _ric_kernel(matrix, ~upgraded, as_of, strict)
    valid = reason == 0
    out.reason[rows] = reason
    out.done[rows] = True
    vrows = rows[valid]
    out.upgraded[vrows] = upgraded[valid]
    out.birth[vrows] = yyyymmdd[valid]
    out.gender[vrows] = np.where((matrix[valid, 16] - _ZERO) % 2 == 1, 1, 2)
    out.same_as_input[vrows] = same_as_input[valid]
    rebuilt = valid & ~same_as_input
    if rebuilt.any():
        texts = matrix[rebuilt].tobytes().decode("ascii")
        start = len(out.canonicals)
        out.canonicals.extend(texts[i : i + 18] for i in range(0, len(texts), 18))
        out.canonical_code[rows[rebuilt]] = np.arange(start, len(out.canonicals))


def _scalar(
    out: _Results,
    rows: IntArray,
    types: list[object],
    values: list[object],
    as_of: object,
    strict: bool,
) -> None:
    """The scalar validator, once per distinct (id type, value)."""
    memo: dict[tuple[object, object], tuple[int, bool, int, int, int]] = {}
    for row, id_type, value in zip(rows, types, values, strict=True):
        key = (memo_key(id_type), memo_key(value))
        found = memo.get(key)
        if found is None:
            found = memo.setdefault(key, _scalar_one(out, id_type, value, as_of, strict))
        reason, upgraded, birth, gender, canonical = found
        out.reason[row], out.upgraded[row], out.birth[row] = reason, upgraded, birth
        out.gender[row], out.canonical_code[row] = gender, canonical
        out.done[row] = True


def _scalar_one(
    out: _Results, id_type: object, value: object, as_of: object, strict: bool
) -> tuple[int, bool, int, int, int]:
    try:
        info = validate_id(id_type, value, as_of=as_of, strict=strict)
    except InvalidIdentifier as error:
        return out.reason_index(error.reason), False, 0, 0, -1
    born = getattr(info, "birth_date", None)
    birth = born.year * 10000 + born.month * 100 + born.day if born is not None else 0
    gender = {"M": 1, "F": 2}.get(str(getattr(info, "gender", None)), 0)
    out.canonicals.append(info.number)
    upgraded = bool(getattr(info, "upgraded_from_15", False))
    return 0, upgraded, birth, gender, len(out.canonicals) - 1


def _canonical_types(id_types: pd.Series, aliases: IdTypeAliases) -> tuple[pd.Series, BoolArray]:
    """The id type column with every code or alias ``aliases`` knows written as its
    :class:`IdType` code (others kept as they are, for the scalar validator to report), and
    the rows whose type is RIC. Each distinct value is looked up once."""
    try:
        codes, uniques = pd.factorize(id_types, use_na_sentinel=True)
    except TypeError:  # unhashable cells: looked up one by one
        found = [aliases.lookup(v) for v in id_types.tolist()]
        cells = [v if f is None else f.value for v, f in zip(id_types, found, strict=True)]
        series = pd.Series(cells, index=id_types.index, dtype=object)
        return series, np.array([f is IdType.RIC for f in found], dtype=bool)
    known = [aliases.lookup(u) for u in uniques.tolist()]
    is_ric = np.array([k is IdType.RIC for k in known] + [False], dtype=bool)
    if all(k is None or k.value == u for k, u in zip(known, uniques.tolist(), strict=True)):
        return id_types, is_ric[np.asarray(codes)]
    table = np.array(
        [
            *(u if k is None else k.value for k, u in zip(known, uniques.tolist(), strict=True)),
            None,
        ],
        dtype=object,
    )
    canonical = pd.Series(table[np.asarray(codes)], index=id_types.index, dtype=object)
    missing = np.asarray(codes) < 0
    if missing.any():  # keep the original missing values (None, NaN, NA) for the reasons
        canonical[missing] = id_types[missing]
    return canonical, is_ric[np.asarray(codes)]


def _objects(series: pd.Series, rows: IntArray) -> list[object]:
    """The cells as Python objects (missing text cells come out as NaN, which the scalar
    validators treat like ``None``)."""
    return list(series.iloc[rows].to_numpy(dtype=object))


# Written forms the vectorised cleaner takes: digits, x and the separators people type, in
# ASCII or full width. NFKC maps each of these characters the same in every Unicode version.
_RIC_WRITTEN = "[0-9Xx０-９Ｘｘ 　-]+"


def _clean_ric_text(values: pd.Series) -> pd.Series:
    """``ric.compact`` of written forms of :data:`_RIC_WRITTEN` (NFKC, no separators, upper)."""
    return values.str.normalize("NFKC").str.replace("[ -]", "", regex=True).str.upper()


def _kernel_rows(
    out: _Results,
    rows: IntArray,
    matrix: ByteMatrix,
    *,
    same_as_input: bool,
    as_of: dt.date | None,
    strict: bool,
) -> None:
    """Run the kernel on rows of 18 (or 15) characters, skipping rows of another shape."""
    long_ok, short_ok = _clean_shape(matrix)
    if matrix.shape[1] == 18:
        ok = long_ok
        ready, upgraded = matrix[ok], np.zeros(int(ok.sum()), dtype=bool)
    else:
        ok = short_ok
        ready, upgraded = _upgrade(matrix[ok]), np.ones(int(ok.sum()), dtype=bool)
    same = np.full(int(ok.sum()), same_as_input and matrix.shape[1] == 18)
    _apply_kernel(out, rows[ok], ready, upgraded, same, as_of, strict)


def validate_id_column(
    id_types: pd.Series,
    id_numbers: pd.Series,
    *,
    as_of: object = None,
    strict: bool = False,
    aliases: IdTypeAliases = DEFAULT_ID_TYPE_ALIASES,
) -> pd.DataFrame:
    """Validate every row's id number under its id type, like :func:`validate_id` row by row.

    Args:
        id_types: id type codes (:class:`~bankcrm.identity.dispatch.IdType` values).
        id_numbers: the numbers, as stored (text, integers, anything).
        as_of: reject birth dates after this date.
        strict: the id types' strict modes.
        aliases: the id type codes and aliases understood (:class:`IdTypeAliases`).

    Returns:
        A frame with the index of ``id_numbers`` and the columns ``id_canonical`` (``str``,
        missing if invalid), ``id_valid``, ``id_reason`` (the reason code, missing if valid),
        ``id_upgraded`` (a legacy 15-digit number), ``id_birth_date`` (``datetime64[s]``, from
        numbers that carry one) and ``id_gender`` (``"M"`` / ``"F"``, where the number says).
    """
    as_of_date = coerce_as_of(as_of)
    out = _Results(len(id_numbers))
    id_types, is_ric = _canonical_types(id_types, aliases)
    column = _Utf8Column.of(id_numbers)
    if column is not None:
        # Clean numbers: 18 characters or 15 digits, read straight from the Arrow buffers.
        for width in (18, 15):
            rows = np.flatnonzero(is_ric & (column.lengths == width))
            _kernel_rows(
                out,
                rows,
                column.rows(rows, width),
                same_as_input=True,
                as_of=as_of_date,
                strict=strict,
            )
        # Written with full-width digits, spaces, dashes or a lower-case x: cleaned together.
        messy = np.flatnonzero(is_ric & ~out.done & (column.lengths > 0))
        if len(messy):
            text = pd.Series(pd.array(column.array.take(messy), dtype="str"), copy=False)
            written = text.str.fullmatch(_RIC_WRITTEN).to_numpy(dtype=bool)
            written = written & (text.str.len().to_numpy() <= 256)  # longer: scalar reason
            cleaned = _clean_ric_text(text[written])
            lengths = cleaned.str.len().to_numpy()
            for width in (18, 15):
                pick = lengths == width
                if pick.any():
                    _kernel_rows(
                        out,
                        messy[written][pick],
                        _matrix_of(cleaned[pick].tolist(), width),
                        same_as_input=False,
                        as_of=as_of_date,
                        strict=strict,
                    )
    rest = np.flatnonzero(~out.done)
    if len(rest):
        _scalar(out, rest, _objects(id_types, rest), _objects(id_numbers, rest), as_of, strict)
    return _assemble(out, id_numbers)


def _dates(yyyymmdd: npt.NDArray[np.int64]) -> npt.NDArray[np.datetime64]:
    """YYYYMMDD integers (0 = none) as ``datetime64[s]`` (NaT for none)."""
    have = yyyymmdd > 0
    year = np.where(have, yyyymmdd // 10000, 1970)
    month = np.where(have, yyyymmdd // 100 % 100, 1)
    day = np.where(have, yyyymmdd % 100, 1)
    days = (
        (year - 1970).astype("datetime64[Y]").astype("datetime64[M]")
        + (month - 1).astype("timedelta64[M]")
    ).astype("datetime64[D]") + (day - 1).astype("timedelta64[D]")
    out = np.asarray(days, dtype="datetime64[s]")
    out[~have] = np.datetime64("NaT")
    return out


def _assemble(out: _Results, id_numbers: pd.Series) -> pd.DataFrame:
    index = id_numbers.index
    valid = out.reason == 0
    if out.same_as_input.any():  # only rows read through pyarrow: all text
        if isinstance(id_numbers.dtype, pd.StringDtype):
            original = pd.Series(id_numbers.array, index=index, copy=False)
        else:
            original = id_numbers.astype(object).where(out.same_as_input).astype("str")
        canonical = original.where(out.same_as_input)
        rebuilt = np.flatnonzero(out.canonical_code >= 0)
        if len(rebuilt):  # usually a few per cent: legacy, written forms, other id types
            canonical.iloc[rebuilt] = pd.Index(
                str_take(out.canonicals, out.canonical_code[rebuilt]), dtype="str"
            )
    else:
        canonical = pd.Series(str_take(out.canonicals, out.canonical_code), index=index)
    reason = pd.Series(str_take(out.reasons, np.where(valid, -1, out.reason)), index=index)
    gender = pd.Series(
        str_take([None, "M", "F"], np.where(out.gender > 0, out.gender, -1)), index=index
    )
    return pd.DataFrame(
        {
            "id_canonical": canonical,
            "id_valid": pd.Series(valid, index=index),
            "id_reason": reason,
            "id_upgraded": pd.Series(out.upgraded & valid, index=index),
            "id_birth_date": pd.Series(_dates(np.where(valid, out.birth, 0)), index=index),
            "id_gender": gender,
        },
        index=index,
    )
