"""range_math against Uniswap v3's own contracts on anvil (the npm build artifacts, not a re-implementation).

TickMath: the pool's ``initialize`` sets ``slot0.tick = getTickAtSqrtRatio(price)``, the largest tick whose
``getSqrtRatioAtTick`` is at most the price; so ``sqrt_ratio_at_tick(t)`` is exactly the contract's value iff
initialising at it gives tick t and at one less gives t - 1. Amounts: a static ``decreaseLiquidity`` of a
position's whole liquidity returns what the pool's burn pays (SqrtPriceMath, rounded down), which must equal
``amounts_for_liquidity`` at the pool's slot0 price, below, inside and above the range, before and after swaps.
"""

from __future__ import annotations

import random

import pytest

from tests.support.devnet.fixtures import require_anvil
from zkyield.circuits import range_math as rm
from zkyield.devnet import Anvil, deploy_world
from zkyield.devnet.contracts import artifact, send
from zkyield.devnet.world import DEADLINE, V3_CORE

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def world():
    require_anvil()
    with Anvil() as anvil:
        yield deploy_world(anvil)


@pytest.fixture(scope="module")
def fresh_pool(world):
    """An uninitialised pool (the 1% tier of the same pair) for the TickMath probes."""
    t0, t1 = world.token_order()
    a, b = world.tokens[t0].address, world.tokens[t1].address
    send(world.factory.functions.createPool(a, b, 10_000), world.deployer)
    address = world.factory.functions.getPool(a, b, 10_000).call()
    return world.w3.eth.contract(address=address, abi=artifact(V3_CORE, "UniswapV3Pool.sol")["abi"])


def _tick_after_initialize(world, pool, price: int) -> int:
    snapshot = world.anvil.rpc("evm_snapshot")
    try:
        send(pool.functions.initialize(price), world.deployer)
        return pool.functions.slot0().call()[1]
    finally:
        world.anvil.rpc("evm_revert", snapshot)


TICKS = [rm.MIN_TICK, rm.MIN_TICK + 1, -500_000, -195_000, -60, -1, 0, 1, 2, 60, 887_220, rm.MAX_TICK - 1,
         *random.Random(18).sample(range(rm.MIN_TICK + 2, rm.MAX_TICK - 1), 12)]


@pytest.mark.parametrize("tick", TICKS)
def test_sqrt_ratio_at_tick_is_tickmaths(world, fresh_pool, tick: int) -> None:
    price = rm.sqrt_ratio_at_tick(tick)
    assert _tick_after_initialize(world, fresh_pool, price) == tick
    if tick > rm.MIN_TICK:
        assert _tick_after_initialize(world, fresh_pool, price - 1) == tick - 1


def test_the_domain_ends_are_tickmaths_constants() -> None:
    assert rm.sqrt_ratio_at_tick(rm.MIN_TICK) == rm.MIN_SQRT_RATIO
    assert rm.sqrt_ratio_at_tick(rm.MAX_TICK) == rm.MAX_SQRT_RATIO
    for bad in (rm.MIN_TICK - 1, rm.MAX_TICK + 1, 1.5, True):
        with pytest.raises(ValueError):
            rm.sqrt_ratio_at_tick(bad)


def _static_burn(world, owner: str, token_id: int) -> tuple[int, int]:
    liquidity = world.npm.functions.positions(token_id).call()[7]
    call = world.npm.functions.decreaseLiquidity((token_id, liquidity, 0, 0, DEADLINE))
    return tuple(call.call({"from": owner})), liquidity


def test_amounts_for_liquidity_are_what_the_pool_pays(world) -> None:
    owner = world.w3.eth.accounts[3]
    tick = world.pool.functions.slot0().call()[1]
    base = tick // 60 * 60
    ranges = [(base - 6000, base + 6000), (base - 1200, base - 600), (base + 600, base + 3000), (base - 60, base + 60),
              (-887_220, 887_220)]
    ids = [world.mint_lp(owner, lo, hi, 10 * 10**18, 20_000 * 10**6) for lo, hi in ranges]
    seen_states = set()
    for step, (symbol, amount) in enumerate([(None, 0), ("WETH", 30 * 10**18), ("USDC", 150_000 * 10**6),
                                             ("USDC", 90_000 * 10**6)]):
        if symbol:
            world.swap(world.w3.eth.accounts[4], symbol, amount)
        price = world.pool.functions.slot0().call()[0]
        for (lo, hi), token_id in zip(ranges, ids, strict=True):
            (paid0, paid1), liquidity = _static_burn(world, owner, token_id)
            a, b = rm.sqrt_ratio_at_tick(lo), rm.sqrt_ratio_at_tick(hi)
            assert (paid0, paid1) == rm.amounts_for_liquidity(liquidity, a, b, price), (step, lo, hi)
            seen_states.add("below" if price < a else "above" if price >= b else "inside")
    assert seen_states == {"below", "inside", "above"}
