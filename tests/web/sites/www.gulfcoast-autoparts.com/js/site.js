/* Gulfcoast Auto Parts ignores Global Privacy Control: the Meta pixel loads on every page whatever
 * the browser signals, and its GPP CMP reports "did not opt out" (usnat opt-outs = 2, usprivacy
 * 1YNN) although it sees GPC. No cookie banner (a US site). */
SiteTags.metaPixel("418802265530917");
