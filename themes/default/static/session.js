// Warns before the session ends for lack of activity, and lets the reader
// stay signed in. Without JavaScript the session simply ends.
//
// The server extends a session on each request, but records the time at
// most every 30 seconds, so a request at time T keeps the session alive
// until at least T + idle - 30 s. The countdown runs to that moment. Typing
// and pointing are activity the server cannot see; after them the page sends
// a cheap signed-in request, at most once a minute. The warning never takes
// focus from a field being written in; it is announced through a polite live
// region instead.
(function () {
  "use strict";
  var body = document.body;
  var idle = parseInt(body.getAttribute("data-idle-seconds"), 10);
  var grace = 30; // seconds the server may lag in recording activity
  if (!idle || idle < 60 || !window.fetch) { return; }
  var span = (idle - grace) * 1000;           // a request's sure lifetime
  var lead = Math.min(60000, span / 2);        // warn this long before the end
  var touchEvery = Math.min(60000, Math.max(5000, Math.floor(span / 3)));
  var text = function (name) { return body.getAttribute("data-idle-" + name) || ""; };

  var seen = Date.now();     // the page itself was a request
  var touched = seen;        // when the server was last asked: the page itself
  var pending = null;        // a touch waiting for the once-a-minute limit
  var timer = null;
  var tick = null;
  var ended = false;
  var box = null, clock = null;

  var live = document.createElement("div");
  live.className = "visually-hidden";
  live.setAttribute("aria-live", "polite");
  live.setAttribute("aria-atomic", "true");
  body.appendChild(live);
  function announce(s) { live.textContent = s; }

  function deadline() { return seen + span; }
  function mmss(ms) {
    var s = Math.max(0, Math.ceil(ms / 1000));
    var sec = s % 60;
    return Math.floor(s / 60) + ":" + (sec < 10 ? "0" : "") + sec;
  }
  function writing() {
    var a = document.activeElement;
    if (!a || a === body) { return false; }
    return a.isContentEditable || a.tagName === "TEXTAREA" || a.tagName === "SELECT" ||
      (a.tagName === "INPUT" && !/^(button|submit|reset|checkbox|radio|image|file|color|range)$/.test(a.type));
  }

  function hide() {
    clearInterval(tick); tick = null;
    if (box) { box.remove(); box = null; clock = null; }
  }
  function show() {
    box = document.createElement("div");
    box.className = "idle-warning";
    box.setAttribute("role", "region");
    box.setAttribute("aria-label", text("warning"));
    body.appendChild(box);
  }
  function warn() {
    if (box || ended) { return; }
    show();
    var p = document.createElement("p");
    p.textContent = text("warning") + " ";
    var left = document.createElement("span");
    left.textContent = text("left") + " ";
    clock = document.createElement("strong");
    clock.className = "idle-clock";
    clock.setAttribute("role", "timer");
    clock.setAttribute("aria-live", "off");
    left.appendChild(clock);
    p.appendChild(left);
    var b = document.createElement("button");
    b.type = "button";
    b.textContent = text("stay");
    b.addEventListener("click", function () { touch(true); });
    box.appendChild(p);
    box.appendChild(b);
    var stage = -1;
    function update() {
      var rest = deadline() - Date.now();
      if (rest <= 0) { end(); return; }
      clock.textContent = mmss(rest);
      // Read out when the warning comes, at half a minute and at ten
      // seconds, not every second.
      var now = rest <= 10000 ? 2 : rest <= 30000 ? 1 : 0;
      if (now > stage) {
        stage = now;
        announce(text("announce").replace("%s", mmss(rest)));
      }
    }
    update();
    tick = setInterval(update, 1000);
    if (!writing()) {
      // Nothing is being written in: the button may take focus.
      var a = document.activeElement;
      if (!a || a === body) { b.focus(); }
    }
  }
  function end() {
    ended = true;
    hide();
    clearTimeout(timer);
    clearTimeout(pending);
    show();
    box.classList.add("idle-ended");
    var p = document.createElement("p");
    p.textContent = text("ended") + " ";
    var a = document.createElement("a");
    a.href = "/auth/login?return=" + encodeURIComponent(location.pathname + location.search);
    a.textContent = text("signin");
    p.appendChild(a);
    box.appendChild(p);
    announce(text("ended"));
  }
  function plan() {
    if (ended) { return; }
    clearTimeout(timer);
    var wait = deadline() - lead - Date.now();
    if (wait <= 0) { warn(); return; }
    hide();
    timer = setTimeout(plan, wait);
  }
  // reached records a request the server saw at time t.
  function reached(t) {
    if (ended || t <= seen) { return; }
    seen = t;
    plan();
  }

  function touch(now) {
    if (ended) { return; }
    var since = Date.now() - touched;
    if (!now && since < touchEvery) {
      if (!pending) { pending = setTimeout(function () { pending = null; touch(true); }, touchEvery - since); }
      return;
    }
    clearTimeout(pending); pending = null;
    var at = Date.now();
    touched = at;
    fetch("/api/v1/me", { credentials: "same-origin", cache: "no-store" }).then(function (r) {
      if (r.ok) { reached(at); } else if (r.status === 401 || r.status === 403) { end(); }
    }, function () { /* offline: the countdown goes on */ });
  }

  // Local activity reaches the server through a touch, at most once a
  // minute; the countdown resets when the server has answered.
  var lastActive = 0;
  function active() {
    var now = Date.now();
    if (now - lastActive < 1000) { return; }
    lastActive = now;
    touch(false);
  }
  ["keydown", "input", "pointerdown", "wheel"].forEach(function (ev) {
    document.addEventListener(ev, active, { capture: true, passive: true });
  });

  // Requests the page makes by itself (preview, search suggestions) extend
  // the session as well.
  if (window.PerformanceObserver && performance.timeOrigin) {
    try {
      new PerformanceObserver(function (list) {
        list.getEntries().forEach(function (e) {
          if ((e.initiatorType === "fetch" || e.initiatorType === "xmlhttprequest") &&
              e.name.indexOf(location.origin + "/") === 0 && !/\/api\/v1\/me$/.test(e.name) &&
              !(e.responseStatus >= 400)) {
            reached(performance.timeOrigin + e.startTime);
          }
        });
      }).observe({ type: "resource", buffered: false });
    } catch (e) { /* older browsers: only the touches count */ }
  }

  plan();
}());
