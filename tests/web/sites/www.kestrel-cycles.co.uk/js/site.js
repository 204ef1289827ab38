/* Kestrel Cycles: GA4 and the Meta pixel only after "Accept all" (the shared kit banner, answer in
 * kc_consent). The footer's "Cookies" link (#kc-cookies-open, on every page) shows the banner again,
 * where "Reject all" withdraws consent from the next page on; the tags' cookies are not deleted. */
SiteConsent.onChoice((choice) => {
  if (choice !== "accepted") return;
  SiteTags.googleTag("G-KCY5P8R3WS");
  SiteTags.metaPixel("472910385561207");
});
document.addEventListener("DOMContentLoaded", () => {
  document.getElementById("kc-cookies-open").addEventListener("click", (event) => {
    event.preventDefault();
    SiteConsent.show();
  });
});
