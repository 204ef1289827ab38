/* Seeblick Zeitung's "pay or OK" wall: read with advertising and tracking ("Zustimmen"), or take the
 * ad-free subscription ("Pur-Abo", a link to /abo.html); there is no free way to refuse. The answer
 * is kept in the first-party cookie sz_zustimmung; GA4 and the Meta pixel run after "Zustimmen",
 * on this page and every later one. */
(() => {
  const saved = /(?:^|; )sz_zustimmung=ja/.test(document.cookie);
  function tags() {
    SiteTags.googleTag("G-SBZ6T1N9QH");
    SiteTags.metaPixel("690317254408821");
  }
  function render() {
    const wall = document.createElement("div");
    wall.id = "zustimmung";
    wall.setAttribute("role", "dialog");
    wall.setAttribute("aria-label", "Werbung, Tracking oder Pur-Abo");
    wall.style.cssText = "position:fixed;left:16px;right:16px;bottom:16px;max-width:680px;margin:0 auto;z-index:2147483000;"
      + "background:#fff;color:#151515;border-radius:8px;box-shadow:0 8px 30px rgba(0,0,0,.35);padding:20px 24px;font:15px/1.5 system-ui,sans-serif";
    wall.innerHTML = `<h2 style="margin:0 0 8px;font-size:18px">Lesen Sie mit Werbung oder im Pur-Abo</h2>
      <p style="margin:0 0 14px">Wir finanzieren unseren Journalismus mit Werbung. Mit Ihrer Zustimmung speichern wir und unsere
      Partner Cookies für Reichweitenmessung und personalisierte Werbung. Werbe- und trackingfrei lesen Sie mit unserem Pur-Abo.</p>
      <div style="display:flex;gap:14px;align-items:center;justify-content:flex-end">
      <a class="pur" href="/abo.html">Pur-Abo: werbefrei lesen für 2,99 € im Monat</a>
      <button type="button" id="zustimmen" style="padding:10px 20px;font-weight:600">Zustimmen</button></div>`;
    wall.querySelector("#zustimmen").addEventListener("click", () => {
      document.cookie = `sz_zustimmung=ja; max-age=${365 * 24 * 3600}; path=/; SameSite=Lax; Secure`;
      wall.remove();
      tags();
    });
    document.body.appendChild(wall);
  }
  if (saved) {
    tags();
    return;
  }
  if (document.body) render();
  else document.addEventListener("DOMContentLoaded", render);
})();
