// Flash-sale countdowns: every .countdown[data-ends] shows the time left (HH:MM:SS) and,
// at zero, reloads the page once so the sale's prices leave it at that second.
(function () {
  "use strict";
  var clocks = document.querySelectorAll(".countdown[data-ends]");
  if (!clocks.length) return;
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function tick() {
    var now = Date.now();
    clocks.forEach(function (el) {
      var left = Math.max(0, Math.floor((Date.parse(el.dataset.ends) - now) / 1000));
      el.textContent = pad(Math.floor(left / 3600)) + ":" + pad(Math.floor(left / 60) % 60) + ":" + pad(left % 60);
      if (left === 0 && !el.dataset.done) {
        el.dataset.done = "1";
        window.setTimeout(function () { window.location.reload(); }, 1000);
      }
    });
  }
  tick();
  window.setInterval(tick, 1000);
})();
