"""A devnet period of position-token transfers: aTokens and vault shares crossing the book's edge, and inside it.

Before block A the fund supplies WETH on Aave and holds vault shares; an investor holds aDAI; a borrower keeps
Aave's interest running. Between A and B: the investor sends aDAI to the fund (a deposit of DAI), the fund sends
vault shares to an outside address (a withdrawal of USDC at the vault's share price), and the fund moves aWETH
and vault shares to its second account (no flow); the vault accrues around those transfers.
"""

from __future__ import annotations

from dataclasses import dataclass

from .contracts import send
from .world import World

E18, E6 = 10**18, 10**6


@dataclass
class TransferPeriod:
    world: World
    fund: str
    fund2: str
    investor: str
    outsider: str
    a: int = 0
    b: int = 0
    atoken_in: int = 400 * E18  # aDAI the investor sends the fund
    atoken_in_block: int = 0
    atoken_internal: int = 2 * E18  # aWETH the fund moves to its second account
    shares_out: int = 0  # vault shares the fund sends the outsider
    shares_out_block: int = 0
    shares_internal: int = 0  # vault shares the fund moves to its second account
    shares_internal_block: int = 0


def run_transfer_period(world: World) -> TransferPeriod:
    acc = world.w3.eth.accounts
    p = TransferPeriod(world, fund=acc[1], fund2=acc[2], investor=acc[6], outsider=acc[7])
    borrower, anvil = acc[5], world.anvil
    # --- before A
    world.supply(borrower, "USDC", 200_000 * E6)
    world.supply(p.fund, "WETH", 10 * E18)
    world.supply(p.investor, "DAI", 1_000 * E18)
    world.borrow(borrower, "WETH", 5 * E18)
    world.borrow(borrower, "DAI", 500 * E18)
    world.vault_deposit(p.fund, 5_000 * E6)
    anvil.advance(12)
    p.a = anvil.mine(12)
    # --- the period
    anvil.advance(3_600)
    a_dai, a_weth = world.reserves["DAI"][0], world.reserves["WETH"][0]
    p.atoken_in_block = send(a_dai.functions.transfer(p.fund, p.atoken_in), p.investor)["blockNumber"]
    send(a_weth.functions.transfer(p.fund2, p.atoken_internal), p.fund)
    world.fund(world.vault.address, "USDC", 25 * E6)  # the vault's yield, before the shares move
    anvil.advance(3_600)
    shares = world.vault.functions.balanceOf(p.fund).call()
    p.shares_out, p.shares_internal = shares // 5, shares // 10
    p.shares_out_block = send(world.vault.functions.transfer(p.outsider, p.shares_out), p.fund)["blockNumber"]
    p.shares_internal_block = send(world.vault.functions.transfer(p.fund2, p.shares_internal),
                                   p.fund)["blockNumber"]
    world.fund(world.vault.address, "USDC", 20 * E6)  # more yield, shared by the shares that stayed
    anvil.advance(86_400)
    p.b = anvil.mine(12)
    anvil.mine(12)
    return p
