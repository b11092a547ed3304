// Maps of the case-study sites: enhances every [data-site-map] element (see the site templates).
// The page lists the same sites in HTML, so without JavaScript the empty element is all there is,
// and it takes no space until the "site-map--ready" class gives it a height.
(function () {
  'use strict';

  function latLng(feature) {
    const [lng, lat] = feature.geometry.coordinates;
    return L.latLng(lat, lng);
  }

  function popupContent(properties) {
    const box = document.createElement('div');
    const title = document.createElement('p');
    title.className = 'site-map__popup-title';
    const link = document.createElement('a');
    link.href = properties.url;
    link.textContent = properties.name;
    title.appendChild(link);
    box.appendChild(title);
    const details = [properties.country_name, (properties.minerals || []).join(', ')];
    for (const text of details.filter(Boolean)) {
      const line = document.createElement('p');
      line.textContent = text;
      box.appendChild(line);
    }
    return box;
  }

  function addMarker(map, feature) {
    const name = feature.properties.name;
    const marker = L.marker(latLng(feature), {
      icon: L.divIcon({ className: 'site-map__marker', iconSize: [24, 24] }),
      keyboard: true,
      title: name,
      alt: name,
    });
    // The padding keeps an opened popup clear of the zoom buttons in the top left corner; the
    // width (of the text, inside the popup's margins of 40 px) keeps it inside a phone's narrow
    // map, where Leaflet's default of 300 px would not fit.
    const content = popupContent(feature.properties);
    marker.bindPopup(content, {
      autoPanPaddingTopLeft: [56, 12],
      autoPanPaddingBottomRight: [12, 12],
      maxWidth: Math.max(140, Math.min(300, map.getContainer().clientWidth - 130)),
    });
    marker.addTo(map);
    const dot = marker.getElement();
    // Leaflet puts alt only on <img> icons: name the dot for screen readers ourselves.
    dot.setAttribute('aria-label', name);
    // Keyboard users go from the marker into its popup, and back when it closes (Escape, ×),
    // instead of the focus falling back to the top of the page.
    marker.on('popupopen', () => {
      if (document.activeElement === dot) content.querySelector('a').focus();
    });
    marker.on('popupclose', (event) => {
      if (event.popup.getElement().contains(document.activeElement)) dot.focus();
    });
  }

  // Natural Earth cuts rings at the antimeridian, yet a few points of a cut ring sit on its other
  // side (-180 for 180); drawn flat they would cross the whole map. Keep each ring continuous.
  function unwrapRing(ring) {
    let offset = 0;
    return ring.map(([lng, lat], i) => {
      const step = i > 0 ? lng - ring[i - 1][0] : 0;
      if (step > 180) offset -= 360;
      if (step < -180) offset += 360;
      return [lng + offset, lat];
    });
  }

  function unwrap(geometry) {
    const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
    return { type: 'MultiPolygon', coordinates: polygons.map((rings) => rings.map(unwrapRing)) };
  }

  function drawOutlines(map, url) {
    return fetch(url)
      .then((response) => {
        if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
        return response.json();
      })
      .then((topology) => {
        const countries = topojson.feature(topology, topology.objects.countries);
        for (const country of countries.features) country.geometry = unwrap(country.geometry);
        // Colours come from portal.css (.site-map__land), which overrides SVG attributes.
        L.geoJSON(countries, { className: 'site-map__land', interactive: false }).addTo(map);
      })
      .catch((error) => {
        // The markers are the map's content: without outlines it still works.
        console.warn('Site map: no country outlines.', error);
      });
  }

  function initMap(element) {
    const source = document.getElementById(element.dataset.features || '');
    if (!source) return;
    const collection = JSON.parse(source.textContent);
    const features = (collection.features || []).filter(
      (feature) => feature.geometry && feature.geometry.type === 'Point',
    );
    const tiles = element.dataset.tiles || '';
    const zoom = parseInt(element.dataset.zoom || '', 10);

    element.classList.add('site-map--ready');
    if (zoom) element.classList.add('site-map--locator');
    const map = L.map(element, {
      attributionControl: Boolean(tiles),
      zoomControl: false,
      // The map sits in a scrolling page: the wheel and one finger scroll the page, not the map
      // (zoom with the buttons, the keyboard or two fingers).
      scrollWheelZoom: false,
      dragging: !L.Browser.mobile,
      minZoom: 1,
      zoomSnap: 0.5, // fits the sites closer on phones
      maxBounds: [[-85, -180], [85, 180]],
      maxBoundsViscosity: 1,
    });

    // The buttons' names come from the page, in the reader's language.
    L.control
      .zoom({
        zoomInTitle: element.dataset.labelZoomIn || 'Zoom in',
        zoomOutTitle: element.dataset.labelZoomOut || 'Zoom out',
      })
      .addTo(map);

    // Leaflet closes popups on Escape only while the map itself, not a marker, has the focus.
    element.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') map.closePopup();
    });

    if (tiles) {
      L.tileLayer(tiles, { attribution: element.dataset.tilesAttribution || '' }).addTo(map);
    } else if (element.dataset.outlines && window.topojson) {
      drawOutlines(map, element.dataset.outlines);
    }

    // The view first: Leaflet adds layers (and their elements) only once the map has one.
    const points = features.map(latLng);
    function frame() {
      if (zoom && points.length) {
        map.setView(points[0], zoom);
      } else if (points.length) {
        map.fitBounds(L.latLngBounds(points), { padding: [24, 24], maxZoom: 6 });
      } else {
        map.fitWorld();
      }
    }
    frame();
    for (const feature of features) addMarker(map, feature);
    // The box may change size after the first layout (a phone turned, a column reflowed):
    // frame the sites again, unless the reader is looking at one.
    let width = element.clientWidth;
    if (window.ResizeObserver) {
      new ResizeObserver(() => {
        if (element.clientWidth === width) return;
        width = element.clientWidth;
        map.invalidateSize();
        if (!element.querySelector('.leaflet-popup')) frame();
      }).observe(element);
    }
  }

  function init() {
    if (!window.L) return;
    for (const element of document.querySelectorAll('[data-site-map]')) {
      try {
        initMap(element);
      } catch (error) {
        // A broken map must not leave an empty box in the page: the list below says it all.
        element.classList.remove('site-map--ready');
        console.error('Site map:', error);
      }
    }
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
})();
