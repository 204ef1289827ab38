/* Install snippets for third-party tags, shared by the test web's fixture sites (served to them
 * under /assets/kit/ through their _mounts file) and bundled into the fake Google Tag Manager
 * container as its "Custom HTML" tags. Each does what the vendor's documented snippet does (a
 * command queue, then the vendor script loaded async); written for the leakmap test web. */
const SiteTags = (() => {
  const w = window;
  function script(src) {
    const s = document.createElement("script");
    s.async = true;
    s.src = src;
    (document.head || document.documentElement).appendChild(s);
    return s;
  }
  function gtag() {
    (w.dataLayer = w.dataLayer || []).push(arguments);
  }
  const CONSENT_KEYS = ["ad_storage", "analytics_storage", "ad_user_data", "ad_personalization"];
  return {
    script,
    /** Google Consent Mode: kind "default" or "update"; value "granted" or "denied" for all four signals. */
    consent(kind, value) {
      w.gtag = w.gtag || gtag;
      w.gtag("consent", kind, Object.fromEntries(CONSENT_KEYS.map((k) => [k, value])));
    },
    /** Google tag (GA4 "G-..." or Google Ads "AW-..."); options.restrictedDataProcessing: Google's
     * restricted data processing for the page's hits (gtag('set', 'restricted_data_processing', true)). */
    googleTag(id, options = {}) {
      w.gtag = w.gtag || gtag;
      if (options.restrictedDataProcessing) w.gtag("set", "restricted_data_processing", true);
      w.gtag("js", new Date());
      w.gtag("config", id);
      script(`https://www.googletagmanager.com/gtag/js?id=${id}`);
    },
    gtm(id) {
      (w.dataLayer = w.dataLayer || []).push({ "gtm.start": Date.now(), event: "gtm.js" });
      script(`https://www.googletagmanager.com/gtm.js?id=${id}`);
    },
    /** Meta pixel; options.dataProcessingOptions: fbq('dataProcessingOptions', ...) arguments, e.g.
     * [["LDU"], 1, 1000] (Limited Data Use, United States, California), sent before init. */
    metaPixel(id, options = {}) {
      if (!w.fbq) {
        const q = function () {
          if (q.callMethod) q.callMethod.apply(q, arguments);
          else q.queue.push(arguments);
        };
        q.queue = [];
        w.fbq = w._fbq = q;
        script("https://connect.facebook.net/en_US/fbevents.js");
      }
      if (options.dataProcessingOptions) w.fbq("dataProcessingOptions", ...options.dataProcessingOptions);
      w.fbq("init", id);
      w.fbq("track", "PageView");
    },
    hotjar(id) {
      w._hjSettings = { hjid: id, hjsv: 6 };
      script(`https://static.hotjar.com/c/hotjar-${id}.js?sv=6`);
    },
    /** Criteo OneTag (retargeting events), e.g. events [{event: "viewItem", item: "SKU"}]. */
    criteoOneTag(account, events) {
      (w.criteo_q = w.criteo_q || []).push({ event: "setAccount", account }, { event: "setSiteType", type: "d" }, ...events);
      script("https://static.criteo.net/js/ld/ld.js");
    },
    /** Criteo Publisher Tag: a display ad rendered into #containerid. */
    criteoDisplay(networkid, zoneid, containerid) {
      w.Criteo = w.Criteo || {};
      (w.Criteo.events = w.Criteo.events || []).push(() => w.Criteo.DisplayAd({ networkid, zoneid, containerid }));
      script("https://static.criteo.net/js/ld/publishertag.js");
    },
    /** Google Publisher Tag: one ad slot rendered into #div. */
    adSlot(path, size, div) {
      w.googletag = w.googletag || { cmd: [] };
      w.googletag.cmd.push(() => {
        w.googletag.defineSlot(path, size, div).addService(w.googletag.pubads());
        w.googletag.enableServices();
        w.googletag.display(div);
      });
      script("https://securepubads.g.doubleclick.net/tag/js/gpt.js");
    },
    bingUet(ti) {
      w.uetq = w.uetq || [];
      script("https://bat.bing.com/bat.js").onload = () => {
        w.uetq = new w.UET({ ti, q: w.uetq });
        w.uetq.push("pageLoad");
      };
    },
    tiktok(id) {
      (w.ttq = w.ttq || []).push(["load", id], ["page"]);
      script(`https://analytics.tiktok.com/i18n/pixel/events.js?sdkid=${id}&lib=ttq`);
    },
    linkedIn(partnerId) {
      w._linkedin_data_partner_ids = (w._linkedin_data_partner_ids || []).concat(String(partnerId));
      script("https://snap.licdn.com/li.lms-analytics/insight.min.js");
    },
    /** Microsoft Clarity (session replay); its consent API is window.clarity("consent"[, false]). */
    clarity(project) {
      w.clarity = w.clarity || function () {
        (w.clarity.q = w.clarity.q || []).push(arguments);
      };
      script(`https://www.clarity.ms/tag/${project}`);
    },
    taboola(id) {
      (w._tfa = w._tfa || []).push({ notify: "event", name: "page_view", id });
      script(`https://cdn.taboola.com/libtrc/unip/${id}/tfa.js`);
    },
  };
})();
