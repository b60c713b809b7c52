/* eventmap: the campaign map. Loads the parties from the GeoJSON API, clusters them, draws
   the offline country outlines, and ties the map to the list, the filters and the time slider.
   Every piece of user text reaches the page through textContent, never as HTML. */
(function () {
  "use strict";

  var frame = document.querySelector("[data-map-name]");
  if (!frame) { return; }
  var map = window[frame.dataset.mapName];
  var statusBox = document.getElementById("map-status");
  var DAY = 86400000;
  var AREA = { region: true, country: true };
  var NOTES = {
    venue: "exact place", city: "in or near the city",
    region: "approximate: somewhere in the region", country: "approximate: somewhere in the country"
  };

  /* Timings for `make bench`: performance.getEntriesByType("mark"). */
  function mark(name) { if (window.performance && performance.mark) { performance.mark("eventmap:" + name); } }
  function say(text) { if (statusBox) { statusBox.textContent = text; } }
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }
  function parseDay(iso) { return iso ? Date.UTC(+iso.slice(0, 4), +iso.slice(5, 7) - 1, +iso.slice(8, 10)) : null; }
  function todayUTC() { var now = new Date(); return Date.UTC(now.getFullYear(), now.getMonth(), now.getDate()); }
  var WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
  var MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December"];
  function dayLabel(ms) {  /* the house style, as the server writes it: "Fri 15 July 2016" */
    var d = new Date(ms);
    return WEEKDAYS[d.getUTCDay()] + " " + d.getUTCDate() + " " + MONTHS[d.getUTCMonth()] + " " + d.getUTCFullYear();
  }

  /* Base layers: the configured tiles (folium added them) and the offline outlines beneath. */
  map.createPane("outlines");
  map.getPane("outlines").style.zIndex = 150;  /* under the tile pane (200) */
  var outlines = L.layerGroup();
  var tiles = null;
  map.eachLayer(function (layer) { if (layer instanceof L.TileLayer) { tiles = layer; } });
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
  fetch(frame.dataset.outlines).then(function (r) { return r.json(); }).then(function (topo) {
    var world = topojson.feature(topo, topo.objects.countries);
    world.features.forEach(unwrapFeature);
    L.geoJSON(world, {
      pane: "outlines", interactive: false,
      style: { color: "#8a96a3", weight: 0.8, fillColor: "#eef0ea", fillOpacity: 1 }
    }).addTo(outlines);
    frame.classList.add("outlines-ready");
  }).catch(function () { say("The country outlines could not be loaded."); });
  outlines.addTo(map);

  /* One pass, no chunking: chunks spread 10,000 markers over seconds before clusters show. */
  var clusters = L.markerClusterGroup({ chunkedLoading: false, showCoverageOnHover: false, maxClusterRadius: 50 });
  clusters.addTo(map);
  var bases = {};
  if (tiles) { bases[frame.dataset.tilesName || "Map tiles"] = tiles; }
  bases["Country outlines only (offline)"] = L.layerGroup();
  L.control.layers(bases, { "Country outlines": outlines, "Parties": clusters }, { collapsed: true }).addTo(map);

  /* Locate me. */
  var Locate = L.Control.extend({
    options: { position: "topleft" },
    onAdd: function () {
      var box = L.DomUtil.create("div", "leaflet-bar leaflet-control");
      var button = L.DomUtil.create("button", "locate-button", box);
      button.type = "button";
      button.title = "Show parties near me";
      button.setAttribute("aria-label", "Show parties near me");
      button.textContent = "◎";
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.on(button, "click", locate);
      return box;
    }
  });
  map.addControl(new Locate());

  var events = {};      /* id -> {feature, marker, item} */
  var order = [];
  var selectedItem = null;

  function markerFor(feature) {
    var p = feature.properties;
    var coords = feature.geometry.coordinates;
    var area = AREA[p.precision] === true;
    var icon = L.divIcon({
      className: "party-marker " + (area ? "party-area" : "party-pin"),
      html: "<span></span>",
      iconSize: area ? [44, 44] : [18, 18]
    });
    var marker = L.marker([coords[1], coords[0]], { icon: icon, title: p.title, alt: p.title, keyboard: true });
    marker.bindPopup(function () { return popupFor(p); }, { maxWidth: 280 });
    marker.on("click", function () { highlight(p.id, false); });
    return marker;
  }

  function popupFor(p) {
    var box = el("div", "party-popup");
    box.appendChild(el("h3", null, p.title));
    box.appendChild(el("p", "when", p.when || p.date_text || "Date to be announced"));
    var place = el("p", "where", p.location);
    if (p.precision) { place.appendChild(el("span", "precision " + p.precision, " (" + NOTES[p.precision] + ")")); }
    box.appendChild(place);
    var link = el("a", "more", "Party page →");
    link.href = p.url;
    box.appendChild(link);
    if (frame.dataset.hashtag) {
      box.appendChild(el("p", "hashtag", "#" + frame.dataset.hashtag));
    }
    return box;
  }

  function highlight(id, fromList) {
    var entry = events[id];
    if (!entry) { return; }
    if (selectedItem) { selectedItem.classList.remove("selected"); selectedItem.removeAttribute("aria-current"); }
    if (entry.item) {
      selectedItem = entry.item;
      entry.item.classList.add("selected");
      entry.item.setAttribute("aria-current", "true");
      if (!fromList) { entry.item.scrollIntoView({ block: "nearest", behavior: "smooth" }); }
    }
  }

  function showOnMap(id) {
    var entry = events[id];
    if (!entry || !entry.marker) { return; }
    if (!clusters.hasLayer(entry.marker)) { say("That party is hidden by the filters."); return; }
    clusters.zoomToShowLayer(entry.marker, function () { entry.marker.openPopup(); });
    highlight(id, true);
  }

  /* Filters and time slider, shared by the map and the list. */
  var form = document.getElementById("map-filters");
  var slider = document.getElementById("day-slider");
  var sliderLabel = document.getElementById("day-label");
  var playButton = document.getElementById("play");
  var firstDay = parseDay(frame.dataset.firstDay);
  var lastDay = parseDay(frame.dataset.lastDay);

  function sliderDay() {
    if (!slider || +slider.value > +slider.max - 1) { return null; }  /* the last stop is "all days" */
    return firstDay + (+slider.value) * DAY;
  }

  function stage(p, reference) {
    var start = parseDay(p.start), end = parseDay(p.end);
    if (start === null) { return "tbd"; }
    if (end < reference) { return "past"; }
    if (start > reference) { return "upcoming"; }
    return "today";
  }

  /* Work out, for every event, whether the filters keep it and where it stands in time. */
  function computeState() {
    var from = form ? parseDay(form.elements.from.value) : null;
    var to = form ? parseDay(form.elements.to.value) : null;
    var country = form ? form.elements.country.value : "";
    var day = sliderDay();
    var reference = day === null ? todayUTC() : day;
    var shown = 0;
    order.forEach(function (id) {
      var entry = events[id];
      var p = entry.feature.properties;
      var start = parseDay(p.start), end = parseDay(p.end);
      var ok = true;
      if (from !== null && (end === null || end < from)) { ok = false; }
      if (to !== null && (start === null || start > to)) { ok = false; }
      if (country && p.country_code !== country) { ok = false; }
      if (day !== null && (start === null || start > day)) { ok = false; }  /* played so far */
      entry.ok = ok;
      entry.stage = stage(p, reference);
      if (ok) { shown += 1; }
    });
    if (sliderLabel) { sliderLabel.textContent = day === null ? "All days" : dayLabel(day); }
    say(shown + " of " + order.length + " parties shown" + (day === null ? "" : " up to " + dayLabel(day)));
  }

  function updateMap() {
    var keep = [];
    order.forEach(function (id) {
      var entry = events[id];
      if (!entry.marker) { return; }
      var options = entry.marker.options.icon.options;
      options.className = options.className.replace(/ stage-\w+/, "") + " stage-" + entry.stage;
      var node = entry.marker.getElement && entry.marker.getElement();
      if (node) { node.className = node.className.replace(/ stage-\w+/, "") + " stage-" + entry.stage; }
      if (entry.ok) { keep.push(entry.marker); }
    });
    /* markercluster builds its tree much faster off the map than on it. */
    var shown = map.hasLayer(clusters);
    if (shown) { map.removeLayer(clusters); }
    clusters.clearLayers();
    clusters.addLayers(keep);
    if (shown) { map.addLayer(clusters); }
  }

  function updateList() {
    order.forEach(function (id) {
      var entry = events[id];
      if (entry.item) {
        entry.item.hidden = !entry.ok;
        entry.item.dataset.stage = entry.stage;
      }
    });
    document.querySelectorAll(".day-group").forEach(function (group) {
      group.hidden = !group.querySelector(".event-item:not([hidden])");
    });
  }

  function apply() {
    computeState();
    updateMap();
    updateList();
  }

  if (form) {
    form.addEventListener("input", apply);
    form.addEventListener("reset", function () { setTimeout(apply, 0); });
    form.addEventListener("submit", function (e) { e.preventDefault(); apply(); });
  }
  var timer = null;
  function stop() { if (timer) { clearInterval(timer); timer = null; } if (playButton) { playButton.textContent = "Play"; playButton.setAttribute("aria-pressed", "false"); } }
  if (slider) {
    slider.addEventListener("input", function () { stop(); apply(); });
    playButton.addEventListener("click", function () {
      if (timer) { stop(); return; }
      if (+slider.value >= +slider.max) { slider.value = 0; }
      playButton.textContent = "Pause";
      playButton.setAttribute("aria-pressed", "true");
      apply();
      timer = setInterval(function () {
        slider.value = +slider.value + 1;
        apply();
        if (+slider.value >= +slider.max) { stop(); }
      }, +(frame.dataset.playMs || 800));
    });
  }

  /* Near me: the browser's position, then the list sorted by distance. */
  function distanceKm(a, b) {
    var rad = Math.PI / 180, dLat = (b[0] - a[0]) * rad, dLon = (b[1] - a[1]) * rad;
    var h = Math.sin(dLat / 2) * Math.sin(dLat / 2) + Math.cos(a[0] * rad) * Math.cos(b[0] * rad) * Math.sin(dLon / 2) * Math.sin(dLon / 2);
    return 12742 * Math.asin(Math.min(1, Math.sqrt(h)));
  }
  var youMarker = null;
  function locate() {
    if (!navigator.geolocation || !window.isSecureContext) {
      say("Your browser cannot share your location here; use the filters or the list instead.");
      return;
    }
    say("Finding where you are…");
    navigator.geolocation.getCurrentPosition(function (pos) {
      var here = [pos.coords.latitude, pos.coords.longitude];
      if (youMarker) { map.removeLayer(youMarker); }
      youMarker = L.circleMarker(here, { radius: 7, color: "#1f6feb", fillOpacity: 0.9 }).addTo(map).bindTooltip("You are here");
      var near = order.filter(function (id) { return events[id].feature.geometry; }).map(function (id) {
        var c = events[id].feature.geometry.coordinates;
        return { id: id, km: distanceKm(here, [c[1], c[0]]) };
      }).sort(function (a, b) { return a.km - b.km; });
      var list = document.getElementById("near-list");
      if (list) {
        list.textContent = "";
        near.slice(0, 5).forEach(function (n) {
          var p = events[n.id].feature.properties;
          var li = el("li");
          var a = el("a", null, p.title);
          a.href = p.url;
          li.appendChild(a);
          li.appendChild(el("span", "distance", " · " + Math.round(n.km).toLocaleString("en") + " km · " + (p.when || p.date_text)));
          list.appendChild(li);
        });
        list.parentNode.hidden = false;
      }
      var bounds = L.latLngBounds([here]);
      near.slice(0, 3).forEach(function (n) { bounds.extend(events[n.id].marker.getLatLng()); });
      map.fitBounds(bounds.pad(0.3));
      say(near.length ? "The nearest party is " + Math.round(near[0].km) + " km away." : "No parties are on the map yet.");
    }, function (error) {
      say(error.code === 1 ? "Location permission was refused; use the filters or the list instead."
        : "Your location could not be found; use the filters or the list instead.");
    }, { timeout: 10000, maximumAge: 600000 });
  }

  /* On the full-screen map page the list is built from the same features, grouped by day. */
  function buildList(listBox, features) {
    var groups = {};
    var keys = [];
    features.forEach(function (f) {
      var key = f.properties.start || "tbd";
      if (!groups[key]) { groups[key] = []; keys.push(key); }
      groups[key].push(f);
    });
    keys.sort(function (a, b) { return a === "tbd" ? 1 : b === "tbd" ? -1 : a < b ? -1 : a > b ? 1 : 0; });
    var fragment = document.createDocumentFragment();
    keys.forEach(function (key, index) {
      var section = el("section", "day-group");
      var heading = el("h3", null, key === "tbd" ? "Date to be announced" : dayLabel(parseDay(key)));
      heading.id = "day-" + (index + 1);
      section.setAttribute("aria-labelledby", heading.id);
      section.appendChild(heading);
      var list = el("ul", "event-list");
      groups[key].forEach(function (f) {
        var p = f.properties;
        var item = el("li", "event-item");
        item.dataset.eventId = String(p.id);
        var link = el("a", "event-title", p.title);
        link.href = p.url;
        item.appendChild(link);
        var meta = el("span", "event-meta");
        meta.appendChild(el("span", "event-place", p.location));
        meta.appendChild(el("span", null, " · "));
        meta.appendChild(el("span", "event-when", p.when || p.date_text));
        if (AREA[p.precision] === true) { meta.appendChild(el("span", "badge", "somewhere in the " + p.precision)); }
        item.appendChild(meta);
        list.appendChild(item);
      });
      section.appendChild(list);
      fragment.appendChild(section);
    });
    listBox.appendChild(fragment);
  }

  /* Tie each list item to its event: highlight, "Show on map", filter state. */
  function connectList(features) {
    var listBox = document.getElementById("map-list");  /* later in the page than this script */
    if (listBox && listBox.dataset.build === "api") { buildList(listBox, features); }
    document.querySelectorAll(".event-item[data-event-id]").forEach(function (item) {
      var id = item.dataset.eventId;
      var entry = events[id];
      if (!entry) { return; }
      entry.item = item;
      if (entry.marker) {
        var button = el("button", "show-on-map", "Show on map");
        button.type = "button";
        button.setAttribute("aria-label", "Show " + entry.feature.properties.title + " on the map");
        button.addEventListener("click", function () { showOnMap(id); });
        item.appendChild(button);
      }
    });
    updateList();
    mark("list");
    frame.classList.add("list-ready");
  }

  /* Load the parties. */
  say("Loading the parties…");
  fetch(frame.dataset.api).then(function (r) {  /* preloaded by the page head */
    if (!r.ok) { throw new Error(r.status); }
    return r.json();
  }).then(function (collection) {
    mark("data");
    var markers = [];
    collection.features.forEach(function (feature) {
      var id = String(feature.properties.id);
      var entry = { feature: feature, marker: null, item: null, ok: true, stage: "tbd" };
      if (feature.geometry) { entry.marker = markerFor(feature); markers.push(entry.marker); }
      events[id] = entry;
      order.push(id);
    });
    mark("markers");
    computeState();
    updateMap();
    if (frame.dataset.focus) {  /* the near page: zoom to its answers */
      var bounds = L.latLngBounds([]);
      frame.dataset.focus.split(",").forEach(function (id) {
        if (events[id] && events[id].marker) { bounds.extend(events[id].marker.getLatLng()); }
      });
      if (bounds.isValid()) { map.fitBounds(bounds.pad(0.2), { maxZoom: 10 }); }
    }
    mark("ready");  /* the map is usable; the list follows in the next task */
    frame.classList.add("markers-ready");
    frame.dataset.markers = String(markers.length);
    /* Let the browser paint the map before the (possibly long) list is built. */
    requestAnimationFrame(function () {
      mark("painted");  /* this frame shows the clusters */
      setTimeout(function () { connectList(collection.features); }, 0);
    });
  }).catch(function () { say("The parties could not be loaded; the list below has them all."); });

  window.eventmapMap = { map: map, clusters: clusters, events: events, showOnMap: showOnMap, apply: apply };
})();
