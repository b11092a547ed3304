import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "k3J9x-production-secret-for-tests-only-4f8a2c9e1b7d6f0a3e5c",
    "DJANGO_ALLOWED_HOSTS": "portal.example.org,testserver",
}


def run_django(*args, env=None, check=True, timeout=120):
    """Run manage.py or a Python snippet in a fresh process with its own environment."""
    full_env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL", "CELERY_", "EMAIL_URL"))
    }
    full_env.update(env or {})
    return subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, *args],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        check=check,
        timeout=timeout,
    )


@pytest.fixture(scope="session")
def production_env(tmp_path_factory):
    """A production configuration on a throwaway SQLite file, migrated, static files collected."""
    folder = tmp_path_factory.mktemp("production")
    env = {
        **PRODUCTION_ENV,
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "DJANGO_STATIC_ROOT": str(folder / "static"),
    }
    run_django("manage.py", "migrate", "--noinput", "-v", "0", env=env)
    run_django("manage.py", "collectstatic", "--noinput", "-v", "0", env=env)
    return env
