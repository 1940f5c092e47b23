// Small progressive enhancements; every page works without them.
document.addEventListener("DOMContentLoaded", function () {
  // Close an open dropdown when clicking elsewhere.
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details.dropdown[open]").forEach(function (el) {
      if (!el.contains(event.target)) el.removeAttribute("open");
    });
  });
  // On phones the menu starts collapsed.
  if (window.matchMedia("(max-width: 768px)").matches) {
    document.querySelectorAll("details.nav-toggle").forEach(function (el) { el.removeAttribute("open"); });
  }
});
// Flash messages that htmx responses carry are swapped out-of-band (#flashes).

// People pages: availability rows, confirmations, import progress.
document.documentElement.classList.add("js");
document.addEventListener("click", function (event) {
  var add = event.target.closest("[data-add-row]");
  if (add) {
    var body = document.querySelector(add.getAttribute("data-add-row"));
    var template = document.querySelector(add.getAttribute("data-template"));
    var index = parseInt(body.getAttribute("data-next-index") || "0", 10);
    var html = template.innerHTML.replace(/__index__/g, String(index));
    body.setAttribute("data-next-index", String(index + 1));
    body.insertAdjacentHTML("beforeend", html);
    var first = body.lastElementChild && body.lastElementChild.querySelector("select, input");
    if (first) first.focus();
    return;
  }
  var remove = event.target.closest("[data-remove-row]");
  if (remove) {
    var row = remove.closest("[data-window-row]");
    var next = row && (row.nextElementSibling || row.previousElementSibling);
    if (row) row.remove();
    var focusTarget = next && next.querySelector("select, input");
    if (focusTarget) focusTarget.focus();
  }
});
document.addEventListener("submit", function (event) {
  var confirmButton = event.submitter && event.submitter.getAttribute("data-confirm");
  if (confirmButton && !window.confirm(confirmButton)) {
    event.preventDefault();
    return;
  }
  var form = event.target;
  if (form.hasAttribute("data-progress-form")) {
    var note = form.querySelector("[data-progress-note]");
    if (note) note.hidden = false;
    form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
  }
}, true);

// A table wider than the screen scrolls in its .table-wrap: keyboard users reach it by Tab.
(function () {
  function markScrollable(root) {
    (root || document).querySelectorAll(".table-wrap").forEach(function (wrap) {
      if (wrap.scrollWidth > wrap.clientWidth + 1) {
        var heading = wrap.closest("article, section");
        heading = heading && heading.querySelector("h1, h2, h3");
        if (wrap.getAttribute("role") === "region") return;  // the page made it a region already
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        wrap.setAttribute("aria-label", (heading ? heading.textContent.trim() + ": " : "") + "table, scrolls sideways");
        wrap.setAttribute("data-scroll-region", "");
      } else if (wrap.hasAttribute("data-scroll-region")) {
        // Only what this script added is taken back: a region of the page's own stays one,
        // so it is never left scrollable without a tab stop while a resize is under way.
        ["tabindex", "role", "aria-label", "data-scroll-region"].forEach(function (name) {
          wrap.removeAttribute(name);
        });
      }
    });
  }
  document.addEventListener("DOMContentLoaded", function () { markScrollable(); });
  document.addEventListener("htmx:load", function (event) { markScrollable(event.detail.elt.parentNode || document); });
  window.addEventListener("resize", function () { markScrollable(); });
})();

// Library upload: only the fields of the chosen kind (file, link, physical item) are shown.
// Without this every field is on the page and the server uses those of the chosen kind.
(function () {
  function showKind(form) {
    var checked = form.querySelector("[data-kind-choice] input:checked");
    var kind = checked ? checked.value : "";
    form.querySelectorAll("[data-kind]").forEach(function (section) {
      var shown = section.getAttribute("data-kind") === kind;
      section.hidden = !shown;
      section.disabled = !shown;  // a hidden field is neither focused nor sent
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-kind-form]").forEach(showKind);
  });
  document.addEventListener("change", function (event) {
    var form = event.target.closest("form[data-kind-form]");
    if (form && event.target.closest("[data-kind-choice]")) showKind(form);
  });
})();

// Copy buttons: data-copy names the field whose text goes to the clipboard (a new API key).
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-copy]");
  if (!button) return;
  var source = document.querySelector(button.getAttribute("data-copy"));
  if (!source) return;
  source.select();
  var done = function () { button.textContent = button.getAttribute("data-copied") || "Copied"; };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(source.value).then(done, function () { document.execCommand("copy"); done(); });
  } else {
    document.execCommand("copy");
    done();
  }
});
