"""What the sites' pages ask of apps above them (see core.hooks)."""

from core.hooks import Hook

site_list_intro = Hook(
    "(request) -> the text that introduces the sites' list, in the reader's language: an object "
    "with title, summary, body_html and language; or None"
)
site_page_parts = Hook(
    "(request, site) -> a core.hooks.Part shown on a site's page after the studies about it; "
    "or None"
)
