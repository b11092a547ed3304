from .pages import Page, PageQuerySet
from .sites import Mineral, Site, SiteQuerySet, SiteText

__all__ = ["Mineral", "Page", "PageQuerySet", "Site", "SiteQuerySet", "SiteText"]
