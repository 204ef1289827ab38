/* Prairie Homegoods honours Global Privacy Control only on paper: its GPP CMP records the opt-out
 * (usnat opt-outs = 1, usprivacy 1YYN) but the Meta pixel is hard-coded and loads on every page,
 * signal or not. No cookie banner (a US site). */
SiteTags.metaPixel("905517340086223");
