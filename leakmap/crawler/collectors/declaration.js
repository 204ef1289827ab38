// leakmap: what a page publishes about the cookies its site uses, read as the page holds it and
// judged later, in analysis (leakmap.declaration). Evaluated once on the landing page of a site.
// Returns {cmps: [{source, config}], links: [{url, text, where}]}:
//  - cmps: each consent platform's own configuration (or the part of it that lists cookies),
//    made plain data: regular expressions as {"$regexp": source, "flags": flags}, functions and
//    DOM nodes left out, cycles cut, sizes capped;
//  - links: the page's links whose text (or address) speaks of a cookie or privacy policy
//    (args.words: the vocabulary's policy-link words, normalised), and the policy links the
//    consent platforms' configurations name.
async (args) => {
  const MAX_STRING = 20000, MAX_ITEMS = 5000, MAX_DEPTH = 14;
  const plain = (value, depth, seen) => {
    if (value === null || value === undefined) return null;
    const kind = typeof value;
    if (kind === "string") return value.slice(0, MAX_STRING);
    if (kind === "number" || kind === "boolean") return value;
    if (kind !== "object") return undefined;  // functions, symbols, bigints
    if (value instanceof RegExp) return { $regexp: value.source, flags: value.flags };
    if (typeof Node !== "undefined" && value instanceof Node) return undefined;
    if (value === window || depth > MAX_DEPTH || seen.has(value)) return undefined;
    seen.add(value);
    try {
      if (Array.isArray(value)) {
        return value.slice(0, MAX_ITEMS).map((v) => plain(v, depth + 1, seen)).filter((v) => v !== undefined);
      }
      const out = {};
      let n = 0;
      for (const key of Object.keys(value)) {
        if (++n > MAX_ITEMS) break;
        let v;
        try { v = value[key]; } catch (e) { continue; }
        const p = plain(v, depth + 1, seen);
        if (p !== undefined) out[key] = p;
      }
      return out;
    } finally {
      seen.delete(value);
    }
  };
  const read = (value) => plain(value, 0, new WeakSet());
  const pick = (obj, keys) => {
    const out = {};
    for (const k of keys) if (obj && obj[k] !== undefined) out[k] = obj[k];
    return out;
  };
  const cmps = [];
  const named = [];  // policy links a platform's configuration names: [url, text]
  const attempt = (source, fn) => {
    try {
      const config = fn();
      if (config !== null && config !== undefined) cmps.push({ source, config: read(config) });
    } catch (e) { /* a platform that throws loses its own entry */ }
  };

  // Klaro: the configuration object named by its script's data-config attribute (default klaroConfig)
  attempt("klaro", () => {
    const script = document.querySelector("script[data-config]");
    const name = (script && script.getAttribute("data-config")) || "klaroConfig";
    const config = window[name] || (window.klaro && window.klaro.getManager && window.klaro.getManager().config);
    if (!config || !Array.isArray(config.services || config.apps)) return null;
    const policy = config.privacyPolicy;
    const url = typeof policy === "string" ? policy : policy && (policy[config.lang] || policy.default);
    if (url) named.push([url, "klaro privacyPolicy"]);
    return config;
  });
  // vanilla-cookieconsent v3: CookieConsent.getConfig() (categories with autoClear, the translations'
  // cookie tables)
  attempt("vanilla-cookieconsent", () => {
    const cc = window.CookieConsent;
    return cc && typeof cc.getConfig === "function" && cc.getConfig("categories") ? cc.getConfig() : null;
  });
  // tarteaucitron.js: the services the site added (tarteaucitron.job) with their definitions
  attempt("tarteaucitron", () => {
    const t = window.tarteaucitron;
    if (!t || !Array.isArray(t.job) || !t.services) return null;
    const services = {};
    for (const key of t.job) {
      if (t.services[key]) services[key] = pick(t.services[key], ["key", "type", "name", "uri", "needConsent", "cookies"]);
    }
    const privacyUrl = t.parameters && t.parameters.privacyUrl;
    if (privacyUrl) named.push([privacyUrl, "tarteaucitron privacyUrl"]);
    return { job: t.job.slice(), services, parameters: pick(t.parameters || {}, ["privacyUrl", "cookieName"]) };
  });
  // OneTrust: its domain data (cookie groups with their cookies and hosts)
  attempt("onetrust", () => {
    const ot = window.OneTrust || window.Optanon;
    const data = ot && typeof ot.GetDomainData === "function" ? ot.GetDomainData() : null;
    return data && Array.isArray(data.Groups) ? { Groups: data.Groups } : null;
  });
  // Cookiebot: the cookie tables of its dialog script (cc.js), one per category
  attempt("cookiebot", () => {
    const d = window.CookieConsentDialog;
    if (!d) return null;
    const tables = pick(d, ["cookieTableNecessary", "cookieTablePreference", "cookieTableStatistics",
                            "cookieTableAdvertising", "cookieTableUnclassified"]);
    return Object.values(tables).some(Array.isArray) ? tables : null;
  });
  // Osano cookieconsent 3 (open source): no cookie list, but its banner links the policy
  attempt("osano", () => {
    const link = document.querySelector(".cc-window a.cc-link[href]");
    if (!link) return null;
    named.push([link.href, (link.innerText || link.textContent || "").trim()]);
    return { href: link.href, text: (link.innerText || "").trim().slice(0, 200) };
  });
  // IAB TCF: the vendor list, when the CMP still answers getVendorList (TCF 2.0; 2.2 dropped the
  // command), with any device storage disclosures the CMP holds for its vendors
  if (typeof window.__tcfapi === "function") {
    const gvl = await new Promise((resolve) => {
      const timer = setTimeout(() => resolve(null), 1500);
      try {
        window.__tcfapi("getVendorList", 2, (list, ok) => { clearTimeout(timer); resolve(ok ? list : null); });
      } catch (e) { clearTimeout(timer); resolve(null); }
    });
    if (gvl && gvl.vendors) {
      const vendors = {};
      for (const [id, v] of Object.entries(gvl.vendors)) {
        vendors[id] = pick(v, ["id", "name", "usesCookies", "cookieMaxAgeSeconds", "cookieRefresh", "usesNonCookieAccess",
                               "deviceStorageDisclosureUrl", "deviceStorageDisclosures", "disclosures"]);
      }
      cmps.push({ source: "tcf", config: read({ vendorListVersion: gvl.vendorListVersion, vendors }) });
    }
  }

  // Links to a cookie or privacy policy: every link of the document and of its open shadow roots
  const anchors = [];
  const walk = (root) => {
    for (const a of root.querySelectorAll("a[href]")) anchors.push(a);
    for (const el of root.querySelectorAll("*")) if (el.shadowRoot) walk(el.shadowRoot);
  };
  walk(document);
  const here = location.href.split("#")[0];
  const words = args.words || [];
  const hints = /cookie|privacy|datenschutz|confidentialit|mentions-legales|privacidad|cookiebeleid|privacybeleid/i;
  const banner = "[role=dialog], #klaro, .klaro, #cc-main, .cc-window, #tarteaucitronRoot, #onetrust-consent-sdk, " +
    "#CybotCookiebotDialog, [id*=cookie i], [class*=cookie i], [id*=consent i], [class*=consent i]";
  const links = [];
  for (const a of anchors) {
    let url;
    try { url = new URL(a.getAttribute("href"), location.href); } catch (e) { continue; }
    if (!/^https?:$/.test(url.protocol) || url.href.split("#")[0] === here) continue;
    const text = (a.innerText || a.textContent || a.getAttribute("aria-label") || a.getAttribute("title") || "")
      .replace(/\s+/g, " ").trim().slice(0, 200);
    const lower = text.toLowerCase();
    if (!words.some((w) => lower.includes(w)) && !hints.test(url.pathname)) continue;
    const where = a.closest("footer, [role=contentinfo]") ? "footer" : a.closest(banner) ? "banner" : "page";
    links.push({ url: url.href.split("#")[0], text, where });
  }
  for (const [href, text] of named) {
    try {
      const url = new URL(href, location.href);
      if (/^https?:$/.test(url.protocol)) links.push({ url: url.href.split("#")[0], text, where: "cmp" });
    } catch (e) { /* not a URL */ }
  }
  return { cmps, links };
}
