"""Native encoding of constraint sides (``_witness.encode_lcs``), read at call time.

Why: writing a large ``.r1cs`` and hashing its relation (``R1CS.digest``) walk every term of every
constraint; in Python that is most of ``zkyield compile``'s time after the builder. Each caller keeps
its plain-Python loop as the reference (same bytes, tested in tests/test_fast_paths.py) and falls back
to it when this returns None: no extension, ``zkyield._native.disabled()``, or a term the C side will not
encode (the reference then raises its own error or reduces the coefficient).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from zkyield._native import witness_lib

CHUNK = 8192  # constraints per native call: bounds the bytes held at once while hashing


def encode(constraints: Sequence, n_wires: int, digest: bool, sink: Callable[[bytes], object]) -> bool:
    """Feed the sides of ``constraints``, encoded natively, to ``sink`` CHUNK constraints at a time.

    ``digest`` False: the ``.r1cs`` layout (u32 count, u32 wire, 32-byte coefficient, sorted by wire);
    True: ``R1CS.digest``'s (u64 count of non-zero terms, u64 wire, 32 bytes). False when nothing or
    only part was fed (see above): the caller then discards what ``sink`` got and runs its reference.
    (A compiled circuit calls ``encode_lcs`` itself, with its slot map: ``CompiledCircuit.r1cs_pieces``.)
    """
    lib = witness_lib()
    if lib is None:
        return False
    cons = constraints if type(constraints) is list else list(constraints)
    for start in range(0, len(cons), CHUNK):
        stop = min(start + CHUNK, len(cons))
        data = lib.encode_lcs(cons, start, stop, n_wires, digest)
        if data is None:
            return False
        sink(data)
    return True
