"""Foundry tests of the contracts (verifier/foundry): `forge test` and `forge snapshot --check` must pass.

forge is the pinned npm binary (@foundry-rs/forge-linux-amd64 1.7.1), offline, compiling with the pinned
solc-js through verifier/foundry/solc. The fixtures it runs on (a committed test key, the verifier zkyield
generates from it, real zkyield proofs) are checked here first: the Solidity re-renders unchanged from the
committed JSON, and every proof verifies under snarkjs (an independent verifier) and zkyield. After the
forge run, the code forge built equals what zkyield.verifier.solc compiles (metadata trailer aside).
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.tools import ROOT, run_snarkjs

pytestmark = pytest.mark.snarkjs

PROJECT = ROOT / "verifier" / "foundry"
FORGE = ROOT / "node_modules" / "@foundry-rs" / "forge-linux-amd64" / "bin" / "forge"
FUZZ_RUNS, INVARIANT_RUNS, INVARIANT_CALLS = 256, 64, 64 * 32  # verifier/foundry/foundry.toml
# Fuzz inputs (so their mean/median gas) vary with forge's thread scheduling even under a fixed seed: the gas
# snapshot holds the deterministic tests only (GasTest: one operation each), fuzz and invariant tests still run.
SNAPSHOT_FILTER = ("--nmt", "testFuzz_|invariant_")
_RESULT = re.compile(r"^\[(PASS|FAIL)[^\]]*\] (\w+)\(.*?\) \((.*)\)$", re.M)


def _require_tools() -> None:
    if not FORGE.exists() or not (ROOT / "node_modules" / "solc").is_dir() or shutil.which("node") is None:
        pytest.skip("forge / solc-js not installed: run `npm ci` in the repo root")


def _fixtures_module():
    spec = importlib.util.spec_from_file_location("foundry_fixtures", PROJECT / "fixtures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_fixtures_are_what_the_generator_renders() -> None:
    _require_tools()
    for path, text in _fixtures_module().rendered().items():
        assert path.read_text() == text, (
            f"{path.relative_to(ROOT)} is stale: the generator renders it differently now; re-render with "
            "verifier/foundry/fixtures.py (rendered()) or run `python verifier/foundry/fixtures.py --new-key`"
        )


def test_fixture_proofs_verify_under_snarkjs_and_zkyield() -> None:
    _require_tools()
    from zkyield.formats.snarkjs_json import load_proof, load_public, load_vk
    from zkyield.groth16 import verify

    fixtures = _fixtures_module()
    vk_path = fixtures.FIXTURES / "verification_key.json"
    vk = load_vk(vk_path)
    for name, public in fixtures.statements().items():
        proof_path = fixtures.FIXTURES / "proofs" / f"{name}.proof.json"
        public_path = fixtures.FIXTURES / "proofs" / f"{name}.public.json"
        assert load_public(public_path) == public, name
        assert verify(vk, public, load_proof(proof_path)), name
        out = run_snarkjs("groth16", "verify", vk_path, public_path, proof_path).stdout
        assert "OK!" in out, f"snarkjs refused fixture proof {name}: {out[-300:]}"


def _runtime_code(hex_code: str) -> bytes:
    """Deployed bytecode without its CBOR metadata trailer (which hashes source paths; the code does not)."""
    code = bytes.fromhex(hex_code.removeprefix("0x"))
    return code[: -(int.from_bytes(code[-2:], "big") + 2)]


def _assert_forge_builds_what_zkyield_deploys(out: Path) -> None:
    """forge's solc (the wrapper) and zkyield.verifier.solc emit the same code for both contracts."""
    from zkyield.formats.snarkjs_json import load_vk
    from zkyield.verifier.solc import compile_contract
    from zkyield.verifier.solidity import contract_source, render_verifier

    vk = load_vk(PROJECT / "test" / "fixtures" / "verification_key.json")
    for name, source in (
        ("YieldAttestationRegistry", contract_source("YieldAttestationRegistry.sol")),
        ("Groth16Verifier", render_verifier(vk)),
    ):
        artifact = json.loads((out / f"{name}.sol" / f"{name}.json").read_text())
        ours = compile_contract(source, name).deployed_bytecode
        assert _runtime_code(artifact["deployedBytecode"]["object"]) == _runtime_code(ours), name


def _forge(*args: str, build: Path) -> subprocess.CompletedProcess:
    cmd = [str(FORGE), *args, "--out", str(build / "out"), "--cache-path", str(build / "cache")]
    return subprocess.run(cmd, cwd=PROJECT, capture_output=True, text=True, timeout=1800)


@pytest.mark.slow
def test_forge_test_and_gas_snapshot(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _require_tools()
    proc = _forge("test", build=tmp_path)
    results = _RESULT.findall(proc.stdout)
    summary = [f"{status} {name}: {detail}" for status, name, detail in results]
    with capsys.disabled():
        print("\nforge test (verifier/foundry):\n  " + "\n  ".join(summary))
    assert proc.returncode == 0, f"forge test failed:\n{proc.stdout[-6000:]}\n{proc.stderr[-2000:]}"
    assert len(results) >= 50 and all(status == "PASS" for status, _, _ in results), summary
    fuzz = [d for _, name, d in results if name.startswith("testFuzz_")]
    invariants = [d for _, name, d in results if name.startswith("invariant_")]
    assert len(fuzz) >= 25 and all(d.startswith(f"runs: {FUZZ_RUNS},") for d in fuzz), fuzz
    expected = f"runs: {INVARIANT_RUNS}, calls: {INVARIANT_CALLS},"
    assert len(invariants) >= 3 and all(d.startswith(expected) for d in invariants), invariants
    _assert_forge_builds_what_zkyield_deploys(tmp_path / "out")

    check = _forge("snapshot", "--check", *SNAPSHOT_FILTER, build=tmp_path)
    diffs = [line for line in check.stdout.splitlines() if line.startswith("Diff in")]
    rerun = f"forge snapshot --nmt '{SNAPSHOT_FILTER[1]}'"
    assert check.returncode == 0, (
        f"gas changed against verifier/foundry/.gas-snapshot (if intended, re-run `{rerun}` there):\n"
        + "\n".join(diffs or [check.stdout[-4000:], check.stderr[-2000:]])
    )
