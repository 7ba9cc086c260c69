// Choosing several people (a client's team members): the page lists every active user as a checkbox, which works
// without this file. Here the list becomes a picker like the case form's client picker: the chosen people stay in
// view, a search box finds the others by name or email, and the arrow keys move from the box through the matches.
(function () {
  "use strict";
  var MAX_SHOWN = 12;

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-people-picker]").forEach(enhance);
  });

  function enhance(picker, index) {
    var list = picker.querySelector("[data-people-options]");
    var legend = picker.querySelector("legend");
    if (!list || !legend) return;
    var items = Array.prototype.slice.call(list.querySelectorAll("li"));
    var textOf = function (li) { return li.textContent.replace(/\s+/g, " ").trim().toLowerCase(); };

    var id = "people-search-" + index;
    var label = document.createElement("label");
    label.setAttribute("for", id);
    label.className = "people-search-label";
    label.textContent = "Add a person";
    var input = document.createElement("input");
    input.type = "search";
    input.id = id;
    input.autocomplete = "off";
    input.placeholder = "Name or email…";
    input.setAttribute("aria-controls", list.id = id + "-list");
    var status = document.createElement("p");
    status.className = "hint";
    status.setAttribute("role", "status");
    list.parentNode.insertBefore(label, list);
    list.parentNode.insertBefore(input, list);
    list.parentNode.insertBefore(status, list);
    picker.classList.add("is-enhanced");

    function show() {
      var q = input.value.trim().toLowerCase();
      var shown = 0;
      items.forEach(function (li) {
        var box = li.querySelector("input[type='checkbox']");
        var match = q !== "" && textOf(li).indexOf(q) >= 0 && shown < MAX_SHOWN;
        if (match && !box.checked) shown += 1;
        li.hidden = !(box.checked || match);
      });
      var chosen = items.filter(function (li) { return li.querySelector("input").checked; }).length;
      status.textContent = (chosen ? chosen + " chosen" : "Nobody chosen yet") + (q ? "; " + (shown ? shown + " more match" + (shown === MAX_SHOWN ? " (type more to narrow them)" : "") : "nobody else matches") : "");
    }

    input.addEventListener("input", show);
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") event.preventDefault(); // a search box, not the form's submit
      if (event.key === "ArrowDown") {
        var first = list.querySelector("li:not([hidden]) input");
        if (first) { event.preventDefault(); first.focus(); }
      }
    });
    list.addEventListener("keydown", function (event) {
      var boxes = Array.prototype.slice.call(list.querySelectorAll("li:not([hidden]) input"));
      var at = boxes.indexOf(document.activeElement);
      if (event.key === "ArrowDown" && at < boxes.length - 1) { event.preventDefault(); boxes[at + 1].focus(); }
      if (event.key === "ArrowUp") { event.preventDefault(); (at > 0 ? boxes[at - 1] : input).focus(); }
      if (event.key === "Escape") { input.focus(); }
    });
    list.addEventListener("change", show);
    show();
  }
})();
