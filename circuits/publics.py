"""The field-element vectors a statement hashes, and its six public signals.

The circuit recomputes the same three hashes from its private inputs, so these layouts are the
contract between prover, circuit and verifier (docs/statements.md, "Public inputs"). Layout version
``LAYOUT_VERSION``; each vector starts with a domain tag (``domain_tag``) naming what it is, the
layout version and the capacity, so no two layouts (or capacities) can read one hash two ways:

- commitment = ``commit([tag, owner, period_start, period_end, *slots, *flows], salt)``, a slot per
  position capacity N (``POSITION_FIELDS``: the asset as ``encoding.asset_id``, never a market index;
  amounts normalised to 18 decimals; unused slots all zero), then a flow slot per asset capacity M
  (``FLOW_FIELDS``: the market row's asset id, the deposit and the withdrawal totals);
- market_hash = ``poseidon_many([tag, *MARKET_HEADER, *asset_slots, *scenario_slots])``, an asset slot
  per capacity M (``ASSET_FIELDS``), then per scenario slot (S of them) a ``listed`` flag and one factor
  ``10000 + shock`` per asset slot (10000 where nothing is shocked);
- policy_hash = ``poseidon_many([tag, mask, *encoded thresholds, root])`` (``policy_values``); a policy
  means the same at every capacity, so its tag carries the layout version and N = M = S = 0.
"""

from __future__ import annotations

from zkyield.circuits import encoding as enc
from zkyield.circuits.binding import Bound, bind
from zkyield.circuits.lp_range import RANGE_COLUMNS, RANGE_FIELDS, range_columns
from zkyield.circuits.models import Market, Policy, Portfolio
from zkyield.circuits.portfolio_clauses import CLAUSES
from zkyield.circuits.rate_model import RATE_COLUMNS, rate_columns
from zkyield.poseidon import commit, poseidon_many

# Version of every layout below; bump it (and re-pin tests/test_golden.py) on any change. A build
# folder records it (zkyield/statement.py) and one made for another version is refused, not misread.
LAYOUT_VERSION = 4  # 4: futures (expiry) and a lending or borrow slot's principal changes
# What a tagged vector is; the history family and later families take codes from 16 on.
DOMAINS = {"commitment": 1, "market": 2, "policy": 3}
_TAG_PREFIX = int.from_bytes(b"zkyield", "big")

POSITION_FIELDS = ("active", "asset_id", "kind", "protocol", "start", "end", "fee", "emission", "unlock",
                   "size", "entry", "funding", "chain", "expiry", "principal_flow", "principal_seconds",
                   *RANGE_FIELDS, "base_id")  # range: zero outside a v3 slot
FLOW_FIELDS = ("asset_id", "deposit", "withdrawal")
ASSET_FIELDS = ("listed", "symbol", "decimals", "price_start", "price_end", "lt", "is_pool", "pool_assets",
                "ratio_start", "ratio_end", "chain", "cash", "bridged", "bridge")
ASSET_FIELDS += RANGE_COLUMNS + RATE_COLUMNS  # a v3 pool's prices; a lending market's rate-model bounds
MARKET_HEADER = ("period_start", "period_end", "price_decimals", "has_deadline", "deadline")
PUBLIC_SIGNALS = ("commitment", "owner", "policy_hash", "market_hash", "period_start", "period_end")


def domain_tag(domain: str, capacity: enc.Capacity | None = None) -> int:
    """``"zkyield" | domain (1 byte) | version (2 bytes) | N | M | S (2 bytes each)``, big-endian.

    Fixed-width fields, so the tag is injective; below 2^128, a field element. ``capacity`` None
    (the policy) encodes as N = M = S = 0.
    """
    n, m, s = (0, 0, 0) if capacity is None else (capacity.positions, capacity.assets, capacity.scenarios)
    tag = _TAG_PREFIX
    for value, nbytes in ((DOMAINS[domain], 1), (LAYOUT_VERSION, 2), (n, 2), (m, 2), (s, 2)):
        tag = tag << (8 * nbytes) | value
    return tag


def clause_mask(keys: set[str] | frozenset[str]) -> int:
    """Bit i set when the i-th clause of ``CLAUSES`` is stated; hashed so a policy binds its own shape."""
    return CLAUSES.mask(keys)


def policy_clauses(policy: Policy) -> frozenset[str]:
    """The clauses ``policy`` states (a threshold, or a root)."""
    return frozenset(c.key for c in CLAUSES if c.stated(policy) is not None)


def policy_values(policy: Policy) -> list[int]:
    """``[tag, mask, one slot per clause in table order, home_chain]``: a threshold clause's slot holds
    threshold + the clause's offset (a signed threshold becomes non-negative), a root clause's slot the
    root; 0 when the clause is not stated (the mask tells the two apart); home_chain 0 when absent."""
    values = [domain_tag("policy"), clause_mask(policy_clauses(policy))]
    for clause in CLAUSES:
        stated = clause.stated(policy)
        values.append(0 if stated is None else stated + clause.offset)
    return [*values, policy.home_chain or 0]


def asset_slots(market: Market, capacity: enc.Capacity) -> list[list[int]]:
    """One row of ``ASSET_FIELDS`` per asset slot; slots past the market's assets are zero.

    ``pool_assets`` = 256 (i0 + 1) + (i1 + 1) for a pool of market assets i0 and i1 (price of i0 in i1),
    0 for a non-pool asset, so the hash pins which pair a pool's ratios are about.
    """
    rows = []
    for a in market.assets:
        pool = a.pool
        pair = 256 * (market.index(pool.assets[0]) + 1) + market.index(pool.assets[1]) + 1 if pool else 0
        rows.append([1, enc.symbol_id(a.symbol), a.decimals, a.price_start, a.price_end,
                     a.liquidation_threshold_bps or 0, int(pool is not None), pair,
                     pool.price_ratio_start if pool else 0, pool.price_ratio_end if pool else 0,
                     a.chain, int(a.cash), int(a.bridge is not None), enc.protocol_id(a.bridge) if a.bridge else 0,
                     *range_columns(market, a), *rate_columns(a.rate_model, market.period.seconds)])
    return rows + [[0] * len(ASSET_FIELDS)] * (capacity.assets - len(rows))


def scenario_slots(market: Market, capacity: enc.Capacity) -> list[list[int]]:
    """Per scenario slot ``[listed, *factors]``, factor ``10000 + shock`` per asset slot (10000 = unshocked,
    also in unused slots, whose ``listed`` is 0)."""
    rows = []
    for s in market.stress_scenarios:
        shocks = [enc.BPS + s.shocks_bps.get(a.symbol, 0) for a in market.assets]
        rows.append([1, *shocks, *[enc.BPS] * (capacity.assets - len(shocks))])
    return rows + [[0, *[enc.BPS] * capacity.assets]] * (capacity.scenarios - len(rows))


def market_header(market: Market) -> list[int]:
    deadline = market.liquidity_deadline
    return [market.period.start, market.period.end, market.price_decimals, int(deadline is not None), deadline or 0]


def market_values(market: Market, capacity: enc.Capacity) -> list[int]:
    flat = [x for row in asset_slots(market, capacity) for x in row]
    return [domain_tag("market", capacity), *market_header(market), *flat,
            *(x for row in scenario_slots(market, capacity) for x in row)]


def position_slots(bound: Bound, capacity: enc.Capacity) -> list[list[int]]:
    """One row of ``POSITION_FIELDS`` per position slot, amounts normalised to 18 decimals; the signed
    fields (a derivative's size in its base, a perp's funding, a lending or borrow slot's principal flow)
    as ``2^112 + value`` (2^112 in every other active slot)."""
    rows = []
    for p in bound.positions:
        scale, off = bound.scales[p.asset], enc.SIGNED_OFFSET
        size = off + (p.size * bound.scales[p.base] if p.base is not None else 0)
        base_id = bound.asset_ids[p.base] if p.base is not None else 0
        rows.append([1, bound.asset_ids[p.asset], p.kind, p.protocol, p.start_amount * scale, p.end_amount * scale,
                     p.fee_income * scale, p.emission_income * scale, p.unlock_time, size, p.entry_price,
                     off + p.funding * scale, p.chain, p.expiry, off + p.principal_flow * scale,
                     p.principal_seconds * scale, *(p.range.row() if p.range else [0] * len(RANGE_FIELDS)),
                     base_id])
    return rows + [[0] * len(POSITION_FIELDS)] * (capacity.positions - len(rows))


def _pad(values: list[int], capacity: enc.Capacity) -> list[int]:
    return values + [0] * (capacity.assets - len(values))


def flow_totals(totals: tuple[int, ...], bound: Bound, capacity: enc.Capacity) -> list[int]:
    """Per-asset flow totals normalised to 18 decimals, zero-padded to the asset capacity."""
    return _pad([u * s for u, s in zip(totals, bound.scales, strict=True)], capacity)


def flow_slots(bound: Bound, capacity: enc.Capacity) -> list[list[int]]:
    """One row of ``FLOW_FIELDS`` per asset slot: the market row's asset id (0 when unused) and the totals."""
    ids = _pad(list(bound.asset_ids), capacity)
    deposits = flow_totals(bound.deposits, bound, capacity)
    withdrawals = flow_totals(bound.withdrawals, bound, capacity)
    return [list(row) for row in zip(ids, deposits, withdrawals, strict=True)]


def commitment_values(portfolio: Portfolio, bound: Bound, capacity: enc.Capacity) -> list[int]:
    head = [domain_tag("commitment", capacity), portfolio.owner, portfolio.period.start, portfolio.period.end]
    return [*head, *(x for row in position_slots(bound, capacity) for x in row),
            *(x for row in flow_slots(bound, capacity) for x in row)]


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
