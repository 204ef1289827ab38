/* FAKE Stripe.js (js.stripe.com/v3/) for the leakmap test web (payment: an essential service).
 * On load: first-party __stripe_mid (1 year) and __stripe_sid (30 minutes) cookies and a hidden
 * controller iframe from js.stripe.com that reports fraud signals to m.stripe.com/6.
 * Stripe(pk).elements().create("card").mount(selector) inserts the card field iframe. */
if (window.Stripe) return;
const mid = T.getCookie("__stripe_mid") || T.uuid() + T.hex(3);
const sid = T.getCookie("__stripe_sid") || T.uuid() + T.hex(3);
T.setCookie("__stripe_mid", mid, 365 * 24 * 3600);
T.setCookie("__stripe_sid", sid, 1800);

function frame(src, attrs) {
  const f = document.createElement("iframe");
  f.src = src;
  Object.assign(f, attrs);
  f.setAttribute("frameborder", "0");
  f.setAttribute("allowtransparency", "true");
  return f;
}

T.whenReady(() => {
  const hash = T.qs({ muid: mid, sid, referrer: location.href });
  const controller = frame(`https://js.stripe.com/v3/controller-5a4e39c6a2d9bd8f.html#${hash}`, { title: "Stripe" });
  controller.setAttribute("aria-hidden", "true");
  controller.style.cssText = "position:fixed;width:1px;height:1px;border:0;opacity:0;pointer-events:none";
  document.body.appendChild(controller);
});

window.Stripe = (key) => ({
  elements: () => ({
    create: (type) => ({
      mount(selector) {
        const target = typeof selector === "string" ? document.querySelector(selector) : selector;
        const src = `https://js.stripe.com/v3/elements-inner-${type}-7d1f30b6c8e2.html#` + T.qs({ key, origin: location.origin });
        const field = frame(src, { title: "Secure card payment input frame", scrolling: "no" });
        field.style.cssText = "width:100%;height:44px;border:0";
        target.replaceChildren(field);
      },
    }),
  }),
});
