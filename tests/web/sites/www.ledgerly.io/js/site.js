/* Ledgerly: no analytics, no advertising, hence no cookie banner. Third parties are essential
 * only: Stripe.js on every page (Stripe asks for that, for fraud detection) with the card field on
 * the checkout page, Google Fonts, and a small library from cdnjs. */
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("checkout");
  if (!form || !window.Stripe) return;
  const stripe = window.Stripe("pk_test_51LdgrlyTestWebKey0aVbRz6pH4mJc9eYs1fGtK7uL2oN5vB8x");
  stripe.elements().create("card").mount("#card-element");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    form.replaceWith(Object.assign(document.createElement("p"), {
      className: "done",
      textContent: `Thanks ${form.elements.company.value || ""}! Your 30-day trial of Ledgerly ${form.elements.plan.value} has started; you will not be charged before it ends.`,
    }));
  });
});
