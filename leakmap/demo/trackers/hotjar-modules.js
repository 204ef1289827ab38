/* FAKE Hotjar recording module (script.hotjar.com/modules.<build>.js) for the leakmap test web:
 * session replay at the network/storage level. Keeps the first-party cookies
 * _hjSessionUser_<site> (1 year) and _hjSession_<site> (30 minutes) and the storage keys
 * hjActiveViewportIds (localStorage), hjViewportId and _hjRecordingLastActivity (sessionStorage);
 * POSTs the visit to in.hotjar.com, then streams a snapshot of the page and the visitor's
 * mouse, scroll and input events (values masked) over wss://ws.hotjar.com. */
const settings = window.hjSiteSettings;
if (!settings || window.__fakeHotjar) return;
window.__fakeHotjar = true;
const site = settings.site_id;

function b64json(value) {
  return btoa(JSON.stringify(value));
}
function readUser() {
  try {
    return JSON.parse(atob(T.getCookie(`_hjSessionUser_${site}`) || ""));
  } catch {
    return null;
  }
}
const known = readUser();
const user = known ? { ...known, existing: true } : { id: T.hex(8), created: Date.now(), existing: false };
T.setCookie(`_hjSessionUser_${site}`, b64json(user), 365 * 24 * 3600);
const session = T.getCookie(`_hjSession_${site}`) ? JSON.parse(atob(T.getCookie(`_hjSession_${site}`)))
  : { id: T.uuid(), c: Date.now(), s: 0, r: 1, sb: 0, sr: 0, se: 0, fs: 1, sp: 0 };
T.setCookie(`_hjSession_${site}`, b64json(session), 1800);

const viewport = T.uuid();
const active = JSON.parse(localStorage.getItem("hjActiveViewportIds") || "{}");
active[viewport] = Date.now();
localStorage.setItem("hjActiveViewportIds", JSON.stringify(active));
sessionStorage.setItem("hjViewportId", viewport);

T.post(`https://in.hotjar.com/api/v2/client/sites/${site}/visit-data?sv=7`, JSON.stringify({
  window_width: innerWidth, window_height: innerHeight, url: location.href, user_id: user.id,
  session_id: session.id, is_vpv: false, r_value: 1, referrer: document.referrer,
}));

const socket = new WebSocket("wss://ws.hotjar.com/api/v2/client/ws?v=6");
let batch = [];
let flushTimer = null;
function flush() {
  flushTimer = null;
  if (!batch.length || socket.readyState !== WebSocket.OPEN) return;
  socket.send(JSON.stringify({ action: "events", site_id: site, viewport, events: batch.splice(0) }));
  sessionStorage.setItem("_hjRecordingLastActivity", String(Date.now()));
}
function record(type, data) {
  batch.push({ type, time: Date.now(), ...data });
  if (!flushTimer) flushTimer = setTimeout(flush, 1000);
}
socket.addEventListener("open", () => {
  socket.send(JSON.stringify({ action: "identify", site_id: site, user_id: user.id, session_id: session.id, viewport }));
  T.whenReady(() => socket.send(JSON.stringify({
    action: "page_content", url: location.href, width: innerWidth, height: innerHeight,
    content: document.documentElement.outerHTML.slice(0, 60000),
  })));
});
addEventListener("mousemove", (e) => record("mouse", { x: e.clientX, y: e.clientY }), { passive: true });
addEventListener("scroll", () => record("scroll", { y: Math.round(scrollY) }), { passive: true });
addEventListener("click", (e) => record("click", { x: e.clientX, y: e.clientY }), true);
addEventListener("input", (e) => record("input", { name: e.target.name || e.target.id, value: "*".repeat((e.target.value || "").length) }), true);
addEventListener("pagehide", flush);
