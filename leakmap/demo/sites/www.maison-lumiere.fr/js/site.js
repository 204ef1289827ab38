/* Maison Lumière, the shop `leakmap demo` audits. Its consent handling is deliberately imperfect,
 * the way many real shops are:
 *  - Google Consent Mode starts denied and the GTM container GTM-ML4X9Z2 loads on every page before
 *    any answer. In it, GA4 sends cookieless pings (gcs=G100) until "Tout accepter"; Hotjar records
 *    sessions whatever the answer (nobody set a consent check on it); Criteo waits for ad_storage,
 *    and once it runs it syncs its user id with LiveRamp, Adobe and Google (a data-broker chain).
 *  - The Meta pixel is pasted into the page and fires before any answer; only a remembered
 *    "Tout refuser" keeps it off later pages. "Reject" is honoured only in part. */
SiteTags.consent("default", "denied");
if (SiteConsent.choice !== "rejected") SiteTags.metaPixel("1188459033221874");
SiteTags.gtm("GTM-ML4X9Z2");
SiteConsent.onChoice((choice) => SiteTags.consent("update", choice === "accepted" ? "granted" : "denied"));

const PRODUCTS = {
  "bougie-figuier": { name: "Bougie Figuier", price: 34, image: "/img/bougie-figuier.svg" },
  "bougie-ambre": { name: "Bougie Ambre & Vanille", price: 34, image: "/img/bougie-ambre.svg" },
  "lampe-opaline": { name: "Lampe Opaline", price: 189, image: "/img/lampe-opaline.svg" },
  "diffuseur-cedre": { name: "Diffuseur Cèdre", price: 42, image: "/img/diffuseur-cedre.svg" },
};
const euros = (n) => n.toLocaleString("fr-FR", { style: "currency", currency: "EUR" });
const cart = () => JSON.parse(localStorage.getItem("ml_panier") || "[]");
function track(...args) {
  if (window.fbq) window.fbq(...args);
}

function showCount() {
  const count = document.getElementById("cart-count");
  if (count) count.textContent = String(cart().length);
}

document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-add]");
  if (!button) return;
  localStorage.setItem("ml_panier", JSON.stringify([...cart(), button.dataset.add]));
  track("track", "AddToCart", { content_ids: [button.dataset.add], currency: "EUR", value: PRODUCTS[button.dataset.add].price });
  button.textContent = "Ajouté au panier ✓";
  showCount();
});

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form.id === "newsletter") {
    event.preventDefault();
    form.replaceWith(Object.assign(document.createElement("p"), { textContent: "Merci ! Votre code de bienvenue arrive par e-mail." }));
  }
});

function renderCart() {
  const list = document.getElementById("cart-lines");
  if (!list) return;
  const items = cart();
  const lines = items.length ? items : ["bougie-figuier"];
  if (!items.length) localStorage.setItem("ml_panier", JSON.stringify(lines));
  let total = 0;
  list.replaceChildren(...lines.map((id) => {
    const product = PRODUCTS[id];
    total += product.price;
    const row = document.createElement("li");
    row.innerHTML = `<img src="${product.image}" alt="" width="64" height="64"><span>${product.name}</span><b>${euros(product.price)}</b>`;
    return row;
  }));
  document.getElementById("cart-total").textContent = euros(total + 4.9);
  const stripe = window.Stripe("pk_test_51MaisonLumiereTestWeb8w2n3XkT0aVbRz6pH4mJc9eYs1fG");
  stripe.elements().create("card").mount("#card-element");
  document.getElementById("payment").addEventListener("submit", (event) => {
    event.preventDefault();
    localStorage.removeItem("ml_panier");
    event.target.replaceWith(Object.assign(document.createElement("p"), {
      className: "merci", textContent: "Merci pour votre commande ! Vous recevrez un e-mail de confirmation dans quelques minutes.",
    }));
  });
}

document.addEventListener("DOMContentLoaded", () => {
  renderCart();
  showCount();
  const product = document.querySelector("[data-product]");
  if (product) track("track", "ViewContent", { content_ids: [product.dataset.product], currency: "EUR", value: PRODUCTS[product.dataset.product].price });
});
