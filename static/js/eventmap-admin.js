/* eventmap moderation: where the events under review landed. Reads the points from the page's
   JSON block (written with Jinja's tojson) and draws them on the folium map; every piece of
   organizer text reaches the page through textContent, never as HTML. */
(function () {
  "use strict";

  var frame = document.querySelector(".admin-map-frame[data-map-name]");
  if (!frame) { return; }
  var map = window[frame.dataset.mapName];
  var block = document.getElementById(frame.dataset.points);
  var points = block ? JSON.parse(block.textContent) : [];
  var common = window.eventmapCommon;
  var el = common.el;
  var precision = common.precision;
  var i18n = window.eventmapI18n || { t: function (s) { return s; }, ready: Promise.resolve(null), lang: "en" };
  var t = i18n.t;

  /* The offline country outlines under the markers, so the map reads without tiles. */
  common.outlines(map, frame).draw().catch(function () { frame.classList.add("outlines-failed"); });
  common.closeOnEscape(map);
  common.labelMap(map, frame);

  function itemFor(id) { return document.querySelector(".admin-item[data-event-id=\"" + id + "\"]"); }

  function popupFor(p) {
    var box = el("div", "admin-popup");
    box.appendChild(el("h3", null, p.title));
    box.appendChild(el("p", null, p.place + (p.precision ? " (" + precision(p.precision).note + ")" : "")));
    var item = itemFor(p.id);
    if (item) {
      var jump = el("a", null, t("Go to it in the queue ↓"));
      jump.href = "#event-" + p.id;
      box.appendChild(jump);
    }
    return box;
  }

  var markers = {};
  var bounds = L.latLngBounds([]);
  points.forEach(function (p) {
    var area = precision(p.precision).approximate;
    var icon = L.divIcon({
      className: "admin-map-marker" + (area ? " admin-map-area" : ""),
      html: "<span></span>",
      iconSize: area ? [40, 40] : [18, 18]
    });
    var marker = L.marker([p.lat, p.lon], { icon: icon, title: p.title, alt: p.title, keyboard: true });
    marker.bindPopup(function () { return popupFor(p); }, { maxWidth: 280 });
    marker.on("click", function () {
      var item = itemFor(p.id);
      document.querySelectorAll(".admin-item.admin-selected").forEach(function (n) { n.classList.remove("admin-selected"); });
      if (item) { item.classList.add("admin-selected"); }
    });
    marker.addTo(map);
    markers[p.id] = marker;
    bounds.extend([p.lat, p.lon]);
  });
  if (bounds.isValid()) { map.fitBounds(bounds.pad(0.3), { maxZoom: 10 }); }

  /* A "Show on the map" button under the title of every queue item that has a point. */
  i18n.ready.then(function () { points.forEach(function (p) {
    var item = itemFor(p.id);
    if (!item) { return; }
    var title = item.querySelector(".admin-item-title");
    /* The visible words begin the button's name, the party's title ends it (WCAG 2.5.3). */
    var button = el("button", "admin-show", t("Show on the map"));
    button.type = "button";
    button.setAttribute("aria-label", t("Show on the map: %(title)s", { title: p.title }));
    button.addEventListener("click", function () {
      map.setView([p.lat, p.lon], Math.max(map.getZoom(), precision(p.precision).approximate ? 5 : 10));
      markers[p.id].openPopup();
      frame.scrollIntoView({ block: "center", behavior: window.eventmapCommon.scrollBehavior() });
    });
    if (title) { title.insertAdjacentElement("afterend", button); }
  }); });

  frame.dataset.markers = String(points.length);
  frame.classList.add("markers-ready");
  window.eventmapAdminMap = { map: map, markers: markers };
})();
