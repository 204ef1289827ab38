/* Osano cookieconsent 3 in opt-in mode on pennyfarthing-books.co.uk: Google Analytics and the Meta
 * pixel load only once the visitor allows cookies (cookieconsent_status=allow, kept one year). */
function loadTags() {
  SiteTags.googleTag("G-PFB4K7W2XD");
  SiteTags.metaPixel("429817365502184");
}
window.cookieconsent.initialise({
  type: "opt-in",
  cookie: { name: "cookieconsent_status", expiryDays: 365 },
  palette: { popup: { background: "#2b2118", text: "#fffdf8" }, button: { background: "#e8a33d", text: "#2b2118" } },
  content: {
    message: "We would like to use cookies to understand how our shop is used and to measure our adverts.",
    allow: "Allow cookies",
    deny: "Decline",
    link: "Read our cookie policy",
    href: "/cookies.html",
  },
  revokable: false,
  onInitialise(status) {
    if (this.hasConsented()) loadTags();
  },
  onStatusChange(status) {
    if (this.hasConsented()) loadTags();
  },
});
