"""Customer segmentation: RFM features, fitted quintile edges, segments, migration, value.

See ``docs/concepts/segmentation.md`` for the rules (the quintile and tie rule, the degenerate
cases, the segment grid and the value groups).
"""

from bankcrm.segmentation.features import (
    FEATURES_VERSION,
    ExclusionReason,
    RFMFeatures,
    rfm_features,
)

__all__ = [
    "FEATURES_VERSION",
    "ExclusionReason",
    "RFMFeatures",
    "rfm_features",
]
