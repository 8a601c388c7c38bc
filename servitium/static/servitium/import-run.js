// Follows an incident import on its page (incidents/incident_import_run.html): asks the run's status
// every second and a half, moves the progress bar, and reloads the page once the run has ended, so that
// the server shows the result and the report. Without JavaScript the page reloads itself (<noscript>).
"use strict";

(function () {
  var POLL_MS = 1500;
  var RETRY_MS = 5000; // the server did not answer: try again, less often

  function start() {
    var box = document.getElementById("import-run");
    if (!box || !box.dataset.statusUrl || box.dataset.finished === "1") {
      return;
    }
    var bar = document.getElementById("import-run-bar");
    var line = document.getElementById("import-run-progress");
    var percent = document.getElementById("import-run-percent");
    var stage = document.getElementById("import-run-stage");
    var status = document.getElementById("import-run-status");

    function show(data) {
      if (bar) {
        bar.setAttribute("width", String(data.percent));
      }
      if (line) {
        line.setAttribute("aria-valuenow", String(data.percent));
      }
      if (percent) {
        percent.textContent = String(data.percent);
      }
      if (stage) {
        stage.textContent = data.stage_label;
      }
      if (status) {
        status.textContent = data.status_label;
      }
    }

    function poll() {
      fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) {
            throw new Error("status " + response.status);
          }
          return response.json();
        })
        .then(function (data) {
          show(data);
          if (data.finished) {
            window.location.reload();
          } else {
            window.setTimeout(poll, POLL_MS);
          }
        })
        .catch(function () {
          window.setTimeout(poll, RETRY_MS);
        });
    }

    window.setTimeout(poll, POLL_MS);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
