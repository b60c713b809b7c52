// An event page: say when a timed party starts on the visitor's own clock, where it differs.
(function () {
  "use strict";
  var i18n = window.eventmapI18n || { t: function (s) { return s; }, ready: Promise.resolve(null), lang: "en" };
  var t = i18n.t;
  i18n.ready.then(function () { document.querySelectorAll(".visitor-time[data-start]").forEach(function (box) {
    var text = box.dataset.start;  // 2016-07-19T18:30+02:00, the party's own clock
    var match = /([+-])(\d\d):(\d\d)$/.exec(text);
    var start = new Date(text);
    if (!match || isNaN(start.getTime())) { return; }
    var partyOffset = (match[1] === "-" ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3]));
    if (-start.getTimezoneOffset() === partyOffset) { return; }  // same clock: nothing to add
    var when = new Intl.DateTimeFormat(i18n.lang, {
      weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit"
    }).format(start);
    box.textContent = t("That is %(when)s where you are.", { when: when });
    box.hidden = false;
  }); });
})();
