// Live updates: new briefs appear at the top of the home page without a reload (Server-Sent Events).
// The page works without JavaScript; this only adds to it.
(function () {
  "use strict";
  var list = document.getElementById("briefs");
  if (!list || !window.EventSource || window.location.search.indexOf("cursor=") !== -1) return;
  var since = list.getAttribute("data-latest-id") || "0";
  var source = new EventSource("/api/stream?since=" + encodeURIComponent(since));
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;  // textContent: never parsed as HTML
    return node;
  }
  source.addEventListener("brief", function (event) {
    var b = JSON.parse(event.data);
    if (document.querySelector('[data-slug="' + CSS.escape(b.slug) + '"]')) return;
    var row = el("li", "row new");
    row.setAttribute("data-slug", b.slug);
    row.appendChild(el("span", "when", "new"));
    row.appendChild(el("span", "dir " + b.direction, b.direction));
    row.appendChild(el("span", "pulse", String(Math.round(b.pulse))));
    row.appendChild(el("span", "syms", b.instruments.slice(0, 2).join(" ")));
    var link = el("a", "hl", b.headline);
    link.href = b.url;
    row.appendChild(link);
    list.insertBefore(row, list.firstChild);
  });
})();
