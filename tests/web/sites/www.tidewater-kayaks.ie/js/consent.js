/* vanilla-cookieconsent v3 set-up of tidewater-kayaks.ie: necessary cookies only until the visitor
 * allows "analytics" (GA4) or "marketing" (Meta pixel); the choice is kept in cc_cookie (182 days). */
CookieConsent.run({
  revision: 2,
  cookie: { name: "cc_cookie", expiresAfterDays: 182 },
  guiOptions: {
    consentModal: { layout: "box", position: "bottom right", equalWeightButtons: true },
    preferencesModal: { layout: "box" },
  },
  categories: {
    necessary: { enabled: true, readOnly: true },
    analytics: { autoClear: { cookies: [{ name: /^_ga/ }] } },
    marketing: { autoClear: { cookies: [{ name: "_fbp" }] } },
  },
  language: {
    default: "en",
    translations: {
      en: {
        consentModal: {
          title: "Cookies on Tidewater Kayaks",
          description: "We use cookies to count visits and to measure our ads on Facebook and Instagram. Necessary cookies keep your booking basket working.",
          acceptAllBtn: "Accept all",
          acceptNecessaryBtn: "Reject all",
          showPreferencesBtn: "Manage preferences",
        },
        preferencesModal: {
          title: "Cookie preferences",
          acceptAllBtn: "Accept all",
          acceptNecessaryBtn: "Reject all",
          savePreferencesBtn: "Save preferences",
          closeIconLabel: "Close",
          sections: [
            { title: "Strictly necessary", description: "Your booking basket and this choice.", linkedCategory: "necessary" },
            { title: "Analytics", description: "Google Analytics counts visits and pages.", linkedCategory: "analytics" },
            { title: "Marketing", description: "The Meta pixel measures our ads.", linkedCategory: "marketing" },
          ],
        },
      },
    },
  },
});
