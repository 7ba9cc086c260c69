// The status form shows the resolution fields only for moves that use them (resolved, closed); without this file
// they are always shown and the server asks for them when needed.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-status-form]").forEach(function (form) {
      var to = form.querySelector("[data-status-to]");
      var fields = form.querySelector("[data-resolution-fields]");
      if (!to || !fields) return;
      var uses = (fields.getAttribute("data-for") || "").split(" ");
      var sync = function () {
        var on = uses.indexOf(to.value) >= 0;
        fields.hidden = !on;
        fields.disabled = !on;
      };
      to.addEventListener("change", sync);
      sync();
    });
  });
})();
