"""Deploy the verifier and registry, register policies and markets, submit and read attestations (web3).

Needs the `chain` extra (web3). Transactions go out either from a local key (signed here, sent raw)
or, on in-process/dev nodes, from an account the node unlocks. Reverts are decoded against the
registry's custom errors so that callers see `UnknownPolicy(policyHash=...)`, not raw bytes.
"""

from __future__ import annotations

import ast
import os
import re
from dataclasses import dataclass
from pathlib import Path

from eth_abi import decode as abi_decode
from eth_abi import encode as abi_encode
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils import keccak
from web3 import Web3
from web3.contract.contract import ContractFunction
from web3.exceptions import ContractLogicError, Web3Exception
from web3.types import TxReceipt

try:  # the in-process test chain (eth-tester) raises its own error for a reverted transaction
    from eth_tester.exceptions import TransactionFailed as _TesterTransactionFailed
except ImportError:  # pragma: no cover - only without the `chain` extra's eth-tester
    _TesterTransactionFailed = ()

from zkyield.errors import InputError, VerificationError, ZkyieldError
from zkyield.groth16.keys import Proof, VerifyingKey
from zkyield.verifier.solc import CompiledContract, compile_contract
from zkyield.verifier.solidity import contract_source, proof_calldata, render_verifier

KEY_ENV = "ZKYIELD_PRIVATE_KEY"
REGISTRY = "YieldAttestationRegistry"
_KEY_RE = re.compile(r"(0x)?[0-9a-fA-F]{64}")
# secp256k1's group order: a private key is an integer in [1, n).
SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
# Statement families as the registry stores them (registerPolicy's `family`).
FAMILIES = {"portfolio": 1, "history": 2}
_RECEIPT_TIMEOUT_S = 120
# Solidity's built-in revert payloads: Error(string) and Panic(uint256) selectors.
_ERROR_STRING = bytes.fromhex("08c379a0")
_PANIC = bytes.fromhex("4e487b71")


@dataclass(frozen=True)
class Sender:
    """Who signs: a local key (sent as a raw transaction) or, with ``account=None``, the node itself."""

    address: str
    account: LocalAccount | None = None


@dataclass(frozen=True)
class Attestation:
    """The registry's AttestationView: what a compliance tool reads back."""

    id: int
    commitment: int
    policy_hash: int
    market_hash: int
    period_start: int
    period_end: int
    submitter: str
    timestamp: int
    family: str  # "portfolio" or "history": which submission path recorded it


def load_private_key(key_file: str | Path | None = None) -> str:
    """The signing key from ``key_file`` or $ZKYIELD_PRIVATE_KEY (never from argv); its text is never echoed."""
    if key_file is not None:
        try:
            text = Path(key_file).read_text().strip()
        except OSError as exc:
            raise InputError(f"key file: cannot read {key_file} ({type(exc).__name__})") from None
        source = f"key file {key_file}"
    else:
        text = os.environ.get(KEY_ENV, "").strip()
        if not text:
            raise InputError(f"private key: pass --key-file or set {KEY_ENV}; keys are never taken from argv")
        source = KEY_ENV
    if not _KEY_RE.fullmatch(text):
        raise InputError(f"private key: {source} must hold 64 hex digits (optionally 0x-prefixed)")
    _check_key_range(int(text, 16), source)
    return text if text.startswith("0x") else "0x" + text


def _check_key_range(value: int, source: str) -> None:
    if not 1 <= value < SECP256K1_N:
        raise InputError(f"private key: {source} is not a secp256k1 private key (it must be between 1 and the "
                         "curve order n - 1); use the account's real key")


def sender_from_key(key: str) -> Sender:
    """The sender for a 64-hex-digit key (refused with an InputError outside secp256k1's [1, n))."""
    if not _KEY_RE.fullmatch(key):
        raise InputError("private key: must be 64 hex digits (optionally 0x-prefixed)")
    _check_key_range(int(key, 16), "the key")
    account = Account.from_key(key)
    return Sender(account.address, account)


def connect(rpc_url: str) -> Web3:
    """An HTTP JSON-RPC connection, checked once so a wrong URL fails here with a clear message."""
    w3 = Web3(Web3.HTTPProvider(rpc_url, request_kwargs={"timeout": 60}))
    if not w3.is_connected():
        raise InputError(f"rpc-url: no JSON-RPC node answers at {rpc_url}; check the URL and that the node runs")
    return w3


def compiled_registry() -> CompiledContract:
    return compile_contract(contract_source(f"{REGISTRY}.sol"), REGISTRY)


def compiled_verifier(vk: VerifyingKey, contract_name: str = "Groth16Verifier") -> CompiledContract:
    return compile_contract(render_verifier(vk, contract_name), contract_name)


def registry_contract(w3: Web3, address: str):
    return w3.eth.contract(address=Web3.to_checksum_address(address), abi=compiled_registry().abi)


# --- transactions ----------------------------------------------------------------------------------


def _send(w3: Web3, tx: dict, sender: Sender, abi: list[dict], gas: int | None) -> TxReceipt:
    # build_transaction got gas=0 so that it would not estimate; estimate here once, without it.
    tx = {**{k: v for k, v in tx.items() if k != "gas"}, "from": sender.address}
    try:
        # Said here, since nodes word it differently (anvil's estimate reports "gas required exceeds allowance: 0").
        if w3.eth.get_balance(sender.address) == 0:
            raise InputError(f"insufficient funds: {sender.address} holds no ether to pay for gas; fund the account")
        tx["gas"] = gas if gas is not None else w3.eth.estimate_gas(tx) * 6 // 5
        if sender.account is None:
            tx_hash = w3.eth.send_transaction(tx)
        else:
            tx.setdefault("chainId", w3.eth.chain_id)
            tx["nonce"] = w3.eth.get_transaction_count(sender.address, "pending")
            if "gasPrice" not in tx and "maxFeePerGas" not in tx:
                tx["gasPrice"] = w3.eth.gas_price
            signed = sender.account.sign_transaction(tx)
            tx_hash = w3.eth.send_raw_transaction(signed.raw_transaction)
        receipt = w3.eth.wait_for_transaction_receipt(tx_hash, timeout=_RECEIPT_TIMEOUT_S)
    except ContractLogicError as exc:
        raise revert_error(exc.data, abi) from None
    except _TesterTransactionFailed as exc:
        raise revert_error(_tester_revert_data(exc), abi) from None
    except Web3Exception as exc:  # funds, nonce, fee or timeout trouble reported by the node
        raise InputError(f"node refused the transaction: {_node_message(exc)}") from None
    if receipt["status"] != 1:
        _replay_failure(w3, tx, receipt["blockNumber"] - 1, abi)
    return receipt


def _node_message(exc: Exception) -> str:
    """The node's own one-line message (ganache adds a JS stack trace we do not want to show)."""
    error = (getattr(exc, "rpc_response", None) or {}).get("error")
    text = error.get("message", "") if isinstance(error, dict) else ""
    return (text or str(exc)).splitlines()[0][:200]


def _replay_failure(w3: Web3, tx: dict, block: int | str, abi: list[dict]) -> None:
    """A transaction failed without a decodable reason: replay it as a call on the state it ran on."""
    data = _revert_data(w3, {k: tx[k] for k in ("from", "to", "data", "value", "gas") if k in tx}, block)
    if data is None:
        raise InputError("transaction failed (out of gas or reverted without a reason); check the gas limit")
    raise revert_error(data, abi)


def _revert_data(w3: Web3, call: dict, block: int | str) -> object:
    """Raw revert data of ``call`` (None if it does not revert)."""
    try:
        w3.eth.call(call, block)
    except ContractLogicError as exc:
        return exc.data
    except _TesterTransactionFailed as exc:
        return _tester_revert_data(exc)
    return None


def _tester_revert_data(exc: Exception) -> str | None:
    """eth-tester reports revert bytes only as their Python repr inside the message; read them back."""
    text = str(exc.args[0]) if exc.args else ""
    text = text.removeprefix("execution reverted: ")
    if not text.startswith(("b'", 'b"')):
        return None
    try:
        raw = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return None
    return "0x" + raw.hex() if isinstance(raw, bytes) else None


def transact(w3: Web3, fn: ContractFunction, sender: Sender, gas: int | None = None) -> TxReceipt:
    """Send a contract call as a transaction; ``gas=None`` estimates (pass gas on eth-tester: 10x faster)."""
    return _send(w3, fn.build_transaction({"from": sender.address, "gas": gas or 0}), sender, fn.contract_abi, gas)


def deploy(w3: Web3, compiled: CompiledContract, sender: Sender, *args: object, gas: int | None = None) -> str:
    """Deploy ``compiled`` with constructor ``args``; returns the checksummed address."""
    factory = w3.eth.contract(abi=compiled.abi, bytecode=compiled.bytecode)
    tx = factory.constructor(*args).build_transaction({"from": sender.address, "gas": gas or 0})
    receipt = _send(w3, {k: v for k, v in tx.items() if k != "to"}, sender, compiled.abi, gas)
    return receipt["contractAddress"]


def deploy_verifier(w3: Web3, vk: VerifyingKey, sender: Sender, gas: int | None = None) -> str:
    return deploy(w3, compiled_verifier(vk), sender, gas=gas)


def deploy_registry(w3: Web3, sender: Sender, oracle: str | None = None, gas: int | None = None) -> str:
    """Deploy the registry with ``sender`` as admin and ``oracle`` (default: the sender) as market oracle."""
    return deploy(w3, compiled_registry(), sender, Web3.to_checksum_address(oracle or sender.address), gas=gas)


def family_id(family: str) -> int:
    if family not in FAMILIES:
        raise InputError(f"family: expected one of {', '.join(FAMILIES)}, got {family!r}")
    return FAMILIES[family]


def family_name(family: int) -> str:
    for name, value in FAMILIES.items():
        if value == family:
            return name
    raise InputError(f"registry: unknown statement family {family}")


def register_policy(
    w3: Web3, registry: str, policy_hash: int, verifier: str, family: str, sender: Sender,
    gas: int | None = None,
) -> TxReceipt:
    """Admin: bind ``policy_hash`` to ``verifier`` for one statement family ("portfolio" or "history")."""
    fn = registry_contract(w3, registry).functions.registerPolicy(
        policy_hash, Web3.to_checksum_address(verifier), family_id(family)
    )
    return transact(w3, fn, sender, gas)


def policy_family(w3: Web3, registry: str, policy_hash: int) -> str:
    """The statement family ``policy_hash`` was registered for (UnknownPolicy if it was not)."""
    _, family = _view(w3, registry_contract(w3, registry).functions.policy(policy_hash))
    return family_name(family)


def register_market(
    w3: Web3, registry: str, market_hash: int, period_start: int, period_end: int, sender: Sender,
    gas: int | None = None,
) -> TxReceipt:
    fn = registry_contract(w3, registry).functions.registerMarket(market_hash, period_start, period_end)
    return transact(w3, fn, sender, gas)


def _submit(w3: Web3, registry: str, entry: str, proof: Proof, public: list[int], sender: Sender,
            gas: int | None) -> int:
    if len(public) != 6:
        raise InputError(f"public signals: a statement has 6 public inputs, got {len(public)}")
    contract = registry_contract(w3, registry)
    receipt = transact(w3, getattr(contract.functions, entry)(*proof_calldata(proof, public)), sender, gas)
    (event,) = contract.events.Attested().process_receipt(receipt)
    return event["args"]["id"]


def submit_attestation(
    w3: Web3, registry: str, proof: Proof, public: list[int], sender: Sender, gas: int | None = None
) -> int:
    """Submit a point-in-time proof with its 6 public inputs (``submitAttestation``); returns the id."""
    return _submit(w3, registry, "submitAttestation", proof, public, sender, gas)


def submit_history_attestation(
    w3: Web3, registry: str, proof: Proof, public: list[int], sender: Sender, gas: int | None = None
) -> int:
    """Submit a history proof (``submitHistoryAttestation``: the head must be one the sender committed)."""
    return _submit(w3, registry, "submitHistoryAttestation", proof, public, sender, gas)


def submit(w3: Web3, registry: str, proof: Proof, public: list[int], sender: Sender, gas: int | None = None) -> int:
    """Submit through the path of the family the registry holds for the proof's policy (public input 2):
    the contract refuses the other path anyway, so the choice never rests on the prover's files."""
    if len(public) != 6:
        raise InputError(f"public signals: a statement has 6 public inputs, got {len(public)}")
    history = policy_family(w3, registry, public[2]) == "history"
    return (submit_history_attestation if history else submit_attestation)(w3, registry, proof, public, sender, gas)


def verify_on_chain(w3: Web3, verifier: str, abi: list[dict], proof: Proof, public: list[int]) -> bool:
    """eth_call of ``verifyProof`` on a deployed verifier."""
    contract = w3.eth.contract(address=Web3.to_checksum_address(verifier), abi=abi)
    return contract.functions.verifyProof(*proof_calldata(proof, public)).call()


# --- reads -----------------------------------------------------------------------------------------


def _attestation(view: tuple) -> Attestation:
    return Attestation(*view[:8], family_name(view[8]))


def _view(w3: Web3, fn: ContractFunction) -> tuple:
    try:
        return fn.call()
    except ContractLogicError as exc:
        raise revert_error(exc.data, fn.contract_abi) from None
    except _TesterTransactionFailed as exc:
        raise revert_error(_tester_revert_data(exc), fn.contract_abi) from None


def latest_attestation(w3: Web3, registry: str, commitment: int, policy_hash: int | None = None) -> Attestation:
    """The attestation with the newest period for ``commitment`` (optionally under one policy)."""
    functions = registry_contract(w3, registry).functions
    if policy_hash is None:
        return _attestation(_view(w3, functions.latestAttestation(commitment)))
    return _attestation(_view(w3, functions.latestAttestationForPolicy(commitment, policy_hash)))


def attestation(w3: Web3, registry: str, attestation_id: int) -> Attestation:
    return _attestation(_view(w3, registry_contract(w3, registry).functions.attestation(attestation_id)))


# --- revert decoding -------------------------------------------------------------------------------


def _abi_type(item: dict) -> str:
    if item["type"].startswith("tuple"):
        return "(" + ",".join(_abi_type(c) for c in item["components"]) + ")" + item["type"][5:]
    return item["type"]


def _show(abi_type: str, value: object) -> str:
    if abi_type == "address":
        return Web3.to_checksum_address(value)
    if isinstance(value, bytes):
        return "0x" + value.hex()
    return repr(value)


def decode_revert(data: object, abi: list[dict]) -> str:
    """Render revert data as `Name(arg=value, ...)` using the custom errors in ``abi``."""
    if isinstance(data, dict):  # ganache: {"result": "0x...", ...}; other nodes: {"data": "0x..."}
        data = data.get("result") or data.get("data")
    if not isinstance(data, str) or not data.startswith("0x") or len(data) < 10:
        return "reverted without a reason"
    raw = bytes.fromhex(data[2:])
    selector, body = raw[:4], raw[4:]
    if selector == _ERROR_STRING:
        return abi_decode(["string"], body)[0]
    if selector == _PANIC:
        return f"Panic(0x{abi_decode(['uint256'], body)[0]:02x})"
    for item in abi:
        if item.get("type") != "error":
            continue
        types = [_abi_type(i) for i in item["inputs"]]
        if keccak(text=f"{item['name']}({','.join(types)})")[:4] == selector:
            values = abi_decode(types, body)
            named = zip(item["inputs"], types, values, strict=True)
            args = ", ".join(f"{i['name']}={_show(t, v)}" for i, t, v in named)
            return f"{item['name']}({args})"
    return f"unknown revert 0x{raw.hex()}"


def revert_error(data: object, abi: list[dict]) -> ZkyieldError:
    """The zkyield error for a revert: VerificationError for a false proof, InputError otherwise."""
    reason = decode_revert(data, abi)
    if reason.startswith("InvalidProof("):
        return VerificationError(f"registry: the proof does not verify ({reason})")
    return InputError(f"registry refused the transaction: {reason}")


# --- attestor keys ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class AttestorKeyStatus:
    """An attestor key's registry record and what it means at time ``at``.

    ``state``: "unregistered", "not yet valid" (at < valid_from), "valid" or "revoked" (at >= revoked_at).
    """

    key_hash: str
    owner: str | None
    valid_from: int
    revoked_at: int  # 0 while not revoked
    at: int
    state: str

    @property
    def valid(self) -> bool:
        return self.state == "valid"


def attestor_key_hash(pubkey: tuple[int, int]) -> bytes:
    """keccak256(abi.encode(x, y)), the registry's name for an attestor key (``attestorKeyHash``)."""
    return keccak(abi_encode(["uint256", "uint256"], [int(pubkey[0]), int(pubkey[1])]))


def register_attestor_key(
    w3: Web3, registry: str, pubkey: tuple[int, int], sender: Sender, gas: int | None = None
) -> TxReceipt:
    """Register ``pubkey`` as ``sender``'s attestor key, valid from the block's time."""
    fn = registry_contract(w3, registry).functions.registerAttestorKey(int(pubkey[0]), int(pubkey[1]))
    return transact(w3, fn, sender, gas)


def revoke_attestor_key(
    w3: Web3, registry: str, pubkey: tuple[int, int], sender: Sender, gas: int | None = None
) -> TxReceipt:
    """The key's owner revokes it from the block's time on (anyone else is refused by the contract)."""
    fn = registry_contract(w3, registry).functions.revokeAttestorKey(attestor_key_hash(pubkey))
    return transact(w3, fn, sender, gas)


def attestor_key_status(w3: Web3, registry: str, pubkey: tuple[int, int], at_time: int | None = None
                        ) -> AttestorKeyStatus:
    """The key's record and its state at ``at_time`` (default: the latest block's time)."""
    key_hash = attestor_key_hash(pubkey)
    owner, valid_from, revoked_at = _view(w3, registry_contract(w3, registry).functions.attestorKey(key_hash))
    at = w3.eth.get_block("latest")["timestamp"] if at_time is None else at_time
    if int(owner, 16) == 0:
        state, owner = "unregistered", None
    elif at < valid_from:
        state = "not yet valid"
    elif revoked_at != 0 and at >= revoked_at:
        state = "revoked"
    else:
        state = "valid"
    return AttestorKeyStatus("0x" + key_hash.hex(), owner and Web3.to_checksum_address(owner), valid_from,
                             revoked_at, at, state)
