"""``zkyield verify``'s attestor check: were the policy's attestor keys trusted over the attestation window?

An attested proof shows that k distinct keys of the policy's set signed, not which ones, so every key
of the set must have been trusted whenever one of them could have signed: registered in the registry
by the period end (``validFrom <= period_end``) and not revoked before the window closes
(``revokedAt == 0`` or ``revokedAt > period_end + max_delay_s``, the latest as-of time the circuit
admits). The registry answers; the prover's files never do. docs/attestation.md, "Trust model".
"""

from __future__ import annotations

from typing import Any, Protocol

from zkyield import verification as vr
from zkyield.babyjub import Point
from zkyield.circuits.attest_layout import POLICY_FIELDS


class AttestorKeySource(Protocol):
    """A registry that can give an attestor key's record and state at a time (``verifier.chain``)."""

    description: str

    def attestor_key(self, key: Point, at: int) -> Any: ...


def attestor_check(policy: Any, registry: Any, period_end: int) -> vr.Check:
    sets = {s: getattr(policy, f, None) for s, f in POLICY_FIELDS.items()} if policy is not None else {}
    sets = {s: a for s, a in sets.items() if a is not None}
    if not sets:
        why = "no policy supplied" if policy is None else "the policy requires no attestation"
        return vr.not_checked(vr.ATTESTORS, why)
    if registry is None or not hasattr(registry, "attestor_key"):
        return vr.not_checked(vr.ATTESTORS, "the proof shows k signatures by the policy's keys; pass --rpc-url and "
                                            "--registry to check those keys were registered and not revoked")
    for subject, aset in sets.items():
        field, close = POLICY_FIELDS[subject], period_end + aset.max_delay_s
        for i, key in enumerate(aset.keys):
            at_end = registry.attestor_key(key, period_end)
            if at_end.state != "valid":
                return vr.failed(vr.ATTESTORS, f"{field}.keys[{i}] (key hash {at_end.key_hash}) is {at_end.state} "
                                               f"at the period end {period_end} in the {registry.description}")
            late = registry.attestor_key(key, close)
            if late.state == "revoked":
                return vr.failed(vr.ATTESTORS, f"{field}.keys[{i}] (key hash {late.key_hash}) was revoked at "
                                               f"{late.revoked_at}, before the attestation window closes at {close} "
                                               f"(period end + {field}.max_delay_s): a signature may postdate it")
    sizes = ", ".join(f"{POLICY_FIELDS[s]} {a.threshold} of {len(a.keys)}" for s, a in sets.items())
    return vr.passed(vr.ATTESTORS, f"every attestor key ({sizes}) was registered by the period end and not revoked "
                                   f"within the attestation window in the {registry.description}")
