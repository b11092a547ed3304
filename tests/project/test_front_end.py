"""Front-end assets come from static/, pinned; templates load nothing from another host."""

import re

from .conftest import ROOT

TEMPLATES = sorted((ROOT / "templates").rglob("*.html"))


def test_vendored_bootstrap_is_the_pinned_version():
    makefile = (ROOT / "Makefile").read_text()
    version = re.search(r"BOOTSTRAP_VERSION := (\S+)", makefile)[1]
    css = ROOT / "static" / "vendor" / f"bootstrap-{version}" / "bootstrap.min.css"

    assert f"Bootstrap  v{version}" in css.read_text()[:300]
    assert f"bootstrap-{version}/bootstrap.min.css" in (ROOT / "templates/base.html").read_text()
    assert f"| bootstrap | {version} |" in (ROOT / "static/vendor/README.md").read_text()


# Links that people follow (<a href>) may leave the site; what a page loads may not.
REMOTE_LOAD = re.compile(r"""(?:\bsrc=|<link\b[^>]*\bhref=)["'](?:https?:)?//""")


def test_the_remote_load_pattern_tells_loads_from_links():
    assert REMOTE_LOAD.search('<script src="https://cdn.example.org/x.js">')
    assert REMOTE_LOAD.search('<link rel="stylesheet" href="//cdn.example.org/x.css">')
    assert REMOTE_LOAD.search('<img alt="" src="http://tiles.example.org/1.png">')
    assert not REMOTE_LOAD.search('<a href="https://www.protectedplanet.net/7409">')
    assert not REMOTE_LOAD.search('<link rel="stylesheet" href="/static/x.css">')


def test_templates_load_nothing_from_another_host():
    for template in TEMPLATES:
        assert not REMOTE_LOAD.search(template.read_text()), template


def test_templates_have_no_inline_script_or_style_that_the_policy_would_block():
    for template in TEMPLATES:
        text = template.read_text()
        assert " style=" not in text, template
        assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*nonce=)", text), template
        assert not re.search(r"\son[a-z]+=", text), template
