"""The history statement circuit: a window of T returns opened from the snapshot chain, checked by policy.

Public signals (docs/ARCHITECTURE.md's 6-slot layout): ``[chain_head, owner, policy_hash, market_hash,
period_start, period_end]``. Private: the head before the window, the window's T + 1 snapshots
(NAV, positions commitment, time, salt, commit time), the policy (thresholds, maximum commit delay)
and the market (risk-free rate and its period). The circuit recomputes the chain from ``prev_head`` to
``chain_head`` with the public owner inside every snapshot commitment, proves each snapshot was
published no earlier than its time and at most the policy's delay after it, recomputes the policy and
market hashes, and decides each enabled clause of ``history_clauses.CLAUSES`` by its constraint function (every
product's width is proven, so nothing wraps mod r). Shape = (T, enabled clauses): one key per shape.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from zkyield.circuits.history_builder import HistoryBuilder
from zkyield.circuits.history_chain import Window, window
from zkyield.circuits.history_clauses import CLAUSES, GROSS, PEAKS
from zkyield.circuits.history_metrics import evaluate_history
from zkyield.circuits.history_models import (
    BPS,
    BPS_MAX,
    DURATION_BITS,
    LINK_TAG,
    MARKET_TAG,
    NAV_BITS,
    POLICY_TAG,
    RISK_FREE_MAX_BPS,
    SIGNED_BITS,
    SNAPSHOT_TAG,
    TIME_BITS,
    History,
    HistoryMarket,
    HistoryPolicy,
    market_hash,
    policy_hash,
)
from zkyield.dsl import Circuit, CompiledCircuit, Value
from zkyield.field import R
from zkyield.gadgets.bits import decompose, range_check
from zkyield.gadgets.commit import poseidon_many_gadget
from zkyield.gadgets.compare import assert_less_eq
from zkyield.gadgets.poseidon import poseidon_gadget

PUBLIC_SIGNALS = ("chain_head", "owner", "policy_hash", "market_hash", "period_start", "period_end")
ADDRESS_BITS = 160


@cache
def build_history_circuit(periods: int, checks: tuple[str, ...]) -> CompiledCircuit:
    """The circuit for windows of ``periods`` returns deciding the clauses ``checks`` (policy order)."""
    if CLAUSES.ordered(checks) != tuple(checks):  # ValueError when unknown or empty
        raise ValueError(f"checks must be a non-empty ordered subset of {list(CLAUSES.keys)}")
    n = periods
    c = Circuit("history")
    head, owner, pol, mkt, p_start, p_end = (c.public_input(name) for name in PUBLIC_SIGNALS)
    prev = c.private_input("prev_head")
    navs = c.private_input("navs", length=n + 1)
    pcs = c.private_input("positions_commitments", length=n + 1)
    times = c.private_input("times", length=n + 1)
    salts = c.private_input("salts", length=n + 1)
    committed = c.private_input("committed_at", length=n + 1)
    max_delay = c.private_input("max_commit_delay_s")
    ts = c.private_input("thresholds", length=len(CLAUSES))
    confidence = c.private_input("var_confidence_bps")
    rf, m_start, m_end = (c.private_input(name) for name in ("risk_free_bps", "market_start", "market_end"))

    with c.scope("owner"):
        range_check(c, owner, ADDRESS_BITS)
    with c.scope("chain"):
        h = prev
        for i in range(n + 1):
            with c.scope(f"snapshot[{i}]"):
                leaf = poseidon_gadget(c, [SNAPSHOT_TAG, owner, navs[i], pcs[i], times[i], salts[i]])
                h = poseidon_gadget(c, [LINK_TAG, h, leaf, committed[i]])
        c.assert_equal(h, head)
    with c.scope("commit_delay"):
        range_check(c, max_delay, DURATION_BITS)
        for i in range(n + 1):
            with c.scope(f"snapshot[{i}]"):  # 0 <= committed_at - time <= max_commit_delay_s
                delay = range_check(c, committed[i] - times[i], DURATION_BITS)
                assert_less_eq(c, delay, max_delay, DURATION_BITS)
    with c.scope("time"):
        t0 = range_check(c, times[0], TIME_BITS)
        for i in range(1, n + 1):
            decompose(c, times[i] - times[i - 1] - 1, DURATION_BITS)  # strictly increasing
        c.assert_equal(times[0], p_start)
        c.assert_equal(times[n], p_end)
        duration = range_check(c, times[n] - times[0], DURATION_BITS)
        t_end = t0 + duration  # = times[n], now with a proven bound
    with c.scope("market"):
        assert_less_eq(c, rf, RISK_FREE_MAX_BPS, RISK_FREE_MAX_BPS.bit_length())
        assert_less_eq(c, range_check(c, m_start, TIME_BITS), t0, TIME_BITS + 1)
        assert_less_eq(c, t_end, range_check(c, m_end, TIME_BITS), TIME_BITS + 1)
        c.assert_equal(poseidon_gadget(c, [MARKET_TAG, rf, m_start, m_end]), mkt)
    thresholds = _policy(c, n, checks, ts, max_delay, confidence, pol)
    with c.scope("nav"):
        for v in navs:
            range_check(c, v, NAV_BITS)
    b = HistoryBuilder(c, navs, duration, rf, confidence)
    if any(GROSS in CLAUSES[key].needs for key in checks):
        b.build_gross()
    if any(PEAKS in CLAUSES[key].needs for key in checks):
        b.peaks()
    for key in checks:
        with c.scope(key):
            CLAUSES[key].constrain(b, thresholds[key])
    return c.compile()


def _policy(c: Circuit, n: int, checks: Sequence[str], ts: list[Value], max_delay: Value, confidence: Value,
            pol: Value) -> dict[str, Value]:
    """Hash the policy as ``policy_hash`` does and return each enabled threshold range-checked; a signed
    threshold t comes back as t + BPS_MAX (proven in [0, 2 BPS_MAX]). The VaR confidence is range-checked
    to <= 10^4 when max_var_bps is stated and pinned to 0 otherwise."""
    out, values = {}, [POLICY_TAG, n, max_delay, confidence]
    with c.scope("policy"):
        if "max_var_bps" in checks:
            assert_less_eq(c, confidence, BPS, BPS.bit_length())
        else:
            c.assert_equal(confidence, 0)
        for t, clause in zip(ts, CLAUSES, strict=True):
            key, high = clause.key, clause.high
            if key not in checks:
                c.assert_equal(t, 0)
                values += [0, 0]
                continue
            values += [1, t]
            if clause.low < 0:  # signed
                out[key] = t + BPS_MAX
                assert_less_eq(c, out[key], 2 * BPS_MAX, SIGNED_BITS)
            else:
                out[key] = t
                assert_less_eq(c, t, high, high.bit_length())
        c.assert_equal(poseidon_many_gadget(c, values), pol)
    return out


# -- witness ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryStatement:
    """A checked statement ready to prove: its witness inputs and public signals (and its circuit).

    The circuit is built only when asked for: proving from a build folder runs its compiled witness
    program on ``inputs`` and never needs the builder.
    """

    inputs: dict
    public: tuple[int, ...]
    window: Window
    periods: int
    checks: tuple[str, ...]

    @property
    def circuit(self) -> CompiledCircuit:
        return build_history_circuit(self.periods, self.checks)


def history_statement(history: History, market: HistoryMarket, policy: HistoryPolicy,
                      last: int | None = None) -> HistoryStatement:
    """Check the statement in plain Python (StatementFalse if it fails) and build the circuit's inputs
    for the window of ``policy.periods`` returns ending at snapshot ``last`` (default: the newest)."""
    w = window(history, policy.periods, last)
    evaluate_history(w.snapshots, market, policy, f"{history.source}: window").require_holds()
    public = (w.head, history.owner, policy_hash(policy), market_hash(market),
              w.snapshots[0].timestamp, w.snapshots[-1].timestamp)
    inputs = dict(zip(PUBLIC_SIGNALS, public, strict=True))
    inputs.update(
        prev_head=w.prev_head,
        navs=[s.nav for s in w.snapshots],
        positions_commitments=[s.positions_commitment for s in w.snapshots],
        times=[s.timestamp for s in w.snapshots],
        salts=[s.salt for s in w.snapshots],
        committed_at=[s.committed_at for s in w.snapshots],
        max_commit_delay_s=policy.max_commit_delay_s,
        thresholds=[policy.thresholds.get(k, 0) % R for k in CLAUSES.keys],
        var_confidence_bps=policy.hashed_confidence,
        risk_free_bps=market.risk_free_bps, market_start=market.period.start, market_end=market.period.end,
    )
    return HistoryStatement(inputs, public, w, policy.periods, tuple(policy.checks))
