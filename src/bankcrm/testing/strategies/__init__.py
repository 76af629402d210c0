"""Hypothesis strategies for bankcrm's entities and input frames.

They are public so that teams embedding bankcrm can property-test their own pipelines with the
same generators bankcrm's tests use.
"""

from bankcrm.testing.strategies._amounts import *  # noqa: F403
from bankcrm.testing.strategies._amounts import __all__ as _amounts_all
from bankcrm.testing.strategies._frames import *  # noqa: F403
from bankcrm.testing.strategies._frames import __all__ as _frames_all
from bankcrm.testing.strategies._identifiers import *  # noqa: F403
from bankcrm.testing.strategies._identifiers import __all__ as _identifiers_all

__all__ = [*_amounts_all, *_frames_all, *_identifiers_all]
