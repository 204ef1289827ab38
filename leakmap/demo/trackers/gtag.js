/* FAKE Google tag (www.googletagmanager.com/gtag/js?id=G-...|AW-...) for the leakmap test web.
 * Reads gtag() commands from window.dataLayer and behaves like Google Analytics 4 and Google Ads
 * at the network/cookie level, with Consent Mode v2:
 *  - GA4 (G-...): a hit to https://region1.google-analytics.com/g/collect (EU time zones) or
 *    www.google-analytics.com with v=2&tid=&cid=, gcs=G1<ad><analytics> and gcd=13x3x3x3x5 when the
 *    site uses consent mode; with analytics_storage granted it keeps _ga and _ga_<ID> first-party
 *    cookies (2 years), when denied it sends a cookieless ping with a throw-away cid.
 *  - Google Ads (AW-...): a remarketing pixel to googleads.g.doubleclick.net when ad_storage is granted;
 *    with gtag('set', 'restricted_data_processing', true) it carries rdp=1 (Google's restricted data
 *    processing, as the Google tag documents it).
 * Several gtag/js loads on one page share one instance, like the real tag. */
if (window.__fakeGtag) return;
window.__fakeGtag = true;

const dataLayer = (window.dataLayer = window.dataLayer || []);
const consent = { defaults: {}, updates: {}, used: false };
const configs = [];
const settings = {};
const pageId = T.digits(10);
const loadedAt = performance.now();
let hitCount = 0;

// Consent Mode "gcd" letters: how each signal was set (default / update, granted / denied).
function gcdLetter(key) {
  const d = consent.defaults[key], u = consent.updates[key];
  if (!d && !u) return "l";
  if (!u) return d === "granted" ? "t" : "p";
  if (!d) return u === "granted" ? "n" : "m";
  return { "denied,denied": "q", "denied,granted": "r", "granted,denied": "u", "granted,granted": "v" }[d + "," + u];
}
function consentParams() {
  if (!consent.used) return {};
  const ad = T.granted(consent, "ad_storage") ? 1 : 0;
  const analytics = T.granted(consent, "analytics_storage") ? 1 : 0;
  const keys = ["ad_storage", "analytics_storage", "ad_user_data", "ad_personalization"];
  return { gcs: `G1${ad}${analytics}`, gcd: "13" + keys.map(gcdLetter).join("3") + "5", npa: 1 - ad };
}

function gaClient(id) {
  const stream = "_ga_" + id.slice(2);
  if (!T.granted(consent, "analytics_storage")) {
    return { cid: `${T.digits(10)}.${Math.floor(Date.now() / 1000)}`, sid: Math.floor(Date.now() / 1000), sct: 1, first: true };
  }
  const now = Math.floor(Date.now() / 1000);
  let ga = T.getCookie("_ga");
  const first = !ga;
  // like gtag.js: a random 31-bit number (a third of them read as Unix times of this decade) and the time
  if (!ga) ga = `GA1.1.${Math.round(2147483647 * Math.random())}.${now}`;
  const previous = (T.getCookie(stream) || "").split(".");
  const sid = previous.length > 5 ? Number(previous[2]) : now;
  const sct = previous.length > 5 ? Number(previous[3]) + (now - Number(previous[5]) > 1800 ? 1 : 0) : 1;
  const twoYears = 2 * 365 * 24 * 3600;
  T.setCookie("_ga", ga, twoYears);
  T.setCookie(stream, `GS1.1.${sid}.${sct}.1.${now}.0.0.0`, twoYears);
  return { cid: ga.split(".").slice(2).join("."), sid, sct, first };
}

function collectHost() {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  return zone.startsWith("Europe/") ? "region1.google-analytics.com" : "www.google-analytics.com";
}

function gaHit(id, event, params) {
  const client = gaClient(id);
  hitCount += 1;
  const extra = {};
  for (const [k, v] of Object.entries(params || {})) extra[(typeof v === "number" ? "epn." : "ep.") + k] = v;
  const query = T.qs({
    v: 2, tid: id, gtm: "45je4b20", _p: pageId, ...consentParams(), dma: 0, cid: client.cid,
    ul: navigator.language.toLowerCase(), sr: `${screen.width}x${screen.height}`, _s: hitCount,
    sid: client.sid, sct: client.sct, seg: 0, dl: location.href, dr: document.referrer || undefined,
    dt: document.title, en: event, _fv: client.first ? 1 : undefined, _ss: hitCount === 1 ? 1 : undefined,
    tfd: Math.round(performance.now() - loadedAt), ...extra,
  });
  navigator.sendBeacon(`https://${collectHost()}/g/collect?${query}`);
}

function adsHit(id, event) {
  if (!T.granted(consent, "ad_storage")) return;
  const conversion = id.slice(3).split("/")[0];
  T.pixel(`https://googleads.g.doubleclick.net/pagead/viewthroughconversion/${conversion}/?` + T.qs({
    random: T.digits(10), cv: 11, fst: Date.now(), num: 1, guid: "ON", resp: "GooglemKTybQhCsO", eid: event,
    u_h: screen.height, u_w: screen.width, url: location.href, ref: document.referrer || undefined,
    tiba: document.title, ...consentParams(), rdp: settings.restricted_data_processing ? 1 : undefined,
  }));
}

function send(id, event, params) {
  if (id.startsWith("G-")) gaHit(id, event, params);
  else if (id.startsWith("AW-")) adsHit(id, event);
}

function handle(entry) {
  if (!entry || typeof entry !== "object" || typeof entry[0] !== "string") return;
  if (T.applyConsent(consent, entry)) return;
  const [command, target, params] = entry;
  if (command === "set") {
    Object.assign(settings, typeof target === "string" ? { [target]: params } : target);
  } else if (command === "config") {
    if (!configs.includes(target)) configs.push(target);
    if (!params || params.send_page_view !== false) send(target, "page_view");
  } else if (command === "event") {
    const to = params && params.send_to ? [params.send_to] : configs;
    for (const id of to) send(id, target, params);
  }
}

for (const entry of dataLayer.slice()) handle(entry);
const push = dataLayer.push.bind(dataLayer);
dataLayer.push = (...entries) => {
  const result = push(...entries);
  entries.forEach(handle);
  return result;
};
