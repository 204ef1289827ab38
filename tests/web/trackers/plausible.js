/* FAKE Plausible Analytics script (plausible.io/js/script.js) for the leakmap test web.
 * Counts a page view the way Plausible documents it: one POST of {n, u, d, r, w} to
 * plausible.io/api/event, no cookie, no web storage, no identifier (the server counts visitors
 * with a hash it salts anew every day). `data-domain` on the script tag names the site. */
const tag = document.currentScript;
const domain = (tag && tag.dataset.domain) || location.hostname;

function send(name, props) {
  const body = { n: name, u: location.href, d: domain, r: document.referrer || null, w: window.innerWidth };
  if (props) body.p = JSON.stringify(props);
  const xhr = new XMLHttpRequest();
  xhr.open("POST", "https://plausible.io/api/event", true);
  xhr.setRequestHeader("Content-Type", "text/plain");
  xhr.send(JSON.stringify(body));
}

const queue = (window.plausible && window.plausible.q) || [];
window.plausible = (name, options) => send(name, options && options.props);
send("pageview");
for (const args of queue) send(args[0], args[1] && args[1].props);
