/* Kinsale Pottery: GA4 and the Meta pixel only after "Accept all" (the shared kit banner, answer in
 * kp_consent). Only the landing page's footer has a "Cookie settings" button that shows the banner
 * again; the other pages have no way to change the answer. */
SiteConsent.onChoice((choice) => {
  if (choice !== "accepted") return;
  SiteTags.googleTag("G-KPT9W2E6LA");
  SiteTags.metaPixel("385027716490233");
});
document.addEventListener("DOMContentLoaded", () => {
  const settings = document.getElementById("cookie-settings");
  if (settings) settings.addEventListener("click", () => SiteConsent.show());
});
