"""Every error the protocol names that applies here, for bad input of every kind: status 200, one
<error> with the right code, a valid answer, never a 500."""

import datetime

import pytest
from django.core import signing

from oai import protocol, responses
from tests.factories import PublicationFactory
from tests.oai.conftest import NS, error_code, oai_id

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("arguments", "code"),
    [
        ({}, "badVerb"),
        ({"verb": "ListEverything"}, "badVerb"),
        ({"verb": ["Identify", "Identify"]}, "badVerb"),
        ({"verb": "Identify", "set": "kind"}, "badArgument"),
        ({"verb": "ListRecords"}, "badArgument"),  # no metadataPrefix
        ({"verb": "ListRecords", "metadataPrefix": ["oai_dc", "oai_dc"]}, "badArgument"),
        ({"verb": "GetRecord", "metadataPrefix": "oai_dc"}, "badArgument"),  # no identifier
        ({"verb": "ListSets", "metadataPrefix": "oai_dc"}, "badArgument"),
        ({"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "from": "2024-13-01"},
         "badArgument"),
        ({"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "from": "yesterday"},
         "badArgument"),
        ({"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "from": "2024-W01-1"},
         "badArgument"),  # an ISO week, which Python would read
        ({"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "from": "2024-02-30"},
         "badArgument"),
        ({"verb": "ListIdentifiers", "metadataPrefix": "oai_dc",
          "from": "\uff12\uff10\uff12\uff14-01-01"}, "badArgument"),  # digits, not ASCII ones
        ({"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "until": "2024-01-01T10:00Z"},
         "badArgument"),
        ({"verb": "ListIdentifiers", "metadataPrefix": "oai_dc",
          "until": "2024-01-01T10:00:00+01:00"}, "badArgument"),
        ({"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "from": "2024-02-01",
          "until": "2024-01-01"}, "badArgument"),
        ({"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "from": "2024-01-01",
          "until": "2024-02-01T00:00:00Z"}, "badArgument"),  # mixed granularity
        ({"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "set": "colour:red"},
         "badArgument"),
        ({"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "set": "topic:a b"},
         "badArgument"),
        ({"verb": "ListIdentifiers", "metadataPrefix": "a b"}, "badArgument"),
        ({"verb": "ListIdentifiers", "resumptionToken": "x", "metadataPrefix": "oai_dc"},
         "badArgument"),  # a token comes alone
        ({"verb": "ListRecords", "metadataPrefix": "marc21"}, "cannotDisseminateFormat"),
        ({"verb": "GetRecord", "metadataPrefix": "mods", "identifier": "oai:x:1"},
         "cannotDisseminateFormat"),
        ({"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": "oai:elsewhere.org:1"},
         "idDoesNotExist"),
        ({"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": "99999999999999999999"},
         "idDoesNotExist"),
        ({"verb": "ListMetadataFormats", "identifier": "oai:127.0.0.1:424242"}, "idDoesNotExist"),
        ({"verb": "ListRecords", "resumptionToken": "garbled"}, "badResumptionToken"),
        ({"verb": "ListSets", "resumptionToken": "anything"}, "badResumptionToken"),
        ({"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "set": "topic:unknown"},
         "noRecordsMatch"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "until": "1999-12-31"},
         "noRecordsMatch"),
    ],
)  # fmt: skip
@pytest.mark.parametrize("method", ["get", "post"])
def test_bad_requests_get_the_right_error(oai, arguments, code, method):
    PublicationFactory()
    root = oai(method, **arguments)
    assert error_code(root) == code
    request = root.find("o:request", NS)
    assert request.text == "http://testserver/oai/"
    if code in ("badVerb", "badArgument"):
        assert dict(request.attrib) == {}  # the arguments are not echoed (section 3.2)
    assert root.find("o:error", NS).text  # says what was wrong


def test_a_token_of_one_verb_is_refused_by_another(oai, monkeypatch):
    monkeypatch.setattr(responses, "PAGE_SIZE", 1)
    PublicationFactory.create_batch(2)
    root = oai(verb="ListIdentifiers", metadataPrefix="oai_dc")
    token = root.findtext(".//o:resumptionToken", namespaces=NS)
    assert error_code(oai(verb="ListRecords", resumptionToken=token)) == "badResumptionToken"
    assert error_code(oai(verb="ListIdentifiers", resumptionToken=token + "x")) == (
        "badResumptionToken"
    )
    assert oai(verb="ListIdentifiers", resumptionToken=token).find("o:error", NS) is None


def test_an_expired_token_is_refused(oai, monkeypatch):
    monkeypatch.setattr(responses, "PAGE_SIZE", 1)
    PublicationFactory.create_batch(2)
    root = oai(verb="ListIdentifiers", metadataPrefix="oai_dc")
    token = root.findtext(".//o:resumptionToken", namespaces=NS)
    monkeypatch.setattr(protocol, "TOKEN_LIFETIME", datetime.timedelta(seconds=-1))
    root = oai(verb="ListIdentifiers", resumptionToken=token)
    assert error_code(root) == "badResumptionToken"
    assert "expired" in root.findtext("o:error", namespaces=NS)


def test_a_signed_token_with_bad_contents_is_refused(oai):
    """Even a token signed with our key (so made by us) never makes a 500 when its contents are
    wrong, e.g. one made by an older version."""
    for payload in ({"v": "ListRecords"}, {"v": "ListRecords", "a": {"metadataPrefix": "oai_dc",
                    "from": "nonsense"}, "k": None, "c": 0}, [1, 2]):  # fmt: skip
        token = signing.dumps(payload, salt=protocol.TOKEN_SALT, compress=True)
        assert error_code(oai(verb="ListRecords", resumptionToken=token)) == "badResumptionToken"


def test_drafts_are_unknown_identifiers_not_hidden_ones(oai, draft):
    for arguments in ({"verb": "GetRecord", "metadataPrefix": "oai_dc"},
                      {"verb": "ListMetadataFormats"}):  # fmt: skip
        root = oai(identifier=oai_id(draft), **arguments)
        assert error_code(root) == "idDoesNotExist"
        assert draft.title not in root.findtext("o:error", namespaces=NS)


def test_an_unknown_method_is_not_the_protocols(client):
    assert client.put("/oai/").status_code == 405


def test_characters_xml_cannot_hold_never_break_an_answer(oai):
    """A control character in an abstract or an argument is replaced, not written raw (GET
    refuses a NUL byte before any view: core.bad_requests)."""
    study = PublicationFactory(abstract="Gold\x0bmining\x1f")
    root = oai(verb="GetRecord", identifier=oai_id(study), metadataPrefix="oai_dc")
    assert root.findtext(".//dc:description", namespaces=NS) == "Gold\ufffdmining\ufffd"
    for method in ("get", "post"):
        root = oai(method, verb="GetRecord", metadataPrefix="oai_dc", identifier="oai:\x01")
        assert error_code(root) == "idDoesNotExist"
    root = oai("post", verb="Identify\x00")
    assert error_code(root) == "badVerb"


@pytest.mark.parametrize("until", ["9999-12-31", "9999-12-31T23:59:59Z"])
def test_the_last_day_there_is_is_a_date_like_another(oai, until):
    study = PublicationFactory()
    root = oai(verb="ListIdentifiers", metadataPrefix="oai_dc", until=until)
    assert root.findtext(".//o:identifier", namespaces=NS) == oai_id(study)


def test_what_a_fuzzer_sends_never_makes_a_server_error(client):
    """The portal-wide fuzzing inputs (tests/project/test_bad_requests_everywhere.py), at the
    protocol's address."""
    from tests.project.test_bad_requests_everywhere import HEADERS, QUERIES

    PublicationFactory()
    for query in QUERIES + [f"verb=ListRecords&{q}" for q in QUERIES]:
        for headers in [{}, *HEADERS]:
            response = client.get(f"/oai/?{query}", **headers)
            assert response.status_code in (200, 400), (query, headers)
            response = client.generic("POST", "/oai/", query, "application/x-www-form-urlencoded")
            assert response.status_code == 200, query
    for method in ("put", "delete", "patch", "options", "trace"):
        assert getattr(client, method)("/oai/").status_code < 500
