"""What every benchmark shares: production settings, a throwaway database, timing, and engines
of its own (processes started on free local ports and stopped by their PID whatever happens: a
redis-server, a PostgreSQL cluster, gunicorn)."""

import contextlib
import glob
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]


def setup_django():
    """Production settings (DEBUG off, hashed static files) on the configured database."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "asmpace.settings")
    os.environ.setdefault("DJANGO_DEBUG", "0")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-" + "x" * 40)
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("DJANGO_STATIC_ROOT", tempfile.mkdtemp(prefix="asmpace-bench-static-"))
    # Always a fresh folder: a benchmark never writes into a real media folder.
    os.environ["DJANGO_MEDIA_ROOT"] = tempfile.mkdtemp(prefix="asmpace-bench-media-")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("collectstatic", "--noinput", verbosity=0)


@contextlib.contextmanager
def throwaway_database():
    """A test database (test_<name>) created for the run and dropped after it.

    BENCH_KEEPDB=1 keeps it, filled, for the next run and for EXPLAIN in psql.
    """
    from django.db import connection

    keep = os.environ.get("BENCH_KEEPDB") == "1"
    original_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=keep)
    try:
        yield connection
    finally:
        if not keep:
            connection.creation.destroy_test_db(original_name, verbosity=0)
            shutil.rmtree(os.environ["DJANGO_MEDIA_ROOT"], ignore_errors=True)


def settle(connection) -> None:
    """VACUUM ANALYZE what a fill wrote: a database filled in minutes keeps the old version of
    every row it updated (indexing writes each row twice), which autovacuum clears long before a
    real one grows to this size. Until then the visibility map is empty, so an index-only scan
    reads the table too (the library's ranks took twice as long)."""
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def timings_ms(action, repeat: int, warm_up: int = 5) -> list[float]:
    for _ in range(warm_up):
        action()
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        timings.append((time.perf_counter() - start) * 1000)
    return sorted(timings)


def median(timings):
    return statistics.median(timings)


def p95(timings):
    return sorted(timings)[max(0, int(len(timings) * 0.95) - 1)]


# Engines of the benchmark's own


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port, *, seconds=20, process=None):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{process.args[:4]} stopped with {process.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
            return
        time.sleep(0.1)
    raise RuntimeError(f"nothing answered on port {port} in {seconds} s")


def wait_until_answers(url, process, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[:4]} stopped with {process.returncode}")
        with contextlib.suppress(OSError):
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 - our own local server
            return
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer in {seconds} s")


def stop_process(process, *, timeout=20):
    """SIGTERM to this PID, SIGKILL if it has not stopped after `timeout` seconds."""
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextlib.contextmanager
def started(command, *, ready, env=None, cwd=ROOT, log=None):
    """A process of ours, stopped by its PID whatever happens. Its output goes to `log` (a
    path), or is dropped: a pipe nobody reads would block the process once full."""
    output = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 - closed below
    try:
        process = subprocess.Popen(  # noqa: S603 - fixed commands of the benchmarks
            command, env=env, cwd=cwd, stdout=output, stderr=subprocess.STDOUT
        )
        try:
            ready(process)
            yield process
        finally:
            stop_process(process)
    finally:
        if log:
            output.close()


class RedisServer:
    """A redis-server of our own on a free port, that can be killed and started again on the
    same port (as cache and broker both, it loses everything it held, as a crash would)."""

    def __init__(self, port=None):
        self.port = port or free_port()
        self.process = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
        self.process = subprocess.Popen(  # noqa: S603
            [*command, "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_for_port(self.port, process=self.process)
        except RuntimeError:
            self.stop()
            raise

    def kill(self):
        """SIGKILL, as a crash: no goodbye to its clients."""
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.process = None

    def stop(self):
        if self.process is not None:
            stop_process(self.process)
        self.process = None


@contextlib.contextmanager
def redis_server():
    """A running RedisServer's URL; the server stopped at the end."""
    with running_redis() as server:
        yield server.url


@contextlib.contextmanager
def running_redis():
    server = RedisServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


def postgres_tool(name):
    """PostgreSQL's `name` (initdb, pg_ctl): on the PATH, or the newest under /usr/lib."""
    found = shutil.which(name) or sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found if isinstance(found, str) else (found[-1] if found else None)


def as_postgres(*command):
    """The command as the postgres user when we are root (initdb and pg_ctl refuse root)."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return list(command)


class PostgresCluster:
    """A PostgreSQL cluster of our own: initdb in a temporary folder (owned by the postgres
    user when we are root), served on a free port, started and stopped with pg_ctl. Never the
    machine's shared server."""

    def __init__(self):
        self.initdb, self.pg_ctl = postgres_tool("initdb"), postgres_tool("pg_ctl")
        if not (self.initdb and self.pg_ctl):
            raise FileNotFoundError("needs PostgreSQL's initdb and pg_ctl")
        self.folder = tempfile.mkdtemp(prefix="asmpace-pg-")
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        self.data = os.path.join(self.folder, "data")
        self.log = os.path.join(self.folder, "log")
        self.port = free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def _pg_ctl(self, *args):
        command = as_postgres(self.pg_ctl, "-D", self.data, *args)
        subprocess.run(command, check=True, capture_output=True)  # noqa: S603

    def init(self):
        command = as_postgres(self.initdb, "-D", self.data, "-U", "postgres", "--auth=trust")
        subprocess.run([*command, "-E", "UTF8"], check=True, capture_output=True)  # noqa: S603

    def start(self):
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._pg_ctl("-o", options, "-l", self.log, "-w", "start")

    def stop(self):
        """A fast shutdown: open sessions are ended, as when an operator restarts the server."""
        self._pg_ctl("-m", "fast", "-w", "stop")

    def destroy(self):
        """Stopped at once whatever its state (pg_ctl signals the PID in postmaster.pid), and
        its folder removed."""
        command = as_postgres(self.pg_ctl, "-D", self.data, "-m", "immediate", "stop")
        subprocess.run(command, capture_output=True)  # noqa: S603
        shutil.rmtree(self.folder, ignore_errors=True)


@contextlib.contextmanager
def postgres_cluster():
    """A running PostgresCluster, destroyed at the end."""
    cluster = PostgresCluster()
    try:
        cluster.init()
        cluster.start()
        yield cluster
    finally:
        cluster.destroy()


@contextlib.contextmanager
def gunicorn(application, *, env, cwd=ROOT, log=None):
    """gunicorn with 2 sync workers on a free port; yields its base URL."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        application,
        "--workers",
        "2",
        "--bind",
        f"127.0.0.1:{port}",
        "--worker-tmp-dir",
        "/dev/shm",  # noqa: S108 - gunicorn's heartbeat files, as in the Dockerfile
    ]
    base = f"http://127.0.0.1:{port}"
    ready = lambda p: wait_until_answers(base + "/", p)  # noqa: E731
    with started(command, env=env, cwd=cwd, ready=ready, log=log):
        yield base


def database_url(settings_dict) -> str:
    user = quote(settings_dict["USER"] or "", safe="")
    password = quote(settings_dict["PASSWORD"] or "", safe="")
    login = f"{user}:{password}@" if password else f"{user}@" if user else ""
    host = settings_dict["HOST"] or "127.0.0.1"
    port = settings_dict["PORT"] or 5432
    return f"postgres://{login}{host}:{port}/{settings_dict['NAME']}"


def session_cookie(user) -> str:
    """A session of `user`'s, made as signing in makes one: its cookie's value."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value
