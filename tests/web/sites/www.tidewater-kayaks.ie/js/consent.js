/* vanilla-cookieconsent v3 set-up of tidewater-kayaks.ie: necessary cookies only until the visitor
 * allows "analytics" (GA4) or "marketing" (Meta pixel); the choice is kept in cc_cookie (182 days).
 * The preferences' cookie tables, the site's cookie declaration, are partly wrong: Google Analytics'
 * _ga is filed under "Strictly necessary", and _ga_TWK5N3C8VR is said to last 1 year (GA sets 2). */
const TABLE = { name: "Cookie", domain: "Domain", desc: "Description", exp: "Expiration" };

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
            {
              title: "Strictly necessary", description: "Your booking basket and this choice.", linkedCategory: "necessary",
              cookieTable: {
                headers: TABLE,
                body: [
                  { name: "cc_cookie", domain: "tidewater-kayaks.ie", desc: "Remembers your cookie choice", exp: "6 months" },
                  { name: "_ga", domain: "tidewater-kayaks.ie", desc: "Keeps your booking basket working", exp: "2 years" },
                ],
              },
            },
            {
              title: "Analytics", description: "Google Analytics counts visits and pages.", linkedCategory: "analytics",
              cookieTable: {
                headers: TABLE,
                body: [
                  { name: "_ga_TWK5N3C8VR", domain: "tidewater-kayaks.ie", desc: "Google Analytics: the visit's session", exp: "1 year" },
                ],
              },
            },
            {
              title: "Marketing", description: "The Meta pixel measures our ads.", linkedCategory: "marketing",
              cookieTable: {
                headers: TABLE,
                body: [
                  { name: "_fbp", domain: "tidewater-kayaks.ie", desc: "Meta pixel: measures our ads", exp: "3 months" },
                  { name: "fr", domain: "facebook.com", desc: "Meta: delivers and measures ads", exp: "3 months" },
                ],
              },
            },
          ],
        },
      },
    },
  },
});
