"""Gas of `verifyProof`: zkyield's generated verifier next to snarkjs's exported one, same circuit, same run.

Measured as transactions on py-evm (web3's EthereumTesterProvider) and on ganache (a real node, mainnet
gas schedule with EIP-1108 precompile prices). "exec" is receipt gasUsed minus the intrinsic cost
(21,000 + calldata at 4/16 gas per zero/non-zero byte), i.e. what the contract itself spends; the
precompile floor is 181,150 + 6,150 per public input.

    python3 benchmarks/bench_gas.py [--sizes 1,4,16] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.chain import GAS, Ganache, build_circuit, eth_tester_web3, intrinsic_gas, prove  # noqa: E402
from tests.support.tools import run_snarkjs  # noqa: E402
from zkyield.formats.snarkjs_json import load_proof, load_public, load_vk  # noqa: E402
from zkyield.verifier import chain  # noqa: E402
from zkyield.verifier.solc import compile_contract  # noqa: E402
from zkyield.verifier.solidity import proof_calldata, render_verifier  # noqa: E402

FLOOR_BASE, FLOOR_PER_INPUT = 181_150, 6_150  # EIP-1108: pairing 45k + 4*34k, ecMul 6k + ecAdd 150 per input
BENCH_KEY = "0x" + "59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"  # local ganache only


class _TmpFactory:
    """The one method of pytest's TempPathFactory that build_circuit uses."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def mktemp(self, name: str) -> Path:
        return Path(tempfile.mkdtemp(prefix=name, dir=self.root))


def _ptau(root: Path) -> Path:
    p0, p1, final = root / "pot_0.ptau", root / "pot_1.ptau", root / "pot_final.ptau"
    run_snarkjs("powersoftau", "new", "bn128", "8", p0)
    run_snarkjs("powersoftau", "contribute", p0, p1, "--name=bench", "-e=zkyield gas bench")
    run_snarkjs("powersoftau", "prepare", "phase2", p1, final)
    return final


def _measure(w3, sender: chain.Sender, source: str, calldata: tuple) -> tuple[int, int]:
    """(receipt gasUsed, execution gas) of one verifyProof transaction."""
    compiled = compile_contract(source, "Groth16Verifier")
    address = chain.deploy(w3, compiled, sender, gas=GAS)
    contract = w3.eth.contract(address=address, abi=compiled.abi)
    fn = contract.functions.verifyProof(*calldata)
    assert fn.call() is True, "the benchmark proof must verify"
    receipt = chain.transact(w3, fn, sender, GAS)
    data = bytes.fromhex(fn.build_transaction({"from": sender.address, "gas": GAS})["data"][2:])
    return receipt["gasUsed"], receipt["gasUsed"] - intrinsic_gas(data)


def run(sizes: list[int]) -> list[dict]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp, Ganache([BENCH_KEY]) as node:
        root = Path(tmp)
        ptau = _ptau(root)
        tester = eth_tester_web3()
        tester_sender = chain.Sender(tester.eth.accounts[0])
        ganache = chain.connect(node.url)
        ganache_sender = chain.sender_from_key(BENCH_KEY)
        for n in sizes:
            circuit = build_circuit(n, ptau, _TmpFactory(root))
            proof_dir = prove(circuit, [7 * i + 3 for i in range(n)], 5, circuit.workdir / "proof")
            calldata = proof_calldata(load_proof(proof_dir / "proof.json"), load_public(proof_dir / "public.json"))
            sources = {
                "zkyield": render_verifier(load_vk(circuit.vk_path)),
                "snarkjs": circuit.snarkjs_verifier.read_text(),
            }
            row: dict[str, object] = {"n_public": n, "floor": FLOOR_BASE + FLOOR_PER_INPUT * n}
            for name, source in sources.items():
                row[f"{name}_pyevm_tx"], row[f"{name}_pyevm_exec"] = _measure(tester, tester_sender, source, calldata)
                row[f"{name}_ganache_tx"], row[f"{name}_ganache_exec"] = _measure(
                    ganache, ganache_sender, source, calldata
                )
            row["overhead_pct"] = round(100 * (row["zkyield_pyevm_exec"] / row["floor"] - 1), 2)
            rows.append(row)
    return rows


def _table(rows: list[dict]) -> str:
    head = ("| public inputs | floor | zkyield exec | snarkjs exec | zkyield over floor | zkyield tx (py-evm) "
            "| snarkjs tx (py-evm) | zkyield tx (ganache) | snarkjs tx (ganache) |")
    lines = [head, "|" + "---|" * 9]
    for r in rows:
        lines.append(
            f"| {r['n_public']} | {r['floor']:,} | {r['zkyield_pyevm_exec']:,} | {r['snarkjs_pyevm_exec']:,} "
            f"| {r['overhead_pct']:.2f}% | {r['zkyield_pyevm_tx']:,} | {r['snarkjs_pyevm_tx']:,} "
            f"| {r['zkyield_ganache_tx']:,} | {r['snarkjs_ganache_tx']:,} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,4,16", help="comma-separated public-input counts")
    parser.add_argument("--json", type=Path, default=None, help="also write the rows as JSON here")
    args = parser.parse_args()
    rows = run([int(s) for s in args.sizes.split(",")])
    print(_table(rows))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
