// The pipeline board (portal/pipeline.html): a card's step that needs fields opens its dialog;
// a card dropped on another column takes the step between the two stages (its dialog when it
// needs fields, else the card's own step form). The server decides: a refused step reloads the
// board with the reason and the card where it was.
(function () {
  "use strict";
  var board = document.getElementById("pipeline");
  if (!board) { return; }
  var moves = JSON.parse(board.getAttribute("data-moves") || "{}");

  function openDialog(step, pk, version) {
    var modal = document.getElementById("dialog-" + step);
    if (!modal) { return false; }
    var form = modal.querySelector("form");
    form.action = form.getAttribute("data-action-template").replace("/0/move", "/" + pk + "/move");
    form.querySelector("input[name=version]").value = version;
    window.jQuery(modal).modal("show");
    return true;
  }

  board.addEventListener("click", function (event) {
    var button = event.target.closest(".pipeline-dialog");
    if (button) {
      openDialog(button.getAttribute("data-step"), button.getAttribute("data-pk"), button.getAttribute("data-version"));
    }
  });
  board.addEventListener("dragstart", function (event) {
    var card = event.target.closest(".pipeline-card");
    if (card) { event.dataTransfer.setData("text/plain", card.getAttribute("data-pk")); }
  });
  board.addEventListener("dragover", function (event) {
    if (event.target.closest(".pipeline-column")) { event.preventDefault(); }
  });
  board.addEventListener("drop", function (event) {
    var column = event.target.closest(".pipeline-column");
    var pk = event.dataTransfer.getData("text/plain");
    var card = board.querySelector('.pipeline-card[data-pk="' + pk + '"]');
    if (!column || !card) { return; }
    event.preventDefault();
    var step = (moves[card.getAttribute("data-stage")] || {})[column.getAttribute("data-stage")];
    if (!step) { return; }
    if (openDialog(step, pk, card.getAttribute("data-version"))) { return; }
    var button = card.querySelector('.pipeline-step[data-step="' + step + '"]');
    if (button) { button.click(); }
  });
}());
