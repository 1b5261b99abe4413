"""A small JSON-RPC client for pinned-block reads: batched ``eth_call``s, each one recorded for the provenance.

Why not web3: the reads are planned per stage and sent as one JSON-RPC batch (a round trip per stage, not per
call), and every call (block, address, function, calldata, result) must be kept byte-exact for the attestor.
"""

from __future__ import annotations

import json
import urllib.parse
from dataclasses import dataclass, field

from eth_abi import decode, encode
from eth_abi.exceptions import DecodingError
from eth_utils import keccak, to_checksum_address
from requests import RequestException, Session

from zkyield.errors import InputError

_TIMEOUT_S = 60
_BATCH = 100  # calls per HTTP request (providers cap batch sizes; 100 is accepted widely)


class NodeError(InputError):
    """The node could not be reached or refused a request."""


@dataclass(frozen=True)
class Call:
    """``signature`` like ``balanceOf(address)``; ``returns`` the ABI types of the result."""

    to: str
    signature: str
    args: tuple = ()
    returns: tuple[str, ...] = ("uint256",)

    def data(self) -> str:
        selector = keccak(text=self.signature)[:4]
        types = self.signature[self.signature.index("(") + 1:-1]
        arg_types = _split_types(types)
        return "0x" + (selector + encode(arg_types, list(self.args))).hex()


def _split_types(types: str) -> list[str]:
    """Top-level comma split of an ABI type list (tuples keep their inner commas)."""
    out, depth, cur = [], 0, ""
    for ch in types:
        if ch == "," and depth == 0:
            out.append(cur)
            cur = ""
            continue
        depth += ch == "("
        depth -= ch == ")"
        cur += ch
    return [t for t in [*out, cur] if t]


@dataclass
class Block:
    number: int
    hash: str
    timestamp: int


@dataclass
class Rpc:
    """One node; ``requests`` and ``calls`` count what was sent (the benchmarks report them)."""

    url: str
    requests: int = 0
    calls: int = 0
    log: list[dict] = field(default_factory=list)
    # one keep-alive connection for the whole run (a remote node over TLS would otherwise pay a handshake a batch)
    session: Session = field(default_factory=Session, repr=False)

    def _post(self, payload: list[dict]) -> list[dict]:
        self.requests += 1
        try:
            resp = self.session.post(self.url, json=payload, timeout=_TIMEOUT_S)
        except RequestException as exc:
            reason = type(exc).__name__
            raise NodeError(f"rpc: no JSON-RPC node answers at {redacted(self.url)} ({reason}); check --rpc and "
                            "that the node runs") from None
        if resp.status_code >= 400:
            raise NodeError(f"rpc: the node at {redacted(self.url)} answered HTTP {resp.status_code}; check --rpc "
                            "(a rate limit or an API key?)")
        try:
            reply = resp.json()
        except ValueError:
            raise NodeError(f"rpc: the node at {redacted(self.url)} did not answer JSON-RPC; check --rpc") from None
        if isinstance(reply, dict):  # a batch refused as a whole
            reply = [reply] * len(payload)
        return sorted(reply, key=lambda r: r.get("id", 0))

    def request(self, items: list[tuple[str, list]]) -> list[object]:
        """Send ``[(method, params)]`` as JSON-RPC batches; returns the results in order."""
        out: list[object] = []
        for start in range(0, len(items), _BATCH):
            chunk = items[start:start + _BATCH]
            self.calls += len(chunk)
            payload = [{"jsonrpc": "2.0", "id": i, "method": m, "params": p} for i, (m, p) in enumerate(chunk)]
            for (method, params), reply in zip(chunk, self._post(payload), strict=True):
                if "error" in reply:
                    raise _node_error(method, params, reply["error"])
                out.append(reply["result"])
                if method == "eth_getLogs":
                    self.log.append({"method": method, "filter": params[0], "logs": len(reply["result"])})
        return out

    def chain_id(self) -> int:
        return int(self.request([("eth_chainId", [])])[0], 16)

    def blocks(self, numbers: list[int]) -> list[Block]:
        """Headers of ``numbers``; a block the node does not have is an error naming it."""
        results = self.request([("eth_getBlockByNumber", [hex(n), False]) for n in numbers])
        out = []
        for n, r in zip(numbers, results, strict=True):
            if r is None:
                raise InputError(f"block {n}: the node does not have it (not yet mined, or pruned); pick a block "
                                 "at or below the head, or use an archive node")
            out.append(Block(n, r["hash"], int(r["timestamp"], 16)))
        return out

    def code_sizes(self, addresses: list[str], block: int) -> list[int]:
        results = self.request([("eth_getCode", [a, hex(block)]) for a in addresses])
        for a, code in zip(addresses, results, strict=True):
            self.log.append({"block": block, "to": to_checksum_address(a), "method": "eth_getCode",
                             "code_keccak": "0x" + keccak(hexstr=code).hex()})
        return [(len(code) - 2) // 2 for code in results]

    def call(self, calls: list[Call], block: int, allow_revert: bool = False) -> list[tuple | None]:
        """``eth_call`` every call at ``block`` in one batch; decoded results (None for a revert if allowed)."""
        items = [("eth_call", [{"to": c.to, "data": c.data()}, hex(block)]) for c in calls]
        results: list[object] = []
        for start in range(0, len(items), _BATCH):
            chunk = items[start:start + _BATCH]
            self.calls += len(chunk)
            payload = [{"jsonrpc": "2.0", "id": i, "method": m, "params": p} for i, (m, p) in enumerate(chunk)]
            results.extend(self._post(payload))
        out: list[tuple | None] = []
        for c, (_, params), reply in zip(calls, items, results, strict=True):
            raw = reply.get("result")
            if "error" in reply or raw in (None, "0x"):
                err = reply.get("error", {})
                if _is_missing_block(err):
                    raise _node_error("eth_call", params, err)
                if allow_revert:
                    out.append(None)
                    continue
                raise wrong_contract(c)
            try:
                value = decode(list(c.returns), bytes.fromhex(raw[2:]))
            except (DecodingError, ValueError):
                raise wrong_contract(c) from None
            self.log.append({"block": block, "to": to_checksum_address(c.to), "method": "eth_call",
                             "function": c.signature, "data": params[0]["data"], "result": raw})
            out.append(value)
        return out


def redacted(url: str) -> str:
    """``scheme://host[:port]`` only: a provider URL often carries an API key in its path or query."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or "?"
    return f"{parts.scheme}://{host}{f':{parts.port}' if parts.port else ''}"


def wrong_contract(c: Call) -> InputError:
    return InputError(f"contract {to_checksum_address(c.to)} does not answer {c.signature}: it is not the contract "
                      "the sources/feeds file says (no code there, or another interface); fix that address")


def _is_missing_block(err: object) -> bool:
    text = json.dumps(err).lower()
    return any(word in text for word in ("header not found", "unknown block", "block not found", "missing trie",
                                         "blockoutofrange", "not available", "pruned", "historical state"))


def _node_error(method: str, params: list, err: dict) -> InputError:
    message = str(err.get("message", err))[:160] if isinstance(err, dict) else str(err)[:160]
    block = params[-1] if params else "?"
    if _is_missing_block(err):
        return InputError(f"block {int(block, 16) if isinstance(block, str) and block.startswith('0x') else block}: "
                          f"the node cannot serve state at it ({message}); use an archive node or a newer block")
    return NodeError(f"rpc: {method} failed: {message}")
