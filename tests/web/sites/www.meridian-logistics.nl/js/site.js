/* Meridian Logistics: Google Analytics only after "Accept all". Two sub-pages carry tags that
 * other teams pasted into them, whatever the visitor chose: the careers page the LinkedIn Insight
 * Tag, the partner-offer campaign page (not linked anywhere, only in sitemap.xml) the Taboola pixel. */
SiteTags.consent("default", "denied");
SiteConsent.onChoice((choice) => {
  if (choice !== "accepted") return;
  SiteTags.consent("update", "granted");
  SiteTags.googleTag("G-MRD4L8S2QV");
});
