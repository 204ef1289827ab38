/* The Daily Harbour: measurement and advertising (GTM container GTM-DHN5R2W: GA4 and a Google
 * Publisher Tag leaderboard in a SafeFrame) only after "Accept all". The YouTube players are plain
 * embeds, there whatever the visitor chooses; the newsletter box is an iframe from our own
 * newsletter.dailyharbour-news.co.uk. */
SiteTags.consent("default", "denied");
SiteConsent.onChoice((choice) => {
  if (choice !== "accepted") return;
  SiteTags.consent("update", "granted");
  SiteTags.gtm("GTM-DHN5R2W");
});
