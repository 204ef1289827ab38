/* The shop's Meta pixel. tarteaucitron runs the "fdapixel" service once the visitor allows it, and
 * the service keeps the shop's own flag fda_pub so that the theme fires the pixel early on the next
 * pages, before tarteaucitron has read its cookie. Nothing clears the flag when the visitor withdraws
 * consent (the service has no fallback): the pixel keeps firing on every page afterwards. */
window.fdaPixel = function () {
  if (window.fdaPixelOn) return;
  window.fdaPixelOn = true;
  SiteTags.metaPixel("915827364018273");
};
window.fdaPixelService = {
  key: "fdapixel",
  type: "ads",
  name: "Meta Pixel",
  uri: "https://www.facebook.com/privacy/policy/",
  needConsent: true,
  cookies: ["_fbp"],
  js: function () {
    document.cookie = "fda_pub=1; path=/; max-age=31536000; SameSite=Lax";
    window.fdaPixel();
  },
};
if (/(?:^|; )fda_pub=1(?:;|$)/.test(document.cookie)) window.fdaPixel();
