/* FAKE Meta Pixel (connect.facebook.net/en_US/fbevents.js) for the leakmap test web.
 * Takes over the fbq() queue of the install snippet. For each pixel: loads its signals config
 * (connect.facebook.net/signals/config/<id>), keeps the first-party _fbp cookie (90 days) and
 * sends each event as GET https://www.facebook.com/tr/?id=&ev=&fbp=... (an image).
 * "Automatic advanced matching": an e-mail typed into a form field is hashed (SHA-256) and sent
 * with an event as ud[em] -- before the form is submitted, as the real pixel did (Senol et
 * al., "Leaky Forms", 2022). fbq('consent', 'revoke') stops sending. fbq('dataProcessingOptions',
 * ['LDU'], country, state) (Meta's Limited Data Use) adds dpo, dpoco and dpost to every event. */
const fbq = window.fbq;
if (!fbq || fbq.callMethod) return;
const pixels = [];
const loadedAt = Date.now();
let revoked = false;
let eventCount = 0;
let hashedEmail = null;
let processing = null;  // fbq('dataProcessingOptions', options, country, state)

function fbp() {
  const value = T.getCookie("_fbp") || `fb.1.${Date.now()}.${T.digits(10)}`;
  T.setCookie("_fbp", value, 90 * 24 * 3600);
  return value;
}

function send(id, ev, custom) {
  eventCount += 1;
  const params = {
    id, ev, dl: location.href, rl: document.referrer, if: false, ts: Date.now(),
    sw: screen.width, sh: screen.height, v: "2.9.176", r: "stable", ec: eventCount - 1, o: 4126,
    fbp: fbp(), it: loadedAt, coo: false, rqm: "GET",
  };
  for (const [k, v] of Object.entries(custom || {})) params[`cd[${k}]`] = v;
  if (hashedEmail) params["ud[em]"] = hashedEmail;
  if (processing && processing[0].length) {
    Object.assign(params, { dpo: processing[0].join(","), dpoco: processing[1] || 0, dpost: processing[2] || 0 });
  }
  T.pixel("https://www.facebook.com/tr/?" + T.qs(params));
}

function handle(method, ...args) {
  if (method === "consent") revoked = args[0] === "revoke";
  else if (method === "dataProcessingOptions") processing = [Array.isArray(args[0]) ? args[0] : [], args[1], args[2]];
  else if (method === "init" && !pixels.includes(String(args[0]))) {
    pixels.push(String(args[0]));
    T.load(`https://connect.facebook.net/signals/config/${args[0]}?v=2.9.176&r=stable&domain=${location.hostname}`);
  } else if ((method === "track" || method === "trackCustom") && !revoked) {
    for (const id of pixels) send(id, args[0], args[1]);
  }
}

async function sha256(text) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

async function watchEmail(event) {
  const field = event.target;
  if (revoked || !field.matches || !field.matches("input[type=email], input[name*=mail]")) return;
  const value = field.value.trim().toLowerCase();
  if (!/^[^@\s]+@[^@\s]+\.[a-z]{2,}$/.test(value)) return;
  const hashed = await sha256(value);
  if (hashed === hashedEmail) return;
  hashedEmail = hashed;
  handle("trackCustom", "SubscribedButtonClick", { form: field.form ? field.form.id || "form" : "none" });
}
document.addEventListener("input", watchEmail, true);
document.addEventListener("change", watchEmail, true);

fbq.callMethod = (...args) => handle(...args);
for (const args of fbq.queue.splice(0)) handle(...args);
