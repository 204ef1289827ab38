/* Klaro configuration of nordlicht-kino.de: the Meta pixel (marketing) only with consent; the
 * choice is kept 180 days in the first-party cookie "klaro". The trailers are plain YouTube
 * embeds that Klaro does not manage (the site thinks of them as content). */
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
  translations: {
    de: {
      consentNotice: { description: "Dürfen wir das Meta-Pixel nutzen, um unsere Anzeigen zu messen?" },
      purposes: { marketing: "Marketing" },
      "meta-pixel": { description: "Misst den Erfolg unserer Anzeigen auf Facebook und Instagram." },
    },
  },
  services: [
    { name: "meta-pixel", title: "Meta-Pixel", purposes: ["marketing"], cookies: ["_fbp"] },
  ],
};
