"""The Groth16 prover on the C backend's packed buffers: ``prover_python.prove_rows``'s algebra, faster.

The key's point lists are packed once per key object (cached while the key lives), the QAP rows go
through the native NTTs without converting back to ints, and the blinding terms go in a tiny second MSM
added to each result (no copy of a key buffer), so a proof costs three G1 MSMs and one G2 MSM over the key.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import ModuleType

from zkyield._native import FR_WIDTH, G1_WIDTH, G2_WIDTH, native
from zkyield.curve import G1Affine, g1_add, g2_add
from zkyield.errors import FieldError
from zkyield.field import R, root_of_unity
from zkyield.groth16.keys import Proof, ProvingKey
from zkyield.groth16.packed_points import PackedPoints, PackedScalars, joined
from zkyield.msm import msm_g1_packed, msm_g2_packed
from zkyield.poly import intt_packed, ntt_packed


@dataclass(frozen=True)
class _PackedKey:
    """The key's point lists as native buffers; ``c_h`` is C followed by H (one MSM covers both)."""

    a: bytes
    b1: bytes
    b2: bytes
    c_h: bytes


# id(pk) -> (weak reference to pk, its packed form); an entry leaves when its key is garbage collected.
_PACKED: dict[int, tuple[weakref.ref, _PackedKey]] = {}


def _backend() -> ModuleType:
    lib = native()
    if lib is None:
        raise RuntimeError("prover_native needs the C backend (zkyield._native); use prover_python")
    return lib


def packed_key(pk: ProvingKey) -> _PackedKey:
    """The key's packed point lists, built on the first proof with this key object and reused after."""
    entry = _PACKED.get(id(pk))
    if entry is not None and entry[0]() is pk:
        return entry[1]
    lib = _backend()

    def pack(points: Sequence[object], width: int) -> bytes:  # a key read from file is packed already
        return points.buf if isinstance(points, PackedPoints) else lib.pack(points, width)

    packed = _PackedKey(
        a=pack(pk.a_query, G1_WIDTH),
        b1=pack(pk.b_g1_query, G1_WIDTH),
        b2=pack(pk.b_g2_query, G2_WIDTH),
        c_h=joined(pk.c_query, pk.h_query) or pack(pk.c_query, G1_WIDTH) + pack(pk.h_query, G1_WIDTH),
    )
    key = id(pk)
    _PACKED[key] = (weakref.ref(pk, lambda _ref: _PACKED.pop(key, None)), packed)
    return packed


def _pack_fr(values: Sequence[int], what: str) -> bytes:
    if isinstance(values, PackedScalars):  # packed already (the NTT and MSM calls range-check it again)
        return values.buf
    try:
        return _backend().pack(values, FR_WIDTH)
    except (OverflowError, TypeError):
        raise FieldError(f"{what}: values must be canonical Fr integers (0 <= x < r)") from None


def _quotient_packed(rows: tuple[Sequence[int], ...]) -> bytes:
    """``qap.quotient_evaluations`` on packed buffers: A·B - C at the odd 2n-th roots of unity."""
    shift = root_of_unity(2 * len(rows[0]))
    try:
        a, b, c = (ntt_packed(intt_packed(_pack_fr(row, "QAP rows")), shift) for row in rows)
    except ValueError:
        raise FieldError("QAP rows: values must be canonical Fr integers (0 <= x < r)") from None
    return _backend().fr_mul_sub(a, b, c)


def prove_rows(
    pk: ProvingKey,
    witness: Sequence[int],
    rows: tuple[Sequence[int], Sequence[int], Sequence[int]],
    r: int,
    s: int,
    say: Callable[[str], None],
) -> Proof:
    """``prover_python.prove_rows`` with the blinding terms folded into the MSMs."""
    lib = _backend()
    say("evaluating A, B, C on the odd coset")
    h = _quotient_packed(rows)
    key = packed_key(pk)
    w = _pack_fr(witness, "witness")

    def g1(points: list[G1Affine]) -> bytes:
        return lib.pack(points, G1_WIDTH)

    def fr(scalars: list[int]) -> bytes:
        return lib.pack(scalars, FR_WIDTH)

    def plus(msm: Callable[[bytes, bytes], object], add: Callable, points: bytes, scalars: bytes,
             extra_points: bytes, extra_scalars: bytes) -> object:
        """MSM(points) + MSM(extra): the blinding terms in a second, tiny MSM instead of a copy of the
        key's buffer with them appended (a G2 list is ~60 MB at N = 128)."""
        return add(msm(points, scalars), msm(extra_points, extra_scalars))

    # Blinding terms: A = α + Σ w_i·A_i + r·δ, B = β + Σ w_i·B_i + s·δ.
    say("MSM for A")
    proof_a = plus(msm_g1_packed, g1_add, key.a, w, g1([pk.alpha_g1, pk.delta_g1]), fr([1, r]))
    say("MSM for B")
    proof_b = plus(msm_g2_packed, g2_add, key.b2, w, lib.pack([pk.vk.beta_g2, pk.vk.delta_g2], G2_WIDTH), fr([1, s]))
    b1 = plus(msm_g1_packed, g1_add, key.b1, w, g1([pk.beta_g1, pk.delta_g1]), fr([1, s]))
    # C = Σ w_j·C_j (private j) + Σ h_k·H_k + s·A + r·B1 - r·s·δ.
    say("MSM for C")
    private = w[32 * (pk.n_public + 1) :]
    proof_c = plus(msm_g1_packed, g1_add, key.c_h, private + h, g1([proof_a, b1, pk.delta_g1]),
                   fr([s, r, -r * s % R]))
    return Proof(a=proof_a, b=proof_b, c=proof_c)
