/* A small IAB TCF v2.2 consent platform for the leakmap test web, built on the IAB's own
 * libraries: @iabtcf/core (TCModel, GVL, TCString) and @iabtcf/cmpapi (the __tcfapi API).
 * Bundled at test set-up with esbuild (see README.md next to this file); never committed built.
 *
 *   <script src="/consent/tcf-cmp.js" data-lang="it" data-cc="IT"></script>
 *
 * On load it answers __tcfapi at once. With a stored choice (first-party cookie euconsent-v2) it
 * reports it (eventStatus "tcloaded") and shows nothing; otherwise it shows a first-layer dialog
 * (#accept-all / #reject-all) and reports "cmpuishown" with an empty TC string. A click encodes
 * the choice into a TC string (core + disclosed vendors segments), stores it for 390 days and
 * reports "useractioncomplete":
 *   accept all: every purpose, special feature and vendor consent, legitimate interests established;
 *   reject all: no consent at all; legitimate interests established (the visitor may object later).
 * The vendor list is the test web's own minimal fixture (vendor-list.json), not the IAB's list; it has
 * no translations, so @iabtcf/core encodes the consent language as the list's own, EN.
 */
import { CmpApi } from "@iabtcf/cmpapi";
import { GVL, Segment, TCModel, TCString } from "@iabtcf/core";
import vendorList from "./vendor-list.json";

const CMP_ID = 412; // not an IAB-registered id: this CMP only exists on the test web
const CMP_VERSION = 3;
const COOKIE = "euconsent-v2";
const MAX_AGE = 390 * 24 * 3600;
const LI_PURPOSES = [2, 7, 8, 9, 10, 11]; // TCF v2.2: purposes 1 and 3-6 need consent, never legitimate interest

const TEXTS = {
  it: {
    title: "Il tuo consenso per la privacy",
    text: (n) => `Noi e i nostri ${n} partner archiviamo e accediamo a informazioni sul tuo dispositivo, come i cookie, `
      + "e trattiamo dati personali per annunci e contenuti personalizzati, misurazione di annunci e contenuti e "
      + "sviluppo di servizi. Puoi accettare o rifiutare; puoi cambiare idea in qualsiasi momento dal link "
      + "«Privacy» in fondo alla pagina.",
    partners: "I nostri partner",
    accept: "Accetta tutto",
    reject: "Rifiuta tutto",
  },
  en: {
    title: "We value your privacy",
    text: (n) => `We and our ${n} partners store and access information on your device, such as cookies, and process `
      + "personal data for personalised ads and content, ad and content measurement and product development. "
      + "You can accept or refuse, and change your mind at any time from the Privacy link at the bottom of the page.",
    partners: "Our partners",
    accept: "Accept all",
    reject: "Reject all",
  },
};

const tag = document.currentScript;
const lang = (tag && tag.dataset.lang) || "en";
const texts = TEXTS[lang] || TEXTS.en;
const gvl = new GVL(vendorList);
const cmpApi = new CmpApi(CMP_ID, CMP_VERSION, true);

function storedString() {
  const m = document.cookie.match(new RegExp(`(?:^|; )${COOKIE}=([^;]*)`));
  return m ? decodeURIComponent(m[1]) : null;
}

function newModel() {
  const model = new TCModel(gvl);
  model.cmpId = CMP_ID;
  model.cmpVersion = CMP_VERSION;
  model.consentScreen = 1;
  model.publisherCountryCode = ((tag && tag.dataset.cc) || "IT").toUpperCase();
  model.isServiceSpecific = true;
  model.setAllVendorsDisclosed();
  model.setAllVendorLegitimateInterests();
  model.purposeLegitimateInterests.set(LI_PURPOSES);
  return model;
}

function save(accept) {
  const model = newModel();
  if (accept) {
    model.setAllPurposeConsents();
    model.setAllSpecialFeatureOptins();
    model.setAllVendorConsents();
  }
  const encoded = TCString.encode(model, { segments: [Segment.CORE, Segment.VENDORS_DISCLOSED] });
  document.cookie = `${COOKIE}=${encoded}; max-age=${MAX_AGE}; path=/; SameSite=Lax; Secure`;
  return encoded;
}

const STYLE = `
  #tcf-cmp { position: fixed; inset: auto 0 0 0; z-index: 2147483000; background: #fff; color: #1b1b1b;
    box-shadow: 0 -6px 30px rgba(0,0,0,.25); font: 15px/1.5 system-ui, sans-serif; padding: 20px 28px; }
  #tcf-cmp h2 { margin: 0 0 6px; font-size: 18px; }
  #tcf-cmp p { margin: 0 0 10px; max-width: 900px; }
  #tcf-cmp ul { margin: 0 0 12px; padding-left: 18px; font-size: 13px; color: #444; }
  #tcf-cmp .tcf-cmp__actions { display: flex; gap: 12px; justify-content: flex-end; }
  #tcf-cmp button { font: inherit; font-weight: 600; padding: 10px 20px; border-radius: 4px; cursor: pointer;
    border: 2px solid #0b5cab; }
  #tcf-cmp #accept-all { background: #0b5cab; color: #fff; }
  #tcf-cmp #reject-all { background: #fff; color: #0b5cab; }`;

function show() {
  const style = document.createElement("style");
  style.textContent = STYLE;
  document.head.appendChild(style);
  const box = document.createElement("div");
  box.id = "tcf-cmp";
  box.setAttribute("role", "dialog");
  box.setAttribute("aria-label", texts.title);
  const vendors = Object.values(gvl.vendors);
  const list = vendors.map((v) => `<li>${v.name}</li>`).join("");
  box.innerHTML = `<h2>${texts.title}</h2><p>${texts.text(vendors.length)}</p>`
    + `<details><summary>${texts.partners}</summary><ul>${list}</ul></details>`
    + `<div class="tcf-cmp__actions"><button type="button" id="reject-all">${texts.reject}</button>`
    + `<button type="button" id="accept-all">${texts.accept}</button></div>`;
  for (const [id, accept] of [["accept-all", true], ["reject-all", false]]) {
    box.querySelector(`#${id}`).addEventListener("click", () => {
      const encoded = save(accept);
      box.remove();
      cmpApi.update(encoded, false);
    });
  }
  document.body.appendChild(box);
}

const stored = storedString();
if (stored) {
  cmpApi.update(stored, false);
} else {
  cmpApi.update("", true);
  if (document.body) show();
  else document.addEventListener("DOMContentLoaded", show);
}
