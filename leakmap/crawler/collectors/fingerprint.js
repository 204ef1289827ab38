// leakmap fingerprinting-API instrumentation, added to every document after instrument.js.
// It records, per calling script and API family, what the Englehardt & Narayanan (2016) criteria
// need -- canvas text, colours, sizes and extractions; fonts set and measureText calls; WebGL
// parameters and extensions; AudioContext graphs; navigator/screen properties read; WebRTC peer
// connections (data channels, offers, ICE candidate listeners and reads, media use: the local-address
// probe OpenWPM and Blacklight record); navigator.geolocation calls -- and posts
// the aggregate (capped) through leakmap's channel shortly after the last call and on pagehide.
// It never changes what the APIs return. Judging happens later, in analysis.
(() => {
  const S = window[Symbol.for("__LEAKMAP_STATE__")];
  const GUARD = Symbol.for("__LEAKMAP_FP__");
  if (!S || window[GUARD]) return;
  Object.defineProperty(window, GUARD, { value: true });
  const DOC = Math.random().toString(36).slice(2, 12);
  const URL_RE = /(?:https?|blob):\/\/[^\s()]+?(?=:\d+:\d+)/g;
  const MAX_SCRIPTS = 200, MAX_CALLS = 20000;
  const later = window.setTimeout.bind(window);
  const agg = new Map();
  const dirty = new Set();
  let busy = false, timer = null, total = 0;

  const scripts = () => {
    const out = [];
    for (const m of (new Error().stack || "").matchAll(URL_RE)) if (out[out.length - 1] !== m[0]) out.push(m[0]);
    return out;
  };
  const fresh = {
    canvas: () => ({ chars: new Set(), text_calls: 0, colors: new Set(), save_restore: 0, listeners: 0, extractions: [] }),
    "canvas-font": () => ({ fonts: new Set(), measure_calls: 0, texts: new Map() }),
    webgl: () => ({ params: new Set(), extensions: new Set(), supported_extensions: 0 }),
    audio: () => ({ offline: 0, realtime: 0, oscillator: 0, compressor: 0, analyser: 0, render: 0, channel_data: 0, frequency_data: 0 }),
    navigator: () => ({ props: new Set() }),
    webrtc: () => ({ connections: 0, data_channels: 0, offers: 0, ice_listeners: 0, candidate_reads: 0,
      local_description: 0, media: 0, ice_servers: new Set() }),
    geolocation: () => ({ get_position: 0, watch_position: 0 }),
  };
  const flush = () => {
    timer = null;
    for (const e of dirty) {
      const d = {};
      for (const [k, v] of Object.entries(e.d)) {
        if (v instanceof Set) d[k] = Array.from(v).slice(0, 300);
        else if (v instanceof Map) continue;
        else d[k] = v;
      }
      if (e.api === "canvas") d.chars = Array.from(e.d.chars).join("").slice(0, 300);
      if (e.api === "canvas-font") {
        d.fonts = e.d.fonts.size;
        d.font_sample = Array.from(e.d.fonts).slice(0, 20);
        let best = ["", 0];
        for (const [t, n] of e.d.texts) if (n > best[1]) best = [t, n];
        d.text = best[0];
        d.max_same_text = best[1];
      }
      S.post({ t: "fp", doc: DOC, api: e.api, script: e.script, stack: e.stack, first: e.first, calls: e.calls, d });
    }
    dirty.clear();
  };
  const schedule = () => { if (timer === null) timer = later(flush, 150); };
  // the aggregate of the calling script for one API family (null when over the caps)
  const entry = (api) => {
    if (total >= MAX_CALLS) return null;
    const stack = scripts();
    const script = stack[0] || "";
    const key = api + " " + script;
    let e = agg.get(key);
    if (!e) {
      if (agg.size >= MAX_SCRIPTS) return null;
      e = { api, script, stack: stack.slice(0, 10), first: Date.now() / 1000, calls: 0, d: fresh[api]() };
      agg.set(key, e);
    }
    e.calls++;
    total++;
    dirty.add(e);
    schedule();
    return e.d;
  };
  const record = (api, fn) => {
    if (busy) return;
    busy = true;
    try { const d = entry(api); if (d) fn(d); } catch (err) {} finally { busy = false; }
  };
  const wrap = (proto, name, api, fn) => {
    const desc = proto && Object.getOwnPropertyDescriptor(proto, name);
    if (!desc || typeof desc.value !== "function") return;
    const orig = desc.value;
    const wrapped = { [name](...args) { record(api, (d) => fn(d, this, args)); return orig.apply(this, args); } }[name];
    Object.defineProperty(wrapped, "length", { value: orig.length });
    Object.defineProperty(proto, name, { ...desc, value: wrapped });
  };
  const wrapGet = (proto, name, api, fn) => {
    const desc = proto && Object.getOwnPropertyDescriptor(proto, name);
    if (!desc || !desc.get) return;
    const get = desc.get;
    const named = Object.getOwnPropertyDescriptor({ get [name]() { record(api, (d) => fn(d, this)); return get.call(this); } }, name).get;
    Object.defineProperty(proto, name, { ...desc, get: named });
  };
  const wrapSet = (proto, name, api, fn) => {
    const desc = proto && Object.getOwnPropertyDescriptor(proto, name);
    if (!desc || !desc.set) return;
    const set = desc.set, get = desc.get;
    Object.defineProperty(proto, name, { ...desc, set: function (v) { const r = set.call(this, v); record(api, (d) => fn(d, this, v, get)); return r; } });
  };

  // Canvas (2D): text, colours, extraction, and the calls E&N exclude (save/restore/listeners)
  const C2D = window.CanvasRenderingContext2D && CanvasRenderingContext2D.prototype;
  const text = (style) => (d, ctx, args) => {
    for (const ch of String(args[0]).slice(0, 200)) if (d.chars.size < 300) d.chars.add(ch);
    d.text_calls++;
    try { const c = ctx[style]; if (d.colors.size < 32) d.colors.add(String(c)); } catch (e) {}
  };
  wrap(C2D, "fillText", "canvas", text("fillStyle"));
  wrap(C2D, "strokeText", "canvas", text("strokeStyle"));
  wrap(C2D, "save", "canvas", (d) => { d.save_restore++; });
  wrap(C2D, "restore", "canvas", (d) => { d.save_restore++; });
  wrap(C2D, "getImageData", "canvas", (d, ctx, args) => {
    if (d.extractions.length < 10) d.extractions.push({ method: "getImageData", width: Math.abs(args[2] | 0), height: Math.abs(args[3] | 0),
      canvas_width: ctx.canvas ? ctx.canvas.width : null, canvas_height: ctx.canvas ? ctx.canvas.height : null });
  });
  const CANVAS = window.HTMLCanvasElement && HTMLCanvasElement.prototype;
  for (const method of ["toDataURL", "toBlob"]) {
    wrap(CANVAS, method, "canvas", (d, canvas, args) => {
      if (d.extractions.length < 10) d.extractions.push({ method, width: canvas.width, height: canvas.height,
        type: typeof args[method === "toBlob" ? 1 : 0] === "string" ? args[method === "toBlob" ? 1 : 0] : "image/png" });
    });
  }
  if (CANVAS && !Object.getOwnPropertyDescriptor(CANVAS, "addEventListener")) {
    const add = EventTarget.prototype.addEventListener;
    Object.defineProperty(CANVAS, "addEventListener", { configurable: true, writable: true, enumerable: false,
      value: { addEventListener(...args) { record("canvas", (d) => { d.listeners++; }); return add.apply(this, args); } }.addEventListener });
  }
  // Canvas fonts: distinct valid fonts set, measureText calls per text
  wrapSet(C2D, "font", "canvas-font", (d, ctx, value, get) => { if (d.fonts.size < 2000) d.fonts.add(get ? get.call(ctx) : String(value)); });
  wrap(C2D, "measureText", "canvas-font", (d, ctx, args) => {
    d.measure_calls++;
    const t = String(args[0]).slice(0, 64);
    if (d.texts.has(t) || d.texts.size < 50) d.texts.set(t, (d.texts.get(t) || 0) + 1);
  });

  // WebGL
  for (const ctx of [window.WebGLRenderingContext, window.WebGL2RenderingContext]) {
    const proto = ctx && ctx.prototype;
    wrap(proto, "getParameter", "webgl", (d, gl, args) => { if (d.params.size < 300) d.params.add(Number(args[0])); });
    wrap(proto, "getExtension", "webgl", (d, gl, args) => { if (d.extensions.size < 100) d.extensions.add(String(args[0])); });
    wrap(proto, "getSupportedExtensions", "webgl", (d) => { d.supported_extensions++; });
  }

  // Audio: contexts, the oscillator -> compressor/analyser graph, reading the output
  const proxyCtor = (name, field) => {
    const Orig = window[name];
    if (typeof Orig !== "function") return;
    const P = new Proxy(Orig, { construct(target, args, newTarget) {
      record("audio", (d) => { d[field]++; });
      return Reflect.construct(target, args, newTarget === P ? target : newTarget);
    } });
    Object.defineProperty(window, name, { ...Object.getOwnPropertyDescriptor(window, name), value: P });
  };
  proxyCtor("AudioContext", "realtime");
  proxyCtor("webkitAudioContext", "realtime");
  proxyCtor("OfflineAudioContext", "offline");
  proxyCtor("webkitOfflineAudioContext", "offline");
  const BASE = (window.BaseAudioContext || window.AudioContext || {}).prototype;
  wrap(BASE, "createOscillator", "audio", (d) => { d.oscillator++; });
  wrap(BASE, "createDynamicsCompressor", "audio", (d) => { d.compressor++; });
  wrap(BASE, "createAnalyser", "audio", (d) => { d.analyser++; });
  wrap(window.OfflineAudioContext && OfflineAudioContext.prototype, "startRendering", "audio", (d) => { d.render++; });
  wrap(window.AudioBuffer && AudioBuffer.prototype, "getChannelData", "audio", (d) => { d.channel_data++; });
  wrap(window.AnalyserNode && AnalyserNode.prototype, "getFloatFrequencyData", "audio", (d) => { d.frequency_data++; });

  // navigator / screen enumeration
  const NAV = ["userAgent", "appVersion", "platform", "language", "languages", "hardwareConcurrency", "deviceMemory",
    "plugins", "mimeTypes", "doNotTrack", "maxTouchPoints", "cookieEnabled", "vendor", "vendorSub", "product",
    "productSub", "oscpu", "buildID", "connection", "webdriver", "userAgentData", "pdfViewerEnabled", "appName",
    "appCodeName", "onLine", "keyboard", "mediaDevices", "permissions", "storage", "gpu"];
  const SCREEN = ["width", "height", "availWidth", "availHeight", "availTop", "availLeft", "colorDepth", "pixelDepth",
    "orientation"];
  for (const p of NAV) wrapGet(window.Navigator && Navigator.prototype, p, "navigator", (d) => { d.props.add("navigator." + p); });
  for (const p of SCREEN) wrapGet(window.Screen && Screen.prototype, p, "navigator", (d) => { d.props.add("screen." + p); });

  // WebRTC: the local-address probe (a data channel and an offer whose ICE candidates are read,
  // with no media) against a real call (tracks, transceivers, getUserMedia)
  const RTC = window.RTCPeerConnection;
  if (typeof RTC === "function") {
    const P = new Proxy(RTC, { construct(target, args, newTarget) {
      record("webrtc", (d) => {
        d.connections++;
        const servers = (args[0] && args[0].iceServers) || [];
        for (const s of servers) for (const u of [].concat(s && s.urls || s && s.url || []))
          if (d.ice_servers.size < 20) d.ice_servers.add(String(u).slice(0, 200));
      });
      return Reflect.construct(target, args, newTarget === P ? target : newTarget);
    } });
    Object.defineProperty(window, "RTCPeerConnection", { ...Object.getOwnPropertyDescriptor(window, "RTCPeerConnection"), value: P });
    const PC = RTC.prototype;
    wrap(PC, "createDataChannel", "webrtc", (d) => { d.data_channels++; });
    wrap(PC, "createOffer", "webrtc", (d) => { d.offers++; });
    for (const m of ["addTrack", "addStream", "addTransceiver"]) wrap(PC, m, "webrtc", (d) => { d.media++; });
    wrapSet(PC, "onicecandidate", "webrtc", (d, pc, v) => { if (typeof v === "function") d.ice_listeners++; });
    wrapGet(PC, "localDescription", "webrtc", (d) => { d.local_description++; });
    if (!Object.prototype.hasOwnProperty.call(PC, "addEventListener")) {
      const add = EventTarget.prototype.addEventListener;
      Object.defineProperty(PC, "addEventListener", { configurable: true, writable: true, enumerable: false,
        value: { addEventListener(...args) {
          if (args[0] === "icecandidate") record("webrtc", (d) => { d.ice_listeners++; });
          return add.apply(this, args);
        } }.addEventListener });
    }
    const CAND = window.RTCIceCandidate && RTCIceCandidate.prototype;
    for (const p of ["candidate", "address"]) wrapGet(CAND, p, "webrtc", (d) => { d.candidate_reads++; });
    const EVT = window.RTCPeerConnectionIceEvent && RTCPeerConnectionIceEvent.prototype;
    wrapGet(EVT, "candidate", "webrtc", (d) => { d.candidate_reads++; });
  }
  const MD = window.MediaDevices && MediaDevices.prototype;
  wrap(MD, "getUserMedia", "webrtc", (d) => { d.media++; });
  // navigator.geolocation: a script asking where the visitor is (recorded; not a fingerprint)
  const GEO = window.Geolocation && Geolocation.prototype;
  wrap(GEO, "getCurrentPosition", "geolocation", (d) => { d.get_position++; });
  wrap(GEO, "watchPosition", "geolocation", (d) => { d.watch_position++; });

  window.addEventListener("pagehide", () => { if (dirty.size) flush(); }, true);
})();
