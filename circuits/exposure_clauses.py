"""Evaluations and constraints of the exposure clauses of the portfolio table (issue 18): net delta per
asset, value per protocol, per chain other than the home chain, in bridged assets, and the allowed-bridge
tree. Their records are appended to ``portfolio_clauses.CLAUSES``; formulas, widths: docs/statements.md.

Every share here is of the net end value NAV = A1 - B1 (proven positive first, else the clause is
undefined and fails) and is compared as ``10000 x part + t x B1 <= t x A1`` (no subtraction in circuit).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from zkyield.circuits import encoding as enc
from zkyield.circuits.clause import Check, Finding
from zkyield.circuits.encoding import BPS, Inequality
from zkyield.circuits.sums import Sums, ceil_div
from zkyield.gadgets.bits import range_check, to_bits
from zkyield.gadgets.logic import is_equal
from zkyield.gadgets.merkle import merkle_inclusion

if TYPE_CHECKING:
    from zkyield.circuits.statements import Builder
    from zkyield.dsl import Circuit, Value

HELD = "held"  # per asset slot, the gross end value held in it (Builder.held)
NAV = "nav"  # net end value A1 - B1 proven positive (the base of the shares of NAV)


def _shares(s: Sums, label: str, t: int, parts: dict[str, int], note: str = "") -> Finding:
    """Every named part against ``t x NAV`` (``t NAV >= 10000 part``, once NAV > 0 is established, as in
    circuit); the measurement is the largest part's share, rounded up."""
    pos = s.nav_positive(label)
    nav = s.a_end - s.b_end
    ineqs = (pos, *(Inequality(f"{label}/{name}", t * nav, BPS * v, enc.RATIO_BITS)
                    for name, v in parts.items() if pos.holds))
    worst, at = max(((ceil_div(BPS * v, nav), name) for name, v in parts.items()), default=(0, ""))
    return Finding(all(q.holds for q in ineqs), worst if pos.holds else None, ineqs,
                   where=f"{note}{at}" if at else "", note="undefined: net end value is not positive")


def _slack(b: Builder, t: Value) -> Value:
    """``t x (A1 - B1)`` as an integer below 2^206: A1 > B1 is proven (``NAV``) and t <= 10^6 is hashed,
    so the range check only records the bound, letting each comparison against it skip one side's."""
    return range_check(b.c, b.c.mul(t, b.a1 - b.b1), enc.RATIO_BITS)


def _at_most_share(b: Builder, label: str, slack: Value, part: Value) -> None:
    b.at_least(label, slack, BPS * part, enc.RATIO_BITS)


def _magnitude(b: Builder, diff: Value) -> Value:
    """``|diff|`` for an integer ``-2^186 < diff < 2^186`` (a field element): ``x = diff + 2^186`` has 187
    bits (the check proves the range), its top bit is ``diff >= 0``, and ``|diff| = (2 top - 1)(x - 2^186)``,
    which is at most 2^186 by that construction (recorded as its bound)."""
    c, k = b.c, enc.SUM_BITS + 1
    top = to_bits(c, diff + (1 << k), k + 1)[-1]
    out = c.mul(2 * top - 1, diff)
    c.unsafe_assume_bound(out, (1 << k) + 1)
    return out


# -- max_net_delta_bps ---------------------------------------------------------------------------------

def net_delta(s: Sums) -> list[tuple[int, int]]:
    """Per market asset (2 L, 2 S) in end value: L counts spot, staking, lending, a perp's margin (in its
    margin asset), half of every constant-product LP token whose pool holds the asset (its split at the
    end price), a v3 range position's own end amount of the asset (the exact exposure) and long perps on
    it; S counts borrows and short perps on it. Doubled so the LP half is exact; zero for cash assets and
    LP tokens themselves (their value sits in their pool's assets)."""
    market, b = s.market, s.b
    index = {a.symbol: i for i, a in enumerate(market.assets)}
    out = [[0, 0] for _ in market.assets]
    for i, p in enumerate(b.positions):
        pool = market.assets[p.asset].pool
        if p.is_debt:
            out[p.asset][1] += 2 * s.v_end[i]
        elif pool is not None:
            tokens = [index[symbol] for symbol in pool.assets]
            exact = [0, 0] if p.range is None else [b.value(t, getattr(p.range, f"amount{k}_end"), True)
                                                    for k, t in enumerate(tokens)]
            for t, x in zip(tokens, exact, strict=True):
                out[t][0] += s.v_end[i] - sum(exact) + 2 * x
        else:
            out[p.asset][0] += 2 * s.v_end[i]
        if p.base is not None:
            norm = p.size * b.scales[p.base] * b.prices_end[p.base]
            out[p.base][0 if norm > 0 else 1] += 2 * abs(norm)
    return [(0, 0) if a.cash or a.pool else (lo, sh) for a, (lo, sh) in zip(market.assets, out, strict=True)]


def max_net_delta(s: Sums, t: int) -> Finding:
    # NAV > 0 and per asset  10000 |2L - 2S| <= 2 t NAV
    pos = s.nav_positive("net_delta")
    ineqs: list[Inequality] = [pos]
    worst, at = 0, ""
    nav = s.a_end - s.b_end
    for a, (long2, short2) in zip(s.market.assets, net_delta(s), strict=True):
        if not pos.holds:
            break
        ineqs.append(Inequality(f"net_delta/{a.symbol}", 2 * t * nav, BPS * abs(long2 - short2), enc.DELTA_BITS))
        if long2 != short2:
            share = ceil_div(BPS * abs(long2 - short2), 2 * nav)
            if share > worst:
                worst, at = share, f"in {a.symbol}"
    return Finding(all(q.holds for q in ineqs), worst if pos.holds else None, tuple(ineqs), where=at,
                   note="undefined: net end value is not positive")


def _pool_members(b: Builder) -> list[tuple[list[Value], list[Value]]]:
    """Per pool slot p, (token0[a], token1[a]) = 1 when asset slot a is pool slot p's first (second)
    asset (from the hashed ``pool_assets`` = 256 (i0 + 1) + (i1 + 1); its two bytes are unique, so the
    split is forced; a v3 pool lists token0 first)."""
    c, out = b.c, []
    for p, packed in enumerate(b.column("pool_assets")):
        with c.scope(f"pool[{p}]"):
            bits = to_bits(c, packed, 16)
            lo = c.sum(x * (1 << i) for i, x in enumerate(bits[:8]))
            hi = c.sum(x * (1 << i) for i, x in enumerate(bits[8:]))
            pairs = [(is_equal(c, lo, a + 1), is_equal(c, hi, a + 1)) for a in range(b.m)]
            out.append(([is_hi for _, is_hi in pairs], [is_lo for is_lo, _ in pairs]))  # token0: the high byte
    return out


def _range_exposures(b: Builder) -> list[list[Value]]:
    """Per range slot j, its end amounts valued at their tokens' end prices ``[n0 p0, n1 p1]`` (the two
    terms of ``range_v1[j]``, from ``range_values``' normalised amounts; zero off a v3 pool's slot)."""
    c = b.c
    out = []
    for j in range(b.shape.capacity.ranges):
        with c.scope(f"range_exposure[{j}]"):
            norm, p1 = b.range_norm[j], b.range_p1[j]
            out.append([c.mul(norm[f"{k}_end"], p1[k]) for k in (0, 1)])
    return out


def max_net_delta_circuit(b: Builder, t: Value) -> None:
    """A constant-product LP token's value counts once in each of its two assets in the doubled sums; a
    range slot's counts as 2 x its exact token exposures instead (its range value is taken out of the
    halves: it is the slot's whole end value, a v3 pool having no LP token price)."""
    c, m, ranges = b.c, b.m, b.shape.capacity.ranges
    members = _pool_members(b)
    is_pool, cash, p1 = b.column("is_pool"), b.column("cash"), b.column("price_end")
    slack = 2 * _slack(b, t)  # 2t NAV < 2^207
    exact = _range_exposures(b)
    halves = [v - d - (exact[j][0] + exact[j][1] if j < ranges else 0)
              for j, (v, d) in enumerate(zip(b.v1, b.borrow1, strict=True))]
    parts, by_pool = [], []
    for a in range(m):
        with c.scope(f"asset[{a}]"):
            parts.append([c.sum(c.mul(row[a], x) for row, x in zip(rows, xs, strict=True))
                          for rows, xs in ((b.sel, halves), (b.sel, b.borrow1), (b.base, b.long), (b.base, b.short))])
            # the exact exposures of the range slots in pool slot a, to its token0 and token1
            by_pool.append([c.sum(c.mul(b.sel[j][a], exact[j][k]) for j in range(ranges)) for k in (0, 1)])
    for a in range(m):
        hold, debt, long_perp, short_perp = parts[a]  # hold: the LP token's value on a pool slot
        with c.scope(f"asset[{a}]"):
            lp = c.sum(c.mul(members[p][0][a] + members[p][1][a], parts[p][0]) for p in range(m))
            in_range = c.sum(c.mul(members[p][k][a], by_pool[p][k]) for p in range(m) for k in (0, 1)) if ranges else 0
            exposed = c.mul(1 - cash[a], 1 - is_pool[a])
            long2 = 2 * hold + lp + 2 * in_range + 2 * c.mul(long_perp, p1[a])
            short2 = 2 * debt + 2 * c.mul(short_perp, p1[a])
            net = _magnitude(b, c.mul(exposed, long2 - short2))
        b.at_least(f"asset[{a}]", slack, BPS * net, enc.DELTA_BITS)


# -- max_protocol_bps ------------------------------------------------------------------------------------

def max_protocol(s: Sums, t: int) -> Finding:
    by: dict[int, int] = {}
    for i, p in enumerate(s.b.positions):
        by[p.protocol] = by.get(p.protocol, 0) + s.asset_end[i]
    names = {enc.protocol_id(n): n for n in s.policy.allowed_protocols}
    return _shares(s, "protocol", t, {names.get(k, "a protocol"): v for k, v in by.items()}, "in ")


def _same(c: Circuit, keys: list[Value]) -> dict[tuple[int, int], Value]:
    """eq[i, k] = [keys[i] == keys[k]] for i != k: the proven grouping a per-key share sums over."""
    eq: dict[tuple[int, int], Value] = {}
    with c.scope("same"):
        for i in range(len(keys)):
            for k in range(i):
                eq[i, k] = eq[k, i] = is_equal(c, keys[i], keys[k])
    return eq


def max_protocol_circuit(b: Builder, t: Value) -> None:
    """Per slot j, the gross end value of every slot with j's protocol id (an N x N equality matrix: the
    grouping is proven, so one protocol split over many slots is summed whatever the slot order)."""
    c, n = b.c, b.n
    eq = _same(c, b.pos["protocol"])
    slack = _slack(b, t)
    for j in range(n):
        with c.scope(f"slot[{j}]"):
            group = b.asset1[j] + c.sum(c.mul(eq[j, k], b.asset1[k]) for k in range(n) if k != j)
        _at_most_share(b, f"slot[{j}]", slack, group)


# -- max_chain_bps ---------------------------------------------------------------------------------------

def max_chain(s: Sums, t: int) -> Finding:
    home, by = s.policy.home_chain, {}
    for a, v in zip(s.market.assets, s.held(), strict=True):
        if a.chain != home:
            by[a.chain] = by.get(a.chain, 0) + v
    return _shares(s, "chain", t, {str(k): v for k, v in by.items()}, "on chain ")


def max_chain_circuit(b: Builder, t: Value) -> None:
    """Per asset slot a off the home chain: the held value of every asset slot on a's chain (public
    chains, an M x M equality matrix); a position's own chain is the row's (``slots/.../chain``)."""
    c, m, chains = b.c, b.m, b.column("chain")
    eq = _same(c, chains)
    slack = _slack(b, t)
    for a in range(m):
        with c.scope(f"asset[{a}]"):
            away = 1 - is_equal(c, chains[a], b.home_chain)
            group = b.held[a] + c.sum(c.mul(eq[a, k], b.held[k]) for k in range(m) if k != a)
            part = c.mul(away, group)
        _at_most_share(b, f"asset[{a}]", slack, part)


# -- max_bridged_bps -------------------------------------------------------------------------------------

def max_bridged(s: Sums, t: int) -> Finding:
    value = sum(v for a, v in zip(s.market.assets, s.held(), strict=True) if a.bridge is not None)
    return _shares(s, "bridged", t, {"": value} if value else {})


def max_bridged_circuit(b: Builder, t: Value) -> None:
    c = b.c
    bridged = c.sum(c.mul(x, h) for x, h in zip(b.column("bridged"), b.held, strict=True))
    _at_most_share(b, "bridged", _slack(b, t), bridged)


# -- allowed_bridges_root ----------------------------------------------------------------------------------

def allowed_bridges(s: Sums, root: int) -> Finding:
    allowed = set(s.policy.allowed_bridges)
    held = sorted({p.asset for p in s.b.positions})
    outside = [s.market.assets[a].symbol for a in held
               if s.market.assets[a].bridge is not None and s.market.assets[a].bridge not in allowed]
    return Finding(not outside, len(outside), (), where=f"of {outside[0]}" if outside else "")


def allowed_bridges_circuit(b: Builder, root: Value) -> None:
    """Every asset slot some position holds and that is bridged opens its bridge id to the root."""
    c, depth = b.c, enc.BRIDGE_TREE_DEPTH
    siblings = b.rows(c.private_input("bridge_siblings", b.m * depth), depth)
    path = b.rows(c.private_input("bridge_path", b.m * depth), depth)
    bridged, bridge = b.column("bridged"), b.column("bridge")
    for a in range(b.m):
        with c.scope(f"asset[{a}]"):
            held = c.mul(bridged[a], c.sum(b.sel[j][a] for j in range(b.n)))
            computed = merkle_inclusion(c, bridge[a], siblings[a], path[a], depth)
            c.assert_product(held, computed - root, 0, "root")


def allowed_bridges_message(check: Check) -> str:
    if check.holds:
        return "every bridged asset held came through an allowed bridge"
    return f"the bridge {check.where} is not in the allowed set (allowed_bridges_root)"
