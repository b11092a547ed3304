"""Sites as open data: GeoJSON (RFC 7946) for maps and GIS tools, schema.org Place for search."""

from collections.abc import Callable

WDPA_URL = "https://www.protectedplanet.net/{}"


def feature(site, url: Callable[[str], str] = str) -> dict:
    """One site as a GeoJSON Feature; `url` makes its page's path absolute where wanted."""
    text = site.text
    properties = {
        "slug": site.slug,
        "name": text.name,
        "designation": text.designation,
        "country": site.country.code,
        "country_name": str(site.country.name),
        "region": text.region,
        "minerals": [mineral.label for mineral in site.minerals.all()],
        "protected_since": site.established,
        "area_ha": site.area_ha,
        "iucn_category": site.iucn_category,
        "wdpa_id": site.wdpa_id,
        "url": url(site.get_absolute_url()),
    }
    return {
        "type": "Feature",
        "id": site.slug,
        # GeoJSON puts longitude before latitude (RFC 7946, section 3.1.1).
        "geometry": {"type": "Point", "coordinates": [float(site.longitude), float(site.latitude)]},
        "properties": properties,
    }


def feature_collection(sites, url: Callable[[str], str] = str) -> dict:
    return {"type": "FeatureCollection", "features": [feature(site, url) for site in sites]}


def place_json_ld(site, url: str, study_url: Callable[[object], str]) -> dict:
    """The site's facts as a schema.org Place."""
    text = site.text
    data = {
        "@context": "https://schema.org",
        "@type": "Place",
        "@id": url,
        "url": url,
        "name": text.name,
        "description": text.summary.strip(),
        "geo": {
            "@type": "GeoCoordinates",
            "latitude": float(site.latitude),
            "longitude": float(site.longitude),
        },
        "address": {
            "@type": "PostalAddress",
            "addressCountry": site.country.code,
            **({"addressRegion": text.region} if text.region else {}),
        },
        "containedInPlace": {"@type": "Country", "name": str(site.country.name)},
        "keywords": [mineral.label for mineral in site.minerals.all()],
        "additionalProperty": [
            {"@type": "PropertyValue", "name": name, "value": value, **unit}
            for name, value, unit in (
                ("designation", text.designation, {}),
                ("protected since", site.established, {}),
                ("area", site.area_ha, {"unitCode": "HAR", "unitText": "ha"}),
                ("IUCN category", site.iucn_category, {}),
            )
            if value
        ],
        "subjectOf": [
            {"@type": "CreativeWork", "name": study.title, "url": study_url(study)}
            for study in site.visible_publications
        ],
    }
    if site.wdpa_id:
        data["identifier"] = {"@type": "PropertyValue", "propertyID": "WDPA", "value": site.wdpa_id}
        data["sameAs"] = WDPA_URL.format(site.wdpa_id)
    return {key: value for key, value in data.items() if value}
