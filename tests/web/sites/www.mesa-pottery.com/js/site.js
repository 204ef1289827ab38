/* Mesa Pottery honours Global Privacy Control: with the signal on, the Meta pixel does not load
 * (its GPP CMP records the opt-out too). The status is written only into the privacy-choices
 * panel, which stays closed until the visitor opens it from the footer. No cookie banner. */
const gpc = navigator.globalPrivacyControl === true;
if (!gpc) SiteTags.metaPixel("377261009458113");
document.addEventListener("DOMContentLoaded", () => {
  const panel = document.getElementById("choices");
  panel.querySelector(".status").textContent = gpc ? "Opt-Out Request Honored" : "You have not opted out.";
  panel.querySelector("input").checked = gpc;
  document.getElementById("open-choices").addEventListener("click", (event) => {
    event.preventDefault();
    panel.hidden = !panel.hidden;
  });
});
