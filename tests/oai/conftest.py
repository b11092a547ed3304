from pathlib import Path

import pytest
from lxml import etree

from tests.factories import PublicationFactory

SCHEMAS = Path(__file__).parent / "schemas"
OAI = "http://www.openarchives.org/OAI/2.0/"
NS = {
    "o": OAI,
    "oai_dc": "http://www.openarchives.org/OAI/2.0/oai_dc/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcite": "http://datacite.org/schema/kernel-4",
}
# One schema that knows every namespace an answer holds: metadata is checked strictly
# (processContents="strict" in OAI-PMH.xsd), so its format's schema must be known too.
IMPORTS = {
    OAI: "OAI-PMH.xsd",
    NS["oai_dc"]: "oai_dc.xsd",
    NS["dcite"]: "datacite/metadata.xsd",
}


@pytest.fixture(scope="session")
def schema():
    imports = "".join(
        f'<xs:import namespace="{namespace}" schemaLocation="{name}"/>'
        for namespace, name in IMPORTS.items()
    )
    text = (
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" '
        f'targetNamespace="urn:x-asmpace:tests">{imports}</xs:schema>'
    )
    root = etree.fromstring(text.encode(), base_url=str(SCHEMAS / "all.xsd"))
    return etree.XMLSchema(root)


@pytest.fixture
def oai(client, schema):
    """GET /oai/ with these arguments: the answer's root, checked against the schemas."""

    def ask(method="get", **arguments):
        response = getattr(client, method)("/oai/", arguments)
        assert response.status_code == 200
        assert response["Content-Type"] == "text/xml; charset=utf-8"
        root = etree.fromstring(response.content)
        if not schema.validate(root):
            raise AssertionError(str(schema.error_log))
        return root

    return ask


def error_code(root):
    errors = root.findall("o:error", NS)
    assert len(errors) == 1, etree.tostring(root)
    return errors[0].get("code")


def identifiers(root):
    return [e.text for e in root.iterfind(".//o:header/o:identifier", NS)]


def oai_id(publication):
    from oai.repository import identifier

    return identifier(publication)


@pytest.fixture
def withdrawn(db):
    """A study published once, then withdrawn: a deleted record."""
    from publications.services import publication_publish

    study = PublicationFactory(title="Withdrawn study")
    publication_publish(publication=study, published=False)
    return study


@pytest.fixture
def draft(db):
    return PublicationFactory(title="Draft never published", is_published=False, published_at=None)
