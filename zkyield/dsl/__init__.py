"""The circuit DSL: write constraints in Python, get an R1CS and a witness generator.

API (stable; gadgets in ``zkyield.gadgets`` and statements in ``zkyield.circuits`` use only this)::

    from zkyield.dsl import Circuit

    c = Circuit("main")                         # name prefixes the .sym names (main.x, ...)
    x = c.public_input("x")                     # Value
    ys = c.private_input("ys", length=3)        # list[Value] (fixed length)
    z = x * ys[0] + 3 * ys[1] - 7               # + - and constants are free; Value*Value = 1 constraint
    c.assert_equal(z, ys[2])                    # 1 constraint (build-time check if both constant)
    c.assert_bool(ys[1])                        # ys[1]*(ys[1]-1) == 0, 1 constraint; marks bound 2
    t = c.mul(x, ys[0], name="t")               # the same product, its wire named "t" in the .sym
    c.assert_product(a, b, d)                   # a*b == d as one constraint, no new wire
    s = c.sum(values)                           # linear-time sum, no constraint
    q = c.hint("divide", x, 7, 0, name="q")      # hints are registered functions, by name or object
    bits = c.hint(hints.low_bits, x, 8, n_out=8, name="bits")   # a list when n_out is given
    @hints.register("mylib.halve")               # your own hint: register it once, at import
    def halve(v: int) -> int: return v // 2
    with c.scope("concentration"), c.scope("pos[3]"):
        ...                                     # labels "concentration/pos[3]/..." on every constraint
    c.output("total", z)                        # public output (scalar or list): free if z is a lone
                                                # internal wire, else one wire + one copy constraint
    block = record_block(fn, n_inputs)          # zkyield.dsl.block: a fixed, multiplication-only gadget
    outs = c.replay(block, inputs)              # recorded once, stamped here: the constraints, names and
                                                # labels fn(c, inputs) would emit (Poseidon uses it)
    c.n_constraints, c.n_variables              # running counts while building

    cc = c.compile()                            # CompiledCircuit; linear constraints substituted out
    cc = c.compile(simplify=False)              # every constraint and wire as emitted
    cc.r1cs                                     # zkyield.r1cs.R1CS: 1, outputs, public inputs, private, internal
    cc.program                                  # the frozen WitnessProgram (zkyield.dsl.program_file
                                                # writes it; docs/witness_program_format.md)
    cc.n_constraints, cc.n_wires, cc.stats()
    w = cc.witness({"x": 5, "ys": [1, 2, 3]})   # list[int]; validates inputs (InputError naming the
                                                # input, never its value) and runs r1cs.check
    w = cc.witness(inputs, overrides={cc.wire_of(q): 0}, check=False)   # malicious-prover simulation:
                                                # the wire is replaced when computed, later wires follow
    cc.wire_of(value), cc.value_of(w, value), cc.outputs(w), cc.public_signals(w)
    cc.hint_wires, cc.wires_named("is_zero/inv")
    cc.symbol_map(), cc.write_sym(path)         # circom .sym lines: labelId,varIdx,componentIdx,name

Hints create *unconstrained* wires: the code that calls ``hint`` must constrain every result. The
program stores a hint's registry name (``zkyield.dsl.hints``), never code, so it can be saved and run
without this builder (``zkyield.dsl.runner``: a Python reference runner and a C one).
``Value.bound`` / ``Value.bits`` report an upper bound that emitted constraints prove (range checks,
booleanity, products of bounded values that cannot wrap); gadgets use it to skip redundant range
checks. Only gadgets that have just emitted such constraints call ``Circuit.unsafe_assume_bound``.
Witness values are ints in [0, r); hint results are reduced mod r; a hint that raises becomes
``StatementFalse`` naming its label (its message is dropped: it could quote private values).
"""

from zkyield.dsl import hints
from zkyield.dsl.circuit import Circuit
from zkyield.dsl.compiled import CompiledCircuit
from zkyield.dsl.program import Signal, WitnessProgram
from zkyield.dsl.value import Value

__all__ = ["Circuit", "CompiledCircuit", "Signal", "Value", "WitnessProgram", "hints"]
