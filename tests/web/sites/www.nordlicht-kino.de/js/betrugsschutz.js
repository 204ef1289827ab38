/* Nordlicht Kino's "fraud prevention" for ticket bookings: FingerprintJS Pro identifies the
 * browser on every page, before any answer and whatever the answer, because the site counts it
 * as essential. FingerprintJS is listed both as fingerprinting and as fraud prevention, and
 * EasyPrivacy lists its API: the audit must judge it the same way in every rule. */
(() => {
  const signals = { tz: Intl.DateTimeFormat().resolvedOptions().timeZone, lang: navigator.language,
                    screen: [screen.width, screen.height, screen.colorDepth], cores: navigator.hardwareConcurrency };
  fetch("https://api.fpjs.io/?ci=js/3.11.0", { method: "POST", credentials: "include", body: JSON.stringify(signals) })
    .then((r) => r.json()).then((r) => { window.nordlichtVisitor = r.visitorId; }, () => {});
})();
