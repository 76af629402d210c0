"""Tier ladders as data: validation, presets, TOML/JSON round trips, averaging windows."""

from __future__ import annotations

import datetime as dt
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bankcrm.calendar import (
    ChinaHolidayCalendar,
    ExplicitCalendar,
    Period,
    WeekdayCalendar,
    add_months,
    half_year_of,
    month_of,
)
from bankcrm.errors import InputError, MissingDependencyError, PolicyError
from bankcrm.membership.assets import FINANCIAL_ASSETS
from bankcrm.membership.ladders import ReviewSchedule, Tier, TierLadder
from bankcrm.membership.presets import EVERBRIGHT
from bankcrm.policy import load, save
from bankcrm.ratios import Comparator, Threshold

MONTHLY = ReviewSchedule(day="first_day", decided_at="as_of")


def second_bank() -> TierLadder:
    """Another bank's ladder (not a preset): 500 k and 10 M monthly daily-average total assets,
    downgrade after three months below, with a watch status — configuration, not code."""
    return TierLadder(
        name="tests.second_bank",
        version="2026.1",
        effective_date=dt.date(2026, 1, 1),
        calendar="weekday",
        tiers=(
            Tier(tier_id="standard", label_en="Standard", label_zh="普通客户"),
            Tier(
                tier_id="gold",
                label_en="Gold",
                label_zh="金葵花",
                metric="total_assets",
                window="month",
                entry=Threshold(500_000, "以上"),
                retention=Threshold(400_000, "以上"),
                downgrade_after=3,
                watch=True,
                downgrade_to="standard",
                review=MONTHLY,
            ),
            Tier(
                tier_id="private",
                label_en="Private banking",
                label_zh="私人银行",
                metric="total_assets",
                window="month",
                entry=Threshold(10_000_000, "以上"),
                downgrade_after=3,
                watch=True,
                transition_months=6,
                downgrade_to="gold",
                manual_floor=True,
                review=MONTHLY,
            ),
        ),
    )


def _tier(**changes: Any) -> Tier:
    base: dict[str, Any] = {
        "tier_id": "gold",
        "label_en": "Gold",
        "label_zh": "金卡",
        "metric": "aum",
        "window": "month",
        "entry": Threshold(1_000, ">="),
        "review": ReviewSchedule(),
    }
    base.update(changes)
    return Tier(**base)


def _ladder(*tiers: Tier, **changes: Any) -> TierLadder:
    base = Tier(tier_id="standard", label_en="Standard", label_zh="普通")
    settings: dict[str, Any] = {"calendar": "weekday", **changes}
    return TierLadder(tiers=(base, *tiers), **settings)


# ---------------------------------------------------------------- the preset
def test_everbright_tiers_and_exact_inclusive_thresholds() -> None:
    assert EVERBRIGHT.tier_ids == ("standard", "wealth", "sunshine_club")
    wealth, club = EVERBRIGHT.tier("wealth"), EVERBRIGHT.tier("sunshine_club")
    assert wealth.entry == Threshold(Decimal("1000000"), Comparator.GE)
    assert club.entry == Threshold(Decimal("10000000"), Comparator.GE)
    for tier in (wealth, club):
        assert tier.entry is not None
        assert tier.entry.comparator.includes_boundary
    assert EVERBRIGHT.threshold_fen("wealth", kind="entry") == 100_000_000
    assert EVERBRIGHT.threshold_fen("sunshine_club", kind="retention") == 1_000_000_000
    assert (wealth.metric, wealth.window) == ("financial_assets", "month")
    assert (club.metric, club.window, club.validity_months) == ("aum", "half_year", 6)
    assert club.review == ReviewSchedule(months=(1, 7), day="first_business_day")
    assert wealth.review is not None
    assert wealth.review.monthly
    assert wealth.review.decided_at == "as_of"
    assert EVERBRIGHT.calendar == "china"
    assert EVERBRIGHT.partial_period == "calendar_days"
    assert not EVERBRIGHT.tier("standard").has_requirement


@pytest.mark.parametrize("days", [28, 29, 30, 31, 181, 184])
def test_everbright_boundary_is_exact_to_the_fen(days: int) -> None:
    """The sum exactly equal to threshold × days qualifies; one fen less does not."""
    for tier_id in ("wealth", "sunshine_club"):
        entry = EVERBRIGHT.tier(tier_id).entry
        assert entry is not None
        exact = EVERBRIGHT.threshold_fen(tier_id, kind="entry") * days
        assert entry.holds(exact, days * 100)
        assert not entry.holds(exact - 1, days * 100)


def test_everbright_marks_every_field_source_or_assumption() -> None:
    sources = EVERBRIGHT.field_sources
    assert set(sources.values()) == {"source", "assumption"}
    for key in ("tiers.wealth.entry", "tiers.sunshine_club.entry", "tiers.wealth.metric"):
        assert sources[key] == "source"
    assert sources["tiers.sunshine_club.validity_months"] == "source"
    assert sources["tiers.sunshine_club.review.months"] == "source"
    # the three readings DOMAIN.md says are not in the source
    assert sources["tiers.sunshine_club.window"] == "assumption"
    assert sources["tiers.wealth.review"] == "assumption"
    assert sources["tiers.sunshine_club.review.day"] == "assumption"


def test_second_bank_is_configuration() -> None:
    ladder = second_bank()
    assert ladder.tier_ids == ("standard", "gold", "private")
    assert ladder.rank("private") == 2
    gold = ladder.tier("gold")
    assert gold.retention_threshold == Threshold(400_000, ">=")
    assert ladder.tier("private").retention_threshold == Threshold(10_000_000, ">=")
    assert gold.downgrade_after == 3
    assert gold.watch
    assert ladder.tier("private").manual_floor
    assert ladder.tier("private").label == {"en": "Private banking", "zh": "私人银行"}
    assert isinstance(ladder.business_calendar(), WeekdayCalendar)


# ---------------------------------------------------------------- round trips
@pytest.mark.parametrize("ladder", [EVERBRIGHT, second_bank()], ids=["everbright", "second"])
@pytest.mark.parametrize("suffix", [".toml", ".json"])
def test_round_trips_through_files(ladder: TierLadder, suffix: str, tmp_path: Path) -> None:
    path = save(ladder, tmp_path / f"ladder{suffix}")
    assert load(TierLadder, path) == ladder
    assert TierLadder.from_toml(ladder.to_toml()) == ladder
    assert TierLadder.from_json(ladder.to_json()) == ladder
    assert TierLadder.from_dict(ladder.to_dict()) == ladder


def test_explicit_calendar_round_trips_and_is_used() -> None:
    cal = ExplicitCalendar(
        holidays=[dt.date(2026, 1, 1), dt.date(2026, 1, 2)],
        makeup_workdays=[dt.date(2026, 1, 4)],
        coverage=Period(dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
        name="my_bank",
    )
    ladder = attrs.evolve(second_bank(), calendar=cal)
    assert TierLadder.from_toml(ladder.to_toml()) == ladder
    assert TierLadder.from_json(ladder.to_json()) == ladder
    assert ladder.business_calendar() is cal


def test_comparators_may_be_written_as_boundary_words() -> None:
    text = EVERBRIGHT.to_toml().replace('comparator = ">="', 'comparator = "以上"')
    assert TierLadder.from_toml(text) == EVERBRIGHT


thresholds = st.integers(0, 10**9).map(lambda fen: Decimal(fen) / 100)
windows: st.SearchStrategy[Any] = st.one_of(
    st.sampled_from(["month", "quarter", "half_year", "year"]), st.integers(1, 24)
)
schedules = st.builds(
    ReviewSchedule,
    months=st.sets(st.integers(1, 12), min_size=1).map(lambda s: tuple(sorted(s))),
    day=st.sampled_from(["first_business_day", "first_day"]),
    decided_at=st.sampled_from(["review", "as_of"]),
)


@st.composite
def ladders(draw: st.DrawFn) -> TierLadder:
    count = draw(st.integers(0, 4))
    tiers = [Tier(tier_id="t0", label_en="Base", label_zh="基础")]
    for i in range(1, count + 1):
        entry = draw(thresholds)
        retention = draw(
            st.none() | st.integers(0, int(entry * 100)).map(lambda f: Decimal(f) / 100)
        )
        tiers.append(
            Tier(
                tier_id=f"t{i}",
                label_en=f"Tier {i}",
                label_zh=f"第{i}级",
                metric=draw(st.sampled_from(["aum", "financial_assets", "total_assets"])),
                window=draw(windows),
                entry=Threshold(entry, draw(st.sampled_from([">=", ">", "以上"]))),
                retention=None if retention is None else Threshold(retention, ">="),
                downgrade_after=draw(st.integers(1, 6)),
                watch=draw(st.booleans()),
                transition_months=draw(st.integers(0, 12)),
                downgrade_to=draw(st.none() | st.sampled_from([f"t{j}" for j in range(i)])),
                manual_floor=draw(st.booleans()),
                validity_months=draw(st.none() | st.integers(1, 24)),
                review=draw(schedules),
                validity_clash=draw(st.sampled_from(["keep_validity", "review_supersedes"])),
            )
        )
    return TierLadder(
        name="generated",
        version=draw(st.sampled_from(["1", "2026.1"])),
        effective_date=draw(st.dates(dt.date(2000, 1, 1), dt.date(2100, 1, 1))),
        tiers=tuple(tiers),
        calendar=draw(st.sampled_from(["china", "weekday"])),
        partial_period=draw(st.sampled_from(["calendar_days", "days_since_opening"])),
    )


@given(ladders())
def test_any_valid_ladder_round_trips_toml_and_json(ladder: TierLadder) -> None:
    assert TierLadder.from_toml(ladder.to_toml()) == ladder
    assert TierLadder.from_json(ladder.to_json()) == ladder


# ---------------------------------------------------------------- the business calendar
def test_china_calendar_is_built_and_never_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    assert isinstance(EVERBRIGHT.business_calendar(), ChinaHolidayCalendar)
    monkeypatch.setitem(sys.modules, "chinese_calendar", None)  # the package cannot be loaded
    with pytest.raises(MissingDependencyError, match="holidays"):
        EVERBRIGHT.business_calendar()


# ---------------------------------------------------------------- bad ladders
@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: _ladder(_tier(), _tier()), "tiers[2].tier_id"),
        (lambda: _ladder(_tier(downgrade_to="nowhere")), "tiers[1].downgrade_to"),
        (lambda: _ladder(_tier(), _tier(tier_id="top", downgrade_to="top")), "downgrade_to"),
        (lambda: _ladder(_tier(entry=Threshold(-1, ">="))), "entry"),
        (lambda: _ladder(_tier(entry=Threshold(1, "<"))), "entry"),
        (lambda: _ladder(_tier(retention=Threshold(-5, ">="))), "retention"),
        (lambda: _ladder(_tier(retention=Threshold(1_001, ">="))), "retention"),
        (lambda: _ladder(_tier(downgrade_after=0)), "downgrade_after"),
        (lambda: _ladder(_tier(transition_months=-1)), "transition_months"),
        (lambda: _ladder(_tier(metric="deposits")), "tiers[1].metric"),
        (lambda: _ladder(_tier(), metrics={"Deposits": FINANCIAL_ASSETS}), "metrics"),
        (lambda: _ladder(_tier(), metrics={"deposits": {"fund": 1}}), "metrics.deposits"),
        (lambda: _ladder(_tier(), metrics=["aum"]), "metrics"),
        (lambda: _ladder(_tier(validity_months=0)), "validity_months"),
        (lambda: _ladder(_tier(window="week")), "window"),
        (lambda: _ladder(_tier(window=0)), "window"),
        (lambda: _ladder(_tier(metric=None)), "metric"),
        (lambda: _ladder(_tier(metric="Total Assets")), "metric"),
        (lambda: _ladder(_tier(review=None)), "review"),
        (lambda: _ladder(_tier(tier_id="")), "tier_id"),
        (lambda: _ladder(_tier(label_zh=" ")), "label_zh"),
        (lambda: _ladder(_tier(review=ReviewSchedule(months=(0, 7)))), "months"),
        (lambda: _ladder(_tier(review=ReviewSchedule(months=()))), "months"),
        (lambda: _ladder(_tier(review=ReviewSchedule(day="last_day"))), "day"),  # type: ignore[arg-type]
        (lambda: _ladder(_tier(validity_clash="maybe")), "validity_clash"),
        (lambda: _ladder(_tier(validity_end="never")), "validity_end"),
        (lambda: _ladder(_tier(watch="yes")), "watch"),
        (lambda: _ladder(_tier(review="monthly")), "review"),
        (lambda: TierLadder(tiers=()), "tiers"),
        (lambda: TierLadder(tiers=(_tier(),)), "tiers[0].entry"),
        (lambda: _ladder(calendar="mars"), "calendar"),
        (lambda: _ladder(partial_period="open_days"), "partial_period"),
        (lambda: _ladder(field_sources={"tiers.nope.entry": "source"}), "field_sources"),
        (lambda: _ladder(_tier(), field_sources={"tiers.gold.colour": "source"}), "field_sources"),
        (lambda: _ladder(_tier(), field_sources={"tiers.gold.entry": "rumour"}), "field_sources"),
    ],
)
def test_bad_ladders_raise_policy_errors_naming_the_field(build: Any, field: str) -> None:
    with pytest.raises(PolicyError) as info:
        build()
    assert field in str(info.value)


def test_base_tier_without_requirement_takes_no_window() -> None:
    with pytest.raises(PolicyError, match="window"):
        Tier(tier_id="standard", label_en="S", label_zh="S", window="month")


def test_a_bad_file_names_the_path_of_the_field() -> None:
    data = EVERBRIGHT.to_dict()
    data["tiers"][2]["entry"]["value"] = "-1"
    with pytest.raises(PolicyError, match=r"tiers\[2\].*entry"):
        TierLadder.from_dict(data)
    data = EVERBRIGHT.to_dict()
    data["tiers"][1]["downgrade_to"] = "platinum"
    with pytest.raises(PolicyError, match="downgrade_to"):
        TierLadder.from_dict(data)
    data = EVERBRIGHT.to_dict()
    data["tiers"][1]["colour"] = "gold"
    with pytest.raises(PolicyError, match=r"tiers\[1\].*colour"):
        TierLadder.from_dict(data)


def test_unknown_tier_is_an_input_error() -> None:
    with pytest.raises(InputError) as info:
        EVERBRIGHT.tier("platinum")
    assert info.value.rule == "domain"
    assert info.value.column == "tier"


def test_threshold_not_in_whole_fen_is_refused() -> None:
    ladder = _ladder(_tier(entry=Threshold("1000.005", ">=")))
    with pytest.raises(PolicyError, match="whole fen"):
        ladder.threshold_fen("gold", kind="entry")
    with pytest.raises(PolicyError, match="no entry"):
        ladder.threshold_fen("standard", kind="entry")


# ---------------------------------------------------------------- windows
days = st.dates(dt.date(1900, 3, 1), dt.date(2200, 12, 31))


@given(days)
def test_month_window_is_the_last_whole_month(day: dt.date) -> None:
    window = EVERBRIGHT.tier("wealth").window_ending_on_or_before(day)
    assert 28 <= window.days <= 31
    assert window == month_of(window.start)
    assert window.end <= day
    assert month_of(window.end + dt.timedelta(days=1)).end > day  # nothing later is whole
    if window.start.month == 2:
        leap = window.start.year % 4 == 0 and (
            window.start.year % 100 != 0 or window.start.year % 400 == 0
        )
        assert window.days == (29 if leap else 28)


@given(days)
def test_half_year_window_is_the_last_whole_half_year(day: dt.date) -> None:
    window = EVERBRIGHT.tier("sunshine_club").window_ending_on_or_before(day)
    assert 181 <= window.days <= 184
    assert window == half_year_of(window.start)
    assert window.end <= day
    assert half_year_of(window.end + dt.timedelta(days=1)).end > day


@given(days, st.integers(1, 24))
def test_n_month_window_is_n_whole_months(day: dt.date, n: int) -> None:
    window = _tier(window=n).window_ending_on_or_before(day)
    month = EVERBRIGHT.tier("wealth").window_ending_on_or_before(day)
    assert window.end == month.end
    assert window.start == add_months(month.start, 1 - n)
    assert window.start.day == 1


def test_window_pins() -> None:
    wealth = EVERBRIGHT.tier("wealth")
    assert wealth.window_ending_on_or_before("2026-03-31") == month_of(dt.date(2026, 3, 1))
    assert wealth.window_ending_on_or_before("2026-03-30") == month_of(dt.date(2026, 2, 1))
    assert wealth.window_ending_on_or_before("2028-03-01").days == 29
    club = EVERBRIGHT.tier("sunshine_club")
    assert club.window_ending_on_or_before("2026-01-04") == Period(
        dt.date(2025, 7, 1), dt.date(2025, 12, 31)
    )
    with pytest.raises(PolicyError, match="no requirement"):
        EVERBRIGHT.tier("standard").window_ending_on_or_before("2026-01-04")
    with pytest.raises(InputError) as info:
        wealth.window_ending_on_or_before("2026-01-04 10:00")
    assert info.value.rule == "date"
