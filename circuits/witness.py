"""The statement circuit's named inputs for a portfolio, market and policy (the prover's side).

Values come from the same integer encodings the evaluator checks (``binding``, ``publics``), so an
evaluation that holds yields a witness that satisfies the circuit.
"""

from __future__ import annotations

from zkyield.circuits import encoding as enc
from zkyield.circuits.binding import Bound, bind
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
        pos_base=[b for i in range(capacity.positions) for b in _one_hot(_base(bound, i), capacity.assets,
                                                                        int(_base(bound, i) is not None))],
        deposits=flow_totals(bound.deposits, bound, capacity),
        withdrawals=flow_totals(bound.withdrawals, bound, capacity),
        market_assets=[x for row in asset_slots(market, capacity) for x in row],
        market_price_decimals=market.price_decimals,
        market_has_deadline=int(market.liquidity_deadline is not None),
        market_deadline=market.liquidity_deadline or 0,
        market_scenarios=[x for row in scenario_slots(market, capacity) for x in row],
        policy=policy_values(policy)[2:-1],  # the domain tag and the mask are circuit constants
        policy_home_chain=policy.home_chain or 0,
    )
    for i, field in enumerate(PRIVATE_AMOUNTS, start=3):
        inputs[f"pos_{field}"] = [row[i] for row in slots]
    if policy.allowed_protocols_root is not None:
        inputs.update(_protocol_proofs(portfolio, policy, capacity))
    if policy.allowed_bridges_root is not None:
        inputs.update(_bridge_proofs(bound, market, policy, capacity))
    return inputs


def _base(bound: Bound, i: int) -> int | None:
    return bound.positions[i].base if i < len(bound.positions) else None


def _bridge_proofs(bound: Bound, market: Market, policy: Policy, capacity: enc.Capacity) -> dict[str, list[int]]:
    """Merkle paths of the bridge of every asset slot a position holds; all-zero paths elsewhere."""
    tree, depth = protocol_tree(policy.allowed_bridges, enc.BRIDGE_TREE_DEPTH), enc.BRIDGE_TREE_DEPTH
    held = {p.asset for p in bound.positions}
    siblings, path = [], []
    for a in range(capacity.assets):
        bridge = market.assets[a].bridge if a < len(market.assets) and a in held else None
        if bridge is None:
            sib, bits = [0] * depth, [0] * depth
        elif bridge not in policy.allowed_bridges:
            raise InputError(f"{market.source}: assets[{a}].bridge is not in {policy.source}'s allowed_bridges, "
                             "so no membership proof exists")
        else:
            sib, bits = tree.proof(policy.allowed_bridges.index(bridge))
        siblings += sib
        path += bits
    return {"bridge_siblings": siblings, "bridge_path": path}


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
