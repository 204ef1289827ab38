/* Fjordlys Bakeri service worker: pages from the network, the last copy kept for offline use, and
 * "offline-ready analytics": a GA4 Measurement Protocol hit for every page it serves, with a client
 * id kept in the worker's Cache Storage (the same for every page, another in every browser). */
const TID = "G-FJB2K7M4WX";

async function clientId() {
  const cache = await caches.open("fjb-meta");
  const hit = await cache.match("/__cid");
  if (hit) return hit.text();
  const cid = `${Math.floor(Math.random() * 1e10)}.${Math.floor(Date.now() / 1000)}`;
  await cache.put("/__cid", new Response(cid));
  return cid;
}

async function pageView(url) {
  const params = new URLSearchParams({ v: "2", tid: TID, cid: await clientId(), en: "page_view", dl: url, _s: "1" });
  await fetch(`https://www.google-analytics.com/g/collect?${params}`, { method: "POST", mode: "no-cors", keepalive: true });
}

self.addEventListener("install", (event) => event.waitUntil(self.skipWaiting()));
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));
self.addEventListener("fetch", (event) => {
  if (event.request.mode !== "navigate") return;
  event.waitUntil(pageView(event.request.url));
  event.respondWith((async () => {
    const cache = await caches.open("fjb-pages");
    try {
      const response = await fetch(event.request);
      cache.put(event.request, response.clone());
      return response;
    } catch (err) {
      return (await cache.match(event.request)) || Response.error();
    }
  })());
});
