"""Groth16 over BN254, compatible with snarkjs's keys, proofs and QAP layout."""

from zkyield.groth16.keys import Proof, ProvingKey, VerifyingKey
from zkyield.groth16.prove import prove
from zkyield.groth16.setup import setup
from zkyield.groth16.verify import verify

__all__ = ["Proof", "ProvingKey", "VerifyingKey", "prove", "setup", "verify"]
