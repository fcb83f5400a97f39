// The roster's "Print" button (issue 13, item 7): shown only when scripts run, it opens the
// browser's print dialog; office/print.css lays the roster out for paper.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-office-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      window.print();
    });
  });
});
