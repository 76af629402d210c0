"""Policies as data: frozen attrs objects with a name, a version and an effective date.

A bank's rules (the 15 % group limit, tier thresholds, review calendars) live in subclasses of
:class:`Policy`. Every policy round-trips exactly through a dict, JSON and TOML, so a bank can
keep its settings in a file it edits and reviews; Decimals are written as strings so
``0.15`` stays ``0.15``. A malformed file raises :class:`~bankcrm.errors.PolicyError` naming
the field path and what is wrong (unknown field, missing field, wrong type, bad date, bad
decimal). Results carry a :class:`Provenance` (policy name, version and ``as_of``); frames get
it in ``frame.attrs["bankcrm"]`` via :func:`stamp_provenance`.

Supported field types: str, int, float, bool, Decimal, Fraction, date, datetime, Enum,
nested attrs classes, ``tuple[X, ...]``, ``tuple[X, Y]``, ``list[X]``, ``frozenset[X]``,
``dict[K, V]``, ``X | None`` and unions, ``Literal``. TOML has no null: ``None`` fields are
left out of TOML files, and an absent optional field reads back as ``None``.

>>> import attrs, datetime as dt
>>> from decimal import Decimal
>>> @attrs.frozen(kw_only=True)
... class WealthTier(Policy):
...     threshold_yuan: Decimal
...     review_months: tuple[int, ...] = (1, 7)
>>> tier = WealthTier(name="wealth", version="2026.1", effective_date=dt.date(2026, 1, 1),
...                   threshold_yuan=Decimal("1000000"))
>>> print(tier.to_toml())
name = "wealth"
version = "2026.1"
effective_date = "2026-01-01"
threshold_yuan = "1000000"
review_months = [
    1,
    7,
]
<BLANKLINE>
>>> WealthTier.from_toml(tier.to_toml()) == tier
True
>>> WealthTier.from_dict({"name": "w", "version": "1", "effective_date": "2026-02-30",
...                       "threshold_yuan": "1e6"})
Traceback (most recent call last):
...
bankcrm.errors.PolicyError: effective_date: bad date '2026-02-30': expected YYYY-MM-DD
"""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from collections.abc import Mapping
from decimal import Decimal
from importlib.metadata import PackageNotFoundError, version
from os import PathLike
from pathlib import Path
from typing import Any, Self, TypeVar

import attrs
import pandas as pd
import tomli_w

from bankcrm._serial import decode, encode
from bankcrm.errors import PolicyError

__all__ = [
    "Policy",
    "Provenance",
    "Serializable",
    "effective",
    "load",
    "load_policy",
    "named",
    "read_provenance",
    "save",
    "save_policy",
    "stamp_provenance",
    "versioned",
]

S = TypeVar("S", bound="Serializable")

#: The key under which bankcrm keeps its metadata in ``DataFrame.attrs``.
ATTRS_KEY = "bankcrm"


def _non_empty(_instance: Any, attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise PolicyError(f"{attribute.name}: must be a non-empty string, got {value!r}")


def _is_date(_instance: Any, attribute: attrs.Attribute[dt.date], value: dt.date) -> None:
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise PolicyError(f"{attribute.name}: must be a date, got {value!r}")


class Serializable:
    """Mixin of everything bankcrm saves: policies and fitted state (edges, models).

    Subclasses are attrs classes; the default :meth:`to_dict` / :meth:`from_dict` go by their
    fields' types (:mod:`bankcrm._serial`) and may be overridden. JSON and TOML, and
    :func:`save` / :func:`load` for files, are built on them.
    """

    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON-compatible); Decimals become exact strings."""
        data: dict[str, Any] = encode(self)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Build from plain data, checking every field against its type.

        Raises:
            PolicyError: naming the field path and the problem.
        """
        result: Self = decode(cls, data)
        return result

    def to_json(self, *, indent: int | None = 2) -> str:
        """As JSON text."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str | bytes) -> Self:
        """Parse JSON text (numbers are read as exact Decimals where a Decimal is expected)."""
        if not isinstance(text, str | bytes | bytearray):
            raise PolicyError(f"expected JSON text, got {type(text).__name__}")
        try:
            data = json.loads(text, parse_float=Decimal)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise PolicyError(f"malformed JSON: {exc}") from None
        except RecursionError:
            raise PolicyError("malformed JSON: nested too deeply") from None
        return cls.from_dict(data)

    def to_toml(self) -> str:
        """As TOML text (``None`` fields are left out)."""
        data = _drop_none(self.to_dict(), "")
        return tomli_w.dumps(data)

    @classmethod
    def from_toml(cls, text: str | bytes) -> Self:
        """Parse TOML text (floats are read as exact Decimals); bytes are read as UTF-8."""
        if isinstance(text, bytes | bytearray):
            try:
                text = bytes(text).decode("utf-8")
            except UnicodeDecodeError as exc:
                raise PolicyError(f"malformed TOML: not UTF-8 ({exc})") from None
        if not isinstance(text, str):
            raise PolicyError(f"expected TOML text, got {type(text).__name__}")
        try:
            data = tomllib.loads(text, parse_float=Decimal)
        except tomllib.TOMLDecodeError as exc:
            raise PolicyError(f"malformed TOML: {exc}") from None
        except RecursionError:
            raise PolicyError("malformed TOML: nested too deeply") from None
        return cls.from_dict(data)


@attrs.frozen(kw_only=True)
class Policy(Serializable):
    """Base of every bankcrm policy: subclass with ``@attrs.frozen(kw_only=True)``.

    Attributes:
        name: what the policy is (``"cn_group_guideline"``).
        version: which edition (``"2010"``, ``"2026.1"``); results record it.
        effective_date: the first date the policy applies.
    """

    name: str = attrs.field(validator=_non_empty)
    version: str = attrs.field(validator=_non_empty)
    effective_date: dt.date = attrs.field(validator=_is_date)

    def provenance(
        self, as_of: dt.date | None = None, *, producer: str | None = None
    ) -> Provenance:
        """The provenance record of a result this policy produced for ``as_of``."""
        return Provenance(self.name, self.version, as_of, producer=producer)


def named(default: str) -> Any:
    """The ``name`` field of a policy subclass, with a default (see :func:`versioned`)."""
    return attrs.field(default=default, validator=_non_empty)


def versioned(default: str) -> Any:
    """The ``version`` field of a policy subclass, with a default.

    A policy whose settings a caller changes one at a time declares defaults for its identity,
    so that ``StandardizePolicy(strict_ids=True)`` works without naming a version::

        @attrs.frozen(kw_only=True)
        class RFMPolicy(Policy):
            name: str = named("bankcrm.segmentation.rfm")
            version: str = versioned("1")
            effective_date: dt.date = effective(dt.date(2026, 1, 1))
            window_days: int | None = None
    """
    return attrs.field(default=default, validator=_non_empty)


def effective(default: dt.date) -> Any:
    """The ``effective_date`` field of a policy subclass, with a default."""
    return attrs.field(default=default, validator=_is_date)


def _drop_none(value: Any, path: str) -> Any:
    if isinstance(value, dict):
        return {k: _drop_none(v, f"{path}.{k}") for k, v in value.items() if v is not None}
    if isinstance(value, list):
        if any(v is None for v in value):
            raise PolicyError(f"{path.lstrip('.')}: TOML cannot hold null list items")
        return [_drop_none(v, path) for v in value]
    return value


def _path(path: Any) -> Path:
    if not isinstance(path, str | PathLike):
        raise PolicyError(f"a policy file path must be a str or Path, got {type(path).__name__}")
    return Path(path)


def save(obj: Serializable, path: str | Path) -> Path:
    """Write a policy or fitted state to ``path`` as JSON or TOML, by the suffix; returns the path.

    Raises:
        PolicyError: ``obj`` cannot be saved, the suffix is unknown, or the file cannot be
            written (the message names the path and the operating system's reason).
    """
    if not isinstance(obj, Serializable):
        raise PolicyError(
            f"expected a policy or fitted state (bankcrm.policy.Serializable), got "
            f"{type(obj).__name__}"
        )
    target = _path(path)
    suffix = target.suffix.lower()
    if suffix == ".json":
        text = obj.to_json()
    elif suffix == ".toml":
        text = obj.to_toml()
    else:
        raise PolicyError(f"{target.name}: unknown file type; use .json or .toml")
    try:
        target.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    except OSError as exc:
        raise PolicyError(f"{target}: cannot write ({exc.strerror or exc})") from exc
    return target


def load(cls: type[S], path: str | Path) -> S:
    """Read a policy or fitted state of type ``cls`` from a ``.json`` or ``.toml`` file.

    Raises:
        PolicyError: for an unknown suffix, an unreadable or malformed file, or bad fields.
    """
    if not (isinstance(cls, type) and issubclass(cls, Serializable)):
        raise PolicyError(f"expected a policy or fitted-state class, got {cls!r}")
    source = _path(path)
    suffix = source.suffix.lower()
    if suffix not in (".json", ".toml"):
        raise PolicyError(f"{source.name}: unknown file type; use .json or .toml")
    try:
        text = source.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError(f"{source}: cannot read ({exc})") from exc
    try:
        return cls.from_json(text) if suffix == ".json" else cls.from_toml(text)
    except PolicyError as exc:
        raise PolicyError(f"{source.name}: {exc}") from None


#: The names these functions had before fitted state could be saved too.
save_policy = save
load_policy = load


def _package_version() -> str:
    try:
        return version("bankcrm")
    except PackageNotFoundError:  # pragma: no cover - source tree never installed
        return "unknown"


def _optional_date(value: Any) -> dt.date | None:
    if value is None or (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
        return value
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise PolicyError(f"as_of: bad date {value!r}")


@attrs.frozen
class Provenance:
    """Which policy (name and version) produced a result, for which ``as_of`` date.

    >>> p = Provenance("cn_group_guideline", "2010", dt.date(2026, 1, 4))
    >>> Provenance.from_dict(p.to_dict()) == p
    True
    """

    policy_name: str
    policy_version: str
    as_of: dt.date | None = attrs.field(default=None, converter=_optional_date)
    producer: str | None = attrs.field(default=None, kw_only=True)
    bankcrm_version: str = attrs.field(factory=_package_version, kw_only=True, eq=False)

    def to_dict(self) -> dict[str, Any]:
        """Plain data for ``DataFrame.attrs`` and JSON."""
        data: dict[str, Any] = encode(self)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Provenance:
        """Inverse of :meth:`to_dict`."""
        result: Provenance = decode(cls, data)
        return result


def stamp_provenance(frame: pd.DataFrame, *provenances: Provenance) -> pd.DataFrame:
    """Return ``frame`` (a cheap copy; the input is untouched) stamped with its provenance.

    The records are stored as plain dicts in ``frame.attrs["bankcrm"]["provenance"]`` (a list,
    first = the policy that produced the result). pandas carries ``attrs`` through most
    operations on the frame.

    Examples:
        >>> record = Provenance("p", "1", dt.date(2026, 1, 4))
        >>> out = stamp_provenance(pd.DataFrame({"x": [1]}), record)
        >>> out.attrs["bankcrm"]["provenance"][0]["policy_version"]
        '1'
        >>> read_provenance(out)[0].as_of
        datetime.date(2026, 1, 4)
    """
    if not isinstance(frame, pd.DataFrame):
        raise PolicyError(f"stamp_provenance needs a DataFrame, got {type(frame).__name__}")
    if not provenances:
        raise PolicyError("stamp_provenance needs at least one Provenance")
    for record in provenances:
        if not isinstance(record, Provenance):
            raise PolicyError(f"expected Provenance records, got {type(record).__name__}")
    out = frame.copy(deep=False)
    meta = dict(out.attrs.get(ATTRS_KEY, {}))
    meta["provenance"] = [p.to_dict() for p in provenances]
    out.attrs[ATTRS_KEY] = meta
    return out


def read_provenance(frame: pd.DataFrame) -> tuple[Provenance, ...]:
    """The provenance records stamped on ``frame`` (empty when it carries none).

    Raises:
        PolicyError: ``frame`` is not a DataFrame, or its records are malformed.
    """
    if not isinstance(frame, pd.DataFrame):
        raise PolicyError(f"read_provenance needs a DataFrame, got {type(frame).__name__}")
    meta = frame.attrs.get(ATTRS_KEY, {})
    records = meta.get("provenance", []) if isinstance(meta, Mapping) else []
    if not isinstance(records, list | tuple):
        raise PolicyError("malformed provenance: expected a list of records")
    return tuple(Provenance.from_dict(r) for r in records)
