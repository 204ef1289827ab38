/* Klaro, introduced with the relaunch of lindenhof-weingut.de: Google Analytics only with consent. */
var klaroConfig = {
  version: 1,
  storageMethod: "cookie",
  cookieName: "klaro",
  cookieExpiresAfterDays: 180,
  privacyPolicy: "/datenschutz.html",
  lang: "de",
  default: false,
  mustConsent: false,
  acceptAll: true,
  translations: {
    de: {
      consentNotice: { description: "Dürfen wir Google Analytics nutzen, um zu sehen, wie unsere Website genutzt wird?" },
      purposes: { analytics: "Besucherstatistik" },
    },
  },
  services: [{ name: "google-analytics", title: "Google Analytics", purposes: ["analytics"], cookies: [/^_ga(_.*)?$/] }],
};
