"""Phase 2 for one circuit: contribute a secret factor to δ, finish with a public beacon, verify.

A contribution multiplies δ by a fresh secret x and divides the C and H points by x, so the key
is safe if any one contributor destroyed their x (snarkjs zkey_contribute.js / zkey_beacon.js).
``verify`` replays the whole chain against the initial key rebuilt from the R1CS and the ptau
(snarkjs zkey_verify_frominit.js): transcripts, proofs of knowledge, the δ chain, unchanged
sections, and C, H scaled by exactly 1/δ; the pairing checks are folded into one multi-pairing
(random weights) and re-run one by one only to name the failing check.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from zkyield.ceremony.phase1 import weights
from zkyield.ceremony.prover import same_coefficients
from zkyield.ceremony.rng import ChaCha, beacon_rng, entropy_rng, fr_from_rng, g1_from_rng, hash_to_g2
from zkyield.ceremony.transcript import contribution_hash, transcript
from zkyield.curve import (
    G1_GENERATOR,
    G2_GENERATOR,
    G1Affine,
    G2Affine,
    g1_add,
    g1_mul,
    g1_neg,
    g2_mul,
)
from zkyield.errors import InputError, VerificationError
from zkyield.field import R
from zkyield.formats.zkey import BEACON, CONTRIBUTION, MAX_NAME_UTF16, Contribution, Zkey
from zkyield.msm import msm_g1
from zkyield.pairing import pairing_check
from zkyield.sparse_msm import scale_g1

Progress = Callable[[str], None]
# snarkjs zkey beacon accepts 2^10 .. 2^63 SHA-256 iterations and a 1..255-byte beacon.
MIN_BEACON_EXP, MAX_BEACON_EXP = 10, 63
_RHO_BITS = 128


def _apply(
    zkey: Zkey,
    rng: ChaCha,
    name: str | None,
    iterations_exp: int | None = None,
    beacon_hash: bytes | None = None,
) -> tuple[Zkey, bytes]:
    """One contribution with the secret drawn from ``rng`` (a beacon when ``beacon_hash`` is given)."""
    if name is not None and len(name.encode("utf-16-le")) > 2 * MAX_NAME_UTF16:
        raise InputError(f"name: at most {MAX_NAME_UTF16} characters (snarkjs's limit); shorten it")
    x = fr_from_rng(rng)
    if x == 0:
        raise InputError("contribution: the random factor was zero; run the contribution again")
    g1_s = g1_from_rng(rng)
    g1_sx = g1_mul(g1_s, x)
    t = transcript(zkey.cs_hash, zkey.contributions, g1_s, g1_sx)
    delta_g1 = g1_mul(zkey.delta_g1, x)
    c = Contribution(
        delta_after=delta_g1,
        g1_s=g1_s,
        g1_sx=g1_sx,
        g2_spx=g2_mul(hash_to_g2(t), x),
        transcript=t,
        type=CONTRIBUTION if beacon_hash is None else BEACON,
        name=name or None,
        iterations_exp=iterations_exp,
        beacon_hash=beacon_hash,
    )
    x_inv = pow(x, -1, R)
    new = replace(
        zkey,
        delta_g1=delta_g1,
        delta_g2=g2_mul(zkey.delta_g2, x),
        c=tuple(scale_g1(zkey.c, x_inv)),
        h=tuple(scale_g1(zkey.h, x_inv)),
        contributions=(*zkey.contributions, c),
    )
    return new, contribution_hash(c)


def contribute(zkey: Zkey, name: str | None = None, entropy: str = "") -> tuple[Zkey, bytes]:
    """Add a contribution with a secret from ``secrets`` (plus optional user text); returns its hash."""
    return _apply(zkey, entropy_rng(entropy), name)


def parse_beacon(beacon_hex: str, iterations_exp: int) -> bytes:
    text = beacon_hex[2:] if beacon_hex.startswith("0x") else beacon_hex
    try:
        value = bytes.fromhex(text)
    except ValueError:
        value = b""
    if not 0 < len(value) < 256 or len(value) * 2 != len(text):
        raise InputError("beacon: expected 1..255 bytes of hexadecimal (e.g. a block hash)")
    if not MIN_BEACON_EXP <= iterations_exp <= MAX_BEACON_EXP:
        raise InputError(
            f"beacon iterations exponent must be {MIN_BEACON_EXP}..{MAX_BEACON_EXP} (2^n hashes)"
        )
    return value


def beacon(zkey: Zkey, beacon_hex: str, iterations_exp: int, name: str | None = None) -> tuple[Zkey, bytes]:
    """The final, public contribution: its secret is SHA-256 iterated 2^iterations_exp times on the beacon."""
    value = parse_beacon(beacon_hex, iterations_exp)
    rng = beacon_rng(value, iterations_exp)
    return _apply(zkey, rng, name, iterations_exp=iterations_exp, beacon_hash=value)


# --- verification ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ContributionReport:
    index: int
    name: str | None
    hash: bytes
    beacon_hash: bytes | None
    iterations_exp: int | None


Check = tuple[str, list[tuple[G1Affine, G2Affine]]]


def _same_ratio(label: str, a: G1Affine, b: G1Affine, c: G2Affine, d: G2Affine) -> Check:
    """b/a = d/c in the exponent: e(a, d) = e(b, c); degenerate (zero) inputs are refused."""
    if None in (a, b, c, d):
        raise VerificationError(f"{label}: a point is zero (degenerate contribution)")
    return label, [(a, d), (g1_neg(b), c)]


def _run_checks(checks: Sequence[Check]) -> None:
    """All checks as one multi-pairing: random weights, G1 sides summed per shared G2 point."""
    merged: dict[G2Affine, G1Affine] = {}
    for _, pairs in checks:
        rho = secrets.randbits(_RHO_BITS) | 1
        for p, q in pairs:
            merged[q] = g1_add(merged.get(q), g1_mul(p, rho))
    if pairing_check(list((p, q) for q, p in merged.items())):
        return
    for label, pairs in checks:
        if not pairing_check(pairs):
            raise VerificationError(f"{label}: pairing check failed")
    raise VerificationError("ceremony: batched pairing check failed")


def _check_chain(zkey: Zkey) -> tuple[list[Check], list[ContributionReport]]:
    checks: list[Check] = []
    reports = []
    delta = G1_GENERATOR
    for i, c in enumerate(zkey.contributions):
        label = f"contribution #{i + 1}" + (f" ({c.name})" if c.name else "")
        if transcript(zkey.cs_hash, zkey.contributions[:i], c.g1_s, c.g1_sx) != c.transcript:
            raise VerificationError(f"{label}: transcript hash does not match the earlier contributions")
        g2_sp = hash_to_g2(c.transcript)
        checks.append(_same_ratio(f"{label}: proof of knowledge", c.g1_s, c.g1_sx, g2_sp, c.g2_spx))
        checks.append(
            _same_ratio(
                f"{label}: delta does not follow its proof of knowledge",
                delta,
                c.delta_after,
                g2_sp,
                c.g2_spx,
            )
        )
        if c.type == BEACON:
            if c.beacon_hash is None or c.iterations_exp is None:
                raise VerificationError(f"{label}: beacon contribution without its beacon parameters")
            rng = beacon_rng(c.beacon_hash, c.iterations_exp)
            x = fr_from_rng(rng)
            g1_s = g1_from_rng(rng)
            if (g1_s, g1_mul(g1_s, x)) != (c.g1_s, c.g1_sx):
                raise VerificationError(f"{label}: key does not come from its beacon value")
        reports.append(
            ContributionReport(i + 1, c.name, contribution_hash(c), c.beacon_hash, c.iterations_exp)
        )
        delta = c.delta_after
    if zkey.delta_g1 != delta:
        raise VerificationError("delta1: differs from the last contribution's delta")
    return checks, reports


def verify_from_init(zkey: Zkey, init: Zkey) -> list[ContributionReport]:
    """Check ``zkey`` descends from ``init`` through valid contributions; returns them, first first."""
    if (zkey.n_vars, zkey.n_public, zkey.domain_size) != (init.n_vars, init.n_public, init.domain_size):
        raise VerificationError("zkey: made for another circuit (wires, public inputs or domain size differ)")
    if zkey.cs_hash != init.cs_hash:
        raise VerificationError("zkey: circuit hash differs from the one computed from the r1cs and ptau")
    same = {
        "alpha1": (zkey.alpha_g1, init.alpha_g1),
        "beta1": (zkey.beta_g1, init.beta_g1),
        "beta2": (zkey.beta_g2, init.beta_g2),
        "gamma2": (zkey.gamma_g2, init.gamma_g2),
        "IC section": (zkey.ic, init.ic),
        "A section": (zkey.a, init.a),
        "B1 section": (zkey.b1, init.b1),
        "B2 section": (zkey.b2, init.b2),
    }
    for label, (got, want) in same.items():
        if got != want:
            raise VerificationError(f"{label}: differs from the initial key built from the r1cs and ptau")
    if not same_coefficients(zkey.coefs, init.coefs):
        raise VerificationError("coefficients section: differs from the initial key built from the r1cs")
    checks, reports = _check_chain(zkey)
    checks.append(_same_ratio("delta2", G1_GENERATOR, zkey.delta_g1, G2_GENERATOR, zkey.delta_g2))
    # C and H must be the initial points times 1/δ: e(Σρ·P_init, δ0·G2) = e(Σρ·P, δ·G2), per section.
    for label, got, want in (("C section", zkey.c, init.c), ("H section", zkey.h, init.h)):
        rho = weights(len(got))
        new_sum, init_sum = msm_g1(got, rho), msm_g1(want, rho)
        if new_sum is None and init_sum is None:
            continue  # every point is zero in both (wires no constraint uses)
        checks.append(_same_ratio(label, new_sum, init_sum, init.delta_g2, zkey.delta_g2))
    _run_checks(checks)
    return reports
