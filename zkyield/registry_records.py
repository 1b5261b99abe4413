"""Read-only registry look-ups for ``zkyield verify --rpc URL --registry ADDR`` (needs the `chain` extra).

Two questions a verifier asks the registry, never the prover: who committed a snapshot chain head and
when (``snapshotHeadInfo``), and whether the registry accepted a proof for exactly these public signals
(``inputsUsed(keccak256(abi.encode(pubSignals)))``, its replay guard, set only after its verifier passed).
"""

from __future__ import annotations

from dataclasses import dataclass

from eth_abi import encode as abi_encode
from eth_utils import keccak
from web3 import Web3
from web3.exceptions import ContractLogicError

from zkyield.head_records import HeadRecord
from zkyield.verifier.chain import registry_contract

try:  # eth-tester reports a reverting view with its own exception
    from eth_tester.exceptions import TransactionFailed as _TesterReverted
except ImportError:  # pragma: no cover - only without eth-tester
    _TesterReverted = ContractLogicError


def inputs_hash(public_signals: tuple[int, ...] | list[int]) -> bytes:
    """The registry's replay key: keccak256(abi.encode(uint256[6] pubSignals))."""
    return keccak(abi_encode(["uint256[6]"], [list(public_signals)]))


@dataclass(frozen=True)
class RegistryReader:
    """A deployed YieldAttestationRegistry, read through ``w3`` (no transaction is ever sent)."""

    w3: Web3
    address: str

    @property
    def description(self) -> str:
        return f"registry {Web3.to_checksum_address(self.address)}"

    def head(self, head: int) -> HeadRecord | None:
        functions = registry_contract(self.w3, self.address).functions
        try:
            who, committed_at, _index = functions.snapshotHeadInfo(head).call()
        except (ContractLogicError, _TesterReverted):  # UnknownHead(head)
            return None
        return HeadRecord(int(who, 16), int(committed_at))

    def recorded(self, public_signals: tuple[int, ...]) -> bool:
        functions = registry_contract(self.w3, self.address).functions
        return bool(functions.inputsUsed(inputs_hash(public_signals)).call())
