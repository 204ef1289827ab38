/* MegaDeal's cookie banner. Its buttons do nothing: the click handlers are wired to the template's
 * buttons, then the banner is rendered from a clone of the template (listeners are not cloned).
 * Nothing is stored, the banner never leaves, and the tags above run whatever the visitor does. */
(() => {
  function render() {
    const template = document.createElement("div");
    template.id = "cookie-notice";
    template.setAttribute("role", "dialog");
    template.setAttribute("aria-label", "Cookie notice");
    template.style.cssText = "position:fixed;left:0;right:0;bottom:0;z-index:2147483000;background:#111;color:#fff;"
      + "padding:16px 24px;font:15px/1.5 system-ui,sans-serif;display:flex;gap:16px;align-items:center;justify-content:center";
    template.innerHTML = `<span>We use cookies to personalise deals and ads. See our cookie policy.</span>
      <button type="button" id="reject-all" style="padding:8px 14px">Reject all</button>
      <button type="button" id="accept-all" style="padding:8px 14px;background:#d0021b;color:#fff;border:0">Accept all</button>`;
    for (const button of template.querySelectorAll("button")) {
      button.addEventListener("click", () => template.remove());
    }
    document.body.appendChild(template.cloneNode(true));
  }
  if (document.body) render();
  else document.addEventListener("DOMContentLoaded", render);
})();
