"""Front-end assets come from static/, pinned; templates load nothing from another host."""

import json
import re

import pytest
from django.contrib.staticfiles import finders

from .conftest import ROOT

TEMPLATES = sorted((ROOT / "templates").rglob("*.html"))


def test_vendored_bootstrap_is_the_pinned_version():
    makefile = (ROOT / "Makefile").read_text()
    version = re.search(r"BOOTSTRAP_VERSION := (\S+)", makefile)[1]
    css = ROOT / "static" / "vendor" / f"bootstrap-{version}" / "bootstrap.min.css"

    assert f"Bootstrap  v{version}" in css.read_text()[:300]
    assert f"bootstrap-{version}/bootstrap.min.css" in (ROOT / "templates/base.html").read_text()
    assert f"| bootstrap | {version} |" in (ROOT / "static/vendor/README.md").read_text()


def vendored(variable, package):
    """The folder of a package vendored at the version that the Makefile pins."""
    version = re.search(rf"{variable} := (\S+)", (ROOT / "Makefile").read_text())[1]
    return version, ROOT / "static" / "vendor" / f"{package}-{version}"


# The maps' packages: Makefile variable, package, files, and a file whose head names the version.
MAP_PACKAGES = [
    ("LEAFLET_VERSION", "leaflet", ["leaflet.js", "leaflet.js.map", "leaflet.css"], "leaflet.js"),
    ("TOPOJSON_CLIENT_VERSION", "topojson-client", [], "topojson-client.min.js"),
    ("WORLD_ATLAS_VERSION", "world-atlas", ["countries-110m.json"], None),
]


@pytest.mark.parametrize(("variable", "package", "files", "versioned"), MAP_PACKAGES)
def test_vendored_map_packages_are_the_pinned_versions(variable, package, files, versioned):
    version, folder = vendored(variable, package)

    for name in [*files, "LICENSE"]:
        assert (folder / name).is_file(), folder / name
    if versioned:
        head = (folder / versioned).read_text()[:300]
        assert re.search(rf"{package} v?{re.escape(version)}\b", head, re.IGNORECASE)
    assert f"| {package} | {version} |" in (ROOT / "static/vendor/README.md").read_text()


def test_leaflet_css_and_the_outlines_refer_to_what_is_there():
    """collectstatic's manifest fails on a missing url(); the map script reads objects.countries."""
    _, leaflet = vendored("LEAFLET_VERSION", "leaflet")
    images = re.findall(r"url\((images/[^)]+)\)", (leaflet / "leaflet.css").read_text())
    assert images
    for image in images:
        assert (leaflet / image).is_file(), image

    _, atlas = vendored("WORLD_ATLAS_VERSION", "world-atlas")
    topology = json.loads((atlas / "countries-110m.json").read_text())
    assert topology["type"] == "Topology"
    assert len(topology["objects"]["countries"]["geometries"]) > 150


def test_site_map_script_writes_no_html_from_data():
    """Site names come from editors: the popups are built from text nodes."""
    script = (ROOT / "static/js/site-map.js").read_text()
    assert "innerHTML" not in script
    assert "insertAdjacentHTML" not in script
    assert "textContent" in script


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
    # Emails are read in mail clients, which the site's policy does not reach.
    pages = [template for template in TEMPLATES if "email" not in template.parent.parts]
    assert len(pages) < len(TEMPLATES)
    for template in pages:
        text = template.read_text()
        assert " style=" not in text, template
        # JSON-LD is a data block, which browsers never run and policies do not block.
        inline = r"<script(?![^>]*\bsrc=)(?![^>]*nonce=)(?! type=\"application/ld\+json\")"
        assert not re.search(inline, text), template
        assert not re.search(r"\son[a-z]+=", text), template


def test_every_static_file_a_template_names_exists():
    """A pinned version bumped in the Makefile but not in a template would break the page."""
    named = {
        path
        for template in TEMPLATES
        for path in re.findall(r"""{% static ['"]([^'"]+)['"] %}""", template.read_text())
    }
    assert any(path.startswith("vendor/leaflet-") for path in named)
    for path in named:
        # Ours in static/, or an app's (the admin's stylesheets), as collectstatic finds them.
        assert finders.find(path), path


def test_vendored_axe_core_is_the_pinned_version():
    """axe-core checks accessibility in the browser tests; the site never serves it."""
    version = re.search(r"AXE_CORE_VERSION := (\S+)", (ROOT / "Makefile").read_text())[1]
    folder = ROOT / "tests" / "browser" / "vendor" / f"axe-core-{version}"

    assert (folder / "LICENSE").is_file()
    assert f"axe v{version}" in (folder / "axe.min.js").read_text()[:200]
