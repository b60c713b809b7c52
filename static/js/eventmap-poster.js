// The poster's Print button (the browser's own Print command works without it).
(function () {
  "use strict";
  var button = document.querySelector(".print-button");
  if (!button || !window.print) { return; }
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
})();
