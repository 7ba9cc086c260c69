// Case board: drag a card onto a column it may move to, and the card's button for that status is pressed. Without
// this file (or from the keyboard) the buttons on each card do the same.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var board = document.querySelector("[data-case-board]");
    if (!board) return;
    var columns = Array.prototype.slice.call(board.querySelectorAll(".board-column[data-status]"));
    var dragged = null;

    function allowedOf(card) {
      return Array.prototype.map.call(card.querySelectorAll("button[name='to']"), function (b) { return b.value; });
    }
    function accepts(column) {
      return dragged !== null && allowedOf(dragged).indexOf(column.getAttribute("data-status")) >= 0;
    }
    function clear() {
      columns.forEach(function (c) { c.classList.remove("drop-allowed", "drop-over"); });
      if (dragged) dragged.classList.remove("dragging");
      dragged = null;
    }

    board.addEventListener("dragstart", function (event) {
      var card = event.target.closest && event.target.closest(".board-card[draggable='true']");
      if (!card) return;
      dragged = card;
      card.classList.add("dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", card.getAttribute("data-case-card"));
      columns.forEach(function (c) { if (accepts(c)) c.classList.add("drop-allowed"); });
    });
    board.addEventListener("dragend", clear);

    columns.forEach(function (column) {
      column.addEventListener("dragover", function (event) {
        if (!accepts(column)) return; // not calling preventDefault refuses the drop
        event.preventDefault();
        event.dataTransfer.dropEffect = "move";
        column.classList.add("drop-over");
      });
      column.addEventListener("dragleave", function (event) {
        if (!column.contains(event.relatedTarget)) column.classList.remove("drop-over");
      });
      column.addEventListener("drop", function (event) {
        if (!accepts(column)) return;
        event.preventDefault();
        var to = column.getAttribute("data-status");
        var button = dragged.querySelector("button[name='to'][value='" + to + "']");
        var form = button && button.form;
        clear();
        if (!form) return;
        if (form.requestSubmit) form.requestSubmit(button);
        else button.click();
      });
    });
  });
})();
