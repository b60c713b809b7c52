// Galleries: a thumbnail is a real link to the full image; with script it opens in a <dialog>
// instead (Esc or Close shuts it, arrows go through the gallery, focus returns to the link).
(function () {
  "use strict";
  var dialog = document.querySelector("dialog.lightbox");
  if (!dialog || typeof dialog.showModal !== "function") { return; }
  var img = dialog.querySelector("img");
  var source = dialog.querySelector("source");
  var caption = dialog.querySelector(".lightbox-caption");
  var count = dialog.querySelector(".lightbox-count");
  var i18n = window.eventmapI18n || { t: function (s) { return s; }, lang: "en" };
  var full = dialog.querySelector(".lightbox-full");
  var links = [];
  var current = -1;
  var opener = null;

  function show(index) {
    var link = links[index];
    if (!link) { return; }
    current = index;
    source.srcset = link.dataset.pageWebp || "";
    img.src = link.dataset.pageJpeg || link.href;
    img.alt = link.dataset.caption || "";
    img.removeAttribute("width");
    img.removeAttribute("height");
    caption.textContent = link.dataset.caption || "";
    count.textContent = i18n.t("(%(index)s of %(total)s)", {
      index: (index + 1).toLocaleString(i18n.lang),
      total: links.length.toLocaleString(i18n.lang)
    });
    full.href = link.href;
    dialog.querySelector(".lightbox-prev").disabled = index === 0;
    dialog.querySelector(".lightbox-next").disabled = index === links.length - 1;
  }

  document.querySelectorAll(".gallery").forEach(function (gallery) {
    gallery.querySelectorAll("a.photo-link").forEach(function (link) {
      var index = links.push(link) - 1;
      link.addEventListener("click", function (event) {
        if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) { return; }
        event.preventDefault();
        opener = link;
        show(index);
        dialog.showModal();
      });
    });
  });
  dialog.querySelector(".lightbox-close").addEventListener("click", function () { dialog.close(); });
  dialog.querySelector(".lightbox-prev").addEventListener("click", function () { show(current - 1); });
  dialog.querySelector(".lightbox-next").addEventListener("click", function () { show(current + 1); });
  dialog.addEventListener("keydown", function (event) {
    if (event.key === "ArrowLeft") { show(current - 1); }
    if (event.key === "ArrowRight") { show(current + 1); }
  });
  dialog.addEventListener("click", function (event) {
    if (event.target === dialog) { dialog.close(); }  // a click on the backdrop
  });
  // Esc closes a modal dialog by itself; either way, focus goes back to the photo opened.
  dialog.addEventListener("close", function () { if (opener) { opener.focus(); } });
})();
