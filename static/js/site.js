// Keyboard help for readers; the site works the same without it.
// "/" puts the cursor in the search box (the search page's own box when there is one),
// Escape leaves it. Loaded with defer from a file, never inline, so a strict
// Content-Security-Policy (script-src 'self') can be set.
(function () {
  "use strict";

  function isTyping(target) {
    if (!target) return false;
    var tag = target.tagName;
    return target.isContentEditable || tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT";
  }

  function searchBox() {
    return document.getElementById("search-q") || document.getElementById("site-search-q");
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "/" && !isTyping(event.target)) {
      var box = searchBox();
      if (box) {
        event.preventDefault();
        box.focus();
        box.select();
      }
    } else if (event.key === "Escape" && isTyping(event.target) && event.target.type === "search") {
      event.target.blur();
    }
  });
})();
