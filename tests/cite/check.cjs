// Renders and reads back the citation records of built documents with the
// tools reference managers use: citeproc-js (CSL-JSON → GB/T 7714 and
// Chicago text, with the styles in tests/fixtures/csl/) and citation-js
// (RIS and BibTeX → CSL). Called by tests/it/cite.rs:
//   node tests/cite/check.cjs MANIFEST.json
// MANIFEST: [{slug, csl, ris, bib, accessed}] (file paths); prints
// [{slug, gbt7714, chicago, ris, bibtex}] as JSON on stdout.
"use strict";
const fs = require("fs");
const path = require("path");
const CSL = require("citeproc");
const { Cite, plugins } = require("@citation-js/core");
require("@citation-js/plugin-ris");
require("@citation-js/plugin-bibtex");
require("@citation-js/plugin-csl");

const fixtures = path.join(__dirname, "..", "fixtures", "csl");
const read = (f) => fs.readFileSync(path.join(fixtures, f), "utf8");

function render(style, lang, item) {
  const sys = {
    retrieveLocale: (l) => read(l === "zh-CN" ? "locales-zh-CN.xml" : "locales-en-US.xml"),
    retrieveItem: () => item,
  };
  const engine = new CSL.Engine(sys, read(style), lang);
  engine.setOutputFormat("text");
  engine.updateItems([item.id]);
  return engine.makeBibliography()[1].join("").trim();
}

const manifest = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const out = manifest.map((m) => {
  const [item] = JSON.parse(fs.readFileSync(m.csl, "utf8"));
  const accessed = m.accessed.split("-").map(Number);
  const withAccess = Object.assign({}, item, { accessed: { "date-parts": [accessed] } });
  return {
    slug: m.slug,
    gbt7714: render("china-national-standard-gb-t-7714-2015-numeric.csl", "zh-CN", withAccess).replace(/^\[1\]/, ""),
    chicago: render("chicago-notes-bibliography-17th-edition.csl", "en-US", item),
    ris: new Cite(fs.readFileSync(m.ris, "utf8"), { forceType: "@ris/file" }).data[0],
    bibtex: new Cite(fs.readFileSync(m.bib, "utf8"), { forceType: "@biblatex/text" }).data[0],
  };
});
process.stdout.write(JSON.stringify(out));
