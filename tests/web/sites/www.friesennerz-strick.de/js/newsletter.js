/* The newsletter pop-up: a second after load, a full-page overlay above everything (the cookie
 * banner included) offers 10 % off for a sign-up, until the visitor closes it with its close
 * button (an icon whose only name is its aria-label "Schließen"); closed, it stays away
 * (localStorage fs_newsletter). Clicks on the overlay around the box do nothing, nor does Escape. */
(() => {
  if (localStorage.getItem("fs_newsletter")) return;
  setTimeout(() => {
    const overlay = document.createElement("div");
    overlay.className = "nl-overlay";
    overlay.style.cssText = "position:fixed;inset:0;z-index:2147483600;background:rgba(10,20,30,.55);display:flex;align-items:center;justify-content:center";
    overlay.innerHTML = `<div class="nl-box" role="dialog" aria-modal="true" aria-labelledby="nl-title"
        style="position:relative;width:420px;max-width:90vw;background:#fff;border-radius:10px;padding:28px 26px;font:15px/1.5 system-ui,sans-serif">
      <button type="button" class="nl-close" aria-label="Schließen" style="position:absolute;top:10px;right:10px;width:32px;height:32px;border:0;background:none;cursor:pointer">
        <svg width="16" height="16" viewBox="0 0 16 16" aria-hidden="true"><path d="M2 2l12 12M14 2L2 14" stroke="#1b2a3a" stroke-width="2"/></svg></button>
      <h2 id="nl-title" style="margin:0 0 8px">10 % auf deine erste Bestellung</h2>
      <p style="margin:0 0 14px">Melde dich für unseren Newsletter an: neue Kollektionen, Strickanleitungen und Aktionen.</p>
      <form onsubmit="return false"><input type="email" name="email" placeholder="deine@email.de" style="width:100%;padding:9px;margin-bottom:10px">
      <button type="submit" style="padding:10px 18px">Anmelden</button></form>
    </div>`;
    overlay.querySelector(".nl-close").addEventListener("click", () => {
      localStorage.setItem("fs_newsletter", "geschlossen");
      overlay.remove();
    });
    document.body.appendChild(overlay);
  }, 1000);
})();
