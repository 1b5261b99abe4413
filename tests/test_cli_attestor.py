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


# --- signatures over a book and a price snapshot ----------------------------------------------------


def _example_files(tmp_path):
    from zkyield.circuits.models import example

    portfolio, market, _ = example("demo")
    return portfolio, market


def _public(tmp_path, printed, name="pub.json"):
    pub = tmp_path / name
    pub.write_text(json.dumps(printed["public_key"]))
    return pub


def test_book_signature_verifies_in_circomlibjs_and_refuses_other_data(tmp_path) -> None:
    from zkyield.circuits import attest_message as am
    from zkyield.circuits.models import Market, Portfolio

    key, printed = _keygen(tmp_path)
    pub = _public(tmp_path, printed)
    portfolio, market = _example_files(tmp_path)
    sig = tmp_path / "book.sig.json"
    code, out, err = _run("sign", str(key), "--portfolio", str(portfolio), "--market", str(market),
                          "--as-of", "2024-02-01T00:00:00Z", "--out", str(sig))
    assert code == 0, err
    doc = json.loads(sig.read_text())
    assert doc["as_of"] == 1706745600 and doc["subject"] == "book" and "message" not in doc
    secret = json.loads(key.read_text())["private_key"]
    assert secret not in sig.read_text() and "salt" not in sig.read_text()
    # circomlibjs accepts our signature over the message our code computes from the files.
    message = am.book_message(Portfolio.load(portfolio), Market.load(market), 1706745600).message
    a = (int(printed["public_key"]["x"]), int(printed["public_key"]["y"]))
    ours = eddsa.Signature.from_json({"R8": doc["R8"], "S": doc["S"]})
    ref = circomlibjs([bytes.fromhex(secret)], [message], [(a, message, ours)], tmp_path)
    assert ref["accepts"] == [True] and ref["signed"][0]["sigs"][0] == {"R8": doc["R8"], "S": doc["S"]}
    code, out, err = _run("verify", str(sig), "--public-key", str(pub), "--portfolio", str(portfolio),
                          "--market", str(market))
    assert code == 0 and json.loads(out)["valid"] is True, err
    # A different book (one amount changed), owner, period and as-of time: exit 1.
    book = json.loads(portfolio.read_text())
    changed = {
        "amount": {**book, "positions": [{**book["positions"][0], "end_amount": book["positions"][0]["end_amount"]
                                          + "1"}, *book["positions"][1:]]},
        "owner": {**book, "owner": "0x" + "11" * 20},
    }
    for label, variant in changed.items():
        path = tmp_path / f"{label}.json"
        path.write_text(json.dumps(variant))
        code, _, err = _run("verify", str(sig), "--public-key", str(pub), "--portfolio", str(path),
                            "--market", str(market))
        assert code == 1 and "does not verify" in err, label
    period = {"start": book["period"]["start"], "end": "2024-01-31T00:00:00Z"}
    for name, src in (("p2.json", portfolio), ("m2.json", market)):
        (tmp_path / name).write_text(json.dumps({**json.loads(src.read_text()), "period": period}))
    code, _, err = _run("verify", str(sig), "--public-key", str(pub), "--portfolio", str(tmp_path / "p2.json"),
                        "--market", str(tmp_path / "m2.json"))
    assert code == 1 and "does not verify" in err
    forged = tmp_path / "as_of.sig.json"
    forged.write_text(json.dumps({**doc, "as_of": doc["as_of"] + 1}))  # the time is signed, not just stated
    code, _, err = _run("verify", str(forged), "--public-key", str(pub), "--portfolio", str(portfolio),
                        "--market", str(market))
    assert code == 1 and "does not verify" in err
    # A wrong key: exit 1. A book signature is not a price signature.
    (tmp_path / "other").mkdir()
    _, other = _keygen(tmp_path / "other")
    code, _, err = _run("verify", str(sig), "--public-key", str(_public(tmp_path, other, "o.json")),
                        "--portfolio", str(portfolio), "--market", str(market))
    assert code == 1
    relabelled = tmp_path / "prices.sig.json"
    relabelled.write_text(json.dumps({**doc, "subject": "prices"}))
    code, _, err = _run("verify", str(relabelled), "--public-key", str(pub), "--market", str(market))
    assert code == 1 and "prices message" in err
    code, _, err = _run("verify", str(sig), "--public-key", str(pub), "--market", str(market))
    assert code == 2 and "--portfolio" in err


def test_price_signature_round_trip_and_refusals(tmp_path) -> None:
    key, printed = _keygen(tmp_path)
    pub = _public(tmp_path, printed)
    _, market = _example_files(tmp_path)
    sig = tmp_path / "prices.sig.json"
    code, _, err = _run("sign-prices", str(key), "--market", str(market), "--as-of", "1706745600", "--out", str(sig))
    assert code == 0, err
    code, out, err = _run("verify", str(sig), "--public-key", str(pub), "--market", str(market))
    assert code == 0 and json.loads(out)["subject"] == "prices", err
    doc = json.loads(market.read_text())
    doc["assets"][0] = {**doc["assets"][0], "price_end": int(doc["assets"][0]["price_end"]) + 1}
    moved = tmp_path / "moved.market.json"
    moved.write_text(json.dumps(doc))
    code, _, err = _run("verify", str(sig), "--public-key", str(pub), "--market", str(moved))
    assert code == 1 and "does not verify" in err
    code, _, err = _run("sign-prices", str(key), "--market", str(market), "--as-of", "yesterday",
                        "--out", str(tmp_path / "x.json"))
    assert code == 2 and "--as-of" in err and not (tmp_path / "x.json").exists()
