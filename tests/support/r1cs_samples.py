"""Small hand-built constraint systems (independent of the DSL) for proof-system tests."""

from __future__ import annotations

from pathlib import Path

from zkyield.field import R
from zkyield.r1cs import R1CS, Constraint


def chained_multiplications(n_public: int, n_steps: int, seed: int = 3) -> tuple[R1CS, list[int]]:
    """x_{k+1} = x_k · (x_k + p_{k mod n_public}) with public p's and private start x_0.

    Wires: 0 = one, 1..n_public = public inputs p, then x_0 .. x_{n_steps}.
    Every public input enters a constraint (through B) unless n_public is 0.
    """
    publics = [(seed * 7 + 11 * i) % R for i in range(n_public)]
    first_private = 1 + n_public
    constraints = []
    labels = []
    witness = [1, *publics, seed]
    for k in range(n_steps):
        x_wire = first_private + k
        b: dict[int, int] = {x_wire: 1}
        if n_public:
            b[1 + k % n_public] = 1
            bx = witness[x_wire] + publics[k % n_public]
        else:
            b[0] = 1
            bx = witness[x_wire] + 1
        constraints.append(Constraint(a={x_wire: 1}, b=b, c={x_wire + 1: 1}))
        labels.append(f"chain/step[{k}]")
        witness.append(witness[x_wire] * bx % R)
    r1cs = R1CS(
        n_wires=len(witness), n_pub_out=0, n_pub_in=n_public, n_prv_in=1,
        constraints=constraints, labels=labels,
    )
    return r1cs, witness


def multiplier_with_output() -> tuple[R1CS, list[int]]:
    """out = a·b with public output ``out`` and private a, b (circom's classic Multiplier2)."""
    a, b = 3, 11
    r1cs = R1CS(
        n_wires=4, n_pub_out=1, n_pub_in=0, n_prv_in=2,
        constraints=[Constraint(a={2: 1}, b={3: 1}, c={1: 1})], labels=["mul"],
    )
    return r1cs, [1, a * b, a, b]


def prove_through_cli(folder: Path, n_public: int, n_steps: int) -> tuple[R1CS, list[int]]:
    """Write a chained-multiplication circuit and witness to ``folder`` (c.r1cs, c.wtns), then run
    `zkyield groth16 setup` into folder/keys and `zkyield groth16 prove` into folder/proof."""
    from click.testing import CliRunner

    from zkyield.cli.main import cli
    from zkyield.formats.r1cs_bin import write_r1cs
    from zkyield.formats.wtns_bin import write_wtns

    r1cs, witness = chained_multiplications(n_public=n_public, n_steps=n_steps)
    write_r1cs(r1cs, folder / "c.r1cs")
    write_wtns(witness, folder / "c.wtns")
    runner = CliRunner()
    for args in (["groth16", "setup", str(folder / "c.r1cs"), "--out", str(folder / "keys")],
                 ["groth16", "prove", str(folder / "keys"), str(folder / "c.wtns"), "--out", str(folder / "proof")]):
        res = runner.invoke(cli, args)
        assert res.exit_code == 0, res.output
    return r1cs, witness
