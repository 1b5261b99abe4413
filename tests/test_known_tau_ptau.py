"""benchmarks/known_tau_ptau.py against snarkjs: its Lagrange sections and a snarkjs Groth16 round trip.

The closed-form L_i(τ) is checked against snarkjs's own ``prepare phase2`` (an FFT over the points) on the
same secrets, never against itself; the prepared file then carries a snarkjs setup, prove and verify.
"""

from __future__ import annotations

import random

import pytest

from benchmarks.known_tau_ptau import write_known_tau_ptau
from tests.support.r1cs_samples import chained_multiplications
from tests.support.tools import run_snarkjs
from zkyield.formats.ptau import read_ptau
from zkyield.formats.r1cs_bin import write_r1cs
from zkyield.formats.wtns_bin import write_wtns

POWER = 8


def _sections(path) -> dict[int, bytes]:
    p = read_ptau(path)
    return {s: bytes(p.box.data[o : o + n]) for s, [(o, n)] in p.box.sections.items()}


@pytest.mark.snarkjs
def test_lagrange_sections_match_snarkjs_prepare_phase2(tmp_path):
    ours, raw, theirs = tmp_path / "ours.ptau", tmp_path / "raw.ptau", tmp_path / "theirs.ptau"
    write_known_tau_ptau(POWER, ours, progress=lambda _: None, draw=random.Random(7).randrange)
    write_known_tau_ptau(POWER, raw, progress=lambda _: None, prepared=False, draw=random.Random(7).randrange)
    assert not read_ptau(raw).prepared
    run_snarkjs("powersoftau", "prepare", "phase2", raw, theirs)
    mine, snarkjs = _sections(ours), _sections(theirs)
    assert sorted(mine) == sorted(snarkjs) == [1, 2, 3, 4, 5, 6, 7, 12, 13, 14, 15]
    for section in (12, 13, 14, 15):
        assert mine[section] == snarkjs[section], f"section {section} differs from snarkjs prepare phase2"
    assert ours.read_bytes() == theirs.read_bytes()


@pytest.mark.snarkjs
def test_snarkjs_groth16_on_the_prepared_file(tmp_path):
    pot = write_known_tau_ptau(POWER, tmp_path / "pot.ptau", progress=lambda _: None)
    # Domain exactly 2^POWER, so setup reads section 12's extra size 2^(POWER+1) for the H points.
    r1cs, witness = chained_multiplications(4, (1 << POWER) - 4 - 2)
    write_r1cs(r1cs, tmp_path / "c.r1cs")
    write_wtns(witness, tmp_path / "c.wtns")
    run_snarkjs("groth16", "setup", "c.r1cs", pot, "c.zkey", cwd=tmp_path)
    run_snarkjs("zkey", "export", "verificationkey", "c.zkey", "vk.json", cwd=tmp_path)
    run_snarkjs("groth16", "prove", "c.zkey", "c.wtns", "proof.json", "public.json", cwd=tmp_path)
    assert "OK!" in run_snarkjs("groth16", "verify", "vk.json", "public.json", "proof.json", cwd=tmp_path).stdout
