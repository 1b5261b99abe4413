"""`zkyield attestor`: key files (0600, atomic, never printed), signing and verifying, and circomlibjs's view."""

from __future__ import annotations

import json
import stat

from click.testing import CliRunner
from test_eddsa import circomlibjs

from zkyield import eddsa
from zkyield.cli.main import cli
from zkyield.field import R


def _run(*args: str) -> tuple[int, str, str]:
    res = CliRunner().invoke(cli, ["attestor", *args])
    return res.exit_code, res.stdout, res.stderr


def _keygen(tmp_path):
    key = tmp_path / "attestor.key"
    code, out, err = _run("keygen", "--out", str(key))
    assert code == 0, err
    return key, json.loads(out)


def test_keygen_writes_a_private_file_and_never_prints_the_key(tmp_path) -> None:
    key, printed = _keygen(tmp_path)
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    doc = json.loads(key.read_text())
    secret = doc["private_key"]
    assert len(bytes.fromhex(secret)) == 32
    assert secret not in json.dumps(printed)
    x, y = eddsa.public_key(bytes.fromhex(secret))
    assert printed["public_key"] == {"x": str(x), "y": str(y)}
    assert [p.name for p in tmp_path.iterdir()] == ["attestor.key"]  # no temp file left behind
    code, out, err = _run("public-key", str(key))
    assert code == 0 and json.loads(out) == {"x": str(x), "y": str(y)} and secret not in out + err
    # Never overwritten: a second keygen to the same path fails and leaves the key as it was.
    code, _, err = _run("keygen", "--out", str(key))
    assert code == 2 and "already exists" in err
    assert json.loads(key.read_text())["private_key"] == secret


def test_open_permissions_and_bad_files_are_refused(tmp_path) -> None:
    key, _ = _keygen(tmp_path)
    key.chmod(0o644)
    code, _, err = _run("public-key", str(key))
    assert code == 2 and "chmod 600" in err
    bad = tmp_path / "bad.key"
    bad.write_text(json.dumps({"kind": "zkyield-attestor-key", "scheme": "eddsa-poseidon-babyjubjub",
                               "private_key": "zz"}))
    bad.chmod(0o600)
    code, _, err = _run("public-key", str(bad))
    assert code == 2 and "64 lowercase hex" in err and "zz" not in err


def test_sign_and_verify_round_trip_and_refusals(tmp_path) -> None:
    key, printed = _keygen(tmp_path)
    pub = tmp_path / "pub.json"
    pub.write_text(json.dumps(printed["public_key"]))
    sig = tmp_path / "sig.json"
    code, _, err = _run("sign-message", str(key), "--message", "0x4d2", "--out", str(sig))
    assert code == 0, err
    code, out, err = _run("verify-message", str(sig), "--public-key", str(pub), "--message", "1234")
    assert code == 0 and json.loads(out)["valid"] is True, err
    # Wrong message, wrong key, tampered S: exit 1 with the reason.
    code, _, err = _run("verify-message", str(sig), "--public-key", str(pub), "--message", "1235")
    assert code == 1 and "does not verify" in err
    (tmp_path / "other").mkdir()
    _, other_printed = _keygen(tmp_path / "other")  # a second attestor
    other_pub = tmp_path / "other.json"
    other_pub.write_text(json.dumps(other_printed["public_key"]))
    code, _, err = _run("verify-message", str(sig), "--public-key", str(other_pub), "--message", "1234")
    assert code == 1
    doc = json.loads(sig.read_text())
    doc["S"] = str(int(doc["S"]) + eddsa.SUBORDER)  # the malleated twin of a valid signature
    sig.write_text(json.dumps(doc))
    code, _, err = _run("verify-message", str(sig), "--public-key", str(pub), "--message", "1234")
    assert code == 1 and "subgroup order" in err
    # Bad input: exit 2.
    code, _, err = _run("sign-message", str(key), "--message", str(R))
    assert code == 2 and "--message" in err
    off_curve = tmp_path / "off.json"
    off_curve.write_text(json.dumps({"x": "1", "y": "2"}))
    code, _, err = _run("verify-message", str(sig), "--public-key", str(off_curve), "--message", "1")
    assert code == 2 and "not on BabyJubJub" in err


def test_circomlibjs_signs_with_the_same_key_file_and_the_cli_accepts_it(tmp_path) -> None:
    key, printed = _keygen(tmp_path)
    secret = bytes.fromhex(json.loads(key.read_text())["private_key"])
    ref = circomlibjs([secret], [987654321], [], tmp_path)["signed"][0]
    assert ref["A"] == [printed["public_key"]["x"], printed["public_key"]["y"]]
    sig = tmp_path / "theirs.json"
    sig.write_text(json.dumps({"kind": "zkyield-eddsa-signature", **ref["sigs"][0]}))
    pub = tmp_path / "pub.json"
    pub.write_text(json.dumps(printed["public_key"]))
    code, _, err = _run("verify-message", str(sig), "--public-key", str(pub), "--message", "987654321")
    assert code == 0, err
    code, out, _ = _run("sign-message", str(key), "--message", "987654321")
    assert {k: json.loads(out)[k] for k in ("R8", "S")} == ref["sigs"][0]
