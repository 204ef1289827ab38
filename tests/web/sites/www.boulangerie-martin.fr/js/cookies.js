/* Bandeau cookies de la Boulangerie Martin, en français seulement (modèle recommandé par la CNIL :
 * « Continuer sans accepter » en haut à droite, « J'accepte », « Personnaliser »). Le choix est
 * conservé six mois dans le cookie bm_consentement (oui / non). */
(() => {
  const NAME = "bm_consentement";
  const stored = (document.cookie.match(new RegExp(`(?:^|; )${NAME}=(oui|non)`)) || [])[1];
  const apply = (answer) => {
    if (answer !== "oui") return;
    SiteTags.googleTag("G-BLM2Q7X4FD");
    SiteTags.metaPixel("618273645509127");
  };
  if (stored) return apply(stored);
  const STYLE = `
    #bandeau-cookies { position: fixed; left: 50%; top: 50%; transform: translate(-50%, -50%); width: min(520px, 92vw);
      z-index: 2147483000; background: #fff; color: #3b2a1a; border-radius: 10px; padding: 26px 24px 18px;
      box-shadow: 0 0 0 100vmax rgba(0,0,0,.35); font: 15px/1.5 system-ui, sans-serif; }
    #bandeau-cookies h2 { margin: 0 0 8px; font-size: 18px; }
    #bandeau-cookies #reject-all { position: absolute; top: 8px; right: 12px; border: 0; background: none; color: #6b5a4a;
      text-decoration: underline; font: inherit; font-size: 13px; cursor: pointer; }
    #bandeau-cookies .actions { display: flex; gap: 10px; justify-content: flex-end; margin-top: 14px; }
    #bandeau-cookies .actions button { font: inherit; font-weight: 600; padding: 9px 16px; border-radius: 6px; cursor: pointer;
      border: 2px solid #9a5b13; background: #fff; color: #9a5b13; }
    #bandeau-cookies #accept-all { background: #9a5b13; color: #fff; }`;
  function decide(answer, box) {
    document.cookie = `${NAME}=${answer}; max-age=${182 * 24 * 3600}; path=/; SameSite=Lax; Secure`;
    box.remove();
    apply(answer);
  }
  function render() {
    const style = document.createElement("style");
    style.textContent = STYLE;
    document.head.appendChild(style);
    const box = document.createElement("div");
    box.id = "bandeau-cookies";
    box.setAttribute("role", "dialog");
    box.setAttribute("aria-labelledby", "bandeau-titre");
    box.innerHTML = `<button type="button" id="reject-all">Continuer sans accepter →</button>
      <h2 id="bandeau-titre">Ce site utilise des cookies</h2>
      <p>Avec votre accord, nous utilisons des cookies pour mesurer la fréquentation du site et l'efficacité de nos
      publicités. Vous pouvez changer d'avis à tout moment.</p>
      <div class="actions"><button type="button" id="personnaliser">Personnaliser</button>
      <button type="button" id="accept-all">J'accepte</button></div>`;
    box.querySelector("#accept-all").addEventListener("click", () => decide("oui", box));
    box.querySelector("#reject-all").addEventListener("click", () => decide("non", box));
    box.querySelector("#personnaliser").addEventListener("click", () => {
      box.querySelector(".actions").innerHTML = `<button type="button" id="tout-refuser">Tout refuser</button>
        <button type="button" id="tout-accepter">Tout accepter</button>`;
      box.querySelector("#tout-accepter").addEventListener("click", () => decide("oui", box));
      box.querySelector("#tout-refuser").addEventListener("click", () => decide("non", box));
    });
    document.body.appendChild(box);
  }
  if (document.body) render();
  else document.addEventListener("DOMContentLoaded", render);
})();
