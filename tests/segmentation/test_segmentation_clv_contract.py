"""Customer value keeps the contract of docs/conventions.md (issue 8): column roles, a policy,
data-first scoring methods, results with provenance and excluded rows, Arrow / pyarrow / polars
input, save / load of fitted models, scipy loaded on first use, Rule codes on bad input."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import textwrap
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from bankcrm.errors import InputError, NotFittedError, PolicyError, Rule
from bankcrm.policy import load, read_provenance, save
from bankcrm.results import Result
from bankcrm.segmentation import (
    BGNBDModel,
    BGNBDParams,
    CLVPolicy,
    CLVSummary,
    GammaGammaModel,
    clv_summary,
    customer_value,
    fit_bgnbd,
    fit_gamma_gamma,
    p_alive_matrix,
)

AS_OF = dt.date(2026, 3, 31)
CDNOW = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
CDNOW_SPEND = {"p": 6.25, "q": 3.74, "v": 15.44}


def _transactions() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    n = 400
    ids = rng.integers(1, 60, size=n)
    days = rng.integers(0, 120, size=n)
    cents = rng.integers(-300, 50_000, size=n)
    return pd.DataFrame(
        {
            "customer_id": [f"c{i:03d}" for i in ids],
            "date": (np.datetime64("2026-01-01") + days.astype("timedelta64[D]")).astype(
                "datetime64[us]"
            ),
            "amount": [Decimal(int(c)).scaleb(-2) for c in cents],
        }
    )


def _arrow_table(tx: pd.DataFrame) -> pa.Table:
    return pa.table(
        {
            "customer_id": pa.array(tx["customer_id"].tolist(), pa.string()),
            "date": pa.array(tx["date"].to_numpy(), pa.timestamp("us")),
            "amount": pa.array(tx["amount"].tolist(), pa.decimal128(12, 2)),
        }
    )


# --- rule 2: column roles --------------------------------------------------------------------


def test_clv_summary_takes_columns_by_role_and_reports_every_missing_column_at_once() -> None:
    tx = _transactions().rename(columns={"customer_id": "cust_no", "amount": "amt"})
    renamed = clv_summary(tx, as_of=AS_OF, columns={"customer_id": "cust_no", "amount": "amt"})
    plain = clv_summary(_transactions(), as_of=AS_OF)
    assert renamed.frame.columns[0] == "cust_no"
    np.testing.assert_array_equal(renamed.frame.iloc[:, 1:], plain.frame.iloc[:, 1:])
    with pytest.raises(InputError) as info:
        clv_summary(tx, as_of=AS_OF)
    assert info.value.rule is Rule.REQUIRED
    assert "'customer_id' (role customer_id)" in str(info.value)
    assert "'amount' (role amount)" in str(info.value)
    with pytest.raises(InputError) as roles:
        clv_summary(tx, as_of=AS_OF, columns={"id": "cust_no"})
    assert roles.value.rule is Rule.ROLES


def test_customer_value_and_the_models_read_summary_columns_by_role() -> None:
    summary = clv_summary(_transactions(), as_of=AS_OF).frame
    renamed = summary.rename(columns={"customer_id": "cid", "frequency": "x", "T": "age"})
    roles = {"customer_id": "cid", "frequency": "x", "T": "age"}
    bg = BGNBDModel.from_params(CDNOW)
    gg = GammaGammaModel.from_params(CDNOW_SPEND)
    ours = customer_value(renamed, bg, gg, horizon=13, columns=roles)
    theirs = customer_value(summary, bg, gg, horizon=13)
    assert ours.columns[0] == "cid"
    np.testing.assert_array_equal(ours.iloc[:, 1:], theirs.iloc[:, 1:])
    np.testing.assert_array_equal(bg.p_alive(renamed, columns=roles), bg.p_alive(summary))
    with pytest.raises(InputError) as info:
        customer_value(renamed, bg, gg, horizon=13)
    message = str(info.value)
    assert info.value.rule is Rule.REQUIRED
    assert "'frequency' (role frequency)" in message
    assert "'T' (role T)" in message


# --- rule 5: settings are policies -----------------------------------------------------------


@pytest.mark.filterwarnings("ignore:the BG/NBD fit did not converge:RuntimeWarning")
def test_clv_policy_holds_the_settings_and_results_name_it() -> None:
    policy = CLVPolicy()
    assert (policy.name, policy.version) == ("bankcrm.segmentation.clv", "1")
    assert (policy.unit, policy.negatives, policy.after_as_of) == ("W", "exclude", "exclude")
    assert (policy.period, policy.discount_rate, policy.margin) == (1.0, 0.0, 1.0)
    assert (policy.tolerance, policy.max_iterations) == (1e-10, 1000)
    for bad in (
        {"unit": "M"},
        {"unit": 0},
        {"negatives": "net"},
        {"after_as_of": "keep"},
        {"period": -1},
        {"discount_rate": -1},
        {"margin": float("nan")},
        {"tolerance": 0},
        {"max_iterations": 0},
        {"max_iterations": True},
        {"bgnbd_initial_params": (1.0, 1.0, 1.0)},
        {"gamma_gamma_initial_params": (1.0, -1.0, 1.0)},
    ):
        with pytest.raises(PolicyError):
            CLVPolicy(**bad)
    bank = CLVPolicy(name="bank.clv", version="2026.1", unit="D", period=30, discount_rate=0.01)
    summary = clv_summary(_transactions(), as_of=AS_OF, policy=bank)
    (stamp,) = read_provenance(summary.frame)
    assert (stamp.policy_name, stamp.policy_version, stamp.as_of) == ("bank.clv", "2026.1", AS_OF)
    bg = fit_bgnbd(summary)
    assert bg.policy_ == bank  # the summary's policy steers the fit
    scores = customer_value(summary, bg, horizon=90)
    first = read_provenance(scores)[0]
    assert (first.policy_name, first.policy_version) == ("bank.clv", "2026.1")
    # the discounting comes from the policy, not from loose arguments
    gg = GammaGammaModel.from_params(CDNOW_SPEND)
    undiscounted = customer_value(summary, bg, gg, horizon=90, policy=CLVPolicy(unit="D"))
    discounted = customer_value(summary, bg, gg, horizon=90)
    assert (discounted["clv"] <= undiscounted["clv"] + 1e-9).all()
    assert (discounted["clv"] < undiscounted["clv"]).any()
    with pytest.raises(InputError) as mismatch:
        customer_value(summary, bg, horizon=90, policy=CLVPolicy(unit="W"))
    assert mismatch.value.rule is Rule.MISMATCH


def test_the_fit_settings_live_in_the_policy() -> None:
    summary = clv_summary(_transactions(), as_of=AS_OF)
    with pytest.warns(RuntimeWarning, match="did not converge"):
        stopped = fit_bgnbd(summary, policy=CLVPolicy(max_iterations=1))
    assert stopped.converged_ is False
    assert stopped.policy_.max_iterations == 1
    assert fit_bgnbd(summary).converged_


# --- rule 4: data first ----------------------------------------------------------------------


def test_scoring_methods_take_the_summary_first_like_the_fits() -> None:
    result = clv_summary(_transactions(), as_of=AS_OF)
    frame = result.frame
    bg = fit_bgnbd(result)
    gg = fit_gamma_gamma(result)
    arrays: dict[str, Any] = {
        "frequency": frame["frequency"],
        "recency": frame["recency"],
        "T": frame["T"],
    }
    for summary in (result, frame):
        np.testing.assert_array_equal(bg.p_alive(summary), bg.p_alive(**arrays))
        np.testing.assert_array_equal(bg.log_likelihood(summary), bg.log_likelihood(**arrays))
        np.testing.assert_array_equal(
            bg.expected_transactions(summary, horizon=13),
            bg.expected_transactions(**arrays, horizon=13),
        )
        np.testing.assert_array_equal(
            gg.conditional_expected_average_value(summary),
            gg.conditional_expected_average_value(
                frequency=frame["frequency"], monetary_value=frame["monetary_value"]
            ),
        )
        np.testing.assert_allclose(
            gg.customer_lifetime_value(summary, bg, horizon=13),
            customer_value(summary, bg, gg, horizon=13)["clv"],
        )
    with pytest.raises(InputError) as both:
        bg.p_alive(frame, frequency=[1])
    assert both.value.rule is Rule.ARGUMENTS
    grid = p_alive_matrix(bg, T=20.0, max_frequency=3, n_recency=2)
    assert grid.shape == (2, 4)
    assert read_provenance(grid)[0].policy_name == "bankcrm.segmentation.clv"


# --- rule 6: results -------------------------------------------------------------------------


def test_clv_summary_is_a_result_with_a_short_repr_and_keyed_exclusions() -> None:
    tx = _transactions().set_axis([f"r{i}" for i in range(400)])
    result = clv_summary(tx, as_of=dt.date(2026, 3, 1))
    assert isinstance(result, Result)
    text = repr(result)
    assert text.startswith("CLVSummary(frame: ")
    assert "\n" not in text
    assert len(text) < 200
    assert "policy bankcrm.segmentation.clv 1, as_of 2026-03-01" in text
    excluded = result.excluded
    assert list(excluded.columns) == ["position", "reason", "customer_id", "date"]
    assert set(excluded["reason"]) == {"after_as_of", "negative_amount"}
    rows = tx.iloc[excluded["position"].to_numpy()]
    assert excluded.index.equals(rows.index)
    assert excluded["customer_id"].tolist() == rows["customer_id"].tolist()
    assert excluded["date"].tolist() == rows["date"].tolist()
    assert result.provenance == read_provenance(result.frame)[0]


# --- rule 3: pandas with Arrow dtypes, pyarrow, polars ---------------------------------------


def test_arrow_backed_pyarrow_and_polars_transactions_give_identical_summaries() -> None:
    tx = _transactions()
    expected = clv_summary(tx, as_of=AS_OF)
    table = _arrow_table(tx)
    inputs: list[Any] = [table, table.to_pandas(types_mapper=pd.ArrowDtype)]
    polars = pytest.importorskip("polars")
    inputs.append(polars.from_arrow(table))
    for given in inputs:
        result = clv_summary(given, as_of=AS_OF)
        pd.testing.assert_frame_equal(result.frame, expected.frame, check_dtype=False)
        assert result.excluded["position"].tolist() == expected.excluded["position"].tolist()
        assert result.excluded["reason"].tolist() == expected.excluded["reason"].tolist()


def test_summary_frames_from_arrow_pyarrow_and_polars_fit_and_score_identically() -> None:
    frame = clv_summary(_transactions(), as_of=AS_OF).frame
    expected_bg = fit_bgnbd(frame)
    expected_gg = fit_gamma_gamma(frame)
    expected = customer_value(frame, expected_bg, expected_gg, horizon=13)
    table = pa.Table.from_pandas(frame, preserve_index=False)
    inputs: list[Any] = [table, table.to_pandas(types_mapper=pd.ArrowDtype)]
    polars = pytest.importorskip("polars")
    inputs.append(polars.from_arrow(table))
    for given in inputs:
        assert fit_bgnbd(given).params_ == expected_bg.params_
        assert fit_gamma_gamma(given).params_ == expected_gg.params_
        scores = customer_value(given, expected_bg, expected_gg, horizon=13)
        np.testing.assert_array_equal(scores["clv"], expected["clv"])
        assert scores["customer_id"].tolist() == expected["customer_id"].tolist()
    # Exact decimal mean values (decimal128) are read as the nearest floats.
    cents = frame.assign(monetary_value=frame["monetary_value"].round(2))
    decimals = pa.table(
        {
            "frequency": pa.array(cents["frequency"]),
            "monetary_value": pa.array(
                [Decimal(repr(v)) for v in cents["monetary_value"]], pa.decimal128(14, 2)
            ),
        }
    )
    assert fit_gamma_gamma(decimals).params_ == fit_gamma_gamma(cents).params_


# --- rule 5: save and load fitted state ------------------------------------------------------


@pytest.mark.parametrize("suffix", [".json", ".toml"])
def test_fitted_models_round_trip_exactly(tmp_path: Path, suffix: str) -> None:
    summary = clv_summary(_transactions(), as_of=AS_OF, policy=CLVPolicy(margin=0.25))
    bg = fit_bgnbd(summary)
    gg = fit_gamma_gamma(summary)
    bg_back = load(BGNBDModel, save(bg, tmp_path / f"bg{suffix}"))
    gg_back = load(GammaGammaModel, save(gg, tmp_path / f"gg{suffix}"))
    assert bg_back.params_ == bg.params_  # exact floats
    assert gg_back.params_ == gg.params_
    assert bg_back.policy_ == bg.policy_ == summary.policy
    assert gg_back.excluded_ == gg.excluded_
    assert (bg_back.log_likelihood_, bg_back.n_iterations_, bg_back.converged_) == (
        bg.log_likelihood_,
        bg.n_iterations_,
        bg.converged_,
    )
    np.testing.assert_array_equal(bg_back.p_alive(summary), bg.p_alive(summary))
    published = BGNBDModel.from_params(CDNOW)
    again = load(BGNBDModel, save(published, tmp_path / f"published{suffix}"))
    assert again.params_ == BGNBDParams(**CDNOW)
    with pytest.raises(NotFittedError, match="built from parameters"):
        again.log_likelihood_  # noqa: B018
    params_back = load(BGNBDParams, save(bg.params_, tmp_path / f"params{suffix}"))
    assert params_back == bg.params_


def test_saving_fails_clearly(tmp_path: Path) -> None:
    with pytest.raises(NotFittedError):
        save(BGNBDModel(), tmp_path / "m.json")
    with pytest.raises(NotFittedError):
        save(GammaGammaModel(), tmp_path / "m.toml")
    target = tmp_path / "no" / "such" / "dir" / "m.toml"
    with pytest.raises(PolicyError, match="cannot write") as info:
        save(BGNBDModel.from_params(CDNOW), target)
    assert str(target) in str(info.value)
    (tmp_path / "bad.json").write_text('{"params": {"r": 1, "alpha": 1, "a": 1}}')
    with pytest.raises(PolicyError, match="lack 'b'"):
        load(BGNBDModel, tmp_path / "bad.json")
    (tmp_path / "odd.json").write_text('{"params": {"p": 1, "q": 2, "v": 3}, "colour": 1}')
    with pytest.raises(PolicyError, match="colour"):
        load(GammaGammaModel, tmp_path / "odd.json")


# --- rule 11: scipy loads on first use -------------------------------------------------------

_WHO_IMPORTS_SCIPY = textwrap.dedent(
    """
    import sys, traceback

    class Watch:
        importers = []

        def find_spec(self, name, path=None, target=None):
            if name == "scipy" or name.startswith("scipy."):
                frames = [
                    f.filename
                    for f in traceback.extract_stack()
                    if "importlib" not in f.filename and "<frozen" not in f.filename
                ]
                self.importers.append(frames[-2] if len(frames) > 1 else "?")
            return None

    watch = Watch()
    sys.meta_path.insert(0, watch)
    import bankcrm.segmentation
    import bankcrm.segmentation.value.clv, bankcrm.segmentation.value.bgnbd
    import bankcrm.segmentation.value.gamma_gamma, bankcrm.segmentation.value._special
    import bankcrm.segmentation.value.summary, bankcrm.segmentation.value._inputs
    print(sorted({f for f in watch.importers if "bankcrm" in f}))
    print("scipy" in sys.modules, "numba" in sys.modules)
    """
)


def test_no_customer_value_module_imports_scipy_at_import_time() -> None:
    out = subprocess.run(
        [sys.executable, "-c", _WHO_IMPORTS_SCIPY],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert out[0] == "[]", f"bankcrm modules importing scipy at import time: {out[0]}"


def test_import_bankcrm_segmentation_does_not_load_scipy() -> None:
    out = subprocess.run(
        [sys.executable, "-c", _WHO_IMPORTS_SCIPY],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    scipy_loaded, numba_loaded = (word == "True" for word in out[1].split())
    if numba_loaded:
        pytest.skip("numba (which imports scipy) is still imported eagerly by the RFM modules")
    assert not scipy_loaded


def test_scipy_loads_on_first_fit() -> None:
    code = textwrap.dedent(
        """
        import sys
        from bankcrm.segmentation.value.bgnbd import fit_bgnbd
        before = "scipy.optimize" in sys.modules
        fit_bgnbd(frequency=[0, 1, 3, 2], recency=[0, 4, 20, 9], T=[30, 30, 32, 25])
        print(before, "scipy.optimize" in sys.modules)
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out[1] == "True"


# --- rule 7: bad input -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "column", "rule"),
    [
        (lambda s, bg: fit_bgnbd(s.assign(recency=-s["recency"] - 1)), "recency", "non_negative"),
        (lambda s, bg: bg.p_alive(s.assign(T=s["recency"] - 1)), "T", "recency_within_T"),
        (
            lambda s, bg: bg.expected_transactions(s.assign(frequency=0.5), horizon=1),
            "frequency",
            "non_negative",
        ),
        (
            lambda s, bg: fit_gamma_gamma(s.assign(monetary_value=np.nan)),
            "monetary_value",
            "finite",
        ),
    ],
)
def test_bad_summaries_name_column_rule_and_rows(call: Any, column: str, rule: str) -> None:
    summary = pd.DataFrame(
        {"frequency": [1, 2], "recency": [3.0, 4.0], "T": [5.0, 6.0], "monetary_value": [9.0, 8.0]},
        index=["c1", "c2"],
    )
    with pytest.raises(InputError) as info:
        call(summary, BGNBDModel.from_params(CDNOW))
    assert (info.value.column, info.value.rule) == (column, rule)
    assert isinstance(info.value.rule, Rule)
    assert info.value.rows == ["c1", "c2"]


def test_bad_objects_and_arguments_name_the_argument() -> None:
    bg = BGNBDModel.from_params(CDNOW)
    with pytest.raises(InputError) as info:
        bg.p_alive([1, 2, 3])
    assert (info.value.column, info.value.rule) == ("summary", "type")
    with pytest.raises(InputError) as horizon:
        bg.expected_transactions(frequency=1, recency=1.0, T=2.0, horizon=-1)
    assert (horizon.value.column, horizon.value.rule) == ("horizon", "non_negative")
    with pytest.raises(InputError) as summary_none:
        customer_value(None, bg, horizon=1)
    assert summary_none.value.rule is Rule.TYPE
    assert isinstance(clv_summary(_transactions(), as_of=AS_OF), CLVSummary)
