from core.forms import SearchForm


class PortalSearchForm(SearchForm):
    """The query string of /search/: words to look for in studies, sites and the dialogue."""
