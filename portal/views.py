from django.conf import settings
from django.db.models import Prefetch
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import DetailView, TemplateView

from forums import permissions as forum_permissions
from forums.models import Forum
from publications.citations import json_for_script
from publications.models import Kind, Publication

from . import geodata, search
from .forms import SiteFilterForm, SiteSearchForm
from .models import Page, Site
from .models.pages import EMBEDDED_PAGES, SITES_INTRO
from .navigation import available_ways_in

HOME_SECTIONS = ("about", "objectives", "principles", "partners")
PROGRAMME_WIDE = (Kind.GLOBAL_STUDY, Kind.TOOLKIT)
GEOJSON_FILENAME = "asm-pace-sites.geojson"


class HomeView(TemplateView):
    template_name = "portal/home.html"

    def get_context_data(self, **kwargs):
        pages = {page.slug: page for page in Page.objects.in_language(slugs=HOME_SECTIONS)}
        return super().get_context_data(
            sections=[pages[slug] for slug in HOME_SECTIONS if slug in pages],
            about=pages.get("about"),
            ways_in=available_ways_in(),
            **kwargs,
        )


class PageDetailView(TemplateView):
    template_name = "portal/page.html"

    def get(self, request, *args, **kwargs):
        if self.kwargs["slug"] in EMBEDDED_PAGES:
            return redirect(EMBEDDED_PAGES[self.kwargs["slug"]], permanent=True)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        pages = Page.objects.in_language(slugs=[self.kwargs["slug"]])
        if not pages:
            raise Http404
        return super().get_context_data(page=pages[0], **kwargs)


class VisibleSitesMixin:
    def visible_sites(self):
        return Site.objects.visible_to(self.request.user)


class SiteListView(VisibleSitesMixin, TemplateView):
    """Every site on a map, and the same sites as a list for screen readers and no JavaScript."""

    template_name = "portal/site_list.html"

    def get_context_data(self, **kwargs):
        visible = self.visible_sites()
        form = SiteFilterForm(self.request.GET, sites=visible)
        filters = form.filters()
        sites = list(visible.filtered(**filters).with_texts())
        intro = Page.objects.in_language(slugs=[SITES_INTRO])
        return super().get_context_data(
            sites=sites,
            form=form,
            filtering=bool(filters),
            intro=intro[0] if intro else None,
            features=geodata.feature_collection(sites),
            map_settings=map_settings(),
            programme_studies=Publication.objects.published()
            .filter(kind__in=PROGRAMME_WIDE)
            .for_listing()
            .order_by("kind", "-year"),
            **kwargs,
        )


class SiteDetailView(VisibleSitesMixin, DetailView):
    template_name = "portal/site_detail.html"
    context_object_name = "site"

    def get_object(self):
        studies = Publication.objects.visible_to(self.request.user).for_listing()
        queryset = (
            self.visible_sites()
            .with_texts()
            .prefetch_related(
                Prefetch("publications", queryset=studies, to_attr="visible_publications")
            )
        )
        return get_object_or_404(queryset, slug=self.kwargs["slug"])

    def get_context_data(self, **kwargs):
        site = self.object
        url = self.request.build_absolute_uri(site.get_absolute_url())
        json_ld = geodata.place_json_ld(
            site, url, lambda study: self.request.build_absolute_uri(study.get_absolute_url())
        )
        return super().get_context_data(
            text=site.text,
            sections=site_sections(site.text),
            canonical_url=url,
            json_ld=json_for_script(json_ld),
            features=geodata.feature_collection([site]),
            map_settings=map_settings(),
            dialogue=site_dialogue(self.request.user, site),
            **kwargs,
        )


class SiteGeoJSONView(VisibleSitesMixin, View):
    """All visible sites as a GeoJSON file that a GIS tool opens as it is."""

    def get(self, request, *args, **kwargs):
        sites = self.visible_sites().with_texts()
        data = geodata.feature_collection(sites, url=request.build_absolute_uri)
        response = JsonResponse(
            data, content_type="application/geo+json", json_dumps_params={"ensure_ascii": False}
        )
        response["Content-Disposition"] = content_disposition_header(False, GEOJSON_FILENAME)
        # Open data: other sites' maps may load it.
        response["Access-Control-Allow-Origin"] = "*"
        return response


class SearchView(TemplateView):
    """/search/: studies, sites and the dialogue found together, with what the reader may see."""

    template_name = "portal/search.html"

    def get_context_data(self, **kwargs):
        form = SiteSearchForm(self.request.GET or None)
        query = form.query()
        kind = search.SITES if self.request.GET.get("kind") == search.SITES else ""
        return super().get_context_data(
            form=form,
            query=query,
            sections=search.sections(self.request.user, query, kind=kind),
            site_search_query=query,
            **kwargs,
        )


def site_dialogue(user, site, latest=5):
    """The site's forum and its latest threads, if there is one that this user may see."""
    forum = Forum.objects.filter(site=site).first()
    if forum is None or not forum_permissions.can_view_forum(user, forum):
        return None
    threads = forum.threads.filter(is_visible=True).select_related("last_post__author")
    return {
        "forum": forum,
        "threads": list(threads.order_by("-last_post_at", "-pk")[:latest]),
        "can_start_thread": forum_permissions.can_start_thread(user, forum),
    }


def site_sections(text):
    """(anchor, heading, html, note) of the parts of a site's page that editors write."""
    return [
        ("environment", _("Environmental impacts"), text.environmental_impacts_html, ""),
        (
            "social",
            _("Social impacts"),
            text.social_impacts_html,
            _("Including the effects on vulnerable groups and indigenous peoples."),
        ),
        ("responses", _("Responses and solutions tried"), text.responses_html, ""),
        ("stakeholders", _("Stakeholders involved"), text.stakeholders_html, ""),
    ]


def map_settings():
    return {"tiles": settings.SITES_MAP_TILES, "attribution": settings.SITES_MAP_ATTRIBUTION}
