// Sends "Was this page helpful?" without leaving the page. Without
// JavaScript the form posts and the page comes back with its answer.
(function () {
  "use strict";
  var form = document.querySelector(".feedback-form");
  if (!form || !window.fetch) { return; }
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var data = new FormData(form);
    var helpful = data.get("helpful");
    fetch("/api/v1/feedback", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        path: data.get("path"), helpful: helpful === "yes", comment: data.get("comment") || "",
        contact_me: !!data.get("contact_me"), contact: data.get("contact") || "", website: data.get("website") || ""
      })
    }).then(function (r) {
      if (r.ok || r.status === 429 || r.status === 400) {
        var code = r.ok ? "thanks" : (r.status === 429 ? "later" : "invalid");
        window.location.href = window.location.pathname + "?feedback=" + code + "#feedback";
      } else {
        form.submit();
      }
    }).catch(function () { form.submit(); });
  });
}());
