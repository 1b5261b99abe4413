"""Build folders: what `zkyield compile` and `zkyield setup` write, and how they are read back.

    statement.json   the statement (kind, clauses, size), its circuit id and the SHA-256 of the files below
    circuit.r1cs     the constraint system, for snarkjs users too
    circuit.wprog    the witness program (docs/witness_program_format.md): how inputs become a witness
    circuit.sym      wire names (circom's .sym format)
    proving_key      zkyield's proving key (docs/proving_key_format.md)
    verification_key.json

Reading a folder never runs the circuit builder: the circuit id is computed once, at compile time,
and stored; loading checks that circuit.r1cs and circuit.wprog are the files compile wrote (their
SHA-256 in statement.json), that the program names the same circuit id, and that the proving key was
made for it. statement.json is written last, so a folder that has one is complete.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path

from zkyield.dsl.compiled import ProgramCircuit
from zkyield.dsl.program import WitnessProgram
from zkyield.dsl.program_file import program_pieces, read_program
from zkyield.errors import FormatError, InputError
from zkyield.families import family_named
from zkyield.formats.atomic import write_json_atomic, write_pieces_atomic
from zkyield.formats.jsonfile import read_json
from zkyield.formats.proving_key import read_proving_key, write_proving_key
from zkyield.formats.r1cs_bin import read_r1cs
from zkyield.formats.r1cs_file import Rows, qap_rows, r1cs_layout
from zkyield.formats.snarkjs_json import dump_vk, load_vk
from zkyield.gc_pause import collector_paused
from zkyield.r1cs import R1CS, check_witness_shape
from zkyield.statement import PORTFOLIO, Keys, Statement, require_layout

STATEMENT_FILE = "statement.json"
CIRCUIT_FILE = "circuit.r1cs"
PROGRAM_FILE = "circuit.wprog"
SYMBOLS_FILE = "circuit.sym"
PROVING_KEY_FILE = "proving_key"
VERIFICATION_KEY_FILE = "verification_key.json"


def save_statement(statement: Statement, build_dir: str | os.PathLike) -> Path:
    out = Path(build_dir)
    out.mkdir(parents=True, exist_ok=True)
    circuit = statement.circuit
    with collector_paused():  # the program is frozen on the way (zkyield.gc_pause)
        return _save(statement, circuit, out)


def _save(statement: Statement, circuit: ProgramCircuit, out: Path) -> Path:
    digests = {}
    # circuit.r1cs first: a compiled circuit streams its constraints section and takes the circuit id
    # from the same encoding pass, which the program then carries
    for name, pieces in ((CIRCUIT_FILE, lambda: circuit.r1cs_pieces()),
                         (PROGRAM_FILE, lambda: program_pieces(circuit.program))):
        h = hashlib.sha256()
        write_pieces_atomic(out / name, pieces(), behind=True, observe=h.update, uncached=True)
        digests[name] = h.hexdigest()
    circuit.write_sym(out / SYMBOLS_FILE)
    doc = statement.describe()
    doc["files"] = digests
    write_json_atomic(out / STATEMENT_FILE, doc)
    return out


def load_statement(build_dir: str | os.PathLike) -> Statement:
    """The statement of build_dir from its files (no rebuilding), each checked against statement.json."""
    d = Path(build_dir)
    path = d / STATEMENT_FILE
    if not path.is_file():
        raise InputError(f"{build_dir}: no {STATEMENT_FILE}; run `zkyield compile POLICY.json --out {build_dir}`")
    doc, name = read_json(path)
    require_layout(doc, name)  # a folder of another hash layout: say rebuild, before anything is read
    files = doc.get("files") if isinstance(doc, dict) else None
    if not isinstance(files, dict) or PROGRAM_FILE not in files or not (d / PROGRAM_FILE).is_file():
        raise InputError(f"{build_dir}: no {PROGRAM_FILE} (made by an older zkyield); rebuild with "
                         f"`zkyield compile POLICY.json --out {build_dir}`, then `zkyield setup {build_dir}`")
    kind, clauses, size, circuit_id = _description(doc, name)
    program = read_program(_checked_bytes(d, PROGRAM_FILE, files))
    if program.circuit_id != circuit_id:
        raise FormatError(f"{PROGRAM_FILE}: made for another circuit than {STATEMENT_FILE}; compile again")
    circuit = LoadedCircuit(program, d / CIRCUIT_FILE, files.get(CIRCUIT_FILE))
    return Statement(kind, clauses, size, circuit)


class LoadedCircuit(ProgramCircuit):
    """A build folder's circuit: its program, and its .r1cs file (checked against the SHA-256 compile
    recorded each time it is read), parsed into an ``R1CS`` only when something asks for ``r1cs``.

    Proving does not: ``qap_rows`` computes the Groth16 rows straight from the file's constraints
    section in C and lets the bytes go before the MSMs, so a proof never holds the constraint system
    as Python objects, nor its file while the proving key is read or the MSMs run.
    """

    def __init__(self, program: WitnessProgram, r1cs_path: Path, sha256: object) -> None:
        self.program = program
        self.circuit_id = program.circuit_id
        self._path, self._sha256 = r1cs_path, sha256
        layout = r1cs_layout(self._read(), CIRCUIT_FILE)
        shape = (layout.n_wires, layout.n_pub_out, layout.n_pub_in, layout.n_prv_in)
        if shape != (program.n_wires, program.n_pub_out, program.n_pub_in, program.n_prv_in):
            raise FormatError(f"{CIRCUIT_FILE}: its wire layout differs from {PROGRAM_FILE}'s; compile again")
        self._layout = layout
        self._r1cs: R1CS | None = None
        # The bytes are not kept: the proving key is read next, and holding both would double the peak.

    def _read(self) -> bytes:
        return _checked_bytes(self._path.parent, self._path.name, {self._path.name: self._sha256})

    @property
    def r1cs(self) -> R1CS:  # type: ignore[override]
        if self._r1cs is None:
            r1cs = read_r1cs(self._read())
            r1cs.adopt_digest(self.circuit_id)  # byte for byte the file whose digest compile computed
            self._r1cs = r1cs
        return self._r1cs

    @property
    def n_constraints(self) -> int:
        return self._layout.n_constraints

    def check(self, witness: Sequence[int]) -> None:
        self.qap_rows(witness, self._layout.n_constraints + self.program.n_public + 1)

    def qap_rows(self, witness: Sequence[int], domain_size: int) -> Rows:
        """``groth16.qap.row_evaluations`` from the file (``formats.r1cs_file.qap_rows``)."""
        check_witness_shape(witness, self._layout.n_wires)
        return qap_rows(self._read(), self._layout, witness, domain_size)


def _checked_bytes(d: Path, file_name: str, files: dict) -> bytes:
    try:
        data = (d / file_name).read_bytes()
    except OSError as e:
        raise InputError(f"{d}: cannot read {file_name} ({e.strerror or e}); compile again") from None
    if hashlib.sha256(data).hexdigest() != files.get(file_name):
        raise InputError(f"{file_name}: not the file `zkyield compile` wrote with {STATEMENT_FILE}; compile again")
    return data


def _description(doc: dict, name: str) -> tuple[str, tuple[str, ...], dict[str, int], bytes]:
    """kind, clauses, size (read by the statement's family) and circuit id of a statement.json."""
    try:
        family = family_named(doc.get("statement", PORTFOLIO))
        clauses = tuple(str(c) for c in doc["clauses"])
        size = family.read_size(doc)
        circuit_id = bytes.fromhex(doc["circuit_id"])
        if len(circuit_id) != 32:
            raise ValueError("circuit_id is not 32 bytes")
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise FormatError(f"{name}: not a valid statement description ({exc}); compile it again") from None
    return family.name, clauses, size, circuit_id


def save_keys(keys: Keys, build_dir: str | os.PathLike) -> Path:
    out = Path(build_dir)
    out.mkdir(parents=True, exist_ok=True)
    write_proving_key(keys.proving_key, out / PROVING_KEY_FILE)
    vk = keys.verification_key
    dump_vk(vk, out / VERIFICATION_KEY_FILE)
    return out


def load_keys(build_dir: str | os.PathLike) -> Keys:
    """The statement and keys of a set-up build folder; refuses keys made for another circuit."""
    statement = load_statement(build_dir)
    d = Path(build_dir)
    if not (d / PROVING_KEY_FILE).is_file():
        raise InputError(f"{build_dir}: no {PROVING_KEY_FILE}; run `zkyield setup {build_dir}`")
    pk = read_proving_key(d / PROVING_KEY_FILE)
    if pk.circuit_digest != statement.circuit.program.circuit_id:
        raise InputError(f"{PROVING_KEY_FILE}: made for another circuit; run `zkyield setup {build_dir}` again")
    vk = load_vk(d / VERIFICATION_KEY_FILE)
    if vk.digest() != pk.vk.digest():
        raise InputError(f"{VERIFICATION_KEY_FILE}: does not belong to {PROVING_KEY_FILE}; run setup again")
    return Keys(statement, pk, vk)
