"""`zkyield report`: the auditor's page, rendered in a real headless Chromium (issue 19).

A passing and a failing portfolio report are screenshotted (the verdict banner's pixels must be green,
resp. red) and their DOM dumped (verdict and every clause of the verifier's policy present); a history
report draws its window; no private value of the portfolio or the history appears anywhere in the page.
"""

from __future__ import annotations

import json
import re
import shutil
import struct
import subprocess
import zlib
from datetime import datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.support.history import START, WEEK, make_history, market_for, policy
from tests.support.verify import H_POLICY, NAVS, write_public_files
from zkyield import api
from zkyield.circuits.history_chain import snapshot_commitment, window
from zkyield.circuits.models import example, load_market, load_policy, load_portfolio
from zkyield.cli.demo_command import published_log
from zkyield.cli.main import cli
from zkyield.formats.attestation import write_attestation
from zkyield.report import _iso, clause_texts

PORTFOLIO, MARKET, POLICY = example("demo")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (.ci/run installs it)")
WIDTH, HEIGHT = 1000, 1400


def run(*args: str | Path) -> tuple[int, str]:
    res = CliRunner().invoke(cli, [str(a) for a in args])
    return res.exit_code, res.output


@pytest.fixture(scope="module")
def real(tmp_path_factory) -> Path:
    """The demo statement's build folder and a real proof of the demo book, plus a tampered copy."""
    d = tmp_path_factory.mktemp("report")
    pol = load_policy(POLICY)
    statement = api.compile_statement(pol)
    keys = api.setup(statement)
    api.save_statement(statement, d / "build")
    api.save_keys(keys, d / "build")
    att = api.prove(load_portfolio(PORTFOLIO), load_market(MARKET), pol, keys)
    write_attestation(att, keys.verification_key, d / "proof")
    shutil.copytree(d / "proof", d / "bad")
    proof = json.loads((d / "bad" / "proof.json").read_text())
    proof["pi_a"], proof["pi_c"] = proof["pi_c"], proof["pi_a"]  # valid points, wrong proof
    (d / "bad" / "proof.json").write_text(json.dumps(proof))
    return d


@pytest.fixture(scope="module")
def hist(tmp_path_factory):
    d = tmp_path_factory.mktemp("hist")
    h = make_history(NAVS)
    market = market_for(h, 450, slack=86_400)
    statement = api.compile_statement(H_POLICY)
    keys = api.setup(statement)
    api.save_statement(statement, d / "build")
    api.save_keys(keys, d / "build")
    write_attestation(api.prove_history(h, market, H_POLICY, keys), keys.verification_key, d / "proof")
    write_public_files(d, market)
    (d / "policy.json").write_text(json.dumps(api.policy_document(H_POLICY)))  # with its max_commit_delay_s
    published_log(h).save(d / "snapshots.log.json")
    return d, h, market, keys


def _report(real: Path, proof: str, out: Path) -> tuple[int, str]:
    return run("report", real / proof, "--key", real / "build", "--policy", POLICY, "--market", MARKET, "-o", out)


def _png_pixels(path: Path) -> tuple[int, int, list[bytes]]:
    """Width, height and the RGB(A) rows of an 8-bit truecolour PNG (what Chromium writes), unfiltered."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, head = 8, b"", None
    while pos < len(data):
        (length,), kind = struct.unpack(">I", data[pos:pos + 4]), data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            head = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = head
    assert depth == 8 and colour in (2, 6) and interlace == 0, head
    bpp = 3 if colour == 2 else 4
    raw, stride, rows, prev = zlib.decompress(idat), width * bpp, [], bytearray(width * bpp)
    for r in range(height):
        kind, line = raw[r * (stride + 1)], bytearray(raw[r * (stride + 1) + 1:(r + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + a) & 255
            elif kind == 2:
                line[i] = (line[i] + b) & 255
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return width, height, [bytes(row[i:i + 3]) for row in rows for i in range(0, stride, bpp)]


def _chromium(page: Path, tmp: Path, *flags: str) -> subprocess.CompletedProcess:
    return subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={tmp / 'prof'}",
                           *flags, page.resolve().as_uri()], capture_output=True, text=True, timeout=120, check=True)


def _banner_colour(page: Path, tmp: Path) -> tuple[tuple[int, int, int], int]:
    """The most common colour inside the region where the verdict banner is drawn (below the title), and the
    number of text lines drawn in the section of proven clauses."""
    shot = tmp / (page.stem + ".png")
    _chromium(page, tmp, f"--screenshot={shot}", f"--window-size={WIDTH},{HEIGHT}", "--hide-scrollbars")
    width, height, pixels = _png_pixels(shot)
    assert (width, height) == (WIDTH, HEIGHT)
    counts: dict[bytes, int] = {}
    for yy in range(75, 150):  # the banner: 56px word + padding, starting ~70px down
        for xx in range(150, 800):
            px = pixels[yy * width + xx]
            counts[px] = counts.get(px, 0) + 1
    best = max(counts, key=counts.__getitem__)
    return (best[0], best[1], best[2]), _lines_between_first_rules(pixels, width, height)


RULE = bytes((0xD0, 0xD7, 0xDE))  # the grey line under each section heading (h2's border-bottom)


def _lines_between_first_rules(pixels: list[bytes], width: int, height: int) -> int:
    """Lines of dark (text) pixels drawn between the rule under "What was proven" and the rule under the next
    heading: the lead sentence, one line per clause, and the next heading itself."""
    def row(yy: int) -> list[bytes]:
        return pixels[yy * width + 40:(yy + 1) * width - 40]

    rules = [yy for yy in range(height) if row(yy).count(RULE) > 0.8 * (width - 80)]
    assert len(rules) >= 2, "no section headings drawn"
    lines, inside = 0, False
    for yy in range(rules[0] + 1, rules[1]):
        dark = any(sum(px) < 300 for px in row(yy))
        lines, inside = lines + (dark and not inside), dark
    return lines


def _dom(page: Path, tmp: Path) -> str:
    return _chromium(page, tmp, "--dump-dom").stdout


def _visible_text(dom: str) -> str:
    body = dom[dom.index("<body"):]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


def _private_values_of_portfolio() -> set[str]:
    doc = json.loads(PORTFOLIO.read_text())
    values: set[str] = set()

    def walk(v: object) -> None:
        if isinstance(v, dict):
            for x in v.values():
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)
        elif isinstance(v, (int, float)) and not isinstance(v, bool) and abs(v) >= 1000:
            values.add(str(v))
        elif isinstance(v, str) and re.fullmatch(r"[0-9][0-9.]{3,}", v):
            values.add(v)
    walk(doc)
    return values


@needs_chromium
def test_passing_and_failing_reports_render_green_and_red_in_chromium(real, tmp_path):
    code, out = _report(real, "proof", tmp_path / "pass.html")
    assert code == 0 and out.startswith("PASS: report written to"), out
    code, out = _report(real, "bad", tmp_path / "fail.html")
    assert code == 1 and out.startswith("FAIL ("), out

    (green, pass_lines), (red, fail_lines) = (_banner_colour(tmp_path / f"{n}.html", tmp_path)
                                              for n in ("pass", "fail"))
    assert pass_lines >= 6 and fail_lines >= 6, (pass_lines, fail_lines)  # lead, four clauses, next heading
    assert green[1] > 100 and green[1] > green[0] + 60 and green[1] > green[2] + 40, green
    assert red[0] > 150 and red[0] > red[1] + 100 and red[0] > red[2] + 100, red

    clauses = clause_texts(api.policy_document(load_policy(POLICY)), "portfolio")
    assert len(clauses) == 4 and "period return at least 5% (min_return_bps = 500)" in clauses
    for name, verdict in (("pass", "PASS"), ("fail", "FAIL")):
        text = _visible_text(_dom(tmp_path / f"{name}.html", tmp_path))
        assert text.strip().startswith(f"zkyield verification report {verdict} "), text[:200]
        for clause in clauses:
            assert clause in text, (name, clause)
        assert "not checked: the policy requires no attestation" in text
    fail_text = _visible_text(_dom(tmp_path / "fail.html", tmp_path))
    assert "NOT established: verification failed" in fail_text
    assert "Verification failed: the Groth16 pairing equation fails" in fail_text, fail_text[:300]


def test_the_page_is_self_contained_and_holds_no_private_value(real, tmp_path):
    code, _ = _report(real, "proof", tmp_path / "r.html")
    page = (tmp_path / "r.html").read_text()
    assert code == 0
    assert not re.search(r"(src|href)\s*=|url\(|@import|<script|<link", page, re.I)
    private = _private_values_of_portfolio()
    assert private, "the scan must look for something"
    for value in private:
        assert value not in page, value
    portfolio = load_portfolio(PORTFOLIO)
    assert str(portfolio.salt) not in page


def test_the_prover_s_policy_text_never_appears_as_proven(real, tmp_path):
    """An attestation.json whose policy text was edited: the page shows the verifier's clauses only."""
    shutil.copytree(real / "proof", tmp_path / "p")
    doc = json.loads((tmp_path / "p" / "attestation.json").read_text())
    doc["policy"]["min_return_bps"] = 987_654
    (tmp_path / "p" / "attestation.json").write_text(json.dumps(doc))
    code, _ = run("report", tmp_path / "p", "--key", real / "build", "--policy", POLICY, "--market", MARKET,
                  "-o", tmp_path / "r.html")
    page = (tmp_path / "r.html").read_text()
    assert "987654" not in page and "987,654" not in page
    assert code == 0 and "period return at least 5% (min_return_bps = 500)" in page  # the verifier's policy


def test_without_the_policy_no_clause_is_shown(real, tmp_path):
    code, _ = run("report", real / "proof", "--key", real / "build", "--market", MARKET, "-o", tmp_path / "r.html")
    page = (tmp_path / "r.html").read_text()
    assert code == 0 and "policy not checked" in page  # the policy is not a required check: say what is missing
    assert "No clause is shown" in page and "min_return_bps" not in page


def test_text_is_escaped(real, tmp_path):
    folder = tmp_path / "<b>x&y"
    shutil.copytree(real / "proof", folder)
    code, _ = run("report", folder, "--key", real / "build", "--policy", POLICY, "--market", MARKET,
                  "-o", tmp_path / "r.html")
    page = (tmp_path / "r.html").read_text()
    assert code == 0 and "<b>x&y" not in page and "&lt;b&gt;x&amp;y" in page


def test_bad_input_is_one_line_exit_2_and_writes_nothing(real, tmp_path):
    code, out = run("report", real / "proof", "--policy", POLICY, "-o", tmp_path / "r.html")
    assert code == 2 and out.startswith("error: --key: name the verification key you trust") and out.count("\n") == 1
    code, out = run("report", real / "proof", "--key", real / "build", "-o", tmp_path / "no" / "r.html")
    assert code == 2, out
    assert out == f"error: -o: folder {tmp_path / 'no'} does not exist; create it or choose another path\n"
    code, out = run("report", real / "proof", "--key", real / "build", "-o", tmp_path)
    assert code == 2 and out.startswith("error: -o: ") and "is a folder" in out
    assert not (tmp_path / "r.html").exists()


@needs_chromium
def test_history_report_charts_the_window_and_hides_the_history(hist, tmp_path):
    d, h, _, _ = hist
    out = tmp_path / "h.html"
    code, text = run("report", d / "proof", "--key", d / "build", "--policy", d / "policy.json",
                     "--market", d / "market.json", "--log", d / "snapshots.log.json", "-o", out)
    assert code == 0, text
    page = out.read_text()
    svg = page[page.index("<svg"):page.index("</svg>")]
    n = H_POLICY.periods + 1
    assert svg.count("<circle") == 2 and svg.count("stroke-opacity") == n - 2  # endpoints exact, the rest bounded
    assert "committed from 2024-01-01 00:10:00 UTC" in page  # the first snapshot's log time
    dom = _visible_text(_dom(out, tmp_path))
    assert dom.strip().startswith("zkyield verification report PASS ")
    for clause in clause_texts(api.policy_document(H_POLICY), "history"):
        assert clause in dom, clause
    w = window(h, H_POLICY.periods)
    private = {str(w.prev_head)}
    for s in h.snapshots:
        private |= {str(s.nav), f"{s.nav:,}", str(s.salt), str(s.positions_commitment),
                    str(snapshot_commitment(h.owner, s))}
    for value in private:
        assert value not in page, value


def _marks_x(page: str) -> list[float]:
    svg = page[page.index("<svg"):page.index("</svg>")]
    return [float(v) for v in re.findall(r"<(?:circle cx|line x1)='([0-9.]+)'[^>]*><title>", svg)]


def test_a_record_written_afterwards_stands_as_a_wall_not_a_diagonal(hist, tmp_path):
    """Same NAVs, all four snapshots committed at once after the window, under a lax 40-day delay policy."""
    d, _, market, keys = hist
    late = policy(3, max_commit_delay_s=40 * 86_400, max_drawdown_bps=900)
    h = make_history(NAVS, committed=[START + 3 * WEEK + 3_600] * 4)
    write_attestation(api.prove_history(h, market, late, keys), keys.verification_key, tmp_path / "proof")
    (tmp_path / "late.policy.json").write_text(json.dumps(api.policy_document(late)))
    published_log(h).save(tmp_path / "late.log.json")
    code, text = run("report", tmp_path / "proof", "--key", d / "build", "--policy", tmp_path / "late.policy.json",
                     "--market", d / "market.json", "--log", tmp_path / "late.log.json", "-o", tmp_path / "late.html")
    assert code == 0, text
    wall = _marks_x((tmp_path / "late.html").read_text())
    code, text = run("report", d / "proof", "--key", d / "build", "--policy", d / "policy.json",
                     "--market", d / "market.json", "--log", d / "snapshots.log.json", "-o", tmp_path / "kept.html")
    kept = _marks_x((tmp_path / "kept.html").read_text())
    assert len(wall) == len(kept) == 4
    assert len(set(wall)) == 1  # one commit time: a vertical wall
    assert kept == sorted(kept)
    assert min(b - a for a, b in zip(kept, kept[1:], strict=False)) > 100  # spread along the diagonal


@pytest.mark.chain
@pytest.mark.snarkjs
def test_history_report_from_the_registry_charts_its_block_times(hist, tmp_path):
    """Snapshots committed on anvil a week apart (block times); the chart's commit times are the registry's."""
    from test_history_registry import POSEIDON_JS

    from tests.support.chain import Anvil
    from tests.support.poseidon import run_node
    from zkyield.circuits.history_models import load_history, market_hash, policy_hash
    from zkyield.verifier import chain
    from zkyield.verifier.solc import CompiledContract

    d, _, _, keys = hist
    key = "0x" + "6e" * 32
    (tmp_path / "key").write_text(key)
    sender = chain.sender_from_key(key)
    history = tmp_path / "history.json"
    assert run("snapshot", "init", history, "--owner", sender.address, "--nav-decimals", "6")[0] == 0
    poseidon = json.loads(run_node(POSEIDON_JS))
    with Anvil([key]) as node:
        w3 = chain.connect(node.url)
        hasher = chain.deploy(w3, CompiledContract("Poseidon4", poseidon["abi"], poseidon["bytecode"], ""), sender)
        registry = chain.deploy_registry(w3, sender)
        chain.transact(w3, chain.registry_contract(w3, registry).functions.setSnapshotHasher(hasher), sender)
        on_chain = ["--rpc-url", node.url, "--registry", registry]
        for i, nav in enumerate(NAVS):
            if i:
                w3.provider.make_request("evm_increaseTime", [WEEK])
                w3.provider.make_request("evm_mine", [])
            when = datetime.fromtimestamp(w3.eth.get_block("latest")["timestamp"] - 3_600, timezone.utc)
            code, out = run("snapshot", "commit", history, "--nav", str(nav / 10**6), "--time",
                            when.strftime("%Y-%m-%dT%H:%M:%SZ"), *on_chain, "--key-file", tmp_path / "key")
            assert code == 0, out
        h = load_history(history)
        market = market_for(h, 450, slack=86_400)
        write_attestation(api.prove_history(h, market, H_POLICY, keys), keys.verification_key, tmp_path / "proof")
        policy_file, market_file = write_public_files(tmp_path, market)
        policy_file.write_text(json.dumps(api.policy_document(H_POLICY)))
        report = ["report", tmp_path / "proof", "--key", d / "build", "--policy", policy_file, "--market", market_file,
                  *on_chain]
        code, out = run(*report, "-o", tmp_path / "before.html")
        assert code == 0, out  # a history proof need not be on chain; the page says it is not
        before = (tmp_path / "before.html").read_text()
        assert "<p class='fail'><b>fail</b>: the registry " in before and "has no history attestation" in before
        signer = ["--key-file", tmp_path / "key"]
        verifier = chain.deploy_verifier(w3, keys.verification_key, sender)
        w3.provider.make_request("evm_increaseTime", [2 * 86_400])  # the market's period must be over to submit
        w3.provider.make_request("evm_mine", [])
        for args in (["register-policy", "--policy-hash", policy_hash(H_POLICY), "--verifier", verifier,
                      "--family", "history"],
                     ["register-market", "--market-hash", market_hash(market), "--period-start", market.period.start,
                      "--period-end", market.period.end],
                     ["submit", tmp_path / "proof"]):
            code, out = run(*args, *on_chain, *signer)
            assert code == 0, out
        code, out = run(*report, "-o", tmp_path / "r.html")
    assert code == 0, out
    page = (tmp_path / "r.html").read_text()
    marks = _marks_x(page)
    assert len(marks) == 4 and marks == sorted(marks) and len(set(marks)) == 4
    assert f"committed from {_iso(h.snapshots[0].committed_at)} to {_iso(h.snapshots[-1].committed_at)}" in page
    assert "<p class='pass'><b>pass</b>: the registry " in page and "accepted a history proof" in page
    for s in h.snapshots:  # the CLI left the positions commitment 0 here: only the salt is a secret worth a scan
        assert str(s.salt) not in page and str(s.nav) not in page
