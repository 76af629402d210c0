"""Customer segmentation: RFM features, fitted quintile edges, segments, migration, value.

See ``docs/concepts/segmentation.md`` for the rules (the quintile and tie rule, the degenerate
cases, the segment grid and the value groups).
"""

from bankcrm.segmentation.corporate import corporate_rfm_features, facility_business
from bankcrm.segmentation.edges import (
    QUANTILE_RULE,
    RULE_VERSION,
    CutPoints,
    GroupCutPoints,
    RFMEdges,
    fit_rfm_edges,
)
from bankcrm.segmentation.features import (
    FEATURES_VERSION,
    ExclusionReason,
    RFMFeatures,
    rfm_features,
)
from bankcrm.segmentation.migration import SegmentMigration, segment_migration
from bankcrm.segmentation.presets import TEN_SEGMENTS, THREE_VALUE_GROUPS
from bankcrm.segmentation.scoring import RFMScore, rfm_codes, score_customer, score_rfm
from bankcrm.segmentation.segments import (
    Segment,
    SegmentMap,
    ValueGroup,
    ValueGroupPolicy,
    assign_segments,
    segment_summary,
)

__all__ = [
    "FEATURES_VERSION",
    "QUANTILE_RULE",
    "RULE_VERSION",
    "TEN_SEGMENTS",
    "THREE_VALUE_GROUPS",
    "CutPoints",
    "ExclusionReason",
    "GroupCutPoints",
    "RFMEdges",
    "RFMFeatures",
    "RFMScore",
    "Segment",
    "SegmentMap",
    "SegmentMigration",
    "ValueGroup",
    "ValueGroupPolicy",
    "assign_segments",
    "corporate_rfm_features",
    "facility_business",
    "fit_rfm_edges",
    "rfm_codes",
    "rfm_features",
    "score_customer",
    "score_rfm",
    "segment_migration",
    "segment_summary",
]
