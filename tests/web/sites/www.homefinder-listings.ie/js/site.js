/* HomeFinder: the sidebar ad (Criteo Publisher Tag) loads on every page whatever the visitor
 * chose -- the slot is sold before the banner is answered. Criteo then syncs its user id through
 * LiveRamp and Adobe Audience Manager to Google: a data-broker ID-sync redirect chain.
 * Google Analytics only runs after "Accept all". */
SiteTags.criteoDisplay(8042, 1442801, "ad-sidebar");
SiteTags.consent("default", "denied");
SiteConsent.onChoice((choice) => {
  if (choice !== "accepted") return;
  SiteTags.consent("update", "granted");
  SiteTags.googleTag("G-HFL2K9D4WS");
});

function repayment(principal, yearlyRate, years) {
  const r = yearlyRate / 100 / 12, n = years * 12;
  return r === 0 ? principal / n : (principal * r) / (1 - Math.pow(1 + r, -n));
}
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("calculator");
  if (!form) return;
  const update = () => {
    const amount = Number(form.elements.price.value) - Number(form.elements.deposit.value);
    const monthly = repayment(Math.max(amount, 0), Number(form.elements.rate.value), Number(form.elements.years.value));
    document.getElementById("monthly").textContent = monthly.toLocaleString("en-IE", { style: "currency", currency: "EUR" });
  };
  form.addEventListener("input", update);
  update();
});
