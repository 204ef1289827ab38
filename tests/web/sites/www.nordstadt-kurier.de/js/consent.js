/* Nordstadt-Kurier, a title of Hanse Medien: the visitor answers on the group's consent domain.
 * The banner's two links go to consent.hanse-medien.de/v2/decide, which keeps the answer (and a
 * consent id) in the group's cookies and sends the visitor back; the group's state script
 * (window.HanseConsent) then says what was chosen on every title. The site mirrors the answer in
 * its own cookie nk_consent and loads Google Analytics only after "Alle akzeptieren". */
(() => {
  const state = window.HanseConsent || { choice: null };
  if (state.choice) {
    document.cookie = `nk_consent=${state.choice}; max-age=${365 * 24 * 3600}; path=/; SameSite=Lax; Secure`;
    if (state.choice === "accept") SiteTags.googleTag("G-NSK4R7V2MD");
    return;
  }
  const decide = (choice) => "https://consent.hanse-medien.de/v2/decide?" + new URLSearchParams({
    choice, site: "nordstadt-kurier", return: location.href,
  });
  const banner = document.createElement("div");
  banner.id = "hm-banner";
  banner.setAttribute("role", "dialog");
  banner.setAttribute("aria-label", "Datenschutz");
  banner.innerHTML = "<strong>Ihre Daten, Ihre Wahl</strong><p>Hanse Medien und seine Partner möchten mit Ihrer "
    + "Einwilligung Cookies für Reichweitenmessung verwenden. Ihre Wahl gilt für alle Titel von Hanse Medien.</p>";
  for (const [id, text, choice] of [["hm-accept", "Alle akzeptieren", "accept"], ["hm-reject", "Alle ablehnen", "reject"]]) {
    const link = document.createElement("a");
    link.id = id;
    link.href = decide(choice);
    link.textContent = text;
    banner.appendChild(link);
  }
  document.body.appendChild(banner);
})();
