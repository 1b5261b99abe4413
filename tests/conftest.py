"""Shared test fixtures: the pinned npm reference tools and hypothesis profiles."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parents[1]
NODE_BIN = ROOT / "node_modules" / ".bin"

settings.register_profile(
    "default", deadline=None, max_examples=25, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("ci", deadline=None, max_examples=50, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ci" if os.environ.get("CI") else "default")


def node_tool(name: str) -> Path:
    """Path of a pinned npm tool; skips the test when node_modules was not installed."""
    path = NODE_BIN / name
    if not path.exists() or shutil.which("node") is None:
        pytest.skip(f"{name} not installed: run `npm ci` in the repo root")
    return path


def run_snarkjs(*args: str | os.PathLike, cwd: Path | None = None, check: bool = True) -> subprocess.CompletedProcess:
    """Run the pinned snarkjs CLI; snarkjs signals failure through its exit code and output."""
    cmd = [str(node_tool("snarkjs")), *map(str, args)]
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=600)
    if check and proc.returncode != 0:
        shown = " ".join(map(str, args))
        raise AssertionError(f"snarkjs {shown} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


def snarkjs_setup(r1cs: str | os.PathLike, ptau: str | os.PathLike, zkey: str | os.PathLike) -> Path:
    """``snarkjs groth16 setup`` plus one ``zkey contribute``: a key zkyield accepts.

    The setup's own key has no contribution (delta = gamma = the generator), so anyone could forge
    proofs with it and zkyield refuses it (zkyield.groth16.keys.VerifyingKey.check_sound).
    """
    zkey = Path(zkey)
    initial = zkey.with_name(zkey.stem + "_0000.zkey")
    run_snarkjs("groth16", "setup", r1cs, ptau, initial)
    run_snarkjs("zkey", "contribute", initial, zkey, "--name=test", "-e=zkyield test entropy")
    return zkey


def run_node(script: str, *args: str, cwd: Path | None = None) -> str:
    """Run a node script with the repo's node_modules on the path; returns stdout."""
    node_tool("snarkjs")
    proc = subprocess.run(
        ["node", "-e", script, *args], cwd=cwd or ROOT, capture_output=True, text=True, timeout=600,
        env={**os.environ, "NODE_PATH": str(ROOT / "node_modules")},
    )
    if proc.returncode != 0:
        raise AssertionError(f"node script failed ({proc.returncode}):\n{proc.stderr}")
    return proc.stdout


def compile_circom(source: str, workdir: Path, name: str = "circuit") -> Path:
    """Compile circom source with circom2 (wasm) to .r1cs, .sym and a wasm witness generator."""
    circom = node_tool("circom2")
    src = workdir / f"{name}.circom"
    src.write_text(source)
    # circom2 (wasm) resolves paths and `include "circomlib/..."` against its working directory.
    proc = subprocess.run(
        [str(circom), str(src.resolve()), "--r1cs", "--wasm", "--sym", "-o", str(workdir.resolve()),
         "-l", str(ROOT / "node_modules")],
        capture_output=True, text=True, timeout=600, cwd=ROOT,
    )
    if proc.returncode != 0:
        raise AssertionError(f"circom2 failed:\n{proc.stdout}\n{proc.stderr}")
    return workdir / f"{name}.r1cs"


def circom_witness(workdir: Path, inputs: dict, name: str = "circuit") -> Path:
    """Compute a .wtns for a circom2-compiled circuit with snarkjs (its wasm witness calculator)."""
    input_path = workdir / f"{name}_input.json"
    input_path.write_text(json.dumps(inputs))
    wtns = workdir / f"{name}.wtns"
    run_snarkjs("wtns", "calculate", workdir / f"{name}_js" / f"{name}.wasm", input_path, wtns)
    return wtns


@pytest.fixture(scope="session")
def ptau_2_10(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A phase-2-ready powers-of-tau file (2^10) made once per session by snarkjs (no download)."""
    d = tmp_path_factory.mktemp("ptau")
    p0, p1, final = d / "pot_0.ptau", d / "pot_1.ptau", d / "pot_final.ptau"
    run_snarkjs("powersoftau", "new", "bn128", "10", p0)
    run_snarkjs("powersoftau", "contribute", p0, p1, "--name=test", "-e=zkyield test entropy")
    run_snarkjs("powersoftau", "prepare", "phase2", p1, final)
    return final


def pytest_terminal_summary(terminalreporter) -> None:
    """Print how many fuzz inputs each loader was fed (tests/test_fuzz_loaders.py)."""
    from tests._fuzz_stats import TRIED

    if TRIED:
        terminalreporter.write_sep("-", "fuzzed loaders (inputs tried)")
        for loader, n in sorted(TRIED.items()):
            terminalreporter.write_line(f"{loader:<18} {n}")
        terminalreporter.write_line(f"{'total':<18} {sum(TRIED.values())}")


# --- an in-process EVM (py-evm through web3's EthereumTesterProvider), one per test module --------------


@pytest.fixture(scope="module")
def w3():
    from _chain_util import eth_tester_web3

    return eth_tester_web3()


@pytest.fixture(scope="module")
def owner(w3):
    from zkyield.verifier import chain

    return chain.Sender(w3.eth.accounts[0])


@pytest.fixture(scope="module")
def stranger(w3):
    from zkyield.verifier import chain

    return chain.Sender(w3.eth.accounts[1])
