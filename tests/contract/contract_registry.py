"""An example call for every public callable of bankcrm, and what each may be probed for.

``test_contract.py`` walks :data:`REGISTRY`: it checks that every public function and class
has an entry (a new one without an example fails), runs each example, and probes the contract
rules an entry declares (see ``docs/conventions.md``):

* ``dates``: the scalar-date parameters the call takes as keyword overrides (rule 1);
* ``frame``: the main frame parameter, with ``frame_value`` building it (rules 2, 3, 7):
  the same call on Arrow-backed dtypes, a pyarrow Table and a polars DataFrame must give the
  same answer; a frame without ``required`` must be rule ``required``; a list rule ``type``;
* ``rename``: ``{role: new column name}``; the call on the renamed frame with ``columns=`` in
  the contract's form (nested by frame when ``nested``) must give the same answer (rule 2);
* ``policy``: the policy name the result's provenance must carry (rule 6).

Entries are keyed ``module.name`` for the first public module that exports the object.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pandas as pd
from hypothesis import find

import bankcrm.calendar as cal
import bankcrm.credit as credit
import bankcrm.datasets as ds
import bankcrm.frames as fr
import bankcrm.identity as idn
import bankcrm.membership as mem
import bankcrm.money as money
import bankcrm.pii as pii
import bankcrm.policy as pol
import bankcrm.results as res
import bankcrm.segmentation as seg
import bankcrm.testing.strategies as strat

D = dt.date(2026, 6, 30)


@attrs.frozen
class Example:
    """One public callable's example call and the rules it is probed for."""

    call: Callable[..., Any]
    dates: tuple[str, ...] = ()
    frame: str | None = None
    frame_value: Callable[[], pd.DataFrame] | None = None
    required: str | None = None
    decimals: tuple[str, ...] = ()
    rename: Mapping[str, str] = attrs.field(factory=dict)
    nested: bool = False
    policy: str | None = None


def _draw(strategy: Any) -> tuple[Any]:
    """One value of ``strategy`` (in a tuple: the simplest value may be ``None``)."""
    return (find(strategy, lambda _value: True),)


# ---------------------------------------------------------------- example data
RIC = "11010519491231002X"
USCC = "91350100M000100Y43"
HMT = "810000199408230021"
FPR_OLD = "KAZ110049082310"


def _records() -> pd.DataFrame:
    """A small records frame as the synthetic bank writes it (answer-key columns dropped)."""
    frame = ds.synthetic_bank(30, seed=7).records
    return frame.drop(columns=["person_id", "damage"]).reset_index(drop=True)


def _policy_file(tmp_path: Path) -> Path:
    return pol.save(idn.StandardizePolicy(strict_ids=True), tmp_path / "standardize.toml")


def _schema() -> fr.FrameSchema:
    return fr.FrameSchema(
        "transactions",
        [fr.Column("customer_id", "str"), fr.Column("date", "date"), fr.Column("amount", "money")],
    )


def transactions() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": ["c1", "c2", "c1"],
            "date": pd.to_datetime(["2026-01-04", "2026-02-01", "2026-03-01"]),
            "amount": [100.5, 20.0, 3.25],
        }
    )


AS_OF = dt.date(2025, 12, 31)


def _transactions() -> pd.DataFrame:
    """The synthetic bank's transactions (int customer ids, datetime dates, yuan amounts)."""
    return ds.generate_transactions(60, 1_500, seed=3)


def _features() -> seg.RFMFeatures:
    return seg.rfm_features(_transactions(), as_of=AS_OF)


def _edges() -> seg.RFMEdges:
    return seg.fit_rfm_edges(_features())


def _scores() -> pd.DataFrame:
    return seg.score_rfm(_features(), _edges())


def _segmented(as_of: dt.date = AS_OF) -> pd.DataFrame:
    features = seg.rfm_features(_transactions(), as_of=as_of)
    return seg.assign_segments(seg.score_rfm(features, _edges()))


def _summary() -> seg.CLVSummary:
    return seg.clv_summary(_transactions(), as_of=AS_OF)


def _summary_frame() -> pd.DataFrame:
    return _summary().frame


def _bgnbd() -> seg.BGNBDModel:
    return seg.fit_bgnbd(_summary())


def _gamma_gamma() -> seg.GammaGammaModel:
    return seg.fit_gamma_gamma(_summary())


def _corporate() -> ds.SyntheticBank:
    return ds.synthetic_bank(30, seed=2)


_FX = money.FxRates.from_mapping({"USD": {D: Decimal("7.1")}})

# ---------------------------------------------------------------- the registry
REGISTRY: dict[str, Example] = {
    # calendar
    "bankcrm.calendar.ChinaHolidayCalendar": Example(
        lambda day=D: cal.ChinaHolidayCalendar().is_business_day(day), dates=("day",)
    ),
    "bankcrm.calendar.ExplicitCalendar": Example(
        lambda day=D: cal.ExplicitCalendar(holidays=[D]).is_business_day(day), dates=("day",)
    ),
    "bankcrm.calendar.WeekdayCalendar": Example(
        lambda day=D: cal.WeekdayCalendar().next_business_day(day), dates=("day",)
    ),
    "bankcrm.calendar.Period": Example(
        lambda start=dt.date(2026, 1, 1), end=D: cal.Period(start, end), dates=("start", "end")
    ),
    "bankcrm.calendar.add_months": Example(
        lambda anchor=D: cal.add_months(anchor, 6), dates=("anchor",)
    ),
    "bankcrm.calendar.as_date": Example(lambda value=D: cal.as_date(value), dates=("value",)),
    "bankcrm.calendar.calendar_days": Example(lambda: cal.calendar_days(cal.month_of(D))),
    "bankcrm.calendar.half_year_of": Example(lambda day=D: cal.half_year_of(day), dates=("day",)),
    "bankcrm.calendar.month_of": Example(lambda day=D: cal.month_of(day), dates=("day",)),
    "bankcrm.calendar.month_schedule": Example(
        lambda anchor=D: cal.month_schedule(anchor, 3), dates=("anchor",)
    ),
    "bankcrm.calendar.period_of": Example(
        lambda day=D: cal.period_of(day, "quarter"), dates=("day",)
    ),
    "bankcrm.calendar.periods_between": Example(
        lambda start=dt.date(2026, 1, 1), end=D: cal.periods_between(start, end, "month"),
        dates=("start", "end"),
    ),
    "bankcrm.calendar.quarter_of": Example(lambda day=D: cal.quarter_of(day), dates=("day",)),
    "bankcrm.calendar.year_of": Example(lambda day=D: cal.year_of(day), dates=("day",)),
    # datasets
    "bankcrm.datasets.AccountFrames": Example(lambda: ds.generate_accounts(5, seed=1)),
    "bankcrm.datasets.DamageRates": Example(lambda: ds.DamageRates()),
    "bankcrm.datasets.PartyFrames": Example(lambda: ds.generate_parties(1, seed=1)),
    "bankcrm.datasets.SyntheticBank": Example(lambda: ds.synthetic_bank(5, seed=1)),
    "bankcrm.datasets.generate_accounts": Example(
        lambda start=dt.date(2025, 1, 1), end=D: ds.generate_accounts(
            3, seed=1, start=start, end=end
        ),
        dates=("start", "end"),
    ),
    "bankcrm.datasets.generate_fx_rates": Example(
        lambda start=dt.date(2026, 1, 1), end=D: ds.generate_fx_rates(seed=1, start=start, end=end),
        dates=("start", "end"),
    ),
    "bankcrm.datasets.generate_parties": Example(
        lambda start=dt.date(2025, 1, 1), end=D: ds.generate_parties(
            1, seed=1, start=start, end=end
        ),
        dates=("start", "end"),
    ),
    "bankcrm.datasets.generate_people": Example(
        lambda as_of=D: ds.generate_people(5, seed=1, as_of=as_of), dates=("as_of",)
    ),
    "bankcrm.datasets.generate_records": Example(
        lambda as_of=D: ds.generate_records(5, seed=1, as_of=as_of), dates=("as_of",)
    ),
    "bankcrm.datasets.generate_transactions": Example(
        lambda start=dt.date(2026, 1, 1), end=D: ds.generate_transactions(
            3, 10, seed=1, start=start, end=end
        ),
        dates=("start", "end"),
    ),
    "bankcrm.datasets.synthetic_bank": Example(
        lambda as_of=D: ds.synthetic_bank(5, seed=1, end=D, as_of=as_of), dates=("as_of",)
    ),
    "bankcrm.datasets.write_bank": Example(
        lambda tmp_path: ds.write_bank(ds.synthetic_bank(5, seed=1), tmp_path, file_format="csv")
    ),
    # frames
    "bankcrm.frames.Column": Example(lambda: fr.Column("amount", "money")),
    "bankcrm.frames.FrameSchema": Example(_schema),
    "bankcrm.frames.validate_frame": Example(
        lambda frame=None: fr.validate_frame(transactions() if frame is None else frame, _schema()),
        frame="frame",
        frame_value=transactions,
        required="amount",
        decimals=("amount",),
    ),
    # money and ratios
    "bankcrm.money.FxRates": Example(lambda on=D: _FX.rate_on("USD", on), dates=("on",)),
    "bankcrm.money.Money": Example(lambda: money.Money.from_yuan("1.005")),
    "bankcrm.money.Threshold": Example(lambda: money.Threshold("15%", "不得超过").holds(15, 100)),
    "bankcrm.money.compare_ratio": Example(lambda: money.compare_ratio(15, 100, "15%", "<=")),
    "bankcrm.money.compare_ratios": Example(
        lambda: money.compare_ratios([15, 16], [100, 100], "15%", "<=")
    ),
    "bankcrm.money.exact_number": Example(lambda: money.exact_number("0.1")),
    "bankcrm.money.fen_to_decimal": Example(lambda: money.fen_to_decimal(101)),
    "bankcrm.money.parse_amount": Example(lambda: money.parse_amount("¥1,234.50")),
    "bankcrm.money.parse_share": Example(lambda: money.parse_share("35 %")),
    "bankcrm.money.to_fen": Example(lambda: money.to_fen([1.005, "2"])),
    "bankcrm.money.to_millionths": Example(lambda: money.to_millionths(["0.1", 0.2])),
    "bankcrm.money.to_rmb_fen": Example(
        lambda: money.to_rmb_fen([100, 200], ["CNY", "USD"], [D, D], _FX)
    ),
    # pii
    "bankcrm.pii.mask_id_number": Example(lambda: pii.mask_id_number(RIC)),
    "bankcrm.pii.mask_phone": Example(lambda: pii.mask_phone("13800138000")),
    "bankcrm.pii.mask_text": Example(lambda: pii.mask_text(f"id {RIC}")),
    "bankcrm.pii.mask_value": Example(lambda: pii.mask_value(RIC, "id")),
    # policy
    "bankcrm.policy.Policy": Example(
        lambda: pol.Policy(name="p", version="1", effective_date=D).to_toml()
    ),
    "bankcrm.policy.Provenance": Example(lambda as_of=D: pol.Provenance("p", "1", as_of)),
    "bankcrm.policy.Serializable": Example(lambda: idn.StandardizePolicy().to_json()),
    "bankcrm.policy.effective": Example(lambda: pol.effective(D)),
    "bankcrm.policy.named": Example(lambda: pol.named("bankcrm.example")),
    "bankcrm.policy.versioned": Example(lambda: pol.versioned("1")),
    "bankcrm.policy.save": Example(_policy_file),
    "bankcrm.policy.load": Example(
        lambda tmp_path: pol.load(idn.StandardizePolicy, _policy_file(tmp_path))
    ),
    "bankcrm.policy.stamp_provenance": Example(
        lambda: pol.stamp_provenance(pd.DataFrame({"x": [1]}), pol.Provenance("p", "1", D)),
        policy="p",
    ),
    "bankcrm.policy.read_provenance": Example(
        lambda: pol.read_provenance(
            pol.stamp_provenance(pd.DataFrame({"x": [1]}), pol.Provenance("p", "1", D))
        )
    ),
    # results
    "bankcrm.results.Result": Example(lambda: res.Result().frames()),
    "bankcrm.results.excluded_frame": Example(
        lambda: res.excluded_frame(transactions(), [1], ["negative_amount"], keys=["customer_id"])
    ),
    # identity: scalar identifiers (as_of is a date; strict is the scalar form of a policy field)
    "bankcrm.identity.Finding": Example(lambda: idn.explain_ric(RIC[:-1] + "1")[0]),
    "bankcrm.identity.FprInfo": Example(lambda: idn.validate_fpr(FPR_OLD)),
    "bankcrm.identity.HmtPermitInfo": Example(lambda: idn.validate_hmt_permit(HMT)),
    "bankcrm.identity.MobileInfo": Example(lambda: idn.validate_mobile("13800138000")),
    "bankcrm.identity.PassportInfo": Example(lambda: idn.validate_passport("E12345678")),
    "bankcrm.identity.Region": Example(lambda: idn.lookup_region("110105")),
    "bankcrm.identity.RicInfo": Example(lambda: idn.validate_ric(RIC)),
    "bankcrm.identity.TravelPermitInfo": Example(lambda: idn.validate_hk_macau_travel("H12345678")),
    "bankcrm.identity.UsccInfo": Example(lambda: idn.validate_uscc(USCC)),
    "bankcrm.identity.compact_id": Example(lambda: idn.compact_id("RIC", f" {RIC} ")),
    "bankcrm.identity.detect_id_type": Example(
        lambda as_of=D: idn.detect_id_type(RIC, as_of=as_of), dates=("as_of",)
    ),
    "bankcrm.identity.explain_id": Example(
        lambda as_of=D: idn.explain_id("RIC", RIC, as_of=as_of), dates=("as_of",)
    ),
    "bankcrm.identity.explain_mobile": Example(
        lambda as_of=D: idn.explain_mobile("13800138000", as_of=as_of), dates=("as_of",)
    ),
    "bankcrm.identity.explain_ric": Example(
        lambda as_of=D: idn.explain_ric(RIC, as_of=as_of), dates=("as_of",)
    ),
    "bankcrm.identity.explain_uscc": Example(
        lambda as_of=D: idn.explain_uscc(USCC, as_of=as_of), dates=("as_of",)
    ),
    "bankcrm.identity.format_id": Example(lambda: idn.format_id("RIC", RIC)),
    "bankcrm.identity.is_valid_fpr": Example(
        lambda as_of=D: idn.is_valid_fpr(FPR_OLD, as_of=as_of), dates=("as_of",)
    ),
    "bankcrm.identity.is_valid_hmt_permit": Example(
        lambda as_of=D: idn.is_valid_hmt_permit(HMT, as_of=as_of), dates=("as_of",)
    ),
    "bankcrm.identity.is_valid_id": Example(
        lambda as_of=D: idn.is_valid_id("RIC", RIC, as_of=as_of), dates=("as_of",)
    ),
    "bankcrm.identity.is_valid_mobile": Example(
        lambda as_of=D: idn.is_valid_mobile("13800138000", as_of=as_of), dates=("as_of",)
    ),
    "bankcrm.identity.is_valid_ric": Example(
        lambda as_of=D: idn.is_valid_ric(RIC, as_of=as_of), dates=("as_of",)
    ),
    "bankcrm.identity.is_valid_uscc": Example(
        lambda as_of=D: idn.is_valid_uscc(USCC, as_of=as_of), dates=("as_of",)
    ),
    "bankcrm.identity.lookup_region": Example(lambda: idn.lookup_region("350102")),
    "bankcrm.identity.mask_id": Example(lambda: idn.mask_id("RIC", RIC)),
    "bankcrm.identity.normalize_id": Example(
        lambda as_of=D: idn.normalize_id("RIC", RIC.lower(), as_of=as_of), dates=("as_of",)
    ),
    "bankcrm.identity.normalize_mobile": Example(
        lambda as_of=D: idn.normalize_mobile("+86 138-0013-8000", as_of=as_of), dates=("as_of",)
    ),
    "bankcrm.identity.normalize_ric": Example(
        lambda as_of=D: idn.normalize_ric("110105491231002", as_of=as_of), dates=("as_of",)
    ),
    "bankcrm.identity.normalize_uscc": Example(
        lambda as_of=D: idn.normalize_uscc(USCC.lower(), as_of=as_of), dates=("as_of",)
    ),
    "bankcrm.identity.parse_id_type": Example(lambda: idn.parse_id_type("居民身份证")),
    "bankcrm.identity.IdTypeAliases": Example(
        lambda: idn.parse_id_type("ID-01", aliases=idn.IdTypeAliases(aliases={"ID-01": "RIC"}))
    ),
    "bankcrm.identity.is_organisation_name": Example(
        lambda: idn.is_organisation_name("福州鼓楼农村信用合作社")
    ),
    "bankcrm.identity.upgrade_ric": Example(lambda: idn.upgrade_ric("110105491231002")),
    "bankcrm.identity.validate_fpr": Example(
        lambda as_of=D: idn.validate_fpr(FPR_OLD, as_of=as_of), dates=("as_of",)
    ),
    "bankcrm.identity.validate_hk_macau_travel": Example(
        lambda as_of=D: idn.validate_hk_macau_travel("H12345678", as_of=as_of), dates=("as_of",)
    ),
    "bankcrm.identity.validate_hmt_permit": Example(
        lambda as_of=D: idn.validate_hmt_permit(HMT, as_of=as_of), dates=("as_of",)
    ),
    "bankcrm.identity.validate_id": Example(
        lambda as_of=D: idn.validate_id("HMT_PERMIT", HMT, as_of=as_of), dates=("as_of",)
    ),
    "bankcrm.identity.validate_mobile": Example(
        lambda as_of=D: idn.validate_mobile("13800138000", as_of=as_of), dates=("as_of",)
    ),
    "bankcrm.identity.validate_passport": Example(
        lambda as_of=D: idn.validate_passport("E12345678", as_of=as_of), dates=("as_of",)
    ),
    "bankcrm.identity.validate_ric": Example(
        lambda as_of=D: idn.validate_ric(RIC, as_of=as_of), dates=("as_of",)
    ),
    "bankcrm.identity.validate_taiwan_travel": Example(
        lambda as_of=D: idn.validate_taiwan_travel("12345678", as_of=as_of), dates=("as_of",)
    ),
    "bankcrm.identity.validate_uscc": Example(
        lambda as_of=D: idn.validate_uscc(USCC, as_of=as_of), dates=("as_of",)
    ),
    # identity: names, addresses, fields, records
    "bankcrm.identity.AddressParts": Example(
        lambda: idn.parse_address("福建省福州市台江区五一中路18号")
    ),
    "bankcrm.identity.FieldReport": Example(
        lambda as_of=D: idn.cross_check("RIC", RIC, "1949-12-31", "F", as_of=as_of),
        dates=("as_of",),
    ),
    "bankcrm.identity.cross_check": Example(
        lambda as_of=D: idn.cross_check("RIC", RIC, "1949-12-31", "M", as_of=as_of),
        dates=("as_of",),
    ),
    "bankcrm.identity.address_frame": Example(
        lambda: idn.address_frame(pd.Series(["福建省福州市台江区五一中路18号", None]))
    ),
    "bankcrm.identity.check_fields": Example(
        lambda: idn.check_fields(
            pd.Series(pd.to_datetime(["1949-12-31"])),
            pd.Series(["F"]),
            pd.Series(pd.to_datetime(["1949-12-31"])),
            pd.Series(["F"]),
        )
    ),
    "bankcrm.identity.name_frame": Example(
        lambda: idn.name_frame(pd.Series(["张 伟", "ZHANG WEI"]))
    ),
    "bankcrm.identity.name_key": Example(lambda: idn.name_key("張偉")),
    "bankcrm.identity.name_keys": Example(lambda: idn.name_keys("张伟")),
    "bankcrm.identity.name_keys_column": Example(
        lambda: idn.name_keys_column(pd.Series(["张伟", None]))
    ),
    "bankcrm.identity.name_match_key": Example(lambda: idn.name_match_key("张伟")),
    "bankcrm.identity.name_pinyin": Example(lambda: idn.name_pinyin("张伟")),
    "bankcrm.identity.normalize_address": Example(
        lambda: idn.normalize_address("福建省福州市台江区五一中路１８号")
    ),
    "bankcrm.identity.normalize_addresses": Example(
        lambda: idn.normalize_addresses(pd.Series(["福建省福州市台江区五一中路１８号"]))
    ),
    "bankcrm.identity.normalize_name": Example(lambda: idn.normalize_name(" 張 偉 ")),
    "bankcrm.identity.normalize_names": Example(
        lambda: idn.normalize_names(pd.Series([" 張 偉 ", None]))
    ),
    "bankcrm.identity.parse_address": Example(
        lambda: idn.parse_address("福建省福州市台江区五一中路18号")
    ),
    "bankcrm.identity.pinyin_key": Example(lambda: idn.pinyin_key("张伟")),
    "bankcrm.identity.split_name": Example(lambda: idn.split_name("欧阳娜娜")),
    "bankcrm.identity.StandardizePolicy": Example(lambda: idn.StandardizePolicy(strict_ids=True)),
    "bankcrm.identity.standardize": Example(
        lambda records=None, as_of=D, columns=None: idn.standardize(
            _records() if records is None else records, as_of=as_of, columns=columns
        ),
        dates=("as_of",),
        frame="records",
        frame_value=_records,
        required="id_number",
        rename={"id_number": "cert_no", "name": "cust_name"},
        policy="bankcrm.identity.standardize",
    ),
    # segmentation: RFM
    "bankcrm.segmentation.RFMPolicy": Example(
        lambda: seg.RFMPolicy(window_days=365, negatives="net")
    ),
    "bankcrm.segmentation.rfm_features": Example(
        lambda transactions=None, as_of=AS_OF, columns=None: seg.rfm_features(
            _transactions() if transactions is None else transactions,
            as_of=as_of,
            columns=columns,
        ),
        dates=("as_of",),
        frame="transactions",
        frame_value=_transactions,
        required="amount",
        decimals=("amount",),
        rename={"customer_id": "cust_no", "amount": "amt"},
        nested=True,
        policy="bankcrm.segmentation.rfm",
    ),
    "bankcrm.segmentation.RFMFeatures": Example(_features, policy="bankcrm.segmentation.rfm"),
    "bankcrm.segmentation.fit_rfm_edges": Example(
        lambda features=None, as_of=AS_OF, columns=None: seg.fit_rfm_edges(
            _features().features if features is None else features, as_of=as_of, columns=columns
        ),
        dates=("as_of",),
        frame="features",
        frame_value=lambda: _features().features,
        required="frequency",
        rename={"frequency": "freq"},
    ),
    "bankcrm.segmentation.RFMEdges": Example(lambda: _edges().to_toml()),
    "bankcrm.segmentation.CutPoints": Example(lambda: _edges().cuts),
    "bankcrm.segmentation.GroupCutPoints": Example(
        lambda: seg.fit_rfm_edges(
            _features().features.assign(branch=lambda f: f["customer_id"] % 2),
            policy=seg.RFMPolicy(by="branch"),
        ).groups[0]
    ),
    "bankcrm.segmentation.score_rfm": Example(
        lambda features=None, columns=None: seg.score_rfm(
            _features().features if features is None else features, _edges(), columns=columns
        ),
        frame="features",
        frame_value=lambda: _features().features,
        required="frequency",
        rename={"frequency": "freq"},
        policy="bankcrm.segmentation.rfm",
    ),
    "bankcrm.segmentation.score_customer": Example(
        lambda: seg.score_customer(_features().features.iloc[0], _edges())
    ),
    "bankcrm.segmentation.RFMScore": Example(
        lambda: seg.score_customer(
            {"recency_days": 3, "frequency": 4, "monetary_fen": 120_000}, _edges()
        )
    ),
    "bankcrm.segmentation.rfm_codes": Example(lambda: seg.rfm_codes(3)),
    "bankcrm.segmentation.Segment": Example(lambda: seg.TEN_SEGMENTS.segments[0]),
    "bankcrm.segmentation.SegmentMap": Example(lambda: seg.TEN_SEGMENTS.to_toml()),
    "bankcrm.segmentation.ValueGroup": Example(lambda: seg.THREE_VALUE_GROUPS.groups[0]),
    "bankcrm.segmentation.ValueGroupPolicy": Example(lambda: seg.THREE_VALUE_GROUPS.to_json()),
    "bankcrm.segmentation.assign_segments": Example(
        lambda scores=None, columns=None: seg.assign_segments(
            _scores() if scores is None else scores, columns=columns
        ),
        frame="scores",
        frame_value=_scores,
        required="rfm_score",
        rename={"rfm_score": "total"},
        policy="rfm_ten_segments",
    ),
    "bankcrm.segmentation.segment_summary": Example(
        lambda segmented=None, columns=None: seg.segment_summary(
            _segmented() if segmented is None else segmented, language="zh-CN", columns=columns
        ),
        frame="segmented",
        frame_value=_segmented,
        required="segment",
        policy="rfm_ten_segments",
    ),
    "bankcrm.segmentation.segment_migration": Example(
        lambda before=None, columns=None: seg.segment_migration(
            _segmented(dt.date(2025, 6, 30)) if before is None else before,
            _segmented(),
            columns=columns,
        ),
        frame="before",
        frame_value=lambda: _segmented(dt.date(2025, 6, 30)),
        required="segment",
        rename={"customer_id": "cust_no"},
        nested=True,
    ),
    "bankcrm.segmentation.SegmentMigration": Example(
        lambda: seg.segment_migration(_segmented(dt.date(2025, 6, 30)), _segmented()),
        policy="rfm_ten_segments",
    ),
    "bankcrm.segmentation.corporate_rfm_features": Example(
        lambda parties=None, as_of=AS_OF, columns=None: seg.corporate_rfm_features(
            _corporate().parties if parties is None else parties,
            _corporate().facilities,
            as_of=as_of,
            fx_rates=_corporate().fx_rates,
            columns=columns,
        ),
        dates=("as_of",),
        frame="parties",
        frame_value=lambda: _corporate().parties,
        required="kind",
        policy="bankcrm.segmentation.rfm",
    ),
    "bankcrm.segmentation.facility_business": Example(
        lambda facilities=None, as_of=AS_OF, columns=None: seg.facility_business(
            _corporate().facilities if facilities is None else facilities,
            as_of=as_of,
            fx_rates=_corporate().fx_rates,
            columns=columns,
        ),
        dates=("as_of",),
        frame="facilities",
        frame_value=lambda: _corporate().facilities,
        required="drawn",
        decimals=("drawn", "undrawn"),
        rename={"party_id": "borrower"},
    ),
    # segmentation: customer value
    "bankcrm.segmentation.CLVPolicy": Example(lambda: seg.CLVPolicy(unit="D", margin=0.3)),
    "bankcrm.segmentation.clv_summary": Example(
        lambda transactions=None, as_of=AS_OF, columns=None: seg.clv_summary(
            _transactions() if transactions is None else transactions,
            as_of=as_of,
            columns=columns,
        ),
        dates=("as_of",),
        frame="transactions",
        frame_value=_transactions,
        required="date",
        decimals=("amount",),
        rename={"customer_id": "cust_no", "date": "day"},
        policy="bankcrm.segmentation.clv",
    ),
    "bankcrm.segmentation.CLVSummary": Example(_summary, policy="bankcrm.segmentation.clv"),
    "bankcrm.segmentation.fit_bgnbd": Example(
        lambda summary=None, columns=None: (
            seg.fit_bgnbd(_summary_frame() if summary is None else summary, columns=columns).params_
        ),
        frame="summary",
        frame_value=_summary_frame,
        required="recency",
        rename={"frequency": "repeat_purchases"},
    ),
    "bankcrm.segmentation.BGNBDModel": Example(lambda: _bgnbd().p_alive(_summary())),
    "bankcrm.segmentation.BGNBDParams": Example(lambda: _bgnbd().params_),
    "bankcrm.segmentation.fit_gamma_gamma": Example(
        lambda summary=None, columns=None: (
            seg.fit_gamma_gamma(
                _summary_frame() if summary is None else summary, columns=columns
            ).params_
        ),
        frame="summary",
        frame_value=_summary_frame,
        required="monetary_value",
        rename={"frequency": "repeat_purchases"},
    ),
    "bankcrm.segmentation.GammaGammaModel": Example(
        lambda: _gamma_gamma().conditional_expected_average_value(_summary())
    ),
    "bankcrm.segmentation.GammaGammaParams": Example(lambda: _gamma_gamma().params_),
    "bankcrm.segmentation.customer_value": Example(
        lambda summary=None, columns=None: seg.customer_value(
            _summary_frame() if summary is None else summary,
            _bgnbd(),
            _gamma_gamma(),
            horizon=12,
            columns=columns,
        ),
        frame="summary",
        frame_value=_summary_frame,
        required="T",
        rename={"customer_id": "cust_no"},
        policy="bankcrm.segmentation.clv",
    ),
    "bankcrm.segmentation.p_alive_matrix": Example(lambda: seg.p_alive_matrix(_bgnbd(), T=30)),
    # testing strategies (public, for teams property-testing their own pipelines)
    "bankcrm.testing.strategies.amounts": Example(lambda: _draw(strat.amounts())),
    "bankcrm.testing.strategies.half_fen_amounts": Example(lambda: _draw(strat.half_fen_amounts())),
    "bankcrm.testing.strategies.fen_values": Example(lambda: _draw(strat.fen_values())),
    "bankcrm.testing.strategies.shares": Example(lambda: _draw(strat.shares())),
    "bankcrm.testing.strategies.malformed_amounts": Example(
        lambda: _draw(strat.malformed_amounts())
    ),
    "bankcrm.testing.strategies.malformed_shares": Example(lambda: _draw(strat.malformed_shares())),
    "bankcrm.testing.strategies.frames_for": Example(lambda: _draw(strat.frames_for(_schema()))),
    "bankcrm.testing.strategies.malformed_frames_for": Example(
        lambda: _draw(strat.malformed_frames_for(_schema()))
    ),
    "bankcrm.testing.strategies.MalformedFrame": Example(
        lambda: _draw(strat.malformed_frames_for(_schema()))[0].rule
    ),
    "bankcrm.testing.strategies.arbitrary_id_inputs": Example(
        lambda: _draw(strat.arbitrary_id_inputs())
    ),
    "bankcrm.testing.strategies.invalid_rics": Example(lambda: _draw(strat.invalid_rics())),
    "bankcrm.testing.strategies.legacy_rics": Example(lambda: _draw(strat.legacy_rics())),
    "bankcrm.testing.strategies.messy_forms": Example(lambda: _draw(strat.messy_forms(RIC))),
    "bankcrm.testing.strategies.messy_rics": Example(lambda: _draw(strat.messy_rics())),
    "bankcrm.testing.strategies.mobile_pairs": Example(lambda: _draw(strat.mobile_pairs())),
    "bankcrm.testing.strategies.mobiles": Example(lambda: _draw(strat.mobiles())),
    "bankcrm.testing.strategies.valid_fprs": Example(lambda: _draw(strat.valid_fprs())),
    "bankcrm.testing.strategies.valid_hmt_permits": Example(
        lambda: _draw(strat.valid_hmt_permits())
    ),
    "bankcrm.testing.strategies.valid_rics": Example(lambda: _draw(strat.valid_rics())),
    "bankcrm.testing.strategies.valid_usccs": Example(lambda: _draw(strat.valid_usccs())),
}


#: bankcrm.membership's ladder and review-calendar names (issue 11, parts 3 and 5).
MEMBERSHIP_EXAMPLES: dict[str, Example] = {
    "bankcrm.membership.ReviewSchedule": Example(lambda: mem.ReviewSchedule(months=(1, 7))),
    "bankcrm.membership.Tier": Example(lambda: mem.presets.EVERBRIGHT.tier("wealth")),
    "bankcrm.membership.TierLadder": Example(
        lambda: mem.TierLadder.from_toml(mem.presets.EVERBRIGHT.to_toml())
    ),
    "bankcrm.membership.review_dates": Example(
        lambda start=dt.date(2026, 1, 1), end=D: mem.review_dates(
            start, end, ladder=mem.presets.EVERBRIGHT
        ),
        dates=("start", "end"),
        policy=mem.presets.EVERBRIGHT.name,
    ),
    "bankcrm.membership.latest_review": Example(
        lambda as_of=D: mem.latest_review(as_of, mem.presets.EVERBRIGHT, tier="sunshine_club"),
        dates=("as_of",),
    ),
    "bankcrm.membership.next_review": Example(
        lambda as_of=D: mem.next_review(as_of, mem.presets.EVERBRIGHT, tier="sunshine_club"),
        dates=("as_of",),
    ),
    "bankcrm.membership.averaging_window": Example(
        lambda as_of=D: mem.averaging_window(as_of, mem.presets.EVERBRIGHT, tier="sunshine_club"),
        dates=("as_of",),
    ),
    "bankcrm.membership.review_window": Example(
        lambda review_date=dt.date(2026, 7, 1): mem.review_window(
            review_date, mem.presets.EVERBRIGHT, tier="sunshine_club"
        ),
        dates=("review_date",),
    ),
    "bankcrm.membership.membership_valid_until": Example(
        lambda notified_on=dt.date(2025, 8, 31): mem.membership_valid_until(
            notified_on, mem.presets.EVERBRIGHT, tier="sunshine_club"
        ),
        dates=("notified_on",),
    ),
    "bankcrm.membership.validity_after_review": Example(
        lambda valid_until=dt.date(2026, 9, 15), review_date=dt.date(2026, 7, 1): (
            mem.validity_after_review(
                valid_until,
                review_date,
                mem.presets.EVERBRIGHT,
                tier="sunshine_club",
                qualified=False,
            )
        ),
        dates=("valid_until", "review_date"),
    ),
}


# ---------------------------------------------------------------- membership: balances, averages
def _member_accounts() -> pd.DataFrame:
    return ds.generate_accounts(40, seed=5).accounts


def _member_balances() -> pd.DataFrame:
    return ds.generate_accounts(40, seed=5).balances


def _member_fx() -> pd.DataFrame:
    return ds.generate_accounts(40, seed=5).fx_rates


#: bankcrm.membership's balance and daily-average names (issue 11, parts 1 and 2).
MEMBERSHIP_AVERAGE_EXAMPLES: dict[str, Example] = {
    "bankcrm.membership.AssetPolicy": Example(
        lambda: mem.AssetPolicy.from_toml(mem.AUM.to_toml()), policy=None
    ),
    "bankcrm.membership.daily_balances": Example(
        lambda balances=None, start=dt.date(2025, 1, 1), end=dt.date(2025, 3, 31), columns=None: (
            mem.daily_balances(
                _member_accounts(),
                _member_balances() if balances is None else balances,
                start=start,
                end=end,
                fx_rates=_member_fx(),
                columns=columns,
            )
        ),
        dates=("start", "end"),
        frame="balances",
        frame_value=_member_balances,
        required="date",
        decimals=("balance",),
        rename={"account_id": "acct", "balance": "bal"},
        nested=True,
        policy="bankcrm.membership.financial_assets",
    ),
    "bankcrm.membership.daily_average": Example(
        lambda balances=None, start=dt.date(2025, 1, 1), end=dt.date(2025, 6, 30), columns=None: (
            mem.daily_average(
                _member_accounts(),
                _member_balances() if balances is None else balances,
                start=start,
                end=end,
                periods="month",
                fx_rates=_member_fx(),
                policy=mem.AUM,
                columns=columns,
            )
        ),
        dates=("start", "end"),
        frame="balances",
        frame_value=_member_balances,
        required="account_id",
        decimals=("balance",),
        rename={"account_id": "acct", "date": "day"},
        nested=True,
        policy="bankcrm.membership.aum",
    ),
    "bankcrm.membership.meets": Example(
        lambda: mem.meets([3_100_000_000, 3_099_999_999], [31, 31], 1_000_000, "以上")
    ),
}

#: bankcrm.membership's evaluation names (issue 11, part 4).
MEMBERSHIP_EVALUATION_EXAMPLES: dict[str, Example] = {
    "bankcrm.membership.evaluate_tiers": Example(
        lambda balances=None, as_of=dt.date(2025, 12, 31), columns=None: mem.evaluate_tiers(
            _member_accounts(),
            _member_balances() if balances is None else balances,
            mem.presets.EVERBRIGHT,
            as_of=as_of,
            fx_rates=_member_fx(),
            columns=columns,
        ),
        dates=("as_of",),
        frame="balances",
        frame_value=_member_balances,
        required="account_id",
        decimals=("balance",),
        rename={"account_id": "acct", "date": "day"},
        nested=True,
        policy=mem.presets.EVERBRIGHT.name,
    ),
    "bankcrm.membership.evaluate_tier": Example(
        lambda as_of=dt.date(2026, 3, 15): mem.evaluate_tier(
            {
                ("financial_assets", dt.date(2026, 2, 1), dt.date(2026, 2, 28)): (
                    2_800_000_000,
                    28,
                ),
                ("aum", dt.date(2025, 7, 1), dt.date(2025, 12, 31)): (0, 184),
            },
            mem.presets.EVERBRIGHT,
            as_of=as_of,
        ),
        dates=("as_of",),
    ),
}
REGISTRY.update(MEMBERSHIP_EXAMPLES)
REGISTRY.update(MEMBERSHIP_AVERAGE_EXAMPLES)
REGISTRY.update(MEMBERSHIP_EVALUATION_EXAMPLES)


# ---------------------------------------------------------------- membership: tier migration
def _member_tiers(as_of: dt.date) -> pd.DataFrame:
    """An evaluate_tiers result (stamped with EVERBRIGHT's provenance) at ``as_of``."""
    return mem.evaluate_tiers(
        _member_accounts(),
        _member_balances(),
        mem.presets.EVERBRIGHT,
        as_of=as_of,
        fx_rates=_member_fx(),
    )


_JANUARY, _JULY = dt.date(2025, 1, 15), dt.date(2025, 7, 15)

#: bankcrm.membership's tier-migration names (issue 11, part 7).
MEMBERSHIP_MIGRATION_EXAMPLES: dict[str, Example] = {
    "bankcrm.membership.tier_migration": Example(
        lambda before=None, columns=None: mem.tier_migration(
            _member_tiers(_JANUARY) if before is None else before,
            _member_tiers(_JULY),
            ladder=mem.presets.EVERBRIGHT,
            columns=columns,
        ),
        frame="before",
        frame_value=lambda: _member_tiers(_JANUARY),
        required="tier",
        rename={"customer_id": "cust_no", "tier": "grade"},
        nested=True,
        policy=mem.presets.EVERBRIGHT.name,
    ),
    "bankcrm.membership.TierMigration": Example(
        lambda: mem.tier_migration(_member_tiers(_JANUARY), _member_tiers(_JULY)),
        policy=mem.presets.EVERBRIGHT.name,
    ),
}
REGISTRY.update(MEMBERSHIP_MIGRATION_EXAMPLES)


_TL_START, _TL_END = dt.date(2025, 6, 1), dt.date(2025, 12, 31)

#: bankcrm.membership's timeline and notification list (issue 11, parts 5 and 6).
MEMBERSHIP_TIMELINE_EXAMPLES: dict[str, Example] = {
    "bankcrm.membership.membership_timeline": Example(
        lambda balances=None, start=_TL_START, as_of=_TL_END, columns=None: mem.membership_timeline(
            _member_accounts(),
            _member_balances() if balances is None else balances,
            mem.presets.EVERBRIGHT,
            start=start,
            as_of=as_of,
            fx_rates=_member_fx(),
            columns=columns,
        ),
        dates=("start", "as_of"),
        frame="balances",
        frame_value=_member_balances,
        required="account_id",
        decimals=("balance",),
        rename={"account_id": "acct", "date": "day"},
        nested=True,
        policy=mem.presets.EVERBRIGHT.name,
    ),
    "bankcrm.membership.review_notifications": Example(
        lambda balances=None, as_of=dt.date(2025, 12, 31), columns=None: mem.review_notifications(
            _member_accounts(),
            _member_balances() if balances is None else balances,
            mem.presets.EVERBRIGHT,
            as_of=as_of,
            fx_rates=_member_fx(),
            columns=columns,
        ),
        dates=("as_of",),
        frame="balances",
        frame_value=_member_balances,
        required="account_id",
        decimals=("balance",),
        rename={"account_id": "acct", "date": "day"},
        nested=True,
        policy=mem.presets.EVERBRIGHT.name,
    ),
}
REGISTRY.update(MEMBERSHIP_TIMELINE_EXAMPLES)


# ---------------------------------------------------------------- credit: group clients
def _party_frames() -> ds.PartyFrames:
    return ds.generate_parties(12, seed=4)


def _credit_holdings() -> pd.DataFrame:
    return _party_frames().holdings


#: bankcrm.credit's names (issue 12, parts 1-4).
CREDIT_EXAMPLES: dict[str, Example] = {
    "bankcrm.credit.ControlRule": Example(
        lambda: credit.ControlRule(
            effective_from=dt.date(2024, 7, 1),
            threshold=credit.GroupPolicy().control_threshold(dt.date(2024, 7, 1)),
        )
    ),
    "bankcrm.credit.GroupPolicy": Example(
        lambda: credit.GroupPolicy.from_toml(credit.GroupPolicy(joint_control="both").to_toml())
    ),
    "bankcrm.credit.identify_groups": Example(
        lambda holdings=None, as_of=AS_OF, columns=None: credit.identify_groups(
            _party_frames().parties,
            _credit_holdings() if holdings is None else holdings,
            as_of=as_of,
            control_arrangements=_party_frames().control_arrangements,
            person_ties=_party_frames().person_ties,
            columns=columns,
        ),
        dates=("as_of",),
        frame="holdings",
        frame_value=_credit_holdings,
        required="owned_id",
        decimals=("equity_share", "voting_share"),
        rename={"owner_id": "holder", "equity_share": "equity"},
        nested=True,
        policy="bankcrm.credit.groups",
    ),
    "bankcrm.credit.ultimate_controllers": Example(
        lambda holdings=None, as_of=AS_OF, columns=None: credit.ultimate_controllers(
            _party_frames().parties,
            _credit_holdings() if holdings is None else holdings,
            as_of=as_of,
            person_ties=_party_frames().person_ties,
            columns=columns,
        ),
        dates=("as_of",),
        frame="holdings",
        frame_value=_credit_holdings,
        required="owner_id",
        decimals=("equity_share", "voting_share"),
        rename={"owned_id": "held", "voting_share": "votes"},
        nested=True,
        policy="bankcrm.credit.groups",
    ),
    "bankcrm.credit.integrated_ownership": Example(
        lambda holdings=None, columns=None: credit.integrated_ownership(
            _credit_holdings() if holdings is None else holdings, columns=columns
        ),
        frame="holdings",
        frame_value=_credit_holdings,
        required="owned_id",
        decimals=("equity_share", "voting_share"),
        rename={"owner_id": "holder", "equity_share": "equity"},
        nested=True,
        policy="bankcrm.credit.integrated_ownership",
    ),
}
REGISTRY.update(CREDIT_EXAMPLES)


def _credit_snapshot(as_of: dt.date) -> pd.DataFrame:
    frames = _party_frames()
    return credit.identify_groups(
        frames.parties,
        frames.holdings,
        as_of=as_of,
        control_arrangements=frames.control_arrangements,
        person_ties=frames.person_ties,
    )


_GROUPS_OLD_LAW, _GROUPS_NEW_LAW = dt.date(2024, 6, 30), dt.date(2025, 12, 31)

#: bankcrm.credit's snapshot comparison (issue 12, part 5).
CREDIT_SNAPSHOT_EXAMPLES: dict[str, Example] = {
    "bankcrm.credit.compare_group_snapshots": Example(
        lambda before=None, columns=None: credit.compare_group_snapshots(
            _credit_snapshot(_GROUPS_OLD_LAW) if before is None else before,
            _credit_snapshot(_GROUPS_NEW_LAW),
            columns=columns,
        ),
        frame="before",
        frame_value=lambda: _credit_snapshot(_GROUPS_OLD_LAW),
        required="group_id",
        rename={"party_id": "pid", "group_id": "gid"},
        nested=True,
        policy="bankcrm.credit.compare_group_snapshots",
    ),
    "bankcrm.credit.GroupChanges": Example(
        lambda: credit.compare_group_snapshots(
            _credit_snapshot(_GROUPS_OLD_LAW), _credit_snapshot(_GROUPS_NEW_LAW)
        ),
        policy="bankcrm.credit.compare_group_snapshots",
    ),
}
REGISTRY.update(CREDIT_SNAPSHOT_EXAMPLES)
