"""A devnet period of position-token transfers: aTokens and vault shares crossing the book's edge, and inside it.

Before block A the fund supplies WETH on Aave, borrows USDC and holds vault shares; an investor holds aDAI; a
borrower keeps Aave's interest running; a victim borrows close to its limit. Between A and B: the investor sends
aDAI to the fund (a deposit of DAI), the fund sends vault shares to an outside address (a withdrawal of USDC at
the vault's share price) and moves aWETH and shares to its second account (no flow); on the fund's behalf the
investor supplies DAI and repays USDC debt, an outsider deposits USDC into the vault for the second account, and
the fund withdraws vault USDC to the outsider (flows without a transfer of the position's token); the fund
supplies USDC for the outsider and borrows DAI on the outsider's delegated credit (value leaving and entering the
book through Aave, found by the blocks where the fund's wallet paid or received); the WETH price
drops and a liquidator takes the victim's collateral as aWETH (a loss, not a withdrawal).
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
    victim: str = ""
    supplied_for: int = 50 * E18  # DAI the investor supplies on the fund's behalf
    supplied_for_block: int = 0
    repaid_for: int = 200 * E6  # USDC of the fund's debt the investor repays
    repaid_for_block: int = 0
    deposited_for: int = 300 * E6  # USDC the outsider deposits into the vault for the second account
    deposited_for_block: int = 0
    withdrawn_to: int = 100 * E6  # vault USDC the fund withdraws to the outsider
    withdrawn_to_block: int = 0
    liquidation_block: int = 0
    supplied_by_fund: int = 10 * E6  # USDC the fund supplies on the outsider's behalf
    supplied_by_fund_block: int = 0
    borrowed_on_credit: int = 5 * E18  # DAI the fund borrows on the outsider's delegated credit
    borrowed_on_credit_block: int = 0


def run_transfer_period(world: World) -> TransferPeriod:
    acc = world.w3.eth.accounts
    p = TransferPeriod(world, fund=acc[1], fund2=acc[2], investor=acc[6], outsider=acc[7], victim=acc[8])
    borrower, liquidator, anvil = acc[5], acc[9], world.anvil
    # --- before A
    world.supply(borrower, "USDC", 200_000 * E6)
    world.supply(p.fund, "WETH", 10 * E18)
    world.supply(p.investor, "DAI", 1_000 * E18)
    world.borrow(borrower, "WETH", 5 * E18)
    world.borrow(borrower, "DAI", 500 * E18)
    world.vault_deposit(p.fund, 5_000 * E6)
    world.borrow(p.fund, "USDC", 1_000 * E6)
    world.supply(p.victim, "WETH", E18)
    world.borrow(p.victim, "USDC", 1_550 * E6)  # 77.5% of 2,000 USD of WETH (LTV 80%, threshold 82.5%)
    world.supply(p.outsider, "USDC", 1_000 * E6)  # collateral for the credit it delegates to the fund
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
    _on_behalf(world, p)
    _liquidation(world, p, liquidator)
    anvil.advance(86_400)
    p.b = anvil.mine(12)
    anvil.mine(12)
    return p


def _on_behalf(world: World, p: TransferPeriod) -> None:
    pool, vault, dai, usdc = world.aave_pool, world.vault, world.tokens["DAI"], world.tokens["USDC"]
    world.fund(p.investor, "DAI", p.supplied_for)
    world.approve(p.investor, "DAI", pool.address)
    p.supplied_for_block = send(pool.functions.supply(dai.address, p.supplied_for, p.fund, 0),
                                p.investor)["blockNumber"]
    world.fund(p.investor, "USDC", p.repaid_for)
    world.approve(p.investor, "USDC", pool.address)
    p.repaid_for_block = send(pool.functions.repay(usdc.address, p.repaid_for, 2, p.fund), p.investor)["blockNumber"]
    world.fund(p.outsider, "USDC", p.deposited_for)
    world.approve(p.outsider, "USDC", vault.address)
    p.deposited_for_block = send(vault.functions.deposit(p.deposited_for, p.fund2), p.outsider)["blockNumber"]
    p.withdrawn_to_block = send(vault.functions.withdraw(p.withdrawn_to, p.outsider, p.fund),
                                p.fund)["blockNumber"]
    world.approve(p.fund, "USDC", pool.address)  # the fund's wallet pays for the outsider's supply
    p.supplied_by_fund_block = send(pool.functions.supply(usdc.address, p.supplied_by_fund, p.outsider, 0),
                                    p.fund)["blockNumber"]
    send(world.reserves["DAI"][1].functions.approveDelegation(p.fund, p.borrowed_on_credit), p.outsider)
    p.borrowed_on_credit_block = send(pool.functions.borrow(dai.address, p.borrowed_on_credit, 2, 0, p.outsider),
                                      p.fund)["blockNumber"]


def _liquidation(world: World, p: TransferPeriod, liquidator: str) -> None:
    world.set_price("WETH", 1_800_00000000)  # the victim's health factor falls to 0.96
    world.fund(liquidator, "USDC", 700 * E6)
    world.approve(liquidator, "USDC", world.aave_pool.address)
    call = world.aave_pool.functions.liquidationCall(world.tokens["WETH"].address, world.tokens["USDC"].address,
                                                     p.victim, 700 * E6, True)  # receive the collateral as aWETH
    p.liquidation_block = send(call, liquidator)["blockNumber"]
