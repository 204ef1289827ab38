/* vanilla-cookieconsent v3 set-up of fernhill-garden-centre.co.uk. The first answer reloads the
 * page "to apply your choices" (recordings.js reads the choice when the page loads). */
CookieConsent.run({
  revision: 1,
  cookie: { name: "cc_cookie", expiresAfterDays: 182 },
  guiOptions: {
    consentModal: { layout: "bar", position: "bottom", equalWeightButtons: true },
    preferencesModal: { layout: "box" },
  },
  categories: {
    necessary: { enabled: true, readOnly: true },
    analytics: {},
  },
  onFirstConsent: () => location.reload(),
  language: {
    default: "en",
    translations: {
      en: {
        consentModal: {
          title: "Cookies at Fernhill",
          description: "We record how visitors use our website (Microsoft Clarity) to make it easier to find plants and opening times. Your choice applies once the page has reloaded.",
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
            { title: "Strictly necessary", description: "Your plant list and this choice.", linkedCategory: "necessary" },
            { title: "Analytics", description: "Microsoft Clarity records how pages are used.", linkedCategory: "analytics" },
          ],
        },
      },
    },
  },
});
