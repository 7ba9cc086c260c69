// Small enhancements; every page works without this file.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    // Focus the first field with an error, or the error summary, so keyboard and screen-reader users land on it.
    var invalid = document.querySelector("[aria-invalid='true']");
    if (invalid) invalid.focus();
    else {
      var summary = document.querySelector("[data-error-summary]");
      if (summary) { summary.setAttribute("tabindex", "-1"); summary.focus(); }
    }
    // Ask before destructive actions.
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
      });
    });
    // Select a one-time secret on click, for copying.
    document.querySelectorAll("[data-copy]").forEach(function (el) {
      el.addEventListener("click", function () {
        var range = document.createRange();
        range.selectNodeContents(el);
        var selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
      });
    });
    document.querySelectorAll("[data-back]").forEach(function (link) {
      link.addEventListener("click", function (event) { event.preventDefault(); history.back(); });
    });
  });
})();
