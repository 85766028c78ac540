// The receipt's "Print" button (no inline scripts: the CSP allows scripts from /static/ only).
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
});
