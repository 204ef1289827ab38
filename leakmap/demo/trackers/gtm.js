/* FAKE Google Tag Manager container (www.googletagmanager.com/gtm.js?id=GTM-...) for the leakmap
 * test web. CONFIG = {id, tags: [{type, id, consent: [...]}]} comes from endpoints.GTM_CONTAINERS;
 * the tags run the shared install snippets (SiteTags, bundled above as the container's custom HTML).
 * A tag fires on "All Pages" once every Consent Mode signal it lists is granted: at load, or later
 * when a gtag('consent', 'update', ...) grants it (like GTM's additional consent checks). */
const dataLayer = (window.dataLayer = window.dataLayer || []);
const consent = T.consentMode(dataLayer);
const fired = new Set();

const TAGS = {
  google: (tag) => SiteTags.googleTag(tag.id),
  meta: (tag) => SiteTags.metaPixel(tag.id),
  hotjar: (tag) => SiteTags.hotjar(tag.id),
  criteo: (tag) => SiteTags.criteoOneTag(tag.id, [{ event: "viewHome" }]),
  gpt: (tag) => T.whenReady(() => document.getElementById(tag.div) && SiteTags.adSlot(tag.id, tag.size, tag.div)),
};

function run() {
  CONFIG.tags.forEach((tag, i) => {
    if (fired.has(i) || !(tag.consent || []).every((key) => T.granted(consent, key))) return;
    fired.add(i);
    TAGS[tag.type](tag);
  });
}

const push = dataLayer.push.bind(dataLayer);
dataLayer.push = (...entries) => {
  const result = push(...entries);
  if (entries.map((e) => T.applyConsent(consent, e)).some(Boolean)) run();
  return result;
};
run();
