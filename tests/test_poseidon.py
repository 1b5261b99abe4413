"""Poseidon: constants, out-of-circuit hash and the circuit gadget against circomlib/circomlibjs."""

from __future__ import annotations

import json
import random
import subprocess
from functools import cache

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.support.poseidon import circomlibjs_poseidon
from tests.support.tools import ROOT, node_tool
from zkyield.dsl.circuit import Circuit
from zkyield.errors import ConstraintError, FieldError, InputError
from zkyield.field import R
from zkyield.formats.r1cs_bin import read_r1cs
from zkyield.gadgets.poseidon import poseidon_gadget
from zkyield.poseidon import permutation, poseidon, sbox
from zkyield.poseidon_constants import N_ROUNDS_P, params

EDGE = (0, 1, R - 1)
CIRCOMLIBJS_CONSTANTS = ROOT / "node_modules" / "circomlibjs" / "src" / "poseidon_constants.json"


def test_derived_constants_equal_circomlibjs_tables_at_every_width() -> None:
    if not CIRCOMLIBJS_CONSTANTS.exists():
        pytest.skip("circomlibjs not installed: run `npm ci` in the repo root")
    ref = json.loads(CIRCOMLIBJS_CONSTANTS.read_text())
    for t in range(2, 18):
        p = params(t)
        assert p.n_rounds_p == N_ROUNDS_P[t - 2]
        assert [c for row in p.constants for c in row] == [int(x, 16) for x in ref["C"][t - 2]], t
        assert [list(row) for row in p.mds] == [[int(x, 16) for x in row] for row in ref["M"][t - 2]], t


def test_published_circomlib_vectors() -> None:
    # circomlibjs test/poseidon.js: Poseidon([1, 2]) and Poseidon([1, 2, 3, 4]).
    assert poseidon([1, 2]) == 0x115CC0F5E7D690413DF64C6B9662E9CF2A3617F2743245519E19607A4417189A
    assert poseidon([1, 2, 3, 4]) == 0x299C867DB6C1FDD79DCEFA40E4510B9837E60EBB1CE0663DBAA525DF65250465


def test_poseidon_equals_circomlibjs_on_random_and_edge_inputs_at_every_width(tmp_path) -> None:
    rng = random.Random(20240611)
    vectors = []
    for n in range(1, 17):
        vectors.append([rng.randrange(R) for _ in range(n)])
        vectors.append([rng.choice(EDGE) for _ in range(n)])
        vectors.append([R - 1] * n)
    vectors.append([0] * 16)
    assert [poseidon(v) for v in vectors] == circomlibjs_poseidon(vectors, tmp_path)


def test_sbox_is_a_permutation_of_fr() -> None:
    # x^5 is invertible on Fr exactly when gcd(5, r - 1) = 1; its inverse exponent undoes it.
    inv = pow(5, -1, R - 1)
    for x in (*EDGE, 2, 12345678901234567890):
        assert pow(sbox(x), inv, R) == x


def test_rejects_wrong_input_counts() -> None:
    with pytest.raises(InputError, match="1..16"):
        poseidon([])
    with pytest.raises(InputError, match="1..16"):
        poseidon(list(range(17)))
    with pytest.raises(ValueError, match="width"):
        params(18)


@given(st.lists(st.integers(min_value=R, max_value=2 * R + 5), min_size=1, max_size=16), st.data())
def test_rejects_non_canonical_inputs(bad: list[int], data: st.DataObject) -> None:
    pos = data.draw(st.integers(min_value=0, max_value=len(bad) - 1))
    good = [v % R for v in bad]
    poseidon(good)
    mixed = [*good[:pos], bad[pos], *good[pos + 1 :]]
    with pytest.raises(FieldError, match=rf"input\[{pos}\]"):
        poseidon(mixed)
    with pytest.raises(FieldError):
        poseidon([*good[:pos], -1, *good[pos + 1 :]])
    with pytest.raises(FieldError):
        poseidon([*good[:pos], True, *good[pos + 1 :]])


@given(st.lists(st.sampled_from(EDGE) | st.integers(0, R - 1), min_size=1, max_size=16))
def test_hash_is_state_zero_of_the_permutation_and_input_sensitive(inputs: list[int]) -> None:
    h = poseidon(inputs)
    assert h == permutation([0, *inputs])[0]
    tweaked = list(inputs)
    tweaked[-1] = (tweaked[-1] + 1) % R
    assert poseidon(tweaked) != h
    if len(inputs) < 16:  # widths are separate functions: a trailing zero changes the hash
        assert poseidon([*inputs, 0]) != h


# -- the circuit gadget ----------------------------------------------------------------------------

# circom 2's --O2 count for circomlib Poseidon(n) is 3 * (8t + R_P) - 3 (measured for n = 2: 240,
# n = 16: 609); the test below re-measures it with circom2 instead of trusting this formula.
def _expected_cost(n: int) -> int:
    return 3 * (8 * (n + 1) + N_ROUNDS_P[n - 1]) - 3


@cache
def _hash_circuit(n: int):
    """Circuit with private inputs x[n] and one public output h = Poseidon(x); also its gadget cost."""
    c = Circuit(f"poseidon{n}")
    xs = c.private_input("x", n)
    before = c.n_constraints
    h = poseidon_gadget(c, xs)
    cost = c.n_constraints - before
    c.output("h", h)
    return c.compile(), cost


def test_gadget_equals_the_hash_and_circomlib_cost_at_every_width() -> None:
    rng = random.Random(5)
    for n in range(1, 17):
        compiled, cost = _hash_circuit(n)
        assert cost == _expected_cost(n), n
        inputs = [rng.randrange(R) for _ in range(n)]
        witness = compiled.witness({"x": inputs})
        assert compiled.r1cs.public_inputs(witness) == [poseidon(inputs)]


def _circomlib_o2_constraints(n: int, workdir) -> int:
    circom = node_tool("circom2")
    src = workdir / f"p{n}.circom"
    src.write_text(
        'pragma circom 2.0.0;\ninclude "circomlib/circuits/poseidon.circom";\n'
        f"component main = Poseidon({n});\n"
    )
    subprocess.run([str(circom), str(src), "--r1cs", "--O2", "-o", str(workdir), "-l", str(ROOT / "node_modules")],
                   check=True, capture_output=True, timeout=600, cwd=ROOT)
    return read_r1cs(workdir / f"p{n}.r1cs").n_constraints


@pytest.mark.parametrize("n", [2, pytest.param(1, marks=pytest.mark.slow), pytest.param(16, marks=pytest.mark.slow)])
def test_gadget_costs_no_more_than_circom_o2_circomlib(n: int, tmp_path) -> None:
    assert _hash_circuit(n)[1] <= _circomlib_o2_constraints(n, tmp_path)


def test_constant_inputs_fold_at_build_time() -> None:
    c = Circuit()
    x = c.private_input("x")
    h = poseidon_gadget(c, [7, x])
    assert c.n_constraints == _expected_cost(2) - 3  # the constant lane's first S-box is free
    k = poseidon_gadget(c, [1, 2])
    assert k.constant == poseidon([1, 2])
    c.output("h", h)
    compiled = c.compile()
    assert compiled.r1cs.public_inputs(compiled.witness({"x": 9})) == [poseidon([7, 9])]


@pytest.mark.parametrize("n", [1, 2, 5])
def test_tampered_sbox_wires_are_rejected(n: int) -> None:
    compiled, _ = _hash_circuit(n)
    inputs = list(range(3, 3 + n))
    honest = compiled.witness({"x": inputs})
    rounds = params(n + 1).n_rounds_f + params(n + 1).n_rounds_p
    # Product wires of the first, a partial and the last round: x^2, x^4 and x^5 of each S-box.
    for r in (0, 4, rounds // 2, rounds - 1):
        wires = [w for w, name in enumerate(compiled.var_names) if name.startswith(f"poseidon{n}/round{r}/")]
        # The last round's output row is linear in the public hash, so simplification solves one S-box
        # output from it (the product constraint then reads that expression): one wire fewer there.
        full = 3 * (n + 1) - (1 if r == rounds - 1 else 0)
        assert len(wires) in (3, 3 * n, full)
        for wire in wires:
            for forged in ((honest[wire] + 1) % R, 0):
                if forged == honest[wire]:
                    continue
                tampered = compiled.witness({"x": inputs}, overrides={wire: forged}, check=False)
                assert tampered[wire] == forged
                with pytest.raises(ConstraintError, match=f"poseidon{n}/round{r}"):
                    compiled.r1cs.check(tampered)
                # Even the honest output beside the forged wire does not satisfy the system.
                tampered[1] = honest[1]
                assert not compiled.r1cs.is_satisfied(tampered)


def test_a_wrong_output_is_rejected() -> None:
    compiled, _ = _hash_circuit(2)
    w = compiled.witness({"x": [1, 2]})
    assert w[1] == poseidon([1, 2])
    w[1] = (w[1] + 1) % R
    with pytest.raises(ConstraintError):
        compiled.r1cs.check(w)


@given(st.lists(st.sampled_from(EDGE) | st.integers(0, R - 1), min_size=3, max_size=3))
def test_gadget_witness_satisfies_and_equals_the_hash_on_edge_values(inputs: list[int]) -> None:
    compiled, _ = _hash_circuit(3)
    witness = compiled.witness({"x": inputs})
    assert witness[1] == poseidon(inputs)


def test_partial_phase_coefficients_equal_the_lanes_tracked_round_by_round() -> None:
    """``_partial_phase`` reads its coefficients off powers of M·P; here every lane is carried as
    a column of coefficients through every round (the plain derivation) at every width."""
    from zkyield.gadgets.poseidon import _partial_phase

    def mat_vec(m, v):
        return [sum(a * b for a, b in zip(row, v, strict=True)) % R for row in m]

    for t in range(2, 18):
        p = params(t)
        columns = [[row[j] for row in p.mds] for j in range(t)]
        const, sbox_inputs = [0] * t, []
        for k in range(p.n_rounds_p):
            const = [(a + c) % R for a, c in zip(const, p.constants[p.n_rounds_f // 2 + k], strict=True)]
            sbox_inputs.append((*(col[0] for col in columns), const[0]))
            for col in columns:
                col[0] = 0
            const[0] = 0
            columns = [mat_vec(p.mds, col) for col in [*columns, [1] + [0] * (t - 1)]]
            const = mat_vec(p.mds, const)
        phase = _partial_phase(t)
        assert phase.sbox_inputs == tuple(sbox_inputs), t
        assert phase.final == tuple((*(col[i] for col in columns), const[i]) for i in range(t)), t
