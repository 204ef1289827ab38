/* Redwood Roasters honours Global Privacy Control by switching its tags to their service-provider
 * modes: Google Ads in restricted data processing, the Meta pixel in Limited Data Use (US,
 * California). Without the signal both run normally. No cookie banner (a US site). Under GPC a
 * status bar tells the visitor the opt-out was honoured (California regulation § 7025(c)(6)). */
const gpc = navigator.globalPrivacyControl === true;
SiteTags.googleTag("AW-752210394", { restrictedDataProcessing: gpc });
SiteTags.metaPixel("561002984417739", gpc ? { dataProcessingOptions: [["LDU"], 1, 1000] } : {});
if (gpc) {
  document.addEventListener("DOMContentLoaded", () => {
    const bar = document.createElement("div");
    bar.setAttribute("role", "status");
    bar.className = "gpc-status";
    bar.textContent = "Opt-Out Request Honored: your browser's Global Privacy Control signal was applied.";
    document.body.prepend(bar);
  });
}
