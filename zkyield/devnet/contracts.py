"""The protocols' own code: npm build artifacts (Uniswap, Aave) and npm sources compiled by the pinned solc-js.

Nothing here re-implements a protocol. The only Solidity written for the devnet is ``DevTokens.sol``: concrete
subclasses of OpenZeppelin's abstract ERC20 and ERC4626 (a constructor and a test ``mint``).
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

from web3 import Web3

from zkyield.verifier.solc import compile_standard, node_modules_dir, standard_input

_IMPORT = re.compile(r'^\s*import\s+(?:[^"\']*\s+from\s+)?["\']([^"\']+)["\']\s*;', re.M)

DEV_TOKENS = """// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ERC4626} from "@openzeppelin/contracts/token/ERC20/extensions/ERC4626.sol";
import {MockV3Aggregator} from "@chainlink/contracts/src/v0.8/tests/MockV3Aggregator.sol";

contract DevToken is ERC20 {
    uint8 private immutable _decimals;
    constructor(string memory name_, string memory symbol_, uint8 decimals_) ERC20(name_, symbol_) {
        _decimals = decimals_;
    }
    function decimals() public view override returns (uint8) { return _decimals; }
    function mint(address to, uint256 amount) external { _mint(to, amount); }
}

contract DevVault is ERC4626 {
    constructor(IERC20 asset_, string memory name_, string memory symbol_) ERC20(name_, symbol_) ERC4626(asset_) {}
}
"""


def _resolve(name: str, importer: str) -> str:
    if name.startswith("."):
        parts = importer.split("/")[:-1]
        for piece in name.split("/"):
            if piece == "..":
                parts.pop()
            elif piece != ".":
                parts.append(piece)
        return "/".join(parts)
    return name


def _closure(entry: str, text: str) -> dict[str, str]:
    """Every source ``entry`` imports, read from node_modules under its import name."""
    sources = {entry: text}
    todo = [entry]
    while todo:
        current = todo.pop()
        for name in _IMPORT.findall(sources[current]):
            path = _resolve(name, current)
            if path not in sources:
                sources[path] = (node_modules_dir() / path).read_text()
                todo.append(path)
    return sources


@cache
def dev_contracts() -> dict[str, dict]:
    """DevToken, DevVault and Chainlink's MockV3Aggregator: {name: {"abi", "bytecode"}} (solc 0.8.28, cancun)."""
    request = standard_input(_closure("DevTokens.sol", DEV_TOKENS), evm_version="cancun")
    output = compile_standard(request)
    out = {}
    for per_file in output["contracts"].values():
        for name, art in per_file.items():
            if name in ("DevToken", "DevVault", "MockV3Aggregator"):
                out[name] = {"abi": art["abi"], "bytecode": "0x" + art["evm"]["bytecode"]["object"]}
    return out


@cache
def artifact(package: str, source: str, name: str | None = None) -> dict:
    """A hardhat artifact from an npm package: ``artifact("@uniswap/v3-core", "UniswapV3Factory.sol")``."""
    name = name or Path(source).stem
    return json.loads((node_modules_dir() / package / "artifacts" / "contracts" / source / f"{name}.json").read_text())


def link(art: dict, libraries: dict[str, str]) -> str:
    """Creation bytecode with every library placeholder replaced by its deployed address."""
    code = art["bytecode"][2:]
    for file_refs in art.get("linkReferences", {}).values():
        for lib, refs in file_refs.items():
            address = libraries[lib][2:].lower()
            for ref in refs:
                start = 2 * ref["start"]
                code = code[:start] + address + code[start + 2 * ref["length"]:]
    return "0x" + code


def deploy(w3: Web3, sender: str, abi: list, bytecode: str, *args: object):
    """Deploy and return the web3 contract object (anvil estimates the gas)."""
    factory = w3.eth.contract(abi=abi, bytecode=bytecode)
    tx = factory.constructor(*args).transact({"from": sender})
    receipt = w3.eth.wait_for_transaction_receipt(tx)
    assert receipt["status"] == 1, f"deployment failed: {receipt}"
    return w3.eth.contract(address=receipt["contractAddress"], abi=abi)


def send(fn, sender: str) -> dict:
    """Send one contract call as a transaction from an anvil account; the receipt must succeed."""
    receipt = fn.w3.eth.wait_for_transaction_receipt(fn.transact({"from": sender}))
    assert receipt["status"] == 1, f"transaction failed: {receipt}"
    return receipt
