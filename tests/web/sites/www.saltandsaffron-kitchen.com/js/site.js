/* Salt & Saffron: no cookie banner, and analytics written in-house:
 *  - page events go to Amplitude's HTTP API with navigator.sendBeacon when the page goes away
 *    ("pagehide"), so nothing is sent while the reader is on the page;
 *  - Core Web Vitals go to Vercel Speed Insights with fetch(..., {keepalive: true}) as soon as the
 *    page is hidden ("visibilitychange"), as the web-vitals docs recommend;
 *  - Microsoft's UET tag is loaded 2 seconds after "load", to keep it off the critical path;
 *  - the TikTok pixel is loaded on the first scroll, so only readers who scroll are counted. */
const AMPLITUDE_KEY = "3f9a1c27e0b84d5c9e6a2b7d41f08c3e";
const deviceId = localStorage.getItem("ss_device_id") || crypto.randomUUID();
localStorage.setItem("ss_device_id", deviceId);
const sessionId = Number(sessionStorage.getItem("ss_session_id")) || Date.now();
sessionStorage.setItem("ss_session_id", String(sessionId));
const openedAt = Date.now();
const events = [{ event_type: "page_view", time: openedAt, event_properties: { path: location.pathname, title: document.title, referrer: document.referrer } }];
let deepestScroll = 0;

addEventListener("scroll", () => {
  const depth = Math.round((100 * (scrollY + innerHeight)) / document.documentElement.scrollHeight);
  deepestScroll = Math.max(deepestScroll, depth);
}, { passive: true });

addEventListener("pagehide", () => {
  events.push({ event_type: "page_leave", time: Date.now(), event_properties: { seconds: Math.round((Date.now() - openedAt) / 1000), scroll_depth: deepestScroll } });
  const batch = events.map((e) => ({ ...e, device_id: deviceId, session_id: sessionId, platform: "Web", language: navigator.language }));
  navigator.sendBeacon("https://api2.amplitude.com/2/httpapi", JSON.stringify({ api_key: AMPLITUDE_KEY, events: batch }));
});

const vitals = {};
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) vitals.LCP = Math.round(entry.startTime);
}).observe({ type: "largest-contentful-paint", buffered: true });
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) if (!entry.hadRecentInput) vitals.CLS = (vitals.CLS || 0) + entry.value;
}).observe({ type: "layout-shift", buffered: true });
let vitalsSent = false;
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState !== "hidden" || vitalsSent) return;
  vitalsSent = true;
  const navigation = performance.getEntriesByType("navigation")[0];
  vitals.TTFB = navigation ? Math.round(navigation.responseStart) : undefined;
  const speed = navigator.connection ? navigator.connection.effectiveType : "";
  const body = Object.entries(vitals).map(([name, value]) => ({
    dsn: "ss-kitchen-prod", id: `v3-${openedAt}-${name}`, page: location.pathname, href: location.href, event_name: name, value, speed,
  }));
  fetch("https://vitals.vercel-insights.com/v1/vitals", { method: "POST", body: JSON.stringify(body), keepalive: true, headers: { "Content-Type": "text/plain" } });
});

addEventListener("load", () => setTimeout(() => SiteTags.bingUet("187045321"), 2000));
addEventListener("scroll", () => SiteTags.tiktok("CP1H7BJC77U2QKVD8ESG"), { once: true, passive: true });
