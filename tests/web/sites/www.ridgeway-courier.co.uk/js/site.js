/* The Ridgeway Courier: Google Analytics only once the reader accepts (now or remembered); a
 * refusal loads nothing. The newsletter box opens the "offer" window when the reader starts
 * typing into it, once per page. */
SiteTags.consent("default", "denied");
SiteConsent.onChoice((choice) => {
  if (choice !== "accepted") return;
  SiteTags.consent("update", "granted");
  SiteTags.googleTag("G-RDG4C7W2QX");
});

document.addEventListener("DOMContentLoaded", () => {
  const box = document.getElementById("newsletter-email");
  if (!box) return;
  let offered = false;
  box.addEventListener("keydown", () => {
    if (offered) return;
    offered = true;
    window.open("/newsletter-offer.html", "courier-offer", "width=480,height=360");
  });
});
