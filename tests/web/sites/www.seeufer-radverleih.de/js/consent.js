/* vanilla-cookieconsent v3 set-up of seeufer-radverleih.de. The first layer offers "Alle
 * akzeptieren" and "Einstellungen" only: refusing takes the preferences layer's "Alle ablehnen".
 * Opening the preferences is counted in Google Analytics (a `gtag` event), as many sites count
 * banner interactions. A refusal stops the analytics tag from the next page on (js/site.js reads
 * the choice). The Meta pixel (marketing) runs only once allowed. The choice is kept in cc_cookie
 * (182 days). */
CookieConsent.run({
  revision: 1,
  cookie: { name: "cc_cookie", expiresAfterDays: 182 },
  guiOptions: {
    consentModal: { layout: "box", position: "bottom right" },
    preferencesModal: { layout: "box" },
  },
  categories: {
    necessary: { enabled: true, readOnly: true },
    analytics: {},
    marketing: {},
  },
  onModalShow: ({ modalName }) => {
    if (modalName === "preferencesModal" && window.gtag) window.gtag("event", "cookie_einstellungen_geoeffnet");
  },
  onConsent: ({ cookie }) => {
    if (cookie.categories.includes("marketing")) SiteTags.metaPixel("771203948561234");
  },
  language: {
    default: "de",
    translations: {
      de: {
        consentModal: {
          title: "Cookies beim Seeufer Radverleih",
          description: "Wir zählen Besuche mit Google Analytics und messen unsere Anzeigen auf Facebook und Instagram.",
          acceptAllBtn: "Alle akzeptieren",
          showPreferencesBtn: "Einstellungen",
        },
        preferencesModal: {
          title: "Cookie-Einstellungen",
          acceptAllBtn: "Alle akzeptieren",
          acceptNecessaryBtn: "Alle ablehnen",
          savePreferencesBtn: "Auswahl speichern",
          closeIconLabel: "Schließen",
          sections: [
            { title: "Notwendig", description: "Ihr Mietkorb und diese Auswahl.", linkedCategory: "necessary" },
            { title: "Statistik", description: "Google Analytics zählt Besuche und Seiten.", linkedCategory: "analytics" },
            { title: "Marketing", description: "Das Meta-Pixel misst unsere Anzeigen.", linkedCategory: "marketing" },
          ],
        },
      },
    },
  },
});
