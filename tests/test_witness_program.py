"""The witness program: both runners against the builder's own recording on the shipped statements,
the file format's round trip and every refusal of a malformed file, and the hint registry."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.support.dsl import R, builder_witness
from zkyield import api
from zkyield._native import witness_lib
from zkyield.circuits import history_models
from zkyield.circuits.history_circuit import history_statement
from zkyield.circuits.models import example, load_market, load_policy, load_portfolio
from zkyield.circuits.publics import market_hash, policy_hash
from zkyield.circuits.witness import statement_inputs
from zkyield.dsl import Circuit, hints
from zkyield.dsl.program import OP_HINT, OP_MUL, frozen_u32
from zkyield.dsl.program_file import MAX_UNREAD_INPUTS, program_to_bytes, read_program
from zkyield.dsl.runner import run_native, run_reference
from zkyield.errors import FormatError, ZkyieldError
from zkyield.gadgets.compare import less_than
from zkyield.gadgets.logic import is_zero
from zkyield.gadgets.poseidon import poseidon_gadget

native = pytest.mark.skipif(witness_lib() is None, reason="C witness runner not built")


def _runners():
    return [run_reference] + ([run_native] if witness_lib() is not None else [])


def _portfolio_case(name: str):
    p_path, m_path, q_path = example(name)
    portfolio, market, policy = load_portfolio(p_path), load_market(m_path), load_policy(q_path)
    statement = api.compile_statement(policy, len(portfolio.positions), len(market.assets),
                                      max(1, len(market.stress_scenarios)))
    inputs = statement_inputs(portfolio, market, policy, statement.capacity)
    expected = [api.commitment(portfolio, market, statement.capacity), portfolio.owner, policy_hash(policy),
                market_hash(market, statement.capacity), portfolio.period.start, portfolio.period.end]
    return statement.circuit, inputs, expected


def _history_case():
    ex = "circuits/examples/history_weekly"
    policy = history_models.load_history_policy(f"{ex}.policy.json")
    history, market = history_models.load_history(f"{ex}.json"), history_models.load_history_market(f"{ex}.market.json")
    st = history_statement(history, market, policy)
    return st.circuit, st.inputs, list(st.public)


def _check_all_runners(cc, inputs, expected) -> None:
    reference = builder_witness(cc, inputs)
    cc.r1cs.check(reference)
    assert cc.public_signals(reference) == expected  # the out-of-circuit hashes and commitment
    loaded = read_program(program_to_bytes(cc.program))
    for runner in _runners():
        for program in (cc.program, loaded):
            assert runner(program, inputs) == reference, runner.__name__


@pytest.mark.parametrize("name", ["demo", "dao-treasury"])
def test_runners_match_the_builder_on_shipped_portfolio_statements(name: str) -> None:
    _check_all_runners(*_portfolio_case(name))


@pytest.mark.slow
def test_runners_match_the_builder_on_the_fund_statement() -> None:
    _check_all_runners(*_portfolio_case("fund"))


@pytest.mark.slow
def test_runners_match_the_builder_on_the_history_statement() -> None:
    _check_all_runners(*_history_case())


def _small():
    c = Circuit()
    x = c.public_input("x")
    ys = c.private_input("ys", length=3)
    z = is_zero(c, x - ys[0])
    lt = less_than(c, ys[1], ys[2], 16)
    h = poseidon_gadget(c, [x, ys[1] * ys[2]])
    c.output("out", [z, lt, h])
    return c.compile(), {"x": 5, "ys": [4, 100, 30000]}  # x != ys[0]: is_zero's inverse is pinned


def test_overrides_give_the_same_tampered_witness_in_both_runners() -> None:
    cc, inputs = _small()
    hint_wire = cc.hint_wires[0]
    mul_wire = next(int(s[1]) for s in cc.program.steps if s[0] == OP_MUL and s[1] < cc.n_wires)
    for ov in ({hint_wire: 7}, {mul_wire: R - 1}, {hint_wire: 3, mul_wire: 11, 2: 9}):
        results = [runner(cc.program, inputs, ov) for runner in _runners()]
        assert all(r == results[0] for r in results)
        assert all(results[0][w] == v for w, v in ov.items())
        assert not cc.r1cs.is_satisfied(results[0])
    assert builder_witness(cc, inputs) == cc.witness(inputs)


def test_file_round_trip_is_byte_exact_and_runs_the_same() -> None:
    cc, inputs = _small()
    data = program_to_bytes(cc.program)
    assert data[:4] == b"zkwp"
    loaded = read_program(data)
    assert program_to_bytes(loaded) == data
    assert loaded.circuit_id == cc.r1cs.digest()
    assert run_reference(loaded, inputs) == cc.witness(inputs)


def _refused(program, message: str) -> None:
    with pytest.raises(FormatError, match=message):
        read_program(program_to_bytes(program))


def test_malformed_programs_are_refused_with_the_problem_named() -> None:
    cc, _ = _small()
    p = cc.program
    terms, steps = p.terms.copy(), p.steps.copy()
    first_mul = int(np.flatnonzero(steps[:, 0] == OP_MUL)[0])

    bad = terms.copy()
    bad[0, 0] = p.n_slots
    _refused(dataclasses.replace(p, terms=frozen_u32(bad, 2)), "slot or constant out of range")
    bad = terms.copy()
    bad[0, 1] = len(p.constants)
    _refused(dataclasses.replace(p, terms=frozen_u32(bad, 2)), "slot or constant out of range")
    bad = steps.copy()
    bad[first_mul, 0] = 7
    _refused(dataclasses.replace(p, steps=frozen_u32(bad, 6)), "unknown operation")
    bad = steps.copy()
    bad[first_mul, 3] = len(terms) + 1
    _refused(dataclasses.replace(p, steps=frozen_u32(bad, 6)), "runs past the term table")
    bad = steps.copy()
    bad[first_mul, 1] = p.n_slots + 41_725  # past the slot table (an IndexError before, not a FormatError)
    _refused(dataclasses.replace(p, steps=frozen_u32(bad, 6)), "writes a slot out of range")
    bad = steps.copy()
    bad[first_mul, 1] = 1 + p.n_pub_out  # writes the public input x
    _refused(dataclasses.replace(p, steps=frozen_u32(bad, 6)), "written twice, or an input")
    bad = steps.copy()
    bad[[first_mul, -1]] = bad[[-1, first_mul]]  # the last step now runs first and reads unwritten slots
    _refused(dataclasses.replace(p, steps=frozen_u32(bad, 6)), "before it is written|hint steps")
    _refused(dataclasses.replace(p, hints=p.hints[1:]), "hint steps must name the hints")
    call = dataclasses.replace(p.hints[0], name="nobody.registered.this")
    _refused(dataclasses.replace(p, hints=(call, *p.hints[1:])), "not registered")
    call = dataclasses.replace(p.hints[0], args=p.hints[0].args[:-1])
    _refused(dataclasses.replace(p, hints=(call, *p.hints[1:])), "malformed argument|end early")
    sig = dataclasses.replace(p.signals[0], first=p.signals[0].first + 1)
    _refused(dataclasses.replace(p, signals=(sig, *p.signals[1:])), "wire range")
    _refused(dataclasses.replace(p, constants=(R, *p.constants[1:])), "not a canonical field element")
    data = program_to_bytes(p)
    for cut in (3, 12, 40, len(data) - 1):
        with pytest.raises(FormatError):
            read_program(data[:cut])
    with pytest.raises(FormatError, match="bad magic"):
        read_program(b"r1cs" + data[4:])


def test_hints_are_registered_names_never_code() -> None:
    c = Circuit()
    x = c.private_input("x")
    with pytest.raises(ValueError, match="not registered"):
        c.hint(lambda v: v, x)
    with pytest.raises(ValueError, match="not registered"):
        c.hint("no.such.hint", x)
    with pytest.raises(ValueError, match="already registered"):
        hints.register("isqrt")(lambda v: v)
    assert c.hint(hints.isqrt, x) is not None and c.hint("isqrt", x) is not None


_SMALL_BYTES = program_to_bytes(_small()[0].program)


def _with_extra_private_inputs(program, extra: int):
    """``program`` with its last private input array longer by ``extra`` slots, every computed slot
    shifted up to make room: a consistent file whose header claims ``extra`` more inputs (that no
    step reads), as a flipped length in a signal and the header would."""
    fc = program.first_computed

    def shift(slots):
        slots = np.asarray(slots, dtype=np.int64)
        return np.where(slots >= fc, slots + extra, slots)

    terms = program.terms.astype(np.int64)
    terms[:, 0] = shift(terms[:, 0])
    steps = program.steps.astype(np.int64)
    arith = steps[:, 0] != OP_HINT
    steps[arith, 1] = shift(steps[arith, 1])
    hint_calls = tuple(dataclasses.replace(h, outputs=tuple(int(x) for x in shift(h.outputs))) for h in program.hints)
    last = max((s for s in program.signals if s.kind == 3), key=lambda s: s.first)
    signals = tuple(dataclasses.replace(s, length=s.length + extra) if s is last else s for s in program.signals)
    return dataclasses.replace(program, n_slots=program.n_slots + extra, n_wires=program.n_wires + extra,
                               n_prv_in=program.n_prv_in + extra, terms=frozen_u32(terms, 2),
                               steps=frozen_u32(steps, 6), hints=hint_calls, signals=signals)


def test_a_header_claiming_inputs_the_file_cannot_use_is_refused_before_allocating() -> None:
    """The attack: 2^28 - 100 input slots claimed by a few hundred bytes (a 1 GB allocation to validate, many
    more to run). Refused by the count; a program with a thousand inputs only its R1CS reads still loads."""
    cc, inputs = _small()
    bloated = program_to_bytes(_with_extra_private_inputs(cc.program, (1 << 28) - 100 - cc.program.n_slots))
    assert len(bloated) < 4 * len(_SMALL_BYTES)
    with pytest.raises(FormatError, match=r"header claims \d+ input slots but its \d+ terms can read at most"):
        read_program(bloated)
    just_over = _with_extra_private_inputs(cc.program, MAX_UNREAD_INPUTS + len(cc.program.terms))
    with pytest.raises(FormatError, match="input slots"):
        read_program(program_to_bytes(just_over))
    roomy = read_program(program_to_bytes(_with_extra_private_inputs(cc.program, 1000)))
    ys = [*inputs["ys"], *[0] * 1000]
    for runner in _runners():
        w = runner(roomy, {**inputs, "ys": ys})
        assert w[1 : 1 + cc.program.n_public] == cc.witness(inputs)[1 : 1 + cc.program.n_public]


@given(st.lists(st.tuples(st.integers(0, len(_SMALL_BYTES) - 1), st.integers(0, 255)), min_size=1, max_size=4))
def test_corrupted_files_are_refused_or_run_safely(flips: list[tuple[int, int]]) -> None:
    """Any byte changes: the loader refuses the file, or what it accepts runs (both runners agree) or
    fails with an error naming the problem; never a crash or an out-of-bounds read in C."""
    data = bytearray(_SMALL_BYTES)
    for pos, value in flips:
        data[pos] = value
    try:
        program = read_program(bytes(data))
    except FormatError:
        return
    # the loader bounds the slots by what the file holds (no multi-gigabyte inputs to build here)
    assert program.n_slots <= len(program.terms) + MAX_UNREAD_INPUTS + 2 * len(_SMALL_BYTES)
    inputs = {s.name: [1] * s.length if s.is_array else 1 for s in program.signals if s.kind != 1}
    results = []
    for runner in _runners():
        try:
            results.append(runner(program, inputs))
        except (ZkyieldError, TypeError, ValueError) as exc:
            results.append(type(exc))
    assert all(r == results[0] for r in results)


def test_native_freezing_writes_the_reference_program_and_r1cs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Compiling with the C helpers (``remap``, ``pool_lc``) and without (ZKYIELD_PURE_PYTHON) gives
    byte-identical programs and the same R1CS, here on a statement circuit (hints, Poseidon, outputs)."""
    if witness_lib() is None:
        pytest.skip("C witness runner not built")
    policy = load_policy(example("demo")[2])
    builder = api.compile_statement(policy, 2, 2, 1).circuit.builder
    native_cc = builder.compile()
    monkeypatch.setenv("ZKYIELD_PURE_PYTHON", "1")
    reference_cc = builder.compile()
    assert program_to_bytes(native_cc.program) == program_to_bytes(reference_cc.program)
    assert native_cc.r1cs.constraints == reference_cc.r1cs.constraints
    assert native_cc.r1cs.digest() == reference_cc.r1cs.digest()


@pytest.mark.slow
def test_history_prove_runs_the_compiled_program_without_rebuilding(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`zkyield prove --history` on a build folder: the program runs, the builder and the digest never do."""
    from click.testing import CliRunner

    import zkyield.circuits.history_circuit as history_circuit
    from zkyield.cli.main import cli
    from zkyield.r1cs import R1CS

    ex = "circuits/examples/history_weekly"
    files = ("--history", f"{ex}.json", "--market", f"{ex}.market.json", "--policy", f"{ex}.policy.json")

    def run(*args: object) -> tuple[int, str]:
        res = CliRunner().invoke(cli, [str(a) for a in args])
        return res.exit_code, res.output

    build = tmp_path / "build"
    assert run("compile", f"{ex}.policy.json", "--out", build)[0] == 0
    assert run("setup", build)[0] == 0

    def refuse(*_args, **_kwargs):
        raise AssertionError("the history prove path rebuilt or re-hashed the circuit")

    monkeypatch.setattr(Circuit, "compile", refuse)
    monkeypatch.setattr(history_circuit, "build_history_circuit", refuse)
    monkeypatch.setattr(R1CS, "_compute_digest", refuse)
    code, out = run("prove", build, *files, "--out", tmp_path / "proof")
    assert code == 0, out
    monkeypatch.undo()
    proof = tmp_path / "proof"  # the Groth16 proof checks (the statement's log checks are tested elsewhere)
    code, out = run("groth16", "verify", build / "verification_key.json", proof / "public.json", proof / "proof.json")
    assert code == 0, out
