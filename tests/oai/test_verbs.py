"""Each of the six verbs, every answer valid against the OAI-PMH and oai_dc schemas."""

import datetime

import pytest
from django.utils import timezone

from oai import responses
from publications.models import Authorship, Coverage, Publication
from tests.factories import AuthorFactory, PublicationFactory, TopicFactory
from tests.oai.conftest import NS, error_code, identifiers, oai_id

pytestmark = pytest.mark.django_db


def test_identify_names_the_repository_and_its_rules(oai, withdrawn):
    root = oai(verb="Identify")
    identify = root.find("o:Identify", NS)
    assert identify.findtext("o:baseURL", namespaces=NS) == "http://testserver/oai/"
    assert identify.findtext("o:protocolVersion", namespaces=NS) == "2.0"
    assert identify.findtext("o:deletedRecord", namespaces=NS) == "persistent"
    assert identify.findtext("o:granularity", namespaces=NS) == "YYYY-MM-DDThh:mm:ssZ"
    earliest = withdrawn.updated_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert identify.findtext("o:earliestDatestamp", namespaces=NS) == earliest
    assert root.find("o:request", NS).get("verb") == "Identify"


def test_post_is_answered_like_get(oai):
    study = PublicationFactory()
    root = oai("post", verb="ListIdentifiers", metadataPrefix="oai_dc")
    assert identifiers(root) == [oai_id(study)]


def test_metadata_formats_are_oai_dc_and_datacite(oai):
    study = PublicationFactory()
    for arguments in ({}, {"identifier": oai_id(study)}):
        root = oai(verb="ListMetadataFormats", **arguments)
        prefixes = [e.text for e in root.iterfind(".//o:metadataPrefix", NS)]
        assert prefixes == ["oai_dc", "datacite"]


def test_sets_by_kind_topic_and_language(oai):
    TopicFactory(slug="mercury", name="Mercury")
    root = oai(verb="ListSets")
    specs = {e.findtext("o:setSpec", namespaces=NS): e.findtext("o:setName", namespaces=NS)
             for e in root.iterfind(".//o:set", NS)}  # fmt: skip
    assert specs["kind:case-study"] == "Kind: Case study"
    assert specs["topic:mercury"] == "Topic: Mercury"
    assert specs["language:fr"] == "Language: French"
    assert {"kind", "topic", "language"} <= specs.keys()


def test_get_record_in_oai_dc(oai):
    mercury = TopicFactory(slug="mercury", name="Mercury", name_fr="Mercure")
    french = PublicationFactory(language="fr", slug="etude")
    study = PublicationFactory(
        title="Mercury in Kamituga", slug="mercury-kamituga", year=2012, month=3,
        authors=["Estelle Levin", "Rob Small"],
    )  # fmt: skip
    study.topics.add(mercury)
    study.translations.add(french)
    Coverage.objects.create(publication=study, country="CD")
    root = oai(verb="GetRecord", identifier=oai_id(study), metadataPrefix="oai_dc")
    header = root.find(".//o:header", NS)
    assert header.get("status") is None
    assert header.findtext("o:identifier", namespaces=NS) == oai_id(study)
    specs = [e.text for e in header.iterfind("o:setSpec", NS)]
    assert specs == ["kind:case-study", "language:en", "topic:mercury"]
    dc = root.find(".//oai_dc:dc", NS)

    def values(name):
        return [e.text for e in dc.iterfind(f"dc:{name}", NS)]

    assert values("title") == ["Mercury in Kamituga"]
    assert values("creator") == ["Levin, Estelle", "Small, Rob"]
    assert values("subject") == ["Mercury", "Mercure"]
    assert values("date") == ["2012-03"]
    assert values("language") == ["en"]
    [country] = values("coverage")
    assert "Congo" in country
    assert values("identifier") == ["http://testserver/en/publications/mercury-kamituga/"]
    assert values("relation") == ["http://testserver/fr/publications/etude/"]


def test_get_record_in_datacite(oai):
    study = PublicationFactory(title="Gold in Liberia", authors=["Estelle Levin"], year=2011)
    root = oai(verb="GetRecord", identifier=oai_id(study), metadataPrefix="datacite")
    resource = root.find(".//dcite:resource", NS)
    identifier = resource.find("dcite:identifier", NS)
    assert identifier.get("identifierType") == "URL"
    assert identifier.text == f"http://testserver/en/publications/{study.slug}/"
    creator = resource.find("dcite:creators/dcite:creator", NS)
    assert creator.findtext("dcite:creatorName", namespaces=NS) == "Levin, Estelle"
    assert creator.findtext("dcite:givenName", namespaces=NS) == "Estelle"
    assert creator.findtext("dcite:familyName", namespaces=NS) == "Levin"
    assert resource.findtext("dcite:publicationYear", namespaces=NS) == "2011"
    assert resource.find("dcite:resourceType", NS).get("resourceTypeGeneral") == "Report"
    assert resource.findtext("dcite:titles/dcite:title", namespaces=NS) == "Gold in Liberia"
    assert resource.findtext("dcite:publisher", namespaces=NS) == study.publisher


def test_datacite_has_the_kernels_required_properties_for_every_record(oai):
    """What kernel 4 requires of each resource, for a study with every part and one with none."""
    full = PublicationFactory(authors=["Estelle Levin"], kind="toolkit", pdf=["Mercury"])
    full.topics.add(TopicFactory())
    full.translations.add(PublicationFactory(language="fr", is_published=False))  # not shown
    full.translations.add(PublicationFactory(language="fr", slug="outil"))
    Coverage.objects.create(publication=full, country="LR")
    Authorship.objects.create(
        publication=full, author=AuthorFactory(), family_name="Small", role="contributor"
    )
    bare = PublicationFactory(abstract="")
    root = oai(verb="ListRecords", metadataPrefix="datacite", set="language:en")
    resources = root.findall(".//dcite:resource", NS)
    assert len(resources) == 2
    required = ("identifier", "creators/dcite:creator/dcite:creatorName", "titles/dcite:title",
                "publisher", "publicationYear", "resourceType")  # fmt: skip
    for resource in resources:
        for path in required:
            assert resource.findtext(f"dcite:{path}", namespaces=NS), path
        general = resource.find("dcite:resourceType", NS).get("resourceTypeGeneral")
        assert general in {"Report", "Text"}
    names = [r.findtext("dcite:creators/dcite:creator/dcite:creatorName", namespaces=NS)
             for r in resources]  # fmt: skip
    assert names == ["Levin, Estelle", bare.publisher]  # no author: the publisher made it
    related = [(r.get("relationType"), r.text)
               for r in resources[0].iterfind(".//dcite:relatedIdentifier", NS)]  # fmt: skip
    assert related == [  # the file and the published translation, not the draft one
        ("HasPart", f"http://testserver/en/publications/{full.slug}/download/"),
        ("IsVariantFormOf", "http://testserver/fr/publications/outil/"),
    ]
    contributor = resources[0].find("dcite:contributors/dcite:contributor", NS)
    assert contributor.findtext("dcite:familyName", namespaces=NS) == "Small"
    assert resources[0].findtext("dcite:formats/dcite:format", namespaces=NS) == "application/pdf"


def test_withdrawn_studies_are_deleted_records_and_drafts_are_nothing(oai, withdrawn, draft):
    published = PublicationFactory()
    root = oai(verb="ListRecords", metadataPrefix="oai_dc")
    records = {r.findtext("o:header/o:identifier", namespaces=NS): r
               for r in root.iterfind(".//o:record", NS)}  # fmt: skip
    assert set(records) == {oai_id(published), oai_id(withdrawn)}
    deleted = records[oai_id(withdrawn)]
    assert deleted.find("o:header", NS).get("status") == "deleted"
    assert deleted.find("o:metadata", NS) is None
    root = oai(verb="GetRecord", identifier=oai_id(withdrawn), metadataPrefix="oai_dc")
    assert root.find(".//o:header", NS).get("status") == "deleted"
    root = oai(verb="GetRecord", identifier=oai_id(draft), metadataPrefix="oai_dc")
    assert error_code(root) == "idDoesNotExist"
    assert "Draft never published" not in str(oai(verb="ListSets"))


def test_studies_published_in_bulk_without_a_first_date_are_records(oai):
    """The bench (and any bulk load) writes is_published without published_at."""
    study = PublicationFactory(published_at=None)
    assert identifiers(oai(verb="ListIdentifiers", metadataPrefix="oai_dc")) == [oai_id(study)]


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("kind:case-study", {"case"}),
        ("kind:toolkit", {"toolkit"}),
        ("language:fr", {"toolkit"}),
        ("topic:mercury", {"case"}),
        ("kind", {"case", "toolkit"}),
        ("topic", {"case"}),
    ],
)
def test_selective_harvesting_by_set(oai, spec, expected):
    studies = {
        "case": PublicationFactory(kind="case_study", language="en"),
        "toolkit": PublicationFactory(kind="toolkit", language="fr"),
    }
    studies["case"].topics.add(TopicFactory(slug="mercury"))
    root = oai(verb="ListIdentifiers", metadataPrefix="oai_dc", set=spec)
    assert set(identifiers(root)) == {oai_id(studies[name]) for name in expected}


def test_from_and_until_select_by_datestamp_in_seconds_and_days(oai):
    moments = {
        "old": datetime.datetime(2024, 1, 10, 8, 0, 0, 500_000, tzinfo=datetime.UTC),
        "mid": datetime.datetime(2024, 1, 11, 12, 30, 15, tzinfo=datetime.UTC),
        "new": datetime.datetime(2024, 1, 12, 23, 59, 59, 900_000, tzinfo=datetime.UTC),
    }
    studies = {}
    for name, moment in moments.items():
        studies[name] = PublicationFactory()
        Publication.objects.filter(pk=studies[name].pk).update(updated_at=moment)

    def harvest(**dates):
        root = oai(verb="ListIdentifiers", metadataPrefix="oai_dc", **dates)
        if root.find("o:error", NS) is not None:
            assert error_code(root) == "noRecordsMatch"
            return set()
        return {name for name, s in studies.items() if oai_id(s) in identifiers(root)}

    assert harvest(**{"from": "2024-01-11"}) == {"mid", "new"}
    assert harvest(until="2024-01-11") == {"old", "mid"}
    assert harvest(**{"from": "2024-01-11T12:30:15Z", "until": "2024-01-11T12:30:15Z"}) == {"mid"}
    assert harvest(until="2024-01-10T08:00:00Z") == {"old"}  # the datestamp shown is 08:00:00
    assert harvest(**{"from": "2024-01-12T23:59:59Z"}) == {"new"}
    assert harvest(**{"from": "2024-01-13"}) == set()


def test_datestamps_are_utc_seconds(oai):
    study = PublicationFactory()
    moment = datetime.datetime(2024, 5, 6, 7, 8, 9, 123_456, tzinfo=datetime.UTC)
    Publication.objects.filter(pk=study.pk).update(updated_at=moment)
    root = oai(verb="ListIdentifiers", metadataPrefix="oai_dc")
    assert root.findtext(".//o:datestamp", namespaces=NS) == "2024-05-06T07:08:09Z"


def test_resumption_tokens_walk_the_whole_list_in_a_stable_order(oai, monkeypatch):
    monkeypatch.setattr(responses, "PAGE_SIZE", 3)
    studies = [PublicationFactory() for _ in range(7)]
    seen, token, cursors = [], None, []
    while True:
        arguments = {"resumptionToken": token} if token else {"metadataPrefix": "oai_dc"}
        root = oai(verb="ListRecords", **arguments)
        seen += identifiers(root)
        element = root.find(".//o:resumptionToken", NS)
        assert element.get("completeListSize") == "7"
        cursors.append(element.get("cursor"))
        token = element.text
        if not token:
            assert element.get("expirationDate") is None
            break
        assert element.get("expirationDate")
    assert seen == [oai_id(s) for s in studies]
    assert cursors == ["0", "3", "6"]


def test_a_study_changed_during_a_harvest_is_not_skipped(oai, monkeypatch):
    monkeypatch.setattr(responses, "PAGE_SIZE", 2)
    studies = [PublicationFactory() for _ in range(4)]
    first = oai(verb="ListIdentifiers", metadataPrefix="oai_dc")
    token = first.findtext(".//o:resumptionToken", namespaces=NS)
    # The first study is changed: it moves to the end; an offset would now skip the third.
    Publication.objects.filter(pk=studies[0].pk).update(updated_at=timezone.now())
    rest = []
    while token:
        root = oai(verb="ListIdentifiers", resumptionToken=token)
        rest += identifiers(root)
        token = root.findtext(".//o:resumptionToken", namespaces=NS)
    assert rest == [oai_id(studies[2]), oai_id(studies[3]), oai_id(studies[0])]


def test_a_list_that_fits_one_page_has_no_token(oai):
    PublicationFactory()
    root = oai(verb="ListRecords", metadataPrefix="datacite")
    assert root.find(".//o:resumptionToken", NS) is None


def test_a_study_deleted_after_it_was_published_stays_a_deleted_record(oai, monkeypatch, draft):
    monkeypatch.setattr(responses, "PAGE_SIZE", 2)
    mercury = TopicFactory(slug="mercury")
    studies = [PublicationFactory(kind="toolkit") for _ in range(3)]
    studies[1].topics.add(mercury)
    gone = oai_id(studies[1])
    studies[1].delete()
    draft.delete()  # never a record: leaves nothing
    root = oai(verb="GetRecord", identifier=gone, metadataPrefix="datacite")
    header = root.find(".//o:header", NS)
    assert header.get("status") == "deleted"
    specs = [e.text for e in header.iterfind("o:setSpec", NS)]
    assert specs == ["kind:toolkit", "language:en", "topic:mercury"]
    assert root.find(".//o:metadata", NS) is None
    # In the lists, last (its datestamp is when it went), counted in the list's size.
    seen, token = [], None
    while True:
        arguments = {"resumptionToken": token} if token else {"metadataPrefix": "oai_dc"}
        page = oai(verb="ListRecords", **arguments)
        seen += identifiers(page)
        element = page.find(".//o:resumptionToken", NS)
        assert element.get("completeListSize") == "3"
        token = element.text
        if not token:
            break
    assert seen == [oai_id(studies[0]), oai_id(studies[2]), gone]
    for spec, found in [("topic:mercury", [gone]), ("topic", [gone]), ("kind:guidance", [])]:
        page = oai(verb="ListIdentifiers", metadataPrefix="oai_dc", set=spec)
        assert identifiers(page) == found or (error_code(page) == "noRecordsMatch" and not found)
    assert error_code(oai(verb="GetRecord", identifier=oai_id(draft), metadataPrefix="oai_dc")) == (
        "idDoesNotExist"
    )
    formats = oai(verb="ListMetadataFormats", identifier=gone)
    assert len(formats.findall(".//o:metadataFormat", NS)) == 2
