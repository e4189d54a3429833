"""Servers the benchmarks measure, each in its own process so that it does not share the
benchmark's interpreter (and its GIL), always on loopback."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "sk-emulatoruser1"
HOST = "127.0.0.1"
PRISM_DIR = ROOT / ".bench-tools"
PRISM_VERSION = "5.14.2"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_until_listening(
    process: subprocess.Popen[bytes], port: int, timeout: float
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            with socket.create_connection((HOST, port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listening on {HOST}:{port} after {timeout:g} s")


@contextmanager
def running(command: list[str], port: int, timeout: float = 60.0) -> Iterator[str]:
    process = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        _wait_until_listening(process, port, timeout)
        yield f"http://{HOST}:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@contextmanager
def emulator(
    lifecycle: float = 0.3, generation: str = "B", *options: str
) -> Iterator[tuple[str, dict[str, str]]]:
    """An emulator process; yields its URL and user 1's seeded task ids by status."""
    port = free_port()
    with tempfile.TemporaryDirectory() as folder:
        ids_file = Path(folder) / "ids.json"
        command = [
            str(Path(sys.executable).parent / "kling-emulator"),
            "--host", HOST, "--port", str(port),
            "--lifecycle", str(lifecycle), "--generation", generation,
            "--max-tasks", "100000", "--ids-file", str(ids_file), *options,
        ]  # fmt: skip
        with running(command, port) as url:
            yield url, json.loads(ids_file.read_text())["1"]


def prism_command() -> list[str] | None:
    """`prism mock`, installed from the npm registry into .bench-tools on first use."""
    binary = PRISM_DIR / "node_modules" / ".bin" / "prism"
    if not binary.exists():
        npm = shutil.which("npm")
        if npm is None:
            return None
        PRISM_DIR.mkdir(exist_ok=True)
        result = subprocess.run(
            [
                npm,
                "install",
                "--prefix",
                str(PRISM_DIR),
                "--no-audit",
                "--no-fund",
                f"@stoplight/prism-cli@{PRISM_VERSION}",
            ],
            capture_output=True,
            timeout=600,
            check=False,
            env={**os.environ, "npm_config_loglevel": "error"},
        )
        if result.returncode != 0 or not binary.exists():
            return None
    return [str(binary)]


@contextmanager
def prism() -> Iterator[str | None]:
    command = prism_command()
    if command is None:
        yield None
        return
    port = free_port()
    with running(
        [*command, "mock", str(ROOT / "openapi.yaml"), "-h", HOST, "-p", str(port)],
        port,
        timeout=120,
    ) as url:
        yield url
