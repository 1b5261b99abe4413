"""Audit of max_var_bps and min_calmar_bps (#18) at their edges, in the evaluator and in circuit together:
a flat period is no loss, t = 10^4 admits every real return, 100% confidence admits no exception, and
Calmar's no-drawdown case holds at the largest threshold only when the return is not negative (which
a window without drawdown cannot have); a loss-making window fails even Calmar >= 0 in circuit."""

from __future__ import annotations

import pytest

from tests.support.history import make_history, market_for, policy
from zkyield.circuits.history_circuit import build_history_circuit, history_statement
from zkyield.circuits.history_clauses import CLAUSES
from zkyield.circuits.history_metrics import measure, series
from zkyield.circuits.history_models import BPS, BPS_MAX, policy_hash
from zkyield.errors import ConstraintError, StatementFalse
from zkyield.field import R

E = 10**12


@pytest.fixture(scope="module")
def var_circuit():
    return build_history_circuit(3, ("max_var_bps",))


@pytest.fixture(scope="module")
def calmar_circuit():
    return build_history_circuit(3, ("min_calmar_bps",))


def _inputs(h, m, p) -> dict:
    """Inputs for ``p`` even when false: the witness of VaR at t = 10^4 alone (always true), with p's
    thresholds and hash swapped in, past the evaluator's gate."""
    easy = policy(p.periods, var_confidence_bps=p.var_confidence_bps, max_var_bps=BPS)
    inputs = dict(history_statement(h, m, easy).inputs)
    inputs["thresholds"] = [p.thresholds.get(k, 0) % R for k in CLAUSES.keys]
    inputs["policy_hash"] = policy_hash(p)
    inputs["var_confidence_bps"] = p.hashed_confidence
    return inputs


def _decide(circuit, navs: list[int], **thresholds: int) -> bool:
    """The evaluator's and the circuit's decision, asserted equal."""
    h = make_history(navs)
    m = market_for(h, 0, slack=86_400)
    p = policy(3, **thresholds)
    try:
        history_statement(h, m, p)
        python = True
    except StatementFalse:
        python = False
    try:
        circuit.witness(_inputs(h, m, p))
        constrained = True
    except ConstraintError:
        constrained = False
    assert python == constrained, (navs, thresholds)
    return python


def test_var_edges_agree_in_the_evaluator_and_the_circuit(var_circuit) -> None:
    flat = [E, E, E, E]
    assert _decide(var_circuit, flat, var_confidence_bps=BPS, max_var_bps=0)  # flat: no loss
    tiny = [E, E, E - 1, E - 1]  # one loss of 10^-12
    assert not _decide(var_circuit, tiny, var_confidence_bps=BPS, max_var_bps=0)
    assert _decide(var_circuit, tiny, var_confidence_bps=BPS, max_var_bps=1)
    assert _decide(var_circuit, tiny, var_confidence_bps=0, max_var_bps=0)  # c = 0: n exceptions
    crash = [E, E, E, 1]  # a loss of 99.9999999999%: below -9999 bps, never below -10000
    assert _decide(var_circuit, crash, var_confidence_bps=BPS, max_var_bps=BPS)
    assert _decide(var_circuit, [E, E, E, 2 * E], var_confidence_bps=BPS, max_var_bps=0)
    assert not _decide(var_circuit, crash, var_confidence_bps=BPS, max_var_bps=BPS - 1)
    h = make_history(crash)
    assert measure(series(h.snapshots, market_for(h, 0, slack=86_400), var_confidence_bps=BPS), "max_var_bps") == BPS


def test_calmar_edges_agree_in_the_evaluator_and_the_circuit(calmar_circuit) -> None:
    rising = [E, E + 10**9, E + 2 * 10**9, E + 3 * 10**9]  # no drawdown: Calmar is unbounded
    assert _decide(calmar_circuit, rising, min_calmar_bps=BPS_MAX)
    flat = [E, E, E, E]  # no drawdown and a zero return: holds at every threshold too
    assert _decide(calmar_circuit, flat, min_calmar_bps=BPS_MAX)
    dip = [E, E - 10**9, E + 10**9, E + 2 * 10**9]  # positive return, small drawdown
    k = measure(series(make_history(dip).snapshots, market_for(make_history(dip), 0, slack=86_400)),
                "min_calmar_bps")
    assert _decide(calmar_circuit, dip, min_calmar_bps=k)
    assert not _decide(calmar_circuit, dip, min_calmar_bps=k + 1)
    losing = [E, E - 10**9, E - 2 * 10**9, E - 3 * 10**9]  # a negative return fails even Calmar >= 0
    assert not _decide(calmar_circuit, losing, min_calmar_bps=0)
