/* vanilla-cookieconsent v3 set-up of shannon-surf-school.ie: GA4 (analytics) and the Meta pixel
 * (marketing) only after the visitor allows them; the choice is kept in cc_cookie (182 days). The
 * site gives no way to reopen the choice (no "Cookie preferences" link, no floating button) and
 * does not clear the services' cookies when a category is refused (no autoClear). */
CookieConsent.run({
  revision: 1,
  cookie: { name: "cc_cookie", expiresAfterDays: 182 },
  guiOptions: {
    consentModal: { layout: "box", position: "bottom left", equalWeightButtons: true },
    preferencesModal: { layout: "box" },
  },
  categories: {
    necessary: { enabled: true, readOnly: true },
    analytics: {},
    marketing: {},
  },
  language: {
    default: "en",
    translations: {
      en: {
        consentModal: {
          title: "Cookies at Shannon Surf School",
          description: "We use cookies to count visits and to measure our ads on Facebook and Instagram.",
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
            { title: "Strictly necessary", description: "Your booking and this choice.", linkedCategory: "necessary" },
            { title: "Analytics", description: "Google Analytics counts visits and pages.", linkedCategory: "analytics" },
            { title: "Marketing", description: "The Meta pixel measures our ads.", linkedCategory: "marketing" },
          ],
        },
      },
    },
  },
});
