"""The statement circuit's named inputs for a portfolio, market and policy (the prover's side).

Values come from the same integer encodings the evaluator checks (``binding``, ``publics``), so an
evaluation that holds yields a witness that satisfies the circuit.
"""

from __future__ import annotations

from zkyield.circuits import encoding as enc
from zkyield.circuits.binding import bind
from zkyield.circuits.models import Market, Policy, Portfolio, protocol_tree
from zkyield.circuits.publics import (
    PUBLIC_SIGNALS,
    asset_slots,
    flow_totals,
    policy_values,
    position_slots,
    public_signals,
    scenario_slots,
)
from zkyield.circuits.statements import N_KINDS, PRIVATE_AMOUNTS
from zkyield.errors import InputError


def _one_hot(index: int, size: int, active: int) -> list[int]:
    return [int(active and i == index) for i in range(size)]


def statement_inputs(portfolio: Portfolio, market: Market, policy: Policy,
                     capacity: enc.Capacity) -> dict[str, int | list[int]]:
    """Every input of ``statements.build(Shape(policy clauses, capacity))``, public ones included."""
    bound = bind(portfolio, market, capacity)
    slots = position_slots(bound, capacity)
    inputs: dict[str, int | list[int]] = dict(zip(PUBLIC_SIGNALS, public_signals(portfolio, market, policy,
                                                                                 capacity), strict=True))
    inputs.update(
        salt=portfolio.salt,
        pos_active=[row[0] for row in slots],
        pos_asset=[b for i in range(capacity.positions)
                   for b in _one_hot(bound.positions[i].asset if i < len(bound.positions) else 0, capacity.assets,
                                     slots[i][0])],
        pos_kind=[b for row in slots for b in _one_hot(row[2], N_KINDS, row[0])],
        deposits=flow_totals(bound.deposits, bound, capacity),
        withdrawals=flow_totals(bound.withdrawals, bound, capacity),
        market_assets=[x for row in asset_slots(market, capacity) for x in row],
        market_price_decimals=market.price_decimals,
        market_has_deadline=int(market.liquidity_deadline is not None),
        market_deadline=market.liquidity_deadline or 0,
        market_scenarios=[x for row in scenario_slots(market, capacity) for x in row],
        policy=policy_values(policy)[2:],  # the domain tag and the mask are circuit constants
    )
    for i, field in enumerate(PRIVATE_AMOUNTS, start=3):
        inputs[f"pos_{field}"] = [row[i] for row in slots]
    if policy.allowed_protocols_root is not None:
        inputs.update(_protocol_proofs(portfolio, policy, capacity))
    return inputs


def _protocol_proofs(portfolio: Portfolio, policy: Policy, capacity: enc.Capacity) -> dict[str, list[int]]:
    """Merkle paths of every position's protocol; unused slots get an all-zero path (not checked)."""
    tree, depth = protocol_tree(policy.allowed_protocols), enc.PROTOCOL_TREE_DEPTH
    siblings, path = [], []
    for i in range(capacity.positions):
        if i < len(portfolio.positions):
            name = portfolio.positions[i].protocol
            if name not in policy.allowed_protocols:
                raise InputError(f"{portfolio.source}: positions[{i}].protocol is not in {policy.source}'s "
                                 "allowed_protocols, so no membership proof exists")
            sib, bits = tree.proof(policy.allowed_protocols.index(name))
        else:
            sib, bits = [0] * depth, [0] * depth
        siblings += sib
        path += bits
    return {"protocol_siblings": siblings, "protocol_path": path}
