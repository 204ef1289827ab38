/* CookieGate loader (a hosted consent platform of the leakmap test web, cross-site from the sites
 * that embed it). The page includes
 *
 *   <script src="https://consent.cookiegate.eu/v2/loader.js" data-site="..." data-lang="de"></script>
 *
 * Without a stored answer the banner is shown inside an iframe from consent.cookiegate.eu; the frame
 * posts the visitor's answer to the page ({type: "cookiegate:choice", choice: "all" | "necessary"}),
 * and this loader keeps it in the first-party cookie cg_consent (1 year), removes the frame and tells
 * the site through window.CookieGate.onChoice(fn). */
(() => {
  const ORIGIN = "https://consent.cookiegate.eu";
  const tag = document.currentScript;
  const listeners = [];
  const read = () => (document.cookie.match(/(?:^|; )cg_consent=(all|necessary)/) || [])[1] || null;
  const api = (window.CookieGate = {
    choice: read(),
    onChoice(fn) {
      listeners.push(fn);
      if (api.choice) fn(api.choice);
    },
  });
  if (api.choice) return;
  const frame = document.createElement("iframe");
  const params = new URLSearchParams({ site: tag.dataset.site || location.hostname, lang: tag.dataset.lang || "de" });
  frame.src = `${ORIGIN}/v2/frame.html?${params}`;
  frame.title = "Cookie-Einstellungen";
  frame.id = "cookiegate-frame";
  frame.style.cssText = "position:fixed;left:50%;bottom:20px;transform:translateX(-50%);width:min(640px,94vw);"
    + "height:230px;border:0;border-radius:10px;box-shadow:0 10px 40px rgba(0,0,0,.3);z-index:2147483000;background:#fff";
  window.addEventListener("message", (event) => {
    if (event.origin !== ORIGIN || !event.data || event.data.type !== "cookiegate:choice") return;
    const choice = event.data.choice === "all" ? "all" : "necessary";
    document.cookie = `cg_consent=${choice}; max-age=${365 * 24 * 3600}; path=/; SameSite=Lax; Secure`;
    api.choice = choice;
    frame.remove();
    for (const fn of listeners) fn(choice);
  });
  const show = () => document.body.appendChild(frame);
  if (document.body) show();
  else document.addEventListener("DOMContentLoaded", show);
})();
