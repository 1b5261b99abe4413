"""Constraints per gadget against circomlib 2.0.5 compiled by circom2, and compile time at 2^16 constraints.

Run: ``python3 -m pytest benchmarks/bench_gadgets.py`` (pytest-benchmark; not in the default test
paths) or ``python3 benchmarks/bench_gadgets.py`` for the table alone. circomlib's numbers come
from compiling its templates with the pinned circom2 (default simplification), so they are measured,
not quoted; "circomlib + caller checks" adds the Num2Bits(n) range checks that LessThan(n) presumes.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from zkyield.dsl import Circuit, CompiledCircuit  # noqa: E402
from zkyield.gadgets import bits, compare, fixedpoint, logic  # noqa: E402

N = 64
FP = fixedpoint.FixedPoint(10**6, N)


def _cost(build: Callable[[Circuit, list], object], n_inputs: int = 2, proven: int = 0) -> int:
    """Constraints the gadget adds; inputs are first range-checked to ``proven`` bits (not counted)."""
    c = Circuit()
    xs = [c.private_input(f"x{i}") for i in range(n_inputs)]
    if proven:
        for x in xs:
            bits.range_check(c, x, proven)
    before = c.n_constraints
    build(c, xs)
    return c.n_constraints - before


# name -> (our builder, proven input width (0: none), circomlib source body or None,
#          how many Num2Bits(N) range checks circomlib's template presumes the caller made)
GADGETS: dict[str, tuple[Callable[[Circuit, list], object], int, str | None, int]] = {
    f"to_bits({N})": (lambda c, x: bits.to_bits(c, x[0], N), 0,
                      f"component g = Num2Bits({N}); signal input a; g.in <== a;", 0),
    "is_zero": (lambda c, x: logic.is_zero(c, x[0]), 0, "component g = IsZero(); signal input a; g.in <== a;", 0),
    "is_equal": (lambda c, x: logic.is_equal(c, x[0], x[1]), 0,
                 "component g = IsEqual(); signal input a[2]; g.in <== a;", 0),
    "and (bool inputs)": (lambda c, x: logic.and_(c, x[0], x[1]), 1,
                          "component g = AND(); signal input a; signal input b; g.a <== a; g.b <== b;", 0),
    "select (bool cond)": (lambda c, x: logic.select(c, x[0], x[1], x[2]), 1,
                           "component g = Mux1(); signal input a[2]; signal input s; g.c <== a; g.s <== s;", 0),
    f"less_than({N}), inputs proven": (lambda c, x: compare.less_than(c, x[0], x[1], N), N,
                                       f"component g = LessThan({N}); signal input a[2]; g.in <== a;", 0),
    f"less_than({N}), inputs unproven": (lambda c, x: compare.less_than(c, x[0], x[1], N), 0,
                                         f"component g = LessThan({N}); signal input a[2]; g.in <== a;", 2),
    f"assert_less_eq({N}), inputs proven": (lambda c, x: compare.assert_less_eq(c, x[0], x[1], N), N, None, 0),
    "mux(8 constant options)": (lambda c, x: logic.mux(c, x[0], list(range(8))), 0, None, 0),
    f"fx_mul(scale 1e6, {N} bits), inputs proven": (lambda c, x: FP.mul(c, x[0], x[1]), N, None, 0),
    f"fx_div(scale 1e6, {N} bits), inputs proven": (lambda c, x: FP.div(c, x[0], x[1]), N, None, 0),
    f"fx_sqrt(scale 1e6, {N} bits), input proven": (lambda c, x: FP.sqrt(c, x[0]), N, None, 0),
    f"isqrt({N})": (lambda c, x: fixedpoint.isqrt(c, x[0], N), 0, None, 0),
}
INCLUDES = ["bitify.circom", "comparators.circom", "gates.circom", "mux1.circom"]


def circomlib_cost(body: str) -> int | None:
    """Constraints circom2 emits for ``body`` wrapped in a main template, or None without node tools."""
    circom = ROOT / "node_modules" / ".bin" / "circom2"
    if not circom.exists() or shutil.which("node") is None:
        return None
    from zkyield.formats.r1cs_bin import read_r1cs

    includes = "".join(f'include "circomlib/circuits/{f}";\n' for f in INCLUDES)
    with tempfile.TemporaryDirectory() as d:
        src = Path(d) / "g.circom"
        src.write_text(f"pragma circom 2.0.0;\n{includes}template W() {{ {body} }}\ncomponent main = W();\n")
        subprocess.run([str(circom), str(src), "--r1cs", "-o", d, "-l", str(ROOT / "node_modules")],
                       check=True, capture_output=True, timeout=600)
        return read_r1cs(Path(d) / "g.r1cs").n_constraints


def circomlib_costs(body: str | None, caller_checks: int) -> tuple[int | None, int | None]:
    """circomlib's own count and the count with the caller's presumed Num2Bits(N) checks added."""
    theirs = circomlib_cost(body) if body else None
    if theirs is None or not caller_checks:
        return theirs, theirs
    return theirs, theirs + caller_checks * circomlib_cost(GADGETS[f"to_bits({N})"][2])  # type: ignore[operator]


def big_circuit(target: int = 1 << 16) -> CompiledCircuit:
    """A 2^16-constraint circuit of comparisons, selections and products, compiled."""
    c = Circuit()
    xs = c.private_input("xs", length=256)
    acc = c.constant(0)
    i = 0
    while c.n_constraints < target - 200:  # one iteration adds at most 3*32 + 3 constraints
        with c.scope(f"pos[{i}]"):
            x, y = xs[i % 256], xs[(i * 7 + 1) % 256]
            acc = acc + logic.select(c, compare.less_than(c, x, y, 32), x, y) * (x + i)
        i += 1
    while c.n_constraints < target:
        acc = acc * xs[c.n_constraints % 256]
    c.output("acc", acc)  # a lone product wire: exposing it is free
    cc = c.compile()
    assert cc.n_constraints == target
    return cc


@pytest.mark.parametrize("name", list(GADGETS))
def test_gadget_constraints(benchmark, name: str) -> None:
    build, proven, body, caller = GADGETS[name]
    ours = benchmark(_cost, build, 3, proven)
    theirs, with_checks = circomlib_costs(body, caller)
    benchmark.extra_info.update(constraints=ours, circomlib=theirs, circomlib_with_caller_checks=with_checks)
    if with_checks is not None:
        assert ours <= with_checks


def test_compile_2_16_constraints(benchmark) -> None:
    cc = benchmark.pedantic(big_circuit, rounds=3, iterations=1)
    w = cc.witness({"xs": list(range(1, 257))})
    benchmark.extra_info.update(constraints=cc.n_constraints, wires=cc.n_wires, witness_len=len(w))


def main() -> None:
    print(f"{'gadget':48} {'ours':>6} {'circomlib':>10} {'+caller checks':>15}")
    for name, (build, proven, body, caller) in GADGETS.items():
        theirs, with_checks = circomlib_costs(body, caller)
        shown = "-" if theirs is None else str(theirs)
        both = "-" if with_checks is None else str(with_checks)
        print(f"{name:48} {_cost(build, 3, proven):>6} {shown:>10} {both:>15}")
    t0 = time.perf_counter()
    cc = big_circuit()
    t1 = time.perf_counter()
    cc.witness({"xs": list(range(1, 257))})
    t2 = time.perf_counter()
    print(f"2^16 constraints ({cc.n_wires} wires): build+compile {t1 - t0:.2f} s, witness+check {t2 - t1:.2f} s")


if __name__ == "__main__":
    main()
