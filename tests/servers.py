"""Server processes on loopback ports for tests that talk real HTTP (gunicorn, `serve --dev`)."""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT_SECONDS = 30.0
PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy")  # and upper case


@dataclass
class Server:
    """A server process on a loopback port, its log file, and how to reach it."""

    process: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"{self.base}/alexa"

    def logs(self) -> str:
        return self.log.read_text(errors="replace")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(command: list[str], env: dict[str, str], log: Path, port: int) -> Server:
    """Start a server with progress in memory and wait until /health answers."""
    environ = {**os.environ, "PYTHONPATH": str(ROOT), "PROGRESS_STORE": "memory://", **env}
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=environ, stdout=out, stderr=out)
    server = Server(process, port, log)
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"server exited with {process.returncode}:\n{server.logs()}")
        try:
            with urllib.request.urlopen(f"{server.base}/health", timeout=1) as r:
                if r.status == 200:
                    return server
        except OSError:
            time.sleep(0.1)
    stop(server)
    pytest.fail(f"server did not start:\n{server.logs()}")


def stop(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


def without_proxies() -> Iterator[None]:
    """Loopback requests go direct even where the environment names a proxy (a fixture body)."""
    with pytest.MonkeyPatch.context() as patch:
        for name in PROXY_VARIABLES:
            patch.delenv(name, raising=False)
            patch.delenv(name.upper(), raising=False)
        yield
