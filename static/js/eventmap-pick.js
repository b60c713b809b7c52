/* eventmap: the submission preview map. Shows where the typed place landed and its
   alternatives; the organizer picks one or drags the pin to the venue. The choice and the
   pin's coordinates live in ordinary form fields, so the form also works without this script. */
(function () {
  "use strict";

  var i18n = window.eventmapI18n || { t: function (s) { return s; }, ready: Promise.resolve(null), lang: "en" };
  var t = i18n.t;
  var frame = document.querySelector(".map-pick[data-map-name]");
  if (!frame) { return; }
  var map = window[frame.dataset.mapName];
  var form = frame.closest("form");
  var options = JSON.parse(frame.dataset.options || "[]");
  var latInput = form.querySelector("[name=pin_latitude]");
  var lonInput = form.querySelector("[name=pin_longitude]");
  function radio(value) { return form.querySelector("input[name=choice][value='" + value + "']"); }
  function parsePair(text) {
    if (!text) { return null; }
    var parts = text.split(",").map(Number);
    return parts.length === 2 && isFinite(parts[0]) && isFinite(parts[1]) ? L.latLng(parts[0], parts[1]) : null;
  }

  /* The offline outlines beneath the tiles, as on the campaign map, in one piece across the
     antimeridian. */
  window.eventmapCommon.outlines(map, frame).draw()
    .catch(function () { /* the tiles, when reachable, still show the world */ });

  /* Each place found is a small dot one can click; the draggable pin marks the choice. */
  var points = {};
  options.forEach(function (option, i) {
    var at = L.latLng(option.lat, option.lon);
    points[String(i)] = at;
    var dot = L.circleMarker(at, { radius: 7, color: "#1f6feb", weight: 2, fillOpacity: 0.35 });
    dot.bindTooltip(option.label);
    dot.on("click", function () { choose(String(i)); });
    dot.addTo(map);
  });
  if (frame.dataset.keep) { points.keep = parsePair(frame.dataset.keep); }
  var typed = parsePair(frame.dataset.pin);
  if (typed) { points.pin = typed; }

  var checked = form.querySelector("input[name=choice]:checked");
  var start = (checked && points[checked.value]) || points["0"] || points.keep || typed || L.latLng(20, 10);
  var pin = L.marker(start, { draggable: true, keyboard: true, title: t("The party's pin: drag it to the venue"), alt: t("Party pin") }).addTo(map);
  i18n.ready.then(function () {  /* the catalogue came after the pin was made */
    var node = pin.getElement();
    if (node) { node.title = t("The party's pin: drag it to the venue"); node.alt = t("Party pin"); }
  });
  map.setView(start, options.length || points.keep || typed ? 11 : 2);

  function choose(value) {
    var box = radio(value);
    if (box) { box.checked = true; }
    if (points[value]) { pin.setLatLng(points[value]); map.panTo(points[value]); }
  }
  function setPin(at) {
    latInput.value = at.lat.toFixed(6);
    lonInput.value = L.Util.wrapNum(at.lng, [-180, 180], true).toFixed(6);
    points.pin = at;
    var box = radio("pin");
    if (box) { box.checked = true; }
  }
  pin.on("dragend", function () { setPin(pin.getLatLng()); });
  map.on("click", function (e) { pin.setLatLng(e.latlng); setPin(e.latlng); });
  form.addEventListener("change", function (e) {
    if (e.target.name === "choice") { choose(e.target.value); }
    if (e.target === latInput || e.target === lonInput) {
      var at = parsePair(latInput.value + "," + lonInput.value);
      if (at) { points.pin = at; choose("pin"); }
    }
  });
  window.eventmapPick = { map: map, pin: pin };
})();
