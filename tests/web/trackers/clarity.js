/* FAKE Microsoft Clarity tag (www.clarity.ms/tag/<project>) for the leakmap test web.
 * A session-replay recorder at the network and cookie level, like the real tag:
 *  - the page's commands queue on window.clarity (the install snippet) until the tag runs;
 *  - it records the page (here: its size, clicks and scroll) and uploads what it recorded with a
 *    POST (XMLHttpRequest) to https://k.clarity.ms/collect a second after load, and the rest with
 *    navigator.sendBeacon to the same URL when the page goes away ("pagehide");
 *  - consent mode (Clarity's consent API): without a consent signal it runs cookieless (ids
 *    in memory, a new visitor on each page); clarity("consent") makes it keep the visitor in the
 *    first-party cookies _clck (1 year) and _clsk (1 day). clarity("consent", false) erases them. */
const COLLECT = "https://k.clarity.ms/collect";
const queued = (window.clarity && window.clarity.q) || [];
const startedAt = Date.now();
let sequence = 0;
let consented = false;
let user = T.hex(6);
let session = T.hex(6);
const pending = [{ kind: "page", url: location.href, title: document.title, width: innerWidth, height: innerHeight }];

function keepVisitor() {
  const known = (T.getCookie("_clck") || "").split("|")[0];
  user = known || user;
  const previous = (T.getCookie("_clsk") || "").split("|")[0];
  session = previous || session;
  T.setCookie("_clck", `${user}|2|f${T.digits(2)}|0|${CONFIG.project.length}`, 365 * 24 * 3600);
  T.setCookie("_clsk", `${session}|${Date.now()}|1|1|k.clarity.ms/collect`, 24 * 3600);
}

function payload(end) {
  sequence += 1;
  const envelope = { v: "0.8.9", p: CONFIG.project, u: user, s: session, n: sequence, t: startedAt, d: Date.now() - startedAt,
                     e: end ? 1 : 0, c: consented ? 1 : 0, url: location.href };
  return JSON.stringify({ e: envelope, a: pending.splice(0) });
}

function command(name, value) {
  if (name === "consent" || name === "consentv2") {
    consented = name === "consent" ? value !== false : (value || {}).analytics_Storage === "granted";
    if (consented) keepVisitor();
    else for (const cookie of ["_clck", "_clsk"]) T.setCookie(cookie, "", -1);
  } else if (name === "event" || name === "set") {
    pending.push({ kind: name, value });
  }
}

window.clarity = (...args) => command(...args);
for (const args of queued) command(...args);
addEventListener("click", (e) => pending.push({ kind: "click", x: e.clientX, y: e.clientY }), true);
addEventListener("scroll", () => pending.push({ kind: "scroll", y: Math.round(scrollY) }), { passive: true });
T.whenReady(() => setTimeout(() => {
  const upload = new XMLHttpRequest();
  upload.open("POST", COLLECT);
  upload.withCredentials = true;
  upload.send(payload(false));
}, 1000));
addEventListener("pagehide", () => navigator.sendBeacon(COLLECT, payload(true)));
