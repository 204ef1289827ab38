/* Brixton Climbing Wall's own cookie banner: the first layer offers "Accept all" and "Manage
 * preferences" only; refusing takes the second layer, where Analytics and Marketing come
 * pre-ticked and have to be switched off before "Save preferences". The answer is kept for a
 * year in the first-party cookie bcw_consent ({"analytics": bool, "marketing": bool}). */
(() => {
  const NAME = "bcw_consent";
  function stored() {
    const m = document.cookie.match(new RegExp(`(?:^|; )${NAME}=([^;]*)`));
    try { return m ? JSON.parse(decodeURIComponent(m[1])) : null; } catch { return null; }
  }
  function apply(choice) {
    if (choice.analytics) SiteTags.googleTag("G-BCW6T2J9HS");
    if (choice.marketing) SiteTags.metaPixel("556102938475610");
  }
  function save(choice, banner) {
    document.cookie = `${NAME}=${encodeURIComponent(JSON.stringify(choice))}; max-age=${365 * 24 * 3600}; path=/; SameSite=Lax; Secure`;
    banner.remove();
    apply(choice);
  }
  const choice = stored();
  if (choice) return apply(choice);

  const STYLE = `
    #bcw-consent { position: fixed; left: 16px; right: 16px; bottom: 16px; max-width: 640px; margin: 0 auto; z-index: 2147483000;
      background: #fff; color: #1c1c1c; border-radius: 8px; box-shadow: 0 10px 40px rgba(0,0,0,.3); padding: 18px 22px;
      font: 15px/1.5 system-ui, sans-serif; }
    #bcw-consent h2 { margin: 0 0 6px; font-size: 18px; }
    #bcw-consent p { margin: 0 0 12px; }
    #bcw-consent label { display: block; margin: 6px 0; }
    #bcw-consent .actions { display: flex; gap: 10px; justify-content: flex-end; margin-top: 12px; }
    #bcw-consent button { font: inherit; font-weight: 600; padding: 9px 16px; border-radius: 6px; cursor: pointer;
      border: 2px solid #c2410c; background: #fff; color: #c2410c; }
    #bcw-consent #accept-all { background: #c2410c; color: #fff; }`;
  function render() {
    const style = document.createElement("style");
    style.textContent = STYLE;
    document.head.appendChild(style);
    const banner = document.createElement("div");
    banner.id = "bcw-consent";
    banner.setAttribute("role", "dialog");
    banner.setAttribute("aria-label", "Cookie consent");
    banner.innerHTML = `<h2>Cookies at the wall</h2>
      <p>We use cookies to see how our site is used and to measure our adverts on Facebook and Instagram.</p>
      <div class="actions"><button type="button" id="manage">Manage preferences</button>
      <button type="button" id="accept-all">Accept all</button></div>`;
    banner.querySelector("#accept-all").addEventListener("click", () => save({ analytics: true, marketing: true }, banner));
    banner.querySelector("#manage").addEventListener("click", () => {
      banner.innerHTML = `<h2>Cookie preferences</h2>
        <label><input type="checkbox" checked disabled> Strictly necessary (always on)</label>
        <label><input type="checkbox" id="pref-analytics" checked> Analytics: Google Analytics</label>
        <label><input type="checkbox" id="pref-marketing" checked> Marketing: Meta pixel</label>
        <div class="actions"><button type="button" id="save">Save preferences</button></div>`;
      banner.querySelector("#save").addEventListener("click", () => save({
        analytics: banner.querySelector("#pref-analytics").checked,
        marketing: banner.querySelector("#pref-marketing").checked,
      }, banner));
    });
    document.body.appendChild(banner);
  }
  if (document.body) render();
  else document.addEventListener("DOMContentLoaded", render);
})();
