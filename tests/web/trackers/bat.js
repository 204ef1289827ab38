/* FAKE Microsoft Advertising UET tag (bat.bing.com/bat.js) for the leakmap test web.
 * `new UET({ti, q})` then push("pageLoad") sends an image to bat.bing.com/action/0 with the
 * visit ids kept in first-party cookies _uetsid (1 day) and _uetvid (13 months), mirrored in
 * localStorage with their expiry (_uetsid_exp, _uetvid_exp), like the real tag. */
function keep(name, seconds) {
  const value = T.getCookie(name) || localStorage.getItem(name) || T.hex(16);
  T.setCookie(name, value, seconds);
  localStorage.setItem(name, value);
  localStorage.setItem(`${name}_exp`, new Date(Date.now() + seconds * 1000).toUTCString());
  return value;
}

class UET {
  constructor(options) {
    this.ti = options.ti;
    this.loadedAt = Date.now();
    for (const item of options.q || []) this.push(item);
  }
  push(...items) {
    for (const item of items) {
      if (item === "pageLoad") this.send("pageLoad", {});
      else if (item === "event") continue;
      else if (item && typeof item === "object") this.send("custom", item);
    }
  }
  send(evt, extra) {
    const sid = keep("_uetsid", 24 * 3600);
    const vid = keep("_uetvid", 390 * 24 * 3600);
    T.pixel("https://bat.bing.com/action/0?" + T.qs({
      ti: this.ti, tm: "al001", Ver: 2, mid: T.uuid(), sid, vid, vids: 1, msclkid: "N", evt,
      sv: 1, ...extra, p: location.href, r: document.referrer, lt: Date.now() - this.loadedAt,
      sw: screen.width, sh: screen.height, sc: 24, tl: document.title, lg: navigator.language, rn: T.digits(6),
    }));
  }
}
window.UET = UET;
