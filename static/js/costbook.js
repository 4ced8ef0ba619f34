// Costbook page helpers: "/" focuses the filter box; empty filters stay out of the address bar.
(function () {
  "use strict";

  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    var typing = target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName);
    if (typing) return;
    var field = document.querySelector("[data-filter-bar] input:not([type=hidden]), [data-filter-bar] select");
    if (field) {
      event.preventDefault();
      field.focus();
      if (field.select) field.select();
    }
  });

  // htmx sends every field of the filter form; drop the empty ones so the pushed URL reads like a filter.
  document.addEventListener("htmx:configRequest", function (event) {
    var source = event.detail.elt;
    if (!source || !source.closest || !source.closest("[data-filter-bar]")) return;
    var data = event.detail.formData;
    if (!data) return;
    Array.from(data.keys()).forEach(function (key) {
      if (data.getAll(key).every(function (value) { return value === ""; })) data.delete(key);
    });
  });

  // After htmx has moved the address bar on, the language switch must come back to where the user is now.
  document.addEventListener("submit", function (event) {
    var next = event.target.querySelector && event.target.querySelector("input[name=next][data-current-url]");
    if (next) next.value = window.location.pathname + window.location.search;
  });
})();
