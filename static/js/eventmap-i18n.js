/* eventmap: the scripts' words in the page's language. base.html loads this first, with the
   address of the language's JSON catalogue (/i18n/<lang>.json, from the server's message
   catalogues) in data-catalogue; English pages have none and need none.
   window.eventmapI18n.t("Show on map") gives the words in the page's language (English until
   the catalogue is in, or for a message it lacks); t("... %(km)s ...", { km: 3 }) fills them in.
   .ready is a promise kept once the catalogue is in (or could not be had: English then).
   .dayLabel(ms) writes a day the way the page's language does ("jue, 28 jul 2016"). */
(function () {
  "use strict";

  var script = document.currentScript;
  var source = script ? script.dataset.catalogue : "";
  var lang = document.documentElement.lang || "en";
  var catalogue = null;

  function fill(text, params) {
    if (!params) { return text; }
    return text.replace(/%\((\w+)\)s/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : whole;
    });
  }

  function t(msgid, params) {
    var messages = catalogue && catalogue.messages;
    var text = messages && typeof messages[msgid] === "string" && messages[msgid] ? messages[msgid] : msgid;
    return fill(text, params);
  }

  var api = { t: t, lang: lang, dayLabel: dayLabel };
  var ready = !source ? Promise.resolve(null) : fetch(source, { credentials: "same-origin" }).then(function (r) {
    if (!r.ok) { throw new Error(r.status); }
    return r.json();
  }).then(function (data) {
    catalogue = data;
    /* The digits the server writes (Babel's numbering system), in dates and counts alike. */
    if (data.numbers) { api.lang = lang + "-u-nu-" + data.numbers; }
    return data;
  }).catch(function () { return null; });

  var WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
  var MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December"];
  var formatter = null;
  function dayLabel(ms) {
    var d = new Date(ms);
    if (lang.slice(0, 2) !== "en" && window.Intl && Intl.DateTimeFormat) {
      /* The browser's CLDR data, as Babel's on the server: "jue, 28 jul 2016", "2016年7月28日(木)". */
      formatter = formatter || new Intl.DateTimeFormat(api.lang, {
        weekday: "short", day: "numeric", month: "short", year: "numeric", timeZone: "UTC"
      });
      return formatter.format(d);
    }
    /* The house style, as the server writes it in English: "Fri 15 July 2016". */
    return WEEKDAYS[d.getUTCDay()] + " " + d.getUTCDate() + " " + MONTHS[d.getUTCMonth()] + " " + d.getUTCFullYear();
  }

  api.ready = ready;
  window.eventmapI18n = api;
})();
