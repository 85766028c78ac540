// The checkout's payment method picker: once an item is chosen, each method shows the total to
// pay (the item's price plus the fee when the customer pays it), computed as payments/fees.py
// does: whole rupiah, rounded up. The order page shows the same total before paying.
(function () {
  "use strict";
  function rupiah(n) {
    return "Rp " + String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ".");
  }
  function customerFee(flat, percent, price) {
    if (!flat && !percent) return 0;
    var rate = percent / 100;
    var fee = Math.ceil((flat + price * rate) / (1 - rate));
    while (fee < flat + Math.ceil((price + fee) * rate)) fee += 1;
    return fee;
  }
  function update() {
    var chosen = document.querySelector('input[name="variant"]:checked');
    var price = chosen ? parseInt(chosen.getAttribute("data-price"), 10) : NaN;
    document.querySelectorAll("[data-payment-methods] .method-fee").forEach(function (node) {
      var total = node.querySelector(".method-total");
      if (!total) return;
      if (isNaN(price)) { total.hidden = true; return; }
      var fee = node.getAttribute("data-customer-pays") === "1"
        ? customerFee(parseInt(node.getAttribute("data-flat"), 10),
                      parseFloat(node.getAttribute("data-percent")), price)
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
