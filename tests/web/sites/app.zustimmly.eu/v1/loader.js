/* Zustimmly loader (a hosted consent platform of the leakmap test web, unknown to every list,
 * cross-site from the sites that embed it). The page includes
 *
 *   <script src="https://app.zustimmly.eu/v1/loader.js" data-site="..."></script>
 *
 * Without an answer, the banner is shown in an iframe from app.zustimmly.eu; the frame stores the
 * answer on the platform's side (POST /v1/consent: the cookie zm_consent on .zustimmly.eu, the
 * word "accept" or "reject") and posts it to the page ({type: "zustimmly:choice", choice}); this
 * loader keeps the same word in the first-party cookie zm_choice (1 year), removes the frame and
 * tells the site through window.Zustimmly.onChoice(fn). On every page with an answer it checks the
 * platform's record (GET /v1/status, with the platform's cookie). */
(() => {
  const ORIGIN = "https://app.zustimmly.eu";
  const tag = document.currentScript;
  const site = tag.dataset.site || location.hostname;
  const listeners = [];
  const read = () => (document.cookie.match(/(?:^|; )zm_choice=(accept|reject)/) || [])[1] || null;
  const api = (window.Zustimmly = {
    choice: read(),
    onChoice(fn) {
      listeners.push(fn);
      if (api.choice) fn(api.choice);
    },
  });
  if (api.choice) {
    fetch(`${ORIGIN}/v1/status?site=${encodeURIComponent(site)}`, { credentials: "include" });
    return;
  }
  const frame = document.createElement("iframe");
  frame.src = `${ORIGIN}/v1/banner.html?site=${encodeURIComponent(site)}`;
  frame.title = "Datenschutz-Einstellungen";
  frame.id = "zustimmly-frame";
  frame.style.cssText = "position:fixed;left:50%;bottom:18px;transform:translateX(-50%);width:min(620px,94vw);"
    + "height:220px;border:0;border-radius:8px;box-shadow:0 8px 36px rgba(0,0,0,.28);z-index:2147483000;background:#fff";
  window.addEventListener("message", (event) => {
    if (event.origin !== ORIGIN || !event.data || event.data.type !== "zustimmly:choice") return;
    const choice = event.data.choice === "accept" ? "accept" : "reject";
    document.cookie = `zm_choice=${choice}; max-age=${365 * 24 * 3600}; path=/; SameSite=Lax; Secure`;
    api.choice = choice;
    frame.remove();
    for (const fn of listeners) fn(choice);
  });
  const show = () => document.body.appendChild(frame);
  if (document.body) show();
  else document.addEventListener("DOMContentLoaded", show);
})();
