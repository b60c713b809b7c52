// An event page: say when a timed party starts on the visitor's own clock, where it differs.
(function () {
  "use strict";
  document.querySelectorAll(".visitor-time[data-start]").forEach(function (box) {
    var text = box.dataset.start;  // 2016-07-19T18:30+02:00, the party's own clock
    var match = /([+-])(\d\d):(\d\d)$/.exec(text);
    var start = new Date(text);
    if (!match || isNaN(start.getTime())) { return; }
    var partyOffset = (match[1] === "-" ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3]));
    if (-start.getTimezoneOffset() === partyOffset) { return; }  // same clock: nothing to add
    var when = new Intl.DateTimeFormat(undefined, {
      weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit"
    }).format(start);
    box.textContent = "That is " + when + " where you are.";
    box.hidden = false;
  });
})();
