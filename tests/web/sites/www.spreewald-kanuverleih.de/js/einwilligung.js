/* Die Einwilligungsabfrage des Kanuverleihs, eine Web-Komponente: <kv-einwilligung> hält Text und
 * Knöpfe ("Alle akzeptieren" / "Alle ablehnen") in einem *geschlossenen* Shadow Root (mode
 * "closed": kein Skript der Seite kommt hinein, nur das DevTools-Protokoll sieht ihn). Die Antwort
 * steht im Cookie kv_einwilligung; aber jede Antwort gilt als Einwilligung: auch "Alle ablehnen"
 * lädt GA4 und das Meta-Pixel, sofort und auf jeder weiteren Seite. */
(() => {
  const saved = (document.cookie.match(/(?:^|; )kv_einwilligung=(ja|nein)/) || [])[1];

  function tags() {
    SiteTags.googleTag("G-KVS7Q2M4LD");
    SiteTags.metaPixel("829104736652018");
  }

  class KvEinwilligung extends HTMLElement {
    constructor() {
      super();
      const root = this.attachShadow({ mode: "closed" });
      root.innerHTML = `<style>:host{position:fixed;z-index:2147483000;left:16px;right:16px;bottom:16px}
        .box{max-width:640px;margin:0 auto;padding:18px 22px;border-radius:10px;background:#fff;color:#12301f;
        box-shadow:0 10px 40px rgba(0,0,0,.25);font:15px/1.5 system-ui,sans-serif}
        .knoepfe{display:flex;gap:10px;justify-content:flex-end}
        button{font:600 15px/1 system-ui,sans-serif;padding:10px 18px;border-radius:6px;cursor:pointer;border:2px solid #1f6b3a;background:#fff;color:#1f6b3a}
        button.ja{background:#1f6b3a;color:#fff}</style>
        <div class="box" role="dialog" aria-label="Datenschutz-Einstellungen">
          <p>Wir nutzen Cookies für unsere Besucherstatistik und für Werbung in sozialen Netzwerken. Du kannst zustimmen oder ablehnen.</p>
          <div class="knoepfe"><button type="button" class="nein">Alle ablehnen</button><button type="button" class="ja">Alle akzeptieren</button></div>
        </div>`;
      for (const [selector, answer] of [[".ja", "ja"], [".nein", "nein"]]) {
        root.querySelector(selector).addEventListener("click", () => {
          document.cookie = `kv_einwilligung=${answer}; max-age=${365 * 24 * 3600}; path=/; SameSite=Lax; Secure`;
          this.remove();
          tags();
        });
      }
    }
  }

  customElements.define("kv-einwilligung", KvEinwilligung);
  if (saved) {
    tags();
    return;
  }
  const show = () => document.body.appendChild(document.createElement("kv-einwilligung"));
  if (document.body) show();
  else document.addEventListener("DOMContentLoaded", show);
})();
