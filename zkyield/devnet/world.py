"""Deploy the devnet's protocols once: tokens, Chainlink feeds, an ERC-4626 vault, Uniswap v3 and Aave v3.

``World`` keeps the web3 contract objects and the helpers the scenarios use (mint, approve, supply, swap...).
Addresses are deterministic for a fresh anvil (same deployer, same nonces), which the benchmarks rely on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from math import isqrt

from web3 import Web3
from web3.logs import DISCARD

from .anvil import Anvil
from .contracts import artifact, deploy, dev_contracts, link, send

V3_CORE, V3_PERIPHERY, AAVE = "@uniswap/v3-core", "@uniswap/v3-periphery", "@aave/core-v3"
FEE = 3000  # the 0.3% pool; tick spacing 60
RAY = 10**27
PRICES = {"WETH": 2000_00000000, "USDC": 1_00000000, "DAI": 1_00000000}  # Chainlink answers, 8 decimals
DECIMALS = {"WETH": 18, "USDC": 6, "DAI": 18}
AAVE_LT = {"WETH": 8250, "USDC": 8500, "DAI": 8000}  # liquidation thresholds (bps) set on each reserve
AAVE_LTV = {"WETH": 8000, "USDC": 7700, "DAI": 7500}
DEADLINE = 2**40


@dataclass
class World:
    anvil: Anvil
    w3: Web3
    deployer: str
    tokens: dict = field(default_factory=dict)  # symbol -> contract
    feeds: dict = field(default_factory=dict)  # symbol -> MockV3Aggregator
    vault: object = None
    factory: object = None
    npm: object = None
    router: object = None
    pool: object = None  # WETH/USDC 0.3%
    aave_provider: object = None
    aave_pool: object = None
    aave_oracle: object = None
    reserves: dict = field(default_factory=dict)  # symbol -> (aToken, variableDebtToken)

    # --- addresses for the ingest files -------------------------------------------------------------

    def sources(self, vault_kind: str = "lending") -> dict:
        return {
            "erc20": [{"address": self.tokens[s].address, "symbol": s} for s in ("WETH", "USDC", "DAI")],
            "erc4626": [{"address": self.vault.address, "symbol": "USDC", "kind": vault_kind}],
            "uniswap_v3": {"factory": self.factory.address, "position_manager": self.npm.address},
            "aave_v3": {"pool_addresses_provider": self.aave_provider.address},
        }

    def feeds_file(self, max_staleness_s: int = 86_400) -> dict:
        return {s: {"aggregator": self.feeds[s].address, "token": self.tokens[s].address,
                    "max_staleness_s": max_staleness_s} for s in ("WETH", "USDC", "DAI")}

    # --- actions ------------------------------------------------------------------------------------

    def fund(self, account: str, symbol: str, amount: int) -> None:
        send(self.tokens[symbol].functions.mint(account, amount), self.deployer)

    def approve(self, account: str, symbol: str, spender: str) -> None:
        send(self.tokens[symbol].functions.approve(spender, 2**256 - 1), account)

    def set_price(self, symbol: str, answer: int) -> None:
        send(self.feeds[symbol].functions.updateAnswer(answer), self.deployer)

    def token_order(self) -> tuple[str, str]:
        a, b = self.tokens["WETH"].address, self.tokens["USDC"].address
        return ("WETH", "USDC") if int(a, 16) < int(b, 16) else ("USDC", "WETH")

    def mint_lp(self, account: str, tick_lower: int, tick_upper: int, amount_weth: int, amount_usdc: int,
                mint: bool = True) -> int:
        """Open a range position in the WETH/USDC pool through the NonfungiblePositionManager; returns its id.

        With ``mint`` the tokens are minted to the account first (new money), else it pays from its wallet.
        """
        t0, t1 = self.token_order()
        amounts = {"WETH": amount_weth, "USDC": amount_usdc}
        for s in ("WETH", "USDC"):
            if mint:
                self.fund(account, s, amounts[s])
            self.approve(account, s, self.npm.address)
        params = (self.tokens[t0].address, self.tokens[t1].address, FEE, tick_lower, tick_upper,
                  amounts[t0], amounts[t1], 0, 0, account, DEADLINE)
        receipt = send(self.npm.functions.mint(params), account)
        (event,) = self.npm.events.IncreaseLiquidity().process_receipt(receipt, errors=DISCARD)
        return event["args"]["tokenId"]

    def close_lp(self, account: str, token_id: int) -> None:
        """Remove all liquidity, collect everything owed, and burn the NFT."""
        liquidity = self.npm.functions.positions(token_id).call()[7]
        if liquidity:
            send(self.npm.functions.decreaseLiquidity((token_id, liquidity, 0, 0, DEADLINE)), account)
        send(self.npm.functions.collect((token_id, account, 2**128 - 1, 2**128 - 1)), account)
        send(self.npm.functions.burn(token_id), account)

    def swap(self, trader: str, symbol_in: str, amount_in: int) -> None:
        symbol_out = "USDC" if symbol_in == "WETH" else "WETH"
        self.fund(trader, symbol_in, amount_in)
        self.approve(trader, symbol_in, self.router.address)
        params = (self.tokens[symbol_in].address, self.tokens[symbol_out].address, FEE, trader, DEADLINE,
                  amount_in, 0, 0)
        send(self.router.functions.exactInputSingle(params), trader)

    def static_collect(self, owner: str, token_id: int) -> tuple[int, int]:
        """What the owner could collect now (the NPM's own fee accounting, simulated, not sent)."""
        return tuple(self.npm.functions.collect((token_id, owner, 2**128 - 1, 2**128 - 1)).call({"from": owner}))

    def supply(self, account: str, symbol: str, amount: int) -> None:
        self.fund(account, symbol, amount)
        self.approve(account, symbol, self.aave_pool.address)
        send(self.aave_pool.functions.supply(self.tokens[symbol].address, amount, account, 0), account)

    def borrow(self, account: str, symbol: str, amount: int) -> None:
        send(self.aave_pool.functions.borrow(self.tokens[symbol].address, amount, 2, 0, account), account)

    def vault_deposit(self, account: str, amount: int) -> None:
        self.fund(account, "USDC", amount)
        self.approve(account, "USDC", self.vault.address)
        send(self.vault.functions.deposit(amount, account), account)


def _tokens_and_feeds(world: World) -> None:
    dev = dev_contracts()
    names = {"WETH": "Wrapped Ether", "USDC": "USD Coin", "DAI": "Dai Stablecoin"}
    for s in ("WETH", "USDC", "DAI"):
        world.tokens[s] = deploy(world.w3, world.deployer, dev["DevToken"]["abi"], dev["DevToken"]["bytecode"],
                                 names[s], s, DECIMALS[s])
        world.feeds[s] = deploy(world.w3, world.deployer, dev["MockV3Aggregator"]["abi"],
                                dev["MockV3Aggregator"]["bytecode"], 8, PRICES[s])
    world.vault = deploy(world.w3, world.deployer, dev["DevVault"]["abi"], dev["DevVault"]["bytecode"],
                         world.tokens["USDC"].address, "Dev USDC Vault", "dvUSDC")


def _uniswap(world: World) -> None:
    w3, me = world.w3, world.deployer
    fac = artifact(V3_CORE, "UniswapV3Factory.sol")
    world.factory = deploy(w3, me, fac["abi"], fac["bytecode"])
    weth = world.tokens["WETH"].address  # the NPM's WETH9: only used for ETH payments, which the devnet never makes
    npm = artifact(V3_PERIPHERY, "NonfungiblePositionManager.sol")
    world.npm = deploy(w3, me, npm["abi"], npm["bytecode"], world.factory.address, weth, me)
    router = artifact(V3_PERIPHERY, "SwapRouter.sol")
    world.router = deploy(w3, me, router["abi"], router["bytecode"], world.factory.address, weth)
    t0, t1 = world.token_order()
    send(world.factory.functions.createPool(world.tokens[t0].address, world.tokens[t1].address, FEE), me)
    address = world.factory.functions.getPool(world.tokens[t0].address, world.tokens[t1].address, FEE).call()
    world.pool = w3.eth.contract(address=address, abi=artifact(V3_CORE, "UniswapV3Pool.sol")["abi"])
    # price of token0 in token1 base units, from the feeds' USD prices
    num = PRICES[t0] * 10 ** DECIMALS[t1]
    den = PRICES[t1] * 10 ** DECIMALS[t0]
    send(world.pool.functions.initialize(isqrt((num << 192) // den)), me)


def _aave_art(path: str) -> dict:
    return artifact(AAVE, path)


def _aave(world: World) -> None:
    w3, me = world.w3, world.deployer
    a = _aave_art("protocol/configuration/PoolAddressesProvider.sol")
    provider = deploy(w3, me, a["abi"], a["bytecode"], "zkyield-devnet", me)
    send(provider.functions.setACLAdmin(me), me)
    a = _aave_art("protocol/configuration/ACLManager.sol")
    acl = deploy(w3, me, a["abi"], a["bytecode"], provider.address)
    send(provider.functions.setACLManager(acl.address), me)
    send(acl.functions.addPoolAdmin(me), me)
    libs = {}
    for name in ("SupplyLogic", "BorrowLogic", "BridgeLogic", "EModeLogic", "LiquidationLogic", "PoolLogic",
                 "FlashLoanLogic", "ConfiguratorLogic"):
        a = _aave_art(f"protocol/libraries/logic/{name}.sol")
        libs[name] = deploy(w3, me, a["abi"], link(a, libs)).address
    a = _aave_art("protocol/pool/Pool.sol")
    impl = deploy(w3, me, a["abi"], link(a, libs), provider.address)
    send(provider.functions.setPoolImpl(impl.address), me)
    pool = w3.eth.contract(address=provider.functions.getPool().call(), abi=a["abi"])
    a = _aave_art("protocol/pool/PoolConfigurator.sol")
    impl = deploy(w3, me, a["abi"], link(a, libs))
    send(provider.functions.setPoolConfiguratorImpl(impl.address), me)
    configurator = w3.eth.contract(address=provider.functions.getPoolConfigurator().call(), abi=a["abi"])
    symbols = ("WETH", "USDC", "DAI")
    a = _aave_art("misc/AaveOracle.sol")
    oracle = deploy(w3, me, a["abi"], a["bytecode"], provider.address, [world.tokens[s].address for s in symbols],
                    [world.feeds[s].address for s in symbols], "0x" + "00" * 20, "0x" + "00" * 20, 10**8)
    send(provider.functions.setPriceOracle(oracle.address), me)
    impls = {}
    for name in ("AToken", "VariableDebtToken", "StableDebtToken"):
        a = _aave_art(f"protocol/tokenization/{name}.sol")
        impls[name] = deploy(w3, me, a["abi"], a["bytecode"], pool.address).address
    a = _aave_art("protocol/pool/DefaultReserveInterestRateStrategy.sol")
    strategy = deploy(w3, me, a["abi"], a["bytecode"], provider.address, 80 * RAY // 100, 0, 4 * RAY // 100,
                      75 * RAY // 100, 2 * RAY // 100, 75 * RAY // 100, 2 * RAY // 100, 5 * RAY // 100,
                      20 * RAY // 100)
    inputs = [(impls["AToken"], impls["StableDebtToken"], impls["VariableDebtToken"], DECIMALS[s], strategy.address,
               world.tokens[s].address, me, "0x" + "00" * 20, f"Aave {s}", f"a{s}", f"Variable debt {s}",
               f"variableDebt{s}", f"Stable debt {s}", f"stableDebt{s}", b"") for s in symbols]
    send(configurator.functions.initReserves(inputs), me)
    atoken_abi = _aave_art("protocol/tokenization/AToken.sol")["abi"]
    debt_abi = _aave_art("protocol/tokenization/VariableDebtToken.sol")["abi"]
    for s in symbols:
        asset = world.tokens[s].address
        send(configurator.functions.configureReserveAsCollateral(asset, AAVE_LTV[s], AAVE_LT[s], 10500), me)
        send(configurator.functions.setReserveBorrowing(asset, True), me)
        data = pool.functions.getReserveData(asset).call()
        world.reserves[s] = (w3.eth.contract(address=data[8], abi=atoken_abi),
                             w3.eth.contract(address=data[10], abi=debt_abi))
    world.aave_provider, world.aave_pool, world.aave_oracle = provider, pool, oracle


def deploy_world(anvil: Anvil) -> World:
    """Deploy every protocol on a fresh anvil (about 50 transactions)."""
    w3 = Web3(Web3.HTTPProvider(anvil.url, request_kwargs={"timeout": 60}))
    world = World(anvil=anvil, w3=w3, deployer=w3.eth.accounts[0])
    _tokens_and_feeds(world)
    _uniswap(world)
    _aave(world)
    return world
