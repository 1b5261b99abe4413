"""circom-style symbol maps (.sym): one ``labelId,varIdx,componentIdx,name`` line per wire.

circom lists every named signal as ``main.<component path>.<signal>``; we name wires by their scope
path, so scope ``concentration/pos[3]/less_than`` becomes ``main.concentration.pos[3].less_than``.
Label ids equal wire indices (the R1CS keeps the identity wire→label map); the constant wire 0 is
not listed, as in circom. A name that repeats (two hints with the same local name in one scope)
gets an ``@<wire>`` suffix so every line names a distinct signal.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence


def symbol_lines(circuit_name: str, wire_names: Sequence[str]) -> Iterator[str]:
    components: dict[str, int] = {"": 0}
    seen: set[str] = set()
    for wire in range(1, len(wire_names)):
        path = wire_names[wire]
        parent = path.rpartition("/")[0]
        component = components.setdefault(parent, len(components))
        name = f"{circuit_name}.{path.replace('/', '.')}"
        if name in seen:
            name = f"{name}@{wire}"
        seen.add(name)
        yield f"{wire},{wire},{component},{name}"
