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
    // Colour swatches: the colour comes from data (inline styles are blocked by the CSP; CSSOM is not).
    document.querySelectorAll("[data-color]").forEach(function (el) {
      var color = el.getAttribute("data-color");
      if (/^#[0-9a-f]{6}$/i.test(color)) el.style.backgroundColor = color;
    });
    // The client form shows the individual or the organization fields for the chosen type; hidden ones are
    // disabled so they are not sent.
    document.querySelectorAll("form[data-client-form]").forEach(function (form) {
      var type = form.querySelector("select[name='clientType']");
      if (!type) return;
      var sync = function () {
        form.querySelectorAll("[data-client-type]").forEach(function (section) {
          var on = section.getAttribute("data-client-type") === type.value;
          section.hidden = !on;
          section.disabled = !on;
        });
      };
      type.addEventListener("change", sync);
      sync();
    });
    document.querySelectorAll("[data-back]").forEach(function (link) {
      link.addEventListener("click", function (event) { event.preventDefault(); history.back(); });
    });
  });
})();
// Confirmed in the browser: forms with data-confirm-sets name a hidden field that tells the server the user already
// said yes (without JavaScript the server shows a confirmation page instead). Runs after the data-confirm prompt.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-confirm][data-confirm-sets]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (event.defaultPrevented) return;
        var field = form.querySelector("input[type='hidden'][name='" + form.getAttribute("data-confirm-sets") + "']");
        if (field) field.value = "yes";
      });
    });
  });
})();
