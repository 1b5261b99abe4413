"""Uniswap v3 LP NFTs: the two token amounts at the pool price and the fee income from fee-growth accounting.

Amounts are what burning the whole liquidity would return (the pool's own rounding: down), from the pool's
``slot0``. Fees owed to an NFT at a block = ``tokensOwed`` + (feeGrowthInside now - feeGrowthInsideLast) x
liquidity / 2^128, exactly the NonfungiblePositionManager's ``collect`` arithmetic; feeGrowthInside is
recomputed from the pool's global and per-tick fee growth. Fee income over the period = owed(end) - owed(start)
+ collected - liquidity removed (``Collect`` and ``DecreaseLiquidity`` events of the NFT between the blocks).
The NFTs are those the accounts hold at either block plus those minted to them in between (ERC-721 ``Transfer``
from the zero address); one moved to or from an outside address in the period is refused.
"""

from __future__ import annotations

from eth_abi import decode
from eth_utils import keccak, to_checksum_address

from zkyield.circuits import range_math as rm
from zkyield.errors import InputError
from zkyield.ingest.legs import Leg, log_record, symbol, transfer_blocks
from zkyield.ingest.pins import Pins
from zkyield.ingest.rpc import Call
from zkyield.ingest.sources import Sources
from zkyield.ingest.uniswap_ranges import range_legs

Q128, U256 = 1 << 128, 1 << 256
POSITION = ("uint96", "address", "address", "address", "uint24", "int24", "int24", "uint128", "uint256", "uint256",
            "uint128", "uint128")
SLOT0 = ("uint160", "int24", "uint16", "uint16", "uint16", "uint8", "bool")
TICK = ("uint128", "int128", "uint256", "uint256", "int56", "uint160", "uint32", "bool")
COLLECT = "0x" + keccak(text="Collect(uint256,address,uint256,uint256)").hex()
DECREASE = "0x" + keccak(text="DecreaseLiquidity(uint256,uint128,uint256,uint256)").hex()
def amounts_at(tick: int, sqrt_price: int, lower: int, upper: int, liquidity: int) -> tuple[int, int]:
    """Token amounts of ``liquidity`` in [lower, upper) at the pool's price, rounded down as ``burn`` does; the
    case is decided by ``slot0.tick`` as the pool decides it (``range_math`` holds TickMath and the amounts)."""
    sa, sb = rm.sqrt_ratio_at_tick(lower), rm.sqrt_ratio_at_tick(upper)
    if tick < lower:
        return rm.amount0(liquidity, sa, sb), 0
    if tick < upper:
        return rm.amount0(liquidity, sqrt_price, sb), rm.amount1(liquidity, sa, sqrt_price)
    return 0, rm.amount1(liquidity, sa, sb)


def fee_growth_inside(tick: int, lower: int, upper: int, glob: int, out_lower: int, out_upper: int) -> int:
    below = out_lower if tick >= lower else (glob - out_lower) % U256
    above = out_upper if tick < upper else (glob - out_upper) % U256
    return (glob - below - above) % U256


def _nft_ids(pins: Pins, npm: str, accounts: list[str]) -> tuple[dict, dict]:
    """{block: {token id: owner}} at both blocks, via balanceOf and tokenOfOwnerByIndex."""
    out = []
    for block in pins.blocks:
        counts = pins.rpc.call([Call(npm, "balanceOf(address)", (a,)) for a in accounts], block.number)
        calls = [Call(npm, "tokenOfOwnerByIndex(address,uint256)", (a, i))
                 for a, (n,) in zip(accounts, counts, strict=True) for i in range(n)]
        owners = [a for a, (n,) in zip(accounts, counts, strict=True) for _ in range(n)]
        ids = pins.rpc.call(calls, block.number) if calls else []
        out.append({r[0]: o for r, o in zip(ids, owners, strict=True)})
    return out[0], out[1]


def _state(pins: Pins, factory: str, npm: str, ids: list[int], block: int) -> dict[int, dict]:
    """Per NFT existing at ``block``: position, pool, amounts and fees owed."""
    positions = pins.rpc.call([Call(npm, "positions(uint256)", (i,), POSITION) for i in ids], block, allow_revert=True)
    live = {i: p for i, p in zip(ids, positions, strict=True) if p is not None}
    keys = sorted({(p[2], p[3], p[4]) for p in live.values()})
    pools = dict(zip(keys, (r[0] for r in pins.rpc.call(
        [Call(factory, "getPool(address,address,uint24)", k, ("address",)) for k in keys], block)), strict=True))
    calls = []
    for k in keys:
        if int(pools[k], 16) == 0:
            raise InputError(f"position manager {npm}: a position's pool {k} is not in factory {factory}; check that "
                             "uniswap_v3.factory and position_manager belong together")
        calls += [Call(pools[k], "slot0()", returns=SLOT0), Call(pools[k], "feeGrowthGlobal0X128()"),
                  Call(pools[k], "feeGrowthGlobal1X128()")]
    pool_rows = pins.rpc.call(calls, block) if calls else []
    pool_state = {k: pool_rows[3 * j:3 * j + 3] for j, k in enumerate(keys)}
    tick_calls = [Call(pools[(p[2], p[3], p[4])], "ticks(int24)", (t,), TICK)
                  for p in live.values() for t in (p[5], p[6])]
    ticks = pins.rpc.call(tick_calls, block) if tick_calls else []
    out = {}
    for j, (i, p) in enumerate(live.items()):
        k = (p[2], p[3], p[4])
        slot0, g0, g1 = pool_state[k]
        lo, hi = ticks[2 * j], ticks[2 * j + 1]
        sqrt_price, tick = slot0[0], slot0[1]
        owed = []
        sides = ((g0[0], lo[2], hi[2], p[8], p[10]), (g1[0], lo[3], hi[3], p[9], p[11]))
        for glob, out_lo, out_hi, last, owed_now in sides:
            inside = fee_growth_inside(tick, p[5], p[6], glob, out_lo, out_hi)
            owed.append(owed_now + ((inside - last) % U256) * p[7] // Q128)
        out[i] = {"token0": to_checksum_address(p[2]), "token1": to_checksum_address(p[3]), "fee": p[4],
                  "tick_lower": p[5], "tick_upper": p[6], "liquidity": p[7], "pool": to_checksum_address(pools[k]),
                  "pool_tick": tick, "sqrt_price_x96": sqrt_price,
                  "amounts": amounts_at(tick, sqrt_price, p[5], p[6], p[7]), "owed": tuple(owed)}
    return out


def _minted_in_period(pins: Pins, npm: str, accounts: list[str]) -> dict[int, int]:
    """{token id: block} of NFTs minted to the accounts after the start block; refuses NFTs moved to or from outside."""
    mine, minted = set(accounts), {}
    for x in transfer_blocks(pins, [npm], accounts):
        src, dst = (to_checksum_address("0x" + t[-40:]) for t in x["topics"][1:3])
        token_id = int(x["topics"][3], 16)
        if int(src, 16) == 0:
            minted[token_id] = int(x["blockNumber"], 16)
        elif (src in mine) != (dst in mine) and int(dst, 16) != 0:
            other = src if dst in mine else dst
            raise InputError(f"LP NFT #{token_id} of {npm} moved between the accounts and {other} during the period; "
                             "pass that address as another --account")
    return minted


def _events(pins: Pins, npm: str, ids: list[int]) -> list[dict]:
    span = {"fromBlock": hex(pins.start.number + 1), "toBlock": hex(pins.end.number), "address": npm,
            "topics": [[COLLECT, DECREASE], ["0x" + i.to_bytes(32, "big").hex() for i in ids]]}
    (logs,) = pins.rpc.request([("eth_getLogs", [span])])
    return sorted(logs, key=lambda x: (int(x["blockNumber"], 16), int(x["logIndex"], 16)))


def read_uniswap(pins: Pins, sources: Sources, accounts: list[str]) -> list[Leg]:
    factory, npm = sources.uniswap_factory, sources.uniswap_position_manager
    if factory is None:
        return []
    pins.require_code({factory: "the uniswap_v3 factory", npm: "the uniswap_v3 position manager"})
    ((npm_factory,),) = pins.rpc.call([Call(npm, "factory()", returns=("address",))], pins.end.number)
    if to_checksum_address(npm_factory) != factory:
        raise InputError(f"position manager {npm} belongs to factory {to_checksum_address(npm_factory)}, not "
                         f"{factory}; fix uniswap_v3.factory or position_manager in the sources file")
    owners_start, owners_end = _nft_ids(pins, npm, accounts)
    minted = _minted_in_period(pins, npm, accounts)
    ids = sorted(set(owners_start) | set(owners_end) | set(minted))
    if not ids:
        return []
    states = [_state(pins, factory, npm, ids, b.number) for b in pins.blocks]
    for i in ids:
        if i not in owners_end and i in states[1]:
            raise InputError(f"LP NFT #{i} of {npm} left the accounts during the period without being burned; pass "
                             "its new owner as another --account")
    # minted and burned within the period: its tokens come from the state at the block it was minted in
    passing = {i: _state(pins, factory, npm, [i], minted[i]).get(i) for i in ids
               if i not in states[0] and i not in states[1]}
    logs = _events(pins, npm, ids)
    if any(v is None for v in passing.values()):
        raise InputError(f"position manager {npm}: an LP NFT was minted and burned in one block; pick other blocks")
    decimals = pins.decimals(sorted({st[f"token{k}"] for st in (*states[0].values(), *states[1].values(),
                                                                 *passing.values()) for k in (0, 1)}))
    legs = []
    for i in ids:
        s, e = states[0].get(i), states[1].get(i)
        ref = e or s or passing[i]
        moved, collected, decreased = [0, 0], [0, 0], False
        for x in logs:
            if int(x["topics"][1], 16) != i:
                continue
            if x["topics"][0] == COLLECT:
                _, a0, a1 = decode(["address", "uint256", "uint256"], bytes.fromhex(x["data"][2:]))
                moved = [moved[0] + a0, moved[1] + a1]
                collected = [collected[0] + a0, collected[1] + a1]
            else:
                _, a0, a1 = decode(["uint128", "uint256", "uint256"], bytes.fromhex(x["data"][2:]))
                moved, decreased = [moved[0] - a0, moved[1] - a1], True
        ranged = range_legs(pins, sources, i, s, e, decreased, collected, decimals)
        if ranged is not None:
            ranged[0].detail = {"token_id": i, "position_manager": npm, "owner": owners_end.get(i),
                                "start": _public(s), "end": _public(e),
                                "events": [log_record(x) for x in logs if int(x["topics"][1], 16) == i]}
            legs += ranged
            continue
        for side in (0, 1):
            token = ref[f"token{side}"]
            start = s["amounts"][side] + s["owed"][side] if s else 0
            end = e["amounts"][side] + e["owed"][side] if e else 0
            fee = (e["owed"][side] if e else 0) - (s["owed"][side] if s else 0) + moved[side]
            if fee < 0:
                raise InputError(f"LP NFT #{i}: fee accounting gives a negative income; the events between the blocks "
                                 "are incomplete (is the node's log index complete?)")
            legs.append(Leg("uniswap-v3", symbol(pins, sources.symbols, token, f"token{side} of LP NFT #{i}"), "spot",
                            decimals[token], start, end, fee, key=("uniswap-v3", i, side)))
        legs[-2].detail = {"token_id": i, "position_manager": npm,
                           "owner": (owners_end.get(i) or owners_start.get(i)),
                           "start": _public(s), "end": _public(e),
                           "events": [log_record(x) for x in logs if int(x["topics"][1], 16) == i]}
    return legs


def _public(state: dict | None) -> dict | None:
    if state is None:
        return None
    return {k: (list(v) if isinstance(v, tuple) else v) for k, v in state.items()}
