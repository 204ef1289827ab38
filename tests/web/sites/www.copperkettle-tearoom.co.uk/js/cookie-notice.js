/* The Copper Kettle's cookie notice, a web component: <ck-cookie-notice> has an open shadow root
 * holding the text and two <ck-button> components, each with its own open shadow root around the
 * real <button> ("Reject all" / "Accept all"). Nothing is in the light DOM but the two hosts.
 * The answer is kept in the first-party cookie ck_consent; but any answer counts as consent:
 * "Reject all" loads GA4 and the Meta pixel exactly like "Accept all", now and on every later page. */
(() => {
  const saved = (document.cookie.match(/(?:^|; )ck_consent=(accepted|rejected)/) || [])[1];

  function tags() {
    SiteTags.googleTag("G-CKT4R8W2PA");
    SiteTags.metaPixel("604918273365120");
  }

  class CkButton extends HTMLElement {
    connectedCallback() {
      if (this.shadowRoot) return;
      const root = this.attachShadow({ mode: "open" });
      const primary = this.hasAttribute("primary");
      root.innerHTML = `<style>button{font:600 15px/1 system-ui,sans-serif;padding:10px 18px;border-radius:6px;cursor:pointer;
        border:2px solid #8a4b14;background:${primary ? "#8a4b14" : "#fff"};color:${primary ? "#fff" : "#8a4b14"}}</style>
        <button type="button"></button>`;
      root.querySelector("button").textContent = this.getAttribute("label");
    }
  }

  class CkCookieNotice extends HTMLElement {
    connectedCallback() {
      if (this.shadowRoot) return;
      const root = this.attachShadow({ mode: "open" });
      root.innerHTML = `<style>:host{position:fixed;z-index:2147483000;left:16px;right:16px;bottom:16px}
        .notice{max-width:640px;margin:0 auto;padding:18px 22px;border-radius:10px;background:#fff;color:#3a2412;
        box-shadow:0 10px 40px rgba(0,0,0,.25);font:15px/1.5 system-ui,sans-serif}
        .actions{display:flex;gap:10px;justify-content:flex-end}</style>
        <div class="notice" role="dialog" aria-label="Cookies on our website">
          <p>We use cookies to count our visitors and to show you our offers on social media. You can accept or refuse them.</p>
          <div class="actions"><ck-button label="Reject all" data-choice="rejected"></ck-button>
          <ck-button primary label="Accept all" data-choice="accepted"></ck-button></div>
        </div>`;
      for (const button of root.querySelectorAll("ck-button")) {
        button.addEventListener("click", () => {
          document.cookie = `ck_consent=${button.dataset.choice}; max-age=${365 * 24 * 3600}; path=/; SameSite=Lax; Secure`;
          this.remove();
          tags();
        });
      }
    }
  }

  customElements.define("ck-button", CkButton);
  customElements.define("ck-cookie-notice", CkCookieNotice);
  if (saved) {
    tags();
    return;
  }
  const show = () => document.body.appendChild(document.createElement("ck-cookie-notice"));
  if (document.body) show();
  else document.addEventListener("DOMContentLoaded", show);
})();
