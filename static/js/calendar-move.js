// Calendar: drag a lesson to another time (day and week grids) to move it. The drop posts the
// reschedule form, so the same rules apply: a warning or a clash comes back as that form in the
// lesson panel, with "Move anyway" where the reschedule flow offers it. From the keyboard, M on
// a focused lesson opens the reschedule form, prefilled. Without JavaScript, the panel's
// Reschedule action does the same.
(function () {
  "use strict";
  var SLOT_MINUTES = 15;
  var dragged = null;

  function elementOf(event) {
    var node = event.target;
    return node && node.nodeType === 1 ? node : node && node.parentElement;
  }

  function csrfHeaders() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}");
    } catch (error) {
      return {};
    }
  }

  // The grid row (0-based) at a viewport y, read from the day's laid-out row tracks.
  function rowAt(day, clientY) {
    var tracks = getComputedStyle(day).gridTemplateRows.split(" ").map(parseFloat);
    var offset = clientY - day.getBoundingClientRect().top;
    for (var row = 0, edge = 0; row < tracks.length; row++) {
      edge += tracks[row];
      if (offset < edge) return row;
    }
    return tracks.length - 1;
  }

  function pad(number) {
    return (number < 10 ? "0" : "") + number;
  }

  // The time where the lesson's top edge lands, on the 15-minute grid.
  function dropTime(day, event) {
    var rows = parseInt(day.dataset.rows, 10);
    var row = Math.max(0, Math.min(rows - 1, rowAt(day, event.clientY - dragged.grabOffset + 2)));
    var minutes = parseInt(day.dataset.firstHour, 10) * 60 + row * SLOT_MINUTES;
    return pad(Math.floor(minutes / 60)) + ":" + pad(minutes % 60);
  }

  function clearTargets() {
    document.querySelectorAll(".cal-day.drop-target").forEach(function (day) { day.classList.remove("drop-target"); });
  }

  // Where in the block it was taken (at the press: the page may scroll before the drag starts).
  var grabbedAt = null;
  document.addEventListener("pointerdown", function (event) {
    var lesson = elementOf(event) && elementOf(event).closest(".cal-grid .cal-lesson[data-move-url]");
    grabbedAt = lesson ? { lesson: lesson, offset: event.clientY - lesson.getBoundingClientRect().top } : null;
  });

  document.addEventListener("dragstart", function (event) {
    var lesson = elementOf(event) && elementOf(event).closest(".cal-grid .cal-lesson[data-move-url]");
    if (!lesson) return;
    dragged = { lesson: lesson, grabOffset: grabbedAt && grabbedAt.lesson === lesson ? grabbedAt.offset : 0 };
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", lesson.textContent.trim());
    lesson.classList.add("dragging");
  });

  document.addEventListener("dragover", function (event) {
    var day = dragged && elementOf(event) && elementOf(event).closest(".cal-day[data-date]");
    if (!day) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    if (!day.classList.contains("drop-target")) {
      clearTargets();
      day.classList.add("drop-target");
    }
  });

  document.addEventListener("drop", function (event) {
    var day = dragged && elementOf(event) && elementOf(event).closest(".cal-day[data-date]");
    if (!day) return;
    event.preventDefault();
    var lesson = dragged.lesson;
    htmx.ajax("POST", lesson.dataset.moveUrl, {
      target: "#panel-body",
      headers: csrfHeaders(),
      values: {
        date: day.dataset.date,
        start_time: dropTime(day, event),
        duration_minutes: lesson.dataset.minutes,
        room: lesson.dataset.room,
      },
    });
  });

  document.addEventListener("dragend", function () {
    if (dragged) dragged.lesson.classList.remove("dragging");
    dragged = null;
    clearTargets();
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "m" && event.key !== "M") return;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var lesson = elementOf(event) && elementOf(event).closest(".cal-lesson[data-move-url]");
    if (!lesson) return;
    event.preventDefault();
    htmx.ajax("GET", lesson.dataset.moveUrl, { target: "#panel-body" });
  });
})();
