"""User and editor text: Markdown in, sanitised HTML out."""

import markdown
import nh3

ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "code", "em", "h2", "h3", "h4", "hr", "li", "ol", "p",
    "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "td": {"align"}, "th": {"align"}}


def render_markdown(text: str, *, link_rel: str = "noopener") -> str:
    """Render Markdown and keep only harmless HTML: no raw HTML, scripts or event handlers.

    Python-Markdown passes raw HTML through, so nh3 is the real gate; it also drops
    `javascript:` and other unsafe URL schemes.
    """
    html = markdown.markdown(text, extensions=["extra", "sane_lists"], output_format="html")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel=link_rel,
    )
