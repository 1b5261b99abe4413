"""The portfolio family's clause table: each clause's record, its evaluation and its constraints together.

Append-only: a clause's position is its mask bit and its policy-hash slot (``publics.policy_values``),
so a new clause goes at the end (docs/ARCHITECTURE.md, "Adding a clause"). Each evaluation
``(sums, t) -> Finding`` writes the decision as ``Inequality`` objects (``lhs >= rhs`` over
non-negative integers of declared width) with no division or rounding in a decision; a reported
measurement (bps) is rounded against the prover: down for a minimum, up for a maximum. Each
constraint function ``(builder, t)`` compares the same integers in circuit, where ``t`` is the hashed
(offset) threshold. Formulas and widths: docs/statements.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from zkyield.circuits import encoding as enc
from zkyield.circuits import range_math as rm
from zkyield.circuits.attest_circuit import attested_book_circuit, attested_prices_circuit
from zkyield.circuits.clause import Check, Clause, ClauseTable, Finding
from zkyield.circuits.encoding import BPS, Inequality, linear
from zkyield.circuits.exposure_clauses import (
    HELD,
    NAV,
    allowed_bridges,
    allowed_bridges_circuit,
    allowed_bridges_message,
    max_bridged,
    max_bridged_circuit,
    max_chain,
    max_chain_circuit,
    max_net_delta,
    max_net_delta_circuit,
    max_protocol,
    max_protocol_circuit,
)
from zkyield.circuits.rate_clause import max_rate_deviation, max_rate_deviation_circuit
from zkyield.circuits.sums import Sums, ceil_div, il_inequality, impermanent_loss_bps_ceil
from zkyield.errors import InputError
from zkyield.gadgets.compare import less_eq, less_than
from zkyield.gadgets.merkle import merkle_inclusion

if TYPE_CHECKING:
    from zkyield.circuits.statements import Builder
    from zkyield.dsl import Value

# Shared sums a clause may need beyond the always-built values (statements.Builder.sums builds them).
INCOMES = "incomes"  # fee and emission amounts range-checked
COLLATERAL = "collateral"  # end value of each lending position
FLOWS = "flows"  # deposits and withdrawals valued, and the return base proven positive
RANGE = "range"  # range positions' amounts tied to their liquidity and prices; in-range flags (range_circuit)


# -- min_return_bps --------------------------------------------------------------------------------

def _min_return(s: Sums, t: int) -> Finding:
    # 10000 * (E - S) >= t * S  <=>  10000 * E - (10000 + t) * S >= 0
    pos, main = s.base_positive(), linear("return", s.return_terms(BPS, BPS + t), enc.RETURN_BITS)
    measured = BPS * (s.final - s.base) // s.base if pos.holds else None
    return Finding(pos.holds and main.holds, measured, (pos, main),
                   note="undefined: net start value plus deposits is not positive")


def _min_return_circuit(b: Builder, u: Value) -> None:  # u = t + 10000
    c = b.c
    lhs = BPS * (b.a1 + b.w) + c.mul(u, b.b0)
    b.at_least("return", lhs, c.mul(u, b.a0 + b.d) + BPS * b.b1, enc.RETURN_BITS)


# -- min_apr_bps -------------------------------------------------------------------------------------

def _min_apr(s: Sums, t: int) -> Finding:
    # APR = return * YEAR / T:  10000 * YEAR * (E - S) - t * T * S >= 0, with the signed threshold as
    # o = t + BPS_MAX >= 0 (the circuit's encoding):  ... + BPS_MAX * T * S - o * T * S >= 0
    k, o, period = BPS * enc.YEAR_SECONDS, t + enc.BPS_MAX, s.period
    terms = [*s.return_terms(k, k), *s.return_terms(0, -enc.BPS_MAX * period), *s.return_terms(0, o * period)]
    pos, main = s.base_positive(), linear("apr", terms, enc.APR_BITS)
    measured = k * (s.final - s.base) // (s.base * period) if pos.holds else None
    return Finding(pos.holds and main.holds, measured, (pos, main),
                   note="undefined: net start value plus deposits is not positive")


def _min_apr_circuit(b: Builder, o: Value) -> None:  # o = t + BPS_MAX
    c, k = b.c, BPS * enc.YEAR_SECONDS
    span = b.pub["period_end"] - b.pub["period_start"]
    o_span, capital = c.mul(o, span), b.a0 + b.d
    lhs = k * (b.a1 + b.w) + k * b.b0 + c.mul(enc.BPS_MAX * span, capital) + c.mul(o_span, b.b0)
    rhs = k * b.b1 + k * capital + c.mul(enc.BPS_MAX * span, b.b0) + c.mul(o_span, capital)
    b.at_least("apr", lhs, rhs, enc.APR_BITS)


# -- min_real_yield_bps ------------------------------------------------------------------------------

def _min_real_yield(s: Sums, t: int) -> Finding:
    income = s.fees + s.emissions
    pos = Inequality("real_yield/income_positive", income, 1, enc.POSITIVE_BITS)
    main = linear("real_yield", [(BPS, s.fees), (-t, income)], enc.RATIO_BITS)
    measured = BPS * s.fees // income if income else None
    return Finding(pos.holds and main.holds, measured, (pos, main),
                   note="undefined: the portfolio has no fee or emission income")


def _min_real_yield_circuit(b: Builder, t: Value) -> None:
    c = b.c
    fees = c.sum(c.mul(b.pos["fee"][j], b.p1_sel[j]) for j in range(b.n))
    emissions = c.sum(c.mul(b.pos["emission"][j], b.p1_sel[j]) for j in range(b.n))
    b.at_least("income_positive", fees + emissions, 1, enc.POSITIVE_BITS)
    b.at_least("real_yield", BPS * fees, c.mul(t, fees + emissions), enc.RATIO_BITS)


# -- max_position_bps (per asset, not per position: a mandate limits exposure to WETH however many
#    slots hold it) ------------------------------------------------------------------------------------

def _max_position(s: Sums, t: int) -> Finding:
    market, held = s.market, s.held()
    ineqs = tuple(linear(f"asset/{market.assets[a].symbol}", [(t, s.a_end), (-BPS, v)], enc.RATIO_BITS)
                  for a, v in enumerate(held))
    shares = [(ceil_div(BPS * v, s.a_end) if s.a_end else 0, a) for a, v in enumerate(held) if v]
    worst, at = max(shares, default=(0, None))
    return Finding(all(q.holds for q in ineqs), worst, ineqs,
                   where="" if at is None else f"in {market.assets[at].symbol}")


def _max_position_circuit(b: Builder, t: Value) -> None:
    """Per asset slot: the end value of every non-borrow position in that asset, summed."""
    limit = b.c.mul(t, b.a1)
    for a in range(b.m):
        b.at_least(f"asset[{a}]", limit, BPS * b.held[a], enc.RATIO_BITS)


# -- max_leverage_bps --------------------------------------------------------------------------------

def _max_leverage(s: Sums, t: int) -> Finding:
    collateral = sum(s.v_end[i] for i in s.collateral())
    main = linear("leverage", [(t, collateral), (-BPS, s.b_end)], enc.RATIO_BITS)
    measured = ceil_div(BPS * s.b_end, collateral) if collateral else (0 if not s.b_end else None)
    return Finding(main.holds, measured, (main,), note="undefined: debt without lending collateral")


def _max_leverage_circuit(b: Builder, t: Value) -> None:
    b.at_least("leverage", b.c.mul(t, b.c.sum(b.lent)), BPS * b.b1, enc.RATIO_BITS)


# -- min_health_factor_bps ---------------------------------------------------------------------------

def _min_health_factor(s: Sums, t: int) -> Finding:
    weighted = 0
    for i in s.collateral():
        lt = s.market.assets[s.b.positions[i].asset].liquidation_threshold_bps
        if lt is None:
            raise InputError(f"{s.market.source}: assets[{s.b.positions[i].asset}].liquidation_threshold_bps is "
                             "missing; min_health_factor_bps needs it for every asset lent as collateral")
        weighted += s.v_end[i] * lt
    main = linear("health_factor", [(1, weighted), (-t, s.b_end)], enc.RATIO_BITS)
    measured = weighted // s.b_end if s.b_end else None
    return Finding(main.holds, measured, (main,), note="undefined: the portfolio has no debt")


def _min_health_factor_circuit(b: Builder, t: Value) -> None:
    c, lt = b.c, b.column("lt")
    weighted = c.sum(c.mul(b.lent[j], b.select(j, lt)) for j in range(b.n))
    b.at_least("health_factor", weighted, c.mul(t, b.b1), enc.RATIO_BITS)


# -- max_impermanent_loss_bps (constant-product pools; Uniswap v3 ranges) -------------------------------

def _range_il(s: Sums, i: int, t: int) -> tuple[Inequality, int]:
    """LP value at the end against holding the start amounts, both at end prices (fees excluded):
    ``10000 * V_lp >= (10000 - t) * V_hold``; the loss rounded up (negative when the LP gained)."""
    lp, hold = s.range_value(i, "end", True), s.range_value(i, "start", True)
    loss = ceil_div(BPS * (hold - lp), hold) if hold else 0
    return Inequality(f"il/{i}", BPS * lp, (BPS - t) * hold, enc.RATIO_BITS), loss


def _max_il(s: Sums, t: int) -> Finding:
    ineqs, worst, at = [], 0, None
    for i, p in enumerate(s.b.positions):
        pool = s.market.assets[p.asset].pool
        if p.kind != enc.KIND_CODE["lp"] or pool is None:
            continue
        if p.range is not None:
            q, loss = _range_il(s, i, t)
            ineqs.append(q)
        else:
            ineqs.append(il_inequality(f"il/{i}", pool.price_ratio_end, pool.price_ratio_start, t))
            loss = impermanent_loss_bps_ceil(pool.price_ratio_end, pool.price_ratio_start)
        if at is None or loss > worst:
            worst, at = loss, i
    return Finding(all(q.holds for q in ineqs), worst, tuple(ineqs), where="" if at is None else f"at positions[{at}]")


def _max_il_circuit(b: Builder, m: Value) -> None:
    """Per pool asset (IL depends on public data only), enforced where some position holds it."""
    c = b.c
    keep = c.mul(BPS - m, BPS - m)
    ends, starts = b.column("ratio_end"), b.column("ratio_start")
    for a in range(b.m):
        with c.scope(f"pool[{a}]"):
            n, d = ends[a], starts[a]
            exceeds = less_than(c, 4 * BPS * BPS * c.mul(n, d), c.mul(keep, c.mul(n + d, n + d)), enc.IL_BITS)
            held = c.sum(b.sel[j][a] for j in range(b.n))
            c.assert_product(held, exceeds, 0, "held_within_bound")
    for j in range(b.n):  # range slots (zero elsewhere): 10000 * V_lp >= (10000 - m) * V_hold
        with c.scope(f"range[{j}]"):
            n, p1 = b.range_norm[j], b.range_p1[j]
            hold = c.mul(n["0_start"], p1[0]) + c.mul(n["1_start"], p1[1])
            b.at_least("loss", BPS * b.range_v1[j], c.mul(BPS - m, hold), enc.RATIO_BITS)


# -- max_stress_loss_bps -----------------------------------------------------------------------------

def _max_stress(s: Sums, t: int) -> Finding:
    market = s.market
    if not market.stress_scenarios:
        raise InputError(f"{market.source}: stress_scenarios is empty but the policy sets max_stress_loss_bps")
    pos = Inequality("stress/end_value_positive", s.a_end, s.b_end + 1, enc.POSITIVE_BITS)
    ineqs, worst, at = [pos], None, ""
    net = s.a_end - s.b_end
    for scenario in market.stress_scenarios:
        shocked_a, shocked_b = s.shocked([BPS + scenario.shocks_bps.get(a.symbol, 0) for a in market.assets])
        # loss = (10000 * V - V_s) / V <= t  <=>  V_s - (10000 - t) * V >= 0,  V = A - B
        terms = [(1, shocked_a), (-1, shocked_b), (-(BPS - t), s.a_end), (BPS - t, s.b_end)]
        ineqs.append(linear(f"stress/{scenario.name}", terms, enc.STRESS_BITS))
        if pos.holds:
            loss = ceil_div(BPS * net - (shocked_a - shocked_b), net)
            if worst is None or loss > worst:
                worst, at = loss, f"in scenario '{scenario.name}'"
    return Finding(all(q.holds for q in ineqs), worst, tuple(ineqs), where=at,
                   note="undefined: net end value is not positive")


def _max_stress_circuit(b: Builder, t: Value) -> None:
    c, keep = b.c, BPS - t
    c.assert_equal(b.scenario_listed[0], 1, "has_scenario")  # else every slot is unshocked: no test
    b.at_least("end_value_positive", b.a1, b.b1 + 1, enc.POSITIVE_BITS)
    for k in range(b.s):
        with c.scope(f"scenario[{k}]"):
            f = [b.select(j, b.factors[k]) for j in range(b.n)]
            fb = [c.sum(c.mul(x, y) for x, y in zip(b.base[j], b.factors[k], strict=True)) for j in range(b.n)]
            # a perp moves with its base: L p f + 10000 S entry on the asset side, 10000 L entry + S p f on the other
            lp = [c.mul(c.mul(b.long[j], b.p1_base[j]), fb[j]) for j in range(b.n)]
            sp = [c.mul(c.mul(b.short[j], b.p1_base[j]), fb[j]) for j in range(b.n)]
            le = [BPS * c.mul(b.long[j], b.pos["entry"][j]) for j in range(b.n)]
            se = [BPS * c.mul(b.short[j], b.pos["entry"][j]) for j in range(b.n)]
            shocked_a = c.sum(c.mul(b.v1[j] - b.borrow1[j], f[j]) + lp[j] + se[j] for j in range(b.n))
            shocked_b = c.sum(c.mul(b.borrow1[j], f[j]) + le[j] + sp[j] for j in range(b.n))
            lhs, rhs = shocked_a + c.mul(keep, b.b1), c.mul(keep, b.a1) + shocked_b
            b.at_least("loss", lhs, rhs, enc.STRESS_BITS)


# -- min_liquid_bps ----------------------------------------------------------------------------------

def _min_liquid(s: Sums, t: int) -> Finding:
    deadline = s.market.liquidity_deadline
    if deadline is None:
        raise InputError(f"{s.market.source}: liquidity_deadline is missing but the policy sets min_liquid_bps")
    liquid = sum(s.asset_end[i] for i in s.assets if s.b.positions[i].unlock_time <= deadline)
    main = linear("liquid", [(BPS, liquid), (-t, s.a_end)], enc.RATIO_BITS)
    measured = BPS * liquid // s.a_end if s.a_end else None
    return Finding(main.holds, measured, (main,), note="undefined: the portfolio holds no assets")


def _min_liquid_circuit(b: Builder, t: Value) -> None:
    c = b.c
    c.assert_equal(b.has_deadline, 1, "has_deadline")  # else deadline 0 would read as a date
    with c.scope("unlocked"):
        liquid = c.sum(c.mul(less_eq(c, b.pos["unlock"][j], b.deadline, enc.TIME_BITS), b.asset1[j])
                       for j in range(b.n))
    b.at_least("liquid", BPS * liquid, c.mul(t, b.a1), enc.RATIO_BITS)


# -- allowed_protocols_root (stated by a Merkle root, not a threshold) ---------------------------------

def _allowed_protocols(s: Sums, root: int) -> Finding:
    allowed = {enc.protocol_id(p) for p in s.policy.allowed_protocols}
    outside = [i for i, p in enumerate(s.b.positions) if p.protocol not in allowed]
    return Finding(not outside, len(outside), (), where=f"at positions[{outside[0]}]" if outside else "")


def _allowed_protocols_circuit(b: Builder, root: Value) -> None:
    c, depth = b.c, enc.PROTOCOL_TREE_DEPTH
    siblings = b.rows(c.private_input("protocol_siblings", b.n * depth), depth)
    path = b.rows(c.private_input("protocol_path", b.n * depth), depth)
    for j in range(b.n):
        with c.scope(f"protocol[{j}]"):
            computed = merkle_inclusion(c, b.pos["protocol"][j], siblings[j], path[j], depth)
            c.assert_product(b.active[j], computed - root, 0, "root")


def _allowed_protocols_message(check: Check) -> str:
    if check.holds:
        return "every protocol is in the allowed set"
    return f"the protocol {check.where} is not in the allowed set (allowed_protocols_root)"


# -- attested_by / prices_attested_by (stated by a key set: circuits/attest_circuit.py) ------------------

def _set_slot(aset: object) -> int | None:
    return None if aset is None else aset.slot  # type: ignore[attr-defined]


def _attested(s: Sums, slot: int) -> Finding:
    """The book and market alone cannot decide it: the prover's gate checks the signatures
    (``attest_policy.choose``, before proving); here the clause reports what the policy requires."""
    return Finding(True, None)


def _attested_message(check: Check) -> str:
    subject = "book" if check.key == "attested_by" else "prices"
    return (f"the {subject} must be signed by k distinct keys of {check.key} (checked against the signature "
            "files when proving: zkyield prove --signatures)")


# -- min_in_range_bps --------------------------------------------------------------------------------

def _min_in_range(s: Sums, t: int) -> Finding:
    """LP value whose range holds the end price (a constant-product pool's always does) over all LP value."""
    lp = [i for i, p in enumerate(s.b.positions) if p.kind == enc.KIND_CODE["lp"]]
    inside = 0
    for i in lp:
        p = s.b.positions[i]
        rng, pool = p.range, s.market.assets[p.asset].pool
        if rng is None or rm.in_range(rng.sqrt_lower, rng.sqrt_upper, pool.sqrt_price_end):
            inside += s.v_end[i]
    total = sum(s.v_end[i] for i in lp)
    main = linear("in_range", [(BPS, inside), (-t, total)], enc.RATIO_BITS)
    measured = BPS * inside // total if total else None
    return Finding(main.holds, measured, (main,), note="undefined: the portfolio holds no LP value")


def _min_in_range_circuit(b: Builder, t: Value) -> None:
    c = b.c
    is_lp = [b.kind[j][enc.KIND_CODE["lp"]] for j in range(b.n)]
    lp = [c.mul(is_lp[j], b.v1[j]) for j in range(b.n)]
    with c.scope("inside"):  # a constant-product LP is always in range; a v3 slot when its flag says so
        inside = c.sum(c.mul(is_lp[j] - b.is_range[j] + b.in_range_end[j], b.v1[j]) for j in range(b.n))
    b.at_least("in_range", BPS * inside, c.mul(t, c.sum(lp)), enc.RATIO_BITS)


CLAUSES = ClauseTable("portfolio", (
    Clause("min_return_bps", "period return", "min", "%", enc.SHOCK_MIN_BPS, enc.BPS_MAX,
           _min_return, _min_return_circuit, offset=BPS, needs=frozenset({FLOWS})),
    Clause("min_apr_bps", "APR", "min", "%", -enc.BPS_MAX, enc.BPS_MAX,
           _min_apr, _min_apr_circuit, offset=enc.BPS_MAX, needs=frozenset({FLOWS})),
    Clause("min_real_yield_bps", "real yield (fee share of income)", "min", "%", 0, BPS,
           _min_real_yield, _min_real_yield_circuit, needs=frozenset({INCOMES})),
    Clause("max_position_bps", "largest single-asset share of gross value", "max", "%", 0, BPS,
           _max_position, _max_position_circuit, needs=frozenset({HELD})),
    Clause("max_leverage_bps", "leverage (debt over collateral)", "max", "%", 0, enc.BPS_MAX,
           _max_leverage, _max_leverage_circuit, needs=frozenset({COLLATERAL})),
    Clause("min_health_factor_bps", "health factor", "min", "x", 0, enc.BPS_MAX,
           _min_health_factor, _min_health_factor_circuit, needs=frozenset({COLLATERAL})),
    Clause("max_impermanent_loss_bps", "impermanent loss", "max", "%", 0, BPS, _max_il, _max_il_circuit,
           needs=frozenset({RANGE})),
    Clause("max_stress_loss_bps", "stress loss", "max", "%", 0, BPS, _max_stress, _max_stress_circuit),
    Clause("min_liquid_bps", "liquid share of gross value", "min", "%", 0, BPS, _min_liquid, _min_liquid_circuit),
    Clause("allowed_protocols_root", "protocols outside the allowed set", "max", "n", 0, 0,
           _allowed_protocols, _allowed_protocols_circuit, threshold=False,
           value=lambda policy: policy.allowed_protocols_root, message=_allowed_protocols_message),
    Clause("attested_by", "book attestations by the policy's key set", "min", "n", 0, 0,
           _attested, attested_book_circuit, threshold=False,
           value=lambda policy: _set_slot(policy.attested_by), message=_attested_message),
    Clause("prices_attested_by", "price attestations by the policy's key set", "min", "n", 0, 0,
           _attested, attested_prices_circuit, threshold=False,
           value=lambda policy: _set_slot(policy.prices_attested_by), message=_attested_message),
    Clause("max_net_delta_bps", "largest net delta of one asset (share of NAV)", "max", "%", 0, enc.BPS_MAX,
           max_net_delta, max_net_delta_circuit, needs=frozenset({NAV, RANGE})),  # reads range amounts
    Clause("max_protocol_bps", "largest single-protocol share of NAV", "max", "%", 0, enc.BPS_MAX,
           max_protocol, max_protocol_circuit, needs=frozenset({NAV})),
    Clause("max_chain_bps", "largest share of NAV on one chain other than home_chain", "max", "%", 0, enc.BPS_MAX,
           max_chain, max_chain_circuit, needs=frozenset({HELD, NAV})),
    Clause("max_bridged_bps", "bridged assets' share of NAV", "max", "%", 0, enc.BPS_MAX,
           max_bridged, max_bridged_circuit, needs=frozenset({HELD, NAV})),
    Clause("allowed_bridges_root", "bridges outside the allowed set", "max", "n", 0, 0,
           allowed_bridges, allowed_bridges_circuit, threshold=False,
           value=lambda policy: policy.allowed_bridges_root, message=allowed_bridges_message),
    Clause("min_in_range_bps", "share of LP value in range at the end price", "min", "%", 0, BPS,
           _min_in_range, _min_in_range_circuit, needs=frozenset({RANGE})),
    Clause("max_rate_model_deviation_bps", "lending income's deviation from the rate model", "max", "%", 0, BPS,
           max_rate_deviation, max_rate_deviation_circuit),
    # append new clauses here: the position is the mask bit and the policy slot
))
