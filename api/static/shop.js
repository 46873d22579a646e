// Comptoir — progressive enhancement only: every page works without this file.
// 1. The search page's map: Leaflet (served by us), markers for the merchants listed.
// 2. The order page: its progress is fetched again every 5 s and replaced when it changes.
(function () {
  "use strict";

  function map() {
    var box = document.getElementById("carte");
    var items = document.querySelectorAll("#commerces li[data-lat]");
    if (!box || !items.length || !window.L) { return; }
    box.hidden = false;
    var L = window.L;
    var leaflet = L.map(box, { scrollWheelZoom: false });
    var tiles = box.getAttribute("data-tiles");
    if (tiles) {
      L.tileLayer(tiles, { maxZoom: 18, attribution: box.getAttribute("data-attribution") }).addTo(leaflet);
    }
    var bounds = [];
    items.forEach(function (item) {
      var at = [parseFloat(item.dataset.lat), parseFloat(item.dataset.lon)];
      var link = document.createElement("a");
      link.href = item.dataset.href;
      link.textContent = item.dataset.name;
      L.circleMarker(at, { radius: 9, color: "#0b3a82", weight: 3, fillColor: "#a8261b", fillOpacity: 0.9 })
        .bindPopup(link).bindTooltip(item.dataset.name).addTo(leaflet);
      bounds.push(at);
    });
    leaflet.fitBounds(bounds, { padding: [30, 30], maxZoom: 12 });
  }

  function poll() {
    var box = document.querySelector("[data-poll]");
    if (!box || !window.fetch) { return; }
    var url = box.getAttribute("data-poll");
    window.setInterval(function () {
      if (document.hidden) { return; }
      fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (answer) { return answer.ok ? answer.text() : null; })
        .then(function (html) {
          if (html === null) { return; }
          var holder = document.createElement("div");
          holder.innerHTML = html;
          if (holder.innerHTML.trim() !== box.innerHTML.trim()) { box.innerHTML = holder.innerHTML; }
        })
        .catch(function () { /* offline for a moment: the next round tries again */ });
    }, 5000);
  }

  document.addEventListener("DOMContentLoaded", function () { map(); poll(); });
}());
