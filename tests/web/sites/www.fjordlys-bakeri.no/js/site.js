/* Fjordlys Bakeri: the page loads Google Analytics only after "Accept all". The site is also an
 * installable app: /sw.js keeps the menu offline, and (written by another agency, with no look at
 * the banner) sends a GA4 page_view from the worker for every page it serves. */
SiteConsent.onChoice((choice) => {
  if (choice === "accepted") SiteTags.googleTag("G-FJB2K7M4WX");
});
if ("serviceWorker" in navigator) navigator.serviceWorker.register("/sw.js");
