// Full-text search of the archive, in the browser, with no server: the
// index under search/ (written by the generator's search stage, format in
// themes/default/README.md) is fetched piece by piece. A query term's
// character bigrams (or its one character) select the chunks of text that
// may hold it; reading those chunks keeps only the ones that do. The same
// algorithm is src/search/query.rs, which the library tests check.
(function () {
  "use strict";

  var app = document.getElementById("search-app");
  if (!app) return;
  var base = app.getAttribute("data-index");
  var root = app.getAttribute("data-root");
  var form = document.getElementById("search-form");
  var input = document.getElementById("search-q");
  var statusEl = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var more = document.getElementById("search-more");
  var facetBox = document.getElementById("search-facets");
  var PAGE = 10;
  var VISIBLE_TERMS = 12;
  function t(name) { return app.getAttribute("data-t-" + name) || ""; }

  // ---- fetching, each file once ----
  var cache = new Map();
  function get(path, json) {
    if (!cache.has(path)) {
      cache.set(path, fetch(base + path).then(function (r) {
        if (!r.ok) throw new Error(path + ": " + r.status);
        return json ? r.json() : r.text();
      }));
    }
    return cache.get(path);
  }

  // ---- normalisation: the same as src/search/normalize.rs ----
  var t2s = new Map();
  // Rust's char::is_whitespace.
  var WS = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]$/;
  function fold(c) {
    var n = c.codePointAt(0);
    if (n >= 65 && n <= 90) return String.fromCharCode(n + 32);
    if (n === 0x3000) return " ";
    if (n >= 0xff01 && n <= 0xff5e) {
      var h = n - 0xfee0;
      return String.fromCharCode(h >= 65 && h <= 90 ? h + 32 : h);
    }
    if (n < 0x800) return c;
    return t2s.get(c) || c;
  }
  function chars(s) { return Array.from(s); }
  function normChars(s) { return chars(s).map(fold); }
  function termsOf(q) {
    var out = [];
    var seen = new Set();
    q.split(/[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/).forEach(function (w) {
      var term = normChars(w).filter(function (c) { return !WS.test(c); });
      var key = term.join("");
      if (term.length && !seen.has(key)) { seen.add(key); out.push(term); }
    });
    return out;
  }
  function gramsOf(term) {
    var grams = [];
    if (term.length === 1) grams.push(term[0]);
    for (var i = 0; i + 1 < term.length; i++) grams.push(term[i] + term[i + 1]);
    return Array.from(new Set(grams));
  }
  // FNV-1a over code points: src/search/mod.rs shard_of.
  function shardOf(gram, shards) {
    var h = 2166136261;
    chars(gram).forEach(function (c) { h = Math.imul(h ^ c.codePointAt(0), 16777619) >>> 0; });
    return h & (shards - 1);
  }
  function occurrences(text, term) {
    var n = 0;
    outer: for (var i = 0; i + term.length <= text.length; i++) {
      for (var j = 0; j < term.length; j++) if (text[i + j] !== term[j]) continue outer;
      n++;
    }
    return n;
  }

  // ---- the index ----
  var meta, firstChunk, docCount;
  var facets = []; // {key, name, terms: [{slug, name, docs: Set}], byDoc: [[term]]}

  function undelta(ds) {
    var out = [], prev = 0;
    ds.forEach(function (d) { prev += d; out.push(prev); });
    return out;
  }
  // Fixed-width base-64 numbers: src/search/publish.rs base64.
  var DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_";
  function numbers(packed) {
    var out = [];
    for (var i = 0; i < packed.of.length; i += packed.width) {
      var n = 0;
      for (var j = 0; j < packed.width; j++) n = n * 64 + DIGITS.indexOf(packed.of[i + j]);
      out.push(n);
    }
    return out;
  }
  function loadMeta() {
    return get("meta.json", true).then(function (m) {
      meta = m;
      var pairs = chars(m.fold);
      for (var i = 0; i + 1 < pairs.length; i += 2) t2s.set(pairs[i], pairs[i + 1]);
      var counts = numbers(m.chunks);
      docCount = counts.length;
      firstChunk = [];
      var c = 0;
      counts.forEach(function (n) { firstChunk.push(c); c += n; });
      facets = m.facets.map(function (f) {
        var byDoc = [];
        for (var d = 0; d < docCount; d++) byDoc.push([]);
        var terms = f.terms.map(function (term) { return { slug: term.slug, name: term.name }; });
        if (f.one) {
          numbers(f.one).forEach(function (n, d) { if (n > 0) byDoc[d].push(n - 1); });
        } else if (f.set) {
          numbers(f.set).forEach(function (bits, d) {
            for (var k = 0; k < terms.length; k++) if (Math.floor(bits / Math.pow(2, k)) % 2) byDoc[d].push(k);
          });
        } else {
          f.terms.forEach(function (term, k) { undelta(term.docs).forEach(function (d) { byDoc[d].push(k); }); });
        }
        return { key: f.key, name: f.name, terms: terms, byDoc: byDoc };
      });
    });
  }
  function docOf(chunk) {
    var lo = 0, hi = firstChunk.length - 1;
    while (lo < hi) {
      var mid = (lo + hi + 1) >> 1;
      if (firstChunk[mid] <= chunk) lo = mid; else hi = mid - 1;
    }
    return lo;
  }
  function docInfo(d) { return get("docs/" + d + ".json", true); }
  // A chunk's segments: [{anchor, text}]. The head chunk is in docs/<n>.json.
  function chunkText(c) {
    var d = docOf(c);
    if (firstChunk[d] === c) {
      return docInfo(d).then(function (info) {
        return info.head.map(function (text) { return { anchor: "", text: text }; });
      });
    }
    return get("text/" + c + ".txt", false).then(function (body) {
      return body.split("\n").filter(Boolean).map(function (line) {
        var tab = line.indexOf("\t");
        return { anchor: line.slice(0, tab), text: line.slice(tab + 1) };
      });
    });
  }
  // gram → [[chunk, count]] or [] when absent.
  function postings(gram) {
    return get("shards/" + shardOf(gram, meta.shards) + ".json", true).then(function (shard) {
      var raw = Object.prototype.hasOwnProperty.call(shard, gram) ? shard[gram] : [];
      var out = [], prev = 0;
      raw.forEach(function (v) {
        if (v < 0) out[out.length - 1][1] = -v;
        else { prev += v; out.push([prev, 1]); }
      });
      return out;
    });
  }
  // f over every item, at most 8 requests in flight; results in order.
  function inTurn(items, f) {
    var out = new Array(items.length);
    var next = 0;
    function worker() {
      if (next >= items.length) return Promise.resolve();
      var i = next++;
      return f(items[i]).then(function (r) { out[i] = r; return worker(); });
    }
    var workers = [];
    for (var w = 0; w < Math.min(8, items.length); w++) workers.push(worker());
    return Promise.all(workers).then(function () { return out; });
  }
  // Chunks holding the term: [[chunk, occurrences]].
  function chunksWith(term) {
    return Promise.all(gramsOf(term).map(postings)).then(function (lists) {
      lists.sort(function (a, b) { return a.length - b.length; });
      var cands = lists[0];
      lists.slice(1).forEach(function (l) {
        var has = new Set(l.map(function (p) { return p[0]; }));
        cands = cands.filter(function (p) { return has.has(p[0]); });
      });
      // A term of one or two characters is its own gram: exact already.
      if (term.length <= 2) return cands;
      return inTurn(cands, function (p) {
        return chunkText(p[0]).then(function (segs) {
          var n = 0;
          segs.forEach(function (s) { n += occurrences(normChars(s.text), term); });
          return [p[0], n];
        });
      }).then(function (checked) { return checked.filter(function (p) { return p[1] > 0; }); });
    });
  }

  // ---- state in the URL ----
  function readState() {
    var params = new URLSearchParams(location.search);
    var filters = {};
    facets.forEach(function (f) { filters[f.key] = new Set(params.getAll(f.key)); });
    return { q: params.get("q") || "", filters: filters };
  }
  function writeState(state) {
    var params = new URLSearchParams();
    if (state.q) params.set("q", state.q);
    facets.forEach(function (f) {
      state.filters[f.key].forEach(function (slug) { params.append(f.key, slug); });
    });
    var s = params.toString();
    history.replaceState(null, "", location.pathname + (s ? "?" + s : "") + location.hash);
  }

  // ---- searching ----
  // Every document with all terms: Map doc → {doc, head, count, chunks}.
  function matchText(terms) {
    return Promise.all(terms.map(chunksWith)).then(function (perTerm) {
      var found = null;
      perTerm.forEach(function (pairs) {
        var docs = new Map();
        pairs.forEach(function (p) {
          var d = docOf(p[0]);
          var hit = docs.get(d);
          if (!hit) { hit = { doc: d, head: false, count: 0, chunks: [] }; docs.set(d, hit); }
          hit.count += p[1];
          hit.head = hit.head || firstChunk[d] === p[0];
          hit.chunks.push(p[0]);
        });
        if (found === null) { found = docs; return; }
        var next = new Map();
        found.forEach(function (a, d) {
          var b = docs.get(d);
          if (b) next.set(d, { doc: d, head: a.head || b.head, count: a.count + b.count, chunks: a.chunks.concat(b.chunks) });
        });
        found = next;
      });
      return found;
    });
  }
  function passes(doc, state, except) {
    return facets.every(function (f) {
      var sel = state.filters[f.key];
      if (f.key === except || sel.size === 0) return true;
      return f.byDoc[doc].some(function (k) { return sel.has(f.terms[k].slug); });
    });
  }

  var seq = 0;
  var shown = [];
  var shownCount = 0;
  var currentTerms = [];

  function run() {
    var state = currentState();
    writeState(state);
    var token = ++seq;
    var terms = termsOf(state.q);
    var anyFilter = facets.some(function (f) { return state.filters[f.key].size > 0; });
    app.setAttribute("data-state", "busy");
    var pending = terms.length ? matchText(terms) : Promise.resolve(null);
    pending.then(function (found) {
      if (token !== seq) return;
      var base = [];
      if (found) found.forEach(function (h) { base.push(h); });
      else for (var d = 0; d < docCount; d++) base.push({ doc: d, head: false, count: 0, chunks: [] });
      updateFacets(base, state);
      if (!terms.length && !anyFilter) {
        currentTerms = [];
        shown = [];
        list.textContent = "";
        more.hidden = true;
        say(t("prompt"), 0);
        return;
      }
      var hits = base.filter(function (h) { return passes(h.doc, state, null); });
      hits.sort(function (a, b) {
        return (b.head - a.head) || (b.count - a.count) || (a.doc - b.doc);
      });
      currentTerms = terms;
      shown = hits;
      shownCount = 0;
      list.textContent = "";
      return showMore(token).then(function () {
        if (token !== seq) return;
        say(hits.length ? countText(hits.length) : t("none"), hits.length);
      });
    }).catch(function (e) {
      if (token !== seq) return;
      say(t("error"), 0);
      app.setAttribute("data-state", "error");
      if (window.console) console.error(e);
    });
  }
  function countText(n) { return (n === 1 ? t("count-one") : t("count")).replace("{n}", n); }
  function say(text, n) {
    statusEl.textContent = text;
    app.setAttribute("data-count", String(n));
    app.setAttribute("data-state", "done");
  }
  function currentState() {
    var filters = {};
    facets.forEach(function (f) { filters[f.key] = new Set(); });
    facetBox.querySelectorAll("input[type=checkbox]:checked").forEach(function (box) {
      filters[box.name].add(box.value);
    });
    return { q: input.value.trim(), filters: filters };
  }

  function showMore(token) {
    var batch = shown.slice(shownCount, shownCount + PAGE);
    shownCount += batch.length;
    more.hidden = shownCount >= shown.length;
    var terms = currentTerms;
    return Promise.all(batch.map(function (h) { return renderHit(h, terms); })).then(function (items) {
      if (token !== seq) return;
      items.forEach(function (li) { list.appendChild(li); });
    });
  }

  // The first place a term occurs, body before head: {anchor, text, at}.
  function firstMatch(hit, terms) {
    var body = hit.chunks.filter(function (c) { return c !== firstChunk[hit.doc]; }).sort(function (a, b) { return a - b; });
    var order = body.concat(hit.chunks.filter(function (c) { return c === firstChunk[hit.doc]; }));
    var i = 0;
    function next() {
      if (i >= order.length) return Promise.resolve(null);
      return chunkText(order[i++]).then(function (segs) {
        for (var s = 0; s < segs.length; s++) {
          var norm = normChars(segs[s].text);
          for (var k = 0; k < terms.length; k++) {
            if (occurrences(norm, terms[k])) return { anchor: segs[s].anchor, text: segs[s].text };
          }
        }
        return next();
      });
    }
    return next();
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  // The text around the first occurrence, every occurrence in it marked.
  function snippet(text, terms) {
    var orig = chars(text);
    var norm = orig.map(fold);
    var marks = new Array(orig.length).fill(false);
    var first = -1;
    terms.forEach(function (term) {
      for (var i = 0; i + term.length <= norm.length; i++) {
        var ok = true;
        for (var j = 0; j < term.length && ok; j++) ok = norm[i + j] === term[j];
        if (ok) {
          if (first < 0 || i < first) first = i;
          for (var m = 0; m < term.length; m++) marks[i + m] = true;
        }
      }
    });
    var from = Math.max(0, first - 30);
    var to = Math.min(orig.length, from + 110);
    var p = el("p", "search-snippet");
    if (from > 0) p.appendChild(document.createTextNode("…"));
    var i = from;
    while (i < to) {
      var j = i;
      while (j < to && marks[j] === marks[i]) j++;
      var piece = orig.slice(i, j).join("");
      p.appendChild(marks[i] ? el("mark", "", piece) : document.createTextNode(piece));
      i = j;
    }
    if (to < orig.length) p.appendChild(document.createTextNode("…"));
    return p;
  }

  function renderHit(hit, terms) {
    var lang = app.getAttribute("data-lang");
    return Promise.all([docInfo(hit.doc), terms.length ? firstMatch(hit, terms) : Promise.resolve(null)]).then(function (r) {
      var info = r[0], match = r[1];
      var li = el("li", "doc-item search-hit");
      li.setAttribute("data-doc", String(hit.doc));
      var h = el("h2", "doc-item-title");
      var a = el("a", "search-hit-link", info.title);
      a.href = root + info.url + (match && match.anchor ? "#" + match.anchor : "");
      if (lang !== "zh-CN") a.lang = "zh-CN";
      h.appendChild(a);
      li.appendChild(h);
      var m = el("p", "doc-item-meta");
      var time = el("time", "", info.date);
      m.appendChild(time);
      [info.speakers.join(t("sep")), info.place].forEach(function (part, k) {
        if (!part) return;
        var sep = el("span", "sep", " · ");
        sep.setAttribute("aria-hidden", "true");
        m.appendChild(sep);
        m.appendChild(el("span", k === 0 ? "speaker" : "place", part));
      });
      if (hit.head) m.appendChild(el("span", "badge badge-muted search-in-meta", t("in-meta")));
      li.appendChild(m);
      if (match) li.appendChild(snippet(match.text, terms));
      return li;
    });
  }

  // ---- facets ----
  var facetEls = []; // per facet: {items: [{li, count, box}], toggle, expanded}
  function buildFacets(state) {
    facets.forEach(function (f, fi) {
      var fs = el("fieldset", "search-facet");
      fs.appendChild(el("legend", "", f.name));
      var ul = el("ul", "search-facet-terms");
      var items = f.terms.map(function (term, k) {
        var li = el("li");
        var label = el("label");
        var box = el("input");
        box.type = "checkbox";
        box.name = f.key;
        box.value = term.slug;
        box.id = "f-" + f.key + "-" + k;
        box.checked = state.filters[f.key].has(term.slug);
        label.appendChild(box);
        label.appendChild(document.createTextNode(" " + term.name + " "));
        var count = el("span", "count", "");
        label.appendChild(count);
        li.appendChild(label);
        ul.appendChild(li);
        return { li: li, count: count, box: box };
      });
      fs.appendChild(ul);
      var toggle = el("button", "search-facet-all", t("all-terms"));
      toggle.type = "button";
      toggle.setAttribute("aria-expanded", "false");
      var entry = { items: items, toggle: toggle, expanded: false };
      toggle.addEventListener("click", function () {
        entry.expanded = !entry.expanded;
        toggle.setAttribute("aria-expanded", String(entry.expanded));
        run();
      });
      fs.appendChild(toggle);
      facetBox.appendChild(fs);
      facetEls[fi] = entry;
    });
  }
  // Counts follow the query: each facet counts the documents that match the
  // text and every other facet's filters.
  function updateFacets(base, state) {
    facets.forEach(function (f, fi) {
      var counts = new Array(f.terms.length).fill(0);
      base.forEach(function (h) {
        if (!passes(h.doc, state, f.key)) return;
        f.byDoc[h.doc].forEach(function (k) { counts[k]++; });
      });
      var entry = facetEls[fi];
      var visible = 0, hidden = 0;
      entry.items.forEach(function (item, k) {
        var show = counts[k] > 0 || item.box.checked;
        if (show && !entry.expanded && visible >= VISIBLE_TERMS && !item.box.checked) { show = false; hidden++; }
        if (show) visible++;
        item.li.hidden = !show;
        item.count.textContent = String(counts[k]);
      });
      entry.toggle.hidden = hidden === 0 && !entry.expanded;
    });
  }

  // ---- wiring ----
  var timer = 0;
  function soon() {
    clearTimeout(timer);
    timer = setTimeout(run, 100);
  }
  loadMeta().then(function () {
    var state = readState();
    input.value = state.q;
    buildFacets(state);
    input.addEventListener("input", soon);
    facetBox.addEventListener("change", function () { clearTimeout(timer); run(); });
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      clearTimeout(timer);
      run();
    });
    more.addEventListener("click", function () { showMore(seq); });
    run();
  }).catch(function (e) {
    say(t("error"), 0);
    app.setAttribute("data-state", "error");
    if (window.console) console.error(e);
  });
}());
