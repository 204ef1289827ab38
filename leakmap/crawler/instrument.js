// leakmap page instrumentation, added to every document (main frame and iframes)
// before the page's own scripts run. It reports, through a DevTools binding:
//  - document.cookie and cookieStore writes, with the writing script;
//  - localStorage / sessionStorage writes, with the writing script;
//  - sendBeacon / keep-alive fetch calls (their network events are lost when
//    they are sent while the document unloads);
// and it counts pending short timers so the crawler knows when a page that
// fires a tracker "2 s after load" is really done. Nothing here changes what
// the page sends.
(() => {
  const BINDING = "__LEAKMAP_BINDING__";
  const STATE = Symbol.for("__LEAKMAP_STATE__");
  if (window[STATE]) return;
  let send = null;
  const queue = [];
  const post = (msg) => {
    try {
      if (!send && typeof window[BINDING] === "function") {
        send = window[BINDING];
        try { delete window[BINDING]; } catch (e) {}
      }
      msg.time = Date.now() / 1000;
      msg.frame = location.href;
      msg.top = window === window.top;
      const text = JSON.stringify(msg);
      if (send) {
        while (queue.length) send(queue.shift());
        send(text);
      } else if (queue.length < 1000) {
        queue.push(text);
      }
    } catch (e) {}
  };
  const URL_RE = /(?:https?|blob|wss?):\/\/[^\s()]+?(?=:\d+:\d+)/g;
  const stack = () => {
    const s = (new Error().stack || "").split("\n").slice(3).join("\n");
    const urls = [];
    for (const m of s.matchAll(URL_RE)) if (urls[urls.length - 1] !== m[0]) urls.push(m[0]);
    return urls;
  };
  const cap = (v, n) => (v == null ? v : String(v).slice(0, n));

  // Cookies written by scripts.
  const cookieDesc = Object.getOwnPropertyDescriptor(Document.prototype, "cookie");
  if (cookieDesc && cookieDesc.set) {
    Object.defineProperty(Document.prototype, "cookie", {
      configurable: true, enumerable: cookieDesc.enumerable,
      get: cookieDesc.get,
      set: function (value) {
        post({ t: "cookie", raw: cap(value, 8192), stack: stack() });
        return cookieDesc.set.call(this, value);
      },
    });
  }
  if (window.CookieStore && CookieStore.prototype.set) {
    const origSet = CookieStore.prototype.set;
    CookieStore.prototype.set = function (a, b) {
      const opts = typeof a === "object" ? a : { name: a, value: b };
      post({ t: "cookiestore", cookie: JSON.parse(JSON.stringify(opts)), stack: stack() });
      return origSet.apply(this, arguments);
    };
  }

  // Web storage writes (property assignment is caught by the DOMStorage domain; this adds the script).
  const kindOf = (s) => { try { return s === window.localStorage ? "local" : "session"; } catch (e) { return "local"; } };
  const sp = Storage.prototype;
  const origSetItem = sp.setItem, origRemoveItem = sp.removeItem, origClear = sp.clear;
  sp.setItem = function (key, value) {
    post({ t: "storage", op: "set", kind: kindOf(this), key: cap(key, 1024), value: cap(value, 4096), stack: stack() });
    return origSetItem.apply(this, arguments);
  };
  sp.removeItem = function (key) {
    post({ t: "storage", op: "remove", kind: kindOf(this), key: cap(key, 1024), stack: stack() });
    return origRemoveItem.apply(this, arguments);
  };
  sp.clear = function () {
    post({ t: "storage", op: "clear", kind: kindOf(this), stack: stack() });
    return origClear.apply(this, arguments);
  };

  // Beacons and keep-alive fetches: recorded at the call, in case the network event is lost on unload.
  const bodyText = (b) => {
    if (b == null) return null;
    if (typeof b === "string") return b;
    if (b instanceof URLSearchParams) return b.toString();
    return "[" + (b.constructor ? b.constructor.name : typeof b) + "]";
  };
  if (navigator.sendBeacon) {
    const origBeacon = navigator.sendBeacon;
    navigator.sendBeacon = function (url, data) {
      let abs = url;
      try { abs = new URL(url, location.href).href; } catch (e) {}
      post({ t: "beacon", api: "sendBeacon", url: abs, method: "POST", body: cap(bodyText(data), 65536), stack: stack() });
      return origBeacon.apply(this, arguments);
    };
  }
  const origFetch = window.fetch;
  if (origFetch) {
    window.fetch = function (input, init) {
      if (init && init.keepalive) {
        let abs = typeof input === "string" ? input : (input && input.url) || String(input);
        try { abs = new URL(abs, location.href).href; } catch (e) {}
        post({ t: "beacon", api: "fetch-keepalive", url: abs, method: (init.method || "GET").toUpperCase(),
               body: cap(bodyText(init.body), 65536), stack: stack() });
      }
      return origFetch.apply(this, arguments);
    };
  }

  // Pending short timers (<= 5 s, nesting <= 2), read by the crawler's settle step.
  const pending = new Set();
  let depth = 0;
  const origSetTimeout = window.setTimeout, origClearTimeout = window.clearTimeout;
  window.setTimeout = function (fn, delay, ...args) {
    const d = Number(delay) || 0;
    const mine = depth;
    let id;
    const wrapped = typeof fn === "function" ? function () {
      pending.delete(id);
      depth = mine + 1;
      try { return fn.apply(this, arguments); } finally { depth = 0; }
    } : fn;
    id = origSetTimeout.call(window, wrapped, delay, ...args);
    if (typeof fn === "function" && d <= 5000 && mine < 2) {
      pending.add(id);
      origSetTimeout.call(window, () => pending.delete(id), d + 50);
    }
    return id;
  };
  window.clearTimeout = function (id) { pending.delete(id); return origClearTimeout.apply(window, arguments); };
  // Other instrumentation scripts (collectors' own) report through the same channel:
  // window[Symbol.for("__LEAKMAP_STATE__")].post({t: "...", ...}) and .stack() for the calling scripts.
  Object.defineProperty(window, STATE, { value: { pending: () => pending.size, post, stack, cap } });
})();
