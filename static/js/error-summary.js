// A page answering a submission that failed: its error summary (templates/form_errors/summary.html) —
// or, after a redirect, its error message — takes the focus on load, so a screen reader reads it at
// once and the keyboard starts from it. A link of the summary moves the focus to its field, with the
// field's label (or the legend of its group) scrolled into view above it.
(function () {
  "use strict";
  var summary = document.querySelector("[data-error-summary]") || document.querySelector(".messages .alert-danger");
  if (!summary) {
    return;
  }
  if (!summary.hasAttribute("tabindex")) {
    summary.setAttribute("tabindex", "-1");
  }
  summary.focus();

  function captionOf(field) {
    var group = field.closest("fieldset");
    if ((field.type === "radio" || field.type === "checkbox") && group && group.querySelector("legend")) {
      return group.querySelector("legend");
    }
    return (field.labels && field.labels[0]) || field;
  }

  summary.addEventListener("click", function (event) {
    var link = event.target.closest('a[href^="#"]');
    if (!link) {
      return;
    }
    var target = document.getElementById(decodeURIComponent(link.hash.slice(1)));
    if (!target) {
      return;
    }
    var field = target.matches("input, select, textarea, button")
      ? target
      : target.querySelector("input:not([type=hidden]), select, textarea");
    if (!field) {
      return;
    }
    event.preventDefault();
    captionOf(field).scrollIntoView();
    field.focus({ preventScroll: true });
  });
})();
