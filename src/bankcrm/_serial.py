"""Type-directed conversion of attrs objects to and from plain data (dict / JSON / TOML values).

Encoding goes by value: attrs objects become dicts of their init fields, Decimals and Fractions
become strings (exact), dates ISO strings, enums their values, tuples and frozensets lists
(frozensets sorted, for stable files). Decoding goes by the field's type hint and reports the
path of the first bad field (``tiers[2].threshold.value``).
"""

from __future__ import annotations

import datetime as dt
import enum
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

import attrs

from bankcrm.errors import BankCRMError, PolicyError

__all__ = ["decode", "encode"]

_NONE_TYPE = type(None)


def encode(value: Any, path: str = "") -> Any:
    """Plain data (dict, list, str, int, float, bool, None) for ``value``."""
    if attrs.has(type(value)):
        return {
            field.name: encode(getattr(value, field.name), _join(path, field.name))
            for field in attrs.fields(type(value))
            if field.init
        }
    if isinstance(value, enum.Enum):
        return encode(value.value, path)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Fraction):
        return f"{value.numerator}/{value.denominator}"
    if isinstance(value, dt.date):  # datetime included
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [encode(v, f"{path}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, frozenset | set):
        items = [encode(v, f"{path}[]") for v in value]
        return sorted(items, key=repr)
    if isinstance(value, Mapping):
        return {str(encode(k, path)): encode(v, _join(path, str(k))) for k, v in value.items()}
    raise PolicyError(f"{path or 'policy'}: cannot serialise a {type(value).__name__}")


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _fail(path: str, message: str) -> PolicyError:
    return PolicyError(f"{path or 'policy'}: {message}")


def _type_hints(cls: type) -> dict[str, Any]:
    try:
        return typing.get_type_hints(cls)
    except (NameError, TypeError, AttributeError):
        return {f.name: f.type for f in attrs.fields(cls)}


def decode(tp: Any, value: Any, path: str = "") -> Any:
    """Convert plain data ``value`` to type ``tp``; raise :class:`PolicyError` naming the path."""
    if tp is Any or tp is object:
        return value
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is typing.Union or origin is types.UnionType:
        return _decode_union(args, value, path)
    if origin is typing.Literal:
        if value in args:
            return value
        raise _fail(path, f"expected one of {list(args)}, got {value!r}")
    if origin is typing.ClassVar:  # pragma: no cover - attrs ignores ClassVars
        return value
    if isinstance(tp, str):
        raise _fail(path, f"cannot resolve the type {tp!r}")
    if attrs.has(tp):
        return decode_attrs(tp, value, path)
    if origin is not None:
        return _decode_generic(origin, args, value, path)
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return _decode_enum(tp, value, path)
    decoder = _SCALARS.get(tp)
    if decoder is not None:
        return decoder(value, path)
    raise _fail(path, f"unsupported field type {tp!r}")


def decode_attrs(cls: type, value: Any, path: str) -> Any:
    """Build an attrs ``cls`` from a mapping, checking unknown and missing fields."""
    if not isinstance(value, Mapping):
        raise _fail(path, f"expected a table/object, got {type(value).__name__}")
    fields = [f for f in attrs.fields(cls) if f.init]
    names = {f.name for f in fields}
    unknown = sorted(str(k) for k in value if k not in names)
    if unknown:
        raise _fail(path, f"unknown field(s) {unknown}; expected some of {sorted(names)}")
    hints = _type_hints(cls)
    kwargs: dict[str, Any] = {}
    for field in fields:
        where = _join(path, field.name)
        if field.name not in value:
            if field.default is attrs.NOTHING:
                if _allows_none(hints.get(field.name, field.type)):
                    kwargs[field.alias] = None  # TOML cannot write None: absent means None
                    continue
                raise _fail(where, "missing required field")
            continue
        kwargs[field.alias] = _decode_field(field, hints, value[field.name], where)
    try:
        return cls(**kwargs)
    except PolicyError as exc:
        raise _fail(path, str(exc)) from None
    except (BankCRMError, ValueError, TypeError) as exc:
        raise _fail(path, f"invalid {cls.__name__}: {exc}") from None


def _decode_field(field: Any, hints: dict[str, Any], raw: Any, where: str) -> Any:
    """Decode one field by its type hint.

    A scalar field with a converter may also take a scalar its converter turns into the hinted
    type (a Threshold's ``value = "15%"``). Containers never take this path: a converter such as
    ``tuple`` would accept anything and let malformed items through undecoded.
    """
    hint = hints.get(field.name, field.type)
    try:
        return decode(hint, raw, where)
    except PolicyError:
        converter = field.converter
        wrapped = getattr(attrs, "Converter", ())  # attrs >= 24.1 wraps some converters
        scalar = isinstance(raw, str | int | float | Decimal) and not isinstance(raw, bool)
        if (
            not scalar
            or not isinstance(hint, type)
            or converter is None
            or isinstance(converter, wrapped)
            or not callable(converter)
        ):
            raise
        try:
            converted = converter(raw)
        except (BankCRMError, ValueError, TypeError, ArithmeticError):
            converted = None
        if isinstance(converted, hint):
            return converted
        raise  # the field's own type error, which names its path


def _allows_none(tp: Any) -> bool:
    origin = typing.get_origin(tp)
    return (origin is typing.Union or origin is types.UnionType) and _NONE_TYPE in typing.get_args(
        tp
    )


def _decode_union(args: tuple[Any, ...], value: Any, path: str) -> Any:
    if value is None:
        if _NONE_TYPE in args:
            return None
        raise _fail(path, "must not be null")
    errors = []
    for arg in args:
        if arg is _NONE_TYPE:
            continue
        try:
            return decode(arg, value, path)
        except PolicyError as exc:
            errors.append(str(exc))
    raise PolicyError(errors[-1] if len(errors) == 1 else " / ".join(errors))


def _decode_generic(origin: Any, args: tuple[Any, ...], value: Any, path: str) -> Any:
    if origin in (tuple, list, frozenset, set, Sequence):
        if not isinstance(value, list | tuple):
            raise _fail(path, f"expected a list, got {type(value).__name__}")
        if origin is tuple and not (len(args) == 2 and args[1] is Ellipsis) and args:
            if len(value) != len(args):
                raise _fail(path, f"expected {len(args)} items, got {len(value)}")
            pairs = enumerate(zip(args, value, strict=True))
            return tuple(decode(a, v, f"{path}[{i}]") for i, (a, v) in pairs)
        item = args[0] if args else Any
        items = [decode(item, v, f"{path}[{i}]") for i, v in enumerate(value)]
        if origin in (frozenset, set):
            return frozenset(items)
        return items if origin is list else tuple(items)
    if origin in (dict, Mapping):
        if not isinstance(value, Mapping):
            raise _fail(path, f"expected a table/object, got {type(value).__name__}")
        key_type, value_type = args if args else (Any, Any)
        return {
            decode(key_type, k, f"{path}[{k!r}]"): decode(value_type, v, _join(path, str(k)))
            for k, v in value.items()
        }
    raise _fail(path, f"unsupported field type {origin!r}")


def _decode_enum(tp: type[enum.Enum], value: Any, path: str) -> enum.Enum:
    if isinstance(value, tp):
        return value
    try:
        return tp(value)
    except ValueError:
        pass
    if isinstance(value, str) and value in tp.__members__:
        return tp[value]
    allowed = [m.value for m in tp]
    raise _fail(path, f"expected one of {allowed}, got {value!r}")


def _decode_str(value: Any, path: str) -> str:
    if isinstance(value, str):
        return value
    raise _fail(path, f"expected text, got {type(value).__name__}")


def _decode_bool(value: Any, path: str) -> bool:
    if isinstance(value, bool):
        return value
    raise _fail(path, f"expected true or false, got {value!r}")


def _decode_int(value: Any, path: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            pass
    raise _fail(path, f"expected an integer, got {value!r}")


def _decode_float(value: Any, path: str) -> float:
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        try:
            return float(value)
        except OverflowError:
            raise _fail(path, f"number too large for a float: {value!r}") from None
    raise _fail(path, f"expected a number, got {value!r}")


def _decode_decimal(value: Any, path: str) -> Decimal:
    if isinstance(value, bool):
        raise _fail(path, f"bad decimal {value!r}")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, float):
        result = Decimal(repr(value))  # what the file said, not the binary expansion
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip().replace("_", ""))
        except InvalidOperation:
            raise _fail(path, f"bad decimal {value!r}") from None
    else:
        raise _fail(path, f"bad decimal: expected a number or text, got {type(value).__name__}")
    if not result.is_finite():
        raise _fail(path, f"bad decimal {value!r} (must be finite)")
    return result


def _decode_fraction(value: Any, path: str) -> Fraction:
    if isinstance(value, Fraction):
        return value
    if isinstance(value, str) and "/" in value:
        try:
            return Fraction(value.strip())
        except (ValueError, ZeroDivisionError):
            raise _fail(path, f"bad fraction {value!r}") from None
    return Fraction(_decode_decimal(value, path))


def _decode_date(value: Any, path: str) -> dt.date:
    if isinstance(value, dt.datetime):
        raise _fail(path, f"bad date {value.isoformat()!r}: expected a date without a time")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise _fail(path, f"bad date {value!r}: expected YYYY-MM-DD")


def _decode_datetime(value: Any, path: str) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value.strip())
        except ValueError:
            pass
    raise _fail(path, f"bad datetime {value!r}: expected an ISO 8601 date and time")


_SCALARS: dict[Any, Callable[[Any, str], Any]] = {
    str: _decode_str,
    bool: _decode_bool,
    int: _decode_int,
    float: _decode_float,
    Decimal: _decode_decimal,
    Fraction: _decode_fraction,
    dt.date: _decode_date,
    dt.datetime: _decode_datetime,
}
