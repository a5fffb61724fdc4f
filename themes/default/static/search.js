// Suggests page titles while typing in a search box. Without JavaScript
// the box is a plain form that searches on submit.
(function () {
  "use strict";
  var list = document.getElementById("q-suggest");
  if (!list || !window.fetch) { return; }
  var timer = null;
  var last = "";
  function suggest(input) {
    var q = input.value.trim();
    if (q.length < 2 || q === last) { return; }
    last = q;
    fetch("/api/v1/search/suggest?q=" + encodeURIComponent(q), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : { items: [] }; })
      .then(function (data) {
        while (list.firstChild) { list.removeChild(list.firstChild); }
        (data.items || []).forEach(function (s) {
          var o = document.createElement("option");
          o.value = s.title;
          list.appendChild(o);
        });
      })
      .catch(function () {});
  }
  document.querySelectorAll('input[list="q-suggest"]').forEach(function (input) {
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { suggest(input); }, 120);
    });
  });
}());
