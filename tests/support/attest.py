"""The attested example (circuits/examples/attested.*) and its example attestor keys, for the attest tests.

The example keys are deterministic and public (bytes 0x01..01 to 0x04..04, as the example policy's
description says): test and demo material only.
"""

from __future__ import annotations

import json
from pathlib import Path

from zkyield import eddsa
from zkyield.circuits import attest_message as am
from zkyield.circuits import encoding as enc
from zkyield.circuits.attest_policy import AttestorSignature
from zkyield.circuits.models import EXAMPLES_DIR, Market, Policy, Portfolio, load_market, load_policy, load_portfolio

EXAMPLE = "attested"
CAPACITY = enc.Capacity(positions=3, assets=3, scenarios=1)  # 2^15 Groth16 domain with 2 + 1 signatures
ADMIN, CUSTODIAN, AUDITOR, PRICES = (bytes([i]) * 32 for i in (1, 2, 3, 4))
OUTSIDER = bytes([9]) * 32


def paths() -> dict[str, Path]:
    return {part: EXAMPLES_DIR / f"{EXAMPLE}.{part}.json" for part in ("portfolio", "market", "policy")}


def load() -> tuple[Portfolio, Market, Policy]:
    p = paths()
    return load_portfolio(p["portfolio"]), load_market(p["market"]), load_policy(p["policy"])


def sign(key: bytes, subject: str, portfolio: Portfolio, market: Market, as_of: int | None = None,
         source: str = "sig.json") -> AttestorSignature:
    """What `zkyield attestor sign` / `sign-prices` would write, as the loader returns it."""
    when = portfolio.period.end + 3600 if as_of is None else as_of
    msg = am.book_message(portfolio, market, when).message if subject == "book" else \
        am.prices_message(market, when).message
    return AttestorSignature(subject, when, eddsa.public_key(key), eddsa.sign(key, msg), source)


def write_key(path: Path, key: bytes) -> Path:
    """An attestor key file as `zkyield attestor keygen` writes it (mode 0600)."""
    path.write_text(json.dumps({"kind": "zkyield-attestor-key", "version": 1, "scheme": "eddsa-poseidon-babyjubjub",
                                "private_key": key.hex()}))
    path.chmod(0o600)
    return path
