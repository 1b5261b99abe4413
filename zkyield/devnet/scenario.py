"""The scripted devnet period the ingest tests read: a fund on Aave, Uniswap v3, an ERC-4626 vault and wallets.

Before block A: the fund supplies WETH on Aave and borrows USDC, deposits in the vault, opens two range
positions; a second fund account holds DAI. Between A and B: swaps earn fees, an investor deposits USDC and
receives WETH back (flows), the vault accrues, the second account supplies DAI on Aave, one range position is
closed and a new one opened, the feeds update. Every block of interest is kept in ``Period``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .contracts import send
from .world import World

E18, E6 = 10**18, 10**6
DAY = 86_400


@dataclass
class Period:
    world: World
    fund: str
    fund2: str
    trader: str
    investor: str
    empty: str
    a: int = 0
    b: int = 0
    nft_kept: int = 0
    nft_closed: int = 0
    nft_opened: int = 0
    nft_passing: int = 0  # opened and closed within the period
    passing_close_block: int = 0
    close_block: int = 0  # the block of the closed position's decreaseLiquidity
    dai_supply_block: int = 0
    vault_deposit_block: int = 0
    deposit_usdc: int = 1_000 * E6
    withdraw_weth: int = E18 // 2
    blocks: dict = field(default_factory=dict)


def _center(world: World) -> int:
    tick = world.pool.functions.slot0().call()[1]
    return tick // 60 * 60


def _swaps(world: World, trader: str, rounds: int) -> None:
    for _ in range(rounds):
        world.anvil.advance(600)
        world.swap(trader, "WETH", E18 // 2)
        world.anvil.advance(600)
        world.swap(trader, "USDC", 1_000 * E6)


def run_period(world: World) -> Period:
    acc = world.w3.eth.accounts
    p = Period(world, fund=acc[1], fund2=acc[2], trader=acc[3], investor=acc[6], empty=acc[4])
    other = acc[5]
    anvil = world.anvil
    # --- before A
    world.supply(other, "USDC", 200_000 * E6)
    world.supply(p.fund, "WETH", 10 * E18)
    world.borrow(p.fund, "USDC", 5_000 * E6)
    world.borrow(other, "WETH", 5 * E18)  # so that the fund's WETH supply earns interest
    world.vault_deposit(p.fund, 5_000 * E6)
    world.fund(p.fund, "WETH", 5 * E18)
    world.fund(p.fund, "USDC", 10_000 * E6)
    world.fund(p.fund2, "DAI", 1_000 * E18)
    world.fund(p.fund2, "USDC", 2_000 * E6)
    world.fund(p.investor, "USDC", p.deposit_usdc)
    c = _center(world)
    world.mint_lp(other, c - 6000, c + 6000, 20 * E18, 40_000 * E6)
    p.nft_kept = world.mint_lp(p.fund, c - 3000, c + 3000, 2 * E18, 4_000 * E6)
    p.nft_closed = world.mint_lp(p.fund, c - 600, c + 600, E18, 2_000 * E6)
    anvil.advance(12)
    p.a = anvil.mine(12)
    # --- the period
    anvil.advance(3_600)
    _swaps(world, p.trader, 3)
    send(world.tokens["USDC"].functions.transfer(p.fund, p.deposit_usdc), p.investor)  # a deposit
    send(world.tokens["WETH"].functions.transfer(p.investor, p.withdraw_weth), p.fund)  # a withdrawal
    send(world.tokens["WETH"].functions.transfer(p.fund2, E18), p.fund)  # between the fund's accounts: no flow
    world.fund(world.vault.address, "USDC", 25 * E6)  # the vault's yield arrives (0.5% of its assets, mid-period)
    world.approve(p.fund2, "USDC", world.vault.address)
    receipt = send(world.vault.functions.deposit(1_500 * E6, p.fund2), p.fund2)  # a vault deposit mid-period
    p.vault_deposit_block = receipt["blockNumber"]
    world.fund(world.vault.address, "USDC", 20 * E6)  # more yield, now shared with the second account
    anvil.advance(6 * 3_600)
    world.approve(p.fund2, "DAI", world.aave_pool.address)
    receipt = send(world.aave_pool.functions.supply(world.tokens["DAI"].address, 600 * E18, p.fund2, 0), p.fund2)
    p.dai_supply_block = receipt["blockNumber"]
    world.borrow(other, "DAI", 300 * E18)
    _swaps(world, p.trader, 2)
    anvil.advance(3_600)
    p.close_block = anvil.block() + 1
    world.close_lp(p.fund, p.nft_closed)
    c = _center(world)
    p.nft_opened = world.mint_lp(p.fund, c - 1200, c + 1800, E18 // 2, 1_000 * E6, mint=False)
    p.nft_passing = world.mint_lp(p.fund, c - 600, c + 600, E18 // 4, 500 * E6, mint=False)
    _swaps(world, p.trader, 2)
    p.passing_close_block = anvil.block() + 1
    world.close_lp(p.fund, p.nft_passing)
    _swaps(world, p.trader, 1)
    anvil.advance(DAY)
    world.set_price("WETH", 2_200_00000000)
    world.set_price("USDC", 99_990000)
    world.set_price("DAI", 1_00010000)
    anvil.advance(60)
    p.b = anvil.mine(12)
    anvil.mine(12)
    return p
