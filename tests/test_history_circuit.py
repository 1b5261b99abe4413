"""The history circuit: it decides every clause as the exact evaluator does, refuses tampered windows,
and proves/verifies with zkyield's Groth16."""

from __future__ import annotations

from dataclasses import replace
from functools import cache

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from tests.support.history import make_history, market_for, policy, prove_window
from zkyield.circuits.history_chain import heads, links, window
from zkyield.circuits.history_circuit import (
    PUBLIC_SIGNALS,
    build_history_circuit,
    history_statement,
)
from zkyield.circuits.history_clauses import CLAUSES
from zkyield.circuits.history_metrics import evaluate_history, measure, series
from zkyield.circuits.history_models import (
    HISTORY_THRESHOLDS,
    History,
    HistoryPolicy,
    example_paths,
    load_history,
    load_history_market,
    load_history_policy,
    market_hash,
    policy_hash,
)
from zkyield.errors import ConstraintError, StatementFalse
from zkyield.field import R

ALL = tuple(HISTORY_THRESHOLDS)
NAVS = [10**12, 1_004_000_000_000, 998_000_000_000, 1_011_000_000_000]  # T = 3: +0.4%, -0.6%, +1.3%
EASY = {k: (lo if CLAUSES[k].is_min else hi) for k, (lo, hi) in HISTORY_THRESHOLDS.items()}


def _inputs(h: History, m, p: HistoryPolicy, last: int | None = None) -> dict:
    """The circuit inputs for ``p`` even when it is false: the statement is built for the always-true
    policy of the same shape, then the thresholds and policy hash are swapped in."""
    easy = HistoryPolicy(p.periods, {k: EASY[k] for k in p.checks}, p.max_commit_delay_s)
    inputs = dict(history_statement(h, m, easy, last).inputs)
    inputs["thresholds"] = [p.thresholds.get(k, 0) % R for k in HISTORY_THRESHOLDS]
    inputs["policy_hash"] = policy_hash(p)
    return inputs


@cache
def small():
    h = make_history(NAVS)
    return h, market_for(h, 450, slack=86_400), build_history_circuit(3, ALL)


def test_honest_window_satisfies_the_circuit_with_the_six_public_signals() -> None:
    h, m, cc = small()
    p = policy(3, **EASY)
    st_ = history_statement(h, m, p)
    w = cc.witness(st_.inputs)
    hs = heads(h.owner, links(h))
    assert cc.public_signals(w) == [hs[-1], h.owner, policy_hash(p), market_hash(m), h.snapshots[0].timestamp,
                                    h.snapshots[-1].timestamp]
    assert cc.r1cs.n_pub_in == len(PUBLIC_SIGNALS) and cc.r1cs.n_pub_out == 0


@pytest.mark.parametrize("key", ALL)
def test_circuit_flips_at_the_evaluators_measurement(key: str) -> None:
    h, m, cc = small()
    s = series(h.snapshots, m)
    measured = measure(s, key)
    assert measured is not None
    failing = measured + 1 if CLAUSES[key].is_min else measured - 1
    ok = policy(3, **{**EASY, key: measured})
    cc.witness(_inputs(h, m, ok))
    bad = policy(3, **{**EASY, key: failing})
    with pytest.raises(StatementFalse):
        history_statement(h, m, bad)  # refused before any witness exists
    with pytest.raises(ConstraintError, match=key):
        cc.witness(_inputs(h, m, bad))  # and the circuit has no witness for it either


returns = st.lists(st.integers(-60, 80), min_size=3, max_size=3)  # per-mille returns


@given(returns, st.sampled_from(ALL), st.integers(-3000, 30000), st.integers(0, 900))
def test_circuit_decision_equals_the_evaluators_on_random_windows(rets, key, threshold, rf) -> None:
    navs = [10**12]
    for r in rets:
        navs.append(navs[-1] * (1000 + r) // 1000)
    h = make_history(navs, seed=len(navs))
    m = market_for(h, rf)
    lo, hi = HISTORY_THRESHOLDS[key]
    threshold = max(lo, min(hi, threshold))
    s = series(h.snapshots, m)
    assume(all(measure(s, k) is not None for k in ALL))
    p = policy(3, **{**EASY, key: threshold})
    expected = CLAUSES[key].evaluate(s, threshold)
    assert evaluate_history(h.snapshots, m, p).holds is expected
    cc = small()[2]
    if expected:
        cc.witness(_inputs(h, m, p))
    else:
        with pytest.raises(ConstraintError, match=key):
            cc.witness(_inputs(h, m, p))


def _with_snapshots(h: History, snapshots) -> History:
    return History(h.owner, h.nav_decimals, tuple(snapshots), source=h.source)


@pytest.fixture(scope="module")
def longer():
    """Six snapshots; proofs cover the last four (T = 3) against the published head after all six (every
    window of four gains over its period, so min_calmar_bps = 0 holds in each)."""
    h = make_history([10**12, 990_000_000_000, *NAVS])
    return h, market_for(h, 450, slack=86_400)


def _tampered(h: History, m, snapshots, **public) -> dict:
    """Inputs opening ``snapshots`` while claiming the honest chain's public signals."""
    honest = _inputs(h, m, policy(3, **EASY))
    inputs = _inputs(_with_snapshots(h, snapshots), m, policy(3, **EASY))
    for name in ("chain_head", "prev_head", "period_start", "period_end"):
        inputs[name] = honest[name]
    inputs.update(public)
    return inputs


@pytest.mark.parametrize("change", ["alter_nav", "alter_salt", "alter_commit_time", "remove", "swap",
                                    "reorder_times"])
def test_window_that_does_not_open_the_published_chain_has_no_witness(longer, change: str) -> None:
    h, m = longer
    cc = small()[2]
    s = list(h.snapshots)
    if change == "alter_nav":
        s[4] = replace(s[4], nav=s[4].nav + 1)
    elif change == "alter_salt":
        s[3] = replace(s[3], salt=s[3].salt + 1)
    elif change == "alter_commit_time":
        s[3] = replace(s[3], committed_at=s[3].committed_at + 1)
    elif change == "remove":  # drop snapshot 3: the window now reaches back to snapshot 1
        del s[3]
    elif change == "swap":  # exchange the NAVs of two snapshots (times stay increasing)
        a, b = s[3], s[4]
        s[3], s[4] = replace(a, nav=b.nav), replace(b, nav=a.nav)
    else:
        s[3], s[4] = s[4], s[3]
    with pytest.raises(ConstraintError, match="chain"):
        cc.witness(_tampered(h, m, s))


def test_a_head_other_than_the_windows_end_has_no_witness(longer) -> None:
    h, m = longer
    cc = small()[2]
    inputs = _inputs(h, m, policy(3, **EASY), last=4)  # the window ending one snapshot before the newest
    cc.witness(inputs)
    hs = heads(h.owner, links(h))
    assert inputs["chain_head"] == hs[5] and inputs["prev_head"] == hs[1]
    for name, value in (("chain_head", hs[6]), ("prev_head", hs[2])):
        with pytest.raises(ConstraintError, match="chain"):
            cc.witness({**inputs, name: value})


def test_anothers_window_has_no_witness_under_a_foreign_owner(longer) -> None:
    """Issue 13 item 15: Alice's window (a private prev_head, so not from h_0) proven with owner = Mallory."""
    h, m = longer
    cc = small()[2]
    inputs = _inputs(h, m, policy(3, **EASY))
    cc.witness(inputs)
    with pytest.raises(ConstraintError, match="chain"):
        cc.witness({**inputs, "owner": 0xBADBADBADBADBADBADBADBADBADBADBADBADBAD0})


def _retimed(h: History, committed: list[int]) -> History:
    return History(h.owner, h.nav_decimals, tuple(replace(s, committed_at=t) for s, t in zip(
        h.snapshots, committed, strict=True)), source=h.source)


def test_backdated_window_is_false_and_has_no_witness() -> None:
    """Issue 13 item 7: a whole window published long after the times it claims (here one year later)."""
    h, m, cc = small()
    p = policy(3, max_commit_delay_s=86_400, **EASY)
    year = 365 * 86_400
    backdated = _retimed(h, [s.timestamp + year for s in h.snapshots])
    with pytest.raises(StatementFalse, match=r"snapshot 0 was published 31536000 s after its time.*"
                                             r"max_commit_delay_s=86400"):
        history_statement(backdated, m, p)
    honest = history_statement(h, m, p).inputs
    lax = history_statement(backdated, m, policy(3, max_commit_delay_s=year, **EASY)).inputs
    cc.witness(lax)  # the same window satisfies a policy that allows a year's delay ...
    with pytest.raises(ConstraintError, match="commit_delay"):  # ... but not the policy hash of a day's delay
        cc.witness({**lax, "max_commit_delay_s": 86_400, "policy_hash": honest["policy_hash"]})
    with pytest.raises(ConstraintError, match="policy"):  # nor a day's delay hashed as a year's
        cc.witness({**honest, "max_commit_delay_s": year})


def test_snapshot_published_before_its_own_time_has_no_witness() -> None:
    h, m, cc = small()
    early = _retimed(h, [s.timestamp + (-1 if i == 2 else 60) for i, s in enumerate(h.snapshots)])
    with pytest.raises(StatementFalse, match="snapshot 2 was published 1 s before its own time"):
        history_statement(early, m, policy(3, **EASY))
    inputs = history_statement(_retimed(h, [s.timestamp + 60 for s in h.snapshots]), m, policy(3, **EASY)).inputs
    committed = list(inputs["committed_at"])
    committed[2] -= 61  # the forged witness opens a chain whose snapshot 2 was published before its time
    head = heads(h.owner, list(zip([c for c, _ in links(h)], committed, strict=True)))[-1]
    with pytest.raises(ConstraintError, match="commit_delay"):
        cc.witness({**inputs, "committed_at": committed, "chain_head": head})


@pytest.mark.parametrize(("name", "delta", "scope"), [
    ("policy_hash", 1, "policy"), ("market_hash", 1, "market"), ("period_start", 1, "time"),
    ("period_end", -1, "time"), ("risk_free_bps", 1, "market"), ("market_start", 1, "market"),
])
def test_public_context_that_does_not_match_has_no_witness(name: str, delta: int, scope: str) -> None:
    h, m, cc = small()
    inputs = _inputs(h, m, policy(3, **EASY))
    with pytest.raises(ConstraintError, match=scope):
        cc.witness({**inputs, name: (inputs[name] + delta) % R})


def test_market_period_must_cover_the_window() -> None:
    h, m, cc = small()
    inputs = _inputs(h, m, policy(3, **EASY))
    late = type(m)(type(m.period)(h.snapshots[0].timestamp + 1, m.period.end), m.risk_free_bps)
    with pytest.raises(ConstraintError, match="market"):
        cc.witness({**inputs, "market_start": late.period.start, "market_hash": market_hash(late)})


def test_out_of_range_threshold_has_no_witness() -> None:
    h, m, cc = small()
    p = policy(3, **{**EASY, "max_drawdown_bps": 10_000})
    inputs = _inputs(h, m, p)
    inputs["thresholds"][ALL.index("max_drawdown_bps")] = 10_001
    inputs["policy_hash"] = policy_hash(policy(3, **{**EASY, "max_drawdown_bps": 10_001}))
    with pytest.raises(ConstraintError, match="policy"):
        cc.witness(inputs)


def test_lying_gross_return_hint_is_refused() -> None:
    h, m, cc = small()
    inputs = _inputs(h, m, policy(3, **EASY))
    w = cc.witness(inputs)
    q = cc.wires_named("gross/div_floor/q")[1]
    for delta in (1, -1):
        bad = cc.witness(inputs, overrides={q: (w[q] + delta) % R}, check=False)
        with pytest.raises(ConstraintError, match="gross/div_floor"):
            cc.r1cs.check(bad)


def test_only_enabled_clauses_are_built_and_disabled_thresholds_must_be_zero() -> None:
    h, m, _ = small()
    cc = build_history_circuit(3, ("max_drawdown_bps",))
    full = small()[2]
    assert cc.n_constraints < full.n_constraints
    p = policy(3, max_drawdown_bps=10_000)
    inputs = dict(history_statement(h, m, p).inputs)
    cc.witness(inputs)
    inputs["thresholds"] = [7, 0, 0, 0, 10_000, 0, 0, 0]
    with pytest.raises(ConstraintError, match="policy"):
        cc.witness(inputs)
    with pytest.raises(ValueError, match="ordered subset"):
        build_history_circuit(3, ("max_drawdown_bps", "min_sharpe_bps"))


def test_small_window_proves_and_verifies_with_groth16() -> None:
    from zkyield.groth16 import setup, verify

    h, m, cc = small()
    p = policy(3, min_sharpe_bps=-5000, max_drawdown_bps=700, min_positive_bps=6000)
    pk, vk = setup(build_history_circuit(3, p.checks).r1cs)
    proof, public = prove_window(h, m, p, (pk, vk))
    assert verify(vk, public, proof)
    for i in range(len(public)):
        assert not verify(vk, [*public[:i], (public[i] + 1) % R, *public[i + 1:]], proof)
    with pytest.raises(StatementFalse, match="min_positive_bps"):
        prove_window(h, m, policy(3, min_sharpe_bps=-5000, max_drawdown_bps=700, min_positive_bps=6700), (pk, vk))


@pytest.mark.slow
def test_example_year_of_weeks_proves_and_verifies() -> None:
    from zkyield.groth16 import setup, verify

    paths = example_paths()
    h, m, p = load_history(paths[0]), load_history_market(paths[1]), load_history_policy(paths[2])
    pk, vk = setup(build_history_circuit(p.periods, p.checks).r1cs)
    proof, public = prove_window(h, m, p, (pk, vk))
    assert verify(vk, public, proof) and public[0] == window(h, 52).head
