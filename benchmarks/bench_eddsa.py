"""EdDSA-Poseidon signature checks in circuit: constraints per signature, witness time, Groth16 prove time.

Circuits with 1, 2 and 4 checks (distinct keys, public messages, private signatures); setup runs once
per size outside the timing. Run: ``python3 -m pytest benchmarks/bench_eddsa.py`` (pytest-benchmark),
or ``python3 benchmarks/bench_eddsa.py`` for the constraint table alone. circomlib's count comes from
compiling its EdDSAPoseidonVerifier with the pinned circom2 at --O2, when node tools are installed.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from functools import cache, lru_cache
from pathlib import Path

import pytest
from _bench_util import record

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from zkyield import eddsa  # noqa: E402
from zkyield.dsl import Circuit  # noqa: E402
from zkyield.gadgets.eddsa import eddsa_poseidon_verify  # noqa: E402
from zkyield.groth16 import prove, setup, verify  # noqa: E402

COUNTS = (1, 2, 4)


@cache
def _circuit(n: int):
    """Compiled circuit checking n signatures, its inputs, and the constraints one check adds."""
    c = Circuit(f"eddsa_x{n}")
    per_check = []
    for i in range(n):
        a = c.private_input(f"A{i}", 2)
        m = c.public_input(f"M{i}")
        r8 = c.private_input(f"R8_{i}", 2)
        s = c.private_input(f"S{i}")
        before = c.n_constraints
        eddsa_poseidon_verify(c, a, m, r8, s)
        per_check.append(c.n_constraints - before)
    inputs = {}
    for i in range(n):
        key = bytes([i + 1]) * 32
        sig = eddsa.sign(key, 1000 + i)
        inputs |= {f"A{i}": list(eddsa.public_key(key)), f"M{i}": 1000 + i, f"R8_{i}": list(sig.R8), f"S{i}": sig.S}
    return c.compile(), inputs, per_check[0]


@lru_cache(maxsize=1)
def _keys(n: int):
    compiled, _, _ = _circuit(n)
    return setup(compiled.r1cs)


def circomlib_cost() -> int | None:
    """circom2 --O2 constraints of circomlib's EdDSAPoseidonVerifier, or None without node tools."""
    circom = ROOT / "node_modules" / ".bin" / "circom2"
    if not circom.exists():
        return None
    from zkyield.formats.r1cs_bin import read_r1cs

    modules = (ROOT / "node_modules").resolve()  # circom2 (wasm) follows no symlink out of its cwd
    with tempfile.TemporaryDirectory() as d:
        src = Path(d) / "e.circom"
        src.write_text('pragma circom 2.0.0;\ninclude "circomlib/circuits/eddsaposeidon.circom";\n'
                       "component main = EdDSAPoseidonVerifier();\n")
        subprocess.run([str(circom), str(src), "--r1cs", "--O2", "-o", d, "-l", str(modules)],
                       check=True, capture_output=True, timeout=600, cwd=modules.parent)
        return read_r1cs(Path(d) / "e.r1cs").n_constraints


@pytest.mark.parametrize("n", COUNTS)
def test_witness(benchmark, n: int) -> None:
    compiled, inputs, per_check = _circuit(n)
    record(benchmark, lambda: compiled.witness(inputs), rounds=3, signatures=n, constraints=compiled.n_constraints,
           constraints_per_signature=per_check)


@pytest.mark.parametrize("n", COUNTS)
def test_prove(benchmark, n: int) -> None:
    compiled, inputs, per_check = _circuit(n)
    pk, vk = _keys(n)
    witness = compiled.witness(inputs)
    proof = record(benchmark, lambda: prove(pk, compiled.r1cs, witness), rounds=2, signatures=n,
                   constraints=compiled.n_constraints, domain_size=pk.domain_size,
                   constraints_per_signature=per_check)
    assert verify(vk, compiled.public_signals(witness), proof)


def main() -> None:
    ref = circomlib_cost()
    print(f"circomlib EdDSAPoseidonVerifier (circom2 --O2): {ref if ref is not None else 'n/a (no node tools)'}")
    for n in COUNTS:
        compiled, _, per_check = _circuit(n)
        print(f"{n} signature(s): {compiled.n_constraints} constraints, {per_check} per check")


if __name__ == "__main__":
    main()
