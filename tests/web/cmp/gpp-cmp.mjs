/* A small IAB GPP (Global Privacy Platform) consent platform for US sites of the leakmap test web,
 * built on the IAB's own @iabgpp/cmpapi (the __gpp page API and the GPP string encoder). Bundled at
 * test set-up with esbuild (README.md next to this file); never committed built.
 *
 *   <script src="/consent/gpp-cmp.js" data-honour-gpc="true"></script>
 *
 * On load it answers __gpp with the US national section (usnat, id 7), the notices given, and
 * the visitor's opt-outs of sale, sharing and targeted advertising: with data-honour-gpc="true"
 * and navigator.globalPrivacyControl === true they read 1 (opted out), else 2 (did not opt out);
 * the section's GPC subsection records whether the browser sent GPC. The same answer is kept in
 * the first-party US Privacy cookie `usprivacy` (1YYN / 1YNN, 1 year) and given by __uspapi.
 */
import { CmpApi, CmpDisplayStatus, CmpStatus, SignalStatus } from "@iabgpp/cmpapi";

const CMP_ID = 413; // not an IAB-registered id: this CMP only exists on the test web
const CMP_VERSION = 1;
const tag = document.currentScript;
const honour = Boolean(tag && tag.dataset.honourGpc === "true");
const gpc = navigator.globalPrivacyControl === true;
const optedOut = honour && gpc;

const cmpApi = new CmpApi(CMP_ID, CMP_VERSION);
for (const notice of ["SharingNotice", "SaleOptOutNotice", "SharingOptOutNotice", "TargetedAdvertisingOptOutNotice"]) {
  cmpApi.setFieldValue("usnat", notice, 1);
}
for (const optOut of ["SaleOptOut", "SharingOptOut", "TargetedAdvertisingOptOut"]) {
  cmpApi.setFieldValue("usnat", optOut, optedOut ? 1 : 2);
}
cmpApi.setFieldValue("usnat", "GpcSegmentIncluded", true);
cmpApi.setFieldValue("usnat", "Gpc", gpc);
cmpApi.setApplicableSections([7]);
cmpApi.setCmpDisplayStatus(CmpDisplayStatus.HIDDEN);
cmpApi.setCmpStatus(CmpStatus.LOADED);
cmpApi.setSignalStatus(SignalStatus.READY);

const usp = optedOut ? "1YYN" : "1YNN";
document.cookie = `usprivacy=${usp}; Max-Age=${365 * 24 * 3600}; Path=/; SameSite=Lax`;
window.__uspapi = (command, version, callback) => {
  if (command === "getUSPData" && version === 1) callback({ version: 1, uspString: usp }, true);
  else callback(null, false);
};
