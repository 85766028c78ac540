// The back office's small behaviours (loaded on every admin page; no inline script, CSP-safe).
"use strict";

// Markup rule form: a rule is for one game or one item. Once a game is chosen, the item
// picker is hidden (it would only be a second, conflicting choice); clearing the game shows it.
function boMarkupRuleScope() {
  const game = document.getElementById("id_product");
  const item = document.querySelector(".field-variant");
  if (!game || !item || !document.body.classList.contains("model-markuprule")) {
    return;
  }
  const update = function () {
    item.hidden = Boolean(game.value);
  };
  game.addEventListener("change", update);
  // The game picker is a select2 autocomplete, which announces changes through jQuery only.
  if (window.django && window.django.jQuery) {
    window.django.jQuery(game).on("change", update);
  }
  update();
}

document.addEventListener("DOMContentLoaded", boMarkupRuleScope);
