"""Range positions and rate models in statements: evaluator against exact fractions, circuit against the
evaluator at each clause's flip point, and malicious witnesses built to cheat on either."""

from __future__ import annotations

import copy
from fractions import Fraction
from math import ceil

import pytest

from tests.support.statements import example_docs, load, recommit
from zkyield.circuits import encoding as enc
from zkyield.circuits import range_math as rm
from zkyield.circuits.evaluate import CLAUSES, evaluate
from zkyield.circuits.lp_range import RANGE_FIELDS
from zkyield.circuits.publics import policy_clauses
from zkyield.circuits.statements import Shape, build
from zkyield.circuits.witness import statement_inputs
from zkyield.errors import ConstraintError, InputError, StatementFalse
from zkyield.families import PORTFOLIO_FAMILY

RANGE_CAP = enc.Capacity(3, 3, 1, 2)  # the example's two ranges lead its positions
RATES_CAP = enc.Capacity(3, 2, 1)


def _circuit_inputs(docs: tuple, cap: enc.Capacity) -> tuple:
    portfolio, market, policy = load(docs)
    return build(Shape(policy_clauses(policy), cap)), statement_inputs(portfolio, market, policy, cap)


def _refused(docs: tuple, cap: enc.Capacity, edit) -> str:
    """The label of the constraint that refuses the honest witness after ``edit`` (commitment recomputed)."""
    circuit, inputs = _circuit_inputs(docs, cap)
    edit(inputs)
    with pytest.raises(ConstraintError) as info:
        circuit.witness(recommit(inputs, cap))
    return info.value.label


def _check(docs: tuple, key: str):
    return next(c for c in evaluate(*load(docs)).checks if c.key == key)


# -- the evaluator against independent arithmetic ----------------------------------------------------------

def _token_values(docs: tuple, amounts: list[str], at: str) -> Fraction:
    """USD value of a pair of token amounts (pool order USDC, WETH) at the market's ``at`` prices."""
    assets = {a["symbol"]: a for a in docs[1]["assets"]}
    return sum(Fraction(x) * Fraction(assets[s][f"price_{at}"], 10**8) for x, s in zip(amounts, ("USDC", "WETH"),
                                                                                          strict=True))


def test_range_il_and_in_range_share_match_exact_fractions() -> None:
    docs = example_docs("range")
    ranges = [p["range"] for p in docs[0]["positions"] if "range" in p]
    losses = [1 - _token_values(docs, r["amounts_end"], "end") / _token_values(docs, r["amounts_start"], "end")
              for r in ranges]
    assert _check(docs, "max_impermanent_loss_bps").measured_bps == ceil(max(losses) * 10000)
    end_price = int(docs[1]["assets"][2]["pool"]["sqrt_price_x96_end"])
    inside = [rm.sqrt_ratio_at_tick(r["tick_lower"]) <= end_price < rm.sqrt_ratio_at_tick(r["tick_upper"])
              for r in ranges]
    assert inside == [True, False]  # the example's second range was left behind
    values = [_token_values(docs, r["amounts_end"], "end") for r in ranges]
    share = values[0] / sum(values)
    assert _check(docs, "min_in_range_bps").measured_bps == int(share * 10000)


# the rate clause against exact fractions (with the example's mid-period supply): tests/test_futures_principal.py


@pytest.mark.parametrize(("name", "key"), [("range", "max_impermanent_loss_bps"), ("range", "min_in_range_bps"),
                                           ("rates", "max_rate_model_deviation_bps")])
def test_circuit_agrees_with_the_evaluator_at_the_flip_point(name: str, key: str) -> None:
    cap = RANGE_CAP if name == "range" else RATES_CAP
    docs = copy.deepcopy(example_docs(name))
    measured = _check(docs, key).measured_bps
    docs[2][key] = measured
    circuit, inputs = _circuit_inputs(docs, cap)
    circuit.witness(inputs)
    past = measured + (1 if CLAUSES[key].sense == "min" else -1)
    docs[2][key] = past
    with pytest.raises(StatementFalse, match=rf"^statement is false: .*\({key}={past}\)$"):
        evaluate(*load(docs)).require_holds()
    circuit, inputs = _circuit_inputs(docs, cap)
    with pytest.raises(ConstraintError) as info:
        circuit.witness(inputs)
    assert info.value.label.startswith(key.removesuffix("_bps"))


# -- malicious witnesses ------------------------------------------------------------------------------------

def test_a_range_claimed_in_range_when_it_is_not_is_refused() -> None:
    """Position 1 left its range; widening its committed upper bound to take in the end price (so the
    in-range flag would read 1) while keeping its amounts breaks Uniswap's amounts at that price."""
    docs = copy.deepcopy(example_docs("range"))
    docs[2]["min_in_range_bps"] = 9000  # true share 83%: only a false in-range claim could meet it
    with pytest.raises(StatementFalse, match="share of LP value in range"):
        evaluate(*load(docs)).require_holds()
    circuit, inputs = _circuit_inputs(docs, RANGE_CAP)
    with pytest.raises(ConstraintError) as info:
        circuit.witness(inputs)
    assert info.value.label.startswith("min_in_range/in_range")

    def widen(inputs: dict) -> None:
        inputs["pos_sqrt_upper"][1] = rm.sqrt_ratio_at_tick(docs[0]["positions"][1]["range"]["tick_upper"] + 2000)
    assert _refused(docs, RANGE_CAP, widen).startswith("range/range[1]/")


@pytest.mark.parametrize("field", ["amount0_end", "amount1_end", "amount1_start", "amount0_start"])
def test_amounts_inconsistent_with_liquidity_and_price_are_refused(field: str) -> None:
    docs = example_docs("range")
    moment = field.rsplit("_", 1)[1]

    def nudge(inputs: dict) -> None:
        inputs[f"pos_{field}"][0] += 1
    assert _refused(docs, RANGE_CAP, nudge).startswith(f"range/range[0]/{moment}/amount{field[6]}")


def test_a_larger_liquidity_behind_the_same_amounts_is_refused() -> None:
    def inflate(inputs: dict) -> None:
        inputs["pos_liquidity"][0] *= 2
    assert _refused(example_docs("range"), RANGE_CAP, inflate).startswith("range/range[0]/")


def test_range_fields_on_a_spot_slot_are_refused() -> None:
    def smuggle(inputs: dict) -> None:  # slot 2 is the USDC reserve: extra WETH there would add value
        inputs["pos_amount1_end"][2] = 10**18
    assert "values/range_value[2]/only_range_amount1_end" in _refused(example_docs("range"), RANGE_CAP, smuggle)


# -- range slots (Capacity.ranges): only the leading slots may hold a v3 range position -----------------

ONE_RANGE_SLOT = enc.Capacity(3, 3, 1, 1)  # the example's positions 0 and 1 are ranges: 1 is past the slots


def test_a_range_position_past_the_range_slots_is_refused_before_proving() -> None:
    portfolio, market, policy = load(example_docs("range"))
    message = (r"^portfolio\.json: positions\[1\] is a Uniswap v3 range position but the circuit has 1 "
               r"range slot\(s\); list range positions first, or compile with --range-slots K$")
    with pytest.raises(InputError, match=message):
        statement_inputs(portfolio, market, policy, ONE_RANGE_SLOT)
    with pytest.raises(InputError, match=message):
        evaluate(portfolio, market, policy, ONE_RANGE_SLOT)
    assert statement_inputs(portfolio, market, policy, enc.Capacity(3, 3, 1, 2))  # both ranges in range slots


def test_range_slots_must_fit_the_positions() -> None:
    for bad in (-1, 4, True, "2"):
        with pytest.raises(InputError, match=r"^capacity\.ranges \(range slots\): expected an integer in 0\.\.3"):
            enc.Capacity(3, 3, 1, bad)
    assert enc.Capacity(3, 3, 1).ranges == 3 and enc.DEFAULT_CAPACITY.ranges == 0


@pytest.mark.parametrize("keep_fields", [True, False])
def test_a_v3_pool_in_a_slot_past_the_range_slots_is_refused_by_the_circuit(keep_fields: bool) -> None:
    """A malicious prover skips the binder's check: the honest witness of a circuit with a range slot for
    every position, fed to the one-range-slot circuit (same commitment and market hash: ``ranges`` is in
    neither). Slot 1 then holds the v3 pool there, with its range fields or with them zeroed (and the
    commitment recomputed) so only the pool selection is left to catch."""
    docs = example_docs("range")
    portfolio, market, policy = load(docs)
    inputs = statement_inputs(portfolio, market, policy, enc.Capacity(3, 3, 1, 3))
    assert recommit(copy.deepcopy(inputs), ONE_RANGE_SLOT)["commitment"] == inputs["commitment"]
    if not keep_fields:
        for name in RANGE_FIELDS:
            inputs[f"pos_{name}"][1] = 0
        inputs = recommit(inputs, ONE_RANGE_SLOT)
    circuit = build(Shape(policy_clauses(policy), ONE_RANGE_SLOT))
    with pytest.raises(ConstraintError) as info:
        circuit.witness(inputs)
    assert info.value.label.startswith("values/range_value[1]/no_range_slot")
    build(Shape(policy_clauses(policy), enc.Capacity(3, 3, 1, 2))).witness(
        statement_inputs(portfolio, market, policy, enc.Capacity(3, 3, 1, 2)))  # the honest one passes


def test_range_fields_on_a_spot_slot_inside_the_range_slots_are_refused() -> None:
    def smuggle(inputs: dict) -> None:  # every slot a range slot: slot 2 (USDC) is zeroed by is_range = 0
        inputs["pos_amount1_end"][2] = 10**18
    assert "values/range_value[2]/only_range_amount1_end" in _refused(example_docs("range"),
                                                                       enc.Capacity(3, 3, 1, 3), smuggle)


def test_evaluator_refuses_amounts_that_are_not_uniswaps() -> None:
    docs = copy.deepcopy(example_docs("range"))
    docs[0]["positions"][0]["range"]["amounts_end"][1] = "62"
    with pytest.raises(InputError, match=r"positions\[0\]\.range\.amounts_end are not the token amounts"):
        evaluate(*load(docs))


def test_income_above_the_rate_model_is_refused() -> None:
    docs = copy.deepcopy(example_docs("rates"))
    docs[2]["max_rate_model_deviation_bps"] = 300  # the supply earned 3.15% above the model's top rate
    with pytest.raises(StatementFalse, match=r"deviation from the rate model 3\.15% > 3\.00% at positions\[0\]"):
        evaluate(*load(docs)).require_holds()
    circuit, inputs = _circuit_inputs(docs, RATES_CAP)
    with pytest.raises(ConstraintError) as info:
        circuit.witness(inputs)
    assert info.value.label.startswith("max_rate_model_deviation/rate[0]/upper")

    def shrink(inputs: dict) -> None:  # claim a smaller end balance: then the book's value changes, so
        inputs["pos_end"][0] -= 10**18  # it proves a different (weaker) book, still bound by the model
    circuit, inputs = _circuit_inputs(example_docs("rates"), RATES_CAP)
    shrink(inputs)
    circuit.witness(recommit(inputs, RATES_CAP))  # 1 USDC less income is within the 10% band


def test_a_lending_slot_without_its_markets_model_is_refused() -> None:
    def move(inputs: dict) -> None:
        inputs["pos_protocol"][0] = enc.protocol_id("compound-v3")
    assert _refused(example_docs("rates"), RATES_CAP, move).startswith("max_rate_model_deviation/rate[0]/has_model")
    docs = copy.deepcopy(example_docs("rates"))
    docs[0]["positions"][0]["protocol"] = "compound-v3"
    with pytest.raises(InputError, match=r"assets\[0\]\.rate_model is missing or names another protocol"):
        evaluate(*load(docs))


def test_statement_json_records_the_range_slots_and_reads_an_old_one_as_every_slot() -> None:
    """``capacity.ranges`` is written; a description from before range slots (no such field) is read as
    every slot a range slot, which rebuilds exactly the circuit such a folder holds."""
    policy = load(example_docs("range"))[2]
    doc = PORTFOLIO_FAMILY.compile(policy, RANGE_CAP).describe()
    assert doc["capacity"] == {"positions": 3, "assets": 3, "scenarios": 1, "ranges": 2}
    old = {**doc, "capacity": {"positions": 3, "assets": 3, "scenarios": 1}}
    rebuilt = PORTFOLIO_FAMILY.rebuild(old)
    assert rebuilt.capacity == enc.Capacity(3, 3, 1, 3) and rebuilt.size["ranges"] == 3
    assert rebuilt.circuit_id == PORTFOLIO_FAMILY.compile(policy, enc.Capacity(3, 3, 1, 3)).circuit_id
    assert rebuilt.circuit_id != doc["circuit_id"]
