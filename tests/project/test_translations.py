"""The French catalogue is complete, current, and really used."""

import re
import shutil
import subprocess
import sys

import pytest
from django.urls import reverse
from django.utils import translation

from .conftest import ROOT, run_django

CATALOGUE = ROOT / "locale" / "fr" / "LC_MESSAGES" / "django.po"
# Every app of ours (a folder with apps.py), the project package and the templates.
APPS = tuple(path.parent.name for path in ROOT.glob("*/apps.py"))
SOURCES = (*APPS, "asmpace", "templates", "manage.py")


def msgids(po_text):
    """The message ids of a catalogue (header excluded), with plural forms."""
    ids = set()
    for block in po_text.split("\n\n"):
        match = re.search(r'^msgid ((?:".*"\n?)+)', block, re.M)
        if match:
            text = "".join(re.findall(r'"(.*)"', match[1]))
            if text:
                ids.add(text)
    return ids


def test_every_message_is_translated_and_none_is_fuzzy():
    result = subprocess.run(  # noqa: S603
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(CATALOGUE)],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    )

    assert "fuzzy" not in result.stderr, result.stderr
    assert "untranslated" not in result.stderr, result.stderr


def test_the_catalogue_holds_every_message_of_the_code(tmp_path):
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, tmp_path / name)
    shutil.copytree(ROOT / "locale", tmp_path / "locale")
    (tmp_path / "static").mkdir()

    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "fr", "--no-obsolete", "-v", "0"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
    )

    current = msgids((tmp_path / "locale/fr/LC_MESSAGES/django.po").read_text())
    committed = msgids(CATALOGUE.read_text())
    assert current - committed == set(), "run makemessages and translate the new messages"


@pytest.mark.django_db
def test_french_pages_really_are_in_french(client):
    from portal.content import load_pages

    load_pages()

    with translation.override("fr"):  # the pages' French addresses
        home = client.get(reverse("portal:home")).content.decode()
        signup = client.get(reverse("account_signup")).content.decode()
        login = client.get(reverse("account_login")).content.decode()

    assert '<html lang="fr">' in home
    assert "Aller au contenu principal" in home
    assert "S'inscrire comme partie prenante" in signup or "partie prenante" in signup
    assert "Mineur artisanal ou communauté minière" in signup
    assert "Mot de passe" in login
    for english in ("Skip to main content", "Register as a stakeholder", "Sign in</a>"):
        assert english not in home + signup


def test_the_french_catalogue_compiles_for_a_fresh_clone():
    result = run_django("manage.py", "compilemessages", "--ignore=.venv", check=False)

    assert result.returncode == 0, result.stderr
