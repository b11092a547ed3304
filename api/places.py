"""Case-study sites (and as GeoJSON, by sites' own code) and minerals: published sites only."""

from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404
from django.utils import translation
from ninja import Query, Router, Schema
from pydantic import Field

from sites import geodata
from sites.models import Mineral, Site, SiteText

from . import cursors
from .reading import LANGUAGE, PageParams, answers, country_code, known, modified, page_url
from .schemas import GeoJSONOut, MineralOut, Page, SiteOut

router = Router(tags=["sites"])


class SiteFilters(Schema):
    country: str | None = Field(None, min_length=2, max_length=2, description="ISO code.")
    mineral: str | None = Field(None, max_length=60, description="A mineral's slug.")


def published_sites(filters: SiteFilters):
    known(Mineral.objects, filters.mineral, "mineral")
    return Site.objects.published().filtered(
        country=country_code(filters.country), mineral=filters.mineral
    )


def with_all_texts(sites):
    texts = SiteText.objects.order_by("language")
    return sites.prefetch_related(
        Prefetch("texts", queryset=texts, to_attr="prefetched_texts"),
        Prefetch("minerals", queryset=Mineral.objects.only("pk", "slug", "name", "name_fr")),
    )


def site(request, place) -> dict:
    modified(request, place.updated_at)
    return {
        "slug": place.slug,
        "country": place.country.code,
        "latitude": float(place.latitude),
        "longitude": float(place.longitude),
        "protected_since": place.established,
        "area_ha": place.area_ha,
        "iucn_category": place.iucn_category,
        "wdpa_id": place.wdpa_id,
        "minerals": [mineral.slug for mineral in place.minerals.all()],
        "texts": [
            {
                "language": text.language,
                "name": text.name,
                "designation": text.designation,
                "region": text.region,
                "summary_html": text.summary_html,
            }
            for text in place.prefetched_texts
        ],
        "url": page_url(request, "sites:detail", slug=place.slug),
        "updated_at": place.updated_at,
    }


@router.get("/sites", response=Page[SiteOut], summary="Published case-study sites")
@answers(Page[SiteOut])
def sites(request, filters: Query[SiteFilters], paging: PageParams):
    rows, after = cursors.page(
        with_all_texts(published_sites(filters)), kind="sites", fields=("id",), **paging.dict()
    )
    return {"items": [site(request, row) for row in rows], "next": after}


@router.get(
    "/sites.geojson",
    response=GeoJSONOut,
    summary="Published case-study sites as GeoJSON (RFC 7946)",
)
@answers(GeoJSONOut)
def sites_geojson(request, filters: Query[SiteFilters]):
    """The same FeatureCollection as the sites' map page offers, in English."""
    places = list(published_sites(filters).with_texts(LANGUAGE).order_by("order", "slug"))
    modified(request, *(place.updated_at for place in places))
    with translation.override(LANGUAGE):
        return geodata.feature_collection(places, request.build_absolute_uri)


@router.get("/sites/{slug}", response=SiteOut, summary="One published case-study site")
@answers(SiteOut)
def site_detail(request, slug: str):
    return site(request, get_object_or_404(with_all_texts(Site.objects.published()), slug=slug))


@router.get("/minerals", response=Page[MineralOut], summary="Minerals mined at the sites")
@answers(Page[MineralOut])
def minerals(request, paging: PageParams):
    queryset = Mineral.objects.annotate(
        sites_count=Count("sites", filter=Q(sites__is_published=True))
    )
    rows, after = cursors.page(queryset, kind="minerals", fields=("id",), **paging.dict())
    return {
        "items": [
            {"slug": m.slug, "name": m.name, "name_fr": m.name_fr, "sites": m.sites_count}
            for m in rows
        ],
        "next": after,
    }
