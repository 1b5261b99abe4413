"""Forged witnesses against the portfolio statement circuit (issue 13, items 10-14): each builds the
attack a malicious prover would run and shows the named constraint (or the evaluator) refuses it."""

from __future__ import annotations

import copy
import json

import pytest
from hypothesis import given, settings

from tests.support.statements import (
    USD,
    asset,
    documents,
    example_docs,
    load,
    portfolios,
    position,
    recommit,
    refused_label,
    statement_circuit,
)
from zkyield.circuits import encoding as enc
from zkyield.circuits.binding import bind
from zkyield.circuits.evaluate import evaluate, require_holds
from zkyield.circuits.models import protocol_tree
from zkyield.circuits.publics import commitment_values, domain_tag
from zkyield.circuits.statements import N_KINDS
from zkyield.errors import FormatError, InputError, StatementFalse
from zkyield.merkle import verify_proof

DEMO_CAP = enc.Capacity(positions=8, assets=8, scenarios=1)
DAO_CAP = enc.Capacity(positions=8, assets=8, scenarios=2)
BORROW, LP, LENDING = (enc.KIND_CODE[k] for k in ("borrow", "lp", "lending"))


def _set_kind(inputs: dict, slot: int, kind: int) -> None:
    inputs["pos_kind"][slot * N_KINDS:(slot + 1) * N_KINDS] = [int(k == kind) for k in range(N_KINDS)]


# -- item 10: protocol id 0 through an empty whitelist leaf --------------------------------------------


def test_protocol_zero_cannot_open_an_empty_whitelist_slot() -> None:
    docs = example_docs("dao-treasury")
    _, _, policy = load(docs)
    circuit, inputs = statement_circuit(docs, DAO_CAP)
    tree = protocol_tree(policy.allowed_protocols)
    empty = len(policy.allowed_protocols)  # the first unused leaf: its value is 0
    siblings, bits = tree.proof(empty)
    assert verify_proof(tree.root, 0, siblings, bits, enc.PROTOCOL_TREE_DEPTH)  # the opening itself is valid
    depth = enc.PROTOCOL_TREE_DEPTH
    inputs["pos_protocol"][0] = 0
    inputs["protocol_siblings"][:depth], inputs["protocol_path"][:depth] = siblings, bits
    assert refused_label(circuit, recommit(inputs, DAO_CAP)) == "slots/slot[0]/protocol_nonzero"


# -- item 11: one commitment read as two books through the market's asset order ------------------------


def test_a_reordered_market_cannot_reread_the_commitment() -> None:
    """Market B lists the demo's assets in another order (same period, both loader-valid). The forged
    witness keeps the committed slots (the selectors) and swaps in market B: slot 1 (60,000 USDC) would
    read 60,000 WETH. The slot now commits the asset id, which the selected row of B does not carry."""
    docs = example_docs("demo")
    circuit, inputs = statement_circuit(docs, DEMO_CAP)
    reordered = copy.deepcopy(docs)
    assets = reordered[1]["assets"]
    assets[0], assets[2] = assets[2], assets[0]  # USDC first, WETH third
    _, other = statement_circuit(reordered, DEMO_CAP)
    forged = dict(inputs)
    for key in ("market_assets", "market_hash"):  # market B's hashed data, the book's committed selectors
        forged[key] = other[key]
    assert forged["commitment"] == inputs["commitment"]
    assert refused_label(circuit, forged) == "public_data/commitment"
    assert other["commitment"] != inputs["commitment"]  # an honest book under B commits differently
    circuit.witness(other)  # and proves under B on its own


# -- item 12: capacities with equal vector lengths ----------------------------------------------------


def _layout1_values(portfolio, bound, capacity: enc.Capacity) -> list[int]:
    """The commitment vector of layout 1 (no tag; asset index; flows without ids), as it was shipped."""
    slots = []
    for p in bound.positions:
        s = bound.scales[p.asset]
        slots += [1, p.asset, p.kind, p.protocol, p.start_amount * s, p.end_amount * s, p.fee_income * s,
                  p.emission_income * s, p.unlock_time]
    slots += [0] * 9 * (capacity.positions - len(bound.positions))
    pad = [0] * (capacity.assets - len(bound.scales))
    flows = [[u * s for u, s in zip(f, bound.scales, strict=True)] + pad for f in (bound.deposits, bound.withdrawals)]
    return [portfolio.owner, portfolio.period.start, portfolio.period.end, *slots, *flows[0], *flows[1]]


def test_capacities_of_equal_length_no_longer_alias() -> None:
    """Layout 1 bound only the length 3 + 9N + 2M: book X at (N, M) = (3, 9) with one position and a
    deposit and book Y at (1, 18) with the same position and that amount as a *withdrawal* had the same
    vector, so one commitment. Layout 2 heads every vector with (version, N, M, S)."""
    usd = [asset(f"T{i}", 6, USD, USD) for i in range(9)]
    x = documents([position("T0", "lending", "100", "100")], usd, {"max_leverage_bps": 1},
                  deposits=[{"asset": "T0", "amount": "7"}])
    y_assets = usd + [asset(f"U{i}", 6, USD, USD) for i in range(9)]
    y = documents([position("T0", "lending", "100", "100")], y_assets, {"max_leverage_bps": 1},
                  withdrawals=[{"asset": "T0", "amount": "7"}])
    cap_x, cap_y = enc.Capacity(3, 9, 1), enc.Capacity(1, 18, 1)
    (px, mx, _), (py, my, _) = load(x), load(y)
    bx, by = bind(px, mx, cap_x), bind(py, my, cap_y)
    assert _layout1_values(px, bx, cap_x) == _layout1_values(py, by, cap_y)  # the alias, as it was
    new_x, new_y = commitment_values(px, bx, cap_x), commitment_values(py, by, cap_y)
    assert new_x[0] == domain_tag("commitment", cap_x) != new_y[0] == domain_tag("commitment", cap_y)
    # and in circuit: Y's circuit hashes its own tag, so X's commitment cannot be opened there
    circuit_y, inputs_y = statement_circuit(y, cap_y)
    _, inputs_x = statement_circuit(x, cap_x)
    assert refused_label(circuit_y, {**inputs_y, "commitment": inputs_x["commitment"]}) == "public_data/commitment"


def test_every_hash_is_domain_separated() -> None:
    tags = {domain_tag(d, c) for d in ("commitment", "market") for c in (DEMO_CAP, DAO_CAP, enc.Capacity(5, 17, 1))}
    tags.add(domain_tag("policy"))
    assert len(tags) == 7 and all(t < 1 << 128 for t in tags)


# -- item 13: rules the loader enforced but the circuit did not ---------------------------------------


def test_a_borrow_cannot_carry_fee_income() -> None:
    """Fees on the WETH debt would raise the real-yield share; the loader refuses them, now so does the circuit."""
    docs = example_docs("dao-treasury")
    circuit, inputs = statement_circuit(docs, DAO_CAP)
    slot = next(j for j in range(DAO_CAP.positions) if inputs["pos_kind"][j * N_KINDS + BORROW])
    inputs["pos_fee"][slot] = 10**21
    assert refused_label(circuit, recommit(inputs, DAO_CAP)) == f"slots/slot[{slot}]/borrow_fee"
    bad = copy.deepcopy(docs)
    next(p for p in bad[0]["positions"] if p["kind"] == "borrow")["fee_income"] = "1000"
    with pytest.raises(InputError, match="must be 0 for a borrow position"):
        load(bad)


def test_an_lp_token_cannot_pass_as_lending_collateral_without_the_il_clause() -> None:
    """Demo policy without IL: relabelling the LP token (slot 3) as lending would make it collateral."""
    docs = copy.deepcopy(example_docs("demo"))
    del docs[2]["max_impermanent_loss_bps"]
    circuit, inputs = statement_circuit(docs, DEMO_CAP)
    _set_kind(inputs, 3, LENDING)
    assert refused_label(circuit, recommit(inputs, DEMO_CAP)) == "slots/slot[3]/lp_iff_pool"
    _set_kind(inputs, 3, LP)
    _set_kind(inputs, 1, LP)  # and the USDC lending slot cannot claim to be an LP token
    assert refused_label(circuit, recommit(inputs, DEMO_CAP)) == "slots/slot[1]/lp_iff_pool"


def test_an_empty_book_is_refused() -> None:
    """With no slot active, leverage 0 <= t holds; a portfolio needs a position (loader), now also the circuit."""
    docs = (*copy.deepcopy(example_docs("demo"))[:2], {"max_leverage_bps": 5000})
    circuit, inputs = statement_circuit(docs, DEMO_CAP)
    for key in ("pos_active", "pos_asset", "pos_kind", "deposits", "withdrawals",
                *(f"pos_{f}" for f in ("protocol", "start", "end", "fee", "emission", "unlock"))):
        inputs[key] = [0] * len(inputs[key])
    assert refused_label(circuit, recommit(inputs, DEMO_CAP)) == "slots/nonempty"


def test_stress_needs_a_scenario_in_the_hashed_market() -> None:
    """A market without scenarios made the stress clause vacuous (every slot unshocked)."""
    docs = copy.deepcopy(example_docs("dao-treasury"))
    docs[1]["stress_scenarios"] = []
    with pytest.raises(InputError, match="stress_scenarios is empty"):
        evaluate(*load(docs))
    circuit, inputs = statement_circuit(docs, DAO_CAP)  # the witness builder does not evaluate: a forging prover
    assert refused_label(circuit, inputs) == "max_stress_loss/has_scenario"


def test_liquidity_needs_a_deadline_in_the_hashed_market() -> None:
    """Without a deadline the circuit compared unlock times with 0: only never-locked positions counted."""
    docs = copy.deepcopy(example_docs("dao-treasury"))
    del docs[1]["liquidity_deadline"]
    with pytest.raises(InputError, match="liquidity_deadline is missing"):
        evaluate(*load(docs))
    circuit, inputs = statement_circuit(docs, DAO_CAP)
    assert refused_label(circuit, inputs) == "min_liquid/has_deadline"


# -- item 14: concentration per asset, not per slot ---------------------------------------------------


def _split_weth() -> tuple:
    assets = [asset("WETH", 18, 2000 * USD, 2000 * USD), asset("USDC", 6), asset("DAI", 18)]
    positions = [position("WETH", "lending", "1", "1"), position("WETH", "lending", "1", "1", protocol="spark"),
                 position("WETH", "spot", "1", "1", protocol="safe"), position("USDC", "spot", "2000", "2000"),
                 position("DAI", "spot", "2000", "2000")]
    return documents(positions, assets, {"max_position_bps": 3400})


def test_split_concentration_is_aggregated_per_asset() -> None:
    docs = _split_weth()
    with pytest.raises(StatementFalse, match=r"largest single-asset share of gross value 60\.00% > 34\.00% in WETH"):
        require_holds(*load(docs))
    bound = bind(*load(docs)[:2])
    values = [bound.value(p.asset, p.end_amount, True) for p in bound.positions]
    assert all(10_000 * v <= 3400 * sum(values) for v in values)  # per slot (layout 1's rule) it passed
    cap = enc.Capacity(8, 4, 1)
    circuit, inputs = statement_circuit(docs, cap)
    assert refused_label(circuit, inputs).startswith("max_position/asset[0]/")
    docs[2]["max_position_bps"] = 6000  # exactly the aggregate: holds and proves
    circuit, inputs = statement_circuit(docs, cap)
    require_holds(*load(docs), cap)
    circuit.witness(inputs)


# -- more of the same kind ---------------------------------------------------------------------------


def test_the_owner_is_an_address_in_circuit() -> None:
    """A public owner of 2^160 + A would be displayed or truncated as address A by a careless reader."""
    circuit, inputs = statement_circuit(example_docs("demo"), DEMO_CAP)
    inputs["owner"] += 1 << 160
    assert refused_label(circuit, recommit(inputs, DEMO_CAP)).startswith("public_data/owner")


def test_the_market_hash_pins_each_pools_asset_pair() -> None:
    docs = copy.deepcopy(example_docs("demo"))
    _, before = statement_circuit(docs, DEMO_CAP)
    docs[1]["assets"][3]["pool"]["assets"] = ["stETH", "USDC"]  # same ratios, another pair
    docs[0]["positions"][3]["pool"] = ["stETH", "USDC"]
    _, after = statement_circuit(docs, DEMO_CAP)
    assert before["market_hash"] != after["market_hash"]


# -- old build folders --------------------------------------------------------------------------------


def test_a_layout_1_build_folder_is_refused_with_a_rebuild_message(tmp_path) -> None:
    from zkyield.api import compile_statement
    from zkyield.build_folder import load_statement, save_statement

    _, _, policy = load(documents([position("USDC", "spot", "1", "1")], [asset("USDC")], {"max_leverage_bps": 1}))
    save_statement(compile_statement(policy, 2, 2, 1), tmp_path)
    load_statement(tmp_path)
    doc = json.loads((tmp_path / "statement.json").read_text())
    del doc["layout"]  # what a build folder of layout 1 holds
    (tmp_path / "statement.json").write_text(json.dumps(doc))
    with pytest.raises(FormatError, match=r"made for portfolio layout 1, but this zkyield reads layout 4 .*rebuild"):
        load_statement(tmp_path)


def test_a_layout_1_attestation_is_refused_with_a_rebuild_message() -> None:
    import dataclasses

    from zkyield import api

    portfolio, market, policy = load(documents([position("USDC", "lending", "1", "1")], [asset("USDC")],
                                               {"max_leverage_bps": 1}))
    keys = api.setup(api.compile_statement(policy, 2, 2, 1))
    attestation = api.prove(portfolio, market, policy, keys)
    assert api.verify(attestation, keys.verification_key, policy, market)
    old = {k: v for k, v in attestation.statement.items() if k != "layout"}
    with pytest.raises(FormatError, match=r"attestation.json: statement: made for portfolio layout 1.*rebuild"):
        api.verify(dataclasses.replace(attestation, statement=old), keys.verification_key, policy, market)


@settings(max_examples=12, deadline=None)
@given(portfolios())
def test_circuit_concentration_agrees_with_the_evaluator_on_random_books(docs: tuple) -> None:
    """Random books (several slots per asset, debts included): at the measured per-asset share the
    circuit is satisfied, one bps stricter it is not, exactly as the evaluator decides."""
    check = next(c for c in evaluate(*load(docs)).checks if c.key == "max_position_bps")
    cap = enc.Capacity(6, 4, 1)
    for threshold, holds in ((check.measured_bps, True), (check.measured_bps - 1, False)):
        if not 0 <= threshold <= enc.BPS:
            continue
        nudged = (docs[0], docs[1], {"max_position_bps": threshold})
        assert evaluate(*load(nudged)).holds is holds
        circuit, inputs = statement_circuit(nudged, cap)
        if holds:
            circuit.witness(inputs)
        else:
            assert refused_label(circuit, inputs).startswith("max_position/asset[")
