// Export job page: polls the job's status (JSON) and moves the <progress> bar; reloads the page
// once the job is finished so the download link (or the error) appears. Without JavaScript the
// page offers a "Rafraîchir" link instead.
(function () {
  "use strict";
  var section = document.getElementById("export-job");
  if (!section || section.dataset.finished === "true") {
    return;
  }
  var url = section.dataset.statusUrl;
  var bar = document.getElementById("export-progress");
  var status = document.getElementById("export-status");
  var count = document.getElementById("export-count");
  var delay = 1500;

  function number(value) {
    return Number(value).toLocaleString("fr-FR");
  }

  function show(data) {
    if (data.total > 0) {
      bar.max = data.total;
      bar.value = data.done;
      // As the page's number_fr and pluralize_fr: thousands grouped (fr-FR: a narrow no-break space), singular below 2.
      count.textContent = number(data.done) + " sur " + number(data.total) + " élément" + (data.total > 1 ? "s" : "") + " produit" + (data.done > 1 ? "s" : "") + ".";
    }
    status.textContent = data.status_label;
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(response.status);
        }
        return response.json();
      })
      .then(function (data) {
        show(data);
        if (data.finished) {
          window.location.reload();
        } else {
          window.setTimeout(poll, delay);
        }
      })
      .catch(function () {
        delay = Math.min(delay * 2, 30000); // the server is busy or gone: back off
        window.setTimeout(poll, delay);
      });
  }

  window.setTimeout(poll, delay);
})();
