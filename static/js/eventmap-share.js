// Share links: copy the address, the browser's own share sheet, and Mastodon remembered.
// The links work without this script; it only adds what needs one.
(function () {
  "use strict";
  var i18n = window.eventmapI18n || { t: function (s) { return s; }, ready: Promise.resolve(null), lang: "en" };
  var t = i18n.t;
  var KEY = "eventmap.mastodon";
  // The server's own rule for a Mastodon host name (eventmap/sharing.py INSTANCE_RE).
  var carrier = document.querySelector("[data-instance-pattern]");
  var HOST = new RegExp("^(?:" + (carrier ? carrier.dataset.instancePattern : "(?!)") + ")$");

  function remembered() {
    try { return window.localStorage.getItem(KEY); } catch (e) { return null; }
  }
  function remember(host) {
    try { window.localStorage.setItem(KEY, host); } catch (e) { /* private mode: ask again */ }
  }
  function hostOf(text) {
    var host = (text || "").trim().toLowerCase().replace(/^https?:\/\//, "").replace(/\/+$/, "");
    host = host.split("@").pop();
    return HOST.test(host) ? host : null;
  }
  function say(section, message) {
    var status = section && section.querySelector(".share-status");
    if (status) { status.textContent = message; }
  }

  document.querySelectorAll(".share").forEach(function (section) {
    var copy = section.querySelector(".share-copy");
    if (copy && navigator.clipboard && window.isSecureContext) {
      copy.hidden = false;
      copy.addEventListener("click", function () {
        navigator.clipboard.writeText(copy.dataset.url).then(
          function () { say(section, t("Link copied.")); },
          function () { say(section, t("Could not copy; the address is %(url)s", { url: copy.dataset.url })); }
        );
      });
    }
    var native = section.querySelector(".share-native");
    if (native && navigator.share) {
      native.hidden = false;
      native.addEventListener("click", function () {
        navigator.share({ text: native.dataset.text, url: native.dataset.url }).catch(function () {});
      });
    }
    var mastodon = section.querySelector(".share-mastodon");
    if (mastodon) {
      mastodon.addEventListener("click", function (event) {
        var host = remembered();
        if (!host || !HOST.test(host)) { return; }  // our page asks, then remembers
        var asked = new URL(mastodon.href, window.location.href).searchParams;
        event.preventDefault();
        window.location.href = "https://" + host + "/share?text=" +
          encodeURIComponent(asked.get("text") + " " + asked.get("url"));
      });
    }
  });

  var form = document.querySelector(".mastodon-form");
  if (form) {
    var input = form.querySelector("#instance");
    if (!input.value && remembered()) { input.value = remembered(); }
    form.addEventListener("submit", function () {
      var host = hostOf(input.value);
      if (host) { remember(host); }
    });
    var forget = document.querySelector(".share-forget");
    if (forget && remembered()) {
      forget.hidden = false;
      forget.addEventListener("click", function () {
        try { window.localStorage.removeItem(KEY); } catch (e) { /* nothing kept */ }
        input.value = "";
        forget.hidden = true;
      });
    }
  }
})();
