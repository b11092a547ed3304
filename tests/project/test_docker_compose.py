"""docker-compose.yml and the Dockerfile name only what this project really has."""

import ast
import importlib
import json
import re
import shlex
from pathlib import Path

import pytest
import yaml
from celery import Celery
from celery.app.utils import find_app
from django.conf import settings
from django.core.management import get_commands

import asmpace

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
APP_SERVICES = ("migrate", "web", "worker", "beat")
WSGI_TARGET = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$")


def commands(service):
    """The service's commands as lists of words; `sh -c "a && b"` gives a and b."""
    command = SERVICES[service]["command"]
    words = shlex.split(command) if isinstance(command, str) else list(command)
    if words[:2] == ["sh", "-c"]:
        return [shlex.split(part) for part in re.split(r"&&|;", words[2]) if part.strip()]
    return [words]


def app_commands(program):
    return [words for name in APP_SERVICES for words in commands(name) if words[0] == program]


def environment(service):
    env = SERVICES[service].get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return env


def strings(node):
    """Every string in the parsed file, keys included."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from strings(key)
            yield from strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from strings(item)
    elif isinstance(node, str):
        yield node


def wsgi_target(words):
    (target,) = [word for word in words if WSGI_TARGET.match(word)]
    return target


def settings_target():
    module, attribute = settings.WSGI_APPLICATION.rsplit(".", 1)
    return f"{module}:{attribute}"


def test_compose_has_the_five_services():
    assert {"db", "redis", "migrate", "web", "worker"} <= SERVICES.keys()


def test_beat_runs_the_projects_schedule_on_the_same_image_and_environment():
    (words,) = commands("beat")
    assert words[:4] == ["celery", "-A", "asmpace", "beat"]
    assert SERVICES["beat"]["build"] == SERVICES["worker"]["build"]
    assert environment("beat") == environment("worker")
    assert {"forums.tasks.send_daily_digests", "outbox.tasks.relay"} <= {
        entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()
    }


def test_app_services_build_from_the_project():
    for name in APP_SERVICES:
        build = SERVICES[name]["build"]
        context = build if isinstance(build, str) else build.get("context", ".")
        assert context == ".", name


def test_long_running_services_have_healthchecks():
    for name in ("db", "redis", "web", "worker"):
        healthcheck = SERVICES[name].get("healthcheck", {})
        assert healthcheck.get("test"), name
        assert not healthcheck.get("disable"), name


def test_app_commands_are_known_entry_points():
    for name in APP_SERVICES:
        for words in commands(name):
            assert words[0] in {"gunicorn", "celery"} or words[:2] == ["python", "manage.py"], (
                name,
                words,
            )


def test_gunicorn_target_is_a_wsgi_callable():
    targets = [wsgi_target(words) for words in app_commands("gunicorn")]
    assert targets
    for target in targets:
        module, attribute = target.split(":")
        assert callable(getattr(importlib.import_module(module), attribute)), target


def test_celery_app_is_the_projects_celery_instance():
    found = app_commands("celery")
    assert found
    assert isinstance(asmpace.celery_app, Celery)
    for words in found:
        app_name = words[words.index("-A") + 1]
        assert find_app(app_name) is asmpace.celery_app, words


def test_manage_py_commands_exist():
    found = app_commands("python")
    assert found
    available = get_commands()
    for words in found:
        assert words[2] in available, words


def test_app_environment_is_read_by_settings():
    tree = ast.parse((ROOT / "asmpace" / "settings.py").read_text())
    read = {
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
        and (
            (isinstance(node.func, ast.Name) and node.func.id == "env")
            or (
                isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "env"
            )
        )
    }
    assert "DJANGO_SECRET_KEY" in read
    for name in APP_SERVICES:
        assert set(environment(name)) <= read, (name, set(environment(name)) - read)


def test_required_variables_are_documented_in_readme():
    # Compose interpolates values, not comments; $$ is a literal $; -/:- give a default.
    required = {
        match["braced"] or match["plain"]
        for value in strings(COMPOSE)
        for match in re.finditer(
            r"\$\$|\$\{(?P<braced>\w+)(?P<op>:?[-?+])?[^}]*\}|\$(?P<plain>[A-Za-z_]\w*)", value
        )
        if match["plain"] or (match["braced"] and (match["op"] or "?").endswith("?"))
    }
    assert required
    readme = (ROOT / "README.md").read_text()
    assert {name for name in required if name not in readme} == set()


def test_web_waits_for_migrations_and_a_healthy_database():
    depends_on = SERVICES["web"]["depends_on"]
    assert depends_on["migrate"]["condition"] == "service_completed_successfully"
    assert depends_on["db"]["condition"] == "service_healthy"


@pytest.mark.django_db
def test_web_healthcheck_probe_is_answered_in_production(client, settings):
    probe = " ".join(SERVICES["web"]["healthcheck"]["test"])
    host, path = re.search(r"http://([^/'\"]+)(/[^'\"]*)", probe).groups()
    allowed = re.sub(r"\$\{\w+:?-([^}]*)\}", r"\1", environment("web")["DJANGO_ALLOWED_HOSTS"])
    settings.ALLOWED_HOSTS = allowed.split(",")
    settings.SECURE_SSL_REDIRECT = True

    response = client.get(path, headers={"host": host})

    assert response.status_code == 200


def test_dockerfile_and_web_serve_the_settings_wsgi_application():
    cmd_lines = [
        line for line in (ROOT / "Dockerfile").read_text().splitlines() if line.startswith("CMD ")
    ]
    dockerfile_cmd = json.loads(cmd_lines[-1].removeprefix("CMD "))
    (web_cmd,) = commands("web")
    assert settings_target() == "asmpace.wsgi:application"
    assert wsgi_target(dockerfile_cmd) == settings_target()
    assert wsgi_target(web_cmd) == settings_target()


# Stateless app servers behind a proxy (issue 19)

NGINX = ROOT / "deploy" / "nginx" / "portal.conf"


def nginx_directives(text):
    """The config's directives as word lists, comments dropped ("a b;" and "a {" alike)."""
    text = re.sub(r"#[^\n]*", "", text)
    return [statement.split() for statement in re.split(r"[;{}]", text) if statement.split()]


def test_two_web_instances_and_no_fixed_host_port_on_them():
    web = SERVICES["web"]
    assert web["deploy"]["replicas"] >= 2
    # A host port can be bound once: every replica but one would fail to start.
    assert "ports" not in web
    (words,) = commands("web")
    assert words[words.index("--bind") + 1] == "0.0.0.0:8000"


def test_the_proxy_is_the_way_in_and_waits_for_healthy_instances():
    proxy = SERVICES["proxy"]
    assert proxy["image"].startswith("nginx:")
    # `resolve` on an upstream server needs nginx 1.27.3 or later.
    assert tuple(int(part) for part in proxy["image"].split(":")[1].split(".")[:2]) >= (1, 28)
    assert proxy["ports"] == ["127.0.0.1:8000:8000"]
    assert proxy["depends_on"]["web"]["condition"] == "service_healthy"
    assert proxy["healthcheck"]["test"]
    source, target, *_ = proxy["volumes"][0].split(":")
    assert (ROOT / source).resolve() == NGINX
    assert target == "/etc/nginx/conf.d/default.conf"


def test_the_proxy_spreads_requests_over_every_web_instance_without_stickiness():
    directives = nginx_directives(NGINX.read_text())
    (server,) = [words for words in directives if words[0] == "server" and len(words) > 1]
    assert server[1] == "web:8000"  # the service's name: Docker's DNS answers every replica
    assert "resolve" in server[2:]  # asked again: instances scaled or restarted are used
    assert any(words[0] == "resolver" and words[1] == "127.0.0.11" for words in directives)
    assert any(words[0] == "zone" for words in directives)
    assert ["proxy_pass", "http://portal"] in directives
    for sticky in ("ip_hash", "hash", "sticky"):
        assert all(words[0] != sticky for words in directives), sticky


def test_the_proxy_passes_what_django_trusts_unchanged():
    directives = nginx_directives(NGINX.read_text())
    headers = {words[1]: words[2] for words in directives if words[0] == "proxy_set_header"}
    assert headers["Host"] == "$http_host"
    assert headers["X-Forwarded-Proto"] == "$http_x_forwarded_proto"
    # Not appended to: DJANGO_TRUSTED_PROXY_COUNT counts the TLS proxy alone.
    assert headers["X-Forwarded-For"] == "$http_x_forwarded_for"
    assert environment("web")["DJANGO_TRUSTED_PROXY_COUNT"] == "${DJANGO_TRUSTED_PROXY_COUNT:-1}"
    (size,) = [words[1] for words in directives if words[0] == "client_max_body_size"]
    assert int(size.removesuffix("m")) * 1024 * 1024 > settings.PUBLICATION_MAX_UPLOAD_BYTES


def test_beat_is_one_and_its_jobs_run_once_per_period_anyway():
    assert SERVICES["beat"].get("deploy", {}).get("replicas", 1) == 1
    from forums.tasks import send_daily_digests
    from newsletter.tasks import start_due_issues, start_weekly_alerts
    from opendata.tasks import daily_build
    from outbox.tasks import relay

    tasks = (relay, send_daily_digests, daily_build, start_due_issues, start_weekly_alerts)
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled == {task.name for task in tasks}
    for task in tasks:
        assert task.run.period, task.name  # marked by outbox.periodic.once_per_period
