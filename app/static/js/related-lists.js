// A record's related lists load when their tab is first shown (app/views/related.py). The pane's
// URL is asked with the page's own arguments (each list's page, page size and sort), so a list
// shows the page of itself the record page's links asked for.
(function () {
  "use strict";
  // The page's nonce, for the list's own scripts (its delete buttons and actions): they run only
  // if they carry the nonce of the response they came in, as they would on a page of their own.
  var pageNonce = document.currentScript ? document.currentScript.nonce : "";

  function failed(pane) {
    pane.removeAttribute("data-state");
    pane.querySelector(".related-loading").classList.add("hidden");
    pane.querySelector(".related-error").classList.remove("hidden");
  }

  function show(pane, html, responseNonce) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var scripts = [];
    doc.querySelectorAll("script").forEach(function (script) {
      if (responseNonce && script.getAttribute("nonce") === responseNonce) {
        scripts.push(script.textContent);
      }
      script.remove();
    });
    pane.replaceChildren.apply(pane, Array.prototype.slice.call(doc.body.childNodes));
    scripts.forEach(function (code) {
      var script = document.createElement("script");
      script.nonce = pageNonce;
      script.textContent = code;
      pane.appendChild(script);
    });
    pane.setAttribute("data-state", "loaded");
  }

  function load(pane) {
    if (pane.getAttribute("data-state")) {
      return;
    }
    pane.setAttribute("data-state", "loading");
    fetch(pane.getAttribute("data-related-url") + window.location.search, {credentials: "same-origin"})
      .then(function (resp) {
        if (resp.redirected) {  // signed out meanwhile: the page itself goes to the sign-in
          window.location.reload();
          return;
        }
        if (!resp.ok) {
          failed(pane);
          return;
        }
        var policy = resp.headers.get("Content-Security-Policy") || "";
        var nonce = /'nonce-([^']+)'/.exec(policy);
        return resp.text().then(function (html) { show(pane, html, nonce && nonce[1]); });
      })
      .catch(function () { failed(pane); });
  }

  $(document).on("shown.bs.tab", 'a[data-toggle="tab"]', function () {
    var tab = document.getElementById(($(this).attr("href") || "").slice(1));
    var pane = tab && tab.querySelector(".related-pane");
    if (pane) {
      load(pane);
    }
  });
})();
