/* FAKE LinkedIn Insight Tag (snap.licdn.com/li.lms-analytics/insight.min.js) for the leakmap test
 * web: one page-view image per partner id to px.ads.linkedin.com/collect, which sets LinkedIn's
 * third-party cookies. */
const partners = window._linkedin_data_partner_ids || [];
if (window._linkedin_partner_id) partners.push(String(window._linkedin_partner_id));
for (const pid of new Set(partners)) {
  T.pixel("https://px.ads.linkedin.com/collect/?" + T.qs({
    v: 2, fmt: "gif", pid, time: Date.now(), url: location.href, liSync: true,
  }));
}
