/* Friesennerz Strick's own cookie banner (German): "Alle akzeptieren" / "Alle ablehnen"; the answer
 * is kept in the first-party cookie fs_consent, and GA4 and the Meta pixel run only after "Alle
 * akzeptieren", on this page and every later one. */
(() => {
  const saved = (document.cookie.match(/(?:^|; )fs_consent=(alle|keine)/) || [])[1];
  function tags() {
    SiteTags.googleTag("G-FNS8D3K6VR");
    SiteTags.metaPixel("551870392218634");
  }
  function render() {
    const banner = document.createElement("div");
    banner.id = "cookie-hinweis";
    banner.setAttribute("role", "dialog");
    banner.setAttribute("aria-label", "Cookie-Hinweis");
    banner.style.cssText = "position:fixed;left:16px;right:16px;bottom:16px;max-width:640px;margin:0 auto;z-index:2147483000;"
      + "background:#fff;color:#1b2a3a;border-radius:8px;box-shadow:0 8px 30px rgba(0,0,0,.3);padding:18px 22px;font:15px/1.5 system-ui,sans-serif";
    banner.innerHTML = `<p style="margin:0 0 12px">Wir verwenden Cookies für unsere Statistik und für Werbung auf Facebook und Instagram.</p>
      <div style="display:flex;gap:10px;justify-content:flex-end">
      <button type="button" id="cookies-nein">Alle ablehnen</button><button type="button" id="cookies-ja">Alle akzeptieren</button></div>`;
    for (const [id, answer] of [["cookies-ja", "alle"], ["cookies-nein", "keine"]]) {
      banner.querySelector(`#${id}`).addEventListener("click", () => {
        document.cookie = `fs_consent=${answer}; max-age=${365 * 24 * 3600}; path=/; SameSite=Lax; Secure`;
        banner.remove();
        if (answer === "alle") tags();
      });
    }
    document.body.appendChild(banner);
  }
  if (saved === "alle") tags();
  if (saved) return;
  if (document.body) render();
  else document.addEventListener("DOMContentLoaded", render);
})();
