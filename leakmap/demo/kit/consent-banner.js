/* Hand-made cookie banner shared by the test web's fixture sites (served to each under
 * /assets/kit/ through its _mounts file). It is a site's own code, not a CMP product:
 *
 *   <script src="/assets/kit/consent-banner.js" data-cookie="hsd_consent" data-lang="en"
 *           data-policy="/privacy.html" data-title="..." data-text="..."></script>
 *
 * Shows a role="dialog" banner with #accept-all / #reject-all buttons ("Accept all" / "Reject all",
 * or "Tout accepter" / "Tout refuser" with data-lang="fr") until the visitor answers; the answer is
 * kept in a first-party cookie (1 year) and in localStorage, so on later pages the banner stays
 * hidden. What a site loads for each answer is the site's business:
 *
 *   SiteConsent.choice            "accepted", "rejected" or null (no answer yet)
 *   SiteConsent.onChoice(fn)      fn(choice, "stored") now if answered, fn(choice, "click") on a click
 *   SiteConsent.show()            shows the banner again (a site's "Cookies" link), to change the answer
 */
const SiteConsent = (() => {
  const tag = document.currentScript;
  const name = tag.dataset.cookie || "site_consent";
  const TEXTS = {
    en: {
      title: "We value your privacy",
      text: "We use cookies to measure our audience and to show you relevant advertising. You can accept or refuse these cookies; essential cookies are always on.",
      policy: "Privacy policy", accept: "Accept all", reject: "Reject all",
    },
    fr: {
      title: "Vos données, votre choix",
      text: "Nous utilisons des cookies pour mesurer l’audience et vous proposer des publicités adaptées. Vous pouvez les accepter ou les refuser ; les cookies essentiels restent actifs.",
      policy: "Politique de confidentialité", accept: "Tout accepter", reject: "Tout refuser",
    },
  };
  const text = { ...(TEXTS[tag.dataset.lang] || TEXTS.en) };
  if (tag.dataset.title) text.title = tag.dataset.title;
  if (tag.dataset.text) text.text = tag.dataset.text;
  const listeners = [];

  function stored() {
    const m = document.cookie.match(new RegExp(`(?:^|; )${name}=(accepted|rejected)`));
    if (m) return m[1];
    try {
      const saved = JSON.parse(localStorage.getItem(name) || "null");
      return saved && (saved.choice === "accepted" || saved.choice === "rejected") ? saved.choice : null;
    } catch {
      return null;
    }
  }

  const api = {
    choice: stored(),
    onChoice(fn) {
      listeners.push(fn);
      if (api.choice) fn(api.choice, "stored");
    },
    show() {
      if (!document.getElementById("cookie-banner")) render();
    },
  };

  function decide(choice, banner) {
    api.choice = choice;
    document.cookie = `${name}=${choice}; max-age=${365 * 24 * 3600}; path=/; SameSite=Lax; Secure`;
    localStorage.setItem(name, JSON.stringify({ choice, date: new Date().toISOString(), version: 3 }));
    banner.remove();
    for (const fn of listeners) fn(choice, "click");
  }

  const STYLE = `
    .cookie-banner { position: fixed; z-index: 2147483000; left: 16px; right: 16px; bottom: 16px; max-width: 720px;
      margin: 0 auto; padding: 20px 24px; border-radius: var(--cb-radius, 10px); background: var(--cb-bg, #fff);
      color: var(--cb-fg, #1d1d1f); box-shadow: 0 10px 40px rgba(0, 0, 0, .25); font: 15px/1.5 var(--cb-font, system-ui, sans-serif); }
    .cookie-banner h2 { margin: 0 0 6px; font-size: 18px; }
    .cookie-banner p { margin: 0 0 14px; }
    .cookie-banner a { color: inherit; }
    .cookie-banner .cookie-banner__actions { display: flex; gap: 10px; justify-content: flex-end; flex-wrap: wrap; }
    .cookie-banner button { font: inherit; font-weight: 600; padding: 10px 18px; border-radius: 6px; cursor: pointer;
      border: 2px solid var(--cb-accent, #1a56db); }
    .cookie-banner #accept-all { background: var(--cb-accent, #1a56db); color: var(--cb-accent-fg, #fff); }
    .cookie-banner #reject-all { background: transparent; color: var(--cb-accent, #1a56db); }`;

  function render() {
    if (!document.getElementById("cookie-banner-style")) {
      const style = Object.assign(document.createElement("style"), { id: "cookie-banner-style", textContent: STYLE });
      document.head.appendChild(style);
    }
    const banner = document.createElement("div");
    banner.className = "cookie-banner";
    banner.id = "cookie-banner";
    banner.setAttribute("role", "dialog");
    banner.setAttribute("aria-live", "polite");
    banner.setAttribute("aria-labelledby", "cookie-banner-title");
    banner.setAttribute("aria-describedby", "cookie-banner-text");
    const title = Object.assign(document.createElement("h2"), { id: "cookie-banner-title", textContent: text.title });
    const body = Object.assign(document.createElement("p"), { id: "cookie-banner-text", textContent: text.text + " " });
    if (tag.dataset.policy) {
      body.appendChild(Object.assign(document.createElement("a"), { href: tag.dataset.policy, textContent: text.policy }));
    }
    const actions = Object.assign(document.createElement("div"), { className: "cookie-banner__actions" });
    for (const [id, label, choice] of [["reject-all", text.reject, "rejected"], ["accept-all", text.accept, "accepted"]]) {
      const button = Object.assign(document.createElement("button"), { type: "button", id, textContent: label });
      button.addEventListener("click", () => decide(choice, banner));
      actions.appendChild(button);
    }
    banner.append(title, body, actions);
    document.body.appendChild(banner);
  }

  if (!api.choice) {
    if (document.body) render();
    else document.addEventListener("DOMContentLoaded", render);
  }
  return api;
})();
