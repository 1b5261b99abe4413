"""The exposure clauses in circuit agree with the evaluator on random books with perps (either sign,
PnL either way), debts, LP tokens, several chains and bridged assets: at the measured value the
honest witness satisfies the circuit, one bps stricter it does not."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support.statements import USD, asset, documents, load, position
from zkyield.circuits import encoding as enc
from zkyield.circuits.evaluate import CLAUSES, evaluate
from zkyield.circuits.models import protocol_tree
from zkyield.circuits.publics import policy_clauses
from zkyield.circuits.statements import Shape, build
from zkyield.circuits.witness import statement_inputs
from zkyield.errors import ConstraintError

CAP = enc.Capacity(6, 5, 1)
PROTOCOLS = ["aave-v3", "gmx", "lido"]
BRIDGES = ["arbitrum-bridge", "base-bridge"]
KEYS = ("max_net_delta_bps", "max_protocol_bps", "max_chain_bps", "max_bridged_bps", "max_stress_loss_bps",
        "min_return_bps")


@st.composite
def books(draw: st.DrawFn) -> tuple:
    """Assets: USDC (cash, home), T0..T2 on chains 1 / 42161 / 8453 (maybe bridged), an LP of T0/USDC."""
    chains = [1, draw(st.sampled_from([1, 42161])), draw(st.sampled_from([42161, 8453]))]
    bridges = [None, draw(st.sampled_from([None, *BRIDGES])), draw(st.sampled_from([None, *BRIDGES]))]
    prices = [(draw(st.integers(10 * USD, 5000 * USD)), draw(st.integers(10 * USD, 5000 * USD))) for _ in range(3)]
    assets = [asset("USDC", 6, cash=True)]
    for i in range(3):
        extra = {"chain": chains[i], **({"bridge": bridges[i]} if bridges[i] else {})}
        assets.append(asset(f"T{i}", 18, *prices[i], **extra))
    ratio = (prices[0][0], prices[0][1])
    lp_price = (draw(st.integers(USD, 100 * USD)), draw(st.integers(USD, 100 * USD)))
    assets.append(asset("LP", 18, *lp_price, pool={"assets": ["T0", "USDC"], "price_ratio_start": ratio[0],
                                                   "price_ratio_end": ratio[1]}))

    def amount(hi: int = 1000) -> str:
        return enc.format_base_units(draw(st.integers(0, hi * 10**6)), 6)

    positions = []
    for _ in range(draw(st.integers(1, CAP.positions))):
        kind = draw(st.sampled_from(["spot", "lending", "borrow", "perp", "perp", "lp"]))
        protocol = draw(st.sampled_from(PROTOCOLS))
        if kind == "perp":
            sign = draw(st.sampled_from(["", "-"]))
            positions.append(position("USDC", "perp", amount(10**6), amount(10**6), protocol=protocol,
                                      base=f"T{draw(st.integers(0, 2))}", size=sign + amount(),
                                      entry_price=draw(st.integers(10 * USD, 5000 * USD)),
                                      funding=draw(st.sampled_from(["", "-"])) + amount()))
        elif kind == "lp":
            positions.append(position("LP", "lp", amount(), amount(), protocol=protocol, pool=["T0", "USDC"]))
        else:
            symbol = draw(st.sampled_from(["USDC", "T0", "T1", "T2"]))
            positions.append(position(symbol, kind, amount(), amount(), protocol=protocol))
    shocks = {f"T{i}": draw(st.integers(-5000, 5000)) for i in range(3)}
    policy = {"home_chain": 1, "allowed_protocols": PROTOCOLS,
              "allowed_protocols_root": str(protocol_tree(PROTOCOLS).root), "allowed_bridges": BRIDGES,
              "allowed_bridges_root": str(protocol_tree(BRIDGES).root)}
    return documents(positions, assets, policy, stress_scenarios=[{"name": "s", "shocks_bps": shocks}])


def _refused(circuit, inputs: dict) -> str:
    with pytest.raises(ConstraintError) as info:
        circuit.witness(inputs)
    return info.value.label


@settings(max_examples=10, deadline=None)
@given(books(), st.sampled_from(KEYS))
def test_circuit_agrees_with_the_evaluator_at_the_flip_point(docs: tuple, key: str) -> None:
    portfolio, market, base = docs
    probe = {**base, key: CLAUSES[key].high}
    check = next(c for c in evaluate(*load((portfolio, market, probe))).checks if c.key == key)
    if check.measured_bps is None:  # undefined (NAV or capital not positive): refused at any threshold
        return
    past = check.measured_bps + (1 if CLAUSES[key].is_min else -1)
    for threshold, holds in ((check.measured_bps, True), (past, False)):
        if not CLAUSES[key].low <= threshold <= CLAUSES[key].high:
            continue
        nudged = (portfolio, market, {**base, key: threshold})
        p, m, q = load(nudged)
        evaluation = evaluate(p, m, q)
        assert evaluation.holds is holds, (key, threshold)
        circuit = build(Shape(policy_clauses(q), CAP))
        inputs = statement_inputs(p, m, q, CAP)
        if holds:
            circuit.witness(inputs)
        else:
            assert _refused(circuit, inputs).startswith(key.removesuffix("_bps")), key
