"""Rounding in the history metrics is directed against the prover (issue 13 item 15).

The gross returns are floored to 1/S; every clause then uses the bound that makes it harder to pass.
Each test compares a passing decision with the exact, unrounded definition computed independently here
in rational arithmetic (fractions.Fraction) and 200-digit decimals, straight from the NAVs.
"""

from __future__ import annotations

from decimal import Decimal, getcontext
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support.history import START, WEEK, make_history, market_for, policy
from zkyield.circuits.history_circuit import build_history_circuit, history_statement
from zkyield.circuits.history_clauses import CLAUSES
from zkyield.circuits.history_metrics import measure, series
from zkyield.circuits.history_models import BPS, RETURN_SCALE, YEAR_SECONDS, policy_hash
from zkyield.errors import ConstraintError, StatementFalse

S, Y = RETURN_SCALE, YEAR_SECONDS
getcontext().prec = 200


def _exact(navs: list[int], times: list[int], rf: int) -> dict[str, Fraction]:
    """The clauses' exact quantities from the unfloored gross returns y_i = S nav_i / nav_{i-1}."""
    y = [Fraction(S * b, a) for a, b in zip(navs, navs[1:], strict=False)]
    n, d = len(y), times[-1] - times[0]
    cut = BPS * n * Y * S + rf * d * S
    return {
        "n": n, "d": d,
        "excess": BPS * Y * (sum(y) - n * S) - rf * d * S,
        "variance": n * sum(v * v for v in y) - sum(y) ** 2,
        "downside": sum((cut - BPS * n * Y * v) ** 2 for v in y if BPS * n * Y * v < cut),
    }


def _sqrt(x: Fraction) -> Decimal:
    return (Decimal(x.numerator) / Decimal(x.denominator)).sqrt()


def _true_holds(key: str, t: int, e: dict) -> bool:
    n, d = e["n"], e["d"]
    if key == "max_volatility_bps":
        return BPS * BPS * Y * e["variance"] <= t * t * d * S * S * (n - 1)
    excess = Decimal(e["excess"].numerator) / Decimal(e["excess"].denominator)
    if key == "min_sharpe_bps":
        return excess * Decimal(n - 1).sqrt() >= t * _sqrt(e["variance"] * Y * d)
    return excess * BPS * n * Decimal(Y).sqrt() >= t * _sqrt(e["downside"] * d)  # min_sortino_bps


def test_floored_returns_no_longer_prove_zero_volatility() -> None:
    """The attack: two returns that differ by 0.999/S floor to the same value, so the floored sample
    variance is 0 and `max_volatility_bps: 0` used to prove although the true volatility is not 0."""
    navs = [10**12, 10**12 + 999, 10**12 + 999]  # y = S + 0.999, then exactly S
    h = make_history(navs)
    m = market_for(h)
    s = series(h.snapshots, m)
    assert s.gross == (S, S) and s.variance_numerator == 0  # the floored returns are identical
    exact = _exact(navs, [x.timestamp for x in h.snapshots], m.risk_free_bps)
    assert exact["variance"] > 0 and not _true_holds("max_volatility_bps", 0, exact)
    with pytest.raises(StatementFalse, match="max_volatility_bps=0"):
        history_statement(h, m, policy(2, max_volatility_bps=0))
    ok = history_statement(h, m, policy(2, max_volatility_bps=1))  # 1 bps: true for these returns
    cc = build_history_circuit(2, ("max_volatility_bps",))
    cc.witness(ok.inputs)
    forged = {**ok.inputs, "thresholds": [0] * len(CLAUSES),
              "policy_hash": policy_hash(policy(2, max_volatility_bps=0))}
    with pytest.raises(ConstraintError, match="max_volatility_bps"):
        cc.witness(forged)  # the circuit decides as the evaluator: no witness for "volatility <= 0"


returns = st.lists(st.integers(-40, 60), min_size=2, max_size=8)  # per-mille; small spreads stress rounding


@settings(max_examples=60, deadline=None)
@given(returns, st.integers(10**6, 10**13), st.integers(0, 900), st.integers(-2, 2),
       st.sampled_from(["max_volatility_bps", "min_sharpe_bps", "min_sortino_bps"]))
def test_a_passing_clause_holds_for_the_unrounded_returns(rets, nav0, rf, nudge, key) -> None:
    navs = [nav0]
    for r in rets:
        navs.append(max(1, navs[-1] * (1000 + r) // 1000 + nudge))  # nudges leave sub-1/S differences
    times = [START + i * WEEK for i in range(len(navs))]
    h = make_history(navs, times)
    s = series(h.snapshots, market_for(h, rf))
    t = measure(s, key)  # the tightest passing threshold: where rounding matters most
    if t is None:
        return
    assert CLAUSES[key].evaluate(s, t)
    assert _true_holds(key, t, _exact(navs, times, rf)), (key, t)


def test_floored_returns_no_longer_prove_an_infinite_sharpe_ratio() -> None:
    """The same returns with rf = 0: floored, the excess and the variance are both 0, so `E sqrt(n-1) >=
    k sqrt(V Y D)` read 0 >= 0 and a Sharpe ratio >= 100 (the largest threshold) used to prove, although
    the true ratio is about 5.1."""
    navs = [10**12, 10**12 + 999, 10**12 + 999]
    h = make_history(navs)
    m = market_for(h, 0)
    s = series(h.snapshots, m)
    assert s.excess == 0 and s.variance_numerator == 0
    exact = _exact(navs, [x.timestamp for x in h.snapshots], 0)
    assert not _true_holds("min_sharpe_bps", 1_000_000, exact) and _true_holds("min_sharpe_bps", 50_000, exact)
    with pytest.raises(StatementFalse, match="min_sharpe_bps=1000000"):
        history_statement(h, m, policy(2, min_sharpe_bps=1_000_000))
    assert measure(s, "min_sharpe_bps") == 0  # all a floored excess of 0 can show, and true
