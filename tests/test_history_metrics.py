"""History metrics: exact fixed-point decisions, boundaries, loaders, and agreement with a numpy float reference."""

from __future__ import annotations

import math
from decimal import Decimal, getcontext

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from tests.support.history import START, WEEK, error_bound_bps, float_metrics, make_history, market_for, policy
from zkyield.circuits.history_chain import window
from zkyield.circuits.history_clauses import CLAUSES
from zkyield.circuits.history_metrics import evaluate_history, measure
from zkyield.circuits.history_models import (
    HISTORY_THRESHOLDS,
    example_paths,
    load_history,
    load_history_market,
    load_history_policy,
    policy_hash,
)
from zkyield.circuits.history_series import series, signed_sqrt_ge
from zkyield.errors import InputError, StatementFalse

HISTORY, MARKET, POLICY = example_paths()


def example():
    h, m, p = load_history(HISTORY), load_history_market(MARKET), load_history_policy(POLICY)
    return h, m, p, window(h, p.periods)


def test_example_policy_holds_and_measures_near_the_float_reference() -> None:
    h, m, p, w = example()
    ev = evaluate_history(w.snapshots, m, p).require_holds()
    assert [c.key for c in ev.checks] == list(HISTORY_THRESHOLDS)
    ref = float_metrics([s.nav for s in w.snapshots], [s.timestamp for s in w.snapshots], m.risk_free_bps,
                        p.var_confidence_bps)
    for c in ev.checks:
        assert abs(c.measured_bps - 1e4 * ref[c.key]) <= error_bound_bps(c.key, ref, p.periods), c.key


@pytest.mark.parametrize("key", list(HISTORY_THRESHOLDS))
def test_each_threshold_flips_exactly_at_its_measurement(key: str) -> None:
    h, m, p, w = example()
    s = series(w.snapshots, m)
    measured = measure(s, key)
    is_min = CLAUSES[key].is_min
    passing, failing = measured, measured + 1 if is_min else measured - 1
    assert evaluate_history(w.snapshots, m, policy(52, **{key: passing})).holds
    with pytest.raises(StatementFalse, match=rf"statement is false: .*\({key}={failing}\)"):
        evaluate_history(w.snapshots, m, policy(52, **{key: failing})).require_holds()


def test_failure_message_names_every_failed_clause_and_no_private_value() -> None:
    h, m, p, w = example()
    bad = policy(52, min_sharpe_bps=90_000, max_drawdown_bps=10, min_positive_bps=0)
    with pytest.raises(StatementFalse) as err:
        evaluate_history(w.snapshots, m, bad).require_holds()
    text = str(err.value)
    assert "min_sharpe_bps=90000" in text and "max_drawdown_bps=10" in text and "min_positive" not in text
    assert all(str(s.nav) not in text and str(s.salt) not in text for s in w.snapshots)


def _real_ge(e: int, a: int, k: int, b: int) -> bool:
    getcontext().prec = 200
    return Decimal(e) * Decimal(a).sqrt() >= Decimal(k) * Decimal(b).sqrt()


@given(st.integers(-10**30, 10**30), st.integers(1, 10**20), st.integers(-10**6, 10**6), st.integers(0, 10**40))
def test_signed_sqrt_comparison_equals_the_real_comparison(e: int, a: int, k: int, b: int) -> None:
    assert signed_sqrt_ge(e, a, k, b) == _real_ge(e, a, k, b)


@pytest.mark.parametrize(("e", "a", "k", "b", "want"), [
    (0, 5, 0, 5, True), (-1, 1, 0, 7, False), (-1, 1, 0, 0, False), (-1, 4, -1, 4, True), (-2, 4, -1, 4, False),
    (3, 4, 1, 36, True), (3, 4, 1, 37, False), (-3, 1, 1, 0, False), (5, 0, 1, 0, True),
])
def test_signed_sqrt_comparison_edges(e: int, a: int, k: int, b: int, want: bool) -> None:
    assert signed_sqrt_ge(e, a, k, b) is want is _real_ge(e, a, k, b)


returns = st.lists(st.floats(-0.15, 0.2, allow_nan=False), min_size=2, max_size=40)


@given(returns, st.integers(10**9, 10**15), st.lists(st.integers(3600, 31 * 86_400), min_size=41, max_size=41),
       st.integers(0, 2000))
def test_fixed_point_measurements_stay_within_the_documented_bound_of_numpy(rets, nav0, steps, rf) -> None:
    navs = [nav0]
    for r in rets:
        navs.append(max(1, int(navs[-1] * (1 + r))))
    times = [START]
    for step in steps[: len(rets)]:
        times.append(times[-1] + step)
    ref = float_metrics(navs, times, rf)
    assume(ref["_vol"] > 1e-6 and ref["_downside"] > 1e-6)
    s = series(make_history(navs, times).snapshots, market_for(make_history(navs, times), rf))
    for key in HISTORY_THRESHOLDS:
        lo, hi = HISTORY_THRESHOLDS[key]
        if not lo + 1 <= 1e4 * ref[key] <= hi - 1:
            continue  # outside the threshold range the measurement is "below/above the range"
        measured = measure(s, key)
        assert measured is not None and abs(measured - 1e4 * ref[key]) <= error_bound_bps(key, ref, len(rets)), key


def test_measure_reports_out_of_range_as_none() -> None:
    navs = [10**12 * (1 + i % 2) for i in range(6)]  # +100% / -50% every second: volatility ~ 4000x a year
    h = make_history(navs, [START + i for i in range(6)])
    s = series(h.snapshots, market_for(h))
    assert measure(s, "max_volatility_bps") is None  # annualised volatility far above 100x
    assert not CLAUSES["max_volatility_bps"].evaluate(s, HISTORY_THRESHOLDS["max_volatility_bps"][1])
    text = evaluate_history(h.snapshots, market_for(h), policy(5, max_volatility_bps=100)).checks[0].describe()
    assert text == "annualised volatility is above 10000.00% (max_volatility_bps=100)"


def test_gross_return_beyond_the_circuit_width_is_refused() -> None:
    h = make_history([1, 2000, 2000])
    with pytest.raises(InputError, match="grew more than 1099x"):
        series(h.snapshots, market_for(h))


def test_window_outside_the_market_period_is_refused() -> None:
    h = make_history([100, 110, 120])
    m = market_for(h)
    late = type(m)(type(m.period)(m.period.start + 1, m.period.end), m.risk_free_bps)
    with pytest.raises(InputError, match="period does not cover the window"):
        series(h.snapshots, late)


def test_window_length_must_match_the_policy() -> None:
    h = make_history([100, 110, 120, 130])
    with pytest.raises(InputError, match="periods is 2 but the window has 4 snapshots"):
        evaluate_history(h.snapshots, market_for(h), policy(2, min_positive_bps=1))


def test_policy_hash_changes_with_every_threshold_and_the_window_length() -> None:
    base = policy(52, min_sharpe_bps=10_000, max_drawdown_bps=800)
    variants = [policy(53, min_sharpe_bps=10_000, max_drawdown_bps=800),
                policy(52, min_sharpe_bps=10_001, max_drawdown_bps=800),
                policy(52, min_sharpe_bps=-10_000, max_drawdown_bps=800),
                policy(52, min_sharpe_bps=10_000),
                policy(52, min_sortino_bps=10_000, max_drawdown_bps=800)]
    hashes = {policy_hash(base), *map(policy_hash, variants)}
    assert len(hashes) == 1 + len(variants)


@pytest.mark.parametrize(("patch", "message"), [
    ({"owner": "0x12"}, "owner must be an Ethereum address"),
    ({"nav_decimals": 19}, "nav_decimals must be between 0 and 18"),
    ({"snapshots": [{"time": "2024-01-01T00:00:00Z", "nav": "1", "positions_commitment": "0", "salt": "0"}]},
     r"snapshots\[0\]\.salt must be a random nonzero"),
    ({"snapshots": [{"time": "2024-01-01T00:00:00Z", "nav": "0", "positions_commitment": "0", "salt": "5"}]},
     r"snapshots\[0\]\.nav must be positive"),
    ({"snapshots": [{"time": "2024-01-01T00:00:00Z", "nav": "1.0000001", "positions_commitment": "0",
                     "salt": "5"}]}, r"snapshots\[0\]\.nav has 7 decimals"),
    ({"extra": 1}, "extra is not a known field"),
])
def test_history_loader_names_the_bad_field(patch: dict, message: str) -> None:
    data = {"owner": "0x879c3388db202b84deff9e435d85f7fc21728292", "nav_decimals": 6, "snapshots": []}
    data.update(patch)
    with pytest.raises(InputError, match=message):
        load_history(data)


def test_history_loader_refuses_times_that_do_not_increase() -> None:
    snap = {"time": "2024-01-01T00:00:00Z", "nav": "1", "positions_commitment": "0", "salt": "5"}
    data = {"owner": "0x879c3388db202b84deff9e435d85f7fc21728292", "nav_decimals": 0, "snapshots": [snap, snap]}
    with pytest.raises(InputError, match=r"snapshots\[1\]\.time must be after the previous"):
        load_history(data)


@pytest.mark.parametrize(("patch", "message"), [
    ({"periods": 1}, "periods must be between 2 and 365"),
    ({"periods": 366}, "periods must be between 2 and 365"),
    ({"max_drawdown_bps": 10_001}, "max_drawdown_bps must be between 0 and 10000"),
    ({"min_sharpe_bps": -1_000_001}, "min_sharpe_bps must be between"),
    ({"min_return_bps": 5}, "min_return_bps is not a known field"),
    ({"max_commit_delay_s": None}, "max_commit_delay_s is missing"),
    ({"max_commit_delay_s": 2**32}, "max_commit_delay_s must be between 0 and 4294967295"),
    ({"max_commit_delay_s": -1}, "max_commit_delay_s must be between"),
])
def test_policy_loader_names_the_bad_field(patch: dict, message: str) -> None:
    data = {"periods": 52, "max_commit_delay_s": 86_400, "min_positive_bps": 5000}
    data = {k: v for k, v in {**data, **patch}.items() if v is not None}  # None: the key left out
    with pytest.raises(InputError, match=message):
        load_history_policy(data)


def test_policy_loader_refuses_an_empty_policy() -> None:
    with pytest.raises(InputError, match="the policy states nothing"):
        load_history_policy({"periods": 52, "max_commit_delay_s": 0})


def test_example_window_is_one_year_of_weeks() -> None:
    h, m, p, w = example()
    assert len(h.snapshots) == 53 and w.first == 0 and w.periods == 52
    assert w.snapshots[-1].timestamp - w.snapshots[0].timestamp == 52 * WEEK
    assert math.isclose(float_metrics([s.nav for s in w.snapshots], [s.timestamp for s in w.snapshots],
                                      450)["_periods_per_year"], 365 / 7)
