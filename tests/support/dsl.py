"""Helpers for DSL and gadget tests: playing a malicious prover against a compiled circuit."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence

import pytest

from zkyield.dsl import CompiledCircuit
from zkyield.dsl.program import KIND_PRV, KIND_PUB, OP_COPY, OP_MUL
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


def builder_witness(cc: CompiledCircuit, inputs: Mapping[str, object]) -> list[int]:
    """The witness as the builder's own recording defines it: its steps run in builder variable order
    (not the frozen program), mapped to wires at the end. An independent check of freezing, renumbering
    and the program file: every runner must agree with it."""
    from zkyield.dsl import hints

    builder = cc._owner
    vals = [0] * len(builder._kinds)
    vals[0] = 1
    for sig in builder._signals.values():
        if sig.kind in (KIND_PUB, KIND_PRV):
            raw = inputs[sig.name]
            for var, x in zip(sig.variables, raw if sig.is_array else [raw], strict=True):
                vals[var] = int(x)

    def ev(lc: dict[int, int]) -> int:
        return sum(vals[v] * k for v, k in lc.items()) % R

    def arg(a: object) -> object:
        if isinstance(a, (list, tuple)):
            return [arg(x) for x in a]
        return a % R if isinstance(a, int) else ev(a.lc)  # type: ignore[attr-defined]

    for step in builder._steps:
        if step[0] == OP_MUL:
            vals[step[1]] = ev(step[2]) * ev(step[3]) % R
        elif step[0] == OP_COPY:
            vals[step[1]] = ev(step[2])
        else:
            _, variables, name, args, _label, scalar = step
            out = hints.lookup(name)(*[arg(a) for a in args])
            for var, x in zip(variables, [out] if scalar else out, strict=True):
                vals[var] = x % R
    w = [0] * cc.n_wires
    for var, slot in enumerate(cc.slot_of_var):
        if slot < cc.n_wires:
            w[slot] = vals[var]
    return w
