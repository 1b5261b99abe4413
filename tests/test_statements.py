"""Statement circuits: honest witnesses satisfy them, false statements and tampered private inputs do not."""

from __future__ import annotations

import copy

import pytest

from tests.support.statements import example_docs, load, recommit
from zkyield.circuits import encoding as enc
from zkyield.circuits.evaluate import CLAUSES, evaluate
from zkyield.circuits.publics import ASSET_FIELDS, PUBLIC_SIGNALS, policy_clauses, public_signals
from zkyield.circuits.statements import N_KINDS, Shape, build
from zkyield.circuits.witness import statement_inputs
from zkyield.errors import ConstraintError

DEMO_CAPACITY = enc.Capacity(positions=8, assets=8, scenarios=1)
DAO_CAPACITY = enc.Capacity(positions=8, assets=8, scenarios=2)


def _circuit_and_inputs(docs: tuple, capacity: enc.Capacity) -> tuple:
    portfolio, market, policy = load(docs)
    return build(Shape(policy_clauses(policy), capacity)), statement_inputs(portfolio, market, policy, capacity)


def test_demo_public_signals_are_the_architecture_six() -> None:
    portfolio, market, policy = load(example_docs("demo"))
    circuit, inputs = _circuit_and_inputs(example_docs("demo"), DEMO_CAPACITY)
    witness = circuit.witness(inputs)
    expected = public_signals(portfolio, market, policy, DEMO_CAPACITY)  # zkyield.poseidon, outside the circuit
    assert circuit.public_signals(witness) == expected
    assert circuit.r1cs.n_pub_in == len(PUBLIC_SIGNALS) and circuit.r1cs.n_pub_out == 0
    assert expected[1] == portfolio.owner and expected[4:] == [portfolio.period.start, portfolio.period.end]


def test_dao_example_satisfies_its_ten_clause_circuit() -> None:
    circuit, inputs = _circuit_and_inputs(example_docs("dao-treasury"), DAO_CAPACITY)
    circuit.witness(inputs)  # runs R1CS.check


@pytest.mark.slow
def test_fund_example_satisfies_its_circuit() -> None:
    circuit, inputs = _circuit_and_inputs(example_docs("fund"), enc.Capacity(positions=32, assets=16, scenarios=3))
    circuit.witness(inputs)


# the example stating each threshold clause, at a capacity that fits it
STATING = [("dao-treasury", DAO_CAPACITY), ("basis", enc.Capacity(3, 2, 2)), ("crosschain", enc.Capacity(5, 5, 1)),
           ("range", enc.Capacity(3, 3, 1)), ("rates", enc.Capacity(3, 2, 1))]


def _stating(key: str) -> tuple[str, enc.Capacity]:
    return next((name, cap) for name, cap in STATING if key in example_docs(name)[2])


@pytest.mark.parametrize("key", [c.key for c in CLAUSES.thresholds])
def test_a_false_clause_has_no_satisfying_witness(key: str) -> None:
    """Bypass the evaluator: the honest witness of a statement one bps too strict violates the clause."""
    name, capacity = _stating(key)
    docs = copy.deepcopy(example_docs(name))
    check = next(c for c in evaluate(*load(docs)).checks if c.key == key)
    docs[2][key] = check.measured_bps + (1 if CLAUSES[key].sense == "min" else -1)
    assert not evaluate(*load(docs)).holds
    circuit, inputs = _circuit_and_inputs(docs, capacity)
    with pytest.raises(ConstraintError) as info:
        circuit.witness(inputs)
    assert info.value.label.startswith(key.removesuffix("_bps"))


def test_recommit_reproduces_the_honest_commitment() -> None:
    for name, cap in (("demo", DEMO_CAPACITY), ("dao-treasury", DAO_CAPACITY)):
        _, inputs = _circuit_and_inputs(example_docs(name), cap)
        assert recommit(dict(inputs), cap)["commitment"] == inputs["commitment"]


def _tamper_demo(edit) -> str:
    circuit, inputs = _circuit_and_inputs(example_docs("demo"), DEMO_CAPACITY)
    edit(inputs)
    with pytest.raises(ConstraintError) as info:
        circuit.witness(recommit(inputs, DEMO_CAPACITY))
    return info.value.label


def _set_item(name: str, index: int, value: int):
    def edit(inputs: dict) -> None:
        inputs[name][index] = value
    return edit


M = DEMO_CAPACITY.assets
TAMPERING = [  # (edit of the honest private inputs, label of the constraint that must catch it)
    (_set_item("pos_start", 6, 1), "slots/slot[6]/unused_start"),
    (_set_item("pos_protocol", 7, 5), "slots/slot[7]/unused_protocol"),
    (_set_item("pos_asset", 0 * M + 0, 1), "slots/slot[0]/one_hot"),  # a second selected asset (slot 0: stETH)
    (_set_item("pos_asset", 0 * M + 1, 2), "slots/slot[0]/bit"),
    (_set_item("pos_kind", N_KINDS + 0, 1), "slots/slot[1]/one_hot"),
    (lambda i: (i["pos_active"].__setitem__(4, 1), i["pos_asset"].__setitem__(4 * M + 6, 1),
                i["pos_kind"].__setitem__(4 * N_KINDS, 1)), "slots/slot[4]/listed"),  # an asset slot the market lacks
    (lambda i: (i["pos_active"].__setitem__(6, 1), i["pos_asset"].__setitem__(6 * M, 1),
                i["pos_kind"].__setitem__(6 * N_KINDS, 1)), "slots/slot[6]/prefix"),  # a gap before slot 6
    (_set_item("deposits", 6, 1), "slots/flow_listed[6]"),
    (_set_item("pos_end", 0, 1 << enc.NORM_AMOUNT_BITS), "range[0]"),
    (_set_item("market_assets", 1 * len(ASSET_FIELDS) + 4, 10**12), "public_data/market_hash"),  # stETH end price
    (_set_item("policy", 0, 0), "public_data/policy_hash"),  # min_return_bps lowered to -10000
    (_set_item("market_scenarios", 0, 1), "public_data/market_hash"),  # a scenario slot the market lacks
    (lambda i: i.__setitem__("salt", i["salt"] + 1), "public_data/commitment"),  # commitment not recomputed
]


@pytest.mark.parametrize(("edit", "label"), TAMPERING, ids=[t[1] for t in TAMPERING])
def test_tampered_private_inputs_are_rejected(edit, label: str) -> None:
    if label == "public_data/commitment":
        circuit, inputs = _circuit_and_inputs(example_docs("demo"), DEMO_CAPACITY)
        edit(inputs)
        with pytest.raises(ConstraintError) as info:
            circuit.witness(inputs)
        assert info.value.label.startswith(label)
        return
    assert _tamper_demo(edit).startswith(label)


def test_lp_kind_must_match_a_pool_asset_in_circuit() -> None:
    # demo slot 3 is the LP position: relabel it as spot (one-hot kind stays valid)
    def edit(inputs: dict) -> None:
        inputs["pos_kind"][3 * N_KINDS + 1], inputs["pos_kind"][3 * N_KINDS + 0] = 0, 1
    assert _tamper_demo(edit).startswith("slots/slot[3]/lp_iff_pool")


def test_protocol_outside_the_tree_fails_the_membership_check() -> None:
    circuit, inputs = _circuit_and_inputs(example_docs("dao-treasury"), DAO_CAPACITY)
    inputs["pos_protocol"][0] = enc.protocol_id("evil-finance")
    with pytest.raises(ConstraintError) as info:
        circuit.witness(recommit(inputs, DAO_CAPACITY))
    assert info.value.label.startswith("allowed_protocols_root/protocol[0]")


def test_shape_is_bound_by_the_policy_hash() -> None:
    """A policy with one clause fewer hashes differently, so its proof cannot pass for the fuller policy."""
    docs = copy.deepcopy(example_docs("demo"))
    full = public_signals(*load(docs), DEMO_CAPACITY)
    del docs[2]["max_leverage_bps"]
    assert public_signals(*load(docs), DEMO_CAPACITY)[2] != full[2]
    assert public_signals(*load(docs), DEMO_CAPACITY)[3] == full[3]


def test_demo_proves_and_verifies_end_to_end() -> None:
    from zkyield.groth16.keygen import setup
    from zkyield.groth16.prover import prove
    from zkyield.groth16.verifier import verify

    circuit, inputs = _circuit_and_inputs(example_docs("demo"), DEMO_CAPACITY)
    witness = circuit.witness(inputs)
    pk, vk = setup(circuit.r1cs)
    proof = prove(pk, circuit.r1cs, witness)
    public = circuit.public_signals(witness)
    assert verify(vk, public, proof)
    for i in range(len(PUBLIC_SIGNALS)):  # another owner, policy, market, period or commitment: refused
        assert not verify(vk, [*public[:i], public[i] + 1, *public[i + 1:]], proof)
