"""Shared material for the ptau/zkey/ceremony tests: a tiny snarkjs ceremony, built once per process.

Power 6 (64 powers) keeps snarkjs's phase 1 at a few seconds; the circuit needs a 16-point domain.
Files are made by snarkjs only (never downloaded) and cached in one temporary folder.
"""

from __future__ import annotations

import functools
import json
import re
import tempfile
from pathlib import Path

from tests.support.r1cs_samples import chained_multiplications
from tests.support.tools import run_node, run_snarkjs
from zkyield.curve import G1Affine, G2Affine
from zkyield.formats.r1cs_bin import write_r1cs
from zkyield.formats.wtns_bin import write_wtns

POWER = 6
BEACON_HEX = "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20"
BEACON_EXP = 10
_HASH_LINE = re.compile(r"^\s*((?:[0-9a-f]{8} ){3}[0-9a-f]{8})\s*$")


@functools.cache
def workdir() -> Path:
    return Path(tempfile.mkdtemp(prefix="zkyield-ceremony-"))


@functools.cache
def snarkjs_ptau() -> tuple[Path, Path]:
    """(unprepared, prepared) powers of tau of 2^POWER with one contribution, made by snarkjs."""
    d = workdir()
    p0, p1, final = d / "pot_0.ptau", d / "pot_1.ptau", d / "pot_final.ptau"
    run_snarkjs("powersoftau", "new", "bn128", str(POWER), p0)
    run_snarkjs("powersoftau", "contribute", p0, p1, "--name=first", "-e=zkyield ceremony tests")
    run_snarkjs("powersoftau", "prepare", "phase2", p1, final)
    return p1, final


@functools.cache
def circuit() -> tuple[Path, Path, list[int]]:
    """A 6-step chained-multiplication circuit with 2 public inputs: (.r1cs, .wtns, witness)."""
    d = workdir()
    r1cs, witness = chained_multiplications(n_public=2, n_steps=6)
    write_r1cs(r1cs, d / "circuit.r1cs")
    write_wtns(witness, d / "circuit.wtns")
    return d / "circuit.r1cs", d / "circuit.wtns", witness


def snarkjs_hashes(output: str) -> list[bytes]:
    """The 64-byte hashes snarkjs prints as four lines of four hex words."""
    words = [m.group(1).split() for line in output.splitlines() if (m := _HASH_LINE.match(line))]
    return [bytes.fromhex("".join(sum(words[i : i + 4], []))) for i in range(0, len(words), 4)]


@functools.cache
def snarkjs_chain() -> tuple[Path, Path, Path, list[bytes]]:
    """snarkjs zkey new, one contribution and a beacon: (key_0, key_1, key_final, contribution hashes)."""
    d = workdir()
    r1cs, _, _ = circuit()
    ptau = snarkjs_ptau()[1]
    k0, k1, k2 = d / "snark_0.zkey", d / "snark_1.zkey", d / "snark_final.zkey"
    run_snarkjs("zkey", "new", r1cs, ptau, k0)
    out1 = run_snarkjs("zkey", "contribute", k0, k1, "--name=alice", "-e=alice entropy")
    out2 = run_snarkjs("zkey", "beacon", k1, k2, BEACON_HEX, str(BEACON_EXP), "-n=final beacon")
    hashes = [snarkjs_hashes(out1.stdout + out1.stderr)[-1], snarkjs_hashes(out2.stdout + out2.stderr)[-1]]
    return k0, k1, k2, hashes


def json_g1(p: list[str]) -> G1Affine:
    """snarkjs export json's projective G1 (z = 1, or infinity as z = 0) as an affine tuple."""
    return None if p[2] == "0" else (int(p[0]), int(p[1]))


def json_g2(p: list[list[str]]) -> G2Affine:
    if p[2] == ["0", "0"]:
        return None
    return (int(p[0][0]), int(p[0][1])), (int(p[1][0]), int(p[1][1]))


def export_zkey_json(path: Path) -> dict:
    """``snarkjs zkey export json``: snarkjs's own decoding of a .zkey, as decimal strings."""
    out = path.with_suffix(path.suffix + ".json")
    run_snarkjs("zkey", "export", "json", path, out)
    return json.loads(out.read_text())


# snarkjs 0.7.6's `powersoftau export json` prints raw buffers as Fr numbers, so ptau points are
# decoded with the libraries snarkjs itself reads them with: @iden3/binfileutils and ffjavascript.
_PTAU_POINTS_JS = """
const {readBinFile} = require("@iden3/binfileutils");
const {buildBn128} = require("ffjavascript");
(async () => {
  const [path, spec] = process.argv.slice(1);
  const {fd, sections} = await readBinFile(path, "ptau", 1);
  const curve = await buildBn128(true);
  const out = {};
  for (const [section, start, count, group] of JSON.parse(spec)) {
    const G = curve[group];
    const size = G.F.n8 * 2;
    const buff = await fd.read(count * size, sections[section][0].p + start * size);
    const pts = [];
    for (let i = 0; i < count; i++) {
      const p = G.fromRprLEM(buff, i * size);
      pts.push(G.isZero(p) ? null : G.toObject(G.toAffine(p)).slice(0, 2));
    }
    out[section + ":" + start] = pts;
  }
  await curve.terminate();
  console.log(JSON.stringify(out, (k, v) => (typeof v === "bigint" ? v.toString() : v)));
})();
"""


def ffjs_ptau_points(path: Path, spec: list[tuple[int, int, int, str]]) -> dict[str, list]:
    """Points of (section, start, count, "G1"|"G2") as ffjavascript decodes them, as zkyield tuples."""
    raw = json.loads(run_node(_PTAU_POINTS_JS, str(path), json.dumps(spec)))
    out = {}
    for (section, start, _, group), pts in zip(spec, raw.values(), strict=True):
        conv = json_g1 if group == "G1" else json_g2
        out[f"{section}:{start}"] = [
            None if p is None else conv([*p, ["1", "0"] if group == "G2" else "1"]) for p in pts
        ]
    return out
