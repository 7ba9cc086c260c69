// The client page's quick log: sends the form with fetch and swaps the communications section for the server's
// answer (the re-rendered section, with field messages on 422), so the page stays where it is. Without this file
// the form posts normally.
(function () {
  "use strict";
  function enhance(section) {
    var form = section.querySelector("form[data-quick-log]");
    if (!form) return;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = form.querySelector("button[type='submit']");
      if (button) button.disabled = true;
      fetch(form.action, {
        method: "POST",
        // Multipart, so attached files go with the fields (the server checks the CSRF token from the form).
        headers: { "X-Requested-With": "fetch" },
        body: new FormData(form),
        credentials: "same-origin",
      }).then(function (response) {
        if (response.status !== 201 && response.status !== 422) { form.submit(); return null; }
        return response.text();
      }).then(function (html) {
        if (html === null) return;
        var holder = document.createElement("div");
        holder.innerHTML = html;
        var fresh = holder.querySelector("[data-communications-section]");
        if (!fresh) { form.submit(); return; }
        section.replaceWith(fresh);
        var tracking = holder.querySelector("[data-contact-tracking]");
        var current = document.querySelector("[data-contact-tracking]");
        if (tracking && current) current.replaceWith(tracking);
        enhance(fresh);
        var focus = fresh.querySelector("[aria-invalid='true']") || fresh.querySelector("[role='status']");
        if (focus) { if (!focus.hasAttribute("tabindex") && focus.getAttribute("role")) focus.setAttribute("tabindex", "-1"); focus.focus(); }
      }).catch(function () { form.submit(); });
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-communications-section]").forEach(enhance);
  });
})();
