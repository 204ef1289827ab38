/* Harbourside Dental: measurement and advertising only with consent. Google Consent Mode starts
 * denied; "Accept all" (now or remembered) grants it and loads the GTM container GTM-HSD4T7Q
 * (GA4 + Meta pixel). "Reject all" loads nothing. */
SiteTags.consent("default", "denied");
SiteConsent.onChoice((choice) => {
  if (choice !== "accepted") return;
  SiteTags.consent("update", "granted");
  SiteTags.gtm("GTM-HSD4T7Q");
});

document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("booking-form");
  if (!form) return;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const when = new Date(form.elements.date.value).toLocaleDateString("en-GB", { weekday: "long", day: "numeric", month: "long" });
    form.replaceWith(Object.assign(document.createElement("p"), {
      className: "notice",
      textContent: `Thank you, ${form.elements.name.value.split(" ")[0]}. We will call you to confirm your visit on ${when}.`,
    }));
  });
});
