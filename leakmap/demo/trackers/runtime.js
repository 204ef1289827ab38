/* leakmap test web: helpers bundled into every FAKE third-party script served by
 * endpoints.py (each fake vendor script is wrapped as `(() => { runtime; CONFIG; body })()`).
 * Hand-written test emulations: they reproduce what real vendors do at the network,
 * cookie and storage level, not their code. */
const T = {
  /** A random decimal string of `digits` digits (no leading zero). */
  digits(digits) {
    let s = String(1 + Math.floor(Math.random() * 9));
    while (s.length < digits) s += Math.floor(Math.random() * 1e9);
    return s.slice(0, digits);
  },
  hex(bytes) {
    return Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, "0")).join("");
  },
  uuid() {
    return crypto.randomUUID();
  },
  getCookie(name) {
    const m = document.cookie.match(new RegExp("(?:^|; )" + name.replace(/[.$]/g, "\\$&") + "=([^;]*)"));
    return m ? m[1] : null;
  },
  /** Write a first-party cookie on the widest domain the browser accepts ("auto" cookie domain,
   *  as analytics tags do: `co.uk` is refused as a public suffix, `example.co.uk` sticks). */
  setCookie(name, value, seconds) {
    const expires = seconds ? "; expires=" + new Date(Date.now() + seconds * 1000).toUTCString() : "";
    const labels = location.hostname.split(".");
    for (let i = labels.length - 2; i >= 0; i--) {
      document.cookie = `${name}=${value}${expires}; path=/; domain=${labels.slice(i).join(".")}; SameSite=Lax`;
      if (T.getCookie(name) === value) return;
    }
  },
  qs(params) {
    return Object.entries(params)
      .filter(([, v]) => v !== undefined && v !== null)
      .map(([k, v]) => encodeURIComponent(k) + "=" + encodeURIComponent(v))
      .join("&");
  },
  /** An image request (tracking pixel); kept referenced until it settles. */
  pixel(url) {
    const img = new Image(1, 1);
    (T.pending = T.pending || new Set()).add(img);
    img.onload = img.onerror = () => T.pending.delete(img);
    img.src = url;
  },
  /** POST a text body with the visitor's cookies, surviving page unload. */
  post(url, body) {
    return fetch(url, { method: "POST", body, keepalive: true, credentials: "include", mode: "no-cors",
      headers: { "Content-Type": "text/plain;charset=UTF-8" } });
  },
  load(src) {
    const s = document.createElement("script");
    s.async = true;
    s.src = src;
    (document.head || document.documentElement).appendChild(s);
    return s;
  },
  whenReady(fn) {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", fn);
    else fn();
  },
  /** Google Consent Mode state from dataLayer commands: {defaults: {...}, updates: {...}}. */
  consentMode(dataLayer) {
    const state = { defaults: {}, updates: {}, used: false };
    for (const entry of dataLayer) T.applyConsent(state, entry);
    return state;
  },
  applyConsent(state, entry) {
    if (entry && typeof entry === "object" && entry[0] === "consent" && entry[2]) {
      Object.assign(entry[1] === "default" ? state.defaults : state.updates, entry[2]);
      state.used = true;
      return true;
    }
    return false;
  },
  granted(state, key) {
    return (state.updates[key] || state.defaults[key] || "granted") === "granted";
  },
};
