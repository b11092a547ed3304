"""The case-study sites: on a map and in a list, one page each, and as GeoJSON."""

from django.conf import settings
from django.db.models import Prefetch
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import DetailView, TemplateView

from core.hooks import Part
from core.pagecache import SharedPageMixin
from core.text import json_for_script
from publications.models import Kind, Publication

from . import geodata
from .forms import SiteFilterForm
from .hooks import site_list_intro, site_page_parts
from .models import Site

PROGRAMME_WIDE = (Kind.GLOBAL_STUDY, Kind.TOOLKIT)
PROGRAMME_STUDIES_SHOWN = 6
GEOJSON_FILENAME = "asm-pace-sites.geojson"


class VisibleSitesMixin:
    def visible_sites(self):
        return Site.objects.visible_to(self.request.user)


class SiteListView(SharedPageMixin, VisibleSitesMixin, TemplateView):
    """Every site on a map, and the same sites as a list for screen readers and no JavaScript."""

    template_name = "sites/site_list.html"

    def get_context_data(self, **kwargs):
        visible = self.visible_sites()
        form = SiteFilterForm(self.request.GET, sites=visible)
        filters = form.filters()
        sites = list(visible.filtered(**filters).with_texts())
        # The newest few; the library lists them all (a map page must not grow with the library).
        programme_studies = list(
            Publication.objects.published()
            .filter(kind__in=PROGRAMME_WIDE)
            .for_listing()
            .order_by("kind", "-year", "-pk")[: PROGRAMME_STUDIES_SHOWN + 1]
        )
        return super().get_context_data(
            sites=sites,
            form=form,
            filtering=bool(filters),
            intro=site_list_intro.first(self.request),
            features=geodata.feature_collection(sites),
            map_settings=map_settings(),
            programme_studies=programme_studies[:PROGRAMME_STUDIES_SHOWN],
            more_programme_studies=[
                (kind.label, f"{reverse('publications:list')}?kind={kind.value}")
                for kind in PROGRAMME_WIDE
            ]
            if len(programme_studies) > PROGRAMME_STUDIES_SHOWN
            else [],
            **kwargs,
        )


class SiteDetailView(SharedPageMixin, VisibleSitesMixin, DetailView):
    template_name = "sites/site_detail.html"
    context_object_name = "site"

    def page_tags(self):
        return ("dialogue",)  # the site's page shows its forum's latest threads

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
            parts=site_page_parts.ask(self.request, site),
            **kwargs,
        )


class SiteGeoJSONView(SharedPageMixin, VisibleSitesMixin, View):
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


def sites_of_study(request, publication):
    """Answers publications.hooks.study_facts: the sites the study is about, linked."""
    sites = list(
        Site.objects.visible_to(request.user)
        .filter(publications=publication)
        .with_texts(minerals=False)
    )
    if not sites:
        return None
    return Part("sites/includes/study_sites.html", {"sites": sites})


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


def present_sites(user, notices):
    """A new case-study site (notices.presenters), while the reader may see it."""
    sites = (
        Site.objects.visible_to(user)
        .with_texts(minerals=False)
        .in_bulk({notice.target_id for notice in notices})
    )
    for notice in notices:
        site = sites.get(notice.target_id)
        if site is not None:
            notice.url = site.get_absolute_url()
            notice.subject = site.text.name
