"""Groth16 over BN254, compatible with snarkjs's keys, proofs and QAP layout.

Modules: ``keys`` (the objects), ``qap`` (the R1CS → QAP reduction), ``keygen`` (``setup``), ``prover``
(``prove``, with ``prover_python`` / ``prover_native`` beneath it) and ``verifier`` (``verify``); no
module shares a name with the function it exports.
"""

from zkyield.groth16.keygen import ToxicWaste, setup
from zkyield.groth16.keys import Proof, ProvingKey, VerifyingKey
from zkyield.groth16.prover import Blinding, prove
from zkyield.groth16.verifier import verify

__all__ = ["Blinding", "Proof", "ProvingKey", "ToxicWaste", "VerifyingKey", "prove", "setup", "verify"]
