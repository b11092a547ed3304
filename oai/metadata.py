"""The metadata formats: oai_dc, which every harvester reads, and DataCite.

Why DataCite (kernel 4) rather than MODS as the richer format: the aggregators that researchers
search (OpenAIRE, BASE, DataCite's own) harvest it, and it says what Dublin Core cannot: each
author's given and family names apart, authors apart from contributors, the kind of work as a
controlled resourceTypeGeneral (Report, Text), the dates by type (issued, made available), the
PDF's format and size, the abstract as an Abstract. MODS says as much, but is read by library
catalogues more than by the research aggregators the programme wants to reach. The studies have
no DOI: the identifier is the study's page, as identifierType URL, which the kernel's schema
allows."""

import functools
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from django.utils import translation
from django_countries.fields import Country

from publications.models import Authorship, Kind

OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC = "http://purl.org/dc/elements/1.1/"
DATACITE = "http://datacite.org/schema/kernel-4"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
XML = "http://www.w3.org/XML/1998/namespace"


@dataclass(frozen=True)
class Format:
    prefix: str
    schema: str
    namespace: str


FORMATS = {
    "oai_dc": Format("oai_dc", "http://www.openarchives.org/OAI/2.0/oai_dc.xsd", OAI_DC),
    "datacite": Format(
        "datacite", "http://schema.datacite.org/meta/kernel-4.6/metadata.xsd", DATACITE
    ),
}

# DataCite's resourceTypeGeneral of each kind of study.
RESOURCE_TYPES = {
    "global_study": "Report",
    "case_study": "Report",
    "report": "Report",
    "policy_brief": "Report",
    "toolkit": "Text",
    "guidance": "Text",
    "newsletter": "Text",
}


# Characters XML 1.0 cannot hold, which ElementTree would write all the same (a harvester's
# parser then refuses the whole page): a control character pasted into an abstract, or sent in
# an argument that an error message repeats.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value) -> str:
    return NOT_XML.sub("\ufffd", str(value))


def add(parent, tag, text=None, **attributes):
    element = ET.SubElement(parent, tag, {k: xml_text(v) for k, v in attributes.items()})
    if text is not None:
        element.text = xml_text(text)
    return element


def page_url(absolute, publication) -> str:
    """The study's page, in its own language."""
    with translation.override(publication.language):
        return absolute(publication.get_absolute_url())


def issued(publication) -> str:
    if publication.month:
        return f"{publication.year}-{publication.month:02d}"
    return str(publication.year)


def country_names(publication) -> list[str]:
    return [english_country(place.country.code) for place in publication.coverage_list]


# Names in English, looked up once: switching the language for each study of a page of 100
# was a tenth of its time.
@functools.cache
def english_country(code) -> str:
    with translation.override("en"):
        return str(Country(code).name)


@functools.cache
def english_kind(kind) -> str:
    with translation.override("en"):
        return str(Kind(kind).label)


def people(publication, role) -> list:
    """Its authors or its contributors, in print order (oai.repository.for_records)."""
    return [person for person in publication.authorship_list if person.role == role]


def kind_label(publication) -> str:
    return english_kind(publication.kind)


def oai_dc(parent, publication, absolute):
    root = add(parent, f"{{{OAI_DC}}}dc")
    root.set(f"{{{XSI}}}schemaLocation", f"{OAI_DC} {FORMATS['oai_dc'].schema}")
    language = {f"{{{XML}}}lang": publication.language}
    add(root, f"{{{DC}}}title", publication.title, **language)
    for person in people(publication, Authorship.Role.AUTHOR):
        add(root, f"{{{DC}}}creator", name_inverted(person))
    for person in people(publication, Authorship.Role.CONTRIBUTOR):
        add(root, f"{{{DC}}}contributor", name_inverted(person))
    for topic in publication.topic_list:
        add(root, f"{{{DC}}}subject", topic.name, **{f"{{{XML}}}lang": "en"})
        if topic.name_fr:
            add(root, f"{{{DC}}}subject", topic.name_fr, **{f"{{{XML}}}lang": "fr"})
    if publication.abstract:
        add(root, f"{{{DC}}}description", publication.abstract, **language)
    add(root, f"{{{DC}}}publisher", publication.publisher)
    add(root, f"{{{DC}}}date", issued(publication))
    add(root, f"{{{DC}}}type", "Text")
    add(root, f"{{{DC}}}type", kind_label(publication))
    if publication.file:
        add(root, f"{{{DC}}}format", "application/pdf")
    add(root, f"{{{DC}}}identifier", page_url(absolute, publication))
    if publication.file:
        add(root, f"{{{DC}}}identifier", absolute(publication.get_download_url()))
    add(root, f"{{{DC}}}language", publication.language)
    for other in publication.translation_list:
        add(root, f"{{{DC}}}relation", page_url(absolute, other))
    for country in country_names(publication):
        add(root, f"{{{DC}}}coverage", country)
    add(root, f"{{{DC}}}rights", publication.rights)
    return root


def name_inverted(person) -> str:
    """ "Family, Given", the form both formats ask for."""
    if person.given_names:
        return f"{person.family_name}, {person.given_names}"
    return person.family_name


def datacite(parent, publication, absolute):
    def d(tag):
        return f"{{{DATACITE}}}{tag}"

    root = add(parent, d("resource"))
    root.set(f"{{{XSI}}}schemaLocation", f"{DATACITE} {FORMATS['datacite'].schema}")
    add(root, d("identifier"), page_url(absolute, publication), identifierType="URL")
    creators = add(root, d("creators"))
    authors = people(publication, Authorship.Role.AUTHOR)
    for person in authors:
        creator = add(creators, d("creator"))
        add(creator, d("creatorName"), name_inverted(person), nameType="Personal")
        if person.given_names:
            add(creator, d("givenName"), person.given_names)
        add(creator, d("familyName"), person.family_name)
    if not authors:
        # A study that names no author is the publisher's work.
        creator = add(creators, d("creator"))
        add(creator, d("creatorName"), publication.publisher, nameType="Organizational")
    titles = add(root, d("titles"))
    add(titles, d("title"), publication.title, **{f"{{{XML}}}lang": publication.language})
    add(root, d("publisher"), publication.publisher)
    add(root, d("publicationYear"), publication.year)
    add(
        root,
        d("resourceType"),
        kind_label(publication),
        resourceTypeGeneral=RESOURCE_TYPES.get(publication.kind, "Text"),
    )
    topics = publication.topic_list
    if topics:
        subjects = add(root, d("subjects"))
        for topic in topics:
            add(subjects, d("subject"), topic.name, **{f"{{{XML}}}lang": "en"})
    contributing = people(publication, Authorship.Role.CONTRIBUTOR)
    if contributing:
        contributors = add(root, d("contributors"))
        for person in contributing:
            contributor = add(contributors, d("contributor"), contributorType="Other")
            add(contributor, d("contributorName"), name_inverted(person), nameType="Personal")
            if person.given_names:
                add(contributor, d("givenName"), person.given_names)
            add(contributor, d("familyName"), person.family_name)
    dates = add(root, d("dates"))
    add(dates, d("date"), issued(publication), dateType="Issued")
    if publication.published_at:
        add(dates, d("date"), publication.published_at.date().isoformat(), dateType="Available")
    add(root, d("language"), publication.language)
    others = publication.translation_list
    if publication.file or others:
        related = add(root, d("relatedIdentifiers"))
        if publication.file:
            # The PDF itself, as its download address.
            add(
                related,
                d("relatedIdentifier"),
                absolute(publication.get_download_url()),
                relatedIdentifierType="URL",
                relationType="HasPart",
            )
        for other in others:
            add(
                related,
                d("relatedIdentifier"),
                page_url(absolute, other),
                relatedIdentifierType="URL",
                relationType="IsVariantFormOf",
            )
    if publication.file_size:
        add(add(root, d("sizes")), d("size"), f"{publication.file_size} bytes")
        add(add(root, d("formats")), d("format"), "application/pdf")
    add(add(root, d("rightsList")), d("rights"), publication.rights)
    if publication.abstract:
        descriptions = add(root, d("descriptions"))
        add(
            descriptions,
            d("description"),
            publication.abstract,
            descriptionType="Abstract",
            **{f"{{{XML}}}lang": publication.language},
        )
    countries = country_names(publication)
    if countries:
        places = add(root, d("geoLocations"))
        for country in countries:
            add(add(places, d("geoLocation")), d("geoLocationPlace"), country)
    return root


WRITERS = {"oai_dc": oai_dc, "datacite": datacite}


def write(prefix, parent, publication, absolute):
    return WRITERS[prefix](parent, publication, absolute)
