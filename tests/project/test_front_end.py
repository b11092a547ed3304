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


def test_templates_load_nothing_from_another_host():
    remote = re.compile(r"""(?:src|href)=["'](?:https?:)?//""")
    for template in TEMPLATES:
        assert not remote.search(template.read_text()), template


def test_templates_have_no_inline_script_or_style_that_the_policy_would_block():
    for template in TEMPLATES:
        text = template.read_text()
        assert " style=" not in text, template
        assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*nonce=)", text), template
        assert not re.search(r"\son[a-z]+=", text), template
