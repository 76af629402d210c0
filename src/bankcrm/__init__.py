"""bankcrm: exact, explainable customer-relationship management kernels for banks.

The package is split into one core (errors, money, frames, calendar, policy, PII masking) and
four domain modules: :mod:`bankcrm.identity`, :mod:`bankcrm.segmentation`,
:mod:`bankcrm.credit` and :mod:`bankcrm.membership`.
"""

from importlib.metadata import PackageNotFoundError, version

from bankcrm.errors import (
    BankCRMError,
    CalendarCoverageError,
    InputError,
    InvalidIdentifier,
    MissingDependencyError,
    NotFittedError,
    PolicyError,
)

try:
    __version__ = version("bankcrm")
except PackageNotFoundError:  # running from a source tree that was never installed
    from bankcrm._version import __version__

__all__ = [
    "BankCRMError",
    "CalendarCoverageError",
    "InputError",
    "InvalidIdentifier",
    "MissingDependencyError",
    "NotFittedError",
    "PolicyError",
    "__version__",
]
