// The checkout's payment method picker: once an item is chosen, each method shows the total to
// pay (the item's price plus the fee when the customer pays it), computed exactly as
// payments/fees.py does, in whole numbers only (the percent in basis points, never a float,
// so the page never differs from the server by a rupiah): flat + percent rounded up, clamped
// to the channel's minimum and maximum fee, and the least fee that also covers Tripay's
// percent of the total. The order page shows the same total before paying.
(function () {
  "use strict";
  function rupiah(n) {
    return "Rp " + String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ".");
  }
  function ceilDiv(n, d) {  // n, d: non-negative whole numbers
    var rest = n % d;
    return (n - rest) / d + (rest > 0 ? 1 : 0);
  }
  function gatewayFee(channel, amount) {
    var fee = channel.flat + ceilDiv(amount * channel.bp, 10000);
    if (channel.min !== null) fee = Math.max(fee, channel.min);
    if (channel.max !== null) fee = Math.min(fee, channel.max);
    return fee;
  }
  // channel: {flat, bp (percent x 100), min, max (null: none)}; price: whole rupiah.
  function customerFee(channel, price) {
    if (channel.bp >= 10000) return NaN;
    var fee = 0, needed;
    while (fee < (needed = gatewayFee(channel, price + fee))) fee = needed;
    return fee;
  }
  window.geraiCustomerFee = customerFee;  // the page and the tests use the one function
  function limit(node, name) {
    var value = node.getAttribute(name);
    return value === null || value === "" ? null : parseInt(value, 10);
  }
  function update() {
    var chosen = document.querySelector('input[name="variant"]:checked');
    var price = chosen ? parseInt(chosen.getAttribute("data-price"), 10) : NaN;
    document.querySelectorAll("[data-payment-methods] .method-fee").forEach(function (node) {
      var total = node.querySelector(".method-total");
      if (!total) return;
      if (isNaN(price)) { total.hidden = true; return; }
      var fee = node.getAttribute("data-customer-pays") === "1"
        ? customerFee({
            flat: parseInt(node.getAttribute("data-flat"), 10),
            bp: parseInt(node.getAttribute("data-bp"), 10),
            min: limit(node, "data-min-fee"),
            max: limit(node, "data-max-fee"),
          }, price)
        : 0;
      total.querySelector("b").textContent = rupiah(price + fee);
      total.hidden = false;
    });
  }
  document.addEventListener("change", function (event) {
    if (event.target && event.target.name === "variant") update();
  });
  document.addEventListener("DOMContentLoaded", update);
})();
