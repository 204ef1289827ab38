/* Fernhill's session recordings (Microsoft Clarity), set up by its web agency: Clarity runs on
 * every page from the first visit, cookieless until the visitor accepts analytics (Clarity's
 * consent API), and is no longer loaded once the visitor has refused analytics. The choice is read
 * from vanilla-cookieconsent's cookie cc_cookie; a new choice applies from the next page load,
 * which is why consent.js reloads the page when the visitor answers the banner. */
(() => {
  const saved = document.cookie.match(/(?:^|; )cc_cookie=([^;]*)/);
  let categories = null;
  try {
    categories = saved ? JSON.parse(decodeURIComponent(saved[1])).categories : null;
  } catch {
    categories = null;
  }
  if (categories && !categories.includes("analytics")) return;
  SiteTags.clarity("fh7k2m9q4x");
  if (categories) window.clarity("consent");
})();
