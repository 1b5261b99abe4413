"""Rank-1 constraint systems: the contract between circuit builders and the prover.

Wire layout follows circom/snarkjs: wire 0 is the constant 1, then the public outputs,
then the public inputs, then private inputs and internal wires. A constraint is
``<A, w> * <B, w> = <C, w>`` with each side a sparse linear combination (wire -> coefficient).
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Sequence
from dataclasses import dataclass, field

from zkyield._native.lc_codec import encode
from zkyield.errors import ConstraintError, InputError
from zkyield.field import R

LinearCombination = dict[int, int]


@dataclass(frozen=True)
class Constraint:
    a: LinearCombination
    b: LinearCombination
    c: LinearCombination


@dataclass
class R1CS:
    """A constraint system over BN254's scalar field.

    ``labels[i]`` names constraint ``i`` (e.g. ``concentration/pos[3]/less_than``) so a failing
    witness can be traced to the code that emitted it; ``wire_labels`` maps wires to the label ids
    of the symbol map (identity unless a builder says otherwise).
    """

    n_wires: int
    n_pub_out: int
    n_pub_in: int
    n_prv_in: int
    constraints: list[Constraint]
    labels: list[str] = field(default_factory=list)
    wire_labels: list[int] | None = None
    n_labels: int | None = None  # circom's symbol count; may exceed the largest label in wire_labels
    _digest: bytes | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def n_public(self) -> int:
        """Public values passed to the verifier (outputs then inputs; wire 0 excluded)."""
        return self.n_pub_out + self.n_pub_in

    @property
    def n_constraints(self) -> int:
        return len(self.constraints)

    def label(self, index: int) -> str:
        return self.labels[index] if index < len(self.labels) and self.labels[index] else f"#{index}"

    def validate_witness_shape(self, witness: Sequence[int]) -> None:
        """Check length, the constant wire and canonical range; raise InputError naming the wire."""
        check_witness_shape(witness, self.n_wires)

    def first_unsatisfied(self, witness: Sequence[int]) -> int | None:
        """Index of the first constraint the witness violates, or None if all hold."""
        for i, con in enumerate(self.constraints):
            a = sum(witness[k] * v for k, v in con.a.items()) % R
            b = sum(witness[k] * v for k, v in con.b.items()) % R
            c = sum(witness[k] * v for k, v in con.c.items()) % R
            if a * b % R != c:
                return i
        return None

    def check(self, witness: Sequence[int]) -> None:
        """Raise ConstraintError naming the first failing constraint by index and label."""
        self.validate_witness_shape(witness)
        bad = self.first_unsatisfied(witness)
        if bad is not None:
            raise ConstraintError(bad, self.label(bad))

    def is_satisfied(self, witness: Sequence[int]) -> bool:
        try:
            self.check(witness)
        except (ConstraintError, InputError):
            return False
        return True

    def digest(self) -> bytes:
        """SHA-256 over a canonical encoding of the relation (not the labels): the circuit id keys bind to.

        Computed once: an R1CS is not modified after it is built (builders and loaders return new ones).
        """
        if self._digest is None:
            self._digest = self._compute_digest()
        return self._digest

    def adopt_digest(self, digest: bytes) -> None:
        """Take ``digest`` as this relation's id without recomputing it.

        Only for loaders that checked the bytes this R1CS was parsed from are the very bytes written
        when the digest was computed (the build folder keeps both, with the file's SHA-256).
        """
        if len(digest) != 32:
            raise ValueError("a circuit digest is 32 bytes")
        self._digest = digest

    def _digest_prefix(self):  # -> a sha256 object over the domain tag and the shape
        return digest_prefix(self.n_wires, self.n_pub_out, self.n_pub_in, self.n_prv_in, len(self.constraints))

    def _compute_digest(self) -> bytes:
        """The digest with the terms encoded in C when built, else ``_compute_digest_reference``."""
        h = self._digest_prefix()
        if encode(self.constraints, self.n_wires, True, h.update):
            return h.digest()
        return self._compute_digest_reference()

    def _compute_digest_reference(self) -> bytes:
        h = self._digest_prefix()
        # Same bytes as encoding term by term, but each distinct coefficient is encoded once and a
        # side's bytes are joined before hashing: most coefficients repeat (1, -1, powers of two).
        encoded: dict[int, bytes] = {}
        pack_q = struct.Struct("<Q").pack
        chunk: list[bytes] = []
        for con in self.constraints:
            for lc in (con.a, con.b, con.c):
                terms = []
                for w, v in sorted(lc.items()):
                    e = encoded.get(v)
                    if e is None:
                        e = encoded[v] = (v % R).to_bytes(32, "little") if v % R else b""
                    if e:
                        terms.append(pack_q(w) + e)
                chunk.append(pack_q(len(terms)))
                chunk.extend(terms)
            if len(chunk) > 4096:
                h.update(b"".join(chunk))
                chunk.clear()
        h.update(b"".join(chunk))
        return h.digest()

    def public_inputs(self, witness: Sequence[int]) -> list[int]:
        """The public values of a full witness (what snarkjs writes to public.json)."""
        return list(witness[1 : 1 + self.n_public])


def check_witness_shape(witness: Sequence[int], n_wires: int) -> None:
    """A witness for a circuit of ``n_wires`` wires: that many canonical Fr ints, wire 0 the constant 1."""
    if len(witness) != n_wires:
        raise InputError(f"witness: has {len(witness)} values but the circuit has {n_wires} wires")
    if witness[0] != 1:
        raise InputError("witness: wire 0 must be the constant 1")
    check_canonical(witness)


def check_canonical(witness: Sequence[int]) -> None:
    """Each value an int (not a bool) with 0 <= value < r; InputError naming the first wire that is not."""
    for i, w in enumerate(witness):
        if isinstance(w, bool) or not isinstance(w, int) or not 0 <= w < R:
            raise InputError(f"witness: wire {i} is not a canonical field element (0 <= x < r)")


def digest_prefix(n_wires: int, n_pub_out: int, n_pub_in: int, n_prv_in: int, n_constraints: int):
    """``R1CS.digest``'s SHA-256 state after the domain tag and the shape, before the terms."""
    h = hashlib.sha256(b"zkyield-r1cs-v1")
    h.update(struct.pack("<QQQQQ", n_wires, n_pub_out, n_pub_in, n_prv_in, n_constraints))
    return h
