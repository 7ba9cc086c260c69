// Upload forms with JavaScript: drop files on the form, and see a progress bar while they are sent. Without it the
// forms post as plain multipart forms.
(function () {
  "use strict";
  document.querySelectorAll("form[data-document-upload]").forEach(function (form) {
    if (form.dataset.enhanced) return;
    form.dataset.enhanced = "1";
    var input = form.querySelector('input[type="file"]');
    var zone = form.querySelector("[data-dropzone]");
    var bar = form.querySelector("[data-progress]");
    var status = form.querySelector("[data-status]");
    var dropped = null;

    function show(text) { if (status) status.textContent = text; }

    if (zone && input) {
      ["dragenter", "dragover"].forEach(function (type) {
        zone.addEventListener(type, function (event) { event.preventDefault(); zone.classList.add("dragging"); });
      });
      ["dragleave", "drop"].forEach(function (type) {
        zone.addEventListener(type, function () { zone.classList.remove("dragging"); });
      });
      zone.addEventListener("drop", function (event) {
        event.preventDefault();
        var files = event.dataTransfer && event.dataTransfer.files;
        if (!files || !files.length) return;
        try {
          input.files = files; // lets the plain form post them too
          dropped = null;
        } catch (e) {
          dropped = files;
        }
        input.required = false;
        show(files.length + (files.length === 1 ? " file" : " files") + " ready: " + Array.prototype.map.call(files, function (f) { return f.name; }).join(", "));
      });
    }

    form.addEventListener("submit", function (event) {
      if (!window.FormData || !window.XMLHttpRequest) return;
      event.preventDefault();
      var data = new FormData(form);
      if (dropped) {
        data.delete("file");
        Array.prototype.forEach.call(dropped, function (f) { data.append("file", f, f.name); });
      }
      var button = form.querySelector('button[type="submit"]');
      if (button) button.disabled = true;
      if (bar) { bar.hidden = false; bar.value = 0; }
      show("Uploading…");
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable && bar) bar.value = Math.round((e.loaded / e.total) * 100);
      });
      xhr.addEventListener("load", function () {
        var body = {};
        try { body = JSON.parse(xhr.responseText); } catch (e) { body = {}; }
        if (xhr.status >= 200 && xhr.status < 300 && body.redirect) {
          window.location.assign(body.redirect);
          return;
        }
        if (button) button.disabled = false;
        if (bar) bar.hidden = true;
        show(body.error || "The upload failed. Nothing was stored; try again.");
        if (status) status.classList.add("field-error");
      });
      xhr.addEventListener("error", function () {
        if (button) button.disabled = false;
        if (bar) bar.hidden = true;
        show("The upload could not reach the server. Nothing was stored; try again.");
      });
      xhr.send(data);
    });
  });
})();
