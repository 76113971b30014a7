/* Progressive enhancements; every page reads completely without them. */
(function () {
  "use strict";

  /* Timeline: filter entries by topic, without a server. */
  function enableTopicFilter() {
    var filter = document.querySelector(".brief-filter");
    if (!filter) return;
    filter.hidden = false;
    filter.addEventListener("change", function () {
      var shown = {};
      filter.querySelectorAll("input[name=topic]").forEach(function (box) {
        shown[box.value] = box.checked;
      });
      document.querySelectorAll(".brief-timeline__entry").forEach(function (entry) {
        entry.hidden = !shown[entry.dataset.topic];
      });
      document.querySelectorAll(".brief-month").forEach(function (month) {
        month.hidden = !month.querySelector(".brief-timeline__entry:not([hidden])");
      });
    });
  }

  /* Staleness is judged on the reader's day, so the built page stays the same from day to day. */
  function flagStaleSheets() {
    var day = 24 * 60 * 60 * 1000;
    document.querySelectorAll(".brief-stale").forEach(function (notice) {
      var age = Math.floor((Date.now() - Date.parse(notice.dataset.asOf)) / day);
      if (age > Number(notice.dataset.staleAfterDays)) {
        notice.querySelector(".brief-stale__age").textContent = age + " days";
        notice.hidden = false;
      }
    });
  }

  /* The theme's search dialog has no accessible name of its own. */
  function nameSearchDialog() {
    var dialog = document.querySelector(".md-search[role=dialog]");
    if (dialog && !dialog.hasAttribute("aria-label")) dialog.setAttribute("aria-label", "Search");
  }

  function start() {
    nameSearchDialog();
    enableTopicFilter();
    flagStaleSheets();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
