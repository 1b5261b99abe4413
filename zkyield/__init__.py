"""zkyield: zero-knowledge proofs about DeFi portfolio yield and risk (Groth16 over BN254).

The library API (``zkyield.Policy.load``, ``zkyield.compile_statement``, ``zkyield.setup``,
``zkyield.prove``, ``zkyield.verify``, ...) lives in ``zkyield.api`` and is re-exported here lazily,
so ``import zkyield`` stays cheap for the CLI and for users of the lower layers alone.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

# Exactly ``zkyield.api.__all__`` (tests/test_cli_workflow.py holds the two equal).
_API = {
    "CIRCUIT_FILE", "PROGRAM_FILE", "PROVING_KEY_FILE", "STATEMENT_FILE", "SYMBOLS_FILE", "VERIFICATION_KEY_FILE",
    "Attestation", "History", "HistoryMarket", "HistoryPolicy", "Keys", "LogHeads", "Market", "Policy", "Portfolio",
    "Statement", "StatementFamily", "VerificationResult", "commitment", "compile_statement", "load_any_policy",
    "load_keys", "load_statement", "policy_document", "prove", "prove_history", "save_keys", "save_statement",
    "setup", "statement_family", "verify",
}
_BATCH = {"prove_batch", "BatchResult"}


def __getattr__(name: str) -> Any:
    if name in _API:
        return getattr(import_module("zkyield.api"), name)
    if name in _BATCH:
        return getattr(import_module("zkyield.batch"), name)
    if name == "errors":
        return import_module("zkyield.errors")
    raise AttributeError(f"module 'zkyield' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*_API, *_BATCH, "errors", "__version__"])
