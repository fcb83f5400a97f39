/* Registrar's page script: progressive enhancement only; every page works without it.
 * No inline scripts, no eval: this file is loaded with <script src> (docs/ui.md, CSP). */
(function () {
  "use strict";

  // An error summary link puts the cursor in its field (a plain #id link only scrolls).
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-ui-error-summary] a[href^='#']");
    if (!link) { return; }
    var field = document.getElementById(decodeURIComponent(link.hash.slice(1)));
    if (!field) { return; }
    event.preventDefault();
    var fieldset = field.closest("fieldset");
    var label = document.querySelector("label[for='" + field.id + "']");
    var anchor = (fieldset && fieldset.querySelector("legend")) || label || field;
    anchor.scrollIntoView();
    field.focus({ preventScroll: true });
  });

  // A form that comes back with errors through htmx: focus its summary, as autofocus does on load.
  document.addEventListener("htmx:afterSettle", function (event) {
    var root = event.detail && event.detail.elt;
    var summary = root && root.querySelector && root.querySelector("[data-ui-error-summary]");
    if (summary) { summary.focus(); }
  });
})();
