"""Trusted setup without trusting one party: phase 1 from public powers of tau, phase 2 per circuit.

``new_zkey`` builds a circuit's initial key from a .ptau (no toxic waste exists locally),
``contribute``/``beacon`` add secret or public factors to δ, ``verify_zkey`` replays the ceremony
from the R1CS and the ptau. Files are snarkjs's .zkey, so snarkjs and zkyield participants can mix.
The names are imported on first use: proving with a .zkey (``prove_zkey``) loads no ceremony code.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from zkyield.ceremony.phase1 import check_powers, new_zkey, read_powers
    from zkyield.ceremony.phase2 import ContributionReport, beacon, contribute, verify_from_init
    from zkyield.ceremony.prover import check_zkey_matches, prove_zkey
    from zkyield.formats.ptau import Ptau
    from zkyield.formats.zkey import Zkey
    from zkyield.r1cs import R1CS

_HOMES = {"check_powers": "phase1", "new_zkey": "phase1", "read_powers": "phase1",
          "ContributionReport": "phase2", "beacon": "phase2", "contribute": "phase2", "verify_from_init": "phase2",
          "check_zkey_matches": "prover", "prove_zkey": "prover"}


def verify_zkey(r1cs: R1CS, ptau: Ptau, zkey: Zkey) -> list[ContributionReport]:
    """Rebuild the initial key from ``r1cs`` and ``ptau`` and check ``zkey`` descends from it."""
    from zkyield.ceremony.phase1 import new_zkey
    from zkyield.ceremony.phase2 import verify_from_init

    return verify_from_init(zkey, new_zkey(r1cs, ptau))


def __getattr__(name: str) -> object:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{home}"), name)


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
