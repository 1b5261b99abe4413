"""Groth16 fixtures made by snarkjs (independent of zkyield's prover) and EVM helpers for the chain tests.

One small circom circuit per public-input count: public x[n], private w, constraints x[i]*w and w*w.
Artifacts are built once per test session (a module-level cache keyed on n) and shared by test files.
"""

from __future__ import annotations

import json
import re
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from py_ecc import optimized_bn128 as bn

from tests.support.tools import NODE_BIN, ROOT, compile_circom, node_tool, run_snarkjs, snarkjs_setup
from zkyield.devnet.anvil import free_port
from zkyield.field import Q
from zkyield.groth16.keys import Proof

GAS = 3_000_000  # explicit gas: eth-tester's estimation is ~10x slower

CIRCUIT_SOURCE = """pragma circom 2.0.0;
template Linear(n) {
  signal input x[n];
  signal input w;
  signal xw[n];
  signal ww;
  for (var i = 0; i < n; i++) { xw[i] <== x[i] * w; }
  ww <== w * w;
}
component main {public [x]} = Linear(%d);
"""


@dataclass(frozen=True)
class Circuit:
    n_public: int
    workdir: Path
    zkey: Path
    wasm: Path
    vk_path: Path
    snarkjs_verifier: Path


_CIRCUITS: dict[int, Circuit] = {}


def build_circuit(n_public: int, ptau: Path, tmp_factory: pytest.TempPathFactory) -> Circuit:
    """Compile, set up and export (vk and snarkjs's Solidity verifier) once per session and size."""
    if n_public not in _CIRCUITS:
        d = tmp_factory.mktemp(f"circuit{n_public}")
        r1cs = compile_circom(CIRCUIT_SOURCE % n_public, d)
        zkey = d / "circuit.zkey"
        snarkjs_setup(r1cs, ptau, zkey)
        run_snarkjs("zkey", "export", "verificationkey", zkey, d / "verification_key.json")
        run_snarkjs("zkey", "export", "solidityverifier", zkey, d / "SnarkjsVerifier.sol")
        _CIRCUITS[n_public] = Circuit(
            n_public, d, zkey, d / "circuit_js" / "circuit.wasm", d / "verification_key.json", d / "SnarkjsVerifier.sol"
        )
    return _CIRCUITS[n_public]


def prove(circuit: Circuit, public: list[int], w: int, out: Path) -> Path:
    """snarkjs groth16 fullprove for x = ``public``; returns a folder with proof.json and public.json."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "input.json").write_text(json.dumps({"x": [str(v) for v in public], "w": str(w)}))
    run_snarkjs("groth16", "fullprove", out / "input.json", circuit.wasm, circuit.zkey,
                out / "proof.json", out / "public.json")
    return out


def snarkjs_calldata(proof_dir: Path) -> tuple:
    """`snarkjs zkey export soliditycalldata` parsed into ints: the reference ABI layout."""
    proc = run_snarkjs("zkey", "export", "soliditycalldata", proof_dir / "public.json", proof_dir / "proof.json")
    a, b, c, inputs = json.loads("[" + proc.stdout.strip() + "]")

    def ints(v):
        return tuple(ints(x) for x in v) if isinstance(v, list) else int(v, 16)

    return ints(a), ints(b), ints(c), ints(inputs)


def _g2_bn(p) -> tuple:
    (x0, x1), (y0, y1) = p
    return (bn.FQ2([x0, x1]), bn.FQ2([y0, y1]), bn.FQ2.one())


def _from_g1(p) -> tuple[int, int]:
    x, y = bn.normalize(p)
    return int(x.n), int(y.n)


def _from_g2(p) -> tuple:
    x, y = bn.normalize(p)
    return (int(x.coeffs[0]), int(x.coeffs[1])), (int(y.coeffs[0]), int(y.coeffs[1]))


def rerandomize(proof: Proof, delta_g2, r1: int, r2: int) -> Proof:
    """(A/r1, r1*B + r1*r2*delta, C + r2*A): a fresh valid proof of the same statement (py_ecc arithmetic)."""
    a = (bn.FQ(proof.a[0]), bn.FQ(proof.a[1]), bn.FQ.one())
    c = (bn.FQ(proof.c[0]), bn.FQ(proof.c[1]), bn.FQ.one())
    inv = pow(r1, -1, bn.curve_order)
    new_b = bn.add(bn.multiply(_g2_bn(proof.b), r1), bn.multiply(_g2_bn(delta_g2), r1 * r2 % bn.curve_order))
    return Proof(
        a=_from_g1(bn.multiply(a, inv)), b=_from_g2(new_b), c=_from_g1(bn.add(c, bn.multiply(a, r2)))
    )


def double_g1(p: tuple[int, int]) -> tuple[int, int]:
    return _from_g1(bn.double((bn.FQ(p[0]), bn.FQ(p[1]), bn.FQ.one())))


def double_g2(p) -> tuple:
    return _from_g2(bn.double(_g2_bn(p)))


def off_curve_g1(p: tuple[int, int]) -> tuple[int, int]:
    return p[0], (p[1] + 1) % Q


def intrinsic_gas(data: bytes) -> int:
    """21,000 + calldata (4 per zero byte, 16 per non-zero byte: EIP-2028)."""
    return 21_000 + sum(4 if b == 0 else 16 for b in data)


def eth_tester_web3():
    """A fresh in-process chain (py-evm), skipping when the `chain` extra is missing."""
    web3 = pytest.importorskip("web3")
    pytest.importorskip("eth_tester")
    return web3.Web3(web3.EthereumTesterProvider())


# --- dev nodes on loopback (anvil; ganache kept for the gas comparison) ---------------------------------


def _stop(proc: subprocess.Popen | None) -> None:
    """Stop a node this helper started (by its own pid): terminate, then kill after 15 s."""
    if proc is None:
        return
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    proc.stderr.close()


class Ganache:
    """`ganache` on a free loopback port, funded for ``keys``; a context manager that always stops it."""

    def __init__(self, keys: list[str], hardfork: str = "shanghai") -> None:
        node_tool("ganache")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        accounts = [f"--wallet.accounts={k},{10**21}" for k in keys]
        self._cmd = [str(NODE_BIN / "ganache"), "--server.host=127.0.0.1", f"--server.port={self.port}",
                     f"--chain.hardfork={hardfork}", "--logging.quiet", "--chain.chainId=1337", *accounts]
        self._proc: subprocess.Popen | None = None

    def __enter__(self) -> Ganache:
        self._proc = subprocess.Popen(self._cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise AssertionError(f"ganache exited early: {self._proc.stderr.read().decode()[-500:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return self
            except OSError:
                time.sleep(0.2)
        self.__exit__(None, None, None)
        raise AssertionError("ganache did not start listening within 60 s")

    def __exit__(self, *exc: object) -> None:
        _stop(self._proc)


ANVIL = ROOT / "node_modules" / "@foundry-rs" / "anvil-linux-amd64" / "bin" / "anvil"


class Anvil:
    """Foundry's anvil (pinned in package.json) on a free loopback port, with ``keys`` funded through
    ``anvil_setBalance``; a context manager that always stops the process it started (by its pid)."""

    def __init__(self, keys: list[str], hardfork: str = "shanghai") -> None:
        if not ANVIL.exists():
            pytest.skip("anvil not installed: run `npm ci` in the repo root")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.keys = keys
        self._cmd = [str(ANVIL), "--host", "127.0.0.1", "--port", str(self.port), "--chain-id", "1337",
                     "--hardfork", hardfork, "--silent", "--accounts", "0"]
        self._proc: subprocess.Popen | None = None

    def __enter__(self) -> Anvil:
        self._proc = subprocess.Popen(self._cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise AssertionError(f"anvil exited early: {self._proc.stderr.read().decode()[-500:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    break
            except OSError:
                time.sleep(0.1)
        else:
            self.__exit__(None, None, None)
            raise AssertionError("anvil did not start listening within 60 s")
        from eth_account import Account
        from web3 import Web3

        w3 = Web3(Web3.HTTPProvider(self.url))
        for key in self.keys:
            w3.provider.make_request("anvil_setBalance", [Account.from_key(key).address, hex(10**21)])
        return self

    def __exit__(self, *exc: object) -> None:
        _stop(self._proc)


def json_from_output(text: str) -> dict:
    """The JSON object a CLI command printed (the first {...} block of its stdout)."""
    match = re.search(r"\{.*\}", text, re.S)
    assert match, f"no JSON in output: {text!r}"
    return json.loads(match.group(0))
