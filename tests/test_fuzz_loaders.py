"""Every loader against hostile input: only documented zkyield errors may escape, never a crash.

Each loader is fed mutations of a valid seed file (byte flips, truncations, insertions, splices) by
hypothesis, within a bounded budget; the number of inputs tried per loader is printed in the test
run's summary. Inputs that once crashed a loader live in tests/fuzz_corpus/<loader>/ and are replayed
on every run as regression tests.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support import fuzz_stats
from tests.support.r1cs_samples import chained_multiplications
from zkyield.circuits.models import example, load_market, load_policy, load_portfolio
from zkyield.errors import ZkyieldError
from zkyield.formats.jsonfile import parse_json_bytes
from zkyield.formats.proving_key import proving_key_from_bytes, proving_key_to_bytes
from zkyield.formats.r1cs_bin import r1cs_to_bytes, read_r1cs
from zkyield.formats.snarkjs_json import proof_from_json, proof_to_json, public_from_json, vk_from_json, vk_to_json
from zkyield.formats.wtns_bin import read_wtns, wtns_to_bytes
from zkyield.groth16 import prove, setup
from zkyield.pairing import pairing

CORPUS = Path(__file__).parent / "fuzz_corpus"
EXAMPLES = 150


def _json_loader(parse: Callable[[object], object]) -> Callable[[bytes], object]:
    """Bytes -> strict JSON parse -> loader: the path every JSON file from outside takes."""
    return lambda data: parse(parse_json_bytes(data, "fuzz.json"))


def _seeds() -> dict[str, tuple[bytes, Callable[[bytes], object]]]:
    r1cs, witness = chained_multiplications(n_public=2, n_steps=3)
    pk, vk = setup(r1cs)
    proof = prove(pk, r1cs, witness)
    alphabeta = pairing(vk.alpha_g1, vk.beta_g2)
    portfolio, market, policy = (p.read_bytes() for p in example("demo"))
    return {
        "r1cs": (r1cs_to_bytes(r1cs), read_r1cs),
        "wtns": (wtns_to_bytes(witness), read_wtns),
        "proving_key": (proving_key_to_bytes(pk), proving_key_from_bytes),
        "proof": (json.dumps(proof_to_json(proof)).encode(), _json_loader(proof_from_json)),
        "public": (json.dumps([str(x) for x in witness[1:3]]).encode(), _json_loader(public_from_json)),
        "verification_key": (json.dumps(vk_to_json(vk, alphabeta)).encode(), _json_loader(vk_from_json)),
        "portfolio": (portfolio, _json_loader(load_portfolio)),
        "market": (market, _json_loader(load_market)),
        "policy": (policy, _json_loader(load_policy)),
    }


SEEDS = _seeds()


@st.composite
def mutations(draw, seed: bytes) -> bytes:
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["flip", "truncate", "insert", "splice", "digit"]))
        pos = draw(st.integers(0, max(len(data) - 1, 0)))
        if kind == "flip" and data:
            data[pos] ^= 1 << draw(st.integers(0, 7))
        elif kind == "truncate":
            del data[pos:]
        elif kind == "insert":
            data[pos:pos] = draw(st.binary(min_size=1, max_size=16))
        elif kind == "splice" and data:
            end = draw(st.integers(pos, len(data)))
            data[pos:end] = data[end : end + (end - pos)]
        elif kind == "digit" and data:
            data[pos] = ord(draw(st.sampled_from("0123456789-.e\"[]{}")))
    return bytes(data)


def _accepts_only_documented_errors(name: str, data: bytes) -> None:
    loader = SEEDS[name][1]
    fuzz_stats.count(name)
    try:
        loader(data)
    except ZkyieldError as exc:
        assert "\n" not in str(exc), f"{name}: multi-line error {exc!r}"


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_seed_loads(name):
    seed, loader = SEEDS[name]
    loader(seed)


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_mutations_raise_only_documented_errors(name):
    seed = SEEDS[name][0]

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=False,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(mutations(seed))
    def run(data: bytes) -> None:
        _accepts_only_documented_errors(name, data)

    run()


def _corpus() -> list[tuple[str, Path]]:
    return sorted((p.parent.name, p) for p in CORPUS.glob("*/*") if p.is_file())


@pytest.mark.parametrize(("name", "path"), _corpus(), ids=[f"{n}/{p.name}" for n, p in _corpus()])
def test_corpus_regressions(name, path):
    with pytest.raises(ZkyieldError):
        SEEDS[name][1](path.read_bytes())
