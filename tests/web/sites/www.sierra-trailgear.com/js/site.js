/* Sierra Trailgear honours Global Privacy Control: with the browser's opt-out signal on, no
 * advertising or social tag loads (its GPP CMP records the opt-out too). Without it, the Meta pixel
 * (retargeting) loads on every page: there is no cookie banner on this US site. */
if (navigator.globalPrivacyControl !== true) {
  SiteTags.metaPixel("730114582209461");
}
