"""Groth16 proving: key and witness checks, the blinding (r, s), and the backend choice per call.

As arkworks's ``create_proof(…, r, s)`` beside ``create_random_proof(…, rng)``: ``prove`` draws a fresh
``Blinding`` from ``secrets`` for every proof unless the caller passes one (known-answer tests, and the
check that both backends give the identical proof). The algebra lives twice, under one signature:
``prover_native.prove_rows`` (C backend, packed buffers) and ``prover_python.prove_rows`` (the reference);
``zkyield._native.native()`` picks one at call time (``with zkyield._native.pure_python():`` forces Python).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from zkyield._native import native
from zkyield.errors import ConstraintError, InputError
from zkyield.field import R
from zkyield.groth16 import prover_native, prover_python
from zkyield.groth16.keys import Proof, ProvingKey
from zkyield.groth16.qap import row_evaluations
from zkyield.r1cs import R1CS

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Blinding:
    """The prover's (r, s). Whoever knows them and the proof can test guesses of the witness, so a real
    proof takes ``Blinding.fresh()`` (the default) and the values never appear in a repr or a log."""

    r: int = field(repr=False)
    s: int = field(repr=False)

    def __post_init__(self) -> None:
        for name in ("r", "s"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < R:
                raise InputError(f"blinding: {name} must be an Fr element (an int with 0 <= {name} < r)")

    @classmethod
    def fresh(cls) -> Blinding:
        """Uniform r, s from ``secrets``: what makes two proofs of one witness unlinkable."""
        return cls(secrets.randbelow(R), secrets.randbelow(R))


def check_key_matches(pk: ProvingKey, circuit_digest: bytes) -> None:
    """Refuse a proving key made for another circuit (``R1CS.digest``) before doing any work."""
    if pk.circuit_digest != circuit_digest:
        raise InputError("proving key: made for another circuit (circuit digest differs); run setup for this one")


def prove(
    pk: ProvingKey,
    r1cs: R1CS,
    witness: Sequence[int],
    progress: Progress | None = None,
    *,
    blinding: Blinding | None = None,
) -> Proof:
    """A zero-knowledge proof that ``witness`` satisfies ``r1cs``; two calls give different proofs."""
    check_key_matches(pk, r1cs.digest())
    r1cs.validate_witness_shape(witness)
    a, b, c = row_evaluations(r1cs, witness, pk.domain_size)
    for i in range(r1cs.n_constraints):  # R1CS.check on the rows already computed for the QAP
        if a[i] * b[i] % R != c[i]:
            raise ConstraintError(i, r1cs.label(i))
    return prove_from_rows(pk, witness, a, b, c, progress, blinding=blinding)


def prove_from_rows(
    pk: ProvingKey,
    witness: Sequence[int],
    a: Sequence[int],
    b: Sequence[int],
    c: Sequence[int],
    progress: Progress | None = None,
    *,
    blinding: Blinding | None = None,
) -> Proof:
    """The prover's core from the QAP row evaluations <A_i,w>, <B_i,w>, <C_i,w> (domain-sized lists).

    Shared by ``prove`` (rows from an R1CS) and provers whose key carries the rows itself (.zkey).
    """
    say = progress or (lambda _msg: None)
    if len(witness) != pk.n_wires or not len(a) == len(b) == len(c) == pk.domain_size:
        raise InputError(f"witness: has {len(witness)} values but the proving key expects {pk.n_wires}")
    blind = blinding if blinding is not None else Blinding.fresh()
    backend = prover_python if native() is None else prover_native
    return backend.prove_rows(pk, witness, (a, b, c), blind.r, blind.s, say)
