// The lesson panel: htmx loads a lesson, a form or a booking into #panel-body, which opens
// the dialog. Without JavaScript every link and form works as a normal page.
(function () {
  "use strict";
  function setup() {
    var dialog = document.getElementById("panel");
    var body = document.getElementById("panel-body");
    if (!dialog || !body || dialog.dataset.ready) return;
    dialog.dataset.ready = "1";
    var opener = null;

    document.body.addEventListener("htmx:beforeRequest", function (event) {
      if (event.detail.target === body && !dialog.open) opener = document.activeElement;
    });
    document.body.addEventListener("htmx:afterSwap", function (event) {
      if (event.detail.target !== body) return;
      if (body.innerHTML.trim() === "") {
        if (dialog.open) dialog.close();
        return;
      }
      var heading = body.querySelector("h3");
      var title = document.getElementById("panel-title");
      if (heading && title) title.textContent = heading.textContent.trim();
      if (!dialog.open) dialog.showModal();
      var first = body.querySelector("[autofocus], input:not([type=hidden]), select, textarea, button, a[href]");
      if (first) first.focus();
    });
    document.body.addEventListener("panel-close", function () {
      if (dialog.open) dialog.close();
    });
    dialog.addEventListener("click", function (event) {
      if (event.target === dialog || event.target.closest("[data-close-panel]")) dialog.close();
    });
    dialog.addEventListener("close", function () {
      body.innerHTML = "";
      if (opener && document.body.contains(opener)) opener.focus();
    });
  }
  document.addEventListener("DOMContentLoaded", setup);
  document.addEventListener("htmx:load", setup);
})();
