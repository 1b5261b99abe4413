"""Shared helpers for the file-format tests: circom fixtures built once, and a test-side container editor.

The editor below is deliberately independent of ``zkyield.formats.binio`` (a few lines of ``struct``)
so the tests that mutate files do not trust the code they test.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.tools import circom_witness, compile_circom, run_snarkjs

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "circom"

# circuit name -> witness inputs (each circuit compiles from tests/fixtures/circom/<name>.circom)
CIRCUIT_INPUTS = {
    "multiplier2": {"a": 3, "b": 11},
    "no_public": {"a": 2, "b": 5},
    "public_output": {"x": 7},
    "poseidon_mix": {"a": 1, "b": 2},
}
# Circuits small enough that circom writes every linear combination in wire order.
SORTED_BY_CIRCOM = ("multiplier2", "no_public", "public_output")


@dataclass(frozen=True)
class Built:
    workdir: Path
    r1cs: Path
    wtns: Path
    wasm: Path


_built: dict[str, Built] = {}


def build_circuit(name: str, factory: pytest.TempPathFactory) -> Built:
    """Compile a fixture with circom2 and compute its witness with snarkjs, once per test session."""
    if name not in _built:
        workdir = factory.mktemp(f"circom_{name}")
        r1cs = compile_circom((FIXTURES / f"{name}.circom").read_text(), workdir, name)
        wtns = circom_witness(workdir, CIRCUIT_INPUTS[name], name)
        _built[name] = Built(workdir, r1cs, wtns, workdir / f"{name}_js" / f"{name}.wasm")
    return _built[name]


def split_sections(raw: bytes) -> tuple[bytes, int, list[tuple[int, bytes]]]:
    """(magic, version, [(type, content)]) of a well-formed iden3 container."""
    magic, version, n = raw[:4], *struct.unpack_from("<II", raw, 4)
    pos, out = 12, []
    for _ in range(n):
        t, size = struct.unpack_from("<IQ", raw, pos)
        out.append((t, raw[pos + 12 : pos + 12 + size]))
        pos += 12 + size
    assert pos == len(raw)
    return magic, version, out


def join_sections(magic: bytes, version: int, sections: list[tuple[int, bytes]]) -> bytes:
    body = b"".join(struct.pack("<IQ", t, len(c)) + c for t, c in sections)
    return magic + struct.pack("<II", version, len(sections)) + body


def replace_section(raw: bytes, section_type: int, content: bytes) -> bytes:
    magic, version, sections = split_sections(raw)
    return join_sections(magic, version, [(t, content if t == section_type else c) for t, c in sections])


def section(raw: bytes, section_type: int) -> bytes:
    return next(c for t, c in split_sections(raw)[2] if t == section_type)


def snarkjs_info(path: Path) -> dict[str, int]:
    """The counts ``snarkjs r1cs info`` prints ("# of Wires: 5" ...), keyed by name."""
    out = run_snarkjs("r1cs", "info", path).stdout
    return {k: int(v) for k, v in re.findall(r"# of ([A-Za-z ]+): (\d+)", out)}
