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
    var card = el("article", "card new");
    card.setAttribute("data-slug", b.slug);
    var badges = el("div");
    badges.appendChild(el("span", "badge", b.category));
    badges.appendChild(el("span", "badge", "#" + b.primary_tag));
    badges.appendChild(el("span", "badge " + b.direction, b.direction));
    badges.appendChild(el("span", "badge", "Pulse " + Math.round(b.pulse) + "/100"));
    card.appendChild(badges);
    var h2 = el("h2");
    var link = el("a", "", b.headline);
    link.href = b.url;
    h2.appendChild(link);
    card.appendChild(h2);
    card.appendChild(el("p", "", b.dek));
    card.appendChild(el("div", "muted", "new · " + b.instruments.join(", ")));
    list.insertBefore(card, list.firstChild);
  });
})();
