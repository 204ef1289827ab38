/* NorthPeak Outdoor: nothing loads before the visitor answers the banner, but then *any* answer
 * counts as consent: "Reject all" also updates Google Consent Mode to granted and loads the GTM
 * container GTM-NPK88QD (GA4, Google Ads, Meta pixel), exactly like "Accept all". */
SiteTags.consent("default", "denied");
SiteConsent.onChoice(() => {
  SiteTags.consent("update", "granted");
  SiteTags.gtm("GTM-NPK88QD");
});

document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-add]");
  if (!button) return;
  const cart = JSON.parse(localStorage.getItem("np_cart") || "[]");
  cart.push(button.dataset.add);
  localStorage.setItem("np_cart", JSON.stringify(cart));
  document.getElementById("cart-count").textContent = String(cart.length);
  button.textContent = "Added ✓";
});
document.addEventListener("DOMContentLoaded", () => {
  document.getElementById("cart-count").textContent = String(JSON.parse(localStorage.getItem("np_cart") || "[]").length);
});
