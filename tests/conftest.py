"""Shared pytest configuration: Hypothesis profiles.

``dev`` (default) keeps runs quick; ``ci`` (selected when the CI variable is set) drops the
per-example deadline because the CI machine is shared and noisy, and prints reproduction blobs.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile("dev", max_examples=100, deadline=None)
settings.register_profile(
    "ci",
    max_examples=100,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("ci" if os.environ.get("CI") else os.environ.get("HYPOTHESIS_PROFILE", "dev"))
