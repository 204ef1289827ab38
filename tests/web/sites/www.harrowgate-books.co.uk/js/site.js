/* Harrowgate Books: GA4 and the Meta pixel only after "Accept all" (the shared kit banner, answer in
 * hb_consent). The only way to change the answer is the "Change your cookie choices" button on the
 * cookie policy page, which every page's footer links to. */
SiteConsent.onChoice((choice) => {
  if (choice !== "accepted") return;
  SiteTags.googleTag("G-HGB4M7T1QC");
  SiteTags.metaPixel("918273645501928");
});
document.addEventListener("DOMContentLoaded", () => {
  const change = document.getElementById("change-cookies");
  if (change) change.addEventListener("click", () => SiteConsent.show());
});
