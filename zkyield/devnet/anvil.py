"""anvil (the pinned npm build, under node_modules) on a free loopback port; stopped by its own pid, never by name."""

from __future__ import annotations

import json
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

from zkyield.errors import InputError
from zkyield.verifier.solc import node_modules_dir


def anvil_path() -> Path:
    """The pinned anvil binary (npm ``@foundry-rs/anvil-linux-amd64``, installed by ``npm ci``)."""
    path = node_modules_dir() / "@foundry-rs" / "anvil-linux-amd64" / "bin" / "anvil"
    if not path.is_file():
        raise InputError(f"anvil: {path} not found; run `npm ci` in the repo root")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Anvil:
    """A context manager: starts anvil, waits until it answers JSON-RPC, and always stops it."""

    def __init__(self, *extra: str, timestamp: int = 1_704_067_200) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # No code-size limit: Uniswap's NonfungiblePositionManager and Aave's PoolConfigurator are near 24 KiB.
        self._cmd = [str(anvil_path()), "--host", "127.0.0.1", "--port", str(self.port), "--silent",
                     "--disable-code-size-limit", "--timestamp", str(timestamp), "--chain-id", "31337", *extra]
        self.proc: subprocess.Popen | None = None

    def rpc(self, method: str, *params: object) -> object:
        body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)}).encode()
        req = urllib.request.Request(self.url, body, {"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as resp:
            reply = json.loads(resp.read())
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return reply["result"]

    def start(self) -> Anvil:
        self.proc = subprocess.Popen(self._cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"anvil exited early: {self.proc.stderr.read().decode()[-500:]}")
            try:
                self.rpc("eth_chainId")
                return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("anvil did not answer within 30 s")

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stderr.close()
        self.proc = None

    def __enter__(self) -> Anvil:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- chain control ------------------------------------------------------------------------------

    def mine(self, seconds: int = 12) -> int:
        """Mine one empty block ``seconds`` after the latest; returns its number."""
        latest = int(self.rpc("eth_getBlockByNumber", "latest", False)["timestamp"], 16)
        self.rpc("evm_mine", latest + seconds)
        return int(self.rpc("eth_blockNumber"), 16)

    def advance(self, seconds: int) -> None:
        """The next block (the next transaction's) is ``seconds`` after the latest."""
        latest = int(self.rpc("eth_getBlockByNumber", "latest", False)["timestamp"], 16)
        self.rpc("evm_setNextBlockTimestamp", latest + seconds)

    def block(self) -> int:
        return int(self.rpc("eth_blockNumber"), 16)
