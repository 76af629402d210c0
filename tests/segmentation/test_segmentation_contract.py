"""The RFM half of segmentation keeps the contract of ``docs/conventions.md`` (issue 8).

Each test names the rule it checks; the ones marked "today" failed on the code before the
contract (a silent wrong answer, an internal error, or a missing feature).
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

from bankcrm.errors import InputError, PolicyError
from bankcrm.policy import load, read_provenance, save
from bankcrm.results import Result
from bankcrm.segmentation import (
    TEN_SEGMENTS,
    THREE_VALUE_GROUPS,
    RFMEdges,
    RFMFeatures,
    RFMPolicy,
    SegmentMigration,
    assign_segments,
    corporate_rfm_features,
    facility_business,
    fit_rfm_edges,
    rfm_features,
    score_customer,
    score_rfm,
    segment_migration,
    segment_summary,
)

AS_OF = dt.date(2026, 3, 31)


def _numpy_tx() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    n = 300
    ids = rng.integers(0, 40, n)
    days = rng.integers(0, 400, n)
    cents = rng.integers(-2_000, 500_000, n)
    return pd.DataFrame(
        {
            "customer_id": np.array([f"c{i:03d}" for i in ids], dtype=object),
            "date": pd.Timestamp("2025-03-01") + pd.to_timedelta(days, "D"),
            "amount": [Decimal(int(c)) / 100 for c in cents],
        }
    )


def _arrow_table(tx: pd.DataFrame) -> pa.Table:
    return pa.table(
        {
            "customer_id": pa.array(tx["customer_id"].tolist(), pa.string()),
            "date": pa.array(tx["date"].tolist(), pa.timestamp("us")),
            "amount": pa.array(tx["amount"].tolist(), pa.decimal128(14, 2)),
        }
    )


def _forms(table: pa.Table) -> dict[str, Any]:
    """The same data as Arrow-dtype pandas, a pyarrow Table and a polars DataFrame."""
    return {
        "arrow_dtypes": table.to_pandas(types_mapper=pd.ArrowDtype),
        "pyarrow": table,
        "polars": pl.from_arrow(table),
    }


# -- rule 3: inputs -------------------------------------------------------------------


def test_arrow_decimal_amounts_are_read_exactly() -> None:
    tx = pd.DataFrame(
        {
            "customer_id": pd.array([1, 2, 1], dtype="int64[pyarrow]"),
            "date": pd.Series(
                pd.to_datetime(["2026-03-01", "2026-03-02", "2026-03-03"]),
                dtype=pd.ArrowDtype(pa.timestamp("ns")),
            ),
            "amount": pd.Series(
                [Decimal("0.105"), Decimal("2.00"), Decimal("1.005")],
                dtype=pd.ArrowDtype(pa.decimal128(10, 3)),
            ),
        }
    )
    frame = rfm_features(tx, as_of=AS_OF).features
    assert frame["monetary_fen"].tolist() == [11 + 101, 200]


@pytest.mark.parametrize("form", ["arrow_dtypes", "pyarrow", "polars"])
def test_today_every_entry_point_gives_the_numpy_result(form: str) -> None:
    # today: pyarrow Tables and polars frames are refused (or fail inside pandas calls)
    tx = _numpy_tx()
    other = _forms(_arrow_table(tx))[form]
    base = rfm_features(tx, as_of=AS_OF)
    result = rfm_features(other, as_of=AS_OF)
    pd.testing.assert_frame_equal(result.features, base.features)
    pd.testing.assert_frame_equal(
        result.excluded[["position", "reason"]], base.excluded[["position", "reason"]]
    )
    assert result.excluded["customer_id"].tolist() == base.excluded["customer_id"].tolist()

    features_table = pa.Table.from_pandas(base.features, preserve_index=False)
    features_form = _forms(features_table)[form]
    edges = fit_rfm_edges(base)
    assert fit_rfm_edges(features_form, as_of=AS_OF) == edges
    scored = score_rfm(base, edges)
    scored_other = score_rfm(features_form, edges)
    for column in ("r_score", "f_score", "m_score", "rfm_score"):
        assert scored_other[column].tolist() == scored[column].tolist()
    assert scored_other["rfm_code"].astype(str).tolist() == scored["rfm_code"].astype(str).tolist()

    plain = scored[["customer_id", "r_score", "f_score", "m_score", "rfm_score"]]
    segmented = assign_segments(plain)
    segmented_other = assign_segments(_forms(pa.Table.from_pandas(plain))[form])
    assert segmented_other["segment"].tolist() == segmented["segment"].tolist()
    summary = segment_summary(segmented)
    summary_other = segment_summary(
        _forms(pa.Table.from_pandas(segmented, preserve_index=False))[form]
    )
    pd.testing.assert_frame_equal(summary_other, summary)

    moves = segment_migration(segmented.iloc[::2], segmented.iloc[1::3])
    moves_other = segment_migration(
        _forms(pa.Table.from_pandas(segmented.iloc[::2], preserve_index=False))[form],
        _forms(pa.Table.from_pandas(segmented.iloc[1::3], preserve_index=False))[form],
    )
    # polars keeps only the categories in use, so compare customer by customer
    pairs = moves.moves[["before", "after"]].astype(str).to_numpy().tolist()
    assert moves_other.moves[["before", "after"]].astype(str).to_numpy().tolist() == pairs
    matrix = moves.matrix
    used = matrix.loc[matrix.sum(axis=1) > 0, matrix.sum(axis=0) > 0]
    other_matrix = moves_other.matrix.loc[used.index, used.columns]
    assert other_matrix.to_numpy().tolist() == used.to_numpy().tolist()


def _corporate() -> tuple[pd.DataFrame, pd.DataFrame]:
    parties = pd.DataFrame(
        {"party_id": ["C1", "C2", "C3", "R1"], "kind": ["corporate"] * 3 + ["retail"]}
    )
    facilities = pd.DataFrame(
        {
            "party_id": ["C1", "C1", "C2", "R1"],
            "start_date": pd.to_datetime(["2025-03-01", "2025-11-30", "2024-01-10", "2025-01-01"]),
            "currency": ["CNY", "CNY", "CNY", "CNY"],
            "drawn": [Decimal("1000000.00"), Decimal("0"), Decimal("250000.50"), Decimal("5")],
            "undrawn": [Decimal("0"), Decimal("100000.00"), Decimal("0"), Decimal("0")],
        }
    )
    return parties, facilities


@pytest.mark.parametrize("form", ["arrow_dtypes", "pyarrow", "polars"])
def test_corporate_entry_points_on_arrow_inputs(form: str) -> None:
    parties, facilities = _corporate()
    base = corporate_rfm_features(parties, facilities, as_of="2025-12-31")
    fac_table = pa.table(
        {
            "party_id": pa.array(facilities["party_id"].tolist(), pa.string()),
            "start_date": pa.array(facilities["start_date"].tolist(), pa.timestamp("us")),
            "currency": pa.array(facilities["currency"].tolist(), pa.string()),
            "drawn": pa.array(facilities["drawn"].tolist(), pa.decimal128(16, 2)),
            "undrawn": pa.array(facilities["undrawn"].tolist(), pa.decimal128(16, 2)),
        }
    )
    party_table = pa.Table.from_pandas(parties, preserve_index=False)
    other = corporate_rfm_features(
        _forms(party_table)[form], _forms(fac_table)[form], as_of="2025-12-31"
    )
    pd.testing.assert_frame_equal(other.features, base.features)
    business = facility_business(facilities, as_of="2025-12-31", fx_rates=None)
    business_other = facility_business(_forms(fac_table)[form], as_of="2025-12-31", fx_rates=None)
    pd.testing.assert_frame_equal(business_other, business)
    (stamp,) = read_provenance(business_other)
    assert stamp.as_of == dt.date(2025, 12, 31)


def test_numpy_frames_are_not_copied_at_the_door() -> None:
    from bankcrm._tables import as_pandas

    tx = _numpy_tx().astype({"amount": float})
    assert as_pandas(tx, name="transactions") is tx


def test_other_objects_name_their_module() -> None:
    with pytest.raises(InputError) as info:
        rfm_features(pl.DataFrame({"a": [1]}).lazy(), as_of=AS_OF)
    assert info.value.rule == "type"
    assert "polars" in str(info.value)


# -- rule 1: scalar dates -------------------------------------------------------------------


@pytest.mark.parametrize("call", ["rfm_features", "fit_rfm_edges", "facility_business"])
def test_today_as_of_with_a_time_zone_is_rule_timezone(call: str) -> None:
    # today: reported as rule "date" (the local coercer re-labelled the core's error)
    tx = _numpy_tx()
    aware = pd.Timestamp("2026-03-31", tz="Asia/Shanghai")
    features = rfm_features(tx, as_of=AS_OF)
    calls: dict[str, Callable[[], object]] = {
        "rfm_features": lambda: rfm_features(tx, as_of=aware),
        "fit_rfm_edges": lambda: fit_rfm_edges(features, as_of=aware),
        "facility_business": lambda: facility_business(_corporate()[1], as_of=aware, fx_rates=None),
    }
    with pytest.raises(InputError) as info:
        calls[call]()
    assert info.value.rule == "timezone"
    assert info.value.column == "as_of"


def test_as_of_with_a_time_of_day_is_refused_everywhere() -> None:
    with pytest.raises(InputError, match="time of day") as info:
        rfm_features(_numpy_tx(), as_of=dt.datetime(2026, 3, 31, 9, 30))
    assert info.value.rule == "date"
    features = rfm_features(_numpy_tx(), as_of=np.datetime64("2026-03-31T00:00"))
    assert features.as_of == AS_OF


# -- rule 2: column roles --------------------------------------------------------------------


def test_all_missing_columns_in_one_error() -> None:
    with pytest.raises(InputError) as info:
        rfm_features(pd.DataFrame({"x": [1]}), as_of=AS_OF)
    assert info.value.rule == "required"
    for column in ("customer_id", "date", "amount", "available: ['x']"):
        assert column in str(info.value)
    with pytest.raises(InputError) as info:
        fit_rfm_edges(pd.DataFrame({"x": [1]}))
    for column in ("recency_days", "frequency", "monetary_fen"):
        assert column in str(info.value)


def test_customers_frame_takes_its_own_column_names() -> None:
    tx = pd.DataFrame(
        {"cust": [1, 2], "d": pd.to_datetime(["2026-03-01", "2026-03-02"]), "amt": [1.0, 2.0]}
    )
    customers = pd.DataFrame({"cid": [2, 3], "branch": ["x", "y"]})
    result = rfm_features(
        tx,
        as_of=AS_OF,
        customers=customers,
        columns={
            "transactions": {"customer_id": "cust", "date": "d", "amount": "amt"},
            "customers": {"customer_id": "cid"},
        },
    )
    assert result.features["customer_id"].tolist() == [2, 3]
    assert result.features["branch"].tolist() == ["x", "y"]
    # the excluded rows carry their keys under the caller's names
    assert result.excluded.columns.tolist() == ["position", "reason", "cust", "d"]
    assert result.excluded["cust"].tolist() == [1]


def test_today_segment_migration_takes_columns_by_frame() -> None:
    # today: column=/key= keywords, one name for both frames
    before = pd.DataFrame({"cid": [1, 2], "value_group": ["high", "low"]})
    after = pd.DataFrame({"customer": [1, 2], "group": ["low", "low"]})
    moves = segment_migration(
        before,
        after,
        columns={
            "before": {"customer_id": "cid", "segment": "value_group"},
            "after": {"customer_id": "customer", "segment": "group"},
        },
    )
    assert moves.left("high")["cid"].tolist() == [1]
    with pytest.raises(InputError) as info:
        segment_migration(before, after)
    assert info.value.rule == "required"
    assert "'customer_id' (role customer_id)" in str(info.value)
    assert "'segment' (role segment)" in str(info.value)


def test_score_and_segment_functions_take_columns() -> None:
    features = pd.DataFrame(
        {"r": pd.array([3, 40, None], dtype="Int64"), "f": [5, 1, 0], "m": [500, 10, 0]}
    )
    roles = {"recency_days": "r", "frequency": "f", "monetary_fen": "m"}
    edges = fit_rfm_edges(features, columns=roles)
    scored = score_rfm(features, edges, columns=roles)
    renamed = scored.rename(columns={"r_score": "R", "f_score": "F", "rfm_score": "T"})
    segmented = assign_segments(renamed, columns={"r_score": "R", "f_score": "F", "rfm_score": "T"})
    assert segmented["segment"].notna().all()


# -- rule 4: argument order ----------------------------------------------------------------


def test_today_score_customer_takes_data_first() -> None:
    features = rfm_features(_numpy_tx(), as_of=AS_OF)
    edges = fit_rfm_edges(features)
    scored = score_rfm(features, edges)
    for position in range(len(scored)):
        row = scored.iloc[position]
        one = score_customer(row, edges)
        assert (one.code, one.total) == (row["rfm_code"], row["rfm_score"])
    metrics = {"recency_days": None, "frequency": 0, "monetary": "0.00"}
    assert score_customer(metrics, edges).code == "111"
    with pytest.raises(InputError) as info:
        score_customer(edges, metrics)  # type: ignore[arg-type]
    assert info.value.rule == "type"


# -- rule 5: policies, save and load -------------------------------------------------------


def test_today_rfm_policy_round_trips_and_validates(tmp_path: Path) -> None:
    policy = RFMPolicy(window_days=365, negatives="net", bins=4, weights=(2, 1, 1), by="branch")
    for suffix in ("json", "toml"):
        path = save(policy, tmp_path / f"rfm.{suffix}")
        assert load(RFMPolicy, path) == policy
    assert RFMPolicy(window_days=dt.timedelta(days=30)).window_days == 30
    for bad in (
        {"window_days": 0},
        {"window_days": dt.timedelta(hours=5)},
        {"negatives": "drop"},
        {"on_invalid": "ignore"},
        {"after_as_of": "keep"},
        {"frequency": "days"},
        {"bins": 1},
        {"weights": (1, 1)},
        {"by": ""},
    ):
        with pytest.raises(PolicyError):
            RFMPolicy(**bad)


def test_today_edges_save_and_load_as_toml_and_json(tmp_path: Path) -> None:
    features = rfm_features(_numpy_tx(), as_of=AS_OF)
    edges = fit_rfm_edges(features)
    for suffix in ("json", "toml"):
        path = save(edges, tmp_path / f"edges.{suffix}")
        assert load(RFMEdges, path) == edges
        assert load(RFMEdges, save(edges, tmp_path / f"again.{suffix}")) == edges
    grouped = fit_rfm_edges(
        features.features.assign(branch=["a", "b"] * (len(features.features) // 2)),
        policy=RFMPolicy(by="branch", bins=3),
    )
    path = save(grouped, tmp_path / "grouped.toml")
    assert load(RFMEdges, path) == grouped


def test_today_a_failed_edges_write_is_a_policy_error_naming_the_path(tmp_path: Path) -> None:
    edges = fit_rfm_edges(rfm_features(_numpy_tx(), as_of=AS_OF))
    target = tmp_path / "no" / "such" / "dir" / "edges.json"
    with pytest.raises(PolicyError, match=r"edges\.json") as info:
        save(edges, target)
    assert str(target) in str(info.value)


def test_edges_record_the_policy_they_were_fitted_under() -> None:
    mine = RFMPolicy(name="my_bank.rfm", version="7", bins=3)
    features = rfm_features(_numpy_tx(), as_of=AS_OF, policy=mine)
    edges = fit_rfm_edges(features)  # the features' own policy
    assert (edges.policy_name, edges.policy_version, edges.bins) == ("my_bank.rfm", "7", 3)


# -- rule 6: results -------------------------------------------------------------------------


def test_today_results_are_result_objects_with_provenance_and_keys() -> None:
    tx = _numpy_tx()
    result = rfm_features(tx, as_of=AS_OF)
    assert isinstance(result, Result)
    assert result.provenance.policy_name == "bankcrm.segmentation.rfm"
    assert result.provenance.as_of == AS_OF
    text = repr(result)
    assert text.startswith("RFMFeatures(")
    assert "\n" not in text
    assert len(text) < 200
    # the excluded rows carry the customer id and date beside position and reason
    assert result.excluded.columns.tolist() == ["position", "reason", "customer_id", "date"]
    first = result.excluded.iloc[0]
    row = tx.iloc[int(first["position"])]
    assert (first["customer_id"], first["date"]) == (row["customer_id"], row["date"])

    segmented = assign_segments(score_rfm(result, fit_rfm_edges(result)))
    moves = segment_migration(segmented, segmented.iloc[::2])
    assert isinstance(moves, SegmentMigration)
    assert isinstance(moves, Result)
    assert moves.provenance.policy_name == TEN_SEGMENTS.name
    assert moves.provenance.as_of == AS_OF
    assert "\n" not in repr(moves)


def test_single_frame_results_are_stamped() -> None:
    result = rfm_features(_numpy_tx(), as_of=AS_OF)
    scored = score_rfm(result, fit_rfm_edges(result))
    segmented = assign_segments(scored)
    summary = segment_summary(segmented)
    assert read_provenance(scored)[0].producer == "bankcrm.segmentation.score_rfm"
    assert read_provenance(segmented)[0].policy_name == TEN_SEGMENTS.name
    names = [p.policy_name for p in read_provenance(segmented)]
    assert TEN_SEGMENTS.name in names
    assert THREE_VALUE_GROUPS.name in names
    (stamp,) = read_provenance(summary)
    assert (stamp.policy_name, stamp.as_of) == (TEN_SEGMENTS.name, AS_OF)


# -- rule 8: guards ----------------------------------------------------------------------------


def test_today_int_and_text_customer_ids_are_a_key_type_error() -> None:
    # today: every transaction silently excluded as unknown_customer
    tx = pd.DataFrame(
        {"customer_id": [1, 2], "date": pd.to_datetime(["2026-03-01"] * 2), "amount": [1.0, 2.0]}
    )
    customers = pd.DataFrame({"customer_id": ["1", "2"]})
    with pytest.raises(InputError) as info:
        rfm_features(tx, as_of=AS_OF, customers=customers)
    assert info.value.rule == "key_type"
    message = str(info.value)
    for word in ("transactions", "customers", "int64", "str"):
        assert word in message
    with pytest.raises(InputError) as info:
        rfm_features(tx.astype({"customer_id": str}), as_of=AS_OF, customers=customers.astype(int))
    assert info.value.rule == "key_type"


def test_today_migration_between_int_and_text_ids_is_a_key_type_error() -> None:
    # today: everyone reported as (new) and (gone)
    before = pd.DataFrame({"customer_id": [1, 2], "segment": ["loyal", "new"]})
    after = before.astype({"customer_id": str})
    with pytest.raises(InputError) as info:
        segment_migration(before, after)
    assert info.value.rule == "key_type"
    for word in ("before", "after", "int64"):
        assert word in str(info.value)


def test_today_segment_map_for_other_bins_is_a_mismatch() -> None:
    # today: 3-bin scores silently segmented with the 5-bin map
    result = rfm_features(_numpy_tx(), as_of=AS_OF)
    three = fit_rfm_edges(result, policy=RFMPolicy(bins=3))
    with pytest.raises(InputError) as info:
        assign_segments(score_rfm(result, three), TEN_SEGMENTS)
    assert info.value.rule == "mismatch"
    assert "3-bin" in str(info.value)
    weighted = fit_rfm_edges(result, policy=RFMPolicy(weights=(2, 1, 1)))
    fixed = attrs.evolve(THREE_VALUE_GROUPS, scale=False)  # the default groups scale (issue 9)
    with pytest.raises(InputError) as info:
        assign_segments(score_rfm(result, weighted), value_groups=fixed)  # written for 15
    assert info.value.rule == "mismatch"


# -- rule 9: language -----------------------------------------------------------------------


@pytest.mark.parametrize("language", ["zh", "zh-CN", "ZH-hans", "cn", "CN"])
def test_today_language_aliases(language: str) -> None:
    # today: anything but exactly "zh" silently gave English
    segmented = assign_segments(
        score_rfm(
            rfm_features(_numpy_tx(), as_of=AS_OF),
            fit_rfm_edges(rfm_features(_numpy_tx(), as_of=AS_OF)),
        )
    )
    summary = segment_summary(segmented, language=language)
    assert summary.loc["champions", "label"] == "冠军客户"
    assert TEN_SEGMENTS.label_map(language)["champions"] == "冠军客户"


def test_today_unknown_language_is_an_error() -> None:
    segmented = pd.DataFrame(
        {"segment": ["champions"], "r_score": [5], "f_score": [5], "m_score": [5]}
    )
    with pytest.raises(InputError) as info:
        segment_summary(segmented, language="fr")
    assert info.value.rule == "language"


# -- rule 11: imports -----------------------------------------------------------------------


def test_today_importing_segmentation_does_not_load_numba() -> None:
    code = (
        "import sys, bankcrm.segmentation; "
        "print(sorted(m for m in ('numba', 'llvmlite') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_kernel_constants_repeated_in_features_agree() -> None:
    from bankcrm.segmentation import _kernels, features

    assert (features.COUNTED, features.REGISTER, features.SKIP) == (
        _kernels.COUNTED,
        _kernels.REGISTER,
        _kernels.SKIP,
    )
    assert features.NO_DAY == _kernels.NO_DAY


def test_features_are_a_result_with_policy_properties() -> None:
    result = rfm_features(_numpy_tx(), as_of=AS_OF, policy=RFMPolicy(window_days=30))
    assert isinstance(result, RFMFeatures)
    assert (result.window_days, result.negatives, result.frequency, result.monetary) == (
        30,
        "exclude",
        "count",
        "sum",
    )


def test_today_plot_language_goes_through_parse_language() -> None:
    # today: any language but exactly "zh" silently drew English labels
    from bankcrm.segmentation import plots

    segmented = pd.DataFrame({"segment": ["champions"]})
    with pytest.raises(InputError) as info:
        plots.segment_sizes(segmented, language="fr")
    assert info.value.rule == "language"


def test_excluded_rows_are_laid_out_as_excluded_frame_does() -> None:
    from bankcrm.results import excluded_frame

    tx = _numpy_tx()
    tx.index = pd.Index([f"r{i}" for i in range(len(tx))])
    excluded = rfm_features(tx, as_of=AS_OF).excluded
    assert isinstance(excluded["reason"].dtype, pd.CategoricalDtype)
    expected = excluded_frame(
        tx, excluded["position"], excluded["reason"].astype(str), keys=["customer_id", "date"]
    )
    pd.testing.assert_frame_equal(excluded.astype({"reason": str}), expected, check_dtype=False)
