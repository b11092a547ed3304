"""User and editor text: Markdown in, sanitised HTML out; JSON inside a page's <script>."""

import json
import re
from html import unescape
from xml.etree import ElementTree

import markdown
import nh3
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import strip_tags
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "code", "em", "h2", "h3", "h4", "hr", "li", "ol", "p",
    "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
# Elements whose content goes too, not only the tags: what is inside them is not text to show.
CLEAN_CONTENT_TAGS = {
    "iframe", "noembed", "noframes", "noscript", "script", "select", "style", "template",
    "textarea", "xmp",
}  # fmt: skip
# Python-Markdown's "extra" minus footnotes (their ids are stripped, so their links lead
# nowhere), attr_list and md_in_html (attributes and raw HTML that nh3 removes anyway).
EXTENSIONS = ["abbr", "fenced_code", "tables", "sane_lists"]
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "td": {"align"}, "th": {"align"}}

# What Django's json_script escapes: the JSON can then never close its <script> element.
JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


# An <img> typed as raw HTML (Markdown's own images are replaced before, with their description).
RAW_IMAGE = re.compile(r"<img\b[^>]*>?", re.IGNORECASE)
# The tags between blocks of text, which become a space in the plain text.
BLOCK_TAG = re.compile(
    r"<(?:/?(?:p|h[1-6]|li|ul|ol|blockquote|pre|table|thead|tbody|tr|td|th)|br|hr)\b[^>]*>",
    re.IGNORECASE,
)


def image_note(description: str = "") -> str:
    """What a reader sees where an image was: images are never shown (no tracking pixels, no
    content from elsewhere), but they are not dropped without a word either."""
    description = " ".join(description.split())
    if description:
        return gettext("[Image not shown: %(description)s]") % {"description": description}
    return gettext("[Image not shown]")


class ImageNotes(markdown.treeprocessors.Treeprocessor):
    """Each Markdown image becomes an <em> note holding its description (alt text)."""

    def run(self, root):
        for element in root.iter("img"):
            note = image_note(element.get("alt", ""))
            element.tag = "em"
            element.attrib.clear()
            element.text = note


class ImageNotesExtension(markdown.Extension):
    def extendMarkdown(self, md):  # Python-Markdown's name
        # After "inline" (20), which makes the <img> elements; before "prettify" (10).
        md.treeprocessors.register(ImageNotes(md), "image_notes", 15)


def render_markdown(text: str, *, link_rel: str = "noopener") -> str:
    """Render Markdown and keep only harmless HTML: no raw HTML, scripts or event handlers.

    Python-Markdown passes raw HTML through, so nh3 is the real gate; it also drops
    `javascript:` and other unsafe URL schemes. Images, in Markdown or as raw HTML, become a
    note in the active language saying they are not shown.
    """
    extensions = [*EXTENSIONS, ImageNotesExtension()]
    html = markdown.markdown(text, extensions=extensions, output_format="html")
    if "<img" in html.lower():
        note = ElementTree.Element("em")
        note.text = image_note()
        html = RAW_IMAGE.sub(ElementTree.tostring(note, encoding="unicode"), html)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags=CLEAN_CONTENT_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel=link_rel,
    )


def html_to_text(html: str) -> str:
    """Sanitised HTML (render_markdown's) as plain text: no tags, entities read, white space
    folded, a space between blocks."""
    return " ".join(unescape(strip_tags(BLOCK_TAG.sub(" ", html))).split())


def markdown_to_text(text: str) -> str:
    """Markdown as the words a reader sees once it is rendered, without any of its syntax."""
    return html_to_text(render_markdown(text))


def json_for_script(data) -> SafeString:
    """JSON safe inside a <script> element: <, > and & escaped as json_script does."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    return mark_safe(text.translate(JSON_SCRIPT_ESCAPES))  # noqa: S308 (escaped just above)
