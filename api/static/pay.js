// The card step with Stripe (api/templates/shop/pay.html): Stripe's Payment Element, mounted
// with the order's client secret and confirmed here; Stripe then returns to the order page.
(function () {
  "use strict";
  var form = document.getElementById("paiement");
  if (!form || typeof Stripe === "undefined") return;
  var stripe = Stripe(form.dataset.key, { locale: form.dataset.locale === "en" ? "en" : "fr-CA" });
  var elements = stripe.elements({ clientSecret: form.dataset.secret });
  var target = document.getElementById("payment-element");
  target.textContent = "";
  elements.create("payment").mount(target);
  var message = document.getElementById("payment-message");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var button = document.getElementById("payer");
    button.disabled = true;
    stripe.confirmPayment({ elements: elements, confirmParams: { return_url: form.dataset.back } })
      .then(function (result) {
        // Only reached when the confirmation failed: success leaves the page.
        message.textContent = result.error ? result.error.message : "";
        message.hidden = !result.error;
        button.disabled = false;
      });
  });
})();
