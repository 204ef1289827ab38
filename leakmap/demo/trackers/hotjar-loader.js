/* FAKE Hotjar loader (static.hotjar.com/c/hotjar-<site id>.js?sv=6) for the leakmap test web:
 * publishes the site settings and loads the recording module from script.hotjar.com.
 * CONFIG = {site}. */
window.hjSiteSettings = { site_id: CONFIG.site, rec_value: 1, state_change_listen_mode: "automatic", record: true };
T.load(`https://script.hotjar.com/modules.${CONFIG.build}.js`);
