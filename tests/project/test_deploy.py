"""Production mode: the deploy check is clean and every response carries the security headers."""

import json

import pytest

from .conftest import PRODUCTION_ENV, run_django


def test_deploy_check_reports_nothing_in_production_mode():
    result = run_django(
        "manage.py", "check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV, check=False
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_deploy_check_fails_with_debug_on_and_secure_settings_off():
    env = {**PRODUCTION_ENV, "DJANGO_DEBUG": "1", "DJANGO_SECURE_HSTS_SECONDS": "0"}

    result = run_django(
        "manage.py", "check", "--deploy", "--fail-level", "WARNING", env=env, check=False
    )

    assert result.returncode != 0
    assert "security.W018" in result.stderr  # DEBUG on


def test_production_refuses_the_development_secret_key():
    env = {**PRODUCTION_ENV, "DJANGO_SECRET_KEY": ""}
    env.pop("DJANGO_SECRET_KEY")

    result = run_django("manage.py", "check", env=env, check=False)

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


@pytest.fixture(scope="module")
def production_responses(production_env):
    result = run_django(
        "-m", "tests.project.probe", "/en/", "/en/accounts/signup/", env=production_env
    )
    return json.loads(result.stdout)


def test_security_headers_in_production_mode(production_responses):
    headers = production_responses["/en/"]["headers"]

    assert production_responses["/en/"]["status"] == 200
    hsts = headers["Strict-Transport-Security"]
    max_age = int(hsts.split("max-age=")[1].split(";")[0])
    assert max_age >= 365 * 24 * 3600
    assert "includeSubDomains" in hsts
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    denied = dict(rule.strip().split("=") for rule in headers["Permissions-Policy"].split(","))
    assert denied["camera"] == denied["geolocation"] == denied["microphone"] == "()"


def test_content_security_policy_forbids_inline_code_and_framing(production_responses):
    for response in production_responses.values():
        policy = dict(
            directive.strip().split(" ", 1)
            for directive in response["headers"]["Content-Security-Policy"].split(";")
        )
        assert policy["frame-ancestors"] == "'none'"
        assert policy["default-src"] == "'self'"
        assert "unsafe-inline" not in response["headers"]["Content-Security-Policy"]
        assert "unsafe-eval" not in response["headers"]["Content-Security-Policy"]
        assert "'self'" in policy["script-src"]


def test_production_pages_use_hashed_static_files_and_secure_cookies(production_responses):
    signup = production_responses["/en/accounts/signup/"]

    assert signup["status"] == 200
    assert ".css" in signup["body"]
    assert "bootstrap.min." in signup["body"]
    assert "bootstrap.min.css" not in signup["body"]  # the hashed name is served instead
    assert 'rel="stylesheet" href="/static/vendor/bootstrap-5.3.9/bootstrap.min.' in signup["body"]
    assert signup["cookies"]["csrftoken"] == {"secure": True, "samesite": "Lax"}


def test_plain_http_is_redirected_to_https_in_production(production_env):
    snippet = (
        "import os, django; os.environ.setdefault('DJANGO_SETTINGS_MODULE','asmpace.settings');"
        "django.setup(); from django.test import Client;"
        "r = Client().get('/', headers={'host': 'portal.example.org'});"
        "print(r.status_code, r['Location'])"
    )
    result = run_django("-c", snippet, env=production_env)

    assert result.stdout.split() == ["301", "https://portal.example.org/"]
