"""Engines a test starts for itself on free local ports, and stops by their PID: never the
shared PostgreSQL or Redis."""

import contextlib
import shutil
import signal
import socket
import subprocess
import sys
import time

import pytest


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), 0.1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


@contextlib.contextmanager
def redis_server(port: int | None = None):
    """A redis-server of our own, without persistence: yields its process and its URL."""
    if not shutil.which("redis-server"):
        pytest.skip("needs redis-server")
    port = port or free_port()
    process = subprocess.Popen(  # noqa: S603
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", ""],  # noqa: S607
        stdout=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port)
        yield process, f"redis://127.0.0.1:{port}/0"
    finally:
        process.send_signal(signal.SIGCONT)  # a test may have frozen it
        process.terminate()
        process.wait(timeout=10)


@contextlib.contextmanager
def s3_server(port: int | None = None):
    """moto's S3 server mode, a real HTTP S3 endpoint of our own: yields its process and URL.

    Its state lives in the process: stopping it forgets every bucket."""
    port = port or free_port()
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, seconds=30)
        yield process, f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)
