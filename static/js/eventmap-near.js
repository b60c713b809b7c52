/* "Use my location": the browser's position goes to the near page as ?near=LAT,LON.
   Without permission, or outside a secure context, the place box still works. */
(function () {
  "use strict";
  var i18n = window.eventmapI18n || { t: function (s) { return s; }, ready: Promise.resolve(null), lang: "en" };
  var t = i18n.t;
  document.querySelectorAll(".near-form").forEach(function (form) {
    var button = form.querySelector(".use-location");
    var message = form.querySelector(".near-message");
    if (!button) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      if (!window.isSecureContext || !navigator.geolocation) {
        message.textContent = t("Your browser cannot share your location on this page; type a place instead.");
        form.querySelector("input[name=q]").focus();
        return;
      }
      message.textContent = t("Finding where you are…");
      navigator.geolocation.getCurrentPosition(function (pos) {
        var params = new URLSearchParams();
        params.set("near", pos.coords.latitude.toFixed(5) + "," + pos.coords.longitude.toFixed(5));
        params.set("label", t("your location"));
        var radius = form.querySelector("select[name=radius_km]").value;
        if (radius) { params.set("radius_km", radius); }
        window.location.assign(form.dataset.nearUrl + "?" + params.toString());
      }, function (error) {
        message.textContent = error.code === 1
          ? t("Location permission was refused; type a place instead.")
          : t("Your location could not be found; type a place instead.");
        form.querySelector("input[name=q]").focus();
      }, { timeout: 10000, maximumAge: 600000 });
    });
  });
})();
