"""Segment maps and value groups: coverage, boundaries, policy files, assignment, summaries."""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bankcrm.errors import InputError, PolicyError
from bankcrm.money import Comparator
from bankcrm.policy import load_policy, read_provenance, save_policy
from bankcrm.segmentation import (
    TEN_SEGMENTS,
    THREE_VALUE_GROUPS,
    Segment,
    SegmentMap,
    ValueGroup,
    ValueGroupPolicy,
    assign_segments,
    rfm_codes,
    segment_summary,
)

EXPECTED_GRID = {  # R row → segments for F = 1..5 (docs/concepts/segmentation.md)
    5: ["new", "potential_loyalist", "potential_loyalist", "champions", "champions"],
    4: ["promising", "potential_loyalist", "potential_loyalist", "loyal", "champions"],
    3: ["about_to_sleep", "about_to_sleep", "need_attention", "loyal", "loyal"],
    2: ["hibernating", "hibernating", "at_risk", "at_risk", "cannot_lose_them"],
    1: ["hibernating", "hibernating", "at_risk", "at_risk", "cannot_lose_them"],
}


def _scores(codes: list[str]) -> pd.DataFrame:
    digits = np.array([[int(c) for c in code] for code in codes], dtype=np.int64).reshape(-1, 3)
    return pd.DataFrame(
        {
            "r_score": digits[:, 0],
            "f_score": digits[:, 1],
            "m_score": digits[:, 2],
            "rfm_score": digits.sum(axis=1),
        }
    )


def test_grid_matches_the_documented_table() -> None:
    for r, row in EXPECTED_GRID.items():
        assert [TEN_SEGMENTS.segment_of(r, f).key for f in range(1, 6)] == row


def test_all_125_codes_land_in_exactly_one_of_ten_segments() -> None:
    scored = assign_segments(_scores(rfm_codes(5)))
    assert scored["segment"].notna().all()
    assert set(scored["segment"].astype(str)) == set(TEN_SEGMENTS.keys)
    assert len(TEN_SEGMENTS.keys) == 10
    assert all(s.label_zh for s in TEN_SEGMENTS.segments)


def test_value_group_boundaries_are_inclusive() -> None:
    keys = {t: THREE_VALUE_GROUPS.group_of(t).key for t in range(3, 16)}
    assert [keys[t] for t in (7, 8, 11, 12, 15)] == ["low", "medium", "medium", "high", "high"]
    totals = np.arange(3, 16, dtype=np.int64)
    batch = THREE_VALUE_GROUPS.assign_codes(totals)
    assert [THREE_VALUE_GROUPS.keys[i] for i in batch] == [keys[int(t)] for t in totals]
    assert "定制" in THREE_VALUE_GROUPS.groups[0].strategy_zh


def test_total_out_of_range_is_refused() -> None:
    with pytest.raises(InputError, match=r"0\.\.15"):
        THREE_VALUE_GROUPS.group_of(16)


@given(st.lists(st.tuples(st.integers(1, 5), st.integers(1, 5), st.integers(1, 5)), max_size=50))
def test_batch_assignment_equals_scalar(rows: list[tuple[int, int, int]]) -> None:
    codes = [f"{r}{f}{m}" for r, f, m in rows]
    scored = assign_segments(_scores(codes))
    for code, segment, group in zip(codes, scored["segment"], scored["value_group"], strict=True):
        r, f, m = (int(c) for c in code)
        assert TEN_SEGMENTS.segment_of(r, f).key == segment
        assert THREE_VALUE_GROUPS.group_of(r + f + m).key == group


def test_policies_round_trip_through_files(tmp_path: object) -> None:
    for policy, cls, suffix in (
        (TEN_SEGMENTS, SegmentMap, ".toml"),
        (THREE_VALUE_GROUPS, ValueGroupPolicy, ".json"),
        (TEN_SEGMENTS, SegmentMap, ".json"),
        (THREE_VALUE_GROUPS, ValueGroupPolicy, ".toml"),
    ):
        path = save_policy(policy, tmp_path / f"policy{suffix}")  # type: ignore[operator]
        assert load_policy(cls, path) == policy


def _segment(key: str, cells: tuple[str, ...]) -> Segment:
    return Segment(key=key, label=key, label_zh=key, cells=cells)


def _map(*segments: Segment, bins: int = 2) -> SegmentMap:
    return SegmentMap(
        name="m", version="1", effective_date=dt.date(2026, 1, 1), bins=bins, segments=segments
    )


def test_bad_maps_are_refused() -> None:
    with pytest.raises(PolicyError, match="unassigned"):
        _map(_segment("a", ("11", "12", "21")))
    with pytest.raises(PolicyError, match="both"):
        _map(_segment("a", ("11", "12", "21", "22")), _segment("b", ("22",)))
    with pytest.raises(PolicyError, match="not two digits"):
        _map(_segment("a", ("11", "12", "21", "22", "13")))
    with pytest.raises(PolicyError, match="repeated"):
        _map(_segment("a", ("11", "12")), _segment("a", ("21", "22")))


def test_a_bank_map_with_other_bins() -> None:
    bank_map = _map(_segment("good", ("22", "21")), _segment("rest", ("11", "12")))
    groups = ValueGroupPolicy(
        name="g",
        version="1",
        effective_date=dt.date(2026, 1, 1),
        max_score=6,
        groups=(
            ValueGroup(key="top", label="top", label_zh="高", comparator="超过", threshold=4),
            ValueGroup(key="other", label="other", label_zh="其他"),
        ),
    )
    assert groups.groups[0].comparator is Comparator.GT
    scored = assign_segments(_scores(["222", "211", "111"]), bank_map, groups)
    assert scored["segment"].tolist() == ["good", "good", "rest"]
    assert scored["value_group"].tolist() == ["top", "other", "other"]
    names = [(p.policy_name, p.policy_version) for p in read_provenance(scored)]
    assert names == [("m", "1"), ("g", "1")]
    with pytest.raises(InputError, match=r"1\.\.2"):
        assign_segments(_scores(["333"]), bank_map, groups)


def test_value_groups_need_a_catch_all_last() -> None:
    with pytest.raises(PolicyError, match="last group"):
        ValueGroupPolicy(
            name="g",
            version="1",
            effective_date=dt.date(2026, 1, 1),
            groups=(ValueGroup(key="a", label="a", label_zh="a", comparator=">=", threshold=3),),
        )
    with pytest.raises(PolicyError, match="needs a comparator"):
        ValueGroupPolicy(
            name="g",
            version="1",
            effective_date=dt.date(2026, 1, 1),
            groups=(
                ValueGroup(key="a", label="a", label_zh="a"),
                ValueGroup(key="b", label="b", label_zh="b"),
            ),
        )


def test_missing_score_columns() -> None:
    with pytest.raises(InputError, match="score_rfm"):
        assign_segments(pd.DataFrame({"r_score": [1]}))


def test_summary_lists_every_segment_in_order() -> None:
    codes = ["555", "554", "111", "333"]
    summary = segment_summary(assign_segments(_scores(codes)), language="zh")
    assert summary.index.tolist() == TEN_SEGMENTS.keys
    assert summary["customers"].sum() == 4
    assert summary.loc["champions", "customers"] == 2
    assert summary.loc["champions", "label"] == "冠军客户"
    assert summary["share"].sum() == pytest.approx(1.0)


def test_codes_cover_the_grid() -> None:
    assert rfm_codes(5) == ["".join(p) for p in itertools.product("12345", repeat=3)]
