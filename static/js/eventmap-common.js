/* eventmap: what the campaign map, the moderators' map and the submission preview share.
   Loaded after Leaflet and topojson by the map_assets macro (templates/_map.html), which also
   writes the words for each precision into the page as JSON (from Precision, on the server).
   Exposes one namespace, window.eventmapCommon. */
(function () {
  "use strict";

  /* An element with a class and text: user text always goes in as textContent, never HTML. */
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }

  /* Each precision's note and whether it is approximate, as the server words them. */
  var precisions = null;
  function precision(value) {
    if (!precisions) {
      var block = document.getElementById("eventmap-precisions");
      precisions = block ? JSON.parse(block.textContent) : {};
    }
    return precisions[value] || { note: "", approximate: false };
  }

  /* Rings that cross the antimeridian (Russia, Fiji) would be drawn across the whole world:
     move their western half past 180° so each ring stays in one piece. */
  function unwrap(ring) {
    var crosses = ring.some(function (p, i) { return i > 0 && Math.abs(p[0] - ring[i - 1][0]) > 180; });
    return crosses ? ring.map(function (p) { return p[0] < 0 ? [p[0] + 360, p[1]] : p; }) : ring;
  }
  function unwrapFeature(feature) {
    var g = feature.geometry;
    if (g && g.type === "Polygon") { g.coordinates = g.coordinates.map(unwrap); }
    if (g && g.type === "MultiPolygon") { g.coordinates = g.coordinates.map(function (poly) { return poly.map(unwrap); }); }
    return feature;
  }

  /* The offline country outlines, under the tile pane so the map reads without tiles. The
     file (the frame's data-outlines) is fetched at once; draw(target) adds the outlines to the
     map or to a layer once they are in, marks the frame "outlines-ready", and rejects if the
     file could not be had. */
  function outlines(map, frame) {
    map.createPane("outlines");
    map.getPane("outlines").style.zIndex = 150;  /* under the tile pane (200) */
    var world = fetch(frame.dataset.outlines).then(function (r) {
      if (!r.ok) { throw new Error(r.status); }
      return r.json();
    }).then(function (topo) {
      var collection = topojson.feature(topo, topo.objects.countries);
      collection.features.forEach(unwrapFeature);
      return collection;
    });
    return {
      draw: function (target) {
        return world.then(function (collection) {
          L.geoJSON(collection, {
            pane: "outlines", interactive: false,
            style: { color: "#8a96a3", weight: 0.8, fillColor: "#eef0ea", fillOpacity: 1 }
          }).addTo(target || map);
          frame.classList.add("outlines-ready");
        });
      }
    };
  }

  /* prefers-reduced-motion: reduce, asked each time (the setting may change while the page is
     open). Leaflet's zoom, fade and marker animations are switched off from the start, before
     any map of the page is made. */
  var motionQuery = window.matchMedia ? window.matchMedia("(prefers-reduced-motion: reduce)") : null;
  function reducedMotion() { return !!(motionQuery && motionQuery.matches); }
  if (reducedMotion() && window.L && L.Map) {
    L.Map.mergeOptions({ zoomAnimation: false, fadeAnimation: false, markerZoomAnimation: false });
  }
  /* Escape closes the map's open popup and gives the focus back to what opened it: a marker
     or a "Show on map" button (Leaflet itself listens for Escape only on a focused map). */
  function closeOnEscape(map) {
    var open = null, opener = null;
    map.on("popupopen", function (e) { open = e.popup; opener = document.activeElement; });
    map.on("popupclose", function (e) { if (open === e.popup) { open = null; } });
    document.addEventListener("keydown", function (e) {
      if (e.key !== "Escape" || !open) { return; }
      var back = opener;
      map.closePopup(open);
      if (back && back !== document.body && document.contains(back)) { back.focus(); }
    });
  }

  /* The map takes the focus (Leaflet pans it with the arrow keys): name it after the heading of
     its section, so a screen reader says what it is (a group, not another landmark). */
  function labelMap(map, frame) {
    var section = frame.closest("section[aria-labelledby]");
    if (!section) { return; }
    var container = map.getContainer();
    container.setAttribute("role", "group");
    container.setAttribute("aria-labelledby", section.getAttribute("aria-labelledby"));
  }

  /* "smooth" scrolling, unless motion is to be reduced. */
  function scrollBehavior() { return reducedMotion() ? "auto" : "smooth"; }

  window.eventmapCommon = {
    el: el, precision: precision, outlines: outlines, closeOnEscape: closeOnEscape, labelMap: labelMap,
    reducedMotion: reducedMotion, motionQuery: motionQuery, scrollBehavior: scrollBehavior
  };
})();
