/* FAKE Taboola Pixel (cdn.taboola.com/libtrc/unip/<id>/tfa.js) for the leakmap test web.
 * Keeps a user id in localStorage ("taboola global:user-id") and logs each _tfa event to
 * trc.taboola.com/<id>/log/3/unip (an image; the server sets the third-party t_gid cookie).
 * The id is <uuid>-tuct<hex> with an unpadded hex counter, so it is 45 or 46 characters long
 * depending on the profile, as real ids of this shape are. */
const queue = window._tfa || [];
if (!Array.isArray(queue)) return;
const KEY = "taboola global:user-id";
const counter = 0x1000 + Math.floor(Math.random() * 0x1f000); // 4 or 5 hex digits, unpadded
const userId = localStorage.getItem(KEY) || T.uuid() + "-tuct" + counter.toString(16);
localStorage.setItem(KEY, userId);

function handle(item) {
  if (!item || item.notify !== "event") return;
  T.pixel(`https://trc.taboola.com/${item.id}/log/3/unip?` + T.qs({
    en: item.name, tim: Date.now(), ref: document.referrer, "item-url": location.href,
    ui: userId, cv: "20240515-3-RELEASE", tos: Math.round(performance.now()), sd: "v2_" + T.hex(12),
  }));
}
queue.forEach(handle);
window._tfa = { push: (...items) => items.forEach(handle) };
