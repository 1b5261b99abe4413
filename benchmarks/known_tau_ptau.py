"""A prepared snarkjs .ptau from a known random τ, α, β: for benchmarks only, NOT a ceremony.

``snarkjs powersoftau prepare phase2`` takes ~55 min at 2^16 and hours at 2^18 on two cores, so the peer
benchmarks could not reach 2^18 with a real (if toy) ceremony. This writer draws τ, α, β with ``secrets``
and writes every point as one fixed-base multiple of the generator (zkyield.fixed_base, in C): the
Lagrange sections 12-15 are L_i(τ)·G from the closed form L_i(τ) = (τ^n - 1)/n · ω^i/(τ - ω^i), not an
FFT over points. The secrets live in this process's memory and are never written, but whoever runs it
could keep them and forge proofs for every key made from the file: never use it outside benchmarks.

The layout is zkyield/formats/ptau.py's: what ``powersoftau new`` + a contribution + ``prepare phase2``
give, except that the contributions section lists none (snarkjs ``groth16 setup`` does not read it).

    python benchmarks/known_tau_ptau.py 18 pot18_final.ptau
"""

from __future__ import annotations

import argparse
import secrets
import struct
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from zkyield import curve
from zkyield.field import Q, R, batch_inverse, root_of_unity
from zkyield.fixed_base import batch_mul_g1, batch_mul_g2
from zkyield.formats import ptau as fmt
from zkyield.formats.atomic import write_pieces_atomic

CHUNK = 1 << 16  # scalars per batch multiplication: bounds the Python point lists held at once


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _powers(x: int, n: int, scale: int = 1) -> list[int]:
    """[scale·x^i for i < n] mod r."""
    out, acc = [0] * n, scale % R
    for i in range(n):
        out[i] = acc
        acc = acc * x % R
    return out


def _lagrange(tau: int, k: int, drop_last: bool = False) -> list[int]:
    """L_i(τ) over the size-2^k domain, i < 2^k.

    ``drop_last``: the values of section 12's extra size 2^(power+1), where snarkjs transforms the tauG1
    powers with the missing τ^(n-1) set to zero: L_i(τ) - τ^(n-1)·ω^i/n.
    """
    n = 1 << k
    omega = root_of_unity(n)
    n_inv = pow(n, -1, R)
    z = (pow(tau, n, R) - 1) * n_inv % R
    ws = _powers(omega, n)
    inv = batch_inverse([(tau - w) % R for w in ws])
    top = pow(tau, n - 1, R) * n_inv % R if drop_last else 0
    return [w * (z * d - top) % R for w, d in zip(ws, inv, strict=True)]


def _section_pieces(section: int, g2: bool, scalars: list[int]) -> Iterator[bytes]:
    """Section header and scalars[i]·G (G1 or G2 generator), multiplied and encoded CHUNK at a time."""
    size = fmt.G2_BYTES if g2 else fmt.G1_BYTES
    yield struct.pack("<IQ", section, len(scalars) * size)
    mul, base = (batch_mul_g2, curve.G2_GENERATOR) if g2 else (batch_mul_g1, curve.G1_GENERATOR)
    for start in range(0, len(scalars), CHUNK):
        yield fmt.encode_points(mul(base, scalars[start : start + CHUNK]), g2)


def _sections(power: int, tau: int, alpha: int, beta: int, prepared: bool) -> Iterator[tuple[int, bool, list[int]]]:
    """(section id, is G2, scalars) in file order; Lagrange bases of sizes 2^0..2^power concatenated."""
    n = 1 << power
    yield fmt.SECTION_TAU_G1, False, _powers(tau, 2 * n - 1)
    yield fmt.SECTION_TAU_G2, True, _powers(tau, n)
    yield fmt.SECTION_ALPHA_TAU_G1, False, _powers(tau, n, alpha)
    yield fmt.SECTION_BETA_TAU_G1, False, _powers(tau, n, beta)
    yield fmt.SECTION_BETA_G2, True, [beta]
    if not prepared:
        return
    basis = [v for k in range(power + 1) for v in _lagrange(tau, k)]
    yield fmt.SECTION_LAGRANGE_TAU_G1, False, basis + _lagrange(tau, power + 1, drop_last=True)
    yield fmt.SECTION_LAGRANGE_TAU_G2, True, basis
    yield fmt.SECTION_LAGRANGE_ALPHA_TAU_G1, False, [alpha * v % R for v in basis]
    yield fmt.SECTION_LAGRANGE_BETA_TAU_G1, False, [beta * v % R for v in basis]


def write_known_tau_ptau(
    power: int,
    path: Path,
    progress: Callable[[str], None] = _stderr,
    prepared: bool = True,
    draw: Callable[[int], int] = secrets.randbelow,
) -> Path:
    """Write a snarkjs-format ptau of 2^power from fresh secret τ, α, β (benchmark only: see the module doc).

    ``prepared`` False stops after sections 1-7, as an unprepared ``powersoftau`` file, so a test can run
    snarkjs's own ``prepare phase2`` on it; ``draw`` (uniform below its argument) lets that test seed both
    files with the same secrets. Written to a temporary name and renamed, so a crash leaves no half file.
    """
    if not 1 <= power < fmt.MAX_POWER:
        raise ValueError(f"power must be 1..{fmt.MAX_POWER - 1}, got {power}")
    path = Path(path)
    tau = 0
    while pow(tau, 2 << power, R) in (0, 1):  # no τ = 0, nor τ = ω^i (τ - ω^i = 0)
        tau = draw(R)
    alpha, beta = 1 + draw(R - 1), 1 + draw(R - 1)
    start = time.perf_counter()

    def pieces() -> Iterator[bytes]:
        yield fmt.MAGIC + struct.pack("<II", fmt.VERSION, 11 if prepared else 7)
        header = struct.pack("<I", fmt.N8) + Q.to_bytes(fmt.N8, "little") + struct.pack("<II", power, power)
        yield struct.pack("<IQ", fmt.SECTION_HEADER, len(header)) + header
        for section, g2, scalars in _sections(power, tau, alpha, beta, prepared):
            progress(f"ptau 2^{power}: section {section}, {len(scalars)} points ({time.perf_counter() - start:.1f} s)")
            yield from _section_pieces(section, g2, scalars)
            if section == fmt.SECTION_BETA_G2:  # then the contributions list: none
                yield struct.pack("<IQI", fmt.SECTION_CONTRIBUTIONS, 4, 0)

    write_pieces_atomic(path, pieces())  # streamed: no section is held whole
    progress(f"ptau 2^{power}: wrote {path} in {time.perf_counter() - start:.1f} s")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("power", type=int, help="log2 of the largest circuit domain")
    parser.add_argument("out", type=Path, help="the .ptau to write")
    parser.add_argument("--unprepared", action="store_true", help="stop after sections 1-7 (no Lagrange bases)")
    args = parser.parse_args()
    write_known_tau_ptau(args.power, args.out, prepared=not args.unprepared)


if __name__ == "__main__":
    main()
