"""``zkyield demo --devnet``: the scripted devnet period, ingested, proven with the demo policy, attested on chain.

Nothing is typed in: anvil runs the protocols' own contracts, ``zkyield.ingest`` reads the book and the prices at
two blocks, the demo policy is proven over them, and the proof is verified in Python and submitted by the fund
to the registry on the same anvil.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from zkyield import api
from zkyield.circuits.binding import range_slots
from zkyield.circuits.models import example, load_market, load_policy, load_portfolio
from zkyield.devnet import Anvil, deploy_world
from zkyield.devnet.scenario import run_period
from zkyield.formats.attestation import write_attestation
from zkyield.ingest.run import ingest_market, ingest_portfolio
from zkyield.verifier import chain

Step = Callable[..., Any]  # (name, fn, note) -> fn's result, timed by the caller


def devnet_demo(out: Path, step: Step, proven: dict) -> bool:
    """Run the whole flow in ``out``; True iff the proof verifies in Python and the registry recorded it."""
    out.mkdir(parents=True, exist_ok=True)
    for name in ("market", "portfolio"):  # a new devnet each run: an earlier run's blocks are another chain's
        (out / f"{name}.provenance.json").unlink(missing_ok=True)
    with Anvil() as anvil:
        world = step("devnet", lambda: deploy_world(anvil), lambda _w: f"anvil at {anvil.url}, protocols deployed")
        period = step("scenario", lambda: run_period(world), lambda p: f"period = blocks {p.a}..{p.b}")
        (out / "sources.json").write_text(json.dumps(world.sources(), indent=1))
        (out / "feeds.json").write_text(json.dumps(world.feeds_file(), indent=1))
        step("ingest market", lambda: ingest_market(anvil.url, out / "feeds.json", period.a, period.b,
                                                    out / "market.json", out / "sources.json"),
             lambda m: f"{len(m['assets'])} Chainlink prices")
        step("ingest book", lambda: ingest_portfolio(anvil.url, [period.fund, period.fund2], out / "sources.json",
                                                     period.a, period.b, out / "portfolio.json"),
             lambda p: f"{len(p['positions'])} positions")
        portfolio, market = load_portfolio(out / "portfolio.json"), load_market(out / "market.json")
        policy = load_policy(example("demo")[2])
        statement = step("compile", lambda: api.compile_statement(policy, positions=16, assets=4,
                                                                  ranges=range_slots(portfolio)),
                         lambda s: f"{s.circuit.n_constraints:,} constraints")
        keys = step("setup", lambda: api.setup(statement))
        attestation = step("prove", lambda: api.prove(portfolio, market, policy, keys))
        write_attestation(attestation, keys.verification_key, out / "proof")
        valid = step("verify (Python)", lambda: api.verify(attestation, keys.verification_key, policy, market),
                     lambda ok: "valid" if ok else "INVALID")
        recorded = step("attest (anvil)", lambda: _attest(world, period.fund, keys, attestation),
                        lambda i: f"registry attestation #{i}, submitted by the fund")
    proven["devnet fund (ingested)"] = attestation.policy
    return valid and recorded is not None


def _attest(world, fund: str, keys: api.Keys, attestation: api.Attestation) -> int:
    w3, public = world.w3, list(attestation.public_signals)
    admin = chain.Sender(world.deployer)
    verifier = chain.deploy_verifier(w3, keys.verification_key, admin)
    registry = chain.deploy_registry(w3, admin)
    chain.register_policy(w3, registry, public[2], verifier, "portfolio", admin)
    chain.register_market(w3, registry, public[3], public[4], public[5], admin)
    return chain.submit_attestation(w3, registry, attestation.proof, public, chain.Sender(fund))
