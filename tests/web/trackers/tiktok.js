/* FAKE TikTok Pixel (analytics.tiktok.com/i18n/pixel/events.js) for the leakmap test web.
 * Processes the ttq queue ([["load", id], ["page"], ["track", event, props]]): keeps the
 * first-party _ttp cookie (13 months), session keys in sessionStorage (tt_sessionId,
 * tt_pixel_session_index) and POSTs each event to analytics.tiktok.com/api/v2/pixel. */
const queue = window.ttq || [];
if (!Array.isArray(queue)) return;
const codes = [];
let index = Number(sessionStorage.getItem("tt_pixel_session_index") || "0");

function anonymousId() {
  const value = T.getCookie("_ttp") || T.hex(13).slice(0, 26).toUpperCase();
  T.setCookie("_ttp", value, 395 * 24 * 3600);
  return value;
}

function send(event, properties) {
  const sessionId = sessionStorage.getItem("tt_sessionId") || `${T.uuid()}::${T.hex(8)}`;
  sessionStorage.setItem("tt_sessionId", sessionId);
  sessionStorage.setItem("tt_pixel_session_index", String((index += 1)));
  for (const code of codes) {
    T.post("https://analytics.tiktok.com/api/v2/pixel", JSON.stringify({
      event, message_id: `messageId-${Date.now()}-${T.digits(10)}`, event_id: "", is_onsite: false,
      timestamp: new Date().toISOString(),
      context: {
        ad: {}, user: { anonymous_id: anonymousId() }, session_id: sessionId, pixel: { code },
        page: { url: location.href, referrer: document.referrer }, library: { name: "pixel.js", version: "2.2.1" },
        device: { platform: "pc" }, userAgent: navigator.userAgent,
      },
      properties: properties || {},
    }));
  }
}

function handle([method, ...args]) {
  if (method === "load" && !codes.includes(args[0])) codes.push(args[0]);
  else if (method === "page") send("Pageview");
  else if (method === "track") send(args[0], args[1]);
}

queue.forEach(handle);
window.ttq = { push: (...items) => items.forEach(handle), page: () => send("Pageview"), track: (e, p) => send(e, p) };
