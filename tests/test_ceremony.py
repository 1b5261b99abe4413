"""Phase-2 ceremonies both ways with snarkjs, tamper detection, and snarkjs's key derivation.

References: ffjavascript's ChaCha/fromRng (hash-to-G2), ``snarkjs zkey new`` / ``zkey beacon`` output
bytes, ``snarkjs zkey verify`` and ``snarkjs groth16 prove/verify`` on our keys.
"""

from __future__ import annotations

import json
import random
from dataclasses import replace

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support.ceremony import (
    BEACON_EXP,
    BEACON_HEX,
    circuit,
    snarkjs_chain,
    snarkjs_ptau,
    workdir,
)
from tests.support.r1cs_samples import chained_multiplications
from tests.support.tools import run_node, run_snarkjs
from zkyield.ceremony import beacon, contribute, new_zkey, prove_zkey, verify_from_init, verify_zkey
from zkyield.ceremony.rng import ChaCha, fr_from_rng, g1_from_rng, g2_from_rng, hash_to_g2
from zkyield.ceremony.transcript import contribution_hash, transcript
from zkyield.cli.main import cli
from zkyield.curve import G1_GENERATOR, g1_mul, g2_mul
from zkyield.errors import InputError, VerificationError
from zkyield.field import R
from zkyield.formats.ptau import read_ptau
from zkyield.formats.r1cs_bin import read_r1cs
from zkyield.formats.snarkjs_json import dump_proof, dump_public, load_proof, load_public, load_vk
from zkyield.formats.zkey import Contribution, read_zkey, write_zkey, zkey_from_bytes, zkey_to_bytes
from zkyield.groth16.verifier import verify

_FFJS_RNG_JS = """
const {ChaCha, buildBn128} = require("ffjavascript");
(async () => {
  const curve = await buildBn128(true);
  const out = [];
  for (const seed of JSON.parse(process.argv[1])) {
    const rng = new ChaCha(seed);
    const words = [rng.nextU32(), rng.nextU32(), rng.nextU32()];
    const k = curve.Fr.toObject(curve.Fr.fromRng(rng));
    const g1 = curve.G1.toObject(curve.G1.toAffine(curve.G1.fromRng(rng))).slice(0, 2);
    const g2 = curve.G2.toObject(curve.G2.toAffine(curve.G2.fromRng(rng))).slice(0, 2);
    out.push({words, k, g1, g2});
  }
  await curve.terminate();
  console.log(JSON.stringify(out, (key, v) => (typeof v === "bigint" ? v.toString() : v)));
})();
"""


@pytest.fixture(scope="module")
def material():
    r1cs_path, wtns_path, witness = circuit()
    return read_r1cs(r1cs_path), read_ptau(snarkjs_ptau()[1]), witness


@pytest.fixture(scope="module")
def ours(material):
    """Our ceremony: new, two contributions and a beacon."""
    r1cs, ptau, _ = material
    k0 = new_zkey(r1cs, ptau)
    k1, h1 = contribute(k0, name="alice", entropy="alice's dice")
    k2, h2 = contribute(k1, name="bob")
    k3, h3 = beacon(k2, BEACON_HEX, BEACON_EXP, name="beacon")
    return k0, k3, [h1, h2, h3], (k1, k2)


def test_key_derivation_matches_ffjavascript():
    seeds = [[random.Random(i).getrandbits(32) for _ in range(8)] for i in range(4)]
    ref = json.loads(run_node(_FFJS_RNG_JS, json.dumps(seeds)))
    for seed, want in zip(seeds, ref, strict=True):
        rng = ChaCha(seed)
        assert [rng.next_u32() for _ in range(3)] == want["words"]
        assert fr_from_rng(rng) == int(want["k"])
        assert g1_from_rng(rng) == tuple(int(c) for c in want["g1"])
        x, y = g2_from_rng(rng)
        assert [list(x), list(y)] == [[int(c) for c in pair] for pair in want["g2"]]


def test_new_zkey_is_byte_identical_to_snarkjs(material):
    r1cs, ptau, _ = material
    snark_new = snarkjs_chain()[0].read_bytes()
    assert zkey_to_bytes(new_zkey(r1cs, ptau)) == snark_new
    assert zkey_to_bytes(new_zkey(r1cs, read_ptau(snarkjs_ptau()[0]))) == snark_new  # unprepared: group NTT


def test_circuit_too_big_for_ptau_is_refused(material):
    big, _ = chained_multiplications(n_public=1, n_steps=70)
    with pytest.raises(InputError, match="larger ptau"):
        new_zkey(big, material[1])


def test_beacon_is_byte_identical_to_snarkjs():
    k0, k1, k2, _ = snarkjs_chain()
    ours_final, digest = beacon(read_zkey(k1), BEACON_HEX, BEACON_EXP, name="final beacon")
    assert zkey_to_bytes(ours_final) == k2.read_bytes()
    assert digest == snarkjs_chain()[3][1]


def test_snarkjs_ceremony_verifies_here_and_proves(material):
    r1cs, ptau, witness = material
    _, _, final, hashes = snarkjs_chain()
    reports = verify_zkey(r1cs, ptau, read_zkey(final))
    assert [r.hash for r in reports] == hashes
    assert [r.name for r in reports] == ["alice", "final beacon"]
    assert reports[1].beacon_hash == bytes.fromhex(BEACON_HEX)
    d = workdir()
    dump_proof(prove_zkey(read_zkey(final), witness, r1cs), d / "c_proof.json")
    dump_public(r1cs.public_inputs(witness), d / "c_public.json")
    run_snarkjs("zkey", "export", "verificationkey", final, d / "c_vk.json")
    out = run_snarkjs("groth16", "verify", d / "c_vk.json", d / "c_public.json", d / "c_proof.json")
    assert "OK!" in out.stdout + out.stderr


def test_in_memory_r1cs_with_other_term_order_matches_snarkjs_key(material):
    """A builder's R1CS lists B terms as (x, p); circom files sort by wire: same circuit, same key."""
    _, ptau, witness = material
    built, _ = chained_multiplications(n_public=2, n_steps=6)
    assert list(built.constraints[0].b) != sorted(built.constraints[0].b)
    final = read_zkey(snarkjs_chain()[2])
    assert len(verify_zkey(built, ptau, final)) == 2
    assert verify(final.verifying_key, built.public_inputs(witness), prove_zkey(final, witness, built))


def test_our_ceremony_passes_snarkjs_verify_and_snarkjs_prove(material, ours):
    r1cs, _, witness = material
    k0, final, hashes, _ = ours
    assert [r.hash for r in verify_from_init(final, k0)] == hashes
    d = workdir()
    write_zkey(final, d / "ours_final.zkey")
    r1cs_path, wtns_path, _ = circuit()
    out = run_snarkjs("zkey", "verify", r1cs_path, snarkjs_ptau()[1], d / "ours_final.zkey")
    assert "ZKey Ok!" in out.stdout + out.stderr
    run_snarkjs("groth16", "prove", d / "ours_final.zkey", wtns_path, d / "s_proof.json", d / "s_public.json")
    run_snarkjs("zkey", "export", "verificationkey", d / "ours_final.zkey", d / "s_vk.json")
    vk = load_vk(d / "s_vk.json")
    assert vk == final.verifying_key
    assert verify(vk, load_public(d / "s_public.json"), load_proof(d / "s_proof.json"))
    assert load_public(d / "s_public.json") == r1cs.public_inputs(witness)


# --- tampering ------------------------------------------------------------------------------------


def _tamper_last(z, **changes):
    c = replace(z.contributions[-1], **changes)
    return replace(z, contributions=(*z.contributions[:-1], c))


def _pok_for_another_factor(prev):
    """A next contribution whose proof of knowledge is for y while delta (and C, H) moved by z."""
    y, z = 1234567, 7654321
    g1_s = g1_mul(G1_GENERATOR, 99)
    t = transcript(prev.cs_hash, prev.contributions, g1_s, g1_mul(g1_s, y))
    delta = g1_mul(prev.delta_g1, z)
    c = Contribution(
        delta_after=delta,
        g1_s=g1_s,
        g1_sx=g1_mul(g1_s, y),
        g2_spx=g2_mul(hash_to_g2(t), y),
        transcript=t,
        name="mallory",
    )
    z_inv = pow(z, -1, R)
    return replace(
        prev,
        delta_g1=delta,
        delta_g2=g2_mul(prev.delta_g2, z),
        contributions=(*prev.contributions, c),
        c=tuple(g1_mul(p, z_inv) for p in prev.c),
        h=tuple(g1_mul(p, z_inv) for p in prev.h),
    )


def _cases(final, earlier):
    """Tampered keys and the check that must catch each (a regex of the error message)."""
    first, middle = earlier
    c1 = final.contributions[1]
    pok = _pok_for_another_factor(first)
    return {
        "delta swapped": (
            replace(final, delta_g1=g1_mul(final.delta_g1, 2), delta_g2=g2_mul(final.delta_g2, 2)),
            "delta1",
        ),
        "delta2 alone": (replace(final, delta_g2=g2_mul(final.delta_g2, 3)), "delta2"),
        "forged proof of knowledge": (
            _tamper_last(middle, g2_spx=g2_mul(middle.contributions[-1].g2_spx, 2)),
            "#2 .*proof of knowledge",
        ),
        "proof for another factor": (pok, "#2 .*delta does not follow"),
        "edited earlier contribution": (
            replace(
                final,
                contributions=(
                    final.contributions[0],
                    replace(c1, g1_sx=g1_mul(c1.g1_sx, 5)),
                    final.contributions[2],
                ),
            ),
            "transcript",
        ),
        "transcript": (_tamper_last(final, transcript=bytes(64)), "transcript"),
        "beacon value": (_tamper_last(final, beacon_hash=b"\x01" * 32), "beacon"),
        "dropped contribution": (
            replace(final, contributions=(final.contributions[0], final.contributions[2])),
            "transcript",
        ),
        "C point": (replace(final, c=(g1_mul(final.c[0], 2), *final.c[1:])), "C section"),
        "H point": (replace(final, h=(*final.h[:-1], g1_mul(final.h[-1], 2))), "H section"),
        "IC point": (replace(final, ic=(g1_mul(final.ic[0], 2), *final.ic[1:])), "IC section"),
        "B2 point": (replace(final, b2=(g2_mul(final.b2[1], 2), *final.b2[1:])), "B2 section"),
        "circuit hash": (replace(final, cs_hash=bytes(64)), "circuit hash"),
    }


CASES = [
    "delta swapped",
    "delta2 alone",
    "forged proof of knowledge",
    "proof for another factor",
    "edited earlier contribution",
    "transcript",
    "beacon value",
    "dropped contribution",
    "C point",
    "H point",
    "IC point",
    "B2 point",
    "circuit hash",
]


@pytest.mark.parametrize("case", CASES)
def test_tampered_key_is_rejected(ours, case):
    k0, final, _, earlier = ours
    bad, match = _cases(final, earlier)[case]
    with pytest.raises(VerificationError, match=match):
        verify_from_init(zkey_from_bytes(zkey_to_bytes(bad)), k0)


def test_snarkjs_also_rejects_our_forgery(ours):
    k0, final, _, earlier = ours
    d = workdir()
    write_zkey(_cases(final, earlier)["proof for another factor"][0], d / "forged.zkey")
    r1cs_path, _, _ = circuit()
    out = run_snarkjs("zkey", "verify", r1cs_path, snarkjs_ptau()[1], d / "forged.zkey", check=False)
    assert "ZKey Ok!" not in out.stdout + out.stderr


# --- CLI ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def runner():
    return CliRunner()


def test_cli_ceremony_flow(runner, tmp_path):
    r1cs_path, _, _ = circuit()
    ptau = snarkjs_ptau()[1]
    steps = [
        ["new", str(r1cs_path), str(ptau), "-o", str(tmp_path / "k0.zkey")],
        ["contribute", str(tmp_path / "k0.zkey"), "-o", str(tmp_path / "k1.zkey"), "--name", "carol"],
        ["beacon", str(tmp_path / "k1.zkey"), "0x" + BEACON_HEX, "10", "-o", str(tmp_path / "k2.zkey")],
        ["export-vk", str(tmp_path / "k2.zkey"), "-o", str(tmp_path / "vk.json")],
    ]
    for args in steps:
        res = runner.invoke(cli, ["ceremony", *args])
        assert res.exit_code == 0, res.output
    res = runner.invoke(cli, ["ceremony", "verify", str(r1cs_path), str(ptau), str(tmp_path / "k2.zkey")])
    assert res.exit_code == 0, res.output
    assert "contribution #1 carol" in res.output and "OK: 2 contribution(s) verified" in res.output
    assert load_vk(tmp_path / "vk.json") == read_zkey(tmp_path / "k2.zkey").verifying_key
    last = read_zkey(tmp_path / "k2.zkey").contributions[-1]
    assert contribution_hash(last).hex()[:8] in res.output.replace(" ", "")


def test_cli_verify_of_tampered_key_exits_1(runner, tmp_path, ours):
    write_zkey(_cases(ours[1], ours[3])["C point"][0], tmp_path / "bad.zkey")
    r1cs_path, _, _ = circuit()
    res = runner.invoke(
        cli, ["ceremony", "verify", str(r1cs_path), str(snarkjs_ptau()[1]), str(tmp_path / "bad.zkey")]
    )
    assert res.exit_code == 1
    assert "C section" in res.output


@pytest.mark.parametrize(
    ("args", "match"),
    [(["zz", "10"], "hexadecimal"), (["abcd", "9"], "10..63"), (["abcd", "64"], "10..63")],
)
def test_cli_beacon_refuses_bad_parameters(runner, tmp_path, args, match):
    write_zkey(read_zkey(snarkjs_chain()[1]), tmp_path / "k.zkey")
    res = runner.invoke(
        cli, ["ceremony", "beacon", str(tmp_path / "k.zkey"), *args, "-o", str(tmp_path / "o.zkey")]
    )
    assert res.exit_code == 2
    assert match in res.output


@settings(max_examples=15, deadline=None)
@given(name=st.text(max_size=64).filter(lambda s: len(s.encode("utf-16-le")) <= 128))
def test_contribution_names_round_trip(ours, name):
    k, _ = contribute(ours[0], name=name)
    back = zkey_from_bytes(zkey_to_bytes(k))
    assert back == k if name else back.contributions[0].name is None


def test_cli_verify_of_snarkjs_key_without_contribution_says_it_is_not_safe(runner):
    """snarkjs's own `zkey new` output: every check passes, yet anyone could forge proofs with it."""
    r1cs_path, _, _ = circuit()
    k0, _, final, _ = snarkjs_chain()
    res = runner.invoke(cli, ["ceremony", "verify", str(r1cs_path), str(snarkjs_ptau()[1]), str(k0)])
    assert res.exit_code == 2 and "OK" not in res.output
    assert "snark_0.zkey: no phase-2 contribution" in res.output
    assert "not safe to use until someone contributes" in res.output
    res = runner.invoke(cli, ["ceremony", "verify", str(r1cs_path), str(snarkjs_ptau()[1]), str(final)])
    assert res.exit_code == 0 and "OK: 2 contribution(s) verified" in res.output, res.output
