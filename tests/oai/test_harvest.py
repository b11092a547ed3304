"""A real harvester from PyPI (oaipmh-scythe) harvests the whole library from a live server,
across resumption tokens, and finds exactly the published studies, and the withdrawn and deleted
ones as deleted."""

import pytest
from oaipmh_scythe import Scythe
from oaipmh_scythe.config import HTTPConfig

from oai import responses
from publications.services import publication_publish
from tests.factories import PublicationFactory, TopicFactory
from tests.oai.conftest import oai_id


@pytest.fixture
def library(transactional_db, monkeypatch):
    """40 studies: 3 withdrawn, 2 deleted; 4 drafts, 2 of them deleted. What a harvest must find,
    by identifier."""
    monkeypatch.setattr(responses, "PAGE_SIZE", 7)
    mercury = TopicFactory(slug="mercury")
    studies = []
    for n in range(40):
        study = PublicationFactory(
            kind="case_study" if n % 2 else "toolkit", language="fr" if n % 5 == 0 else "en"
        )
        if n % 3 == 0:
            study.topics.add(mercury)
        studies.append(study)
    french = {oai_id(s) for s in studies if s.language == "fr"}
    for study in studies[10:13]:
        publication_publish(publication=study, published=False)
    gone = {oai_id(s) for s in studies[10:15]}
    for study in studies[13:15]:
        study.delete()
    for n, draft in enumerate(
        PublicationFactory.create_batch(4, is_published=False, published_at=None)
    ):
        if n % 2:
            draft.delete()
    live = {oai_id(s): s.title for s in studies[:10] + studies[15:]}
    return {"live": live, "gone": gone, "french": french}


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_harvester_finds_exactly_the_published_library(live_server, library, method):
    endpoint = f"{live_server.url}/oai/"
    with Scythe(endpoint, http_config=HTTPConfig(http_method=method, timeout=30)) as scythe:
        assert scythe.identify().repositoryName == "ASM-PACE library"
        records = list(scythe.list_records(metadata_prefix="oai_dc"))
        kept = {r.header.identifier for r in records if not r.deleted}
        deleted = {r.header.identifier for r in records if r.deleted}
        assert len(records) == len(kept) + len(deleted)  # each record once
        assert kept == set(library["live"])
        assert deleted == library["gone"]
        titles = {r.header.identifier: r.metadata["title"][0] for r in records if not r.deleted}
        assert titles == library["live"]

        datacite = list(scythe.list_records(metadata_prefix="datacite", ignore_deleted=True))
        assert {r.header.identifier for r in datacite} == kept

        french = list(scythe.list_identifiers(set_="language:fr"))
        assert {h.identifier for h in french} == library["french"]
        one, title = next(iter(library["live"].items()))
        record = scythe.get_record(identifier=one, metadata_prefix="oai_dc")
        assert record.metadata["title"] == [title]
