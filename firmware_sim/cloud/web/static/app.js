/* iSmart web companion: small progressive enhancement. Every page works without it. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // One tap, one request: while a form is being sent, its buttons wait.
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (form.classList.contains("busy")) { e.preventDefault(); return; }
    form.classList.add("busy");
    // after the browser has read the pressed button's value
    setTimeout(function () {
      form.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
    }, 0);
  });
  // Back from the next page (page cache): the buttons work again.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form.busy").forEach(function (form) {
      form.classList.remove("busy");
      form.querySelectorAll("button").forEach(function (b) { b.disabled = false; });
    });
  });

  // The confirm question counts down the time left to answer.
  var timer = document.querySelector(".timer[data-left]");
  if (timer) {
    var out = timer.querySelector("b");
    var end = Date.now() + Number(timer.getAttribute("data-left")) * 1000;
    var tick = function () {
      var s = Math.max(0, Math.round((end - Date.now()) / 1000));
      out.textContent = Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
      if (s > 0) { setTimeout(tick, 500); return; }
      document.body.classList.add("timed-out");
      timer.textContent = timer.getAttribute("data-expired");
      document.querySelectorAll("[data-expires]").forEach(function (b) { b.disabled = true; });
    };
    tick();
  }

  // Live parts: each [data-live-src] is polled; the server answers 204 while nothing changed,
  // else HTML whose [data-live-part] elements replace those of the same name on this page.
  var PERIOD = 2000;
  function apply(html) {
    var box = document.createElement("template");
    box.innerHTML = html;
    box.content.querySelectorAll("[data-live-part]").forEach(function (fresh) {
      var name = fresh.getAttribute("data-live-part");
      var old = document.querySelector('[data-live-part="' + name + '"]');
      if (old) { fresh.classList.add("fresh"); old.replaceWith(fresh); }
    });
  }
  document.querySelectorAll("[data-live-src]").forEach(function (src) {
    var url = src.getAttribute("data-live-src");
    var version = src.getAttribute("data-live-v") || "";
    var poll = function () {
      if (document.hidden) { setTimeout(poll, PERIOD); return; }
      fetch(url + "?v=" + encodeURIComponent(version), { credentials: "same-origin" })
        .then(function (r) {
          if (r.status === 200) {
            version = r.headers.get("X-Live-Version") || version;
            return r.text().then(function (html) { apply(html); return true; });
          }
          return r.status === 204; // 401/403/404: this page is not live any more
        })
        .then(function (go) { if (go) { setTimeout(poll, PERIOD); } },
              function () { setTimeout(poll, PERIOD * 3); }); // offline for a moment
    };
    setTimeout(poll, PERIOD);
  });
})();
