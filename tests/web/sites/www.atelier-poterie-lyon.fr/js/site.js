/* Atelier Terre & Feu: the cookie banner is written into every page's HTML as a declarative shadow
 * root (<cookie-bandeau><template shadowrootmode="open">), so its text and buttons are in the
 * host's shadow root from the first paint; this script wires them and hides the banner once
 * answered (cookie ap_cookies). The marketing tags run as soon as a page loads, before the visitor
 * answers ("implied consent"): only a remembered "Tout refuser" keeps them off. */
(() => {
  const saved = (document.cookie.match(/(?:^|; )ap_cookies=(oui|non)/) || [])[1];
  if (saved !== "non") {
    SiteTags.googleTag("G-APL2X9K4TE");
    SiteTags.metaPixel("316728495501842");
  }
  const host = document.querySelector("cookie-bandeau");
  if (!host) return;
  if (saved) {
    host.remove();
    return;
  }
  for (const [selector, answer] of [[".oui", "oui"], [".non", "non"]]) {
    host.shadowRoot.querySelector(selector).addEventListener("click", () => {
      document.cookie = `ap_cookies=${answer}; max-age=${365 * 24 * 3600}; path=/; SameSite=Lax; Secure`;
      host.remove();
    });
  }
})();
