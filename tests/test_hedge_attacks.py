"""Forged witnesses against the perp, chain, bridge and protocol constraints (issue 18): each builds the
attack a malicious prover would run, bypassing the Python pre-check, and shows the named constraint
refuses it."""

from __future__ import annotations

import copy

import pytest

from tests.support.statements import example_docs, load, recommit, refused_label, statement_circuit
from zkyield.circuits import encoding as enc
from zkyield.circuits.evaluate import evaluate
from zkyield.circuits.publics import asset_slots, market_hash
from zkyield.circuits.statements import N_KINDS, PRIVATE_AMOUNTS
from zkyield.circuits.witness import statement_inputs
from zkyield.errors import InputError

BASIS = enc.Capacity(3, 2, 2)
CROSS = enc.Capacity(5, 5, 1)
SPOT, PERP = enc.KIND_CODE["spot"], enc.KIND_CODE["perp"]


def _delta_only() -> tuple:
    """The basis book under a policy of net delta alone, so that clause is the one that must refuse."""
    docs = copy.deepcopy(example_docs("basis"))
    return docs[0], docs[1], {"max_net_delta_bps": docs[2]["max_net_delta_bps"]}


def _set_kind(inputs: dict, slot: int, kind: int) -> None:
    inputs["pos_kind"][slot * N_KINDS:(slot + 1) * N_KINDS] = [int(k == kind) for k in range(N_KINDS)]


def test_honest_examples_satisfy_their_circuits() -> None:
    for name, cap in (("basis", BASIS), ("crosschain", CROSS)):
        circuit, inputs = statement_circuit(example_docs(name), cap)
        circuit.witness(inputs)
        assert recommit(dict(inputs), cap)["commitment"] == inputs["commitment"]


# -- hedges ---------------------------------------------------------------------------------------------


def test_a_missing_hedge_leg_fails_net_delta() -> None:
    """Drop the short perp from the committed book (slot 1 emptied, the lending leg moved up): 100 ETH
    unhedged. The prover recommits and skips the evaluator; the net-delta comparison refuses."""
    circuit, inputs = statement_circuit(_delta_only(), BASIS)
    m = BASIS.assets
    for key, width in (("pos_asset", m), ("pos_kind", N_KINDS), ("pos_base", m)):
        row = inputs[key]
        row[width:2 * width], row[2 * width:3 * width] = row[2 * width:3 * width], [0] * width
    for key in ("pos_active", *(f"pos_{f}" for f in PRIVATE_AMOUNTS)):
        inputs[key][1], inputs[key][2] = inputs[key][2], 0
    label = refused_label(circuit, recommit(inputs, BASIS))
    assert label.startswith("max_net_delta/asset[0]/assert_less_eq")  # WETH, asset slot 0: long exceeds short


def test_a_short_hidden_as_spot_is_refused() -> None:
    """Relabel the short perp as a spot USDC holding while keeping its size committed: a non-perp slot
    must carry size 0 (its field is exactly 2^112) and no base."""
    circuit, inputs = statement_circuit(_delta_only(), BASIS)
    _set_kind(inputs, 1, SPOT)
    assert refused_label(circuit, recommit(inputs, BASIS)) == "slots/slot[1]/base_one_hot"
    inputs["pos_base"][BASIS.assets:2 * BASIS.assets] = [0] * BASIS.assets  # drop the base too
    assert refused_label(circuit, recommit(inputs, BASIS)) == "slots/slot[1]/no_size"


def test_a_short_with_its_size_zeroed_fails_net_delta() -> None:
    """Keep the perp but commit size 0 (no short): the spot ETH is then unhedged."""
    circuit, inputs = statement_circuit(_delta_only(), BASIS)
    inputs["pos_size"][1] = enc.SIGNED_OFFSET
    assert refused_label(circuit, recommit(inputs, BASIS)).startswith("max_net_delta/asset[0]/assert_less_eq")


def test_a_short_flipped_long_fails_net_delta() -> None:
    """Flip the perp's sign (committed as 2^112 + 98 ETH): long 198 ETH. The loss of a long on a rally
    becomes a gain, so NAV grows, but the book is no longer hedged."""
    circuit, inputs = statement_circuit(_delta_only(), BASIS)
    inputs["pos_size"][1] = 2 * enc.SIGNED_OFFSET - inputs["pos_size"][1]
    assert refused_label(circuit, recommit(inputs, BASIS)).startswith("max_net_delta/asset[0]/assert_less_eq")


def test_signed_fields_cannot_wrap_or_hide_in_other_slots() -> None:
    circuit, inputs = statement_circuit(example_docs("basis"), BASIS)
    forged = copy.deepcopy(inputs)
    forged["pos_size"][1] = 1 << enc.SIGNED_BITS  # beyond the 113-bit offset field
    assert refused_label(circuit, recommit(forged, BASIS)).startswith("perp[1]/to_bits")
    forged = copy.deepcopy(inputs)
    forged["pos_entry"][0] = 100  # an entry price on the spot slot
    assert refused_label(circuit, recommit(forged, BASIS)) == "slots/slot[0]/no_entry"
    forged = copy.deepcopy(inputs)
    forged["pos_funding"][2] += 5  # funding on the lending slot
    assert refused_label(circuit, recommit(forged, BASIS)) == "slots/slot[2]/no_funding"
    forged = copy.deepcopy(inputs)
    forged["pos_fee"][1] = 17_640 * 10**18  # the perp's funding declared as fee revenue
    assert refused_label(circuit, recommit(forged, BASIS)) == "slots/slot[1]/derivative_fee"


# -- chains and bridges -----------------------------------------------------------------------------------


def test_a_position_moved_to_another_chain_is_refused() -> None:
    """Commit the Arbitrum ARB holding (slot 3) as being on the home chain."""
    circuit, inputs = statement_circuit(example_docs("crosschain"), CROSS)
    assert inputs["pos_chain"][3] == 42161
    inputs["pos_chain"][3] = 1
    assert refused_label(circuit, recommit(inputs, CROSS)) == "slots/slot[3]/chain"


def test_a_book_past_the_chain_limit_is_refused_in_circuit() -> None:
    docs = copy.deepcopy(example_docs("crosschain"))
    docs[2]["max_chain_bps"] = 1900  # Arbitrum holds 19.73%
    assert not evaluate(*load(docs)).holds
    circuit, inputs = statement_circuit(docs, CROSS)
    assert refused_label(circuit, inputs).startswith("max_chain/asset[2]")  # ARB's slot, the first on Arbitrum


def test_an_unlisted_bridge_is_refused() -> None:
    """The market says USDC.e came through 'evil-bridge', outside the policy's tree. The honest witness
    builder refuses; the forger takes the allowed 'arbitrum-bridge' path with the real market's data."""
    docs = copy.deepcopy(example_docs("crosschain"))
    circuit, inputs = statement_circuit(docs, CROSS)
    docs[1]["assets"][3]["bridge"] = "evil-bridge"
    portfolio, market, policy = load(docs)
    with pytest.raises(InputError, match=r"assets\[3\]\.bridge is not in .*allowed_bridges"):
        statement_inputs(portfolio, market, policy, CROSS)
    forged = dict(inputs)
    forged["market_assets"] = [x for row in asset_slots(market, CROSS) for x in row]
    forged["market_hash"] = market_hash(market, CROSS)
    assert refused_label(circuit, forged) == "allowed_bridges_root/asset[3]/root"


def test_a_bridged_asset_cannot_be_declared_native() -> None:
    """Clearing the market row's bridged flag in the witness breaks the market hash."""
    circuit, inputs = statement_circuit(example_docs("crosschain"), CROSS)
    from zkyield.circuits.publics import ASSET_FIELDS
    inputs["market_assets"][3 * len(ASSET_FIELDS) + ASSET_FIELDS.index("bridged")] = 0
    assert refused_label(circuit, inputs) == "public_data/market_hash"


# -- protocols --------------------------------------------------------------------------------------------


def test_a_protocol_split_across_slots_is_summed() -> None:
    """self-custody holds WETH (slot 0, 45.1%) and ARB (slot 3, 4.0%): each slot alone is under 46%,
    together 49.13%. The circuit groups slots by protocol id itself, so the split does not hide it."""
    docs = copy.deepcopy(example_docs("crosschain"))
    docs[2]["max_protocol_bps"] = 4600
    assert not evaluate(*load(docs)).holds
    circuit, inputs = statement_circuit(docs, CROSS)
    assert refused_label(circuit, inputs).startswith("max_protocol/slot[0]/")


def test_a_protocol_split_across_two_names_needs_a_name_outside_the_tree() -> None:
    """Rename the ARB slot's protocol so the groups part: the new id is not an allowed leaf."""
    docs = copy.deepcopy(example_docs("crosschain"))
    docs[2]["max_protocol_bps"] = 4600
    circuit, inputs = statement_circuit(docs, CROSS)
    inputs["pos_protocol"][3] = enc.protocol_id("self-custody-2")
    assert refused_label(circuit, recommit(inputs, CROSS)) == "allowed_protocols_root/protocol[3]/root"
