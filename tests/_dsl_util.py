"""Helpers for DSL and gadget tests: playing a malicious prover against a compiled circuit."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence

import pytest

from zkyield.dsl import CompiledCircuit
from zkyield.errors import ConstraintError

R = 21888242871839275222246405745257275088548364400416034343698204186575808495617  # BN254 r (py_ecc curve_order)


def assert_rejected(cc: CompiledCircuit, witness: Sequence[int], label_part: str) -> ConstraintError:
    """R1CS.check must fail, at a constraint whose label names the gadget that caught the lie."""
    with pytest.raises(ConstraintError) as exc:
        cc.r1cs.check(witness)
    assert label_part in exc.value.label, exc.value.label
    return exc.value


def tamper(cc: CompiledCircuit, inputs: Mapping[str, object], overrides: Mapping[int, int]) -> list[int]:
    """A witness where the given wires are replaced and everything after them computed honestly."""
    w = cc.witness(inputs, overrides=overrides, check=False)
    for wire, value in overrides.items():
        assert w[wire] == value % R
    return w


def satisfying_assignments(cc: CompiledCircuit, inputs: Mapping[str, object], wires: Sequence[int],
                           candidates: Iterable[int]) -> list[list[int]]:
    """Every choice of values (from ``candidates``) for ``wires`` that satisfies the R1CS: a brute-force
    malicious prover for small circuits."""
    cands = list(candidates)
    found = []
    for choice in itertools.product(cands, repeat=len(wires)):
        w = cc.witness(inputs, overrides=dict(zip(wires, choice, strict=True)), check=False)
        if cc.r1cs.is_satisfied(w):
            found.append(w)
    return found
