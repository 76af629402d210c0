"""bankcrm: exact, explainable customer-relationship management kernels for banks.

What exists today: one core (errors, money, ratios, frames, calendar, policy, results, PII
masking), :mod:`bankcrm.identity` (Chinese identifiers, names, addresses and the
standardisation of customer records), :mod:`bankcrm.segmentation` (RFM features, fitted edges,
segments, migration and customer value) and :mod:`bankcrm.datasets` (a seeded synthetic bank
with ground truth), :mod:`bankcrm.membership` (exact daily-average balances, tier ladders as
data, review cycles, tier evaluation, the membership timeline and review notifications). In
:mod:`bankcrm.credit` group clients from ownership and control exist, and credit exposures
and concentration limits are planned.

>>> import bankcrm
>>> isinstance(bankcrm.__version__, str)
True
"""

from bankcrm.errors import (
    BankCRMError,
    CalendarCoverageError,
    InputError,
    InvalidIdentifier,
    MissingDependencyError,
    NotFittedError,
    PolicyError,
)


def _installed_version() -> str:
    """The version of the installed distribution, else the source tree's."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("bankcrm")
    except PackageNotFoundError:  # running from a source tree that was never installed
        from bankcrm._version import __version__ as source_version

        return source_version


__version__: str = _installed_version()
del _installed_version

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
