"""End to end: a DSL-built circuit proves with zkyield's Groth16 and, exported, with snarkjs."""

from __future__ import annotations

import json
import re
import subprocess
from functools import cache

import pytest

from tests.support.tools import node_tool, run_snarkjs
from zkyield.dsl import Circuit, CompiledCircuit
from zkyield.gadgets.compare import assert_less_eq, greater_than
from zkyield.gadgets.fixedpoint import FixedPoint

groth16 = pytest.importorskip("zkyield.groth16.prover", reason="Groth16 prover not there yet")
r1cs_bin = pytest.importorskip("zkyield.formats.r1cs_bin", reason=".r1cs writer not there yet")
wtns_bin = pytest.importorskip("zkyield.formats.wtns_bin", reason=".wtns writer not there yet")

FP = FixedPoint(10**6, 32)
INPUTS = {"prices": [FP.encode("1.25"), FP.encode("3000"), FP.encode("0.5")], "threshold": FP.encode("100"),
          "amounts": [FP.encode("10"), FP.encode("0.05"), FP.encode("7.5")]}
TOTAL = FP.encode(10 * 1.25 + 0.05 * 3000 + 7.5 * 0.5)  # 166.25: exact in binary and decimal


@cache
def portfolio() -> CompiledCircuit:
    """Position values at a fixed-point scale, their sum exposed, a threshold proven privately."""
    c = Circuit("main")
    prices = c.public_input("prices", length=3)
    threshold = c.public_input("threshold")
    amounts = c.private_input("amounts", length=3)
    values = []
    for i, (a, p) in enumerate(zip(amounts, prices, strict=True)):
        with c.scope("value"), c.scope(f"pos[{i}]"):
            values.append(FP.mul(c, a, p))
    total = FP.sum(c, values)
    with c.scope("threshold"):
        assert_less_eq(c, threshold, total, 34)
    c.output("total", total)
    c.output("above_1000", greater_than(c, total, FP.encode(1000), 34))
    return c.compile()


def test_portfolio_witness_values() -> None:
    cc = portfolio()
    w = cc.witness(INPUTS)
    assert cc.outputs(w) == {"total": TOTAL, "above_1000": 0}
    assert cc.public_signals(w) == [TOTAL, 0, *INPUTS["prices"], INPUTS["threshold"]]


@pytest.fixture(scope="module")
def keys():
    from zkyield.groth16 import setup

    return setup(portfolio().r1cs)


def test_dsl_circuit_proves_and_verifies_with_zkyield_groth16(keys) -> None:
    from zkyield.errors import ConstraintError
    from zkyield.groth16 import prove, verify

    pk, vk = keys
    cc = portfolio()
    w = cc.witness(INPUTS)
    proof = prove(pk, cc.r1cs, w)
    public = cc.public_signals(w)
    assert verify(vk, public, proof)
    assert not verify(vk, [public[0] + 1, *public[1:]], proof)  # a different claimed total
    # A prover that lies in a hint (the first position's quotient) is refused before any proof exists.
    q = cc.wires_named("value/pos[0]/fx_mul/div_floor/q")[0]
    bad = cc.witness(INPUTS, overrides={q: w[q] + 1}, check=False)
    with pytest.raises(ConstraintError, match="value/pos\\[0\\]/fx_mul/div_floor"):
        prove(pk, cc.r1cs, bad)


@pytest.mark.snarkjs
def test_exported_r1cs_and_wtns_prove_and_verify_in_snarkjs(tmp_path, ptau_2_10) -> None:
    cc = portfolio()
    w = cc.witness(INPUTS)
    r1cs_bin.write_r1cs(cc.r1cs, tmp_path / "c.r1cs")
    wtns_bin.write_wtns(w, tmp_path / "c.wtns")
    cc.write_sym(tmp_path / "c.sym")

    info = run_snarkjs("r1cs", "info", tmp_path / "c.r1cs").stdout
    assert re.search(rf"# of Constraints: {cc.n_constraints}\b", info)
    assert re.search(rf"# of Wires: {cc.n_wires}\b", info)
    assert "WITNESS IS CORRECT" in run_snarkjs("wtns", "check", tmp_path / "c.r1cs", tmp_path / "c.wtns").stdout

    run_snarkjs("groth16", "setup", tmp_path / "c.r1cs", ptau_2_10, tmp_path / "c.zkey")
    run_snarkjs("zkey", "export", "verificationkey", tmp_path / "c.zkey", tmp_path / "vk.json")
    run_snarkjs("groth16", "prove", tmp_path / "c.zkey", tmp_path / "c.wtns", tmp_path / "proof.json",
                tmp_path / "public.json")
    public = [int(x) for x in json.loads((tmp_path / "public.json").read_text())]
    assert public == cc.public_signals(w)
    out = run_snarkjs("groth16", "verify", tmp_path / "vk.json", tmp_path / "public.json", tmp_path / "proof.json")
    assert "OK!" in out.stdout


@pytest.mark.snarkjs
def test_snarkjs_rejects_a_tampered_dsl_witness_and_reads_our_symbols(tmp_path) -> None:
    cc = portfolio()
    w = cc.witness(INPUTS)
    q = cc.wires_named("value/pos[1]/fx_mul/div_floor/q")[0]
    r1cs_bin.write_r1cs(cc.r1cs, tmp_path / "c.r1cs")
    wtns_bin.write_wtns(cc.witness(INPUTS, overrides={q: w[q] - 1}, check=False), tmp_path / "bad.wtns")
    bad = run_snarkjs("wtns", "check", tmp_path / "c.r1cs", tmp_path / "bad.wtns", check=False)
    assert bad.returncode != 0 and "WITNESS IS CORRECT" not in bad.stdout
    cc.write_sym(tmp_path / "c.sym")
    # snarkjs exits before a pipe drains its long output, so let it print into a file.
    with open(tmp_path / "print.txt", "w") as out:
        subprocess.run([str(node_tool("snarkjs")), "r1cs", "print", str(tmp_path / "c.r1cs"), str(tmp_path / "c.sym")],
                       stdout=out, stderr=subprocess.STDOUT, timeout=600, check=True)
    printed = (tmp_path / "print.txt").read_text()
    assert len(printed.splitlines()) == cc.n_constraints
    assert "main.value.pos[1].fx_mul.div_floor.q" in printed and "main.amounts[2]" in printed
