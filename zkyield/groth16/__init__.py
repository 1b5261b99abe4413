"""Groth16 over BN254, compatible with snarkjs's keys, proofs and QAP layout.

Modules: ``keys`` (the objects), ``qap`` (the R1CS → QAP reduction), ``keygen`` (``setup``), ``prover``
(``prove``, with ``prover_python`` / ``prover_native`` beneath it) and ``verifier`` (``verify``); no
module shares a name with the function it exports. The names below are imported on first use, so a
process that only proves never loads the pairing code the setup and the verifier need.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from zkyield.groth16.keygen import ToxicWaste, setup
    from zkyield.groth16.keys import Proof, ProvingKey, VerifyingKey
    from zkyield.groth16.prover import Blinding, prove
    from zkyield.groth16.verifier import verify

_HOMES = {"ToxicWaste": "keygen", "setup": "keygen", "Proof": "keys", "ProvingKey": "keys",
          "VerifyingKey": "keys", "Blinding": "prover", "prove": "prover", "verify": "verifier"}

__all__ = ["Blinding", "Proof", "ProvingKey", "ToxicWaste", "VerifyingKey", "prove", "setup", "verify"]


def __getattr__(name: str) -> object:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{home}"), name)
