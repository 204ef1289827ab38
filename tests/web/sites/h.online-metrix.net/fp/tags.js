// A device-profiling tag for fraud prevention (hand-written test emulation of what such tags do
// with WebRTC, as OpenWPM and Blacklight record it; not vendor code): a peer connection with a
// data channel and an offer, no audio or video, whose ICE candidates (the device's local and
// public addresses) are collected and posted with the session id.
(() => {
  const me = document.currentScript ? new URL(document.currentScript.src) : null;
  const session = me ? me.searchParams.get("session_id") : "";
  const found = [];
  let sent = false;
  const send = () => {
    if (sent) return;
    sent = true;
    navigator.sendBeacon("https://h.online-metrix.net/fp/profile?session_id=" + encodeURIComponent(session),
      JSON.stringify({ candidates: found.length, addresses: found.slice(0, 8) }));
  };
  try {
    const pc = new RTCPeerConnection({ iceServers: [] });
    pc.createDataChannel("");
    pc.onicecandidate = (e) => {
      if (e.candidate) found.push(String(e.candidate.candidate).split(" ")[4] || "");
      else { send(); pc.close(); }
    };
    pc.createOffer().then((offer) => pc.setLocalDescription(offer)).catch(send);
  } catch (e) { send(); }
  setTimeout(send, 1000);
})();
