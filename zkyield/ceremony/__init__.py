"""Trusted setup without trusting one party: phase 1 from public powers of tau, phase 2 per circuit.

``new_zkey`` builds a circuit's initial key from a .ptau (no toxic waste exists locally),
``contribute``/``beacon`` add secret or public factors to δ, ``verify_zkey`` replays the ceremony
from the R1CS and the ptau. Files are snarkjs's .zkey, so snarkjs and zkyield participants can mix.
"""

from __future__ import annotations

from zkyield.ceremony.phase1 import check_powers, new_zkey, read_powers
from zkyield.ceremony.phase2 import ContributionReport, beacon, contribute, verify_from_init
from zkyield.ceremony.prover import check_zkey_matches, prove_zkey
from zkyield.formats.ptau import Ptau
from zkyield.formats.zkey import Zkey
from zkyield.r1cs import R1CS


def verify_zkey(r1cs: R1CS, ptau: Ptau, zkey: Zkey) -> list[ContributionReport]:
    """Rebuild the initial key from ``r1cs`` and ``ptau`` and check ``zkey`` descends from it."""
    return verify_from_init(zkey, new_zkey(r1cs, ptau))


__all__ = [
    "ContributionReport",
    "beacon",
    "check_powers",
    "check_zkey_matches",
    "contribute",
    "new_zkey",
    "prove_zkey",
    "read_powers",
    "verify_from_init",
    "verify_zkey",
]
