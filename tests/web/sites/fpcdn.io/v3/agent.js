// A device-fingerprinting agent (hand-written test emulation of what such agents do, after
// Englehardt & Narayanan 2016): canvas text in two colours extracted with toDataURL, font
// probing with measureText, the unmasked WebGL renderer, an audio fingerprint rendered by an
// OfflineAudioContext, and an enumeration of navigator and screen properties. The result is
// sent to the vendor's API.
(() => {
  const parts = {};
  // canvas
  const c = document.createElement("canvas");
  c.width = 240; c.height = 60;
  const x = c.getContext("2d");
  x.textBaseline = "alphabetic";
  x.fillStyle = "#f60"; x.fillRect(125, 1, 62, 20);
  x.fillStyle = "#069"; x.font = "11pt no-real-font-123";
  x.fillText("Cwm fjordbank glyphs vext quiz, \ud83d\ude03", 2, 15);
  x.fillStyle = "rgba(102, 204, 0, 0.2)"; x.font = "18pt Arial";
  x.fillText("Cwm fjordbank glyphs vext quiz, \ud83d\ude03", 4, 45);
  parts.canvas = c.toDataURL().length;
  // fonts
  const fonts = ["Andale Mono", "Arial Black", "Bahnschrift", "Calibri", "Cambria", "Candara", "Comic Sans MS",
    "Consolas", "Constantia", "Corbel", "Courier New", "Ebrima", "Franklin Gothic", "Gabriola", "Gadugi", "Georgia",
    "HoloLens MDL2 Assets", "Impact", "Ink Free", "Javanese Text", "Leelawadee UI", "Lucida Console",
    "Lucida Sans Unicode", "Malgun Gothic", "Marlett", "Microsoft Himalaya", "Microsoft JhengHei",
    "Microsoft New Tai Lue", "Microsoft PhagsPa", "Microsoft Sans Serif", "Microsoft Tai Le", "Microsoft YaHei",
    "Microsoft Yi Baiti", "MingLiU-ExtB", "Mongolian Baiti", "MS Gothic", "MV Boli", "Myanmar Text",
    "Nirmala UI", "Palatino Linotype", "Segoe MDL2 Assets", "Segoe Print", "Segoe Script", "Segoe UI",
    "Segoe UI Historic", "Segoe UI Emoji", "Segoe UI Symbol", "SimSun", "Sitka", "Sylfaen", "Symbol", "Tahoma",
    "Times New Roman", "Trebuchet MS", "Verdana", "Webdings", "Wingdings", "Yu Gothic", "Helvetica Neue", "Menlo"];
  const probe = document.createElement("canvas").getContext("2d");
  const widths = {};
  for (const f of fonts) {
    probe.font = `72px '${f}', monospace`;
    widths[f] = probe.measureText("mmmmmmmmmmlli").width;
  }
  parts.fonts = Object.values(widths).filter((w, i, a) => a.indexOf(w) === i).length;
  // WebGL
  const gl = document.createElement("canvas").getContext("webgl");
  if (gl) {
    const dbg = gl.getExtension("WEBGL_debug_renderer_info");
    parts.gl = dbg ? gl.getParameter(dbg.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER);
    parts.glv = gl.getParameter(gl.VERSION);
  }
  // navigator and screen
  const n = navigator, s = screen;
  parts.env = [n.userAgent, n.platform, n.language, (n.languages || []).join(","), n.hardwareConcurrency,
    n.deviceMemory, n.plugins.length, n.mimeTypes.length, n.doNotTrack, n.maxTouchPoints, n.cookieEnabled, n.vendor,
    n.pdfViewerEnabled, s.width, s.height, s.colorDepth, s.availWidth, s.availHeight, s.pixelDepth].join("|");
  // audio, then send
  const send = (audio) => {
    parts.audio = audio;
    navigator.sendBeacon("https://fpcdn.io/v3/result", JSON.stringify(parts));
  };
  try {
    const ac = new (window.OfflineAudioContext || window.webkitOfflineAudioContext)(1, 5000, 44100);
    const osc = ac.createOscillator();
    osc.type = "triangle"; osc.frequency.value = 10000;
    const comp = ac.createDynamicsCompressor();
    comp.threshold.value = -50; comp.knee.value = 40; comp.ratio.value = 12;
    osc.connect(comp); comp.connect(ac.destination); osc.start(0);
    ac.startRendering().then((buf) => {
      const data = buf.getChannelData(0);
      let sum = 0;
      for (let i = 4500; i < 5000; i++) sum += Math.abs(data[i]);
      send(sum);
    }, () => send(null));
  } catch (e) { send(null); }
})();
