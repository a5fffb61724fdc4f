// Live preview for the editor: the server renders the Markdown with the
// site's own pipeline. Without JavaScript, the Preview button does the same.
(function () {
  "use strict";
  var body = document.getElementById("f-body");
  var out = document.getElementById("preview");
  if (!body || !out || !window.fetch) { return; }
  var timer = null;
  function render() {
    fetch("/api/v1/admin/preview", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ markdown: body.value })
    }).then(function (r) { return r.ok ? r.json() : null; })
      .then(function (d) { if (d) { out.innerHTML = d.html; } })
      .catch(function () {});
  }
  body.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(render, 250);
  });
  render();
}());
