/* BrightPath Travel: the marketing tags run as soon as a page loads, before the visitor has answered
 * the banner ("implied consent"), with Google Consent Mode defaulting to granted. Only a remembered
 * "Reject all" keeps them off on later pages; "Accept all" adds Google Ads remarketing. */
if (SiteConsent.choice !== "rejected") {
  SiteTags.consent("default", "granted");
  SiteTags.googleTag("G-BPT5N8R2KD");
  SiteTags.metaPixel("502938417760331");
}
SiteConsent.onChoice((choice) => {
  if (choice === "accepted") SiteTags.googleTag("AW-11223344556");
});

document.addEventListener("DOMContentLoaded", () => {
  const search = document.getElementById("trip-search");
  if (!search) return;
  search.addEventListener("submit", (event) => {
    event.preventDefault();
    const where = search.elements.where.value.trim().toLowerCase();
    const cards = document.querySelectorAll("[data-place]");
    let shown = 0;
    cards.forEach((card) => {
      card.hidden = Boolean(where) && !card.dataset.place.includes(where);
      shown += card.hidden ? 0 : 1;
    });
    document.getElementById("results-count").textContent = `${shown} trip${shown === 1 ? "" : "s"} found`;
  });
});
