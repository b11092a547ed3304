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


@contextlib.contextmanager
def primary_and_replica():
    """A PostgreSQL primary and its streaming replica, clusters of our own (initdb, then
    pg_basebackup -R, each in a temporary folder on a free port, as the postgres user when we
    are root): yields (primary, replica), bench.common.PostgresCluster both, the replica started
    and answering reads. Both stopped by pg_ctl on their own data folders at the end."""
    from bench.common import PostgresCluster, as_postgres, postgres_tool

    basebackup = postgres_tool("pg_basebackup")
    try:
        primary, replica = PostgresCluster(), PostgresCluster()
    except FileNotFoundError:
        pytest.skip("needs PostgreSQL's initdb, pg_ctl and pg_basebackup")
    if not basebackup:
        pytest.skip("needs PostgreSQL's pg_basebackup")
    try:
        primary.init()
        with open(f"{primary.data}/postgresql.conf", "a") as conf:
            conf.write("wal_level = replica\nmax_wal_senders = 4\nmax_replication_slots = 4\n")
        primary.start()
        # The slot keeps the primary's WAL until the replica has it, even while it is stopped.
        command = [basebackup, "-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres"]
        command += ["-D", replica.data, "-R", "-X", "stream", "-c", "fast", "-C", "-S", "replica"]
        subprocess.run(as_postgres(*command), check=True, capture_output=True)  # noqa: S603
        replica.start()  # pg_ctl -w: until it accepts read-only connections
        yield primary, replica
    finally:
        replica.destroy()
        primary.destroy()


class Mailbox:
    """An aiosmtpd handler that keeps every message it accepts, as the bytes that arrived, with
    its envelope's recipients. `answer(envelope)` may say something else than "250" first (a
    refusal, or a side effect such as killing the sender): whatever it returns is the reply,
    and the message is kept only if that reply starts with 250."""

    def __init__(self, answer=None):
        self.messages: list[tuple[list[str], bytes]] = []
        self.answer = answer

    async def handle_DATA(self, server, session, envelope):
        reply = (self.answer(envelope) if self.answer else None) or "250 Message accepted"
        if reply.startswith("250"):
            self.messages.append((list(envelope.rcpt_tos), envelope.original_content))
        return reply

    def parsed(self):
        import email
        import email.policy

        return [
            email.message_from_bytes(content, policy=email.policy.default)
            for _, content in self.messages
        ]


@contextlib.contextmanager
def smtp_server(handler):
    """aiosmtpd in a thread of this process on a free port: yields the port."""
    import logging

    from aiosmtpd.controller import Controller

    # aiosmtpd tells each SMTP command at INFO: not wanted in a test's output.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller.port
    finally:
        controller.stop()


def wait_until(condition, seconds=60, what="it"):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"waited {seconds} s for {what}"
        time.sleep(0.05)


def database_url() -> str:
    """The test database's address, for processes of our own that share it (PostgreSQL)."""
    from django.db import connection

    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def celery_worker(name: str, env: dict, log) -> subprocess.Popen:
    """A Celery worker of our own (one process: --pool=solo, so its PID is the one that sends),
    with `env` (DATABASE_URL, CELERY_BROKER_URL...), writing to the file `log`."""
    import os
    from pathlib import Path

    return subprocess.Popen(  # noqa: S603 - our own interpreter
        [sys.executable, "-m", "celery", "-A", "asmpace", "worker", "--pool=solo",
         "--loglevel=warning", "--hostname", f"{name}@%h"],
        cwd=Path(__file__).resolve().parents[1],
        env={**os.environ, **env},
        stdout=Path(log).open("w"),
        stderr=subprocess.STDOUT,
    )  # fmt: skip
