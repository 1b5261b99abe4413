"""Net delta of Uniswap v3 range positions (issue 18): a range counts its own end token amounts, not the
constant-product half split. Evaluator against exact fractions from the raw JSON, circuit against the
evaluator at the flip point, and a witness that claims the half split for a range slot."""

from __future__ import annotations

import copy
from fractions import Fraction
from math import ceil

import pytest

from tests.support.statements import example_docs, load, recommit
from zkyield.circuits import encoding as enc
from zkyield.circuits.evaluate import evaluate
from zkyield.circuits.publics import policy_clauses
from zkyield.circuits.statements import Shape, build
from zkyield.circuits.witness import statement_inputs
from zkyield.errors import ConstraintError, StatementFalse

KEY = "max_net_delta_bps"
RANGE_CAP = enc.Capacity(3, 3, 1, 2)  # the example's two ranges lead its positions
ONE_RANGE_CAP = enc.Capacity(1, 3, 1, 1)


def _docs(*, usdc_cash: bool = False, only: int | None = None, t: int = enc.BPS_MAX) -> tuple[dict, dict, dict]:
    """The range example under a net-delta policy; ``only`` keeps one position, ``usdc_cash`` flags USDC."""
    portfolio, market, _ = copy.deepcopy(example_docs("range"))
    if only is not None:
        portfolio["positions"] = [portfolio["positions"][only]]
    if usdc_cash:
        market["assets"][0]["cash"] = True
    return portfolio, market, {KEY: t}


def _exact(docs: tuple[dict, dict, dict]) -> tuple[Fraction, dict[str, Fraction]]:
    """NAV and USD exposure per non-cash, non-pool asset, straight from the JSON: a spot position's amount,
    a range position's two end amounts (pool order), each at its token's end price."""
    portfolio, market, _ = docs
    assets = {a["symbol"]: a for a in market["assets"]}
    exposure: dict[str, Fraction] = {s: Fraction(0) for s, a in assets.items() if "pool" not in a}
    for p in portfolio["positions"]:
        pool = assets[p["asset"]].get("pool")
        held = zip(pool["assets"], p["range"]["amounts_end"], strict=True) if pool else [(p["asset"], p["end_amount"])]
        for symbol, amount in held:
            exposure[symbol] += Fraction(amount) * Fraction(assets[symbol]["price_end"], 10 ** market["price_decimals"])
    nav = sum(exposure.values())
    return nav, {s: x for s, x in exposure.items() if not assets[s].get("cash")}


def _check(docs: tuple):
    return next(c for c in evaluate(*load(docs)).checks if c.key == KEY)


def _circuit_inputs(docs: tuple, cap: enc.Capacity) -> tuple:
    portfolio, market, policy = load(docs)
    return build(Shape(policy_clauses(policy), cap)), statement_inputs(portfolio, market, policy, cap)


@pytest.mark.parametrize("usdc_cash", [False, True])
def test_net_delta_counts_a_range_by_its_end_amounts(usdc_cash: bool) -> None:
    docs = _docs(usdc_cash=usdc_cash)
    nav, exposure = _exact(docs)
    worst = max(exposure, key=lambda s: exposure[s])
    check = _check(docs)
    assert check.measured_bps == ceil(exposure[worst] * 10000 / nav)
    assert check.where == f"in {worst}"
    assert worst == ("WETH" if usdc_cash else "USDC")


def test_a_range_left_below_its_ticks_has_no_token0_exposure() -> None:
    """Position 1 ends all WETH (token1): its net delta is the whole NAV in WETH and none in USDC, where the
    constant-product split would have put half in each."""
    docs = _docs(only=1)
    assert docs[0]["positions"][0]["range"]["amounts_end"][0] == "0"
    nav, exposure = _exact(docs)
    assert exposure["USDC"] == 0 and exposure["WETH"] == nav
    check = _check(docs)
    assert (check.measured_bps, check.where) == (10000, "in WETH")


@pytest.mark.parametrize(("docs", "cap"), [(_docs(), RANGE_CAP), (_docs(usdc_cash=True), RANGE_CAP),
                                           (_docs(only=1), ONE_RANGE_CAP), (_docs(only=0), ONE_RANGE_CAP)])
def test_circuit_agrees_with_the_evaluator_at_the_flip_point(docs: tuple, cap: enc.Capacity) -> None:
    measured = _check(docs).measured_bps
    at = (docs[0], docs[1], {KEY: measured})
    circuit, inputs = _circuit_inputs(at, cap)
    circuit.witness(inputs)
    past = (docs[0], docs[1], {KEY: measured - 1})
    with pytest.raises(StatementFalse, match=rf"^statement is false: .*\({KEY}={measured - 1}\)$"):
        evaluate(*load(past)).require_holds()
    circuit, inputs = _circuit_inputs(past, cap)
    with pytest.raises(ConstraintError) as info:
        circuit.witness(inputs)
    assert info.value.label.startswith("max_net_delta")


def test_a_witness_claiming_the_half_split_for_a_range_slot_is_refused() -> None:
    """With USDC cash only WETH counts. Re-committing range slot 1 (all WETH at the end) as half USDC, half
    WETH by value would pass a threshold the true book fails; its amounts are then not Uniswap's."""
    base = _docs(usdc_cash=True)
    nav, exposure = _exact(base)
    portfolio, market, _ = base
    amount1 = Fraction(portfolio["positions"][1]["range"]["amounts_end"][1])
    weth = Fraction(market["assets"][1]["price_end"], 10 ** market["price_decimals"])
    t = ceil((exposure["WETH"] - amount1 * weth / 2) * 10000 / nav)  # the half split's share
    assert t < _check(base).measured_bps
    docs = (portfolio, market, {KEY: t})
    with pytest.raises(StatementFalse, match=rf"^statement is false: .*\({KEY}={t}\)$"):
        evaluate(*load(docs)).require_holds()
    circuit, inputs = _circuit_inputs(docs, RANGE_CAP)
    with pytest.raises(ConstraintError) as info:
        circuit.witness(inputs)
    assert info.value.label.startswith("max_net_delta")

    assert recommit(dict(inputs), RANGE_CAP)["commitment"] == inputs["commitment"]
    wei = inputs["pos_amount1_end"][1]
    assert inputs["pos_amount0_end"][1] == 0 and wei == int(amount1 * 10**18)
    inputs["pos_amount1_end"][1] = wei // 2
    inputs["pos_amount0_end"][1] = (wei - wei // 2) * market["assets"][1]["price_end"] // 10**8 // 10**12
    with pytest.raises(ConstraintError) as info:
        circuit.witness(recommit(inputs, RANGE_CAP))
    assert info.value.label.startswith("range/range[1]/end/amount")
