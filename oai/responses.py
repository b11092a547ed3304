"""The answer to each verb, as an OAI-PMH 2.0 document (xml.etree: a page is 100 records, small
enough to build whole).

Its words are for harvesting programs, in English like the protocol's own: they are not
translated, as a harvest has no reader's language."""

import re
import xml.etree.ElementTree as ET
from email.utils import parseaddr

from django.conf import settings
from django.db.models import Min
from django.utils import timezone

from . import metadata, repository
from .models import DeletedStudy
from .protocol import (
    SECONDS,
    TOKEN_LIFETIME,
    OAIError,
    Token,
    bad_argument,
    date_range,
    datestamp,
    parse,
    token_dumps,
    token_loads,
)

OAI = "http://www.openarchives.org/OAI/2.0/"
SCHEMA = "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
PAGE_SIZE = 100
METADATA_PREFIX = re.compile(r"[A-Za-z0-9\-_.!~*'()]+")

for prefix, uri in {
    "oai_dc": metadata.OAI_DC,
    "dc": metadata.DC,
    "datacite": metadata.DATACITE,
    "xsi": metadata.XSI,
}.items():
    ET.register_namespace(prefix, uri)


add = metadata.add


def answer(query, *, base_url, absolute) -> bytes:
    """The whole response to a request's arguments (a QueryDict)."""
    # The protocol's elements are unqualified under a default namespace declared by hand:
    # ElementTree's default_namespace option refuses unqualified attributes (verb=...).
    root = ET.Element("OAI-PMH", xmlns=OAI)
    root.set(f"{{{metadata.XSI}}}schemaLocation", f"{OAI} {SCHEMA}")
    add(root, "responseDate", datestamp(timezone.now()))
    request_element = add(root, "request", base_url)
    try:
        request = parse(query)
    except OAIError as error:
        # badVerb and badArgument: the request is echoed without its arguments (section 3.2).
        add(root, "error", error.message, code=error.code)
        return serialise(root)
    request_element.set("verb", request.verb)
    for name, value in request.arguments.items():
        request_element.set(name, metadata.xml_text(value))
    try:
        VERBS[request.verb](root, request.arguments, base_url=base_url, absolute=absolute)
    except OAIError as error:
        if error.code in ("badArgument", "badVerb"):
            for name in request.arguments:
                del request_element.attrib[name]
            del request_element.attrib["verb"]
        # Whatever the verb had started to write goes: an error answer holds only the error.
        for child in list(root)[2:]:
            root.remove(child)
        add(root, "error", error.message, code=error.code)
    return serialise(root)


def serialise(root) -> bytes:
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def identify(root, arguments, *, base_url, absolute):
    firsts = [
        queryset.aggregate(earliest=Min("updated_at"))["earliest"]
        for queryset in (repository.records(), DeletedStudy.objects.all())
    ]
    earliest = min((first for first in firsts if first), default=None)
    element = add(root, "Identify")
    add(element, "repositoryName", "ASM-PACE library")
    add(element, "baseURL", base_url)
    add(element, "protocolVersion", "2.0")
    add(element, "adminEmail", admin_email())
    add(element, "earliestDatestamp", datestamp(earliest or timezone.now()))
    add(element, "deletedRecord", "persistent")
    add(element, "granularity", SECONDS)


def admin_email() -> str:
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    host = settings.SITE_DOMAIN.split(":")[0]
    # The schema wants a dotted domain; "noreply@localhost" of development has none.
    return address if "." in address.rpartition("@")[2] else f"noreply@{host}"


def list_metadata_formats(root, arguments, *, base_url, absolute):
    if "identifier" in arguments:
        find(arguments["identifier"])  # every record is in every format
    element = add(root, "ListMetadataFormats")
    for each in metadata.FORMATS.values():
        format_element = add(element, "metadataFormat")
        add(format_element, "metadataPrefix", each.prefix)
        add(format_element, "schema", each.schema)
        add(format_element, "metadataNamespace", each.namespace)


def list_sets(root, arguments, *, base_url, absolute):
    if "resumptionToken" in arguments:
        raise OAIError("badResumptionToken", "ListSets answers in one page: it has no tokens.")
    element = add(root, "ListSets")
    for spec, name in repository.all_sets():
        set_element = add(element, "set")
        add(set_element, "setSpec", spec)
        add(set_element, "setName", name)


def get_record(root, arguments, *, base_url, absolute):
    prefix = metadata_prefix(arguments)
    publication = find(arguments["identifier"], records=True)
    write_record(add(root, "GetRecord"), publication, prefix, absolute)


def find(value, *, records=False):
    pk = repository.publication_id(value)
    queryset = repository.records()
    queryset = repository.for_records(queryset) if records else queryset
    publication = None
    if pk is not None:
        publication = queryset.filter(pk=pk).first() or DeletedStudy.objects.filter(pk=pk).first()
    if publication is None:
        raise OAIError("idDoesNotExist", f"There is no record '{value[:100]}'.")
    return publication


def metadata_prefix(arguments) -> str:
    prefix = arguments["metadataPrefix"]
    if not METADATA_PREFIX.fullmatch(prefix):
        raise bad_argument("A metadataPrefix holds letters, digits and -_.!~*'() only.")
    if prefix not in metadata.FORMATS:
        raise OAIError(
            "cannotDisseminateFormat",
            f"No format '{prefix[:40]}': ask for one of {', '.join(metadata.FORMATS)}.",
        )
    return prefix


def list_identifiers(root, arguments, *, base_url, absolute):
    page_of(root, "ListIdentifiers", arguments, absolute)


def list_records(root, arguments, *, base_url, absolute):
    page_of(root, "ListRecords", arguments, absolute)


def page_of(root, verb, arguments, absolute):
    """One page of a list, and the token for the next: a page reads the same number of rows and
    makes the same queries wherever it is in the list."""
    if "resumptionToken" in arguments:
        token = token_loads(arguments["resumptionToken"], verb)
    else:
        token = Token(verb=verb, arguments=arguments, after=None, cursor=0)
    try:
        prefix = metadata_prefix(token.arguments)
        dates = date_range(token.arguments)
    except OAIError as error:
        if "resumptionToken" in arguments:
            raise OAIError("badResumptionToken", "This resumptionToken is not valid.") from error
        raise
    studies, deleted = repository.selected(token.arguments, dates)
    if token.after is not None:
        studies = repository.after(studies, token.after)
        deleted = repository.after(deleted, token.after)
    read = repository.for_records if verb == "ListRecords" else repository.for_headers
    # The next page from each, merged in the lists' order: rarely more than one deleted study.
    rows = list(read(studies)[: PAGE_SIZE + 1]) + list(deleted[: PAGE_SIZE + 1])
    rows = sorted(rows, key=lambda row: (row.updated_at, row.pk))[: PAGE_SIZE + 1]
    if not rows:
        if token.after is None:
            raise OAIError("noRecordsMatch", "No record matches these arguments.")
        raise OAIError("badResumptionToken", "This resumptionToken is past the end of the list.")
    more, rows = len(rows) > PAGE_SIZE, rows[:PAGE_SIZE]
    element = add(root, verb)
    for publication in rows:
        if verb == "ListRecords":
            write_record(element, publication, prefix, absolute)
        else:
            write_header(element, publication)
    if more or token.cursor:
        # The last page of a list that had several says so with an empty token.
        everything = repository.selected(token.arguments, dates)
        complete = sum(queryset.count() for queryset in everything)
        attributes = {"completeListSize": complete, "cursor": token.cursor}
        value = None
        if more:
            last = rows[-1]
            position = (last.updated_at, last.pk)
            value = token_dumps(Token(verb, token.arguments, position, token.cursor + len(rows)))
            expires = timezone.now() + TOKEN_LIFETIME
            attributes["expirationDate"] = datestamp(expires)
        add(element, "resumptionToken", value, **attributes)


def write_header(parent, publication):
    status = {"status": "deleted"} if repository.is_deleted(publication) else {}
    header = add(parent, "header", **status)
    add(header, "identifier", repository.identifier(publication))
    add(header, "datestamp", datestamp(publication.updated_at))
    for spec in repository.set_specs(publication):
        add(header, "setSpec", spec)


def write_record(parent, publication, prefix, absolute):
    record = add(parent, "record")
    write_header(record, publication)
    if not repository.is_deleted(publication):
        metadata.write(prefix, add(record, "metadata"), publication, absolute)


VERBS = {
    "Identify": identify,
    "ListMetadataFormats": list_metadata_formats,
    "ListSets": list_sets,
    "GetRecord": get_record,
    "ListIdentifiers": list_identifiers,
    "ListRecords": list_records,
}
