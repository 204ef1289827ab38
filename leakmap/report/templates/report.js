// leakmap's own script (allowed by hash in the page's Content-Security-Policy): highlight a graph
// node's neighbours on hover or focus. It reads only numeric data- attributes, never page text.
(function () {
  document.documentElement.setAttribute("data-report-script", "ran");
  document.querySelectorAll("svg.graph").forEach(function (svg) {
    function mark(node, on) {
      var n = node.getAttribute("data-n");
      node.classList.toggle("hl", on);
      svg.querySelectorAll(".edge").forEach(function (edge) {
        var s = edge.getAttribute("data-s"), t = edge.getAttribute("data-t");
        if (s !== n && t !== n) return;
        edge.classList.toggle("hl", on);
        var other = svg.querySelector('.node[data-n="' + (s === n ? t : s) + '"]');
        if (other) other.classList.toggle("hl", on);
      });
      svg.classList.toggle("focus", on);
    }
    svg.querySelectorAll(".node").forEach(function (node) {
      node.addEventListener("mouseenter", function () { mark(node, true); });
      node.addEventListener("mouseleave", function () { mark(node, false); });
      node.addEventListener("focus", function () { mark(node, true); });
      node.addEventListener("blur", function () { mark(node, false); });
    });
  });
})();
