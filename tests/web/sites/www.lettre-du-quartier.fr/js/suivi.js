// What leaky marketing snippets do with form fields before anyone presses "submit"
// (hand-written test emulation): the e-mail, hashed after lower-casing and trimming, goes to the
// Meta pixel on blur ("advanced matching"); the phone goes, as typed, to a session-replay
// recorder on every keystroke; the first-party address check gets the e-mail too (not a leak).
(() => {
  const email = document.getElementById("courriel");
  const phone = document.getElementById("tel");
  const sha256 = async (text) => {
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
    return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
  };
  email.addEventListener("blur", async () => {
    if (!email.value.includes("@")) return;
    const em = await sha256(email.value.trim().toLowerCase());
    new Image().src = "https://www.facebook.com/tr/?id=551177300913&ev=Lead&ud[em]=" + em;
    fetch("/api/verifier?email=" + encodeURIComponent(email.value));
  });
  let timer = null;
  phone.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      fetch("https://in.hotjar.com/api/v2/client/sites/3817264/visit-data", {
        method: "POST", headers: { "content-type": "application/json" },
        body: JSON.stringify({ events: [{ type: "input", selector: "#tel", value: phone.value }] }),
      });
    }, 200);
  });
})();
