// Meeting mode's entry forms save as you type: each change goes to localStorage at once (so a reload or a lost
// connection keeps it) and, after a pause, to the server as JSON with the X-CSRF-Token header. The server keeps one
// entry per meeting and client, so sending the same draft again is harmless; a draft found on load is put back in the
// form and sent. "Save entry" sends at once and marks the entry saved. Without this file the forms post normally.
(function () {
  "use strict";
  var DELAY = 800;
  var RETRY = 10000;
  var TEXTS = ["nearTermFocus", "workTargets", "discussion", "nextSteps"];
  var LISTS = ["actionDescription", "actionAssignee", "actionDue"];

  function storage() {
    try { return window.localStorage; } catch (e) { return null; }
  }
  function key(form) { return "roundtable-draft:" + form.getAttribute("data-meeting") + ":" + form.getAttribute("data-client"); }

  function read(form) {
    var data = {};
    TEXTS.forEach(function (name) { data[name] = form.elements[name] ? form.elements[name].value : ""; });
    LISTS.forEach(function (name) {
      data[name] = Array.prototype.map.call(form.querySelectorAll("[name='" + name + "']"), function (el) { return el.value; });
    });
    return data;
  }

  function addRow(form) {
    var rows = form.querySelectorAll("[data-action-row]");
    var last = rows[rows.length - 1];
    var copy = last.cloneNode(true);
    var n = rows.length;
    copy.classList.remove("has-error");
    copy.querySelectorAll(".field-error").forEach(function (el) { el.remove(); });
    copy.querySelectorAll("input, select").forEach(function (el) {
      el.value = "";
      el.removeAttribute("aria-invalid");
      el.removeAttribute("aria-describedby");
      var label = copy.querySelector("label[for='" + el.id + "']");
      el.id = el.id.replace(/\d+$/, "") + n;
      if (label) label.setAttribute("for", el.id);
    });
    last.after(copy);
    return copy;
  }

  function write(form, data) {
    TEXTS.forEach(function (name) { if (form.elements[name] && typeof data[name] === "string") form.elements[name].value = data[name]; });
    var rows = Math.max.apply(null, LISTS.map(function (name) { return (data[name] || []).length; }));
    while (form.querySelectorAll("[data-action-row]").length < rows) addRow(form);
    LISTS.forEach(function (name) {
      form.querySelectorAll("[name='" + name + "']").forEach(function (el, i) { el.value = (data[name] || [])[i] || ""; });
    });
  }

  function status(form, text) {
    var el = form.querySelector("[data-save-status]");
    if (el) el.textContent = text;
  }

  function keepDraft(form) {
    var store = storage();
    if (store) try { store.setItem(key(form), JSON.stringify({ data: read(form), at: Date.now() })); } catch (e) { /* full: the server copy is what counts */ }
  }
  function dropDraft(form) {
    var store = storage();
    if (store) store.removeItem(key(form));
  }
  function draftOf(form) {
    var store = storage();
    if (!store) return null;
    try { var d = JSON.parse(store.getItem(key(form)) || "null"); return d && d.data ? d.data : null; } catch (e) { return null; }
  }

  function firstMessage(errors) {
    var keys = Object.keys(errors || {});
    return keys.length ? errors[keys[0]] : "";
  }

  function send(form, final) {
    clearTimeout(form._timer);
    if (form._inflight) { form._again = form._again || (final ? "final" : "auto"); return; }
    var data = read(form);
    var sent = JSON.stringify(data);
    var token = form.querySelector("input[name='_csrf']");
    form._inflight = true;
    status(form, "Saving…");
    fetch(form.action, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRF-Token": token ? token.value : "" },
      body: JSON.stringify(Object.assign({ final: Boolean(final) }, data)),
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) { return { code: response.status, body: body }; });
    }).then(function (result) {
      form._inflight = false;
      if (result.code === 200) {
        if (JSON.stringify(read(form)) === sent) dropDraft(form);
        var pending = firstMessage(result.body.errors);
        var time = new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
        status(form, (final ? "Entry saved " : "Draft saved ") + time + (pending ? ". Not yet saved: " + pending : "."));
      } else if (result.code === 422) {
        status(form, "Not saved: " + (firstMessage(result.body.errors) || "check the fields."));
      } else if (result.code === 409) {
        status(form, result.body.error || "This meeting has ended.");
        return;
      } else {
        status(form, "Not saved yet (the server answered " + result.code + "): kept on this device, trying again.");
        retry(form);
      }
      if (form._again) { var again = form._again; form._again = null; send(form, again === "final"); }
    }).catch(function () {
      form._inflight = false;
      status(form, "Offline: the entry is kept on this device and is sent when the connection is back.");
      retry(form);
    });
  }

  function retry(form) {
    clearTimeout(form._retry);
    form._retry = setTimeout(function () { if (draftOf(form)) send(form, false); }, RETRY);
  }

  function enhance(form) {
    var add = form.querySelector("[data-add-action]");
    if (add) {
      add.hidden = false;
      add.addEventListener("click", function () { var row = addRow(form); var first = row.querySelector("input"); if (first) first.focus(); });
    }
    var changed = function () {
      keepDraft(form);
      status(form, "Typing…");
      clearTimeout(form._timer);
      form._timer = setTimeout(function () { send(form, false); }, DELAY);
    };
    form.addEventListener("input", changed);
    form.addEventListener("change", changed);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      keepDraft(form);
      send(form, true);
    });
    var draft = draftOf(form);
    if (draft) {
      if (JSON.stringify(draft) === JSON.stringify(read(form))) dropDraft(form);
      else {
        write(form, draft);
        status(form, "Restored a draft that was not saved yet; sending it.");
        send(form, false);
      }
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-autosave]").forEach(enhance);
    window.addEventListener("online", function () {
      document.querySelectorAll("form[data-autosave]").forEach(function (form) { if (draftOf(form)) send(form, false); });
    });
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
  });
})();
