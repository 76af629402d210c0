"""Customer segmentation: RFM features, fitted quintile edges, segments, migration, value.

See ``docs/concepts/segmentation.md`` for the rules (the quintile and tie rule, the degenerate
cases, the segment grid and the value groups). The customer-value models live in the
subpackage :mod:`bankcrm.segmentation.value` (``docs/concepts/customer-value.md``); their
public names are re-exported here.
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
    ExclusionReason,
    RFMFeatures,
    RFMPolicy,
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
from bankcrm.segmentation.value import (
    BGNBDModel,
    BGNBDParams,
    CLVPolicy,
    CLVSummary,
    GammaGammaModel,
    GammaGammaParams,
    clv_summary,
    customer_value,
    fit_bgnbd,
    fit_gamma_gamma,
    p_alive_matrix,
)

__all__ = [
    "QUANTILE_RULE",
    "RULE_VERSION",
    "TEN_SEGMENTS",
    "THREE_VALUE_GROUPS",
    "BGNBDModel",
    "BGNBDParams",
    "CLVPolicy",
    "CLVSummary",
    "CutPoints",
    "ExclusionReason",
    "GammaGammaModel",
    "GammaGammaParams",
    "GroupCutPoints",
    "RFMEdges",
    "RFMFeatures",
    "RFMPolicy",
    "RFMScore",
    "Segment",
    "SegmentMap",
    "SegmentMigration",
    "ValueGroup",
    "ValueGroupPolicy",
    "assign_segments",
    "clv_summary",
    "corporate_rfm_features",
    "customer_value",
    "facility_business",
    "fit_bgnbd",
    "fit_gamma_gamma",
    "fit_rfm_edges",
    "p_alive_matrix",
    "rfm_codes",
    "rfm_features",
    "score_customer",
    "score_rfm",
    "segment_migration",
    "segment_summary",
]
