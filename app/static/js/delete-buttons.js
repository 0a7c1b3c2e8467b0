// The delete button of a list row (app/templates/portal/widgets/list.html) asks for confirmation in
// FAB's dialog, as FAB's own per-row script does; one handler for every list on the page, related
// lists loaded later included (the listener is on the document).
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("a[data-delete-url]") : null;
    if (!button) {
      return;
    }
    event.preventDefault();
    var table = button.closest("[data-confirm-delete]");
    new AdminActions().execute_single_delete(button.getAttribute("data-delete-url"),
      table ? table.getAttribute("data-confirm-delete") : "");
  });
})();
