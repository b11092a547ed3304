"""Settings that depend on the environment, read in a fresh process each time."""

import json
import os

import pytest
import redis

from .conftest import run_django

REDIS = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/14")

SHOW_SETTINGS = (
    "import json, django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE','asmpace.settings');"
    "django.setup(); from django.conf import settings as s;"
    "print(json.dumps({'cache': s.CACHES['default']['BACKEND'], 'db': s.DATABASES['default'],"
    " 'eager': s.CELERY_TASK_ALWAYS_EAGER, 'email': s.EMAIL_BACKEND}, default=str))"
)


def settings_for(env):
    return json.loads(run_django("-c", SHOW_SETTINGS, env=env).stdout)


def test_defaults_need_no_service():
    shown = settings_for({})

    assert shown["db"]["ENGINE"] == "django.db.backends.sqlite3"
    assert shown["cache"].endswith("LocMemCache")
    assert shown["eager"] is True
    assert shown["email"].endswith("console.EmailBackend")


def test_postgresql_uses_the_connection_pool_and_health_checks():
    shown = settings_for({"DATABASE_URL": "postgres://portal:secret@db.internal:5432/asmpace"})

    assert shown["db"]["ENGINE"] == "core.postgresql"  # Django's, see core/postgresql
    assert shown["db"]["HOST"] == "db.internal"
    assert shown["db"]["OPTIONS"]["pool"]["max_size"] == 10
    assert shown["db"]["CONN_HEALTH_CHECKS"] is True
    assert shown["db"]["CONN_MAX_AGE"] == 0
    assert shown["db"]["OPTIONS"]["options"] == "-c random_page_cost=1.1"


def test_the_cost_of_reading_by_index_is_an_option_kept_beside_the_urls_own():
    shown = settings_for(
        {
            "DATABASE_URL": "postgres://portal@db.internal/asmpace?options=-c%20work_mem%3D8MB",
            "DATABASE_RANDOM_PAGE_COST": "2",
        }
    )

    assert shown["db"]["OPTIONS"]["options"] == "-c work_mem=8MB -c random_page_cost=2"


def test_a_broker_turns_off_inline_tasks():
    assert settings_for({"CELERY_BROKER_URL": "redis://127.0.0.1:6379/1"})["eager"] is False


def test_rate_limits_count_in_redis_when_it_is_configured(production_env):
    try:
        store = redis.Redis.from_url(REDIS, socket_connect_timeout=1)
        store.flushdb()
    except redis.ConnectionError:
        if os.environ.get("CI"):
            pytest.fail(f"CI needs Redis at {REDIS}")
        pytest.skip(f"no Redis at {REDIS}")
    # allauth counts sign-in attempts in the cache; with REDIS_URL every process shares them.
    attempt = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE','asmpace.settings');"
        "django.setup(); from django.test import Client;"
        "Client().post('/en/accounts/login/', {'login': 'x@example.org', 'password': 'wrong'},"
        " headers={'host': 'portal.example.org'}, secure=True)"
    )
    run_django("-c", attempt, env={**production_env, "REDIS_URL": REDIS})

    keys = [key.decode() for key in store.keys("asmpace:*")]
    assert any("rl:" in key for key in keys), keys
