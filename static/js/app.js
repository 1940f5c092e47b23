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
