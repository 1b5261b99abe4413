"""Read-only registry look-ups for ``zkyield verify --rpc URL --registry ADDR`` (needs the `chain` extra).

Two questions a verifier asks the registry, never the prover: who committed a snapshot chain head and
when (``snapshotHeadInfo``: the committer and the block time that is hashed into the head's link), and
whether the registry accepted a proof for exactly these public signals as a statement of the verifier's
family (``inputsUsed(keccak256(abi.encode(pubSignals)))``, its replay guard, set only after the policy's
verifier passed, and ``policy(policyHash)``'s family, the only entry point that can have set it).
"""

from __future__ import annotations

from dataclasses import dataclass

from eth_abi import encode as abi_encode
from eth_utils import keccak
from web3 import Web3
from web3.exceptions import ContractLogicError, Web3Exception

from zkyield.circuits.history_models import LINK_TAG
from zkyield.errors import InputError
from zkyield.head_records import HeadRecord
from zkyield.verifier.chain import AttestorKeyStatus, attestor_key_status, decode_revert, family_name, registry_contract

try:  # eth-tester reports a reverting view with its own exception
    from eth_tester.exceptions import TransactionFailed as _TesterReverted
except ImportError:  # pragma: no cover - only without eth-tester
    _TesterReverted = ContractLogicError

_IDX_POLICY = 2


def inputs_hash(public_signals: tuple[int, ...] | list[int]) -> bytes:
    """The registry's replay key: keccak256(abi.encode(uint256[6] pubSignals))."""
    return keccak(abi_encode(["uint256[6]"], [list(public_signals)]))


@dataclass(frozen=True)
class RegistryReader:
    """A deployed YieldAttestationRegistry, read through ``w3`` (no transaction is ever sent).

    Build it with ``open_registry`` to have the address checked first.
    """

    w3: Web3
    address: str

    @property
    def description(self) -> str:
        return f"registry {Web3.to_checksum_address(self.address)}"

    def head(self, head: int) -> HeadRecord | None:
        """The head's committer and block time; ``None`` only when the registry says ``UnknownHead``."""
        fn = registry_contract(self.w3, self.address).functions.snapshotHeadInfo(head)
        try:
            who, committed_at, _index = fn.call()
        except (Web3Exception, _TesterReverted) as exc:  # a revert (ContractLogicError), or the node's own error
            reason = decode_revert(getattr(exc, "data", None), fn.contract_abi)
            if reason.startswith("UnknownHead("):
                return None
            raise InputError(f"--registry: {self.description} could not say who committed the chain head "
                             f"({reason}); is it a YieldAttestationRegistry?") from None
        return HeadRecord(int(who, 16), int(committed_at))

    def recorded(self, public_signals: tuple[int, ...], family: str) -> bool:
        """Whether the registry accepted these exact signals through the ``family`` entry point."""
        functions = registry_contract(self.w3, self.address).functions
        if not functions.inputsUsed(inputs_hash(public_signals)).call():
            return False
        # Set by _verifyAndRecord only, after _checkSubmission required the policy's registered family.
        _verifier, registered = functions.policy(public_signals[_IDX_POLICY]).call()
        return family_name(registered) == family

    def attestor_key(self, key: tuple[int, int], at: int) -> AttestorKeyStatus:
        """An attestor key's record and state at ``at`` (``zkyield.attestor_records``)."""
        return attestor_key_status(self.w3, self.address, key, at)


def open_registry(w3: Web3, address: str) -> RegistryReader:
    """A reader for ``address`` after checking it holds a registry of this history layout (same LINK_TAG):
    a wrong address, or a registry whose chains are hashed differently, fails here in one line."""
    address = Web3.to_checksum_address(address)
    if not w3.eth.get_code(address):
        raise InputError(f"--registry: no contract at {address} on this node; pass the registry's address")
    try:
        tag = registry_contract(w3, address).functions.LINK_TAG().call()
    except (Web3Exception, _TesterReverted):
        tag = None
    if tag != LINK_TAG:
        raise InputError(f"--registry: {address} is not a YieldAttestationRegistry of history layout 2 (its LINK_TAG "
                         "differs or is missing); pass the registry the owner committed to")
    return RegistryReader(w3, address)
