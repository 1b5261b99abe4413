"""The field-element vectors a statement hashes, and its six public signals.

The circuit recomputes the same three hashes from its private inputs, so these layouts are the
contract between prover, circuit and verifier (docs/statements.md, "Public inputs"):

- commitment = ``commit([owner, period_start, period_end, *slots, *deposits, *withdrawals], salt)``,
  a slot per position capacity N: ``[active, asset, kind, protocol, start, end, fee, emission, unlock]``
  with amounts normalised to 18 decimals; unused slots are all zero;
- market_hash = ``poseidon_many([period_start, period_end, price_decimals, deadline, *asset_slots,
  *scenario_factors])``, an asset slot per capacity M (``ASSET_FIELDS``), then for each of the S
  scenario slots one factor ``10000 + shock`` per asset slot (10000 where nothing is shocked);
- policy_hash = ``poseidon_many([mask, *encoded thresholds, root])`` (``policy_values``).
"""

from __future__ import annotations

from zkyield.circuits import encoding as enc
from zkyield.circuits.binding import Bound, bind
from zkyield.circuits.evaluate import CHECKS
from zkyield.circuits.models import Market, Policy, Portfolio
from zkyield.poseidon import commit, poseidon_many

POSITION_FIELDS = ("active", "asset", "kind", "protocol", "start", "end", "fee", "emission", "unlock")
ASSET_FIELDS = ("listed", "symbol", "decimals", "price_start", "price_end", "lt", "is_pool", "ratio_start",
                "ratio_end")
MARKET_HEADER = ("period_start", "period_end", "price_decimals", "deadline")
# Signed thresholds are hashed with an offset so every hashed value is a small non-negative integer.
OFFSETS = {"min_return_bps": enc.BPS, "min_apr_bps": enc.BPS_MAX}
PUBLIC_SIGNALS = ("commitment", "owner", "policy_hash", "market_hash", "period_start", "period_end")


def clause_mask(keys: set[str] | frozenset[str]) -> int:
    """Bit i set when the i-th clause of ``CHECKS`` is stated; hashed so a policy binds its own shape."""
    return sum(1 << i for i, key in enumerate(CHECKS) if key in keys)


def policy_clauses(policy: Policy) -> frozenset[str]:
    keys = set(policy.thresholds)
    if policy.allowed_protocols_root is not None:
        keys.add("allowed_protocols_root")
    return frozenset(keys)


def policy_values(policy: Policy) -> list[int]:
    """``[mask, threshold + offset for each threshold clause (0 when absent), protocol root (or 0)]``."""
    values = [clause_mask(policy_clauses(policy))]
    for key in CHECKS:
        if key != "allowed_protocols_root":
            t = policy.get(key)
            values.append(0 if t is None else t + OFFSETS.get(key, 0))
    values.append(policy.allowed_protocols_root or 0)
    return values


def asset_slots(market: Market, capacity: enc.Capacity) -> list[list[int]]:
    """One row of ``ASSET_FIELDS`` per asset slot; slots past the market's assets are zero."""
    rows = []
    for a in market.assets:
        pool = a.pool
        rows.append([1, enc.symbol_id(a.symbol), a.decimals, a.price_start, a.price_end,
                     a.liquidation_threshold_bps or 0, int(pool is not None),
                     pool.price_ratio_start if pool else 0, pool.price_ratio_end if pool else 0])
    return rows + [[0] * len(ASSET_FIELDS)] * (capacity.assets - len(rows))


def scenario_factors(market: Market, capacity: enc.Capacity) -> list[list[int]]:
    """``10000 + shock`` per scenario slot and asset slot (10000 = unshocked, also for unused slots)."""
    rows = []
    for s in market.stress_scenarios:
        shocks = [enc.BPS + s.shocks_bps.get(a.symbol, 0) for a in market.assets]
        rows.append(shocks + [enc.BPS] * (capacity.assets - len(shocks)))
    return rows + [[enc.BPS] * capacity.assets] * (capacity.scenarios - len(rows))


def market_values(market: Market, capacity: enc.Capacity) -> list[int]:
    header = [market.period.start, market.period.end, market.price_decimals, market.liquidity_deadline or 0]
    flat = [x for row in asset_slots(market, capacity) for x in row]
    return header + flat + [x for row in scenario_factors(market, capacity) for x in row]


def position_slots(bound: Bound, capacity: enc.Capacity) -> list[list[int]]:
    """One row of ``POSITION_FIELDS`` per position slot, amounts normalised to 18 decimals."""
    rows = []
    for p in bound.positions:
        scale = bound.scales[p.asset]
        rows.append([1, p.asset, p.kind, p.protocol, p.start_amount * scale, p.end_amount * scale,
                     p.fee_income * scale, p.emission_income * scale, p.unlock_time])
    return rows + [[0] * len(POSITION_FIELDS)] * (capacity.positions - len(rows))


def flow_slots(totals: tuple[int, ...], bound: Bound, capacity: enc.Capacity) -> list[int]:
    """Per-asset flow totals normalised to 18 decimals, zero-padded to the asset capacity."""
    return [u * s for u, s in zip(totals, bound.scales, strict=True)] + [0] * (capacity.assets - len(totals))


def commitment_values(portfolio: Portfolio, bound: Bound, capacity: enc.Capacity) -> list[int]:
    flat = [x for row in position_slots(bound, capacity) for x in row]
    return [portfolio.owner, portfolio.period.start, portfolio.period.end, *flat,
            *flow_slots(bound.deposits, bound, capacity), *flow_slots(bound.withdrawals, bound, capacity)]


def policy_hash(policy: Policy) -> int:
    """What a verifier recomputes from the public policy file."""
    return poseidon_many(policy_values(policy))


def market_hash(market: Market, capacity: enc.Capacity) -> int:
    """What a verifier recomputes from the public market file (the layout depends on M and S)."""
    return poseidon_many(market_values(market, capacity))


def public_signals(portfolio: Portfolio, market: Market, policy: Policy, capacity: enc.Capacity) -> list[int]:
    """``[commitment, owner, policy_hash, market_hash, period_start, period_end]`` (ARCHITECTURE.md order)."""
    bound = bind(portfolio, market, capacity)
    return [commit(commitment_values(portfolio, bound, capacity), portfolio.salt), portfolio.owner,
            policy_hash(policy), market_hash(market, capacity), portfolio.period.start, portfolio.period.end]
