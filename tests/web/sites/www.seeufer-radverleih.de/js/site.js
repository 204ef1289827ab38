/* Seeufer Radverleih's own script. The rental basket keeps its id in the first-party cookie `u`
 * and the last visit in `ts` (the site's own names: no third party reads them). Google Analytics
 * runs as long as the visitor has not refused "Statistik" -- so it runs before any answer: the
 * misconfiguration this fixture exists for. A refusal takes effect from the next page on. */
(() => {
  const read = (name) => (document.cookie.match(new RegExp(`(?:^|; )${name}=([^;]*)`)) || [])[1];
  if (!read("u")) {
    const id = Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => b.toString(16).padStart(2, "0")).join("");
    document.cookie = `u=${id}; max-age=${30 * 24 * 3600}; path=/; SameSite=Lax; Secure`;
  }
  document.cookie = `ts=${Math.floor(Date.now() / 1000)}; max-age=${365 * 24 * 3600}; path=/; SameSite=Lax; Secure`;
  let choice = null;
  try {
    const cc = read("cc_cookie");
    choice = cc ? JSON.parse(decodeURIComponent(cc)).categories || [] : null;
  } catch (e) {
    choice = null;
  }
  if (choice === null || choice.includes("analytics")) SiteTags.googleTag("G-SRV4H7K2PD");
})();
