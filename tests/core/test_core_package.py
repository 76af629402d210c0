"""The top-level package: its version string and nothing leaked beside ``__all__``."""

from __future__ import annotations

import types

import bankcrm
from bankcrm._version import __version__ as source_version


def test_version_is_the_string() -> None:
    assert isinstance(bankcrm.__version__, str)
    assert bankcrm.__version__ == source_version


def test_no_helper_leaks_from_the_package() -> None:
    """``bankcrm.version`` was importlib's ``version`` function, imported at module level."""
    assert not hasattr(bankcrm, "version")
    assert not hasattr(bankcrm, "PackageNotFoundError")
    public = {
        name
        for name, value in vars(bankcrm).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert public == set(bankcrm.__all__) - {"__version__"}
