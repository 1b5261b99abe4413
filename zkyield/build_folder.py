"""Build folders: what `zkyield compile` and `zkyield setup` write, and how they are read back.

    statement.json   how to rebuild the circuit (kind, clauses, size) and its circuit id
    circuit.r1cs     the constraint system, for snarkjs users too
    circuit.sym      wire names (circom's .sym format)
    proving_key      zkyield's proving key (docs/proving_key_format.md)
    verification_key.json
"""

from __future__ import annotations

import os
from pathlib import Path

from zkyield.errors import InputError
from zkyield.formats.atomic import write_json_atomic
from zkyield.formats.jsonfile import read_json
from zkyield.formats.proving_key import read_proving_key, write_proving_key
from zkyield.formats.r1cs_bin import write_r1cs
from zkyield.formats.snarkjs_json import dump_vk, load_vk
from zkyield.pairing import pairing
from zkyield.statement import Keys, Statement, statement_from_description

STATEMENT_FILE = "statement.json"
CIRCUIT_FILE = "circuit.r1cs"
SYMBOLS_FILE = "circuit.sym"
PROVING_KEY_FILE = "proving_key"
VERIFICATION_KEY_FILE = "verification_key.json"


def save_statement(statement: Statement, build_dir: str | os.PathLike) -> Path:
    out = Path(build_dir)
    out.mkdir(parents=True, exist_ok=True)
    write_r1cs(statement.circuit.r1cs, out / CIRCUIT_FILE)
    statement.circuit.write_sym(out / SYMBOLS_FILE)
    write_json_atomic(out / STATEMENT_FILE, statement.describe())
    return out


def load_statement(build_dir: str | os.PathLike) -> Statement:
    """Rebuild the statement described by build_dir/statement.json and check it is the same circuit."""
    path = Path(build_dir) / STATEMENT_FILE
    if not path.is_file():
        raise InputError(f"{build_dir}: no {STATEMENT_FILE}; run `zkyield compile POLICY.json --out {build_dir}`")
    doc, name = read_json(path)
    return statement_from_description(doc, name)


def save_keys(keys: Keys, build_dir: str | os.PathLike) -> Path:
    out = Path(build_dir)
    out.mkdir(parents=True, exist_ok=True)
    write_proving_key(keys.proving_key, out / PROVING_KEY_FILE)
    vk = keys.verification_key
    dump_vk(vk, pairing(vk.alpha_g1, vk.beta_g2), out / VERIFICATION_KEY_FILE)
    return out


def load_keys(build_dir: str | os.PathLike) -> Keys:
    """The statement and keys of a set-up build folder; refuses keys made for another circuit."""
    statement = load_statement(build_dir)
    d = Path(build_dir)
    if not (d / PROVING_KEY_FILE).is_file():
        raise InputError(f"{build_dir}: no {PROVING_KEY_FILE}; run `zkyield setup {build_dir}`")
    pk = read_proving_key(d / PROVING_KEY_FILE)
    if pk.circuit_digest != statement.circuit.r1cs.digest():
        raise InputError(f"{PROVING_KEY_FILE}: made for another circuit; run `zkyield setup {build_dir}` again")
    vk = load_vk(d / VERIFICATION_KEY_FILE)
    if vk.digest() != pk.vk.digest():
        raise InputError(f"{VERIFICATION_KEY_FILE}: does not belong to {PROVING_KEY_FILE}; run setup again")
    return Keys(statement, pk, vk)
