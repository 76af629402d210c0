"""The one exception hierarchy of bankcrm.

Every error bankcrm raises derives from :class:`BankCRMError`, and each concrete error also
derives from the built-in exception a caller would already catch, so ``except ValueError``
keeps working around bankcrm calls.

>>> issubclass(InputError, ValueError) and issubclass(InputError, BankCRMError)
True
>>> err = InputError("missing values are not allowed", column="amount", rule="missing",
...                  rows=[3, 7], positions=[3, 7])
>>> str(err)
"column 'amount': missing values are not allowed [rule: missing; rows: 3, 7]"
>>> err.rule is Rule.MISSING, err.rule == "missing"
(True, True)
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from typing import Any

__all__ = [
    "BankCRMError",
    "CalendarCoverageError",
    "InputError",
    "InvalidIdentifier",
    "MissingDependencyError",
    "NotFittedError",
    "PolicyError",
    "Rule",
]

#: How many offending row labels an error message lists before it says "and N more".
MAX_ROWS_SHOWN = 5


class BankCRMError(Exception):
    """Root of every error raised by bankcrm."""


class Rule(enum.StrEnum):
    """The rule an :class:`InputError` reports: one stable code per kind of bad input.

    A ``StrEnum``, so ``error.rule == "date"`` keeps working. Codes are grouped by what is
    wrong: the object passed, the frame's columns, one value, a relation between values, or
    an argument.
    """

    # The object passed in.
    TYPE = "type"  # not a frame / column / value of an accepted type
    FILE = "file"  # a file that cannot be found, read, decoded or written
    PATH = "path"  # a directory path that cannot be used
    ENCODING = "encoding"  # text in a file that is not in the stated encoding
    # The frame's columns.
    COLUMNS = "columns"  # unusable column labels (MultiIndex, unhashable)
    DUPLICATE_COLUMNS = "duplicate_columns"
    REQUIRED = "required"  # a required column is absent
    EXTRA_COLUMNS = "extra_columns"
    OUTPUT_COLUMNS = "output_columns"  # an input column would be overwritten by an output
    ROLES = "roles"  # a malformed ``columns=`` mapping
    KEY_TYPE = "key_type"  # key columns of different types across frames
    # One value.
    MISSING = "missing"  # a missing value where one is required
    DTYPE = "dtype"  # a column without the dtype asked for (no coercion)
    BOOL = "bool"  # not a truth value
    DATETIME = "datetime"  # not a date and time
    INT = "int"  # not a whole number
    NUMERIC = "numeric"  # not a number
    FINITE = "finite"  # NaN or infinite
    PRECISION = "precision"  # more decimal places than the unit holds
    NOT_TEXT = "not_text"  # a value present but not text
    NOT_UNICODE = "not_unicode"  # text UTF-8 cannot hold
    DATE = "date"  # not a date, or a date with a time of day
    TIMEZONE = "timezone"  # a time-zone-aware value where a plain date is needed
    DOMAIN = "domain"  # not one of the allowed values
    RANGE = "range"  # outside the allowed bounds
    POSITIVE = "positive"  # must be > 0
    NON_NEGATIVE = "non_negative"  # must be >= 0
    LENGTH = "length"  # wrong length of a text value
    GENDER = "gender"
    CURRENCY = "currency"
    FX_RATE = "fx_rate"  # no usable FX rate for a currency and day
    INVALID_ID = "invalid_id"  # an identifier failed its standard (see ``reason``)
    NEGATIVE_AMOUNT = "negative_amount"
    AFTER_AS_OF = "after_as_of"  # a dated row after the decision date
    NO_HISTORY = "no_history"  # a day an account was open but has no known balance
    INVALID = "invalid"  # a value no coercer could read (last resort)
    # Relations between values or frames.
    DUPLICATE_KEY = "duplicate_key"
    SAME_LENGTH = "same_length"
    DATE_ORDER = "date_order"  # start after end, or before after after
    UNKNOWN_GROUP = "unknown_group"
    MISMATCH = "mismatch"  # fitted state and policy (or two results) that do not fit together
    EMPTY = "empty"  # nothing to work on
    REPEAT_PURCHASES_REQUIRED = "repeat_purchases_required"
    RECENCY_WITHIN_T = "recency_within_T"  # a CLV summary's recency beyond its age T
    ZERO_WITHOUT_REPEAT = "zero_without_repeat"  # recency > 0 with no repeat purchase
    # Arguments.
    COUNT = "count"  # a count or size argument out of range
    RATE = "rate"  # a probability argument outside [0, 1]
    SEED = "seed"
    PERIOD = "period"
    COMPARATOR = "comparator"
    LANGUAGE = "language"
    ARGUMENTS = "arguments"  # an impossible combination of arguments


def _rule(value: Rule | str | None) -> Rule | None:
    if value is None or isinstance(value, Rule):
        return value
    try:
        return Rule(value)
    except ValueError:  # a programming error inside bankcrm: every code is in Rule
        raise PolicyError(f"unknown rule code {value!r}; add it to bankcrm.errors.Rule") from None


def _format_rows(rows: Sequence[Any], total: int) -> str:
    shown = ", ".join(str(r) for r in rows[:MAX_ROWS_SHOWN])
    more = total - min(len(rows), MAX_ROWS_SHOWN)
    return f"{shown} and {more} more" if more > 0 else shown


class InputError(BankCRMError, ValueError):
    """Bad input data: a missing column, a wrong type, a null, a value outside its domain.

    Attributes:
        column: the column (or argument) at fault, if any.
        rule: the :class:`Rule` that was broken.
        rows: the first offending row labels (already masked when they carry PII).
        positions: the 0-based positions of those rows in the input (empty when the error is
            not about rows).
        n_rows: how many rows broke the rule in total.
    """

    def __init__(
        self,
        message: str,
        *,
        column: str | None = None,
        rule: Rule | str | None = None,
        rows: Iterable[Any] = (),
        positions: Iterable[int] = (),
        n_rows: int | None = None,
    ) -> None:
        self.column = column
        self.rule = _rule(rule)
        self.rows: list[Any] = list(rows)
        self.positions: tuple[int, ...] = tuple(int(p) for p in positions)
        self.n_rows = len(self.rows) if n_rows is None else n_rows
        self.message = message
        super().__init__(self._render())

    def _render(self) -> str:
        head = f"column {self.column!r}: {self.message}" if self.column else self.message
        details = []
        if self.rule:
            details.append(f"rule: {self.rule.value}")
        if self.rows:
            details.append(f"rows: {_format_rows(self.rows, self.n_rows)}")
        return f"{head} [{'; '.join(details)}]" if details else head


class InvalidIdentifier(InputError):  # noqa: N818 - the name other modules already use
    """An identity number, credit code, passport or phone failed validation.

    ``reason`` is a stable code from :class:`bankcrm.identity.reasons.Reason` (for example
    ``"check_character"``); the message never contains the unmasked identifier.
    """

    def __init__(
        self,
        message: str,
        *,
        reason: str,
        id_type: str | None = None,
        column: str | None = None,
    ) -> None:
        self.reason = reason
        self.id_type = id_type
        super().__init__(message, column=column, rule=Rule.INVALID_ID)

    def _render(self) -> str:
        head = f"column {self.column!r}: {self.message}" if self.column else self.message
        return f"{head} [rule: {Rule.INVALID_ID.value}; reason: {self.reason}]"


class PolicyError(BankCRMError, ValueError):
    """A policy or configuration is malformed or inconsistent (bad file, bad threshold, …)."""


class NotFittedError(BankCRMError, ValueError, AttributeError):
    """A fitted object (edges, model) was used before ``fit`` was called."""


class MissingDependencyError(BankCRMError, ImportError):
    """An optional feature was used without its extra installed.

    The message names the pip extra to install, for example ``pip install 'bankcrm[holidays]'``.
    """

    def __init__(self, feature: str, package: str, extra: str) -> None:
        self.feature = feature
        self.package = package
        self.extra = extra
        super().__init__(
            f"{feature} needs the optional package {package!r}; "
            f"install it with: pip install 'bankcrm[{extra}]'",
            name=package,
        )


class CalendarCoverageError(BankCRMError, LookupError):
    """A business calendar was asked about a date it has no data for.

    Holiday schedules are published year by year; bankcrm refuses to guess a year it does not
    know rather than silently treating it as Monday-to-Friday.
    """
