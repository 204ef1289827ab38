/* FAKE Meta Pixel signals configuration (connect.facebook.net/signals/config/<pixel id>) for the
 * leakmap test web: the per-pixel settings the real script downloads; here, which automatic
 * features are on. CONFIG = {pixel}. */
window.__fbSignals = window.__fbSignals || {};
window.__fbSignals[CONFIG.pixel] = { automaticMatching: ["em"], inferredEvents: true, microdata: true };
