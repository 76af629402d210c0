"""Public test helpers for teams that embed bankcrm (install the ``testing`` extra).

:mod:`bankcrm.testing.strategies` holds Hypothesis strategies for amounts, identity numbers and
input frames.
"""

from bankcrm.errors import MissingDependencyError

try:
    import hypothesis  # noqa: F401
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise MissingDependencyError("bankcrm.testing", "hypothesis", "testing") from exc
