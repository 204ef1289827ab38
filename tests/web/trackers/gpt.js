/* FAKE Google Publisher Tag (securepubads.g.doubleclick.net/tag/js/gpt.js) for the leakmap test
 * web. googletag.display() requests an ad from securepubads.g.doubleclick.net/gampad/ads (with the
 * visitor's doubleclick.net cookies) and renders it in a cross-site SafeFrame iframe from
 * tpc.googlesyndication.com, passing the creative in the frame's name as the real SafeFrame does;
 * the frame loads the creative image and fires the impression pixel itself. */
const w = window;
if (w.googletag && w.googletag.apiReady) return;
const slots = [];
const correlator = T.digits(16);
const pubads = { enableSingleRequest: () => pubads, setTargeting: () => pubads, collapseEmptyDivs: () => pubads };

async function render(slot) {
  const [width, height] = slot.size;
  const url = "https://securepubads.g.doubleclick.net/gampad/ads?" + T.qs({
    pvsid: T.digits(16), correlator, output: "ldjh", gdfp_req: 1, vrg: "202405150101", iu_parts: slot.path,
    prev_iu_szs: `${width}x${height}`, url: location.href, dt: Date.now(), biw: innerWidth, bih: innerHeight,
  });
  const ad = await (await fetch(url, { credentials: "include" })).json();
  const frame = document.createElement("iframe");
  frame.src = "https://tpc.googlesyndication.com/safeframe/1-0-40/html/container.html";
  frame.name = JSON.stringify({ creative: ad.creative, width, height });
  Object.assign(frame, { width, height, title: "3rd party ad content", scrolling: "no" });
  frame.style.border = "0";
  document.getElementById(slot.div).replaceChildren(frame);
}

const googletag = Object.assign(w.googletag || {}, {
  apiReady: true,
  pubads: () => pubads,
  enableServices: () => {},
  defineSlot(path, size, div) {
    const slot = { path, size, div, addService: () => slot };
    slots.push(slot);
    return slot;
  },
  display(div) {
    const slot = slots.find((s) => s.div === div);
    if (slot) render(slot);
  },
});
w.googletag = googletag;
const queue = googletag.cmd || [];
googletag.cmd = { push: (...fns) => fns.forEach((fn) => fn()) };
queue.forEach((fn) => fn());
