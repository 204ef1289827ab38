/* Klaro configuration of kiezrad-berlin.de: Google Analytics (statistics) and the Meta pixel
 * (marketing) run only with consent; the choice is kept 180 days in the first-party cookie "klaro".
 * Its cookie declaration is partly wrong: the Meta pixel's service lists no cookie, so the pixel's
 * _fbp (and Meta's own fr on facebook.com) are in no declaration of the site.
 * Klaro's own "Cookies" link (<a onclick="klaro.show()">) in every page's footer reopens it. The
 * services' cookies are named without their domain, so on a withdrawal Klaro looks for them on
 * www.kiezrad-berlin.de, where they are not (the tags write them on .kiezrad-berlin.de). */
var klaroConfig = {
  version: 1,
  elementID: "klaro",
  storageMethod: "cookie",
  cookieName: "klaro",
  cookieExpiresAfterDays: 180,
  privacyPolicy: "/datenschutz.html",
  lang: "de",
  default: false,
  mustConsent: false,
  acceptAll: true,
  hideDeclineAll: false,
  hideLearnMore: false,
  translations: {
    de: {
      consentNotice: {
        description: "Hallo! Dürfen wir Google Analytics für unsere Besucherstatistik und das Meta-Pixel für Werbung nutzen? Du kannst deine Auswahl jederzeit ändern.",
      },
      purposes: { analytics: "Besucherstatistik", marketing: "Marketing" },
      "google-analytics": { description: "Zählt Besuche und Seitenaufrufe (Google Ireland Ltd.)." },
      "meta-pixel": { description: "Misst den Erfolg unserer Anzeigen auf Facebook und Instagram (Meta Platforms Ireland Ltd.)." },
    },
  },
  services: [
    { name: "google-analytics", title: "Google Analytics", purposes: ["analytics"], cookies: [/^_ga(_.*)?$/] },
    { name: "meta-pixel", title: "Meta-Pixel", purposes: ["marketing"] },
  ],
};
