/* gazzetta-del-lago.it: Google (GVL vendor 755) serves the leaderboard ad and measures the audience
 * only when the TCF consent says so: purpose 1 (store/access on a device) and vendor 755. */
window.__tcfapi("addEventListener", 2, (tcData, ok) => {
  if (!ok || !["tcloaded", "useractioncomplete"].includes(tcData.eventStatus)) return;
  const google = tcData.purpose.consents[1] && tcData.vendor.consents[755];
  if (!google || window.__gdlTagsLoaded) return;
  window.__gdlTagsLoaded = true;
  SiteTags.googleTag("G-GDL9V2M6KP");
  const slot = () => SiteTags.adSlot("/22817736450/gazzettadellago/home", [728, 90], "ad-leaderboard");
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", slot);
  else slot();
});
