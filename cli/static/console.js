// amisim console: redraws the page when the simulated cloud changes.
// It asks /version twice a second; when the answer differs from the one the
// page was drawn with, it fetches the page again and swaps in its content.
(function () {
  "use strict";
  var busy = false;
  function editing() {
    var a = document.activeElement;
    return a && a.form !== undefined && a.form !== null && a.tagName !== "BUTTON";
  }
  // Where the keyboard focus is, as something the redrawn page also has.
  function focusKey() {
    var a = document.activeElement;
    if (!a || a === document.body || !a.closest("#content")) { return null; }
    if (a.id) { return "#" + CSS.escape(a.id); }
    var href = a.getAttribute("href");
    return href ? a.tagName.toLowerCase() + '[href="' + CSS.escape(href) + '"]' : null;
  }
  function swap(html) {
    var key = focusKey();
    var next = new DOMParser().parseFromString(html, "text/html");
    ["content", "clock"].forEach(function (id) {
      var now = document.getElementById(id), then = next.getElementById(id);
      if (now && then) { now.replaceWith(then); }
    });
    document.title = next.title;
    if (key) {
      var again = document.querySelector(key);
      if (again) { again.focus({ preventScroll: true }); }
    }
    document.body.dataset.version = next.body.dataset.version || "";
    var live = document.getElementById("live");
    if (live) { live.textContent = "Updated: the cloud changed"; }
  }
  function tick() {
    if (busy || editing() || !document.body.dataset.version) { return; }
    busy = true;
    fetch((document.body.dataset.base || "/") + "version", { cache: "no-store" })
      .then(function (r) { return r.text(); })
      .then(function (v) {
        if (v === document.body.dataset.version) { return null; }
        return fetch(location.href, { cache: "no-store" }).then(function (r) { return r.text(); }).then(swap);
      })
      .catch(function () {})
      .then(function () { busy = false; });
  }
  setInterval(tick, 500);
})();
