/* FAKE Criteo tags for the leakmap test web, served as static.criteo.net/js/ld/publishertag.js
 * (Publisher Tag: Criteo.DisplayAd -> a bid request to bidder.criteo.com) and as
 * static.criteo.net/js/ld/ld.js (OneTag: criteo_q retargeting events -> sslwidget.criteo.com).
 * Both set Criteo's third-party "uid" cookie server side, keep the first-party cto_bundle
 * (cookie, 13 months, and localStorage) and then start an ID sync: an image to
 * gum.criteo.com/sync that 302-redirects through LiveRamp (idsync.rlcdn.com), Adobe Audience
 * Manager (dpm.demdex.net) and Google (cm.g.doubleclick.net), each hop carrying the previous
 * party's user id in its URL. */
const w = window;
const THIRTEEN_MONTHS = 395 * 24 * 3600;
let synced = false;

function keepBundle(bundle) {
  if (!bundle) return;
  T.setCookie("cto_bundle", bundle, THIRTEEN_MONTHS);
  localStorage.setItem("cto_bundle", bundle);
}

function sync(network) {
  if (synced) return;
  synced = true;
  T.pixel("https://gum.criteo.com/sync?" + T.qs({ c: network, r: 2, j: T.digits(8), topUrl: location.hostname }));
}

async function call(url, body) {
  const response = await fetch(url, body === undefined ? { credentials: "include" }
    : { method: "POST", body: JSON.stringify(body), credentials: "include", headers: { "Content-Type": "text/plain" } });
  return response.json();
}

// Publisher Tag
w.Criteo = w.Criteo || {};
const criteo = w.Criteo;
criteo.DisplayAd = async ({ networkid, zoneid, containerid }) => {
  const url = "https://bidder.criteo.com/cdb?" + T.qs({ ptv: 116, profileId: 207, av: 34, wv: "pt-2.5.0", cb: T.digits(9), lsavail: 1 });
  const bids = await call(url, {
    publisher: { url: location.href, networkid },
    slots: [{ impid: containerid, zoneid, sizes: ["300x250"] }],
    user: { cto_bundle: localStorage.getItem("cto_bundle") || undefined },
  });
  keepBundle(bids.ext && bids.ext.bundle);
  const slot = (bids.slots || [])[0];
  const container = document.getElementById(containerid);
  if (slot && container) {
    const frame = document.createElement("iframe");
    Object.assign(frame, { width: slot.width, height: slot.height, title: "Advertisement", srcdoc: slot.creative });
    frame.style.border = "0";
    container.replaceChildren(frame);
  }
  sync(networkid);
};
for (const fn of (criteo.events || []).splice(0)) fn();
criteo.events = { push: (...fns) => fns.forEach((fn) => fn()) };

// OneTag
const queue = (w.criteo_q = w.criteo_q || []);
if (!Array.isArray(queue)) return;
let account = null;
async function onetag(events) {
  const flat = events.flat();
  const params = { v: "5.23.0", otl: 1, tld: location.hostname, fu: location.href, ceid: T.uuid(), dtycbr: T.digits(5) };
  flat.forEach((e, i) => {
    if (e.event === "setAccount") account = e.account;
    params[`p${i}`] = T.qs(Object.fromEntries(Object.entries(e).map(([k, v]) => [k === "event" ? "e" : k, v])));
  });
  if (!account) return;
  params.a = account;
  params.bundle = localStorage.getItem("cto_bundle") || undefined;
  const answer = await call("https://sslwidget.criteo.com/event?" + T.qs(params));
  keepBundle(answer.bundle);
  sync(account);
}
onetag(queue.splice(0));
w.criteo_q = { push: (...events) => onetag(events) };
