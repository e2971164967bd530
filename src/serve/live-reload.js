// Live reload for `archive serve`: injected into every HTML page it serves,
// never written into the built site. Reloads after a good rebuild; after a
// failed one, shows the errors over the page until the next good build.
(function () {
  "use strict";
  var script = document.currentScript;
  var loadedBuild = script ? Number(script.getAttribute("data-build")) : NaN;
  var overlay = null;

  function showErrors(errors) {
    hideErrors();
    overlay = document.createElement("div");
    overlay.id = "archive-build-errors";
    overlay.setAttribute("role", "alert");
    overlay.style.cssText = [
      "all: initial", "position: fixed", "z-index: 2147483647", "left: 0", "right: 0", "bottom: 0",
      "max-height: 60vh", "overflow: auto", "box-sizing: border-box", "padding: 1em 1.25em",
      "background: #2b0b0b", "color: #fff", "border-top: 4px solid #e5484d",
      "font: 14px/1.5 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace",
      "box-shadow: 0 -4px 16px rgba(0,0,0,.4)"
    ].join(";");
    var title = document.createElement("div");
    title.style.cssText = "font-weight: bold; margin-bottom: .5em; color: #ffb4b4";
    title.textContent = "Build failed — still showing the last good build. Fix the file and save to rebuild.";
    var list = document.createElement("pre");
    list.style.cssText = "margin: 0; white-space: pre-wrap; word-break: break-word; font: inherit; color: inherit";
    // textContent: error messages quote the files and are never markup.
    list.textContent = errors.join("\n");
    var close = document.createElement("button");
    close.type = "button";
    close.textContent = "×";
    close.setAttribute("aria-label", "Hide");
    close.style.cssText = "position: absolute; top: .25em; right: .5em; background: none; border: 0; color: #fff; font-size: 20px; cursor: pointer";
    close.onclick = hideErrors;
    overlay.appendChild(close);
    overlay.appendChild(title);
    overlay.appendChild(list);
    document.body.appendChild(overlay);
  }

  function hideErrors() {
    if (overlay) {
      overlay.remove();
      overlay = null;
    }
  }

  function apply(status) {
    if (!status.ok) {
      showErrors(status.errors);
    } else if (status.build !== loadedBuild) {
      location.reload();
    } else {
      hideErrors();
    }
  }

  var events = new EventSource("/__archive/events");
  events.addEventListener("reload", function () { location.reload(); });
  events.addEventListener("failed", function (e) { apply(JSON.parse(e.data)); });
  // On every (re)connection: a build may have happened while we were away.
  events.addEventListener("open", function () {
    fetch("/__archive/status", { cache: "no-store" })
      .then(function (r) { return r.json(); })
      .then(apply)
      .catch(function () {});
  });
})();
