"""User and editor text: Markdown in, sanitised HTML out; JSON inside a page's <script>."""

import json

import markdown
import nh3
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.safestring import SafeString, mark_safe

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


def render_markdown(text: str, *, link_rel: str = "noopener") -> str:
    """Render Markdown and keep only harmless HTML: no raw HTML, scripts or event handlers.

    Python-Markdown passes raw HTML through, so nh3 is the real gate; it also drops
    `javascript:` and other unsafe URL schemes.
    """
    html = markdown.markdown(text, extensions=EXTENSIONS, output_format="html")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags=CLEAN_CONTENT_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel=link_rel,
    )


def json_for_script(data) -> SafeString:
    """JSON safe inside a <script> element: <, > and & escaped as json_script does."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    return mark_safe(text.translate(JSON_SCRIPT_ESCAPES))  # noqa: S308 (escaped just above)
