/* speech-archive — copy buttons on a document page. Progressive
   enhancement only: without this script the citations are still selectable
   text and each ¶ is still a plain link to its paragraph. With it:
   - a "copy" button after each citation heading and after the permalink;
   - clicking a paragraph's ¶ still jumps to it, and also copies the
     paragraph's citation (data-cite-paragraph, {n} its number, {accessed}
     the reader's day), announced politely;
   - the access date of the GB/T citation becomes the reader's day.
   UI strings come from data-t-* attributes of <article class="doc">, the
   permalink from its header's data-permalink. */
(function () {
  "use strict";
  var doc = document.querySelector("article.doc");
  var head = doc && doc.querySelector(".doc-head[data-permalink]");
  if (!head) return;
  var permalink = head.getAttribute("data-permalink");

  // On a phone the metadata panel would push the text a screen down: fold it.
  if (window.matchMedia && window.matchMedia("(max-width: 63.99rem)").matches) {
    var panel = document.querySelector("details.doc-panel");
    if (panel) panel.open = false;
  }
  function t(name) { return doc.getAttribute("data-t-" + name) || ""; }

  /* The reader's day (local time) as the access date of a citation. */
  function today() {
    var d = new Date();
    function two(n) { return (n < 10 ? "0" : "") + n; }
    return d.getFullYear() + "-" + two(d.getMonth() + 1) + "-" + two(d.getDate());
  }
  Array.prototype.forEach.call(doc.querySelectorAll(".cite-accessed"), function (s) { s.textContent = today(); });
  function paragraphCitation(n) {
    return (doc.getAttribute("data-cite-paragraph") || permalink + "#p-{n}")
      .split("{n}").join(n).split("{accessed}").join(today());
  }

  var status = document.createElement("p");
  status.className = "vh";
  status.setAttribute("role", "status");
  document.body.appendChild(status);
  function say(text) {
    status.textContent = "";
    window.setTimeout(function () { status.textContent = text; }, 50);
  }

  /* The Clipboard API needs a secure context (https, localhost); a file://
     or plain-http page falls back to a hidden textarea and execCommand. */
  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.className = "vh";
      document.body.appendChild(area);
      area.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      document.body.removeChild(area);
      if (ok) resolve(); else reject(new Error("copy"));
    });
  }

  function button(label, text, getText) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "copy-btn";
    b.textContent = text;
    if (label) b.setAttribute("aria-label", label);
    b.addEventListener("click", function () {
      copy(getText()).then(function () {
        b.textContent = t("copied");
        say(t("copied"));
        window.setTimeout(function () { b.textContent = text; }, 2000);
      }, function () { say(t("copy-failed")); });
    });
    return b;
  }

  /* Each citation: <h3>name</h3> followed by .citation. The heading and its
     button share a row; the button's label names the citation style. */
  var heads = doc.querySelectorAll(".cite-body h3");
  Array.prototype.forEach.call(heads, function (h) {
    var target = h.nextElementSibling;
    if (!target || !target.classList.contains("citation")) return;
    var row = document.createElement("div");
    row.className = "cite-head";
    h.parentNode.insertBefore(row, h);
    row.appendChild(h);
    var name = h.textContent.trim();
    row.appendChild(button(t("copy-citation").replace("{name}", name), t("copy"), function () {
      return target.textContent.trim();
    }));
  });

  var link = doc.querySelector(".permalink");
  if (link) {
    link.appendChild(document.createTextNode(" "));
    link.appendChild(button("", t("copy-link"), function () { return permalink; }));
  }

  /* ¶ links: follow the link as usual, and copy the paragraph's citation
     (the document's, its number and its permanent URL). */
  doc.addEventListener("click", function (e) {
    var a = e.target.closest && e.target.closest('.doc-body a[href^="#p-"]');
    if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    var id = a.getAttribute("href").slice(1);
    copy(paragraphCitation(id.slice(2))).then(function () {
      say(t("paragraph-cited").replace("{n}", id.slice(2)));
      a.setAttribute("data-copied", t("copied"));
      window.setTimeout(function () { a.removeAttribute("data-copied"); }, 2000);
    }, function () {});
  });
})();
