// A video-call widget (hand-written test emulation, not vendor code): it prepares a real call,
// with a video transceiver and a data channel for chat, and reads its ICE candidates to connect.
// A call with media is no fingerprinting (the near miss of the WebRTC probe).
(() => {
  const pc = new RTCPeerConnection({ iceServers: [] });
  pc.addTransceiver("video", { direction: "recvonly" });
  pc.createDataChannel("chat");
  pc.onicecandidate = (e) => { if (!e.candidate) pc.close(); };
  pc.createOffer().then((offer) => pc.setLocalDescription(offer)).catch(() => {});
})();
