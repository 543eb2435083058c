// Updates a job's page in place while the job runs. Without this script the page offers an
// "Aktualisieren" link; with it, the progress bar and the sentence under it (an aria-live
// region, so screen readers hear each step) follow the job, and the download link appears
// when the file is ready.
(function () {
  "use strict";
  var root = document.querySelector("[data-job-status]");
  if (!root || !window.fetch) {
    return;
  }
  var url = root.getAttribute("data-job-status");
  var bar = root.querySelector("progress");
  var standing = root.querySelector("[data-job-text]");
  var refresh = root.querySelector("[data-job-refresh]");
  if (refresh) {
    refresh.hidden = true;
  }

  function paragraph(text) {
    var p = document.createElement("p");
    p.className = "kern-body";
    p.textContent = text;
    return p;
  }

  function show(job) {
    bar.max = job.steps;
    bar.value = job.step;
    bar.textContent = job.step + " von " + job.steps + " Schritten";
    var parts = [];
    if (job.status === "failed") {
      var alert = document.createElement("div");
      alert.className = "kern-alert kern-alert--danger";
      alert.setAttribute("role", "alert");
      var body = document.createElement("div");
      body.className = "kern-alert__body";
      body.appendChild(paragraph(job.text));
      alert.appendChild(body);
      parts.push(alert);
    } else {
      parts.push(paragraph(job.text));
    }
    if (job.download) {
      var line = paragraph("");
      var link = document.createElement("a");
      link.className = "kern-link job__download";
      link.href = job.download;
      link.setAttribute("download", "");
      link.textContent = "Datei herunterladen";
      line.appendChild(link);
      parts.push(line);
    }
    standing.replaceChildren.apply(standing, parts);
  }

  var last = "";
  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(function (job) {
        var key = job.status + job.step + job.text;
        if (key !== last) {
          last = key;
          show(job);
        }
        if (job.status === "queued" || job.status === "running") {
          window.setTimeout(poll, 1000);
        }
      })
      .catch(function () {
        if (refresh) {
          refresh.hidden = false;
        }
        window.setTimeout(poll, 5000);
      });
  }
  window.setTimeout(poll, 1000);
})();
