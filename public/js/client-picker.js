// The case form's client picker: type to search the clients you can see (the visibility-filtered
// /clients/autocomplete), choose one to fill the hidden clientId and load its contacts. Also narrows the template
// list to the chosen type. Without this file the form works with the search button, radio buttons and a full list.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form[data-case-form]");
    var picker = form && form.querySelector("[data-client-picker]");
    if (picker) clientPicker(form, picker);
    if (form) templateFilter(form);
  });

  function clientPicker(form, picker) {
    var chosen = picker.querySelector("[data-chosen-client]");
    var area = picker.querySelector("[data-client-search-area]");
    var input = picker.querySelector("[data-client-search]");
    var contactSelect = form.querySelector("[data-contact-select]");
    var contactHint = form.querySelector("[data-contact-hint]");
    if (!chosen || !area || !input) return;

    var list = document.createElement("ul");
    list.className = "picker-results";
    list.id = "client-picker-results";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "Matching clients");
    list.hidden = true;
    area.appendChild(list);
    var status = document.createElement("p");
    status.className = "hint";
    status.setAttribute("role", "status");
    area.appendChild(status);
    input.setAttribute("aria-controls", list.id);

    var timer = null;
    var asked = 0;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(search, 200);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" && !list.hidden) {
        var first = list.querySelector("button");
        if (first) { event.preventDefault(); first.focus(); }
      } else if (event.key === "Enter" && !list.hidden) {
        var only = list.querySelectorAll("button");
        if (only.length === 1) { event.preventDefault(); only[0].click(); }
      }
    });
    list.addEventListener("keydown", function (event) {
      var buttons = Array.prototype.slice.call(list.querySelectorAll("button"));
      var at = buttons.indexOf(document.activeElement);
      if (event.key === "ArrowDown" && at < buttons.length - 1) { event.preventDefault(); buttons[at + 1].focus(); }
      if (event.key === "ArrowUp") { event.preventDefault(); (at > 0 ? buttons[at - 1] : input).focus(); }
      if (event.key === "Escape") { list.hidden = true; input.focus(); }
    });

    function search() {
      var q = input.value.trim();
      if (!q) { list.hidden = true; list.textContent = ""; status.textContent = ""; return; }
      var ticket = ++asked;
      fetch("/clients/autocomplete?q=" + encodeURIComponent(q), { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : { results: [] }; })
        .then(function (data) { if (ticket === asked) show(data.results || []); })
        .catch(function () { status.textContent = "Search failed; press Search to try again."; });
    }

    function show(results) {
      list.textContent = "";
      results.forEach(function (c) {
        var li = document.createElement("li");
        li.setAttribute("role", "option");
        var b = document.createElement("button");
        b.type = "button";
        b.className = "linklike";
        b.textContent = c.name + " · " + c.clientCode + (c.status && c.status !== "active" ? " (" + c.status.replace("_", " ") + ")" : "");
        b.addEventListener("click", function () { choose(c); });
        li.appendChild(b);
        list.appendChild(li);
      });
      list.hidden = results.length === 0;
      status.textContent = results.length ? results.length + " matching client" + (results.length === 1 ? "" : "s") : "No client you can see matches.";
    }

    function choose(c) {
      var hidden = form.querySelector("input[type='hidden'][name='clientId']");
      if (!hidden) {
        hidden = document.createElement("input");
        hidden.type = "hidden";
        hidden.name = "clientId";
        hidden.setAttribute("data-client-id", "");
        chosen.insertBefore(hidden, chosen.firstChild);
      }
      hidden.value = c.id;
      var matches = picker.querySelector("[data-client-matches]");
      if (matches) matches.remove();
      chosen.querySelector("[data-client-name]").textContent = c.name;
      chosen.querySelector("[data-client-code]").textContent = c.clientCode;
      chosen.hidden = false;
      area.hidden = true;
      list.hidden = true;
      loadContacts(c.id);
      var change = chosen.querySelector("[data-change-client]");
      if (change) change.focus();
    }

    var change = chosen.querySelector("[data-change-client]");
    if (change) {
      change.addEventListener("click", function (event) {
        event.preventDefault();
        var hidden = form.querySelector("input[type='hidden'][name='clientId']");
        if (hidden) hidden.remove();
        chosen.hidden = true;
        area.hidden = false;
        input.value = "";
        resetContacts("Choose the client first: its active contacts are listed here.");
        input.focus();
      });
    }

    function resetContacts(hint) {
      if (!contactSelect) return;
      while (contactSelect.options.length > 1) contactSelect.remove(1);
      contactSelect.value = "";
      if (contactHint) contactHint.textContent = hint;
    }

    function loadContacts(clientId) {
      resetContacts("Loading the client's contacts…");
      fetch("/cases/new/contacts?clientId=" + encodeURIComponent(clientId), { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : { contacts: [] }; })
        .then(function (data) {
          var contacts = data.contacts || [];
          contacts.forEach(function (c) {
            var o = document.createElement("option");
            o.value = c.id;
            o.textContent = c.name + (c.title ? " · " + c.title : "") + (c.isPrimary ? " (primary)" : "");
            contactSelect.appendChild(o);
          });
          if (contactHint) contactHint.textContent = contacts.length ? "Optional: the client's active contacts." : "This client has no active contacts.";
        })
        .catch(function () { if (contactHint) contactHint.textContent = "The contacts could not be loaded; you can add one when editing the case."; });
    }
  }

  // Only the templates of the chosen type (and the default / none choices) are offered.
  function templateFilter(form) {
    var type = form.querySelector("select[name='typeId']");
    var templates = form.querySelector("[data-template-select]");
    if (!type || !templates) return;
    var sync = function () {
      Array.prototype.forEach.call(templates.querySelectorAll("optgroup"), function (group) {
        var on = !type.value || group.getAttribute("data-type-id") === type.value;
        group.hidden = !on;
        group.disabled = !on;
      });
      var selected = templates.options[templates.selectedIndex];
      if (selected && selected.parentNode.tagName === "OPTGROUP" && selected.parentNode.disabled) templates.value = "";
    };
    type.addEventListener("change", sync);
    sync();
  }
})();
