"""Evaluator: examples hold, each clause flips exactly at its threshold, and a float reference agrees."""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.support.statements import USD, asset, documents, example_docs, load, portfolios, position
from zkyield.circuits import encoding as enc
from zkyield.circuits.evaluate import CLAUSES, evaluate, il_inequality, impermanent_loss_bps_ceil, require_holds
from zkyield.circuits.models import protocol_tree, threshold_ranges
from zkyield.errors import InputError, StatementFalse

EXAMPLES = ["demo", "dao-treasury", "fund", "basis", "carry", "crosschain", "attested", "range", "rates"]


def _stating(key: str) -> str:
    """The example whose policy states ``key`` (dao-treasury first: it states the first ten)."""
    return next(n for n in ("dao-treasury", "basis", "crosschain", "range", "rates") if key in example_docs(n)[2])


@pytest.mark.parametrize("name", EXAMPLES)
def test_examples_hold(name: str) -> None:
    evaluation = require_holds(*load(example_docs(name)))
    assert evaluation.holds and not evaluation.failures and evaluation.checks
    for check in evaluation.checks:
        assert all(q.holds for q in check.inequalities)
        assert all(q.bits <= enc.COMPARE_MAX_BITS for q in check.inequalities)


def test_the_examples_state_every_clause() -> None:
    evaluation = evaluate(*load(example_docs("dao-treasury")))
    assert [c.key for c in evaluation.checks] == list(CLAUSES.keys)[:10]  # every clause of layout 2
    stated = {c.key for name in EXAMPLES for c in evaluate(*load(example_docs(name))).checks}
    assert stated == set(CLAUSES.keys)


def _nudged(check_key: str, threshold: int) -> tuple:
    docs = copy.deepcopy(example_docs(_stating(check_key)))
    docs[2][check_key] = threshold
    return load(docs)


@pytest.mark.parametrize("key", [c.key for c in CLAUSES.thresholds])
def test_threshold_one_bps_past_the_measurement_is_refused(key: str) -> None:
    measured = next(c for c in evaluate(*load(example_docs(_stating(key)))).checks if c.key == key).measured_bps
    sense = CLAUSES[key].sense
    assert evaluate(*_nudged(key, measured)).holds
    past = measured + 1 if sense == "min" else measured - 1
    evaluation = evaluate(*_nudged(key, past))
    assert [c.key for c in evaluation.failures] == [key]
    with pytest.raises(StatementFalse, match=rf"^statement is false: .* {'<' if sense == 'min' else '>'} .*"
                                             rf"\({key}={past}\)$") as info:
        evaluation.require_holds()
    assert info.value.exit_code == 1


def test_protocol_outside_the_allowed_tree_is_refused() -> None:
    docs = copy.deepcopy(example_docs("dao-treasury"))
    docs[2]["allowed_protocols"].remove("safe")
    docs[2]["allowed_protocols_root"] = str(protocol_tree(docs[2]["allowed_protocols"]).root)
    with pytest.raises(StatementFalse, match=r"the protocol at positions\[6\] is not in the allowed set"):
        require_holds(*load(docs))


# --- minimal data nudges: one base unit across each boundary ------------------------------------------

USDC, DAI = asset("USDC", 6, liquidation_threshold_bps=8000), asset("DAI", 6)


def _case(positions: list[dict], policy: dict, assets: list[dict] | None = None, **extra: object) -> bool:
    return evaluate(*load(documents(positions, assets or [USDC, DAI], policy, **extra))).holds


BOUNDARIES = [  # (policy, positions exactly at the threshold, the same one base unit past it)
    ({"min_return_bps": 500}, [position("USDC", "lending", "10000", "10500")],
     [position("USDC", "lending", "10000", "10499.999999")]),
    ({"min_apr_bps": 500}, [position("USDC", "lending", "10000", "10500")],  # the period is 365 days
     [position("USDC", "lending", "10000", "10499.999999")]),
    ({"min_return_bps": -500}, [position("USDC", "spot", "10000", "9500")],
     [position("USDC", "spot", "10000", "9499.999999")]),
    ({"min_real_yield_bps": 6000}, [position("USDC", "lending", "1", "1", fee_income="60", emission_income="40")],
     [position("USDC", "lending", "1", "1", fee_income="59.999999", emission_income="40")]),
    ({"max_position_bps": 5000}, [position("USDC", "spot", "1", "100"), position("DAI", "spot", "1", "100")],
     [position("USDC", "spot", "1", "100.000001"), position("DAI", "spot", "1", "100")]),
    ({"max_leverage_bps": 5000}, [position("USDC", "lending", "1", "10000"), position("DAI", "borrow", "1", "5000")],
     [position("USDC", "lending", "1", "10000"), position("DAI", "borrow", "1", "5000.000001")]),
    ({"min_health_factor_bps": 16000},
     [position("USDC", "lending", "1", "10000"), position("DAI", "borrow", "1", "5000")],
     [position("USDC", "lending", "1", "10000"), position("DAI", "borrow", "1", "5000.000001")]),
]


@pytest.mark.parametrize(("policy", "at", "past"), BOUNDARIES, ids=[next(iter(b[0])) for b in BOUNDARIES])
def test_one_base_unit_across_the_threshold_flips_the_decision(policy: dict, at: list, past: list) -> None:
    assert _case(at, policy)
    assert not _case(past, policy)


def test_return_message_names_measurement_and_threshold() -> None:
    docs = documents([position("USDC", "lending", "10000", "10493.2")], [USDC], {"min_return_bps": 500})
    with pytest.raises(StatementFalse) as info:
        require_holds(*load(docs))
    assert str(info.value) == "statement is false: period return 4.93% < 5.00% (min_return_bps=500)"


def test_stress_and_liquidity_boundaries() -> None:
    shock = {"stress_scenarios": [{"name": "depeg", "shocks_bps": {"USDC": -5000}}]}
    half = [position("USDC", "spot", "1", "10000"), position("DAI", "spot", "1", "10000")]
    assert _case(half, {"max_stress_loss_bps": 2500}, **shock)  # loss exactly 25%
    assert not _case([half[0], position("DAI", "spot", "1", "9999.999999")], {"max_stress_loss_bps": 2500}, **shock)
    deadline = {"liquidity_deadline": "2024-02-01T00:00:00Z"}
    locked = position("DAI", "spot", "1", "4000", unlock_time="2024-02-01T00:00:01Z")
    assert _case([position("USDC", "spot", "1", "6000"), locked], {"min_liquid_bps": 6000}, **deadline)
    assert not _case([position("USDC", "spot", "1", "5999.999999"), locked], {"min_liquid_bps": 6000}, **deadline)
    at_deadline = dict(locked, unlock_time="2024-02-01T00:00:00Z")  # unlocking at the deadline counts
    assert _case([position("USDC", "spot", "1", "0"), at_deadline], {"min_liquid_bps": 10000}, **deadline)


def test_impermanent_loss_boundary_at_k_equal_4() -> None:
    # k = 4: 2 sqrt(4) / 5 = 0.8, an impermanent loss of exactly 20%
    lp = asset("LP", 18, pool={"assets": ["USDC", "DAI"], "price_ratio_start": USD, "price_ratio_end": 4 * USD})
    holding = [position("LP", "lp", "1", "1", protocol="uniswap-v2", pool=["DAI", "USDC"])]
    assert _case(holding, {"max_impermanent_loss_bps": 2000}, [USDC, DAI, lp])
    lp["pool"]["price_ratio_end"] += 1
    assert not _case(holding, {"max_impermanent_loss_bps": 2000}, [USDC, DAI, lp])


def test_undefined_measurements_fail_or_hold_as_documented() -> None:
    with pytest.raises(StatementFalse, match="period return is undefined: net start value plus deposits"):
        require_holds(*load(documents([position("USDC", "spot", "0", "5")], [USDC], {"min_return_bps": 0})))
    with pytest.raises(StatementFalse, match="real yield .* is undefined: the portfolio has no fee or emission"):
        require_holds(*load(documents([position("USDC", "spot", "1", "1")], [USDC], {"min_real_yield_bps": 0})))
    assert _case([position("USDC", "lending", "1", "1")], {"min_health_factor_bps": 100000})  # no debt


def test_policy_needs_the_market_data_it_reads() -> None:
    for policy, extra, message in (
            ({"min_liquid_bps": 1}, {}, "liquidity_deadline is missing"),
            ({"max_stress_loss_bps": 1}, {}, "stress_scenarios is empty"),
            ({"min_health_factor_bps": 1}, {}, r"assets\[1\].liquidation_threshold_bps is missing")):
        with pytest.raises(InputError, match=message):
            _case([position("DAI", "lending", "1", "1")], policy, **extra)


def test_widest_inputs_fit_every_declared_width() -> None:
    top = enc.format_base_units((1 << enc.NORM_AMOUNT_BITS) - 1, 18)
    price = (1 << enc.PRICE_BITS) - 1
    big = asset("BIG", 18, price, price, liquidation_threshold_bps=10000,
                pool=None)
    del big["pool"]
    lp = asset("LP", 18, price, price, pool={"assets": ["BIG", "USDC"], "price_ratio_start": 1,
                                             "price_ratio_end": price})
    positions = [position("BIG", "lending", top, top, fee_income=top, emission_income=top)] * 40 + \
        [position("BIG", "borrow", top, top)] * 20 + [position("LP", "lp", top, top, pool=["BIG", "USDC"])] * 4
    policy = {"min_return_bps": -10000, "min_apr_bps": -enc.BPS_MAX, "min_real_yield_bps": 0,
              "max_position_bps": 10000, "max_leverage_bps": enc.BPS_MAX, "min_health_factor_bps": enc.BPS_MAX,
              "max_impermanent_loss_bps": 10000, "max_stress_loss_bps": 10000, "min_liquid_bps": 0}
    flows = [{"asset": "BIG", "amount": top}]
    docs = documents(positions, [big, USDC, lp], policy, flows, flows, liquidity_deadline="2024-01-01T00:00:00Z",
                     stress_scenarios=[{"name": "up", "shocks_bps": {"BIG": enc.SHOCK_MAX_BPS, "LP": -10000}}])
    evaluation = evaluate(*load(docs))  # Inequality raises if an operand passed its declared width
    assert len(evaluation.checks) == 9
    with pytest.raises(InputError, match=r"deposits \(total of BIG\) is too large"):
        evaluate(*load(documents(positions[:1], [big, USDC], policy, flows * 2)))


# --- a float reference: same formulas in numpy float64, within the documented 1 bps rounding -----------

def _float_reference(docs: tuple) -> dict[str, tuple[float, float]]:
    """Each clause's value in bps and a float error bound, from the documents' decimal strings."""
    portfolio, market, _ = docs
    price = {a["symbol"]: (a["price_start"] / 1e8, a["price_end"] / 1e8) for a in market["assets"]}
    lt = {a["symbol"]: a["liquidation_threshold_bps"] / 1e4 for a in market["assets"]}
    shock = market["stress_scenarios"][0]["shocks_bps"]
    pos = portfolio["positions"]
    sign = np.array([-1.0 if p["kind"] == "borrow" else 1.0 for p in pos])
    v0 = np.array([float(p["start_amount"]) * price[p["asset"]][0] for p in pos])
    v1 = np.array([float(p["end_amount"]) * price[p["asset"]][1] for p in pos])
    dep = sum(float(f["amount"]) * price[f["asset"]][0] for f in portfolio["deposits"])
    wd = sum(float(f["amount"]) * price[f["asset"]][1] for f in portfolio["withdrawals"])
    fee = sum(float(p.get("fee_income", "0")) * price[p["asset"]][1] for p in pos)
    em = sum(float(p["emission_income"]) * price[p["asset"]][1] for p in pos)
    gross_end, debt_end = float(v1[sign > 0].sum()), float(v1[sign < 0].sum())
    lending = np.array([p["kind"] == "lending" for p in pos])
    liquid = np.array([p["unlock_time"] < "2024-01-02" for p in pos]) & (sign > 0)
    shocked = float((sign * v1 * np.array([1 + shock[p["asset"]] / 1e4 for p in pos])).sum())
    start, final, net = float((sign * v0).sum()) + dep, float((sign * v1).sum()) + wd, gross_end - debt_end
    scale = float(v0.sum() + v1.sum()) + dep + wd + fee + em + 1e-300
    eps = 1e-9  # relative float error allowance, far above float64's ~1e-16 per operation
    out = {}

    def put(key: str, num: float, den: float) -> None:
        if den > eps * scale:
            out[key] = (1e4 * num / den, 1e4 * eps * scale / den * (1 + abs(num) / den))
    put("min_return_bps", final - start, start)
    put("min_apr_bps", (final - start) * 365 * 86400, start * 365 * 86400)
    put("min_real_yield_bps", fee, fee + em)
    per_asset: dict[str, float] = {}
    for i, p in enumerate(pos):
        if sign[i] > 0:
            per_asset[p["asset"]] = per_asset.get(p["asset"], 0.0) + float(v1[i])
    put("max_position_bps", max(per_asset.values(), default=0.0), gross_end)
    put("max_leverage_bps", debt_end, float(v1[lending].sum()))
    put("min_health_factor_bps", float(sum(v1[i] * lt[p["asset"]] for i, p in enumerate(pos) if lending[i])),
        debt_end)
    put("max_stress_loss_bps", net - shocked, net)
    put("min_liquid_bps", float(v1[liquid].sum()), gross_end)
    return out


@given(portfolios())
def test_measurements_match_a_float_reference_rounded_against_the_prover(docs: tuple) -> None:
    evaluation = evaluate(*load(docs))
    reference = _float_reference(docs)
    for check in evaluation.checks:
        if check.key not in reference or check.measured_bps is None:
            continue
        value, err = reference[check.key]
        if CLAUSES[check.key].sense == "min":  # floor: at most 1 bps below the true value, never above
            assert value - 1 - err <= check.measured_bps <= value + err, check.key
        else:  # ceil: at most 1 bps above, never below
            assert value - err <= check.measured_bps <= value + 1 + err, check.key


@given(st.integers(1, (1 << 64) - 1), st.integers(1, (1 << 64) - 1))
def test_impermanent_loss_matches_the_closed_form(n: int, d: int) -> None:
    k = n / d
    reference = (1 - 2 * math.sqrt(k) / (1 + k)) * 1e4
    measured = impermanent_loss_bps_ceil(n, d)
    assert reference - 1e-6 <= measured <= reference + 1 + 1e-6
    assert il_inequality("il", n, d, measured).holds
    assert measured == 0 or not il_inequality("il", n, d, measured - 1).holds
    assert impermanent_loss_bps_ceil(d, n) == measured  # IL(k) = IL(1/k)


@given(portfolios())
def test_decision_flips_exactly_at_the_measured_value(docs: tuple) -> None:
    """The exact inequalities and the rounded measurement agree on random portfolios (debts included)."""
    for check in evaluate(*load(docs)).checks:
        if check.measured_bps is None or not all(q.holds for q in check.inequalities if "positive" in q.label):
            continue
        low, high = threshold_ranges()[check.key]
        past = check.measured_bps + (1 if CLAUSES[check.key].sense == "min" else -1)
        for threshold, holds in ((check.measured_bps, True), (past, False)):
            if low <= threshold <= high:
                nudged = (docs[0], docs[1], {check.key: threshold})
                assert evaluate(*load(nudged)).holds is holds, (check.key, threshold)
