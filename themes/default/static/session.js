// Warns a minute before the session ends for lack of activity, and lets the
// reader stay signed in. Without JavaScript the session simply ends.
(function () {
  "use strict";
  var body = document.body;
  var idle = parseInt(body.getAttribute("data-idle-seconds"), 10);
  if (!idle || idle < 90) { return; }
  var box = null;
  var timer = null;
  function hide() { if (box) { box.remove(); box = null; } }
  function warn() {
    if (box) { return; }
    box = document.createElement("div");
    box.className = "idle-warning";
    box.setAttribute("role", "alert");
    var p = document.createElement("p");
    p.textContent = body.getAttribute("data-idle-warning");
    var b = document.createElement("button");
    b.type = "button";
    b.textContent = body.getAttribute("data-idle-stay");
    b.addEventListener("click", function () {
      fetch("/api/v1/me", { credentials: "same-origin" }).then(function (r) {
        hide();
        if (r.ok) { start(); } else { window.location.reload(); }
      });
    });
    box.appendChild(p);
    box.appendChild(b);
    body.appendChild(box);
    b.focus();
  }
  function start() {
    clearTimeout(timer);
    timer = setTimeout(warn, (idle - 60) * 1000);
  }
  start();
}());
