"""The apps' layers (DESIGN.md): each app imports only those below it, nothing imports portal,
no app imports the project package, and inside an app services -> tasks -> what tasks call.
`make lint` runs import-linter with pyproject's contracts on the tree; here the same check also
meets deliberate breaches, to show it catches them, at module level and inside a function."""

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from .conftest import ROOT

# The packages the contracts name: copied with pyproject.toml, the contracts' own file.
PACKAGES = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"][
    "root_packages"
]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint_imports(tree: Path) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603
        [str(LINT_IMPORTS), "--no-cache"], cwd=tree, capture_output=True, text=True, check=False
    )


@pytest.fixture
def tree(tmp_path):
    """A copy of the apps and the contracts, to break."""
    for name in PACKAGES:
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    return tmp_path


def test_the_layers_hold_in_the_code():
    result = lint_imports(ROOT)

    assert result.returncode == 0, result.stdout
    assert re.search(r"Contracts: \d+ kept, 0 broken", result.stdout)


@pytest.mark.parametrize(
    ("module", "breach", "reported"),
    [
        ("sites/models.py", "import forums.models  # noqa", "sites.models -> forums.models"),
        (
            "accounts/services.py",
            "def breach():\n    from forums import permissions  # noqa",
            "accounts.services -> forums.permissions",
        ),
        ("core/text.py", "from audit import models  # noqa", "core.text -> audit.models"),
        ("outbox/jobs.py", "from core import text  # noqa", "outbox.jobs -> core.text"),
        (
            "forums/notifications.py",
            "def post_approved(post_id):\n    from .tasks import notify_subscribers  # noqa",
            "forums.notifications -> forums.tasks",
        ),
        (
            "publications/views.py",
            "from portal import search  # noqa",
            "publications.views -> portal.search",
        ),
        (
            "forums/models.py",
            "from asmpace import settings  # noqa",
            "forums.models -> asmpace.settings",
        ),
    ],
)
def test_an_import_against_the_layers_fails_the_check(tree, module, breach, reported):
    with (tree / module).open("a") as source:
        source.write(f"\n\n{breach}\n")

    result = lint_imports(tree)

    assert result.returncode == 1
    assert "BROKEN" in result.stdout
    assert re.search(rf"-\s+{re.escape(reported)} \(l\.\d+\)", result.stdout), result.stdout


def test_no_benchmark_script_is_named_like_a_package_of_the_project():
    # A script runs with bench/ first on its path: bench/api.py was imported as the api app,
    # and every benchmark failed to start.
    scripts = {path.stem for path in (ROOT / "bench").glob("*.py")}
    assert not scripts & set(PACKAGES)
