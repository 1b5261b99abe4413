"""Phase 1 from public powers of tau: check the powers a circuit uses, then build its initial .zkey.

Nobody holds τ, α or β: the key is computed from the ptau's group elements alone (snarkjs
zkey_new.js, reproduced byte for byte, so ``snarkjs zkey verify`` accepts our keys). Before use,
the powers are checked to really be powers of one τ (random linear combinations folded into one
multi-pairing) and the Lagrange sections to be the transforms of the monomial ones (two MSMs per
section); a file that is not prepared for phase 2 gets its Lagrange bases from a group NTT instead.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from zkyield.ceremony.prover import circuit_coefficients
from zkyield.curve import (
    G1_GENERATOR,
    G2_GENERATOR,
    G1Affine,
    G2Affine,
    g1_add,
    g1_mul,
    g1_neg,
    g2_add,
    g2_first_outside_subgroup,
    g2_mul,
    g2_neg,
)
from zkyield.errors import InputError, VerificationError
from zkyield.field import R, root_of_unity
from zkyield.formats import ptau as pt
from zkyield.formats.ptau import Ptau, g1_uncompressed, g2_uncompressed
from zkyield.formats.zkey import Zkey
from zkyield.msm import msm_g1, msm_g2
from zkyield.pairing import pairing_check
from zkyield.poly import intt
from zkyield.r1cs import R1CS
from zkyield.sparse_msm import Term, lincomb_g1, lincomb_g2

Progress = Callable[[str], None]
_RHO_BITS = 128  # soundness 2^-128 per batched check
_H_HASH_CHUNK = 1 << 14  # zkey_new.js hashHPoints' CHUNK_SIZE (its last chunk is not shortened)


def weights(n: int) -> list[int]:
    """n independent 128-bit weights from ``secrets`` (one read of the OS generator)."""
    raw = secrets.token_bytes(16 * n)
    return [int.from_bytes(raw[16 * i : 16 * i + 16], "little") for i in range(n)]


def circuit_power(r1cs: R1CS) -> int:
    """log2 of snarkjs's domain: the smallest power of two above constraints + public inputs (at least 2)."""
    return max(1, (r1cs.n_constraints + r1cs.n_public).bit_length())


@dataclass(frozen=True)
class Powers:
    """The monomial points a size-n circuit uses: 2n of τ^i·G1 (fewer at the file's end), n of the rest
    (τ^i·G2: n, or only the first two; see read_powers)."""

    name: str
    size: int
    tau_g1: list[G1Affine]
    tau_g2: list[G2Affine]
    alpha_tau_g1: list[G1Affine]
    beta_tau_g1: list[G1Affine]
    beta_g2: G2Affine


def read_powers(ptau: Ptau, size: int, all_g2: bool = True) -> Powers:
    """The powers a size-``size`` circuit uses; ``all_g2=False`` reads only G2 and τ·G2, enough when the
    G2 Lagrange basis comes from a prepared file (check_powers then ties it to the G1 basis instead)."""
    n1 = min(2 * size, 2 * (1 << ptau.power) - 1)
    return Powers(
        ptau.name,
        size,
        ptau.tau_g1(0, n1),
        ptau.tau_g2(0, size if all_g2 else 2, subgroup=False),  # check_powers tests τ·G2 and the pairings' sums
        ptau.alpha_tau_g1(0, size),
        ptau.beta_tau_g1(0, size),
        ptau.beta_g2(),
    )


# Which monomial section each Lagrange basis transforms ("tau_g1" and "tau_g1_2n" both from τ^i·G1).
_MONOMIAL = {"tau_g1": "t1", "tau_g1_2n": "t1", "alpha_g1": "at", "beta_g1": "bt", "tau_g2": "t2"}
_SECTION = {
    "tau_g1": pt.SECTION_LAGRANGE_TAU_G1,
    "tau_g2": pt.SECTION_LAGRANGE_TAU_G2,
    "alpha_g1": pt.SECTION_LAGRANGE_ALPHA_TAU_G1,
    "beta_g1": pt.SECTION_LAGRANGE_BETA_TAU_G1,
    "tau_g1_2n": pt.SECTION_LAGRANGE_TAU_G1,
}


def check_powers(pw: Powers, lagrange: dict[str, Sequence[Any]] | None = None) -> None:
    """Pairing checks that the powers share one τ, α, β, and that each given Lagrange basis (name -> points,
    see _MONOMIAL) is the transform of its monomials, all in one multi-pairing over random linear combinations.

    e(Σρ_i X_i, τ·G2) = e(Σρ_i X_(i+1), G2) for X in τ^i·G1, ατ^i·G1, βτ^i·G1; e(τ·G1, Σκ_i τ^i·G2) =
    e(G1, Σκ_i τ^(i+1)·G2); e(β·G1, G2) = e(G1, β·G2); Σσ_i·L_i - Σ intt(σ)_j·X_j = O per basis (paired with
    G2 or G1). When only τ^0, τ^1 of G2 were read, the G2 basis is tied to the (checked) τ·G1 basis
    instead: e(Σσ_i L1_i, G2) = e(G1, Σσ_i L2_i), one G2 MSM of n points rather than three. Every weight is
    independent, so a failing equation survives with probability 2^-128, and terms on the same monomial
    point add up: one G1 MSM per G2 point and two G2 MSMs in all. The G2 powers and basis are read on the
    twist only; τ·G2 and the two G2 sums the pairings take are tested for G2.
    """
    t1, t2, at, bt = pw.tau_g1, pw.tau_g2, pw.alpha_tau_g1, pw.beta_tau_g1
    if t1[0] != G1_GENERATOR or t2[0] != G2_GENERATOR:
        raise VerificationError(f"{pw.name}: tau^0 is not the generator; not a powers-of-tau file")
    if len(t2) < 2 or None in (t1[1], t2[1], at[0], bt[0], pw.beta_g2):
        raise VerificationError(f"{pw.name}: tau, alpha or beta is zero; the ceremony is degenerate")
    mono = {"t1": t1, "at": at, "bt": bt, "t2": t2}
    coef = {k: [0] * len(v) for k, v in mono.items()}  # weights of the MSMs paired with G2 (G1 side) / -G1
    lo_pts: list[G1Affine] = []
    lo_rho: list[int] = []
    for key in ("t1", "at", "bt"):
        rho = weights(len(mono[key]) - 1)
        lo_pts += mono[key][:-1]
        lo_rho += rho
        for i, w in enumerate(rho):
            coef[key][i + 1] -= w
    kappa = weights(len(t2) - 1)
    for i, w in enumerate(kappa):
        coef["t2"][i + 1] += w
    extra: dict[bool, tuple[list[Any], list[int]]] = {False: ([], []), True: ([], [])}
    for name, basis in (lagrange or {}).items():
        key = _MONOMIAL[name]
        g2 = key == "t2"
        if g2 and len(t2) < len(basis):  # Σσ_i·L1_i (next to G2) = Σσ_i·L2_i (next to G1), L1 the τ·G1 basis
            sigma = weights(len(basis))
            extra[False][0].extend(lagrange["tau_g1"])  # type: ignore[index]
            extra[False][1].extend(sigma)
            extra[True][0].extend(basis)
            extra[True][1].extend(sigma)
            continue
        sigma = weights(len(basis))
        sign = -1 if g2 else 1  # G1: + Σσ L - Σ intt(σ) X next to G2; G2: - (Σσ L - ...) next to -G1
        extra[g2][0].extend(basis)
        extra[g2][1].extend(sign * w % R for w in sigma)
        for j, c in enumerate(intt(sigma)[: len(mono[key])]):  # past the file's last power: zero points
            coef[key][j] -= sign * c
    g1_pts = [*t1, *at, *bt, *extra[False][0]]
    g1_k = [c % R for key in ("t1", "at", "bt") for c in coef[key]] + extra[False][1]
    s_lo = msm_g2(t2[:-1], kappa)
    s_hi = msm_g2([*t2, *extra[True][0]], [c % R for c in coef["t2"]] + extra[True][1])
    if g2_first_outside_subgroup([t2[1], s_lo, s_hi]) is not None:
        raise VerificationError(f"{pw.name}: the tau powers in G2 are not in the subgroup G2")
    psi = secrets.randbits(_RHO_BITS)
    pairs = [
        (g1_add(msm_g1(g1_pts, g1_k), g1_mul(bt[0], psi)), G2_GENERATOR),
        (msm_g1(lo_pts, lo_rho), t2[1]),
        (g1_neg(g1_mul(G1_GENERATOR, psi)), pw.beta_g2),
        (t1[1], s_lo),
        (g1_neg(G1_GENERATOR), s_hi),
    ]
    if pairing_check(pairs):
        return
    for name, basis in (lagrange or {}).items():  # only to name the failing part
        key = _MONOMIAL[name]
        if key == "t2" and len(t2) < len(basis):
            sigma = weights(len(basis))
            same = pairing_check([(msm_g1(lagrange["tau_g1"], sigma), G2_GENERATOR),  # type: ignore[index]
                                  (g1_neg(G1_GENERATOR), msm_g2(basis, sigma))])
        else:
            same = _same_transform(basis, mono[key][: len(basis)], key == "t2")
        if not same:
            raise VerificationError(f"{pw.name}: Lagrange section {_SECTION[name]} does not match the powers of tau")
    raise VerificationError(f"{pw.name}: the powers of tau are inconsistent (pairing check failed)")


def _same_transform(basis: Sequence[Any], monomials: Sequence[Any], g2: bool) -> bool:
    """One basis alone: Σρ_i·L_i = Σ intt(ρ)_j·τ^j (monomials past the file's end are zero)."""
    rho = weights(len(basis))
    msm = msm_g2 if g2 else msm_g1
    return msm(basis, rho) == msm(monomials, intt(rho)[: len(monomials)])


def group_lagrange(monomials: Sequence[Any], g2: bool) -> list[Any]:
    """L_i(τ)·G = (1/n)·Σ_j ω^(-ij)·τ^j·G by a radix-2 transform over group elements (slow; fallback)."""
    add, mul = (g2_add, g2_mul) if g2 else (g1_add, g1_mul)
    n = len(monomials)
    n_inv = pow(n, -1, R)

    def dft(points: Sequence[Any], root: int) -> list[Any]:
        if len(points) == 1:
            return list(points)
        even, odd = dft(points[0::2], root * root % R), dft(points[1::2], root * root % R)
        half = len(points) // 2
        out: list[Any] = [None] * len(points)
        w = 1
        for k in range(half):
            t = mul(odd[k], w)
            out[k] = add(even[k], t)
            out[k + half] = add(even[k], (g2_neg if g2 else g1_neg)(t))
            w = w * root % R
        return out

    return [mul(p, n_inv) for p in dft(monomials, pow(root_of_unity(n), -1, R))]


def _bases(ptau: Ptau, pw: Powers, say: Progress) -> dict[str, list[Any]]:
    """The Lagrange bases a circuit of the powers' size needs (the τ·G1 basis of twice that for H), checked.

    A prepared file's sections are read (the G2 basis on the twist only: it only feeds the prover's B2, see
    docs/ceremony.md) and checked with the powers in one check_powers; otherwise a group NTT computes them.
    """
    size = pw.size
    if ptau.prepared:
        say("reading and checking the powers and the Lagrange sections")
        bases = {
            k: ptau.lagrange(s, 2 * size if k == "tau_g1_2n" else size, subgroup=False) for k, s in _SECTION.items()
        }
        check_powers(pw, bases)
        return bases
    check_powers(pw)
    say("ptau is not prepared for phase 2: computing Lagrange bases by a group NTT (slow)")
    mono = {
        "tau_g1": pw.tau_g1[:size],
        "tau_g2": pw.tau_g2,
        "alpha_g1": pw.alpha_tau_g1,
        "beta_g1": pw.beta_tau_g1,
        # prepare phase2 zero-fills the missing τ^(2^(power+1)-1) of the largest basis
        "tau_g1_2n": pw.tau_g1 + [None] * (2 * size - len(pw.tau_g1)),
    }
    return {k: group_lagrange(m, k == "tau_g2") for k, m in mono.items()}


def new_zkey(r1cs: R1CS, ptau: Ptau, progress: Progress | None = None) -> Zkey:
    """The initial phase-2 key (δ = 1) for ``r1cs``, identical to ``snarkjs zkey new``'s."""
    say = progress or (lambda _msg: None)
    power = circuit_power(r1cs)
    if power > ptau.power:
        raise InputError(f"{ptau.name}: circuit needs 2^{power} powers, the file has 2^{ptau.power}; use a larger ptau")
    size = 1 << power
    say(f"reading and checking the first powers of tau (domain 2^{power})")
    pw = read_powers(ptau, size, all_g2=not ptau.prepared)  # a prepared file's G2 basis is tied to G1's
    base = _bases(ptau, pw, say)
    n_pub, n_vars = r1cs.n_public, r1cs.n_wires
    # Per wire: A, B1 over τ's basis, B2 over τ·G2's, and L (IC for public wires, C for private ones)
    # over [τ | β | α] bases: Σ c_row·τ + a_row·β + b_row·α, the same sums snarkjs's zkey_new.js forms.
    terms_a: list[Term] = []
    terms_b: list[Term] = []
    terms_l: list[Term] = []
    for row, con in enumerate(r1cs.constraints):
        for wire, v in con.a.items():
            terms_a.append((wire, row, v % R))
            terms_l.append((wire, size + row, v % R))
        for wire, v in con.b.items():
            terms_b.append((wire, row, v % R))
            terms_l.append((wire, 2 * size + row, v % R))
        for wire, v in con.c.items():
            terms_l.append((wire, row, v % R))
    for wire in range(n_pub + 1):
        row = r1cs.n_constraints + wire
        terms_a.append((wire, row, 1))
        terms_l.append((wire, size + row, 1))
    say(f"computing the key points for {n_vars} wires")
    tau = base["tau_g1"]
    l_points = lincomb_g1([*tau, *base["beta_g1"], *base["alpha_g1"]], terms_l, n_vars)
    zkey = Zkey(
        n_vars=n_vars,
        n_public=n_pub,
        domain_size=size,
        alpha_g1=pw.alpha_tau_g1[0],
        beta_g1=pw.beta_tau_g1[0],
        beta_g2=pw.beta_g2,
        gamma_g2=G2_GENERATOR,
        delta_g1=G1_GENERATOR,
        delta_g2=G2_GENERATOR,
        ic=tuple(l_points[: n_pub + 1]),
        coefs=tuple(circuit_coefficients(r1cs)),
        a=tuple(lincomb_g1(tau, terms_a, n_vars)),
        b1=tuple(lincomb_g1(tau, terms_b, n_vars)),
        b2=tuple(lincomb_g2(base["tau_g2"], terms_b, n_vars)),
        c=tuple(l_points[n_pub + 1 :]),
        h=tuple(base["tau_g1_2n"][1::2]),
        cs_hash=b"",
    )
    return _with_cs_hash(zkey, pw.tau_g1)


def _with_cs_hash(z: Zkey, tau_g1: Sequence[G1Affine]) -> Zkey:
    """snarkjs's circuit hash: blake2b-512 over the initial key in its own order, H as (τ^n - 1)·τ^i."""
    h = hashlib.blake2b(digest_size=64)
    for p in (z.alpha_g1, z.beta_g1):
        h.update(g1_uncompressed(p))
    h.update(g2_uncompressed(z.beta_g2) + g2_uncompressed(z.gamma_g2))
    h.update(g1_uncompressed(z.delta_g1) + g2_uncompressed(z.delta_g2))

    def section(points: Sequence[Any], g2: bool = False) -> None:
        h.update(len(points).to_bytes(4, "big"))
        for p in points:
            h.update(g2_uncompressed(p) if g2 else g1_uncompressed(p))

    section(z.ic)
    n = z.domain_size
    h.update((n - 1).to_bytes(4, "big"))
    count = n - 1 if n - 1 <= _H_HASH_CHUNK else -(-(n - 1) // _H_HASH_CHUNK) * _H_HASH_CHUNK
    if n + count > len(tau_g1):
        raise InputError("ptau: circuit fills the file's last power; use the next larger ptau")
    terms = [t for i in range(count) for t in ((i, i + n, 1), (i, i, R - 1))]
    for p in lincomb_g1(tau_g1, terms, count):  # (τ^n - 1)·τ^i = τ^(n+i) - τ^i
        h.update(g1_uncompressed(p))
    section(z.c)
    section(z.a)
    section(z.b1)
    section(z.b2, g2=True)
    return replace(z, cs_hash=h.digest())
