// Gives each autocomplete box (select2, in the admin's region, speaker, official and topic
// fields) the name of its field for screen readers. select2 names the box by the text it
// shows: an empty box had no name, and one with a value was named by the value alone.
(function () {
  "use strict";

  function fieldName(select) {
    var label = select.id && document.querySelector('label[for="' + select.id + '"]');
    return label ? label.textContent.replace(/[:：]\s*$/, "").trim() : "";
  }

  function nameBoxes(root) {
    root.querySelectorAll("select.admin-autocomplete").forEach(function (select) {
      var shown = document.getElementById("select2-" + select.id + "-container");
      var name = fieldName(select);
      if (shown && name) {
        shown.setAttribute("aria-label", name);
      }
    });
  }

  // After Django's autocomplete.js has built the boxes (on DOMContentLoaded).
  window.addEventListener("load", function () {
    nameBoxes(document);
  });
  // A row added to an inline table gets its boxes when Django's handler has run.
  document.addEventListener("formset:added", function (event) {
    setTimeout(function () {
      nameBoxes(event.target);
    }, 0);
  });
})();
