/* The old site's cookie notice (Osano cookieconsent 3, opt-in), still there after the relaunch:
 * it governs the Meta pixel (cookieconsent_status=allow). */
window.cookieconsent.initialise({
  type: "opt-in",
  position: "top",
  content: {
    message: "Diese Website verwendet Cookies für Werbung auf Facebook und Instagram.",
    allow: "Cookies erlauben",
    deny: "Ablehnen",
    link: "Mehr erfahren",
    href: "/datenschutz.html",
  },
  revokable: false,
  onInitialise() { if (this.hasConsented()) SiteTags.metaPixel("845610293847561"); },
  onStatusChange() { if (this.hasConsented()) SiteTags.metaPixel("845610293847561"); },
});
