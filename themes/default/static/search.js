// Full-text search of the archive, in the browser, with no server: the
// index under search/ (written by the generator's search stage, format in
// themes/default/README.md) is fetched piece by piece: a gram's directory
// file, then just its list's bytes from a pack (an HTTP range). A term of
// one or two characters is its own gram, and the gram's documents list is
// the exact answer; a longer term is checked on the positions of its
// bigrams at offsets 0, 2, 4, … (and the last): it occurs at p when every
// one of them occurs at p + its offset. Snippets come from the result's
// own page, read only for results on screen. The same algorithm is
// src/search/query.rs, which the library tests check.
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
  var trendChart = document.getElementById("trend-chart");
  var trendTable = document.getElementById("trend-table");
  // The CSV links, made here: a link needs the address of its data.
  var trendCsv = csvLink("trend-csv", "trend.csv");
  var sortEl = document.getElementById("search-sort");
  var sortRow = document.getElementById("search-sort-row");
  var trendBox = document.getElementById("search-trend");
  var filtersPanel = document.getElementById("search-filters");
  var PAGE = 10;
  var VISIBLE_TERMS = 12;
  // Keystrokes closer together than this are one query.
  var SOON = 40;
  function t(name) { return app.getAttribute("data-t-" + name) || ""; }

  // ---- fetching, each file once ----
  var cache = new Map();
  function get(path, json) {
    if (!cache.has(path)) {
      cache.set(path, fetch(base + path).then(function (r) {
        if (!r.ok) throw new Error(path + ": " + r.status);
        return json ? r.json() : r.arrayBuffer().then(function (b) { return new Uint8Array(b); });
      }));
    }
    return cache.get(path);
  }

  // ---- normalisation: the same as `fold` in src/script.rs ----
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
  // Most phrases a query compares (src/search/query.rs MAX_PHRASES).
  var MAX_PHRASES = 4;
  var QUOTES = "\"'\u201c\u201d\u2018\u2019\u300c\u300d\u300e\u300f";
  // The query's phrases, each a list of terms (arrays of normalised
  // characters): commas outside double quotation marks separate phrases,
  // whitespace terms; quotation marks around a term are dropped; repeats
  // count once; past MAX_PHRASES, phrases are left out (`dropped` says how
  // many). The same as src/search/query.rs `phrases`.
  function phrasesOf(q) {
    var out = [], keys = [], phrase = [], phraseKeys = [], word = [], quoted = false, dropped = 0;
    function endWord() {
      var a = 0, b = word.length;
      while (a < b && QUOTES.indexOf(word[a]) >= 0) a++;
      while (b > a && QUOTES.indexOf(word[b - 1]) >= 0) b--;
      var term = word.slice(a, b), key = term.join("");
      word = [];
      if (term.length && phraseKeys.indexOf(key) < 0) { phraseKeys.push(key); phrase.push(term); }
    }
    function endPhrase() {
      endWord();
      var key = phraseKeys.join("\u0000");
      if (phrase.length && keys.indexOf(key) < 0) {
        if (out.length < MAX_PHRASES) { keys.push(key); out.push(phrase); } else dropped++;
      }
      phrase = [];
      phraseKeys = [];
    }
    normChars(q).forEach(function (c) {
      if (c === '"') quoted = !quoted;
      else if (c === "\u201c" || c === "\u300c" || c === "\u300e") quoted = true;
      else if (c === "\u201d" || c === "\u300d" || c === "\u300f") quoted = false;
      if (WS.test(c) || c.charCodeAt(0) < 32 || (c.charCodeAt(0) >= 0x7f && c.charCodeAt(0) < 0xa0)) endWord();
      else if (c === "," && !quoted) endPhrase();
      else word.push(c);
    });
    endPhrase();
    out.dropped = dropped;
    return out;
  }
  // Every term of the phrases, once.
  function termsOfPhrases(phrases) {
    var out = [], seen = new Set();
    phrases.forEach(function (p) {
      p.forEach(function (term) {
        var key = term.join("");
        if (!seen.has(key)) { seen.add(key); out.push(term); }
      });
    });
    return out;
  }
  function occurrences(text, term) {
    var n = 0;
    outer: for (var i = 0; i + term.length <= text.length; i++) {
      for (var j = 0; j < term.length; j++) if (text[i + j] !== term[j]) continue outer;
      n++;
    }
    return n;
  }

  // ---- the binary format: src/search/codec.rs ----
  function Reader(bytes, at) { this.b = bytes; this.at = at || 0; }
  // Arithmetic, not bit operations: gram keys have 42 bits.
  Reader.prototype.varint = function () {
    var n = 0, mul = 1, b;
    do {
      b = this.b[this.at++];
      n += (b & 127) * mul;
      mul *= 128;
    } while (b >= 128);
    return n;
  };
  // A gram: its code points, the second 0 for a unigram.
  function gramKey(g) { return g[0] * 2097152 + g[1]; }
  // FNV-1a over the code points: codec.rs gram_hash.
  function gramHash(g) {
    var h = Math.imul(2166136261 ^ g[0], 16777619) >>> 0;
    if (g[1]) h = Math.imul(h ^ g[1], 16777619) >>> 0;
    return h;
  }
  // A directory file's grams, keys ascending, until `each` returns true:
  // each(key, [[start, end) of the documents list, and of the positions
  // list for a bigram]) (src/search/codec.rs locate).
  function entries(dir, each) {
    var r = new Reader(dir);
    var n = r.varint(), prev = 0;
    for (var i = 0; i < n; i++) {
      prev += r.varint();
      var at = [];
      for (var j = 0; j < (prev % 2097152 ? 2 : 1); j++) {
        var start = r.varint();
        at.push([start, start + r.varint()]);
      }
      if (each(prev, at)) return;
    }
  }
  // Where a gram's lists are in its bucket's packs, by its directory
  // file, or null.
  function locate(dir, key) {
    var found = null;
    entries(dir, function (k, at) {
      if (k === key) found = at;
      return k >= key;
    });
    return found;
  }
  // Bytes [from, to) of an index file, by a range request; a host that
  // sends the whole file instead has it kept for the next list.
  function bytesOf(path, from, to) {
    if (cache.has(path)) return cache.get(path).then(function (b) { return b.subarray(from, to); });
    var key = path + "@" + from;
    if (!cache.has(key)) {
      var headers = { Range: "bytes=" + from + "-" + (to - 1) };
      cache.set(key, fetch(base + path, { headers: headers }).then(function (r) {
        if (!r.ok) throw new Error(path + ": " + r.status);
        return r.arrayBuffer().then(function (b) {
          var bytes = new Uint8Array(b);
          if (r.status === 206) return bytes;
          cache.set(path, Promise.resolve(bytes));
          return bytes.subarray(from, to);
        });
      }));
    }
    return cache.get(key);
  }
  // The documents list of gram g and, when `positions` (a bigram of a
  // longer term), its positions list, fetched together after one look in
  // g/hot.bin or else its directory: [documents, positions], or null where
  // the archive does not hold g. A term of one or two characters needs no
  // positions.
  function listsOf(g, positions) {
    var h = gramHash(g), key = gramKey(g);
    var where = hot.has(key) ? Promise.resolve(hot.get(key)) : get("g/" + (h & (meta.directories - 1)) + ".bin", false).then(function (dir) {
      return locate(dir, key);
    });
    return where.then(function (at) {
      if (!at) return null;
      var bucket = (h & (meta.buckets - 1)) + ".bin";
      return Promise.all(at.slice(0, positions ? 2 : 1).map(function (range, which) {
        return bytesOf((which ? "p/" : "d/") + bucket, range[0], range[1]);
      }));
    });
  }
  function readCounts(r, out, i) {
    var v = r.varint();
    out.counts[i] = Math.floor(v / 2);
    out.heads[i] = v % 2 ? r.varint() : 0;
  }
  // A documents list → {docs, counts, heads}, documents ascending.
  function readDocuments(bytes) {
    if (!bytes) return { docs: [], counts: [], heads: [] };
    var r = new Reader(bytes);
    var n = r.varint();
    var out = { docs: new Uint32Array(n), counts: new Uint32Array(n), heads: new Uint32Array(n) };
    var doc = -1;
    for (var i = 0; i < n; i++) {
      doc += r.varint();
      out.docs[i] = doc;
      readCounts(r, out, i);
    }
    return out;
  }
  // A documents list and its positions list → the documents list read,
  // and each document's positions at pos[start[i] .. start[i] + counts[i]):
  // the positions list holds, document after document of the documents
  // list, just the positions (codec.rs read_positions).
  function readPositions(dbytes, pbytes) {
    if (!dbytes || !pbytes) return null;
    var out = readDocuments(dbytes), n = out.docs.length;
    // A position takes a byte at least: the list's length bounds them.
    out.start = new Uint32Array(n);
    out.pos = new Uint32Array(pbytes.length);
    var r = new Reader(pbytes), k = 0;
    for (var i = 0; i < n; i++) {
      out.start[i] = k;
      var p = 0;
      for (var j = 0; j < out.counts[i]; j++) {
        p = j === 0 ? r.varint() : p + r.varint();
        out.pos[k++] = p;
      }
    }
    return out;
  }
  // Bigrams covering a term of three or more characters: offsets 0, 2, 4, …
  // and the last (src/search/mod.rs grams_of_term).
  function coverOf(term) {
    var offsets = [];
    for (var k = 0; k + 1 < term.length; k += 2) offsets.push(k);
    if (offsets[offsets.length - 1] !== term.length - 2) offsets.push(term.length - 2);
    return offsets;
  }
  function cp(c) { return c.codePointAt(0); }

  // Documents holding a term: {docs, counts, heads}, ascending.
  // Each term's answer, once: the concordance asks again.
  var termAnswers = new Map();
  function documentsWith(term) {
    var key = term.join("");
    if (!termAnswers.has(key)) {
      var answer = answerFor(term);
      termAnswers.set(key, answer);
      answer.catch(function () { termAnswers.delete(key); });
    }
    return termAnswers.get(key);
  }
  // {docs, counts, heads} and, for a term of three characters or more,
  // where it starts in each document: pos[from[i] .. from[i] + counts[i]).
  function answerFor(term) {
    if (term.length <= 2) {
      return listsOf([cp(term[0]), term.length === 2 ? cp(term[1]) : 0], false).then(function (l) { return readDocuments(l && l[0]); });
    }
    var offsets = coverOf(term);
    return Promise.all(offsets.map(function (k) {
      return listsOf([cp(term[k]), cp(term[k + 1])], true).then(function (l) { return l && readPositions(l[0], l[1]); });
    })).then(function (lists) {
      var out = { docs: [], counts: [], heads: [], from: [], pos: [] };
      if (lists.some(function (l) { return !l; })) return out;
      var at = lists.map(function () { return 0; });
      var first = lists[0];
      for (var i = 0; i < first.docs.length; i++) {
        var doc = first.docs[i], all = true;
        for (var j = 1; j < lists.length && all; j++) {
          var l = lists[j];
          while (at[j] < l.docs.length && l.docs[at[j]] < doc) at[j]++;
          all = at[j] < l.docs.length && l.docs[at[j]] === doc;
        }
        if (!all) continue;
        // Every start p of the first bigram where the others follow.
        var ptr = lists.map(function (l, j) { return j ? l.start[at[j]] : 0; });
        var count = 0, head = 0, from = out.pos.length;
        for (var a = 0; a < first.counts[i]; a++) {
          var p = first.pos[first.start[i] + a], ok = true;
          for (j = 1; j < lists.length && ok; j++) {
            l = lists[j];
            var want = p + offsets[j], end = l.start[at[j]] + l.counts[at[j]];
            while (ptr[j] < end && l.pos[ptr[j]] < want) ptr[j]++;
            ok = ptr[j] < end && l.pos[ptr[j]] === want;
          }
          if (ok) {
            count++;
            out.pos.push(p);
            if (a < first.heads[i]) head++;
          }
        }
        if (count) { out.docs.push(doc); out.counts.push(count); out.heads.push(head); out.from.push(from); } else out.pos.length = from;
      }
      return out;
    });
  }

  // ---- the index's small files ----
  var meta, docCount;
  // The commonest grams' directory entries (g/hot.bin), read with the
  // page: gram key → its lists' ranges.
  var hot = new Map();
  // {key, name, terms: [{slug, name}], and per document its terms: `one`
  // (Int32Array, −1 for none) or `of` (arrays)}
  var facets = [];

  function readFacets(bytes) {
    var r = new Reader(bytes);
    meta.facets.forEach(function (f) {
      var len = r.varint(), end = r.at + len, kind = bytes[r.at++];
      var n = f.terms.length, of = [];
      for (var d = 0; d < docCount; d++) of.push([]);
      function bit(i) { return (bytes[r.at + (i >> 3)] >> (i & 7)) & 1; }
      if (kind === 0) {
        var width = r.varint();
        for (d = 0; d < docCount; d++) {
          var v = 0;
          for (var i = 0; i < width; i++) v += bit(d * width + i) << i;
          if (v) of[d].push(v - 1);
        }
      } else if (kind === 1) {
        var runs = r.varint();
        d = 0;
        for (var k = 0; k < runs; k++) {
          var value = r.varint(), length = r.varint();
          for (var e = d + length; d < e; d++) if (value) of[d].push(value - 1);
        }
      } else if (kind === 2) {
        for (d = 0; d < docCount; d++) for (k = 0; k < n; k++) if (bit(d * n + k)) of[d].push(k);
      } else {
        for (k = 0; k < n; k++) {
          var count = r.varint(), doc = -1;
          for (i = 0; i < count; i++) { doc += r.varint(); of[doc].push(k); }
        }
        of.forEach(function (ts) { ts.sort(function (a, b) { return a - b; }); });
      }
      r.at = end;
      // A facet whose documents have one term at most: that term (or −1)
      // per document, in one typed array.
      var one = null;
      if (of.every(function (ts) { return ts.length <= 1; })) {
        one = new Int32Array(docCount);
        of.forEach(function (ts, d) { one[d] = ts.length ? ts[0] : -1; });
        of = null;
      }
      facets.push({ key: f.key, name: f.name, terms: f.terms, of: of, one: one });
    });
  }
  // The index format this script reads (src/search/publish.rs VERSION): an
  // index of another version, as a cache may hold across an upgrade, is
  // an error rather than wrong results.
  var VERSION = 5;
  function loadMeta() {
    // Fetched beside meta.json, read once its version is checked.
    var files = Promise.all([get("facets.bin", false), get("g/hot.bin", false)]);
    files.catch(function () {});
    return get("meta.json", true).then(function (m) {
      if (m.version !== VERSION) throw new Error("search index version " + m.version + ", not " + VERSION);
      meta = m;
      docCount = m.documents;
      var pairs = chars(m.fold);
      for (var i = 0; i + 1 < pairs.length; i += 2) t2s.set(pairs[i], pairs[i + 1]);
      return files;
    }).then(function (files) {
      readFacets(files[0]);
      entries(files[1], function (key, at) { hot.set(key, at); });
    });
  }
  // What a result shows: [url, title, speakers, place, date].
  function record(d) {
    return get("r/" + Math.floor(d / meta.records) + ".json", true).then(function (group) {
      return group[d % meta.records];
    });
  }

  // ---- state in the URL ----
  function readState() {
    var params = new URLSearchParams(location.search);
    var filters = {};
    facets.forEach(function (f) { filters[f.key] = new Set(params.getAll(f.key)); });
    // The select takes only the orders it offers: any other is relevance.
    // The chart's measure: open with `trend=` (documents, occurrences or
    // share); anything else is documents.
    var trend = params.get("trend");
    if (trend !== null && TREND_MODES.indexOf(trend) < 0) trend = "documents";
    var kpage = parseInt(params.get("kpage") || "1", 10);
    return {
      q: params.get("q") || "", filters: filters, sort: params.get("sort") || "", trend: trend,
      view: params.get("view") === "kwic" ? "kwic" : "",
      ksort: KWIC_SORTS.indexOf(params.get("ksort")) >= 0 ? params.get("ksort") : "",
      kpage: kpage > 0 ? kpage : 1
    };
  }
  function writeState(state) {
    var params = new URLSearchParams();
    if (state.q) params.set("q", state.q);
    facets.forEach(function (f) {
      state.filters[f.key].forEach(function (slug) { params.append(f.key, slug); });
    });
    if (state.sort) params.set("sort", state.sort);
    if (state.trend) params.set("trend", state.trend);
    if (state.view) params.set("view", state.view);
    if (state.view && state.ksort) params.set("ksort", state.ksort);
    if (state.view && state.kpage > 1) params.set("kpage", state.kpage);
    var s = params.toString();
    history.replaceState(null, "", location.pathname + (s ? "?" + s : "") + location.hash);
  }

  // ---- searching ----
  // Documents with every term, ascending: {docs, counts, heads}, summed
  // over the terms. A term's count includes its occurrences in the title
  // or metadata (heads), so a document matches there where heads > 0 and
  // elsewhere where counts > heads. One term's list is used as it is.
  function matchText(terms) {
    return Promise.all(terms.map(documentsWith)).then(function (perTerm) {
      return perTerm.reduce(function (found, l) {
        var fd = found.docs, fc = found.counts, fh = found.heads;
        var ld = l.docs, lc = l.counts, lh = l.heads, n = Math.min(ld.length, fd.length);
        var docs = new Uint32Array(n), counts = new Float64Array(n), heads = new Float64Array(n);
        var m = 0, j = 0;
        for (var i = 0; i < ld.length; i++) {
          var d = ld[i];
          while (j < fd.length && fd[j] < d) j++;
          if (j === fd.length) break;
          if (fd[j] !== d) continue;
          docs[m] = d;
          counts[m] = lc[i] + fc[j];
          heads[m] = lh[i] + fh[j];
          m++;
        }
        return { docs: docs.subarray(0, m), counts: counts.subarray(0, m), heads: heads.subarray(0, m) };
      });
    });
  }
  // The documents of any of the phrases' lists, ascending, with counts
  // and heads summed over the phrases they match.
  function union(lists) {
    if (lists.length === 1) return lists[0];
    var counts = new Float64Array(docCount), heads = new Float64Array(docCount), has = new Uint8Array(docCount);
    var n = 0;
    lists.forEach(function (l) {
      for (var i = 0; i < l.docs.length; i++) {
        var d = l.docs[i];
        if (!has[d]) { has[d] = 1; n++; }
        counts[d] += l.counts[i];
        heads[d] += l.heads[i];
      }
    });
    var out = { docs: new Uint32Array(n), counts: new Float64Array(n), heads: new Float64Array(n) };
    for (var d = 0, m = 0; d < docCount; d++) {
      if (!has[d]) continue;
      out.docs[m] = d;
      out.counts[m] = counts[d];
      out.heads[m] = heads[d];
      m++;
    }
    return out;
  }
  // Per facet with a selection, per term whether it is selected.
  function selections(state) {
    return facets.map(function (f) {
      var sel = state.filters[f.key];
      if (!sel.size) return null;
      return f.terms.map(function (term) { return sel.has(term.slug); });
    });
  }
  function inFacet(f, chosen, doc) {
    if (f.one) return f.one[doc] >= 0 && chosen[f.one[doc]];
    return f.of[doc].some(function (k) { return chosen[k]; });
  }
  // Per document of `docs`, a bit per facet: set where it passes that
  // facet's filter.
  function passing(docs, chosen) {
    var bits = new Uint16Array(docs.length);
    for (var i = 0; i < docs.length; i++) {
      var b = 0;
      for (var f = 0; f < facets.length; f++) if (!chosen[f] || inFacet(facets[f], chosen[f], docs[i])) b |= 1 << f;
      bits[i] = b;
    }
    return bits;
  }
  // The order of results: by date when `sort` says so (documents are
  // numbered newest first); else in title or metadata first, then by
  // occurrences, then newest first, by one native numeric sort of keys
  // that pack all three, while they fit in a double.
  function ranked(found, keep, sort) {
    if (sort === "newest") return keep;
    if (sort === "oldest") return keep.slice().reverse();
    var n = keep.length, order = new Array(n), counts = found.counts, heads = found.heads;
    var keys = new Float64Array(n), exact = found.docs.length < 131072;
    for (var k = 0; k < n && exact; k++) {
      var i = keep[k];
      exact = counts[i] < 34359738368;
      keys[k] = (heads[i] > 0 ? 0 : 4503599627370496) + (34359738367 - counts[i]) * 131072 + i;
    }
    if (exact) {
      fetchFirst(keys, found);
      keys.sort();
      for (k = 0; k < n; k++) order[k] = keys[k] % 131072;
      return order;
    }
    return keep.slice().sort(function (a, b) {
      return ((heads[b] > 0) - (heads[a] > 0)) || (counts[b] - counts[a]) || (a - b);
    });
  }

  // Starts fetching the records of the first PAGE results (the smallest
  // keys, found in one pass), so that they travel while the rest are
  // sorted and the facets counted; showMore finds them in the cache.
  function fetchFirst(keys, found) {
    var first = [];
    for (var k = 0; k < keys.length; k++) {
      if (first.length === PAGE && keys[k] >= first[PAGE - 1]) continue;
      var at = first.length < PAGE ? first.length : PAGE - 1;
      while (at > 0 && first[at - 1] > keys[k]) { first[at] = first[at - 1]; at--; }
      first[at] = keys[k];
    }
    first.forEach(function (key) { record(found.docs[key % 131072]).catch(function () {}); });
  }

  var seq = 0;
  var shown = null; // {found, order}
  var shownCount = 0;
  var currentTerms = [];

  // What the results are of: a page of the concordance is kept only while
  // it is the same search.
  var searched = null;
  function run() {
    var state = currentState();
    var token = ++seq;
    var asked = JSON.stringify([state.q, facets.map(function (f) { return Array.from(state.filters[f.key]).sort(); })]);
    if (searched !== null && asked !== searched) state.kpage = kwicPage = 1;
    searched = asked;
    var phrases = phrasesOf(state.q);
    var terms = termsOfPhrases(phrases);
    var chosen = selections(state);
    var anyFilter = chosen.some(Boolean);
    app.setAttribute("data-state", "busy");
    showActiveFilters(chosen);
    var pending = phrases.length ? Promise.all(phrases.map(matchText)) : Promise.resolve(null);
    pending.then(function (perPhrase) {
      if (token !== seq) return;
      var found = perPhrase && union(perPhrase);
      drawTrend(perPhrase, phrases, chosen, state);
      if (!found) {
        var all = new Uint32Array(docCount);
        for (var d = 0; d < docCount; d++) all[d] = d;
        found = { docs: all, counts: new Float64Array(docCount), heads: new Float64Array(docCount) };
      }
      var bits = passing(found.docs, chosen);
      var listing = terms.length || anyFilter, every = (1 << facets.length) - 1, keep = [];
      for (var i = 0; listing && i < bits.length; i++) if (bits[i] === every) keep.push(i);
      // Ranked before the facets are counted: ranking starts the first
      // results' records on their way.
      var kwic = state.view === "kwic" && terms.length > 0;
      shown = listing && !kwic ? { found: found, order: ranked(found, keep, state.sort) } : null;
      sortRow.hidden = !keep.length;
      showView(kwic);
      updateFacets(found.docs, bits);
      if (!listing) {
        currentTerms = [];
        list.textContent = "";
        more.hidden = true;
        say(t("prompt"), 0);
        return;
      }
      currentTerms = terms;
      shownCount = 0;
      list.textContent = "";
      if (kwic) {
        more.hidden = true;
        kwicResults = { found: found, keep: keep, perPhrase: perPhrase, phrases: phrases, terms: terms };
        say(keep.length ? countText(keep.length) : t("none"), keep.length);
        return showKwic(token, state);
      }
      kwicResults = null;
      return showMore(token).then(function () {
        if (token !== seq) return;
        say(keep.length ? countText(keep.length) : t("none"), keep.length);
      });
    }).catch(function (e) {
      if (token !== seq) return;
      say(t("error"), 0);
      app.setAttribute("data-state", "error");
      if (window.console) console.error(e);
    }).then(function () {
      // The URL follows once the results are painted: changing it takes
      // the browser 6–20 ms, which would hold up the index's first answers.
      requestAnimationFrame(function () {
        setTimeout(function () {
          if (token === seq) writeState(state);
        }, 0);
      });
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
    var mode = trendBox.querySelector("input[name=trend]:checked");
    var trend = trendBox.open ? (mode && mode.value) || "documents" : null;
    var view = app.querySelector("input[name=view]:checked");
    return {
      q: input.value.trim(), filters: filters, sort: sortEl.value, trend: trend,
      view: view ? view.value : "", ksort: kwicSort.value, kpage: kwicPage
    };
  }

  function showMore(token) {
    if (!shown) return Promise.resolve();
    var f = shown.found;
    var batch = shown.order.slice(shownCount, shownCount + PAGE).map(function (i) {
      return { doc: f.docs[i], head: f.heads[i] > 0, count: f.counts[i], body: f.counts[i] > f.heads[i] };
    });
    shownCount += batch.length;
    more.hidden = shownCount >= shown.order.length;
    var terms = currentTerms;
    return Promise.all(batch.map(function (h) {
      return record(h.doc).then(function (rec) { return renderHit(h, rec, terms); });
    })).then(function (items) {
      if (token !== seq) return;
      items.forEach(function (li) {
        list.appendChild(li);
        if (terms.length) watch(li);
      });
      // After the observer has seen what is on screen.
      requestAnimationFrame(function () { setTimeout(lookAhead, 0); });
    });
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  // A download link `#id.id`, labelled by its slot (`#id-slot`), where it
  // is put once it has an address.
  function csvLink(id, filename) {
    var a = el("a", id, document.getElementById(id + "-slot").getAttribute("data-label"));
    a.id = id;
    a.download = filename;
    return a;
  }
  // Where the terms occur in text: {marks (per character), first}.
  function findTerms(text, terms) {
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
    return { orig: orig, marks: marks, first: first };
  }
  // Appends text to parent with every occurrence of the terms marked,
  // from..to (characters) of it, with … where cut.
  function marked(parent, text, terms, around) {
    var f = findTerms(text, terms);
    var from = 0, to = f.orig.length;
    if (around) {
      from = Math.max(0, f.first - 30);
      to = Math.min(f.orig.length, from + 110);
    }
    if (from > 0) parent.appendChild(document.createTextNode("…"));
    var i = from;
    while (i < to) {
      var j = i;
      while (j < to && f.marks[j] === f.marks[i]) j++;
      var piece = f.orig.slice(i, j).join("");
      parent.appendChild(f.marks[i] ? el("mark", "", piece) : document.createTextNode(piece));
      i = j;
    }
    if (to < f.orig.length) parent.appendChild(document.createTextNode("…"));
    return f.first >= 0;
  }

  function sepEl() {
    var sep = el("span", "sep", " · ");
    sep.setAttribute("aria-hidden", "true");
    return sep;
  }
  function renderHit(hit, rec, terms) {
    var lang = app.getAttribute("data-lang");
    var li = el("li", "doc-item search-hit");
    li.hit = hit;
    li.setAttribute("data-doc", String(hit.doc));
    var h = el("h2", "doc-item-title");
    var a = el("a", "search-hit-link");
    var shownInCard = marked(a, rec[1], terms, false);
    a.href = root + rec[0];
    if (lang !== "zh-CN") a.lang = "zh-CN";
    h.appendChild(a);
    li.appendChild(h);
    var m = el("p", "doc-item-meta");
    var time = el("time");
    shownInCard = marked(time, rec[4], terms, false) || shownInCard;
    m.appendChild(time);
    [rec[2].join(t("sep")), rec[3]].forEach(function (part, k) {
      if (!part) return;
      m.appendChild(sepEl());
      var span = el("span", k === 0 ? "speaker" : "place");
      shownInCard = marked(span, part, terms, false) || shownInCard;
      m.appendChild(span);
    });
    var n = el("span", "search-occurrences", (hit.count === 1 ? t("occurrences-one") : t("occurrences")).replace("{n}", hit.count));
    if (hit.count) { m.appendChild(sepEl()); m.appendChild(n); }
    if (hit.head) m.appendChild(el("span", "badge badge-muted search-in-meta", t("in-meta")));
    li.appendChild(m);
    li.url = rec[0];
    // A match only in the title, date, speakers or place: the card shows it.
    var wanted = terms.length && (hit.body || !shownInCard);
    li.setAttribute("data-snippet", wanted ? "wanted" : "card");
    // The snippet's room, kept while it is read, so results do not jump.
    if (wanted) li.appendChild(el("p", "search-snippet"));
    return li;
  }

  // ---- snippets, from the result's page ----
  // Read for the results on screen first; once those are read (and a
  // moment more, so the first screen has the connection to itself), for
  // the results within a screen below, so that scrolling finds them read.
  function onSight(margin) {
    if (!window.IntersectionObserver) return null;
    var o = new IntersectionObserver(function (entries) {
      entries.forEach(function (e) {
        if (!e.isIntersecting) return;
        visible.unobserve(e.target);
        ahead.unobserve(e.target);
        if (e.target.getAttribute("data-snippet") === "wanted") snippetFor(e.target);
      });
    }, { rootMargin: margin });
    return o;
  }
  var visible = onSight("0px"), ahead = onSight("0px 0px 100% 0px");
  var reading = 0, AHEAD_AFTER = 200, aheadTimer = 0;
  function watch(li) {
    if (li.getAttribute("data-snippet") !== "wanted") return;
    if (visible) visible.observe(li); else snippetFor(li);
  }
  // Called when the results on screen may all have been asked for.
  function lookAhead() {
    clearTimeout(aheadTimer);
    if (reading || !ahead) return;
    aheadTimer = setTimeout(function () {
      list.querySelectorAll('li[data-snippet="wanted"]').forEach(function (li) { ahead.observe(li); });
    }, AHEAD_AFTER);
  }
  function snippetFor(li) {
    var terms = currentTerms, token = seq;
    li.setAttribute("data-snippet", "loading");
    reading++;
    var p = li.querySelector(".search-snippet");
    findOnPage(li.url, terms, li.hit.body).then(function (found) {
      if (token !== seq) return;
      li.setAttribute("data-snippet", found ? "done" : "none");
      if (!found) return p.remove();
      marked(p, found.text, terms, true);
      if (found.anchor) li.querySelector(".search-hit-link").href = root + li.url + "#" + found.anchor;
    }).catch(function (e) {
      li.setAttribute("data-snippet", "none");
      p.remove();
      if (window.console) console.error(e);
    }).then(function () {
      reading--;
      lookAhead();
    });
  }
  // A page is read from its start in ranges that double (where the host
  // serves ranges): the first match is usually near the top, and one just
  // past the first range costs 16 KB more, not the rest of the page.
  var RANGES = [16384, 32768, 65536];
  var pages = new Map();
  function pagePart(url, part) {
    var key = url + "#" + part;
    if (!pages.has(key)) {
      var from = part ? RANGES[part - 1] : 0, to = RANGES[part];
      var headers = to ? { Range: "bytes=" + from + "-" + (to - 1) } : { Range: "bytes=" + from + "-" };
      pages.set(key, fetch(root + url, { headers: headers }).then(function (r) {
        if (r.status === 416) return { bytes: new Uint8Array(0), last: true };
        if (!r.ok) throw new Error(url + ": " + r.status);
        var whole = r.status !== 206;
        var range = /\/(\d+)$/.exec(r.headers.get("Content-Range") || "");
        return r.arrayBuffer().then(function (b) {
          var last = whole || !to || (range && Number(range[1]) <= to);
          return { bytes: new Uint8Array(b), last: !!last, whole: whole };
        });
      }));
    }
    return pages.get(key);
  }
  // The first block of the page holding a term: {text, anchor}. In the
  // body (paragraphs p-N, headings s-N, list items, cells, code; anchor:
  // the nearest p-N or s-N) when inBody, else anywhere in the page's main
  // content (title and metadata).
  function findOnPage(url, terms, inBody) {
    var parts = [];
    function step(part) {
      return pagePart(url, part).then(function (got) {
        parts.push(got.bytes);
        var last = got.last || part === RANGES.length;
        var size = 0;
        parts.forEach(function (b) { size += b.length; });
        var all = new Uint8Array(size), at = 0;
        parts.forEach(function (b) { all.set(b, at); at += b.length; });
        if (got.whole) { all = got.bytes; }
        var doc = new DOMParser().parseFromString(new TextDecoder().decode(all), "text/html");
        var found = inBody ? inBodyOf(doc, terms, last) : inHeadOf(doc, terms);
        if (found || last || got.whole) return found;
        return step(part + 1);
      });
    }
    return step(0);
  }
  var BLOCKS = '[id^="p-"], [id^="s-"], li, td, th, pre';
  function textOf(e) {
    var copy = e.cloneNode(true);
    copy.querySelectorAll(".pilcrow, a[href^='#p-']").forEach(function (a) { a.remove(); });
    return copy.textContent.replace(/\s+/g, " ").trim();
  }
  function holds(text, terms) {
    var norm = normChars(text);
    return terms.some(function (term) { return occurrences(norm, term) > 0; });
  }
  function inBodyOf(doc, terms, complete) {
    var first = doc.querySelector('[id^="p-"], [id^="s-"]');
    if (!first) return null;
    var body = first.closest(".doc-body") || first.parentElement;
    var blocks = Array.from(body.querySelectorAll(BLOCKS));
    // Without the end of the page, the last block may be cut short.
    if (!complete) blocks.pop();
    var anchor = "";
    for (var i = 0; i < blocks.length; i++) {
      var b = blocks[i];
      if (/^[ps]-\d+$/.test(b.id)) anchor = b.id;
      var text = textOf(b);
      if (!holds(text, terms)) continue;
      // The innermost block that holds it.
      var inner = Array.from(b.querySelectorAll(BLOCKS)).some(function (c) { return holds(textOf(c), terms); });
      if (!inner) return { text: text, anchor: anchor };
    }
    return null;
  }
  function inHeadOf(doc, terms) {
    var main = doc.querySelector("main") || doc.body;
    // `code`: the citation records, which hold the date as 2020-04-03.
    var els = Array.from(main.querySelectorAll("h1, p, dd, li, span, a, code"));
    for (var i = 0; i < els.length; i++) {
      var text = textOf(els[i]);
      if (holds(text, terms) && !Array.from(els[i].children).some(function (c) { return holds(textOf(c), terms); })) {
        return { text: text, anchor: "" };
      }
    }
    return null;
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
        return { li: li, count: count, box: box, shown: null };
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
  function updateFacets(docs, bits) {
    var every = (1 << facets.length) - 1;
    facets.forEach(function (f, fi) {
      var counts = new Array(f.terms.length).fill(0);
      var mine = 1 << fi;
      for (var i = 0; i < docs.length; i++) {
        if ((bits[i] | mine) !== every) continue;
        if (f.one) {
          if (f.one[docs[i]] >= 0) counts[f.one[docs[i]]]++;
        } else {
          f.of[docs[i]].forEach(function (k) { counts[k]++; });
        }
      }
      var entry = facetEls[fi];
      var visible = 0, hidden = 0;
      // Only what changes is written: a facet may have hundreds of terms.
      entry.items.forEach(function (item, k) {
        var show = counts[k] > 0 || item.box.checked;
        if (show && !entry.expanded && visible >= VISIBLE_TERMS && !item.box.checked) { show = false; hidden++; }
        if (show) visible++;
        if (item.li.hidden === show) item.li.hidden = !show;
        if (show && item.shown !== counts[k]) {
          item.count.textContent = String(counts[k]);
          item.shown = counts[k];
        }
      });
      if (entry.toggle.hidden !== (hidden === 0 && !entry.expanded)) entry.toggle.hidden = !entry.toggle.hidden;
    });
  }

  // The filters chosen, counted in the panel's summary (folded on phones).
  function showActiveFilters(chosen) {
    var n = 0;
    chosen.forEach(function (c) { if (c) c.forEach(function (on) { if (on) n++; }); });
    document.getElementById("search-filters-active").textContent = n ? t("filters-active").replace("{n}", n) : "";
  }

  // ---- the phrases through time: chart, table and CSV ----
  // From the documents lists the search has already read, and the year
  // facet: nothing more is fetched. The same numbers as
  // src/search/query.rs `trend`, which the tests check against a scan.
  var TREND_MODES = ["documents", "occurrences", "share"];
  // Years a chart spans without leaving out those that have no documents
  // (query.rs TREND_MAX_SPAN).
  var TREND_MAX_SPAN = 60;
  var SVG = "http://www.w3.org/2000/svg";
  var csvUrl = null;
  function yearFacet() {
    for (var i = 0; i < facets.length; i++) if (facets[i].key === "year") return i;
    return -1;
  }
  // Per year, oldest first: the documents that pass the filters other
  // than the year's, and per phrase those of them that hold it and its
  // occurrences in them.
  function trendOf(perPhrase, chosen) {
    var yi = yearFacet(), yf = facets[yi];
    var others = chosen.slice();
    others[yi] = null;
    var yearOfTerm = yf.terms.map(function (term) { return parseInt(term.slug, 10); });
    var yearOf = new Float64Array(docCount);
    var present = new Set();
    for (var d = 0; d < docCount; d++) {
      var k = yf.one ? yf.one[d] : (yf.of[d].length ? yf.of[d][0] : -1);
      yearOf[d] = k >= 0 ? yearOfTerm[k] : NaN;
      if (k >= 0) present.add(yearOf[d]);
    }
    var known = Array.from(present).sort(function (a, b) { return a - b; });
    var years = known;
    if (known.length && known[known.length - 1] - known[0] <= TREND_MAX_SPAN) {
      years = [];
      for (var y = known[0]; y <= known[known.length - 1]; y++) years.push(y);
    }
    var row = new Map();
    years.forEach(function (y, r) { row.set(y, r); });
    function passes(doc) {
      for (var f = 0; f < facets.length; f++) if (others[f] && !inFacet(facets[f], others[f], doc)) return false;
      return true;
    }
    var totals = years.map(function () { return 0; });
    for (d = 0; d < docCount; d++) {
      var r = row.get(yearOf[d]);
      if (r !== undefined && passes(d)) totals[r]++;
    }
    var series = perPhrase.map(function (l) {
      var docs = years.map(function () { return 0; }), occurrences = docs.slice();
      for (var i = 0; i < l.docs.length; i++) {
        var at = row.get(yearOf[l.docs[i]]);
        if (at === undefined || !passes(l.docs[i])) continue;
        docs[at]++;
        occurrences[at] += l.counts[i];
      }
      return { docs: docs, occurrences: occurrences };
    });
    return { years: years, totals: totals, series: series };
  }
  function trendValue(tr, s, r, mode) {
    if (mode === "occurrences") return s.occurrences[r];
    if (mode === "share") return tr.totals[r] ? s.docs[r] / tr.totals[r] : null;
    return s.docs[r];
  }
  function trendText(v, mode) {
    if (v === null) return "—";
    if (mode === "share") return (100 * v).toFixed(1) + "%";
    return String(v);
  }
  function svgEl(tag, attrs, text) {
    var e = document.createElementNS(SVG, tag);
    Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function selectedYears(state) {
    return state.filters.year || new Set();
  }
  // The years with a checkbox among the filters: those a click can choose.
  function yearBox(year) {
    return facetBox.querySelector('input[name="year"][value="' + year + '"]');
  }
  function drawTrend(perPhrase, phrases, chosen, state) {
    trendBox.hidden = !perPhrase;
    trendBox.removeAttribute("data-state");
    if (!perPhrase || !trendBox.open || yearFacet() < 0) return;
    var mode = state.trend || "documents";
    var tr = trendOf(perPhrase, chosen);
    var names = phrases.map(function (p) { return p.map(function (term) { return term.join(""); }).join(" "); });
    var picked = selectedYears(state);
    var note = document.getElementById("trend-note");
    note.hidden = !phrases.dropped;
    note.textContent = phrases.dropped ? t("trend-max") : "";

    // The chart: a group of columns a year, one a phrase; a click on a
    // year toggles its filter (the table's buttons do the same by keyboard).
    var k = names.length, n = tr.years.length;
    var slot = Math.max(40, 14 * k + 18), plot = 150, top = 16, w = Math.max(1, n) * slot, h = top + plot + 24;
    var max = 0;
    tr.series.forEach(function (s) {
      for (var r = 0; r < n; r++) max = Math.max(max, trendValue(tr, s, r, mode) || 0);
    });
    var svg = svgEl("svg", { "class": "trend-svg", width: w, height: h, viewBox: "0 0 " + w + " " + h, "aria-hidden": "true", focusable: "false" });
    svg.appendChild(svgEl("line", { "class": "axis", x1: 0, x2: w, y1: top + plot + 0.5, y2: top + plot + 0.5 }));
    var bar = Math.min(24, (slot - 12) / k);
    tr.years.forEach(function (year, r) {
      var x = r * slot;
      var g = svgEl("g", { "class": "trend-year" + (picked.has(String(year)) ? " picked" : ""), "data-year": year });
      g.appendChild(svgEl("rect", { "class": "hit", x: x, y: 0, width: slot, height: h }));
      var x0 = x + (slot - bar * k) / 2;
      tr.series.forEach(function (s, i) {
        var v = trendValue(tr, s, r, mode) || 0;
        if (!v) return;
        var bh = Math.max(1, Math.round(v / max * plot));
        g.appendChild(svgEl("rect", { "class": "col s" + i, x: x0 + i * bar, y: top + plot - bh, width: bar - 2, height: bh }));
        if (k === 1) g.appendChild(svgEl("text", { "class": "num", x: x + slot / 2, y: top + plot - bh - 4 }, trendText(v, mode)));
      });
      if (n <= 16 || year % 5 === 0 || r === 0 || r === n - 1) {
        g.appendChild(svgEl("text", { "class": "yr", x: x + slot / 2, y: top + plot + 17 }, String(year)));
      }
      svg.appendChild(g);
    });
    trendChart.textContent = "";
    if (k > 1) {
      var legend = el("ul", "trend-legend");
      names.forEach(function (name, i) {
        var li = el("li");
        li.appendChild(el("span", "swatch s" + i));
        li.appendChild(el("span", "", name));
        legend.appendChild(li);
      });
      trendChart.appendChild(legend);
    }
    trendChart.appendChild(svg);

    // The table: the chart's numbers, a year a row.
    var label = t("trend-" + mode);
    trendTable.textContent = "";
    var caption = el("caption", "vh", t("trend-caption") + " · " + label);
    trendTable.appendChild(caption);
    var head = el("thead"), hr = el("tr");
    [t("trend-year"), t("trend-year-total")].forEach(function (text) {
      var th = el("th", "", text);
      th.scope = "col";
      hr.appendChild(th);
    });
    names.forEach(function (name, i) {
      var th = el("th");
      th.scope = "col";
      if (k > 1) th.appendChild(el("span", "swatch s" + i));
      th.appendChild(el("span", "", name));
      th.appendChild(el("span", "vh", " · " + label));
      hr.appendChild(th);
    });
    head.appendChild(hr);
    trendTable.appendChild(head);
    var body = el("tbody");
    tr.years.forEach(function (year, r) {
      var row = el("tr");
      var th = el("th");
      th.scope = "row";
      if (yearBox(year)) {
        var b = el("button", "trend-year-button", String(year));
        b.type = "button";
        b.setAttribute("data-year", year);
        b.setAttribute("aria-pressed", String(picked.has(String(year))));
        th.appendChild(b);
      } else {
        th.textContent = String(year);
      }
      row.appendChild(th);
      row.appendChild(el("td", "", String(tr.totals[r])));
      tr.series.forEach(function (s) { row.appendChild(el("td", "", trendText(trendValue(tr, s, r, mode), mode))); });
      if (picked.has(String(year))) row.className = "picked";
      body.appendChild(row);
    });
    trendTable.appendChild(body);

    // CSV: every measure of every phrase.
    var header = [t("trend-year"), t("trend-year-total")];
    names.forEach(function (name) {
      header.push(name + " " + t("trend-documents"), name + " " + t("trend-occurrences"), name + " " + t("trend-share"));
    });
    var lines = [header];
    tr.years.forEach(function (year, r) {
      var line = [year, tr.totals[r]];
      tr.series.forEach(function (s) {
        var share = trendValue(tr, s, r, "share");
        line.push(s.docs[r], s.occurrences[r], share === null ? "" : share.toFixed(4));
      });
      lines.push(line);
    });
    var csv = "\ufeff" + lines.map(function (line) { return line.map(csvField).join(","); }).join("\r\n") + "\r\n";
    if (csvUrl) URL.revokeObjectURL(csvUrl);
    csvUrl = URL.createObjectURL(new Blob([csv], { type: "text/csv;charset=utf-8" }));
    trendCsv.href = csvUrl;
    if (!trendCsv.parentNode) document.getElementById("trend-csv-slot").appendChild(trendCsv);
    trendBox.querySelectorAll("input[name=trend]").forEach(function (box) { box.checked = box.value === (mode === "documents" ? "" : mode); });
    trendBox.setAttribute("data-state", "done");
  }
  function csvField(v) {
    var s = String(v);
    return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }
  // A year clicked in the chart or the table: its filter on or off.
  function toggleYear(year) {
    var box = yearBox(year);
    if (!box) return;
    box.checked = !box.checked;
    clearTimeout(timer);
    run();
  }

  // ---- every occurrence in context: the concordance (KWIC) ----
  // Lines for the documents of the results, in their bodies only, by date
  // (documents are numbered newest first) and position, a page of
  // KWIC_PAGE at a time. Where an occurrence is comes from the index (a
  // long term's verified starts, a two-character term's positions list);
  // its context from the document's text file (search/t/<run>.bin, by byte
  // ranges: a run's offsets, the document's anchors, a window around each
  // occurrence). A one-character term has no positions list: its
  // documents' whole texts are read and scanned. Sorting by context needs
  // every line, so only up to KWIC_SORT_LIMIT. The same lines as
  // src/search/concordance.rs, which reads the documents' own files.
  var KWIC_PAGE = 50, KWIC_CONTEXT = 20, KWIC_SORT_LIMIT = 2000;
  var KWIC_SORTS = ["oldest", "left", "right"];
  var kwicBox = document.getElementById("search-kwic");
  var kwicSort = document.getElementById("kwic-sort");
  var kwicBody = kwicBox.querySelector("#kwic-table tbody");
  var kwicCsv = csvLink("kwic-csv", "concordance.csv");
  var kwicCsvUrl = null;
  var kwicPage = 1;
  var kwicResults = null;
  function kt(name) { return kwicBox.getAttribute("data-t-" + name) || ""; }
  function showView(kwic) {
    list.hidden = kwic;
    kwicBox.hidden = !kwic;
    document.getElementById("search-sort-list").hidden = kwic;
    document.getElementById("search-sort-kwic").hidden = !kwic;
    if (!kwic) kwicBox.removeAttribute("data-state");
  }
  // A run's text file: where each of its documents' parts start.
  function textOffsets(run) {
    var n = Math.min(meta.run, docCount - run * meta.run);
    return bytesOf("t/" + run + ".bin", 0, (2 * n + 1) * 4).then(function (b) {
      var out = new Uint32Array(2 * n + 1);
      for (var i = 0; i < out.length; i++) out[i] = (b[4 * i] | b[4 * i + 1] << 8 | b[4 * i + 2] << 16) + b[4 * i + 3] * 16777216;
      return out;
    });
  }
  // A document's part of its run's text file: {file, head, anchors
  // [[position, code]], text (byte offset), length (positions)}.
  var docTexts = new Map();
  function docText(doc) {
    if (!docTexts.has(doc)) {
      var run = Math.floor(doc / meta.run), k = doc % meta.run, file = "t/" + run + ".bin";
      docTexts.set(doc, textOffsets(run).then(function (o) {
        return bytesOf(file, o[2 * k], o[2 * k + 1]).then(function (b) {
          var r = new Reader(b), head = r.varint(), n = r.varint(), anchors = [], at = 0;
          for (var i = 0; i < n; i++) { at += r.varint(); anchors.push([at, r.varint()]); }
          return { file: file, head: head, anchors: anchors, text: o[2 * k + 1], length: (o[2 * k + 2] - o[2 * k + 1]) / 2 };
        });
      }));
    }
    return docTexts.get(doc);
  }
  function anchorOf(anchors, p) {
    var code = 0;
    for (var i = 0; i < anchors.length && anchors[i][0] <= p; i++) code = anchors[i][1];
    if (!(code >> 1)) return "";
    return (code & 1 ? "s-" : "p-") + (code >> 1);
  }
  // A two-character term's positions list, read once.
  var pairPositions = new Map();
  function positionsOfPair(term) {
    var key = term.join("");
    if (!pairPositions.has(key)) {
      pairPositions.set(key, listsOf([cp(term[0]), cp(term[1])], true).then(function (l) { return l && readPositions(l[0], l[1]); }));
    }
    return pairPositions.get(key);
  }
  // Where `term` starts in document `doc` (stream positions), or null
  // when the index does not say (a single character).
  function startsIn(doc, term) {
    function slice(l, counts, from) {
      if (!l) return [];
      var lo = 0, hi = l.docs.length;
      while (lo < hi) { var mid = (lo + hi) >> 1; if (l.docs[mid] < doc) lo = mid + 1; else hi = mid; }
      if (lo === l.docs.length || l.docs[lo] !== doc) return [];
      var a = from(l, lo);
      return Array.prototype.slice.call(l.pos, a, a + counts(l, lo));
    }
    if (term.length === 1) return Promise.resolve(null);
    if (term.length === 2) {
      return positionsOfPair(term).then(function (l) {
        return slice(l, function (l, i) { return l.counts[i]; }, function (l, i) { return l.start[i]; });
      });
    }
    return documentsWith(term).then(function (l) {
      return slice(l, function (l, i) { return l.counts[i]; }, function (l, i) { return l.from[i]; });
    });
  }
  // Text units [from, to) of a document, in windows fetched together.
  function unitsOf(bytes) {
    var out = new Uint16Array(bytes.length >> 1);
    for (var i = 0; i < out.length; i++) out[i] = bytes[2 * i] | bytes[2 * i + 1] << 8;
    return out;
  }
  function textOfUnits(units, from, to) {
    var s = "";
    for (var i = from; i < to; i++) s += String.fromCharCode(units[i]);
    return s;
  }
  // Every line of document `doc` for the terms `which` (indices into
  // `terms`), by position: {doc, term, position, anchor, left, match, right}.
  var docLines = new Map();
  function linesOf(doc, which, terms) {
    var key = doc + ":" + which.join(",");
    if (docLines.has(key)) return docLines.get(key);
    var made = docText(doc).then(function (dt) {
      return Promise.all(which.map(function (ti) { return startsIn(doc, terms[ti]); })).then(function (starts) {
        var whole = starts.some(function (s) { return s === null; });
        var occ = [];
        starts.forEach(function (list, j) {
          if (list) list.forEach(function (p) { if (p >= dt.head) occ.push([p - dt.head, which[j]]); });
        });
        // Windows of context around each occurrence, joined where close.
        var windows = [];
        occ.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; });
        occ.forEach(function (o) {
          var from = Math.max(0, o[0] - KWIC_CONTEXT), to = Math.min(dt.length, o[0] + terms[o[1]].length + KWIC_CONTEXT);
          var last = windows[windows.length - 1];
          if (last && from - last[1] < 32) last[1] = Math.max(last[1], to); else windows.push([from, to]);
        });
        var size = 0;
        windows.forEach(function (w) { size += w[1] - w[0]; });
        if (whole || size > dt.length / 2) windows = [[0, dt.length]];
        return Promise.all(windows.map(function (w) {
          return bytesOf(dt.file, dt.text + 2 * w[0], dt.text + 2 * w[1]).then(function (b) { return { from: w[0], units: unitsOf(b) }; });
        })).then(function (parts) {
          if (whole) {
            // Scanned: every term in the document's whole text.
            var units = parts[0].units, norm = [];
            for (var i = 0; i < units.length; i++) norm.push(fold(String.fromCharCode(units[i])));
            occ = [];
            which.forEach(function (ti) {
              var term = terms[ti];
              for (var p = 0; p + term.length <= norm.length; p++) {
                var ok = true;
                for (var m = 0; m < term.length && ok; m++) ok = norm[p + m] === term[m];
                if (ok) occ.push([p, ti]);
              }
            });
            occ.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; });
          }
          return occ.map(function (o) {
            var part = parts[0];
            for (var i = 1; i < parts.length && parts[i].from <= o[0]; i++) part = parts[i];
            var u = part.units, at = o[0] - part.from, end = at + terms[o[1]].length;
            var a = at, b = end;
            while (a > 0 && at - a < KWIC_CONTEXT && u[a - 1] !== 0) a--;
            while (b < u.length && b - end < KWIC_CONTEXT && u[b] !== 0) b++;
            return {
              doc: doc, term: o[1], position: o[0], anchor: anchorOf(dt.anchors, o[0]),
              left: textOfUnits(u, a, at), match: textOfUnits(u, at, end), right: textOfUnits(u, end, b)
            };
          });
        });
      });
    });
    made.catch(function () { docLines.delete(key); });
    docLines.set(key, made);
    return made;
  }
  // Per document of the results (in the given order), the terms of the
  // phrases it matches and its occurrences of them in the body (each term
  // once: its occurrences less those in the head).
  function kwicDocs(r, order) {
    return Promise.all(r.terms.map(documentsWith)).then(function (answers) {
      return bodyCounts(r, order, answers);
    });
  }
  function bodyCounts(r, order, answers) {
    var out = [];
    function find(docs, doc) {
      var lo = 0, hi = docs.length;
      while (lo < hi) { var mid = (lo + hi) >> 1; if (docs[mid] < doc) lo = mid + 1; else hi = mid; }
      return lo < docs.length && docs[lo] === doc ? lo : -1;
    }
    order.forEach(function (i) {
      var doc = r.found.docs[i], which = [];
      r.phrases.forEach(function (phrase, k) {
        if (find(r.perPhrase[k].docs, doc) < 0) return;
        phrase.forEach(function (term) {
          var ti = r.terms.findIndex(function (x) { return x.join("") === term.join(""); });
          if (which.indexOf(ti) < 0) which.push(ti);
        });
      });
      which.sort(function (a, b) { return a - b; });
      var body = 0;
      which.forEach(function (ti) {
        var a = answers[ti], j = find(a.docs, doc);
        if (j >= 0) body += a.counts[j] - a.heads[j];
      });
      if (body > 0) out.push({ doc: doc, which: which, body: body });
    });
    return out;
  }
  // Code points compared as numbers (a string's < compares UTF-16 units).
  function compareText(a, b) {
    var x = chars(a), y = chars(b);
    for (var i = 0; i < x.length && i < y.length; i++) {
      var d = x[i].codePointAt(0) - y[i].codePointAt(0);
      if (d) return d;
    }
    return x.length - y.length;
  }
  function contextKey(line, side) {
    var c = chars(side === "left" ? line.left : line.right).map(fold);
    return (side === "left" ? c.reverse() : c).join("");
  }
  function showKwic(token, state) {
    var r = kwicResults;
    var order = r.keep.slice();
    if (state.ksort) order.reverse();
    return kwicDocs(r, order).then(function (docs) { return kwicPageOf(token, state, r, docs); });
  }
  function kwicPageOf(token, state, r, docs) {
    var total = 0;
    docs.forEach(function (d) { total += d.body; });
    var byContext = state.ksort === "left" || state.ksort === "right";
    var note = document.getElementById("kwic-note");
    var tooMany = byContext && total > KWIC_SORT_LIMIT;
    note.hidden = !tooMany;
    note.textContent = tooMany ? kt("too-many").replace("{n}", KWIC_SORT_LIMIT) : "";
    var pages = Math.max(1, Math.ceil(total / KWIC_PAGE));
    var page = Math.min(state.kpage, pages);
    kwicPage = page;
    var from = (page - 1) * KWIC_PAGE, to = Math.min(total, from + KWIC_PAGE);
    kwicBox.setAttribute("data-state", "busy");
    var wanted;
    if (byContext && !tooMany) {
      // Every line, sorted, then the page.
      wanted = Promise.all(docs.map(function (d) { return linesOf(d.doc, d.which, r.terms); })).then(function (all) {
        var lines = [].concat.apply([], all);
        lines.sort(function (a, b) {
          return compareText(contextKey(a, state.ksort), contextKey(b, state.ksort)) || (b.doc - a.doc) || (a.position - b.position) || (a.term - b.term);
        });
        return lines.slice(from, to);
      });
    } else {
      // The documents the page's lines are in.
      var at = 0, parts = [];
      docs.forEach(function (d) {
        if (at + d.body > from && at < to) parts.push({ d: d, skip: Math.max(0, from - at), take: Math.min(d.body, to - at) });
        at += d.body;
      });
      wanted = Promise.all(parts.map(function (p) {
        return linesOf(p.d.doc, p.d.which, r.terms).then(function (lines) { return lines.slice(p.skip, p.take); });
      })).then(function (all) { return [].concat.apply([], all); });
    }
    return wanted.then(function (lines) {
      return Promise.all(lines.map(function (l) { return record(l.doc); })).then(function (recs) {
        if (token !== seq) return;
        renderKwic(lines, recs, total, page, pages, from);
      });
    });
  }
  function renderKwic(lines, recs, total, page, pages, from) {
    kwicBody.textContent = "";
    var status = document.getElementById("kwic-status");
    status.textContent = total ? kt("status").replace("{n}", total).replace("{from}", from + 1).replace("{to}", from + lines.length) : kt("none");
    document.getElementById("kwic-page").textContent = kt("page").replace("{n}", page).replace("{total}", pages);
    document.getElementById("kwic-prev").disabled = page <= 1;
    document.getElementById("kwic-next").disabled = page >= pages;
    var csv = [[kt("date"), kt("title"), "url", "anchor", kt("left"), kt("match"), kt("right")]];
    lines.forEach(function (l, i) {
      var rec = recs[i], row = el("tr");
      var docCell = el("td", "kwic-doc");
      var a = el("a", "kwic-link", rec[1]);
      a.href = root + rec[0] + (l.anchor ? "#" + l.anchor : "");
      if (app.getAttribute("data-lang") !== "zh-CN") a.lang = "zh-CN";
      docCell.appendChild(a);
      docCell.appendChild(el("span", "kwic-date", rec[4]));
      row.appendChild(docCell);
      row.appendChild(el("td", "kwic-left", l.left));
      // The match and what follows it in one cell: every match starts in
      // line, right after its left context.
      var m = el("td", "kwic-match");
      m.appendChild(el("mark", "", l.match));
      m.appendChild(el("span", "kwic-right", l.right));
      row.appendChild(m);
      row.setAttribute("data-doc", String(l.doc));
      row.setAttribute("data-position", String(l.position));
      kwicBody.appendChild(row);
      csv.push([rec[4], rec[1], rec[0], l.anchor, l.left, l.match, l.right]);
    });
    var text = "\ufeff" + csv.map(function (line) { return line.map(csvField).join(","); }).join("\r\n") + "\r\n";
    if (kwicCsvUrl) URL.revokeObjectURL(kwicCsvUrl);
    kwicCsvUrl = URL.createObjectURL(new Blob([text], { type: "text/csv;charset=utf-8" }));
    kwicCsv.href = kwicCsvUrl;
    kwicCsv.hidden = !lines.length;
    if (!kwicCsv.parentNode) document.getElementById("kwic-csv-slot").appendChild(kwicCsv);
    kwicBox.setAttribute("data-state", "done");
    kwicBox.setAttribute("data-count", String(total));
  }
  // A new page or order of the same lines.
  function kwicAgain() {
    var state = currentState(), token = ++seq;
    if (!kwicResults) return run();
    showKwic(token, state).catch(function (e) {
      kwicBox.setAttribute("data-state", "error");
      if (window.console) console.error(e);
    }).then(function () {
      requestAnimationFrame(function () { if (token === seq) writeState(state); });
    });
  }

  // ---- wiring ----
  // The first keystroke after a pause is searched at once (an input
  // method commits a whole word at a time); keystrokes that follow it
  // within SOON ms wait for the last.
  var timer = 0, lastInput = -Infinity;
  function soon() {
    clearTimeout(timer);
    var now = Date.now();
    if (now - lastInput > SOON) run(); else timer = setTimeout(run, SOON);
    lastInput = now;
  }
  loadMeta().then(function () {
    var state = readState();
    input.value = state.q;
    sortEl.value = state.sort;
    kwicSort.value = state.ksort;
    kwicPage = state.kpage;
    app.querySelectorAll("input[name=view]").forEach(function (box) { box.checked = box.value === state.view; });
    trendBox.open = !!state.trend;
    trendBox.querySelectorAll("input[name=trend]").forEach(function (box) {
      box.checked = box.value === (state.trend === "documents" ? "" : state.trend || "");
    });
    // On a phone the results come first and the filters fold away.
    if (window.matchMedia && window.matchMedia("(max-width: 55.99rem)").matches) filtersPanel.open = false;
    // A filter the index does not know (a link from an older build, a
    // typo) stays on as a term without documents, so the link finds
    // nothing and says so, rather than dropping the filter unseen.
    facets.forEach(function (f) {
      state.filters[f.key].forEach(function (slug) {
        if (!f.terms.some(function (term) { return term.slug === slug; })) f.terms.push({ slug: slug, name: slug });
      });
    });
    buildFacets(state);
    input.addEventListener("input", soon);
    facetBox.addEventListener("change", function () { clearTimeout(timer); run(); });
    sortEl.addEventListener("change", function () { clearTimeout(timer); run(); });
    app.querySelectorAll("input[name=view]").forEach(function (box) {
      box.addEventListener("change", function () { clearTimeout(timer); kwicPage = 1; run(); });
    });
    kwicSort.addEventListener("change", function () { kwicPage = 1; kwicAgain(); });
    document.getElementById("kwic-prev").addEventListener("click", function () { kwicPage--; kwicAgain(); });
    document.getElementById("kwic-next").addEventListener("click", function () { kwicPage++; kwicAgain(); });
    var trendOpen = trendBox.open;
    trendBox.addEventListener("toggle", function () {
      if (trendBox.open === trendOpen) return;
      trendOpen = trendBox.open;
      clearTimeout(timer);
      run();
    });
    trendBox.addEventListener("change", function (e) {
      e.stopPropagation();
      clearTimeout(timer);
      run();
    });
    trendBox.addEventListener("click", function (e) {
      var year = e.target.closest && e.target.closest("[data-year]");
      if (year) toggleYear(year.getAttribute("data-year"));
    });
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
