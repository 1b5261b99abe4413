"""Compile Solidity with the pinned solc-js (npm `solc`) through its standard-JSON API.

Artifacts are produced at build/test time and never committed: each compilation is cached on disk
under the sha256 of (solc version, standard-JSON input), so only a changed source pays solc-js's
multi-second start-up again.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from zkyield.errors import InputError

# EVM target: shanghai runs on ganache 7.9 (whose newest fork it is) and on py-evm's newer forks.
DEFAULT_EVM_VERSION = "shanghai"
DEFAULT_OPTIMIZER_RUNS = 200
_NODE_TIMEOUT_S = 300

# Reads a standard-JSON input on stdin and writes solc's standard-JSON output on stdout.
_DRIVER = """
const solc = require('solc');
let input = '';
process.stdin.on('data', (chunk) => { input += chunk; });
process.stdin.on('end', () => { process.stdout.write(solc.compile(input)); });
"""


@dataclass(frozen=True)
class CompiledContract:
    """One contract's ABI and creation/runtime bytecode (0x-prefixed hex)."""

    name: str
    abi: list[dict]
    bytecode: str
    deployed_bytecode: str


def node_modules_dir() -> Path:
    """node_modules holding solc: $ZKYIELD_NODE_MODULES, else the first one above this file or the cwd."""
    env = os.environ.get("ZKYIELD_NODE_MODULES")
    if env:
        return Path(env)
    for start in (Path(__file__).resolve(), Path.cwd().resolve()):
        for parent in (start, *start.parents):
            if (parent / "node_modules" / "solc" / "package.json").is_file():
                return parent / "node_modules"
    raise InputError("solc: npm package not found; run `npm ci` in the repo root or set ZKYIELD_NODE_MODULES")


def solc_version(modules: Path | None = None) -> str:
    """Version of the installed solc-js, read from its package.json (no 8 MB compiler load)."""
    package = (modules or node_modules_dir()) / "solc" / "package.json"
    return json.loads(package.read_text())["version"]


def cache_dir() -> Path:
    """$ZKYIELD_CACHE_DIR/solc, else a per-user folder in the system temp dir."""
    base = os.environ.get("ZKYIELD_CACHE_DIR")
    root = Path(base) if base else Path(tempfile.gettempdir()) / f"zkyield-cache-{os.getuid()}"
    path = root / "solc"
    path.mkdir(parents=True, exist_ok=True)
    return path


def standard_input(
    sources: dict[str, str], evm_version: str = DEFAULT_EVM_VERSION, optimizer_runs: int = DEFAULT_OPTIMIZER_RUNS
) -> dict:
    """solc standard-JSON input asking only for ABI and bytecode."""
    return {
        "language": "Solidity",
        "sources": {name: {"content": text} for name, text in sorted(sources.items())},
        "settings": {
            "optimizer": {"enabled": True, "runs": optimizer_runs},
            "evmVersion": evm_version,
            "outputSelection": {"*": {"*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"]}},
        },
    }


def compile_standard(request: dict) -> dict:
    """Run solc-js on a standard-JSON request (cached by content hash); raises InputError on errors."""
    modules = node_modules_dir()
    text = json.dumps(request, sort_keys=True)
    key = hashlib.sha256(f"{solc_version(modules)}\n{text}".encode()).hexdigest()
    cached = cache_dir() / f"{key}.json"
    if cached.is_file():
        return json.loads(cached.read_text())
    try:
        proc = subprocess.run(
            ["node", "-e", _DRIVER], input=text, capture_output=True, text=True, timeout=_NODE_TIMEOUT_S,
            env={**os.environ, "NODE_PATH": str(modules)},
        )
    except FileNotFoundError:
        raise InputError("solc: `node` not found on PATH; install Node.js to compile contracts") from None
    if proc.returncode != 0:
        raise InputError(f"solc: solc-js exited with {proc.returncode}: {proc.stderr.strip()[-300:]}")
    output = json.loads(proc.stdout)
    errors = [e for e in output.get("errors", []) if e.get("severity") == "error"]
    if errors:
        raise InputError(f"solc: {errors[0].get('formattedMessage', errors[0].get('message', '')).strip()}")
    tmp = cached.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(output))
    os.replace(tmp, cached)
    return output


def compile_sources(sources: dict[str, str], **settings: object) -> dict[str, CompiledContract]:
    """Compile ``{filename: source}``; returns every contract by name (names must be unique)."""
    output = compile_standard(standard_input(sources, **settings))
    contracts: dict[str, CompiledContract] = {}
    for per_file in output.get("contracts", {}).values():
        for name, art in per_file.items():
            contracts[name] = CompiledContract(
                name=name,
                abi=art["abi"],
                bytecode="0x" + art["evm"]["bytecode"]["object"],
                deployed_bytecode="0x" + art["evm"]["deployedBytecode"]["object"],
            )
    return contracts


def compile_contract(source: str, name: str, **settings: object) -> CompiledContract:
    """Compile one source file and return the contract called ``name``."""
    contracts = compile_sources({f"{name}.sol": source}, **settings)
    if name not in contracts:
        raise InputError(f"solc: no contract named {name} in the source; check the contract name")
    return contracts[name]
