"""EdDSA-Poseidon out of circuit against circomlibjs 0.1.7 ``buildEddsa``, both ways, and its refusals."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from tests.support.tools import run_node
from zkyield import babyjub, eddsa
from zkyield.babyjub import BASE8, GENERATOR, IDENTITY, SUBORDER
from zkyield.eddsa import Signature
from zkyield.errors import FieldError, InputError
from zkyield.field import R
from zkyield.poseidon import poseidon

CIRCOMLIB_KEY = bytes.fromhex("0001020304050607080900010203040506070809000102030405060708090001")
CIRCOMLIB_PUBLIC_X = 13277427435165878497778222415993513565335242147425444199013288855685581939618

# `input` = {keys: [hex], messages: [dec], foreign: [{A, M, sig}]}; prints what circomlibjs computes
# for every key/message pair and whether it accepts each foreign (Python-made) signature.
_JS = """
const {buildEddsa} = require('circomlibjs');
(async () => {
  const eddsa = await buildEddsa();
  const F = eddsa.babyJub.F;
  const pt = p => [F.toObject(p[0]).toString(), F.toObject(p[1]).toString()];
  const input = JSON.parse(require('fs').readFileSync(process.argv[1], 'utf8'));
  const signed = input.keys.map(k => {
    const prv = Buffer.from(k, 'hex');
    return {A: pt(eddsa.prv2pub(prv)), sigs: input.messages.map(m => {
      const s = eddsa.signPoseidon(prv, F.e(BigInt(m)));
      return {R8: pt(s.R8), S: s.S.toString()};
    })};
  });
  const accepts = input.foreign.map(({A, M, sig}) => eddsa.verifyPoseidon(F.e(BigInt(M)),
    {R8: sig.R8.map(v => F.e(BigInt(v))), S: BigInt(sig.S)}, A.map(v => F.e(BigInt(v)))));
  process.stdout.write(JSON.stringify({signed, accepts}));
  process.exit(0);
})();
"""


def circomlibjs(keys: list[bytes], messages: list[int], foreign: list[tuple], workdir: Path) -> dict:
    """circomlibjs keys and signatures for every key x message, and its verdict on each (A, M, sig)."""
    payload = {
        "keys": [k.hex() for k in keys], "messages": [str(m) for m in messages],
        "foreign": [{"A": [str(a[0]), str(a[1])], "M": str(m), "sig": sig.to_json()} for a, m, sig in foreign],
    }
    path = workdir / "eddsa_input.json"
    path.write_text(json.dumps(payload))
    return json.loads(run_node(_JS, str(path)))


def _point(p: list[str]) -> tuple[int, int]:
    return int(p[0]), int(p[1])


def test_circomlib_reference_key() -> None:
    assert eddsa.public_key(CIRCOMLIB_KEY)[0] == CIRCOMLIB_PUBLIC_X


def test_keys_and_signatures_equal_circomlibjs_and_verify_both_ways(tmp_path) -> None:
    rng = random.Random(17)
    keys = [CIRCOMLIB_KEY, bytes(32), b"\xff" * 32, *(rng.randbytes(32) for _ in range(3))]
    messages = [0, 1, 1234, R - 1, rng.randrange(R)]
    ours = [(eddsa.public_key(k), [eddsa.sign(k, m) for m in messages]) for k in keys]
    foreign = [(a, m, sig) for a, sigs in ours for m, sig in zip(messages, sigs, strict=True)]
    ref = circomlibjs(keys, messages, foreign, tmp_path)
    # Their keys and signatures, byte for byte.
    for (a, sigs), theirs in zip(ours, ref["signed"], strict=True):
        assert a == _point(theirs["A"])
        assert [s.to_json() for s in sigs] == theirs["sigs"]
    # They accept every signature we made ...
    assert ref["accepts"] == [True] * len(foreign)
    # ... and we accept every signature they made (parsed from their JSON, not our objects).
    for theirs in ref["signed"]:
        a = _point(theirs["A"])
        for m, sig in zip(messages, theirs["sigs"], strict=True):
            assert eddsa.verify(a, m, Signature.from_json(sig))


def test_forgeries_are_refused_by_both(tmp_path) -> None:
    a = eddsa.public_key(CIRCOMLIB_KEY)
    other = eddsa.public_key(bytes(32))
    sig = eddsa.sign(CIRCOMLIB_KEY, 1234)
    off_curve = (sig.R8[0], (sig.R8[1] + 1) % R)
    cases = {
        "wrong message": (a, 1235, sig),
        "wrong key": (other, 1234, sig),
        "forged S": (a, 1234, Signature(sig.R8, (sig.S + 1) % SUBORDER)),
        "forged R8": (a, 1234, Signature(babyjub.add(sig.R8, BASE8), sig.S)),
        # S + l gives the same point S * Base8: the equation holds, only the range check stops it.
        "S + l (malleable)": (a, 1234, Signature(sig.R8, sig.S + SUBORDER)),
        "R8 off the curve": (a, 1234, Signature(off_curve, sig.S)),
    }
    for name, (key, msg, s) in cases.items():
        assert not eddsa.verify(key, msg, s), name
    assert circomlibjs([], [], list(cases.values()), tmp_path)["accepts"] == [False] * len(cases)
    assert "subgroup order" in eddsa.verification_failure(a, 1234, cases["S + l (malleable)"][2])
    assert "not on BabyJubJub" in eddsa.verification_failure(a, 1234, cases["R8 off the curve"][2])


def _torsion_point() -> tuple[int, int]:
    """A point of order exactly 8: l * G for the full-group generator G."""
    t = babyjub.mul(GENERATOR, SUBORDER)
    assert babyjub.mul(t, 4) != IDENTITY and babyjub.mul(t, 8) == IDENTITY
    return t


def test_small_order_key_forgery_is_refused(tmp_path) -> None:
    # Classic attack: with A of order 8, 8 * h * A is the identity, so (R8 = k * Base8, S = k) "verifies"
    # every message under A without any private key. circomlibjs's verifyPoseidon accepts it.
    t = _torsion_point()
    forged = Signature(babyjub.mul(BASE8, 5), 5)
    assert circomlibjs([], [], [(t, 99, forged)], tmp_path)["accepts"] == [True]
    assert not eddsa.verify(t, 99, forged)
    assert "small order" in eddsa.verification_failure(t, 99, forged)


def test_key_with_a_torsion_part_is_refused(tmp_path) -> None:
    # A + T (T of order 8) is a second encoding of the same key: 8 * (A + T) = 8 * A, so the owner of A
    # can sign under it. circomlibjs accepts it; we refuse keys outside the prime-order subgroup.
    s, _ = eddsa._expand(CIRCOMLIB_KEY)
    a_twisted = babyjub.add(eddsa.public_key(CIRCOMLIB_KEY), _torsion_point())
    r = 123456789
    r8 = babyjub.mul(BASE8, r)
    sig = Signature(r8, (r + poseidon([*r8, *a_twisted, 7]) * s) % SUBORDER)
    assert circomlibjs([], [], [(a_twisted, 7, sig)], tmp_path)["accepts"] == [True]
    assert not eddsa.verify(a_twisted, 7, sig)
    assert "prime-order subgroup" in eddsa.verification_failure(a_twisted, 7, sig)


def test_malformed_inputs() -> None:
    a = eddsa.public_key(CIRCOMLIB_KEY)
    sig = eddsa.sign(CIRCOMLIB_KEY, 5)
    assert not eddsa.verify(a, R + 5, sig)  # non-canonical message
    assert not eddsa.verify((a[0] + R, a[1]), 5, sig)  # non-canonical coordinate
    assert not eddsa.verify(list(a), 5, sig)  # type: ignore[arg-type]
    assert not eddsa.verify(IDENTITY, 5, sig)
    assert not eddsa.verify(a, 5, Signature(sig.R8, -1))
    assert not eddsa.verify(a, 5, Signature(IDENTITY, sig.S))
    with pytest.raises(FieldError, match="message"):
        eddsa.sign(CIRCOMLIB_KEY, R)
    for bad in (b"\x00" * 31, b"\x00" * 33, "00" * 32):
        with pytest.raises(InputError, match="32 bytes"):
            eddsa.public_key(bad)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="R8"):
        Signature.from_json({"R8": ["1"], "S": "2"})
    with pytest.raises(FieldError, match=r"signature\.S"):
        Signature.from_json({"R8": ["1", "2"], "S": "-3"})
    assert Signature.from_json(sig.to_json()) == sig


def test_keygen_is_random_and_usable() -> None:
    k1, k2 = eddsa.keygen(), eddsa.keygen()
    assert len(k1) == 32 and k1 != k2
    assert eddsa.verify(eddsa.public_key(k1), 42, eddsa.sign(k1, 42))


def test_curve_parameters_make_the_addition_law_complete() -> None:
    # Completeness needs a square and d a non-square in Fr (Bernstein-Lange); Base8 = 8 * G of order l.
    assert pow(babyjub.A_COEF, (R - 1) // 2, R) == 1
    assert pow(babyjub.D_COEF, (R - 1) // 2, R) == R - 1
    assert babyjub.mul(GENERATOR, 8) == BASE8
    assert babyjub.in_subgroup(BASE8) and BASE8 != IDENTITY
    assert babyjub.ORDER == 8 * SUBORDER
