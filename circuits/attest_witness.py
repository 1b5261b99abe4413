"""The prover's side of attested statements: pick the signatures (refusing a false statement before
proving) and lay them out as the circuit's private inputs (``attest_circuit.SIGNATURE_INPUTS``)."""

from __future__ import annotations

from collections.abc import Sequence

from zkyield.circuits import attest_message as am
from zkyield.circuits.attest_layout import POLICY_FIELDS, SUBJECTS
from zkyield.circuits.attest_policy import AttestorSet, AttestorSignature, Chosen, choose, key_tree
from zkyield.circuits.models import Market, Policy, Portfolio
from zkyield.errors import InputError, StatementFalse


def attestor_sets(policy: Policy) -> dict[str, AttestorSet]:
    """The policy's key set per subject it requires ("book", "prices")."""
    sets = {"book": policy.attested_by, "prices": policy.prices_attested_by}
    return {subject: s for subject, s in sets.items() if s is not None}


def signature_counts(policy: Policy) -> tuple[int, int]:
    """k per subject (0 when the policy does not require it): part of the compiled shape."""
    sets = attestor_sets(policy)
    return tuple(sets[s].threshold if s in sets else 0 for s in SUBJECTS)  # type: ignore[return-value]


def _messages(portfolio: Portfolio, market: Market) -> dict:
    return {"book": lambda t: am.book_message(portfolio, market, t).message,
            "prices": lambda t: am.prices_message(market, t).message}


def unmet_attestations(portfolio: Portfolio, market: Market, policy: Policy,
                       signatures: Sequence[AttestorSignature]) -> list[str]:
    """The policy fields whose k valid signatures are missing (names only: the batch's summary is public)."""
    messages = _messages(portfolio, market)
    unmet = []
    for subject, aset in attestor_sets(policy).items():
        try:
            choose(aset, subject, POLICY_FIELDS[subject], messages[subject], portfolio.period.end, signatures)
        except StatementFalse:
            unmet.append(POLICY_FIELDS[subject])
    return unmet


def chosen_signatures(portfolio: Portfolio, market: Market, policy: Policy,
                      signatures: Sequence[AttestorSignature]) -> dict[str, list[Chosen]]:
    """k valid signatures by distinct members per required subject; StatementFalse otherwise."""
    sets = attestor_sets(policy)
    stray = next((s for s in signatures if s.subject not in sets), None)
    if stray is not None:
        raise InputError(f"--signatures: {stray.source} is a {stray.subject} signature but the policy has no "
                         f"{POLICY_FIELDS[stray.subject]}; drop it")
    messages = _messages(portfolio, market)
    return {subject: choose(aset, subject, POLICY_FIELDS[subject], messages[subject], portfolio.period.end,
                            signatures) for subject, aset in sets.items()}


def signature_inputs(subject: str, aset: AttestorSet, chosen: Sequence[Chosen]) -> dict[str, int | list[int]]:
    """The circuit inputs of one subject; no check here (the attack tests feed it bad signatures)."""
    tree = key_tree(aset.keys)
    inputs: dict[str, list[int]] = {f"{subject}_sig_{n}": [] for n in ("key", "r8", "s", "as_of", "siblings", "path")}
    for c in chosen:
        siblings, path = tree.proof(c.index)
        sig = c.signature
        inputs[f"{subject}_sig_key"] += list(sig.public_key)
        inputs[f"{subject}_sig_r8"] += list(sig.signature.R8)
        inputs[f"{subject}_sig_s"].append(sig.signature.S)
        inputs[f"{subject}_sig_as_of"].append(sig.as_of)
        inputs[f"{subject}_sig_siblings"] += siblings
        inputs[f"{subject}_sig_path"] += path
    return {f"{subject}_attest_root": aset.root, f"{subject}_attest_delay": aset.max_delay_s, **inputs}


def attest_inputs(portfolio: Portfolio, market: Market, policy: Policy,
                  signatures: Sequence[AttestorSignature]) -> dict[str, int | list[int]]:
    """Every attestation input of the statement for ``policy`` (empty when it requires none)."""
    sets = attestor_sets(policy)
    out: dict[str, int | list[int]] = {}
    for subject, chosen in chosen_signatures(portfolio, market, policy, signatures).items():
        out.update(signature_inputs(subject, sets[subject], chosen))
    return out
