"""How to cite a study: BibTeX, RIS, a Harvard-style line, Google Scholar tags and schema.org.

Pure functions of a Publication whose authorships (and, for RIS and JSON-LD, topics and
coverage) are best prefetched, and of the absolute URLs of its page and PDF: `absolute_urls()`
makes those from a request. A PDF URL is only ever used when the study has a file.
"""

import re
import unicodedata

from django.utils.translation import gettext as _

from .models import Kind

# Per kind: BibTeX entry type, RIS type, schema.org type. A toolkit or guidance is a handbook for
# practitioners: @manual ("technical documentation") prints it without the "Technical report"
# label that @techreport adds, and biblatex keeps it a manual; RIS and schema.org call it a book.
# A newsletter is no report: @misc, RIS "GEN" (generic) and a plain CreativeWork.
TYPES = {
    Kind.GLOBAL_STUDY: ("techreport", "RPRT", "Report"),
    Kind.CASE_STUDY: ("techreport", "RPRT", "Report"),
    Kind.REPORT: ("techreport", "RPRT", "Report"),
    Kind.POLICY_BRIEF: ("techreport", "RPRT", "Report"),
    Kind.TOOLKIT: ("manual", "BOOK", "Book"),
    Kind.GUIDANCE: ("manual", "BOOK", "Book"),
    Kind.NEWSLETTER: ("misc", "GEN", "CreativeWork"),
}
# The field that names the publisher in each BibTeX entry type.
BIBTEX_PUBLISHER = {"techreport": "institution", "manual": "organization", "misc": "publisher"}
BIBTEX_LANGUAGES = {"en": "english", "fr": "french"}
BIBTEX_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
# LaTeX commands rather than \{ and \}: BibTeX counts even escaped braces, so a lone one in a
# title would unbalance the entry. Accents stay UTF-8, which biber and modern BibTeX read.
BIBTEX_ESCAPES = str.maketrans(
    {
        "\\": r"\textbackslash{}",
        "{": r"\textbraceleft{}",
        "}": r"\textbraceright{}",
        "&": r"\&",
        "%": r"\%",
        "$": r"\$",
        "#": r"\#",
        "_": r"\_",
        "~": r"\textasciitilde{}",
        "^": r"\textasciicircum{}",
    }
)
KEY_SKIP = {"a", "an", "the", "l", "le", "la", "les", "un", "une", "des", "du", "de"}


def absolute_urls(request, publication):
    """The absolute URLs of the study's page and of its PDF (None without a file)."""
    url = request.build_absolute_uri(publication.get_absolute_url())
    pdf_url = (
        request.build_absolute_uri(publication.get_download_url()) if publication.file else None
    )
    return url, pdf_url


def family_first(authorship):
    """ "Villegas, Cristina", or only the family name when no given names were printed."""
    given, family = authorship.given_names.strip(), authorship.family_name.strip()
    return f"{family}, {given}" if given else family


def initials(given_names):
    """ "Ansumana Babar" -> "A. B.", "Jean-Pierre" -> "J.-P.", "M. R." -> "M. R."."""
    return " ".join(
        "-".join(f"{part[0]}." for part in name.split("-") if part) for name in given_names.split()
    )


def ascii_word(text):
    return re.sub(r"[^a-z0-9]", "", unicodedata.normalize("NFKD", text).lower())


def bibtex_key(publication):
    """ "villegas2012asmpace": first author's family name, year, first significant title word."""
    authors = publication.printed_authors
    family = ascii_word(authors[0].family_name) if authors else ""
    words = [ascii_word(word) for word in re.split(r"[\s'\u2019]+", publication.title)]
    first_word = next((word for word in words if word and word not in KEY_SKIP), "")
    return f"{family or 'anonymous'}{publication.year}{first_word}"


def bibtex_escape(text):
    return text.translate(BIBTEX_ESCAPES)


def bibtex_title(title):
    """The title escaped, each word with a capital braced so that styles keep it as printed."""
    return " ".join(
        f"{{{bibtex_escape(word)}}}" if any(c.isupper() for c in word) else bibtex_escape(word)
        for word in title.split()
    )


def bibtex_name(authorship):
    # A name without given names (an organisation) is braced so it is not split into parts.
    if not authorship.given_names.strip():
        return f"{{{bibtex_escape(authorship.family_name.strip())}}}"
    return bibtex_escape(family_first(authorship))


def braced(text):
    return f"{{{text}}}" if text else ""


def bibtex(publication, url):
    entry_type = TYPES[publication.kind][0]
    fields = {
        "title": braced(bibtex_title(publication.title)),
        "author": braced(" and ".join(map(bibtex_name, publication.printed_authors))),
        BIBTEX_PUBLISHER[entry_type]: braced(bibtex_escape(publication.publisher)),
        "year": braced(str(publication.year)),
        # The month macro, unbraced, so that each style prints the month in its own language.
        "month": BIBTEX_MONTHS[publication.month - 1] if publication.month else "",
        "language": braced(BIBTEX_LANGUAGES.get(publication.language, publication.language)),
        # URLs are read verbatim (url package, biblatex), so not escaped; slugs need nothing.
        "url": braced(url),
        "abstract": braced(bibtex_escape(" ".join(publication.abstract.split()))),
        "note": braced(bibtex_escape(publication.rights)),
    }
    lines = [f"  {name} = {value}," for name, value in fields.items() if value]
    return f"@{entry_type}{{{bibtex_key(publication)},\n" + "\n".join(lines) + "\n}\n"


def ris(publication, url, pdf_url):
    """RIS lines ("TAG  - value"), CRLF-terminated as the specification asks."""
    month = f"{publication.month:02}" if publication.month else ""
    tags = [("TY", TYPES[publication.kind][1]), ("TI", publication.title)]
    tags += [("AU", family_first(authorship)) for authorship in publication.printed_authors]
    tags += [
        ("PY", str(publication.year)),
        ("DA", f"{publication.year}/{month}//"),
        ("PB", publication.publisher),
        ("LA", publication.language),
        ("AB", " ".join(publication.abstract.split())),
        ("UR", url),
        ("L1", pdf_url if publication.file else ""),
    ]
    tags += [("KW", topic.label) for topic in publication.topics.all()]
    lines = [f"{tag}  - {value}" for tag, value in tags if value]
    return "\r\n".join([*lines, "ER  - ", ""])


def sentence(text):
    """The text ending with a full stop, unless it already ends with punctuation."""
    text = text.strip()
    return text if text.endswith((".", "?", "!")) else f"{text}."


def formatted_citation(publication):
    """Harvard style: "Villegas, C. and Weinberg, R. (2012) Title. Publisher." """
    names = [
        f"{a.family_name}, {initials(a.given_names)}".rstrip(", ")
        for a in publication.printed_authors
    ]
    values = {
        "year": publication.year,
        "title": sentence(publication.title),
        "publisher": sentence(publication.publisher),
    }
    if not names:
        # Translators: a reference without authors; the publisher ends with its full stop.
        return _("%(title)s (%(year)s) %(publisher)s") % {**values, "title": publication.title}
    if len(names) == 1:
        values["authors"] = names[0]
    else:
        # Translators: the last two authors of a reference, as in "Villegas, C. and Hund, K.".
        values["authors"] = _("%(names)s and %(last)s") % {
            "names": ", ".join(names[:-1]),
            "last": names[-1],
        }
    # Translators: a reference; title and publisher end with their own full stop.
    return _("%(authors)s (%(year)s) %(title)s %(publisher)s") % values


def publication_date(publication, separator):
    """ "2012/09" with separator "/", or only the year when the study gives no month."""
    if publication.month:
        return f"{publication.year}{separator}{publication.month:02}"
    return str(publication.year)


def scholar_meta(publication, url, pdf_url):
    """(name, content) pairs of Google Scholar's citation_* meta tags."""
    meta = [("citation_title", publication.title)]
    meta += [("citation_author", family_first(a)) for a in publication.printed_authors]
    meta += [
        ("citation_publication_date", publication_date(publication, "/")),
        ("citation_language", publication.language),
        ("citation_publisher", publication.publisher),
    ]
    if TYPES[publication.kind][0] == "techreport":
        meta.append(("citation_technical_report_institution", publication.publisher))
    if publication.file:
        meta.append(("citation_pdf_url", pdf_url))
    meta.append(("citation_abstract_html_url", url))
    return meta


def person(authorship):
    return {
        "@type": "Person",
        "name": authorship.printed_name,
        "givenName": authorship.given_names,
        "familyName": authorship.family_name,
    }


def json_ld(publication, url, pdf_url):
    """The study as schema.org data, for search engines."""
    data = {
        "@context": "https://schema.org",
        "@type": TYPES[publication.kind][2],
        "name": publication.title,
        "url": url,
        "author": [person(a) for a in publication.printed_authors],
        "contributor": [person(a) for a in publication.contributors],
        "datePublished": publication_date(publication, "-"),
        "inLanguage": publication.language,
        "publisher": {"@type": "Organization", "name": publication.publisher},
        "abstract": publication.abstract.strip(),
        "copyrightNotice": publication.rights,
        "about": [{"@type": "Thing", "name": topic.label} for topic in publication.topics.all()],
        "spatialCoverage": [
            {"@type": "Country", "name": str(place.country.name)}
            for place in publication.coverage.all()
        ],
    }
    if publication.file:
        data["encoding"] = {
            "@type": "MediaObject",
            "contentUrl": pdf_url,
            "encodingFormat": "application/pdf",
        }
        if publication.file_size:
            data["encoding"]["contentSize"] = f"{publication.file_size} B"
    return {key: value for key, value in data.items() if value}
