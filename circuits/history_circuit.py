"""The history statement circuit: a window of T returns opened from the snapshot chain, checked by policy.

Public signals (docs/ARCHITECTURE.md's 6-slot layout): ``[chain_head, owner, policy_hash, market_hash,
period_start, period_end]``. Private: the head before the window, the window's T + 1 snapshots
(NAV, positions commitment, time, salt, commit time), the policy (thresholds, maximum commit delay)
and the market (risk-free rate and its period). The circuit recomputes the chain from ``prev_head`` to
``chain_head`` with the public owner inside every snapshot commitment, proves each snapshot was
published no earlier than its time and at most the policy's delay after it, recomputes the policy and
market hashes, and decides each enabled clause with the comparisons of ``history_metrics`` (every
product's width is proven, so nothing wraps mod r). Shape = (T, enabled clauses): one key per shape.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from zkyield.circuits.history_chain import Window, window
from zkyield.circuits.history_metrics import ceil_sqrt, evaluate_history
from zkyield.circuits.history_models import (
    BPS,
    BPS_MAX,
    DURATION_BITS,
    GROSS_BITS,
    HISTORY_THRESHOLDS,
    LINK_TAG,
    MARKET_TAG,
    NAV_BITS,
    POLICY_TAG,
    RETURN_SCALE,
    RISK_FREE_MAX_BPS,
    SIGNED_BITS,
    SNAPSHOT_TAG,
    TIME_BITS,
    YEAR_SECONDS,
    History,
    HistoryMarket,
    HistoryPolicy,
    market_hash,
    policy_hash,
)
from zkyield.dsl import Circuit, CompiledCircuit, Value
from zkyield.field import R
from zkyield.gadgets.bits import decompose, range_check
from zkyield.gadgets.compare import assert_less_eq, greater_eq, greater_than, less_than
from zkyield.gadgets.fixedpoint import Rounding, div, isqrt, maximum
from zkyield.gadgets.logic import select
from zkyield.gadgets.poseidon import poseidon_gadget
from zkyield.groth16 import Proof, ProvingKey, prove

S, Y = RETURN_SCALE, YEAR_SECONDS
PUBLIC_SIGNALS = ("chain_head", "owner", "policy_hash", "market_hash", "period_start", "period_end")
ADDRESS_BITS = 160
_RETURN_CHECKS = {"min_annual_return_bps", "max_volatility_bps", "min_sharpe_bps", "min_sortino_bps"}
_SIGNED = {key for key, (low, _) in HISTORY_THRESHOLDS.items() if low < 0}


def _width(*values: Value) -> int:
    """Bits proven for the widest operand: the comparison width that cannot wrap."""
    bits = [v.bits for v in values]
    if None in bits:
        raise AssertionError("history circuit: a compared operand has no proven bound")  # a builder bug
    return max(1, *bits)  # type: ignore[type-var]


def _isqrt(c: Circuit, x: Value, bits: int) -> Value:
    """floor(sqrt(x)) for x < 2^bits, carrying the bound the gadget proves (it range-checks the root)."""
    root = isqrt(c, x, bits)
    c.unsafe_assume_bound(root, 1 << (bits + 1) // 2)
    return root


def _ge(c: Circuit, lhs: Value, rhs: Value) -> None:
    assert_less_eq(c, rhs, lhs, _width(lhs, rhs))


def _ge_bit(c: Circuit, lhs: Value, rhs: Value) -> Value:
    return greater_eq(c, lhs, rhs, _width(lhs, rhs))


class _Builder:
    """Holds the shared intermediate values so each clause builds only what it needs, once."""

    def __init__(self, c: Circuit, periods: int) -> None:
        self.c, self.n = c, periods
        self._cache: dict[str, object] = {}

    def once(self, name: str, make: Callable[[], Any]) -> Any:
        """``make()`` under scope ``name`` the first time, the same result afterwards."""
        if name not in self._cache:
            with self.c.scope(name):
                self._cache[name] = make()
        return self._cache[name]


def _directed_sqrt_ge(c: Circuit, e_nonneg: Value, k_pos: Value, a2: Value, b2_hi: Value, b2_lo: Value) -> None:
    """Constrain e sqrt(a) >= k sqrt(b) against the prover from sign bits and the squares a2 = e^2 a,
    b2_hi = k^2 b_hi, b2_lo = k^2 b_lo (history_metrics.directed_sqrt_ge): e >= 0: k <= 0 or a2 >= b2_hi;
    e < 0: k <= 0 and a2 <= b2_lo."""
    ge, le = _ge_bit(c, a2, b2_hi), _ge_bit(c, b2_lo, a2)
    ok = select(c, e_nonneg, select(c, k_pos, ge, 1), select(c, k_pos, 0, le))
    c.assert_equal(ok, 1)


@cache
def build_history_circuit(periods: int, checks: tuple[str, ...]) -> CompiledCircuit:
    """The circuit for windows of ``periods`` returns deciding the clauses ``checks`` (policy order)."""
    unknown = [k for k in checks if k not in HISTORY_THRESHOLDS]
    if unknown or not checks or list(checks) != [k for k in HISTORY_THRESHOLDS if k in checks]:
        raise ValueError(f"checks must be a non-empty ordered subset of {list(HISTORY_THRESHOLDS)}")
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
    ts = c.private_input("thresholds", length=len(HISTORY_THRESHOLDS))
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
    thresholds = _policy(c, n, checks, ts, max_delay, pol)
    with c.scope("nav"):
        for v in navs:
            range_check(c, v, NAV_BITS)
    b = _Builder(c, n)
    gross = b.once("gross", lambda: [div(c, S * navs[i], navs[i - 1], NAV_BITS + S.bit_length(), NAV_BITS,
                                         GROSS_BITS, Rounding.FLOOR) for i in range(1, n + 1)]) \
        if _RETURN_CHECKS & set(checks) else []
    clauses = {"min_annual_return_bps": _annual, "max_volatility_bps": _volatility, "min_sharpe_bps": _sharpe,
               "min_sortino_bps": _sortino, "max_drawdown_bps": _drawdown, "min_positive_bps": _positive}
    ctx = _Context(b, navs, gross, duration, rf)
    for key in checks:
        with c.scope(key):
            clauses[key](ctx, thresholds[key])
    return c.compile()


def _policy(c: Circuit, n: int, checks: Sequence[str], ts: list[Value], max_delay: Value,
            pol: Value) -> dict[str, Value]:
    """Hash the policy as ``policy_hash`` does and return each enabled threshold range-checked; a signed
    threshold t comes back as t + BPS_MAX (proven in [0, 2 BPS_MAX])."""
    out, values = {}, [POLICY_TAG, n, max_delay]
    with c.scope("policy"):
        for t, (key, (_, high)) in zip(ts, HISTORY_THRESHOLDS.items(), strict=True):
            if key not in checks:
                c.assert_equal(t, 0)
                values += [0, 0]
                continue
            values += [1, t]
            if key in _SIGNED:
                out[key] = t + BPS_MAX
                assert_less_eq(c, out[key], 2 * BPS_MAX, SIGNED_BITS)
            else:
                out[key] = t
                assert_less_eq(c, t, high, high.bit_length())
        c.assert_equal(poseidon_gadget(c, values), pol)
    return out


@dataclass
class _Context:
    b: _Builder
    navs: list[Value]
    gross: list[Value]
    duration: Value
    rf: Value

    @property
    def c(self) -> Circuit:
        return self.b.c

    def sum_x(self) -> Value:
        return self.b.once("sum_x", lambda: self.c.sum(self.gross))

    def sq_sum_x(self) -> Value:
        return self.b.once("sq_sum_x", lambda: self.c.mul(self.sum_x(), self.sum_x()))

    def sum_x2(self) -> Value:
        return self.b.once("sum_x2", lambda: self.c.sum(self.c.mul(x, x) for x in self.gross))

    def rf_d_s(self) -> Value:
        return self.b.once("rf_d", lambda: self.c.mul(self.rf, self.duration) * S)

    def excess(self) -> tuple[Value, Value]:
        """(E >= 0, |E| squared), E = 10^4 Y (sum x - n S) - rf D S."""
        def make() -> tuple[Value, Value]:
            pos, neg = BPS * Y * self.sum_x(), BPS * Y * self.b.n * S + self.rf_d_s()
            nonneg = _ge_bit(self.c, pos, neg)
            mag = range_check(self.c, select(self.c, nonneg, pos - neg, neg - pos), _width(pos, neg))
            return nonneg, self.c.mul(mag, mag)
        return self.b.once("excess", make)

    def spread_bounds(self) -> tuple[Value, Value]:
        """(L, H) = (max(0, 2s - n), 2s + 2 + n), s = isqrt(V): twice a lower and an upper bound of the
        unfloored returns' sqrt(V) (history_metrics.Series.spread_bounds)."""
        def make() -> tuple[Value, Value]:
            c, n = self.c, self.b.n
            v_bits = 2 * (GROSS_BITS + n.bit_length())  # V < n sum x^2 < n^2 2^80
            root = _isqrt(c, n * self.sum_x2() - self.sq_sum_x(), v_bits)
            twice = 2 * root
            half = (v_bits + 1) // 2  # root < 2^half, so 0 <= L <= 2 root < 2^(half + 1)
            low = range_check(c, select(c, greater_eq(c, twice, n, half + 1), twice - n, 0), half + 1)
            return low, twice + 2 + n
        return self.b.once("spread", make)

    def signed_threshold(self, k_off: Value) -> tuple[Value, Value]:
        """(k > 0, k^2) from the offset threshold k + BPS_MAX."""
        c = self.c
        k_pos = greater_than(c, k_off, BPS_MAX, SIGNED_BITS)
        mag = range_check(c, select(c, k_pos, k_off - BPS_MAX, BPS_MAX - k_off), BPS_MAX.bit_length())
        return k_pos, c.mul(mag, mag)


def _annual(x: _Context, t_off: Value) -> None:
    # 10^4 Y (sum x - n S) >= t D S  with t = t_off - BPS_MAX, all terms moved to be non-negative
    c, n = x.c, x.b.n
    _ge(c, BPS * Y * x.sum_x() + BPS_MAX * S * x.duration, BPS * Y * n * S + c.mul(t_off, x.duration) * S)


def _volatility(x: _Context, v: Value) -> None:
    # 10^8 Y H^2 <= 4 v^2 D S^2 (n - 1): the upper bound H/2 of sqrt(V_true), so flooring cannot help
    c, n = x.c, x.b.n
    high = x.spread_bounds()[1]
    _ge(c, c.mul(c.mul(v, v), x.duration) * (4 * S * S * (n - 1)), BPS * BPS * Y * c.mul(high, high))


def _sharpe(x: _Context, k_off: Value) -> None:
    # 2 E sqrt(n - 1) >= k sqrt(Y D) (H if k > 0, L if k <= 0): sqrt(V_true) within [L/2, H/2]
    c, n = x.c, x.b.n
    e_nonneg, e2 = x.excess()
    k_pos, k2 = x.signed_threshold(k_off)
    k2yd = c.mul(k2, x.duration) * Y
    low, high = x.spread_bounds()
    _directed_sqrt_ge(c, e_nonneg, k_pos, e2 * (4 * (n - 1)), c.mul(k2yd, c.mul(high, high)),
                      c.mul(k2yd, c.mul(low, low)))


def _sortino(x: _Context, k_off: Value) -> None:
    # E 10^4 n sqrt(Y) >= k sqrt(Q D),  Q = sum over periods below rf of (cut - 10^4 n Y x_i)^2
    c, n = x.c, x.b.n
    cut = BPS * n * Y * S + x.rf_d_s()
    squares = []
    for i, g in enumerate(x.gross):
        with c.scope(f"period[{i}]"):
            a = BPS * n * Y * g
            shortfall = c.mul(less_than(c, a, cut, _width(a, cut)), cut - a)
            squares.append(c.mul(shortfall, shortfall))
    q_bits = 2 * _width(cut) + n.bit_length()
    q = range_check(c, c.sum(squares), q_bits)  # a fact: each square < cut^2
    # M = max(0, isqrt(Q) - 10^4 n Y ceil(sqrt(n))) <= sqrt(Q_true): each shortfall moves by < 10^4 n Y
    root, slack = _isqrt(c, q, q_bits), BPS * n * Y * ceil_sqrt(n)
    half = (q_bits + 1) // 2  # root < 2^half
    low = range_check(c, select(c, greater_eq(c, root, slack, max(half, slack.bit_length())), root - slack, 0),
                      half)
    e_nonneg, e2 = x.excess()
    k_pos, k2 = x.signed_threshold(k_off)
    k2d = c.mul(k2, x.duration)
    _directed_sqrt_ge(c, e_nonneg, k_pos, e2 * (BPS * BPS * n * n * Y), c.mul(k2d, q), c.mul(k2d, c.mul(low, low)))


def _drawdown(x: _Context, m: Value) -> None:
    # for every j: 10^4 nav_j + m peak_j >= 10^4 peak_j
    c = x.c
    peak = x.navs[0]
    for j in range(1, len(x.navs)):
        with c.scope(f"snapshot[{j}]"):
            peak = maximum(c, peak, x.navs[j], NAV_BITS)
            _ge(c, BPS * x.navs[j] + c.mul(m, peak), BPS * peak)


def _positive(x: _Context, p: Value) -> None:
    # 10^4 #{nav_i > nav_(i-1)} >= p n
    c = x.c
    count = c.sum(less_than(c, x.navs[i - 1], x.navs[i], NAV_BITS) for i in range(1, len(x.navs)))
    _ge(c, BPS * count, p * x.b.n)


# -- witness ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryStatement:
    """A checked statement ready to prove: its circuit, witness inputs and public signals."""

    circuit: CompiledCircuit
    inputs: dict
    public: tuple[int, ...]
    window: Window


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
        thresholds=[policy.thresholds.get(k, 0) % R for k in HISTORY_THRESHOLDS],
        risk_free_bps=market.risk_free_bps, market_start=market.period.start, market_end=market.period.end,
    )
    return HistoryStatement(build_history_circuit(policy.periods, policy.checks), inputs, public, w)


def prove_history(history: History, market: HistoryMarket, policy: HistoryPolicy, proving_key: ProvingKey,
                  last: int | None = None) -> tuple[Proof, list[int]]:
    """Evaluate (refusing false statements), build the witness and prove with ``proving_key``, which
    must be the key of ``build_history_circuit(policy.periods, policy.checks).r1cs``.

    Returns ``(proof, public_signals)`` in the 6-slot layout.
    """
    st = history_statement(history, market, policy, last)
    witness = st.circuit.witness(st.inputs)
    if st.circuit.public_signals(witness) != list(st.public):
        raise AssertionError("history witness: public signals differ from the statement's")  # a builder bug
    return prove(proving_key, st.circuit.r1cs, witness), list(st.public)
