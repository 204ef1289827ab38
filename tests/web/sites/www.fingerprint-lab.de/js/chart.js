// First-party chart: draws bars and labels, then exports the picture for the "download" link.
(() => {
  const canvas = document.getElementById("chart");
  const ctx = canvas.getContext("2d");
  const values = [12, 19, 7, 15, 22];
  values.forEach((v, i) => {
    ctx.save();
    ctx.fillStyle = i % 2 ? "#2a7ab0" : "#8fc1e3";
    ctx.fillRect(20 + i * 55, 150 - v * 6, 40, v * 6);
    ctx.fillStyle = "#222";
    ctx.font = "12px sans-serif";
    ctx.fillText("Quartal " + (i + 1), 20 + i * 55, 158);
    ctx.restore();
  });
  const link = document.createElement("a");
  link.href = canvas.toDataURL("image/png");
  link.download = "chart.png";
  link.textContent = "Diagramm herunterladen";
  document.body.appendChild(link);
})();
