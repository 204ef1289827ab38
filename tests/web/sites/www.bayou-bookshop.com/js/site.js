/* Bayou Bookshop declares that it honours Global Privacy Control (/.well-known/gpc.json) and its
 * GPP CMP records the opt-out, but the Meta pixel is hard-coded and loads on every page, signal or
 * not. No cookie banner (a US site). */
SiteTags.metaPixel("240817736615902");
