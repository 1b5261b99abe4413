"""Read and write compiled witness programs (``circuit.wprog``; docs/witness_program_format.md).

An iden3-style container (magic ``zkwp``, version 1) with seven sections: header, constants, terms,
steps, hints, signals, strings. No code is stored: a hint is a name looked up in
``zkyield.dsl.hints``. Loading checks every count against the bytes present, every index against its
table, and the program's shape (each computed slot written exactly once, never before it is read,
inputs never written, the signals tiling the input and output wires), so a program that loads runs
without reading an unwritten or missing slot.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator

import numpy as np

from zkyield.dsl.hints import lookup
from zkyield.dsl.program import (
    ARG_CONST,
    ARG_LC,
    ARG_LIST,
    KIND_OUT,
    KIND_PRV,
    KIND_PUB,
    OP_COPY,
    OP_HINT,
    OP_MUL,
    STEP_FIELDS,
    HintCall,
    Signal,
    WitnessProgram,
    frozen_u32,
)
from zkyield.errors import FormatError
from zkyield.field import R
from zkyield.formats.atomic import write_pieces_atomic
from zkyield.formats.binio import FR_BYTES, Reader, Source, container_pieces, load_source, read_container, u32

MAGIC = b"zkwp"
VERSION = 1
SECTION_HEADER, SECTION_CONSTANTS, SECTION_TERMS, SECTION_STEPS, SECTION_HINTS, SECTION_SIGNALS, SECTION_STRINGS = (
    range(1, 8))
_COUNTS = ("n_slots", "n_wires", "n_pub_out", "n_pub_in", "n_prv_in", "n_constants", "n_terms", "n_steps",
           "n_hints", "n_signals", "n_strings")
MAX_STRING = 4096
MAX_SLOTS = 1 << 28
# Input slots carry no bytes of their own (a signal of any length is 20 bytes), so a count is bounded by
# what the file can use: one term per input the program reads, plus this many that only the R1CS reads.
MAX_UNREAD_INPUTS = 1 << 16


# -- writing -------------------------------------------------------------------------------------------


def program_to_bytes(p: WitnessProgram) -> bytes:
    return b"".join(program_pieces(p))


def program_pieces(p: WitnessProgram) -> Iterator[bytes | memoryview]:
    """The ``.wprog`` file as pieces to write in order; the term and step sections are views of the
    program's own arrays (tens of MB at N = 128, not copied before they are written)."""
    strings: dict[str, int] = {}

    def sid(text: str) -> int:
        return strings.setdefault(text, len(strings))

    hints = bytearray()
    for h in p.hints:
        hints += struct.pack("<6I", sid(h.name), sid(h.label), int(h.scalar), len(h.outputs), h.n_args, len(h.args))
        hints += struct.pack(f"<{len(h.outputs)}I", *h.outputs) + struct.pack(f"<{len(h.args)}I", *h.args)
    signals = b"".join(struct.pack("<5I", sid(s.name), s.kind, s.first, s.length, int(s.is_array))
                       for s in p.signals)
    table = b"".join(u32(len(b), "string length") + b for b in (t.encode("utf-8") for t in strings))
    counts = (p.n_slots, p.n_wires, p.n_pub_out, p.n_pub_in, p.n_prv_in, len(p.constants), len(p.terms),
              len(p.steps), len(p.hints), len(p.signals), len(strings))
    header = p.circuit_id + b"".join(u32(n, name) for n, name in zip(counts, _COUNTS, strict=True))
    constants = b"".join(k.to_bytes(FR_BYTES, "little") for k in p.constants)
    return container_pieces(MAGIC, VERSION, [
        (SECTION_HEADER, [header]), (SECTION_CONSTANTS, [constants]),
        (SECTION_TERMS, [_u32_bytes(p.terms)]), (SECTION_STEPS, [_u32_bytes(p.steps)]),
        (SECTION_HINTS, [bytes(hints)]), (SECTION_SIGNALS, [signals]), (SECTION_STRINGS, [table]),
    ])


def _u32_bytes(rows: np.ndarray) -> memoryview:
    """The little-endian bytes of a u32 array, a view when it is already laid out so."""
    return memoryview(np.ascontiguousarray(rows, dtype="<u4")).cast("B")


def write_program(p: WitnessProgram, path: str | os.PathLike) -> None:
    write_pieces_atomic(path, program_pieces(p))


# -- reading -------------------------------------------------------------------------------------------


def read_program(src: Source) -> WitnessProgram:
    """Load and validate a witness program (path or bytes); FormatError names the first problem."""
    data, name = load_source(src, "witness program")
    box = read_container(data, MAGIC, VERSION, name)
    h = box.section(SECTION_HEADER, "header")
    circuit_id = h.take(32, "header circuit id")
    c = dict(zip(_COUNTS, (h.u32(f"header {n}") for n in _COUNTS), strict=True))
    h.expect_end("header section")
    _check_counts(c, name)
    strings = _strings(box.section(SECTION_STRINGS, "strings"), c["n_strings"])
    constants = _constants(box.section(SECTION_CONSTANTS, "constants"), c["n_constants"])
    terms = _u32_table(box.section(SECTION_TERMS, "terms"), c["n_terms"], 2, "terms")
    _check_inputs(c, len(terms), name)
    steps = _u32_table(box.section(SECTION_STEPS, "steps"), c["n_steps"], STEP_FIELDS, "steps")
    hints = _hints(box.section(SECTION_HINTS, "hints"), c, strings)
    signals = _signals(box.section(SECTION_SIGNALS, "signals"), c, strings)
    program = WitnessProgram(
        n_slots=c["n_slots"], n_wires=c["n_wires"], n_pub_out=c["n_pub_out"], n_pub_in=c["n_pub_in"],
        n_prv_in=c["n_prv_in"], constants=constants, terms=terms, steps=steps, hints=hints,
        signals=signals, circuit_id=circuit_id,
    )
    validate(program, name)
    return program


def _check_counts(c: dict[str, int], name: str) -> None:
    if c["n_slots"] > MAX_SLOTS:
        raise FormatError(f"{name}: header n_slots = {c['n_slots']} exceeds 2^28, Groth16's largest domain")
    if c["n_wires"] < 1 + c["n_pub_out"] + c["n_pub_in"] + c["n_prv_in"]:
        raise FormatError(f"{name}: header n_wires is smaller than 1 + outputs + public + private inputs")
    if c["n_slots"] < c["n_wires"]:
        raise FormatError(f"{name}: header n_slots is smaller than n_wires")


def _check_inputs(c: dict[str, int], n_terms: int, name: str) -> None:
    """Refuse an input count the file cannot use, before anything of that size is allocated (a flipped
    count claiming 2^28 inputs would otherwise cost gigabytes to validate and to run)."""
    n_inputs = c["n_pub_in"] + c["n_prv_in"]
    if n_inputs > n_terms + MAX_UNREAD_INPUTS:
        raise FormatError(f"{name}: header claims {n_inputs} input slots but its {n_terms} terms can read at most "
                          f"{n_terms} of them (plus {MAX_UNREAD_INPUTS} read only by the R1CS); compile again")


def _strings(r: Reader, n: int) -> list[str]:
    r.need(n, 4, "header n_strings")
    out = []
    for i in range(n):
        size = r.u32(f"string {i} length")
        if size > MAX_STRING:
            raise FormatError(f"{r.name}: string {i} is {size} bytes, more than {MAX_STRING}")
        try:
            out.append(r.take(size, f"string {i}").decode("utf-8"))
        except UnicodeDecodeError:
            raise FormatError(f"{r.name}: string {i} is not UTF-8") from None
    r.expect_end("strings section")
    return out


def _constants(r: Reader, n: int) -> tuple[int, ...]:
    r.need(n, FR_BYTES, "header n_constants")
    out = tuple(r.element(FR_BYTES, R, f"constant {i}") for i in range(n))
    r.expect_end("constants section")
    return out


def _u32_table(r: Reader, n: int, width: int, what: str) -> np.ndarray:
    r.need(n, 4 * width, f"header n_{what}")
    arr = np.frombuffer(r.data, dtype="<u4", count=n * width, offset=r.pos).astype(np.uint32)
    r.pos += 4 * width * n
    r.expect_end(f"{what} section")
    return frozen_u32(arr, width)


def _string(strings: list[str], i: int, r: Reader, what: str) -> str:
    if i >= len(strings):
        raise FormatError(f"{r.name}: {what} names string {i} but there are {len(strings)}")
    return strings[i]


def _hints(r: Reader, c: dict[str, int], strings: list[str]) -> tuple[HintCall, ...]:
    r.need(c["n_hints"], 24, "header n_hints")
    out = []
    for i in range(c["n_hints"]):
        name_i, label_i, scalar, n_out, n_args, n_tokens = (r.u32(f"hint {i} header") for _ in range(6))
        r.need(n_out + n_tokens, 4, f"hint {i} outputs and arguments")
        outputs = struct.unpack_from(f"<{n_out}I", r.data, r.pos)
        r.pos += 4 * n_out
        tokens = struct.unpack_from(f"<{n_tokens}I", r.data, r.pos)
        r.pos += 4 * n_tokens
        name = _string(strings, name_i, r, f"hint {i}")
        if lookup(name) is None:
            raise FormatError(f"{r.name}: hint {i} is {name!r}, which is not registered in this zkyield; "
                              "import the module that defines it, or compile the statement again")
        if scalar > 1 or (scalar and n_out != 1):
            raise FormatError(f"{r.name}: hint {i} has a bad scalar flag")
        out.append(HintCall(name, _string(strings, label_i, r, f"hint {i} label"), bool(scalar), outputs, n_args,
                            tokens))
    r.expect_end("hints section")
    return tuple(out)


def _signals(r: Reader, c: dict[str, int], strings: list[str]) -> tuple[Signal, ...]:
    r.need(c["n_signals"], 20, "header n_signals")
    out = []
    for i in range(c["n_signals"]):
        name_i, kind, first, length, is_array = (r.u32(f"signal {i}") for _ in range(5))
        if kind not in (KIND_OUT, KIND_PUB, KIND_PRV) or is_array > 1 or length < 1 or (length > 1 and not is_array):
            raise FormatError(f"{r.name}: signal {i} has a bad kind, length or array flag")
        out.append(Signal(_string(strings, name_i, r, f"signal {i}"), kind, first, length, bool(is_array)))
    r.expect_end("signals section")
    return tuple(out)


# -- the program's shape ------------------------------------------------------------------------------


def validate(p: WitnessProgram, name: str = "witness program") -> None:
    """Check every index and the write-once, write-before-read shape; FormatError on the first problem."""

    def bad(msg: str) -> FormatError:
        return FormatError(f"{name}: {msg}; compile the statement again")

    _check_signals(p, bad)
    n_terms, n_consts = len(p.terms), len(p.constants)
    if n_terms and (int(p.terms[:, 0].max()) >= p.n_slots or int(p.terms[:, 1].max()) >= n_consts):
        raise bad("a term names a slot or constant out of range")
    steps = p.steps.astype(np.int64)
    op, out, a0, an, b0, bn = (steps[:, i] for i in range(STEP_FIELDS))
    if np.any(op > OP_HINT):
        raise bad("a step has an unknown operation")
    arith = op != OP_HINT
    if np.any(arith & (out >= p.n_slots)):
        raise bad("a step writes a slot out of range")
    if np.any(arith & ((a0 + an > n_terms) | (b0 + bn > n_terms))):
        raise bad("a step's linear combination runs past the term table")
    if np.any((op == OP_COPY) & ((b0 != 0) | (bn != 0))) or np.any(~arith & ((a0 | an | b0 | bn) != 0)):
        raise bad("a step has fields its operation does not use")
    hint_steps = np.flatnonzero(~arith)
    if len(hint_steps) != len(p.hints) or np.any(out[hint_steps] != np.arange(len(hint_steps))):
        raise bad("hint steps must name the hints in order, each once")
    n_written = int(arith.sum()) + sum(len(h.outputs) for h in p.hints)  # checked before allocating n_slots
    if n_written != p.n_slots - p.first_computed + p.n_pub_out:
        raise bad("the steps do not write each computed slot exactly once")
    # Who writes each slot: -1 for the constant and the inputs, the step index otherwise.
    writer = np.full(p.n_slots, -2, dtype=np.int64 if len(steps) >= 1 << 31 else np.int32)
    writer[0] = -1
    writer[1 + p.n_pub_out : p.first_computed] = -1
    written = [(out[arith], np.flatnonzero(arith))]
    ranges = [(a0[arith], an[arith], np.flatnonzero(arith)), (b0[op == OP_MUL], bn[op == OP_MUL],
                                                             np.flatnonzero(op == OP_MUL))]
    for k, (i, h) in enumerate(zip(hint_steps.tolist(), p.hints, strict=True)):
        if any(s >= p.n_slots for s in h.outputs):
            raise bad(f"hint {k} writes a slot out of range")
        written.append((np.asarray(h.outputs, dtype=np.int64), np.full(len(h.outputs), i)))
        starts, lens = _hint_lcs(h, n_terms, n_consts, bad, k)
        ranges.append((np.asarray(starts, dtype=np.int64), np.asarray(lens, dtype=np.int64), np.full(len(starts), i)))
    slots = np.concatenate([w[0] for w in written])
    by = np.concatenate([w[1] for w in written])
    if len(np.unique(slots)) != len(slots) or np.any(writer[slots] != -2):
        raise bad("a slot is written twice, or an input or the constant is written")
    writer[slots] = by
    if np.any(writer == -2):
        raise bad("a computed slot is never written")
    _check_reads(p, writer, ranges, bad)


def _check_signals(p: WitnessProgram, bad) -> None:
    names = [s.name for s in p.signals]
    if len(set(names)) != len(names):
        raise bad("two signals have the same name")
    expected = {KIND_OUT: 1, KIND_PUB: 1 + p.n_pub_out, KIND_PRV: 1 + p.n_public}
    ends = {KIND_OUT: 1 + p.n_pub_out, KIND_PUB: 1 + p.n_public, KIND_PRV: p.first_computed}
    for s in sorted(p.signals, key=lambda s: (s.kind != KIND_OUT, s.kind != KIND_PUB)):
        if s.first != expected[s.kind]:
            raise bad(f"signal {s.name!r} does not continue its kind's wire range")
        expected[s.kind] += s.length
    if any(expected[k] != ends[k] for k in ends):
        raise bad("the signals do not cover the output and input wires exactly")


def _hint_lcs(h: HintCall, n_terms: int, n_consts: int, bad, k: int) -> tuple[list[int], list[int]]:
    """Parse a hint's argument tokens; the (start, length) of each linear combination they name."""
    tokens, pos, starts, lens = h.args, 0, [], []
    pending = h.n_args
    while pending:
        if pos >= len(tokens):
            raise bad(f"hint {k}'s arguments end early")
        tag = tokens[pos]
        if tag == ARG_LC and pos + 2 < len(tokens) and tokens[pos + 1] + tokens[pos + 2] <= n_terms:
            starts.append(tokens[pos + 1])
            lens.append(tokens[pos + 2])
            pos += 3
        elif tag == ARG_CONST and pos + 1 < len(tokens) and tokens[pos + 1] < n_consts:
            pos += 2
        elif tag == ARG_LIST and pos + 1 < len(tokens) and tokens[pos + 1] <= len(tokens):
            pending += tokens[pos + 1]
            pos += 2
        else:
            raise bad(f"hint {k} has a malformed argument")
        pending -= 1
    if pos != len(tokens):
        raise bad(f"hint {k} has trailing argument tokens")
    return starts, lens


def _check_reads(p: WitnessProgram, writer: np.ndarray, ranges: list, bad) -> None:
    """Every term a step reads names a slot written by an earlier step (or an input)."""
    starts = np.concatenate([r[0] for r in ranges])
    lens = np.concatenate([r[1] for r in ranges])
    readers = np.concatenate([r[2] for r in ranges])
    total = int(lens.sum())
    if total == 0:
        return
    offsets = np.repeat(np.cumsum(lens) - lens, lens)
    positions = np.repeat(starts, lens) + (np.arange(total) - offsets)
    read_slots = p.terms[positions, 0].astype(np.int64)
    if np.any(writer[read_slots] >= np.repeat(readers, lens)):
        raise bad("a step reads a slot before it is written")
