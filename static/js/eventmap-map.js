/* eventmap: the campaign map. Loads the parties from the map feed (/api/map-events): its
   points first, clustered with supercluster and drawn, then its labels (titles, places, dates,
   links: two thirds of the bytes), which fill the list, popups and marker titles. Draws the
   offline country outlines, and ties the map to the list, the filters and the time slider.
   Only the clusters and points in view are ever markers. Every piece of user text reaches the
   page through textContent, never as HTML. */
(function () {
  "use strict";

  var frame = document.querySelector("[data-map-name]");
  if (!frame) { return; }
  var map = window[frame.dataset.mapName];
  var statusBox = document.getElementById("map-status");
  var common = window.eventmapCommon;
  var el = common.el;
  var precision = common.precision;
  var i18n = window.eventmapI18n || { t: function (s) { return s; }, ready: Promise.resolve(null), lang: "en" };
  var t = i18n.t;
  var DAY = 86400000;
  var CLUSTER_RADIUS = 50;  /* pixels, on 256-pixel tiles */
  var LIST_CHUNK = 1000;    /* list items built per task, so the map stays responsive */

  /* Timings for `make bench`: performance.getEntriesByType("mark"). */
  function mark(name) { if (window.performance && performance.mark) { performance.mark("eventmap:" + name); } }
  function say(text) { if (statusBox) { statusBox.textContent = text; } }
  /* A party's own words (title, place): the map feed does not carry their language, so they
     are marked unknown rather than as the page's, and read in the direction of their letters
     (as templating.text_lang does for a party that did not say). */
  function own(node) { node.lang = ""; node.dir = "auto"; return node; }
  function parseDay(iso) { return iso ? Date.UTC(+iso.slice(0, 4), +iso.slice(5, 7) - 1, +iso.slice(8, 10)) : null; }
  function todayUTC() { var now = new Date(); return Date.UTC(now.getFullYear(), now.getMonth(), now.getDate()); }
  var WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
  var MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December"];
  function dayLabel(ms) {  /* the house style, as the server writes it: "Fri 15 July 2016" */
    if (i18n.dayLabel) { return i18n.dayLabel(ms); }  /* ... or as the page's language does */
    var d = new Date(ms);
    return WEEKDAYS[d.getUTCDay()] + " " + d.getUTCDate() + " " + MONTHS[d.getUTCMonth()] + " " + d.getUTCFullYear();
  }
  function later(task) { setTimeout(task, 0); }
  function afterPaint(task) { requestAnimationFrame(function () { later(task); }); }

  /* Base layers: the configured tiles (folium added them) and the offline outlines beneath. */
  /* Fetched now (the page head preloads it), drawn once the parties are on the map. */
  var outlinesFile = common.outlines(map, frame);
  common.closeOnEscape(map);
  common.labelMap(map, frame);
  var outlines = L.layerGroup();
  var tiles = null;
  map.eachLayer(function (layer) { if (layer instanceof L.TileLayer) { tiles = layer; } });
  function drawOutlines() {
    outlinesFile.draw(outlines).catch(function () { say(t("The country outlines could not be loaded.")); });
  }
  outlines.addTo(map);

  var events = {};      /* id -> entry: the event's fields, its marker and list item once made */
  var order = [];       /* ids in page order */
  var selectedItem = null;
  var labelled = false; /* the labels part has filled every entry */
  var openPopup = null; /* the popup open now, refilled when the labels come */
  function loading() { return t("Loading the parties…"); }
  map.on("popupopen", function (e) { openPopup = e.popup; });
  map.on("popupclose", function (e) { if (openPopup === e.popup) { openPopup = null; } });

  /* The parties layer: the events the filters keep, clustered by supercluster and drawn as
     markers for the clusters and points in view only, again after every move. Clustering every
     zoom from 16 down costs a few hundred milliseconds for 10,000 points in a fresh page, so a
     quick index of the zooms up to the current one draws the first view, and the full one is
     built after that view is painted (or at once, when a deeper zoom is wanted first). */
  var Parties = L.Layer.extend({
    initialize: function () {
      this._group = L.layerGroup();
      this._points = [];
      this._quick = null;         /* zooms up to this._quickZoom */
      this._full = null;          /* every zoom; null until built */
      this._quickZoom = -1;
      this._version = 0;          /* the clusters of one version of the points */
      this._clusterMarkers = {};  /* index version and cluster id -> marker */
      this._drawn = {};           /* key -> marker on the map now */
    },
    onAdd: function (m) {
      this._group.addTo(m);
      m.on("moveend", this._draw, this);
      this._draw();
    },
    onRemove: function (m) {
      m.off("moveend", this._draw, this);
      this._group.clearLayers();
      m.removeLayer(this._group);
      this._drawn = {};
    },
    /* Cluster these entries (placed ones only) from now on. */
    setEntries: function (entries) {
      var points = new Array(entries.length);
      for (var i = 0; i < entries.length; i += 1) {
        points[i] = { type: "Feature", properties: entries[i], geometry: { type: "Point", coordinates: [entries[i].lon, entries[i].lat] } };
      }
      this._points = points;
      this._version += 1;
      this._clusterMarkers = {};
      this._full = null;
      this._quick = null;
      this._quickZoom = Math.round(map.getZoom());
      if (this._quickZoom < map.getMaxZoom() - 2) {
        this._quick = this._newIndex(this._quickZoom).load(points);
      }
      if (this._map) { this._draw(); }
    },
    /* Build the index of every zoom now, if it is not built yet. */
    complete: function () { this._fullIndex(); },
    count: function () { return this._points.length; },
    _newIndex: function (maxZoom) {
      return new Supercluster({ radius: CLUSTER_RADIUS, extent: 256, minZoom: Math.floor(map.getMinZoom()), maxZoom: maxZoom });
    },
    _fullIndex: function () {
      if (!this._full) { this._full = this._newIndex(map.getMaxZoom()).load(this._points); }
      return this._full;
    },
    _indexFor: function (zoom) {
      return this._quick && zoom <= this._quickZoom ? this._quick : this._fullIndex();
    },
    /* The smallest zoom, from the current one up, at which the entry stands alone. */
    zoomToSee: function (entry) {
      var top = map.getMaxZoom();
      var e = 1e-6;
      for (var zoom = Math.max(Math.round(map.getZoom()), 0); zoom <= top; zoom += 1) {
        var found = this._indexFor(zoom).getClusters([entry.lon - e, entry.lat - e, entry.lon + e, entry.lat + e], zoom);
        for (var i = 0; i < found.length; i += 1) {
          if (found[i].properties === entry) { return zoom; }
        }
      }
      return top;
    },
    isDrawn: function (entry) { return !!entry.marker && this._drawn["e" + entry.id] === entry.marker; },
    _draw: function () {
      if (!this._map) { return; }
      var zoom = Math.round(this._map.getZoom());
      var index = this._indexFor(zoom);
      var prefix = (index === this._quick ? "q" : "c") + this._version + ":";
      var bounds = this._map.getBounds().pad(0.25);  /* a margin: small pans show no gaps */
      var west = bounds.getWest(), east = bounds.getEast();
      var found = index.getClusters([west, Math.max(bounds.getSouth(), -90), east, Math.min(bounds.getNorth(), 90)], zoom);
      var next = {};
      for (var i = 0; i < found.length; i += 1) {
        var item = found[i];
        var lng = item.geometry.coordinates[0];
        /* Near the antimeridian, put the marker on the copy of the world in view. */
        if (lng < west) { lng += 360; } else if (lng > east) { lng -= 360; }
        var latlng = L.latLng(item.geometry.coordinates[1], lng);
        var key, marker;
        if (item.properties.cluster) {
          key = prefix + item.properties.cluster_id;
          marker = this._clusterMarkers[key];
          if (!marker) { marker = this._clusterMarkers[key] = clusterMarker(index, item, latlng); }
        } else {
          key = "e" + item.properties.id;
          marker = markerFor(item.properties);
          restage(item.properties);
        }
        if (!marker.getLatLng().equals(latlng)) { marker.setLatLng(latlng); }
        next[key] = marker;
      }
      var drawn = this._drawn;
      var group = this._group;
      Object.keys(drawn).forEach(function (k) { if (next[k] !== drawn[k]) { group.removeLayer(drawn[k]); } });
      Object.keys(next).forEach(function (k) { if (drawn[k] !== next[k]) { group.addLayer(next[k]); } });
      this._drawn = next;
    }
  });

  var parties = new Parties();
  parties.addTo(map);
  i18n.ready.then(function () {  /* the layer switch, in the page's language */
    var bases = {};
    if (tiles) { bases[frame.dataset.tilesName || t("Map tiles")] = tiles; }
    bases[t("Country outlines only (offline)")] = L.layerGroup();
    var overlays = {};
    overlays[t("Country outlines")] = outlines;
    overlays[t("Parties")] = parties;
    L.control.layers(bases, overlays, { collapsed: true }).addTo(map);
  });

  /* Locate me. */
  var Locate = L.Control.extend({
    options: { position: "topleft" },
    onAdd: function () {
      var box = L.DomUtil.create("div", "leaflet-bar leaflet-control");
      var button = L.DomUtil.create("button", "locate-button", box);
      button.type = "button";
      button.title = t("Show parties near me");
      button.setAttribute("aria-label", t("Show parties near me"));
      button.textContent = "◎";
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.on(button, "click", locate);
      return box;
    }
  });
  map.addControl(new Locate());

  /* Enter or Space on a focused marker (Leaflet makes them buttons for the keyboard). */
  function pressed(e) {
    var key = e.originalEvent.key;
    if (key !== "Enter" && key !== " ") { return false; }
    e.originalEvent.preventDefault();
    return true;
  }

  /* A popup opened from the keyboard takes the focus to its first link; Escape brings it back
     to the marker (common.closeOnEscape). */
  function focusPopup() {
    later(function () {
      var link = document.querySelector(".leaflet-popup-content a");
      if (link) { link.focus(); }
    });
  }

  function clusterSize(count) { return count < 10 ? "small" : count < 100 ? "medium" : "large"; }

  function clusterMarker(index, item, latlng) {
    var count = item.properties.point_count;
    var id = item.properties.cluster_id;
    var inner = el("div");
    inner.appendChild(el("span", null, String(count)));
    var label = count + " parties: show them";
    var marker = L.marker(latlng, {
      icon: L.divIcon({ html: inner, className: "marker-cluster marker-cluster-" + clusterSize(count), iconSize: L.point(40, 40) }),
      title: label, keyboard: true, riseOnHover: true
    });
    function open() {
      var zoom = index.getClusterExpansionZoom(id);
      if (zoom <= map.getMaxZoom()) {
        map.setView(marker.getLatLng(), zoom);
        return false;
      }
      /* All at one place, even at the closest zoom: list them. */
      var leaves = index.getLeaves(id, Infinity);
      L.popup({ maxWidth: 300, maxHeight: 320 }).setLatLng(marker.getLatLng())
        .setContent(function () { return clusterPopup(leaves); }).openOn(map);
      return true;
    }
    marker.on("click", open);
    marker.on("keypress", function (e) { if (pressed(e) && open()) { focusPopup(); } });
    return marker;
  }

  function clusterPopup(leaves) {
    var box = el("div", "party-popup party-popup-list");
    box.appendChild(el("h3", null, leaves.length + " parties at this place"));
    var list = el("ul");
    leaves.forEach(function (leaf) {
      var entry = leaf.properties;
      var item = el("li");
      if (!labelled) {
        item.appendChild(el("span", "loading", loading()));
      } else {
        var link = own(el("a", null, entry.title));
        link.href = entry.url;
        item.appendChild(link);
        item.appendChild(el("span", "when", " · " + entry.when));
      }
      list.appendChild(item);
    });
    box.appendChild(list);
    if (frame.dataset.hashtag) { box.appendChild(el("p", "hashtag", "#" + frame.dataset.hashtag)); }
    return box;
  }

  function markerClass(entry) {
    return "party-marker " + (precision(entry.precision).approximate ? "party-area" : "party-pin") +
      (entry.photos ? " has-photos" : "") + " stage-" + entry.stage;
  }

  function markerFor(entry) {
    if (entry.marker) { return entry.marker; }
    var area = precision(entry.precision).approximate;
    var icon = L.divIcon({ className: markerClass(entry), html: "<span></span>", iconSize: area ? [44, 44] : [18, 18] });
    var name = labelled ? entry.title : loading();  /* named again when the labels come */
    var marker = L.marker([entry.lat, entry.lon], { icon: icon, title: name, alt: name, keyboard: true });
    marker.bindPopup(function () { return popupFor(entry); }, { maxWidth: 280 });
    marker.on("click", function () { highlight(entry.id, false); });
    marker.on("keypress", function (e) {
      if (!pressed(e)) { return; }
      if (e.originalEvent.key === " ") { marker.openPopup(); }  /* Leaflet opens it on Enter */
      highlight(entry.id, false);
      focusPopup();
    });
    entry.marker = marker;
    return marker;
  }

  /* Colour a marker for where its party stands in time (the slider moves "today"). */
  function restage(entry) {
    var className = markerClass(entry);
    var icon = entry.marker.options.icon;
    if (icon.options.className === className) { return; }
    icon.options.className = className;
    var node = entry.marker.getElement();
    if (node) { node.className = node.className.replace(/ stage-\w+/, "") + " stage-" + entry.stage; }
  }

  function popupFor(entry) {
    var box = el("div", "party-popup");
    if (!labelled) {  /* opened before the labels came: filled when they do */
      box.appendChild(el("p", "loading", loading()));
      return box;
    }
    box.appendChild(own(el("h3", null, entry.title)));
    box.appendChild(el("p", "when", entry.when || t("Date to be announced")));
    var place = el("p", "where");
    place.appendChild(own(el("span", null, entry.location)));
    if (entry.precision) { place.appendChild(el("span", "precision " + entry.precision, " (" + precision(entry.precision).note + ")")); }
    box.appendChild(place);
    if (entry.going) { box.appendChild(el("p", "going", t("%(going)s going", { going: entry.going.toLocaleString(i18n.lang) }))); }
    if (entry.photos) {
      var photos = el("a", "photos", t("Photos: %(count)s", { count: entry.photos.toLocaleString(i18n.lang) }));
      photos.href = entry.url + "#photos";
      box.appendChild(el("p", "photos")).appendChild(photos);
    }
    var link = el("a", "more", t("Party page →"));
    link.href = entry.url;
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
      if (!fromList) { entry.item.scrollIntoView({ block: "nearest", behavior: common.scrollBehavior() }); }
    }
  }

  /* Zoom in until the party stands alone (or as far as the map goes), then open its popup. */
  function showOnMap(id) {
    var entry = events[id];
    if (!entry || !entry.placed) { return; }
    if (!entry.ok) { say(t("That party is hidden by the filters.")); return; }
    map.setView([entry.lat, entry.lon], parties.zoomToSee(entry), { animate: false });
    if (parties.isDrawn(entry)) {
      entry.marker.openPopup();
    } else {  /* parties hidden by the layer switch, or sharing the place with others */
      L.popup({ maxWidth: 280 }).setLatLng([entry.lat, entry.lon])
        .setContent(function () { return popupFor(entry); }).openOn(map);
    }
    highlight(id, true);
  }

  /* Filters and time slider, shared by the map and the list. */
  var form = document.getElementById("map-filters");
  var slider = document.getElementById("day-slider");
  var sliderLabel = document.getElementById("day-label");
  var playButton = document.getElementById("play");
  var firstDay = parseDay(frame.dataset.firstDay);

  function sliderDay() {
    if (!slider || +slider.value > +slider.max - 1) { return null; }  /* the last stop is "all days" */
    return firstDay + (+slider.value) * DAY;
  }

  function stage(entry, reference) {
    if (entry.startMs === null) { return "tbd"; }
    if (entry.endMs < reference) { return "past"; }
    if (entry.startMs > reference) { return "upcoming"; }
    return "today";
  }

  /* Work out, for every event, whether the filters keep it and where it stands in time. */
  function computeState() {
    var from = form ? parseDay(form.elements.from.value) : null;
    var to = form ? parseDay(form.elements.to.value) : null;
    var country = form ? form.elements.country.value : "";
    var withPhotos = form && form.elements.photos ? form.elements.photos.checked : false;
    var day = sliderDay();
    var reference = day === null ? todayUTC() : day;
    var shown = 0;
    order.forEach(function (id) {
      var entry = events[id];
      var start = entry.startMs, end = entry.endMs;
      var ok = true;
      if (from !== null && (end === null || end < from)) { ok = false; }
      if (to !== null && (start === null || start > to)) { ok = false; }
      if (country && entry.country !== country) { ok = false; }
      if (withPhotos && !entry.photos) { ok = false; }  /* the memories layer */
      if (day !== null && (start === null || start > day)) { ok = false; }  /* played so far */
      entry.ok = ok;
      entry.stage = stage(entry, reference);
      if (ok) { shown += 1; }
    });
    if (sliderLabel) { sliderLabel.textContent = day === null ? t("All days") : dayLabel(day); }
    var counts = { shown: shown.toLocaleString(i18n.lang), total: order.length.toLocaleString(i18n.lang) };
    if (day === null) {
      say(t("%(shown)s of %(total)s parties shown", counts));
    } else {
      counts.day = dayLabel(day);
      say(t("%(shown)s of %(total)s parties shown up to %(day)s", counts));
    }
  }

  function kept() {
    var keep = [];
    order.forEach(function (id) {
      var entry = events[id];
      if (entry.placed && entry.ok) { keep.push(entry); }
    });
    return keep;
  }

  function updateMap() {
    parties.setEntries(kept());
    afterPaint(function () { parties.complete(); });
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
    form.addEventListener("reset", function () { later(apply); });
    form.addEventListener("submit", function (e) { e.preventDefault(); apply(); });
  }
  /* Play steps through the days on a timer; under prefers-reduced-motion: reduce it moves one
     day a press instead (WCAG 2.3.3), and a timer running when that setting comes on stops. */
  var timer = null;
  function restLabel() { return common.reducedMotion() ? t("Next day") : t("Play"); }
  function stop() {
    if (timer) { clearInterval(timer); timer = null; }
    if (!playButton) { return; }
    playButton.textContent = restLabel();
    /* A toggle while it plays and pauses; a plain button when it only steps. */
    if (common.reducedMotion()) { playButton.removeAttribute("aria-pressed"); } else { playButton.setAttribute("aria-pressed", "false"); }
  }
  function step() {
    slider.value = +slider.value + 1;
    apply();
  }
  if (slider) {
    if (common.reducedMotion()) { stop(); }
    slider.addEventListener("input", function () { stop(); apply(); });
    playButton.addEventListener("click", function () {
      if (timer) { stop(); return; }
      if (+slider.value >= +slider.max) { slider.value = 0; apply(); if (common.reducedMotion()) { return; } }
      if (common.reducedMotion()) { step(); return; }
      playButton.textContent = t("Pause");
      playButton.setAttribute("aria-pressed", "true");
      apply();
      timer = setInterval(function () {
        step();
        if (+slider.value >= +slider.max) { stop(); }
      }, +(frame.dataset.playMs || 800));
    });
    if (common.motionQuery && common.motionQuery.addEventListener) {
      common.motionQuery.addEventListener("change", stop);
    }
  }

  /* Near me: the browser's position, then the list sorted by distance. */
  function distanceKm(a, b) {
    var rad = Math.PI / 180, dLat = (b[0] - a[0]) * rad, dLon = (b[1] - a[1]) * rad;
    var h = Math.sin(dLat / 2) * Math.sin(dLat / 2) + Math.cos(a[0] * rad) * Math.cos(b[0] * rad) * Math.sin(dLon / 2) * Math.sin(dLon / 2);
    return 12742 * Math.asin(Math.min(1, Math.sqrt(h)));
  }
  var youMarker = null;
  var nearest = null;  /* the near list's parties, written again when the labels come */
  function showNear() {
    var list = document.getElementById("near-list");
    if (!list || !nearest) { return; }
    list.textContent = "";
    nearest.forEach(function (n) {
      var li = el("li");
      var km = " · " + Math.round(n.km).toLocaleString(i18n.lang) + " km";
      if (labelled) {
        var a = own(el("a", null, n.entry.title));
        a.href = n.entry.url;
        li.appendChild(a);
        li.appendChild(el("span", "distance", km + " · " + n.entry.when));
      } else {
        li.appendChild(el("span", "loading", loading()));
        li.appendChild(el("span", "distance", km));
      }
      list.appendChild(li);
    });
    list.parentNode.hidden = false;
  }
  function locate() {
    if (!navigator.geolocation || !window.isSecureContext) {
      say(t("Your browser cannot share your location here; use the filters or the list instead."));
      return;
    }
    say(t("Finding where you are…"));
    navigator.geolocation.getCurrentPosition(function (pos) {
      var here = [pos.coords.latitude, pos.coords.longitude];
      if (youMarker) { map.removeLayer(youMarker); }
      youMarker = L.circleMarker(here, { radius: 7, color: "#1f6feb", fillOpacity: 0.9 }).addTo(map).bindTooltip(t("You are here"));
      var near = order.filter(function (id) { return events[id].placed; }).map(function (id) {
        return { entry: events[id], km: distanceKm(here, [events[id].lat, events[id].lon]) };
      }).sort(function (a, b) { return a.km - b.km; });
      nearest = near.slice(0, 5);
      showNear();
      var bounds = L.latLngBounds([here]);
      near.slice(0, 3).forEach(function (n) { bounds.extend([n.entry.lat, n.entry.lon]); });
      map.fitBounds(bounds.pad(0.3));
      say(near.length ? t("The nearest party is %(km)s km away.", { km: Math.round(near[0].km).toLocaleString(i18n.lang) })
        : t("No parties are on the map yet."));
    }, function (error) {
      say(error.code === 1 ? t("Location permission was refused; use the filters or the list instead.")
        : t("Your location could not be found; use the filters or the list instead."));
    }, { timeout: 10000, maximumAge: 600000 });
  }

  /* The list: "Show on map" for each placed party; one listener serves every button. */
  function connectItem(item, entry) {
    entry.item = item;
    item.hidden = !entry.ok;
    item.dataset.stage = entry.stage;
    if (entry.placed) {
      /* The visible words begin the button's name, the party's title ends it (WCAG 2.5.3). */
      var button = el("button", "show-on-map", t("Show on map"));
      button.type = "button";
      button.setAttribute("aria-label", t("Show on map: %(title)s", { title: entry.title }));
      item.appendChild(button);
    }
  }
  document.addEventListener("click", function (e) {
    var button = e.target.closest && e.target.closest(".show-on-map");
    var item = button && button.closest(".event-item[data-event-id]");
    if (item) { showOnMap(item.dataset.eventId); }
  });

  /* On the full-screen map page the list is built from the same feed, grouped by day, a
     chunk per task so that the map answers while it grows. */
  function buildList(listBox, done) {
    var groups = {};
    var keys = [];
    order.forEach(function (id) {
      var key = events[id].start || "tbd";
      if (!groups[key]) { groups[key] = []; keys.push(key); }
      groups[key].push(events[id]);
    });
    keys.sort(function (a, b) { return a === "tbd" ? 1 : b === "tbd" ? -1 : a < b ? -1 : a > b ? 1 : 0; });
    var k = 0, next = 0, list = null;
    function chunk() {
      var budget = LIST_CHUNK;
      var fragment = document.createDocumentFragment();
      while (k < keys.length && budget > 0) {
        var key = keys[k];
        if (next === 0) {
          var section = el("section", "day-group");
          var heading = el("h3", null, key === "tbd" ? t("Date to be announced") : dayLabel(parseDay(key)));
          heading.id = "day-" + (k + 1);
          section.setAttribute("aria-labelledby", heading.id);
          section.appendChild(heading);
          list = el("ul", "event-list");
          section.appendChild(list);
          fragment.appendChild(section);
        }
        var group = groups[key];
        for (; next < group.length && budget > 0; next += 1, budget -= 1) {
          var entry = group[next];
          var item = el("li", "event-item");
          item.dataset.eventId = entry.id;
          var link = own(el("a", "event-title", entry.title));
          link.href = entry.url;
          item.appendChild(link);
          var meta = el("span", "event-meta");
          meta.appendChild(own(el("span", "event-place", entry.location)));
          meta.appendChild(el("span", null, " · "));
          meta.appendChild(el("span", "event-when", entry.when));
          if (precision(entry.precision).approximate) { meta.appendChild(el("span", "badge", precision(entry.precision).note)); }
          item.appendChild(meta);
          connectItem(item, entry);
          list.appendChild(item);
        }
        if (next >= group.length) { k += 1; next = 0; }
      }
      listBox.appendChild(fragment);
      if (k < keys.length) { later(chunk); } else { done(); }
    }
    chunk();
  }

  /* Elsewhere the page lists the parties itself: tie each item to its party. */
  function connectPageList(done) {
    var items = Array.prototype.slice.call(document.querySelectorAll(".event-item[data-event-id]"));
    var at = 0;
    function chunk() {
      for (var end = Math.min(at + LIST_CHUNK, items.length); at < end; at += 1) {
        var entry = events[items[at].dataset.eventId];
        if (entry) { connectItem(items[at], entry); }
      }
      if (at < items.length) { later(chunk); } else { done(); }
    }
    chunk();
  }

  function connectList() {
    var listBox = document.getElementById("map-list");  /* later in the page than this script */
    function done() {
      updateList();
      mark("list");
      frame.classList.add("list-ready");
    }
    if (listBox && listBox.dataset.build === "api") { buildList(listBox, done); } else { connectPageList(done); }
  }

  /* The labels part: fill every entry by id, then name the markers made so far, refill an
     open popup and the near list, and build (or tie up) the list. */
  function fillLabels(feed) {
    for (var i = 0; i < feed.id.length; i += 1) {
      var entry = events[String(feed.id[i])];
      if (!entry) { continue; }
      entry.title = feed.title[i];
      entry.location = feed.location[i];
      entry.when = feed.when[i];
      entry.url = feed.url[i];
    }
    labelled = true;
    order.forEach(function (id) {
      var entry = events[id];
      var marker = entry.marker;
      if (!marker) { return; }
      marker.options.title = marker.options.alt = entry.title;
      var node = marker.getElement();
      if (node) {
        node.title = entry.title;
        if (node.tagName === "IMG") { node.alt = entry.title; }
      }
    });
    if (openPopup) {
      var content = openPopup.getElement();
      var focused = content && content.contains(document.activeElement);
      openPopup.update();
      if (focused) { focusPopup(); }
    }
    showNear();
    connectList();
  }

  function fetchJSON(url) {
    return fetch(url).then(function (r) {
      if (!r.ok) { throw new Error(r.status); }
      return r.json();
    });
  }

  /* Load the parties: one list per field (see /api/map-events), the points part first. */
  i18n.ready.then(function () { if (!frame.classList.contains("markers-ready")) { say(t("Loading the parties…")); } });
  fetchJSON(frame.dataset.api).then(function (feed) {  /* preloaded by the page head */
    /* the words of the page's language first: popups, list, status */
    return i18n.ready.then(function () { return feed; });
  }).then(function (feed) {
    mark("data");
    var placed = 0;
    for (var i = 0; i < feed.id.length; i += 1) {
      var id = String(feed.id[i]);
      var entry = {
        id: id, lat: feed.lat[i], lon: feed.lon[i], placed: feed.lat[i] !== null && feed.lon[i] !== null,
        precision: feed.precision[i], country: feed.country[i], start: feed.start[i], end: feed.end[i],
        startMs: parseDay(feed.start[i]), endMs: parseDay(feed.end[i]),
        title: null, location: null, when: null, url: null,  /* from the labels part */
        going: feed.going ? feed.going[i] : 0, photos: feed.photos ? feed.photos[i] : 0,
        marker: null, item: null, ok: true, stage: "tbd"
      };
      if (entry.placed) { placed += 1; }
      events[id] = entry;
      order.push(id);
    }
    mark("markers");  /* the events are read; markers are made only for what is in view */
    computeState();
    if (frame.dataset.focus) {  /* the near page: zoom to its answers */
      var bounds = L.latLngBounds([]);
      frame.dataset.focus.split(",").forEach(function (focusId) {
        var found = events[focusId];
        if (found && found.placed) { bounds.extend([found.lat, found.lon]); }
      });
      if (bounds.isValid()) { map.fitBounds(bounds.pad(0.2), { maxZoom: 10, animate: false }); }
    }
    parties.setEntries(kept());
    mark("ready");  /* the map is usable; the labels, full index, outlines and list follow */
    frame.classList.add("markers-ready");
    frame.dataset.markers = String(placed);
    /* Let the browser paint the clusters before the rest. */
    afterPaint(function () {
      mark("painted");  /* the frame that shows the clusters has been drawn */
      var labels = fetchJSON(frame.dataset.labels);  /* downloads while the index is built */
      parties.complete();
      later(drawOutlines);  /* each in a task of its own: clicks and keys get in between */
      labels.then(function (feed) { later(function () { fillLabels(feed); }); }, function () {
        say(t("The parties could not be loaded; the list below has them all."));
      });
    });
  }).catch(function () {
    drawOutlines();
    say(t("The parties could not be loaded; the list below has them all."));
  });

  window.eventmapMap = {
    map: map, parties: parties, events: events, showOnMap: showOnMap, apply: apply,
    shown: function () { return parties.count(); }
  };
})();
