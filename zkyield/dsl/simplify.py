"""Linear-constraint simplification (circom's ``--O2`` idea) before the R1CS is emitted.

A constraint whose A or B side is a constant is a linear equation ``f(w) = 0``. Each one, in order,
is rewritten with the substitutions found so far; if it still names an internal wire ``v`` it is
solved for ``v`` (``v = e(others)``), ``v`` is substituted out of every other constraint, and the
equation is dropped. Why it is sound: the kept system over the kept wires is satisfied exactly by the
restrictions of the original system's solutions — from a kept solution, setting every removed ``v``
to its expression (over kept wires only: substitutions are kept fully reduced) satisfies each dropped
equation by construction and every other constraint because it was rewritten with the same values.
Public wires, inputs and hint wires are never substituted out (only internal non-hint wires are
candidates), so the statement's public values keep their meaning. A linear equation that reduces to ``0 = 0`` is implied
by the others and dropped; one that reduces to ``k = 0`` with ``k != 0`` is kept (no witness exists,
and none must appear). The witness program is unaffected: it still computes every removed wire in
its own slot, which later steps may read.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain

from zkyield._native import witness_lib
from zkyield.dsl.value import lc_axpy
from zkyield.field import R

LC = dict[int, int]
Triple = tuple[LC, LC, LC]

# A substitution whose expression would be copied into many constraints makes the R1CS denser than the
# constraint it saves; above this many (terms x occurrences) the equation is kept instead.
MAX_FILL = 4096


@dataclass(frozen=True)
class Simplified:
    """The kept constraints (indices into the input), rewritten; each removed wire's expression; and for
    each removed wire the index of the equation it was solved from (``origin``), so a kept constraint
    that absorbed it can carry that equation's label."""

    kept: list[int]
    constraints: list[Triple]
    substitutions: dict[int, LC]
    origin: dict[int, int]


def _is_constant(lc: LC) -> bool:
    return len(lc) <= 1 and (not lc or 0 in lc)  # keys are distinct: at most wire 0


def _linear_form(a: LC, b: LC, c: LC) -> LC:
    """f with f(w) = A(w) * B(w) - C(w), for A or B constant."""
    k, other = (a.get(0, 0), b) if _is_constant(a) else (b.get(0, 0), a)
    f: LC = {}
    lc_axpy(f, k, other)
    lc_axpy(f, R - 1, c)
    return f


def _rewrite(lc: LC, subs: dict[int, LC]) -> LC:
    if subs.keys().isdisjoint(lc):
        return lc
    out: LC = {}
    for w, c in lc.items():
        if w in subs:
            lc_axpy(out, c, subs[w])
        else:
            lc_axpy(out, c, {w: 1})
    return out


def simplify(constraints: Sequence[Triple], removable: Sequence[int]) -> Simplified:
    """Substitute linear constraints out; only wires ``w`` with ``removable[w]`` true may be removed.

    The caller marks internal, non-hint wires: hint wires are what a malicious prover picks freely,
    so tests and audits address them by wire, and a hint wire stays a wire.
    """
    lib = witness_lib() if type(constraints) is tuple else None
    if lib is None:
        linear = [i for i, (a, b, _c) in enumerate(constraints) if _is_constant(a) or _is_constant(b)]
        # keys only: counting a dict would add its coefficients
        occurrences: Sequence[int] = Counter(chain.from_iterable(chain.from_iterable(constraints)))
    else:  # the same indices and counts from one pass in C
        linear, counts = lib.scan_constraints(constraints, len(removable))
        occurrences = memoryview(counts).cast("I")
    if not linear:
        return Simplified(list(range(len(constraints))), list(constraints), {}, {})
    subs: dict[int, LC] = {}
    origin: dict[int, int] = {}
    users: dict[int, set[int]] = {}  # wire -> removed wires whose expression names it
    dropped: set[int] = set()
    for i in linear:
        f = _rewrite(_linear_form(*constraints[i]), subs)
        if not f:
            dropped.add(i)  # 0 = 0: implied by the substitutions already made
            continue
        candidates = [w for w in f if removable[w]]
        if not candidates:
            continue  # public values or a constant only: keep it as a constraint
        v = min(candidates, key=lambda w: (occurrences[w], -w))
        inv = pow(f[v], -1, R)
        expr = {w: (R - c) * inv % R for w, c in f.items() if w != v}
        if len(expr) * occurrences[v] > MAX_FILL:
            continue
        for user in users.pop(v, ()):
            old = subs[user]
            k = old.pop(v, 0)  # 0 when an earlier rewrite cancelled v out of this expression
            lc_axpy(old, k, expr)
            for w in expr:
                users.setdefault(w, set()).add(user)
        subs[v] = expr
        origin[v] = i
        for w in expr:
            users.setdefault(w, set()).add(v)
        dropped.add(i)
    kept = _without(len(constraints), dropped)
    if lib is None:
        removed = subs.keys()
        touched = {j for j, (a, b, c) in enumerate(map(constraints.__getitem__, kept))
                   if not (removed.isdisjoint(a) and removed.isdisjoint(b) and removed.isdisjoint(c))}
    else:
        touched = set(lib.touching(constraints, kept, subs, len(removable)))
    rewritten = list(map(constraints.__getitem__, kept))
    for j in touched:
        rewritten[j] = tuple(_rewrite(lc, subs) for lc in rewritten[j])
    return Simplified(kept, rewritten, subs, origin)  # type: ignore[arg-type]


def _without(n: int, dropped: set[int]) -> list[int]:
    """``[i for i in range(n) if i not in dropped]``, as the runs between the dropped (a few hundred of
    600,000 at N = 128)."""
    out: list[int] = []
    start = 0
    for i in sorted(dropped):
        out.extend(range(start, i))
        start = i + 1
    out.extend(range(start, n))
    return out


def carried_labels(result: Simplified, constraints: Sequence[Triple], labels: Sequence[str]) -> list[str]:
    """Labels of the kept constraints; one that absorbed a removed wire is named after the equation
    that wire was solved from ("root via merkle/poseidon2/round64"), so a failure still names the check."""
    out = []
    subs = result.substitutions
    for i in result.kept:
        own = labels[i]
        a, b, c = constraints[i]
        if subs.keys().isdisjoint(a) and subs.keys().isdisjoint(b) and subs.keys().isdisjoint(c):
            out.append(own)
            continue
        removed = [w for lc in (a, b, c) for w in lc if w in subs]
        if removed:
            first = min(result.origin[w] for w in removed)
            own = f"{labels[first]} via {own}"
        out.append(own)
    return out
