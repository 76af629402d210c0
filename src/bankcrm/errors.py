"""The one exception hierarchy of bankcrm.

Every error bankcrm raises derives from :class:`BankCRMError`, and each concrete error also
derives from the built-in exception a caller would already catch, so ``except ValueError``
keeps working around bankcrm calls.

>>> issubclass(InputError, ValueError) and issubclass(InputError, BankCRMError)
True
>>> err = InputError("must not be null", column="amount", rule="not_null", rows=[3, 7])
>>> str(err)
"column 'amount': must not be null [rule: not_null; rows: 3, 7]"
"""

from __future__ import annotations

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
]

#: How many offending row labels an error message lists before it says "and N more".
MAX_ROWS_SHOWN = 5


class BankCRMError(Exception):
    """Root of every error raised by bankcrm."""


def _format_rows(rows: Sequence[Any], total: int) -> str:
    shown = ", ".join(str(r) for r in rows[:MAX_ROWS_SHOWN])
    more = total - min(len(rows), MAX_ROWS_SHOWN)
    return f"{shown} and {more} more" if more > 0 else shown


class InputError(BankCRMError, ValueError):
    """Bad input data: a missing column, a wrong type, a null, a value outside its domain.

    Attributes:
        column: the column (or argument) at fault, if any.
        rule: a short machine-readable name of the rule that was broken.
        rows: the first offending row labels (already masked when they carry PII).
        n_rows: how many rows broke the rule in total.
    """

    def __init__(
        self,
        message: str,
        *,
        column: str | None = None,
        rule: str | None = None,
        rows: Iterable[Any] = (),
        n_rows: int | None = None,
    ) -> None:
        self.column = column
        self.rule = rule
        self.rows: list[Any] = list(rows)
        self.n_rows = len(self.rows) if n_rows is None else n_rows
        self.message = message
        super().__init__(self._render())

    def _render(self) -> str:
        head = f"column {self.column!r}: {self.message}" if self.column else self.message
        details = []
        if self.rule:
            details.append(f"rule: {self.rule}")
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
        super().__init__(message, column=column, rule=reason)


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
