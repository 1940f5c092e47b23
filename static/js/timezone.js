// The timezone picker (templates/macros/timezone.html): a search box that narrows the grouped
// select, and the browser's own zone, picked for a new form or offered on a saved one.
(function () {
  function browserZone() {
    try { return Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { return ""; }
  }

  function offered(select, zone) {
    return Array.prototype.some.call(select.options, function (o) { return o.value === zone; });
  }

  function pretty(zone) { return zone.replace(/_/g, " "); }

  function suggest(picker, select, note) {
    var zone = browserZone();
    if (!zone || !offered(select, zone)) return;
    if (picker.getAttribute("data-browser-zone") === "preselect") {
      if (picker.dataset.touched || select.value === zone) return;
      select.value = zone;
      note.textContent = "Set to " + pretty(zone) + ", your device's timezone.";
      return;
    }
    if (select.value === zone) return;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "secondary outline tz-use";
    button.textContent = "Use " + pretty(zone) + " (your device's timezone)";
    button.addEventListener("click", function () {
      select.value = zone;
      note.textContent = "Set to " + pretty(zone) + ". Save to keep it.";
      select.focus();
    });
    note.appendChild(button);
  }

  function filter(select, query, status) {
    var words = query.toLowerCase().replace(/[_/]/g, " ").split(/\s+/).filter(Boolean);
    var shown = 0, first = null;
    Array.prototype.forEach.call(select.querySelectorAll("option"), function (option) {
      var text = (option.value + " " + option.textContent).toLowerCase().replace(/[_/]/g, " ");
      var match = words.every(function (w) { return text.indexOf(w) !== -1; });
      option.hidden = !match;
      if (match) { shown += 1; first = first || option; }
    });
    Array.prototype.forEach.call(select.querySelectorAll("optgroup"), function (group) {
      group.hidden = !group.querySelector("option:not([hidden])");
    });
    var current = select.options[select.selectedIndex];
    if (first && (!current || current.hidden)) select.value = first.value;
    status.textContent = !words.length ? "" :
      shown === 0 ? "No timezone matches." :
      shown === 1 ? "1 timezone matches: " + pretty(first.value) + " is selected." :
      shown + " timezones match; " + pretty(select.value) + " is selected.";
  }

  function enhance(picker) {
    var select = picker.querySelector("select");
    var search = picker.querySelector(".tz-search");
    var input = search.querySelector("input");
    var status = search.querySelector(".hint");
    var note = picker.querySelector(".tz-browser");
    search.hidden = false;
    select.addEventListener("change", function () { picker.dataset.touched = "1"; note.textContent = ""; });
    input.addEventListener("input", function () {
      picker.dataset.touched = "1";
      filter(select, input.value, status);
      if (picker.getAttribute("data-browser-zone") === "preselect") note.textContent = "";
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); select.focus(); }
    });
    suggest(picker, select, note);
  }

  function start() {
    document.querySelectorAll(".tz-picker:not([data-ready])").forEach(function (picker) {
      picker.setAttribute("data-ready", "1");
      enhance(picker);
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
