/* FAKE YouTube embed player script (www.youtube.com/s/player/.../www-embed-player.js) for the
 * leakmap test web. Inside the cross-site embed frame it: asks googleads.g.doubleclick.net for
 * the ad id (doubleclick.net cookies), loads static.doubleclick.net/instream/ad_status.js, writes
 * YouTube's localStorage keys (yt-remote-device-id, ytidb::LAST_RESULT_ENTRY_KEY) and logs the
 * view to www.youtube.com/youtubei/v1/log_event. Play "plays" the video: a progress bar and
 * playback pings to www.youtube.com/api/stats/playback. */
const cfg = window.ytcfg;
const cpn = T.hex(8);
const year = 365 * 24 * 3600 * 1000;
try {
  localStorage.setItem("yt-remote-device-id", JSON.stringify({ data: T.uuid(), expiration: Date.now() + year, creation: Date.now() }));
  localStorage.setItem("ytidb::LAST_RESULT_ENTRY_KEY", JSON.stringify({ data: cfg.VISITOR_DATA, creation: Date.now() }));
} catch {
  // third-party storage blocked (a browser that blocks third-party cookies): play on without it
}

fetch("https://googleads.g.doubleclick.net/pagead/id", { credentials: "include" });
T.load("https://static.doubleclick.net/instream/ad_status.js");
T.post("https://www.youtube.com/youtubei/v1/log_event?alt=json", JSON.stringify({
  context: { client: { clientName: "WEB_EMBEDDED_PLAYER", visitorData: cfg.VISITOR_DATA, hl: navigator.language } },
  events: [{ eventTimeMs: Date.now(), embedsPlayerLoaded: { videoId: cfg.VIDEO_ID, embedUrl: document.referrer } }],
}));

document.getElementById("play").addEventListener("click", () => {
  const player = document.getElementById("player");
  const progress = document.getElementById("progress");
  player.classList.add("playing");
  let second = 0;
  const tick = () => {
    T.pixel("https://www.youtube.com/api/stats/playback?" + T.qs({ ns: "yt", el: "embedded", docid: cfg.VIDEO_ID, cpn, ver: 2, cmt: second, len: cfg.DURATION }));
    progress.style.width = `${(100 * second) / cfg.DURATION}%`;
    if ((second += 10) <= cfg.DURATION) setTimeout(tick, 1000);
  };
  tick();
});
