//! Search stage: an exact full-text index of the archive for the browser,
//! as static files under `search/`. Owns what is searchable (`text`; its
//! normal form, shared with the client, is `script::fold`), the index — per gram
//! the documents that hold it and per bigram where (`grams`, `packs`,
//! `codec`), with the small files beside it (`publish`) — and the query the
//! client runs (`query`). Between builds, `runs` keeps phase one's runs and
//! `lists` what phase two knew of each bucket, so that an edit reads only
//! the texts and joins only the buckets it changed. The search page itself
//! is `render`'s.

mod codec;
mod concordance;
mod grams;
mod lists;
mod packs;
mod publish;
mod query;
mod runs;
mod text;

use crate::error::Result;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, OnceLock};

use rayon::prelude::*;
use xxhash_rust::xxh3::Xxh3;

pub use codec::{pack, slot_of, unpack, Gram};
pub use concordance::{concordance, Line, Order};
pub use publish::{RECORDS_PER_FILE, VERSION};
pub use query::{
    phrases, query, search, terms, trend, Filters, Hit, IndexFiles, OutputIndex, Trend, TrendYear, MAX_PHRASES,
};
pub use runs::RunStore;
pub use text::{body_segments, head_segments, Segment};

use crate::identity::Fingerprint;
use crate::index::{document_url, FacetKey, Index};
use crate::model::Archive;
use crate::sink::Sink;
use crate::words::{format_date, Words};
use grams::DOCS_PER_RUN;
use runs::Stored;

/// Facets the search page filters by, in its order.
pub const FACETS: [FacetKey; 6] =
    [FacetKey::Province, FacetKey::City, FacetKey::Year, FacetKey::Theme, FacetKey::Speaker, FacetKey::Kind];

/// Characters of text per bucket (a pair of packs) the bucket count aims
/// at: packs of a few hundred kilobytes, which a host that ignores byte
/// ranges sends whole.
const CHARS_PER_BUCKET: usize = 128 * 1024;

/// Most buckets.
const MAX_BUCKETS: usize = 1024;

/// What a result shows of a document.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchDoc {
    pub url: String,
    pub title: String,
    pub speakers: Vec<String>,
    pub place: String,
    pub date: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SearchFacet {
    pub key: &'static str,
    pub name: String,
    pub terms: Vec<SearchTerm>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SearchTerm {
    pub slug: String,
    pub name: String,
    pub docs: Vec<usize>,
}

/// The index, as the files it publishes.
#[derive(Debug, Clone)]
pub struct SearchIndex {
    pub docs: Vec<SearchDoc>,
    pub facets: Vec<SearchFacet>,
    /// Every file, by path under the output (`search/meta.json`, …), sorted.
    pub files: Vec<(String, Vec<u8>)>,
    /// Digest of the index's inputs ([`inputs`]); every file is written
    /// with it, so that a build whose inputs match can keep them all.
    pub fingerprint: Fingerprint,
}

/// What the index is made from: the documents as a result shows them,
/// and the facets.
pub struct SearchInputs<'a> {
    archive: &'a Archive,
    docs: Vec<SearchDoc>,
    facets: Vec<SearchFacet>,
    /// Per document, the digest of what is searchable in it.
    per_doc: Vec<u64>,
    pub fingerprint: Fingerprint,
}

/// Gathers the index's inputs and their digest: cheap (no text is
/// normalised), so a build can compare the digest with the last one and
/// keep the previous `search/` files ([`Sink::keep_all`]).
pub fn inputs<'a>(archive: &'a Archive, index: &Index, words: &Words) -> SearchInputs<'a> {
    let docs: Vec<SearchDoc> = archive
        .documents
        .par_iter()
        .map(|doc| SearchDoc {
            url: document_url(doc),
            title: doc.title.clone(),
            speakers: doc.speakers.clone(),
            place: crate::index::place_path(doc),
            date: format_date(&doc.date, words.language),
        })
        .collect();
    let facets: Vec<SearchFacet> = FACETS
        .iter()
        .map(|&key| SearchFacet {
            key: key.key(),
            name: words.facet(key),
            terms: index
                .facet(key)
                .terms
                .iter()
                .map(|t| SearchTerm {
                    slug: t.slug.clone(),
                    name: if key == FacetKey::Kind { words.get(&format!("kind_{}", t.name)) } else { t.name.clone() },
                    docs: t.docs.clone(),
                })
                .collect(),
        })
        .collect();
    let per_doc: Vec<u64> = archive
        .documents
        .par_iter()
        .zip(&docs)
        .map(|(doc, shown)| {
            let mut h = Xxh3::new();
            head_segments(doc).iter().for_each(|s| s.text.hash(&mut h));
            (doc.digest, &doc.body).hash(&mut h);
            (&shown.url, &shown.title, &shown.speakers, &shown.place, &shown.date).hash(&mut h);
            h.finish()
        })
        .collect();
    let fingerprint = publish::fingerprint(per_doc.iter().copied(), &facets, words.language);
    SearchInputs { archive, docs, facets, per_doc, fingerprint }
}

/// Phase one's output: every run of documents' blocks, text file and
/// prints, in the cache folder (or in memory). A run whose file does not
/// read back as its header says is indexed again, once, where it is read.
pub struct Runs<'a> {
    inputs: &'a SearchInputs<'a>,
    store: &'a RunStore,
    stored: Vec<Stored>,
    remade: Vec<OnceLock<Option<Stored>>>,
    buckets: usize,
}

impl SearchInputs<'_> {
    /// The bucket count: about [`CHARS_PER_BUCKET`] characters a bucket.
    fn buckets(&self) -> usize {
        // Bytes of Markdown ≈ 3 × characters.
        let chars: usize = self.archive.documents.iter().map(|d| d.body_len / 3).sum();
        (chars / CHARS_PER_BUCKET).clamp(1, MAX_BUCKETS).next_power_of_two()
    }

    /// Run `n`'s key: the digest of everything its blocks are made from.
    fn run_key(&self, n: usize, buckets: usize) -> u64 {
        let digests = self.per_doc.chunks(DOCS_PER_RUN).nth(n).unwrap_or_default();
        let mut h = Xxh3::new();
        (run_settings(buckets), n, digests).hash(&mut h);
        h.finish()
    }

    /// Indexes run `n`'s documents and keeps the run in `store`. A
    /// document the run's last file already held, made from the same
    /// inputs, is taken from it (text and prints) instead of being read
    /// and parsed again: an edit reads only the texts that changed.
    fn index_run(
        &self,
        n: usize,
        buckets: usize,
        store: &RunStore,
        indexers: &Mutex<Vec<grams::Indexer>>,
    ) -> Result<Stored> {
        let mut indexer: grams::Indexer = lock(indexers).pop().unwrap_or_default();
        // Emptied first: a run that failed halfway leaves its part.
        indexer.clear();
        let settings = run_settings(buckets);
        let first = n * DOCS_PER_RUN;
        let end = (first + DOCS_PER_RUN).min(self.archive.documents.len());
        let earlier = store.earlier(n, buckets).and_then(|s| Earlier::of(s, settings));
        for number in first..end {
            let doc = &self.archive.documents[number];
            let known = earlier.as_ref().and_then(|e| e.parts(self.per_doc[number]));
            if known.is_some_and(|(head, units, prints)| indexer.add_known(number as u32, doc, head, units, prints)) {
                continue;
            }
            let body = self.archive.body(number)?;
            indexer.add(number as u32, doc, &body);
        }
        let mut run = indexer.run(buckets);
        lock(indexers).push(indexer);
        run.digests = std::iter::once(settings)
            .chain(self.per_doc[first..end].iter().copied())
            .flat_map(u64::to_le_bytes)
            .collect();
        store.keep(n, self.run_key(n, buckets), run)
    }

    /// Phase one: every run of documents indexed in parallel, kept in
    /// `store`, or taken from it when the run is unchanged.
    pub fn runs<'a>(&'a self, store: &'a RunStore) -> Result<Runs<'a>> {
        let buckets = self.buckets();
        let count = self.archive.documents.len().div_ceil(DOCS_PER_RUN);
        // One indexer a thread, reused: rayon makes more jobs than threads.
        let indexers = Mutex::new(Vec::new());
        let stored: Vec<Stored> = (0..count)
            .into_par_iter()
            .map(|n| match store.reuse(n, self.run_key(n, buckets), buckets) {
                Some(stored) => Ok(stored),
                None => self.index_run(n, buckets, store, &indexers),
            })
            .collect::<Result<_>>()?;
        store.forget_from(stored.len());
        let remade = (0..stored.len()).map(|_| OnceLock::new()).collect();
        Ok(Runs { inputs: self, store, stored, remade, buckets })
    }

    /// Phase two: the runs' blocks joined per bucket of grams in parallel,
    /// and every file of the index written through `sink`, each recorded
    /// with the digest of what it is made from; a file whose inputs are
    /// those of the file the last build wrote is kept
    /// ([`Sink::keep`]) without its inputs being read. Returns how many
    /// files.
    pub fn write(&self, runs: Runs, sink: &dyn Sink) -> Result<usize> {
        let files = AtomicUsize::new(0);
        let put = |rel: String, fingerprint: Fingerprint, bytes: Vec<u8>| {
            files.fetch_add(1, Ordering::Relaxed);
            sink.write_page(&format!("search/{rel}"), fingerprint, &bytes)
        };
        let keep = |rel: String, fingerprint: Fingerprint| {
            let kept = sink.may_keep() && sink.keep(&format!("search/{rel}"), fingerprint);
            if kept {
                files.fetch_add(1, Ordering::Relaxed);
            }
            kept
        };
        let settings = run_settings(runs.buckets);
        let directories = packs::pack(&runs, settings, &put, &keep)?;
        (0..runs.stored.len()).into_par_iter().try_for_each(|n| {
            let fingerprint = file_fingerprint(settings, "t", &[runs.get(n).hash(runs.get(n).text_section())]);
            if keep(format!("t/{n}.bin"), fingerprint) {
                return Ok(());
            }
            put(format!("t/{n}.bin"), fingerprint, runs.read(n, |s| s.text())?.into_owned())
        })?;
        let buckets = runs.buckets;
        drop(runs);
        publish::small_files(&self.docs, &self.facets, buckets, directories)
            .into_par_iter()
            .try_for_each(|(rel, bytes)| put(rel, self.fingerprint, bytes))?;
        Ok(files.into_inner())
    }

    /// The index in memory, every file kept (tests and queries read it).
    /// Fails only when a body cannot be read again ([`Archive::body`]).
    pub fn build(self) -> Result<SearchIndex> {
        let files = publish::Files::default();
        let store = RunStore::in_memory();
        let runs = self.runs(&store)?;
        self.write(runs, &files)?;
        let SearchInputs { docs, facets, fingerprint, .. } = self;
        Ok(SearchIndex { docs, facets, files: files.sorted(), fingerprint })
    }
}

/// A run file the last build left, whose documents an edited run can take
/// unchanged: checked whole (text file, prints, digests), each document
/// found by the digest of its inputs.
struct Earlier {
    text: Vec<u8>,
    prints: Vec<u8>,
    /// Digest of a document's inputs → its place in the run.
    at: std::collections::HashMap<u64, usize>,
}

impl Earlier {
    /// The run `stored`, when it was made under `settings` and reads back whole.
    fn of(stored: Stored, settings: u64) -> Option<Earlier> {
        let digests = stored.digests().ok()?;
        let mut words = digests.chunks_exact(8).map(|w| u64::from_le_bytes(w.try_into().unwrap_or_default()));
        if words.next() != Some(settings) {
            return None;
        }
        let at = words.enumerate().map(|(k, digest)| (digest, k)).collect();
        let (text, prints) = (stored.text().ok()?.into_owned(), stored.prints().ok()?.into_owned());
        Some(Earlier { text, prints, at })
    }

    /// The text file's parts (head and anchors, text) and the prints of
    /// the document whose inputs are digested to `digest`, when the run
    /// held it.
    fn parts(&self, digest: u64) -> Option<(&[u8], &[u8], &[u8])> {
        let k = *self.at.get(&digest)?;
        let word = |bytes: &[u8], i: usize| {
            bytes.get(4 * i..4 * i + 4).map(|w| u32::from_le_bytes([w[0], w[1], w[2], w[3]]) as usize)
        };
        let (anchors, text, end) =
            (word(&self.text, 2 * k)?, word(&self.text, 2 * k + 1)?, word(&self.text, 2 * k + 2)?);
        let (from, to) = (word(&self.prints, 1 + k)?, word(&self.prints, 2 + k)?);
        if word(&self.prints, 0)? <= k || !(anchors <= text && text <= end && from <= to) {
            return None;
        }
        Some((self.text.get(anchors..text)?, self.text.get(text..end)?, self.prints.get(from..to)?))
    }
}

/// The digest of a file of the index made from sections digested to
/// `hashes` (and the settings the runs were made under).
pub(crate) fn file_fingerprint(settings: u64, kind: &str, hashes: &[u64]) -> Fingerprint {
    let mut h = Xxh3::new();
    (settings, kind, hashes).hash(&mut h);
    Fingerprint(h.finish())
}

impl Runs<'_> {
    /// How many runs.
    pub(crate) fn len(&self) -> usize {
        self.stored.len()
    }

    pub(crate) fn buckets(&self) -> usize {
        self.buckets
    }

    /// The folder the runs are kept in, where phase two keeps its own.
    pub(crate) fn cache_dir(&self) -> Option<&std::path::Path> {
        self.store.dir()
    }

    /// False when what the last build kept is not to be used (`--clean`).
    pub(crate) fn reuses_cache(&self) -> bool {
        self.store.reuses()
    }

    /// Run `n` as it stands: indexed again if its file was found damaged.
    pub(crate) fn get(&self, n: usize) -> &Stored {
        self.remade[n].get().and_then(Option::as_ref).unwrap_or(&self.stored[n])
    }

    /// What `read` reads of run `n`; when its file fails (damaged, cut
    /// short, unreadable), the run is indexed again, once, and read from
    /// that. The run's digests are the same: they are those of its inputs.
    pub(crate) fn read<'s, T>(&'s self, n: usize, mut read: impl FnMut(&'s Stored) -> Result<T>) -> Result<T> {
        match read(self.get(n)) {
            Ok(value) => Ok(value),
            Err(first) => {
                let remade = self.remade[n]
                    .get_or_init(|| self.inputs.index_run(n, self.buckets, self.store, &Mutex::new(Vec::new())).ok());
                match remade {
                    Some(stored) => read(stored),
                    None => Err(first),
                }
            }
        }
    }
}

/// The runs hold what the shared-passage finder reads: each document's
/// prints (the runs' last section) and its text (the text file).
impl crate::reuse::Prints for Runs<'_> {
    fn runs(&self) -> usize {
        self.stored.len()
    }

    fn docs_per_run(&self) -> usize {
        DOCS_PER_RUN
    }

    fn run(&self, n: usize, text: bool) -> Result<Vec<crate::reuse::DocPrint>> {
        self.read(n, |run| {
            let section = run.prints()?;
            let word =
                |i: usize| section.get(4 * i..4 * i + 4).map_or(0, |w| u32::from_le_bytes([w[0], w[1], w[2], w[3]]));
            (0..word(0) as usize)
                .map(|k| {
                    let bytes = section.get(word(1 + k) as usize..word(2 + k) as usize).unwrap_or_default();
                    crate::reuse::DocPrint::decode(bytes, text).ok_or_else(|| damaged(n))
                })
                .collect()
        })
    }

    fn doc(&self, doc: usize) -> Result<crate::reuse::DocPrint> {
        let (n, k) = (doc / DOCS_PER_RUN, doc % DOCS_PER_RUN);
        self.read(n, |run| {
            let at = run.prints_range(4 * (1 + k)..4 * (3 + k))?;
            let (from, to) = (u32_at(&at, 0) as usize, u32_at(&at, 4) as usize);
            crate::reuse::DocPrint::decode(&run.prints_range(from..to)?, true).ok_or_else(|| damaged(n))
        })
    }

    fn text(&self, doc: usize) -> Result<crate::markdown::segments::BodyText> {
        let (n, k) = (doc / DOCS_PER_RUN, doc % DOCS_PER_RUN);
        let (head, units) = self.read(n, |run| {
            let at = run.text_range(8 * k..8 * k + 12)?;
            let (anchors, text, end) = (u32_at(&at, 0) as usize, u32_at(&at, 4) as usize, u32_at(&at, 8) as usize);
            Ok((run.text_range(anchors..text)?, run.text_range(text..end)?))
        })?;
        let mut r = codec::Reader::new(&head);
        let _head_length = r.varint();
        let mut position = 0u32;
        let anchors = (0..r.varint())
            .map(|_| {
                position += r.varint() as u32;
                (position, r.varint() as u32)
            })
            .collect();
        let chars = units
            .chunks_exact(2)
            .map(|u| char::from_u32(u16::from_le_bytes([u[0], u[1]]) as u32).unwrap_or('\u{FFFD}'))
            .collect();
        Ok(crate::markdown::segments::BodyText { chars, anchors })
    }
}

fn u32_at(bytes: &[u8], i: usize) -> u32 {
    bytes.get(i..i + 4).map_or(0, |w| u32::from_le_bytes([w[0], w[1], w[2], w[3]]))
}

/// A run file that does not read back as written.
fn damaged(run: usize) -> crate::error::Error {
    crate::error::Error::io("read", format!("search run {run}"), std::io::Error::other("cut short or damaged"))
}

pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// What a run's blocks depend on besides its documents: this program (a
/// new one may index differently) and the bucket count.
fn run_settings(buckets: usize) -> u64 {
    let mut h = Xxh3::new();
    (VERSION, buckets, crate::identity::program()).hash(&mut h);
    h.finish()
}

/// Indexes every document of the archive.
pub fn build_search(archive: &Archive, index: &Index, words: &Words) -> Result<SearchIndex> {
    inputs(archive, index, words).build()
}

/// The grams a query term is found by: its unigram, its bigram, or (three
/// characters or more) bigrams at offsets 0, 2, 4, … and the last, which
/// cover every character — with their offsets.
pub fn grams_of_term(term: &[char]) -> Vec<(usize, Gram)> {
    match term.len() {
        0 => Vec::new(),
        1 => vec![(0, [term[0], '\0'])],
        n => {
            let mut offsets: Vec<usize> = (0..n - 1).step_by(2).collect();
            if offsets.last() != Some(&(n - 2)) {
                offsets.push(n - 2);
            }
            offsets.into_iter().map(|k| (k, [term[k], term[k + 1]])).collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_term_is_covered_by_bigrams_at_even_offsets_and_the_last() {
        let t = |s: &str| grams_of_term(&s.chars().collect::<Vec<_>>()).into_iter().map(|(k, _)| k).collect::<Vec<_>>();
        assert_eq!(t("扶"), [0]);
        assert_eq!(t("扶贫"), [0]);
        assert_eq!(t("易地搬"), [0, 1]);
        assert_eq!(t("易地搬迁"), [0, 2]);
        assert_eq!(t("两不愁三保障"), [0, 2, 4]);
        assert_eq!(t("两不愁三保障。"), [0, 2, 4, 5]);
    }

    /// A sink that keeps, like the output folder, the files of the build
    /// before whose inputs are the same.
    #[derive(Default)]
    struct Keeping {
        before: std::collections::BTreeMap<String, (Fingerprint, Vec<u8>)>,
        now: Mutex<std::collections::BTreeMap<String, (Fingerprint, Vec<u8>)>>,
        kept: AtomicUsize,
    }

    impl Sink for Keeping {
        fn write_page(&self, rel: &str, fingerprint: Fingerprint, bytes: &[u8]) -> Result<()> {
            lock(&self.now).insert(rel.to_string(), (fingerprint, bytes.to_vec()));
            Ok(())
        }

        fn may_keep(&self) -> bool {
            true
        }

        fn keep(&self, rel: &str, fingerprint: Fingerprint) -> bool {
            match self.before.get(rel).filter(|(f, _)| *f == fingerprint) {
                Some(file) => {
                    lock(&self.now).insert(rel.to_string(), file.clone());
                    self.kept.fetch_add(1, Ordering::Relaxed);
                    true
                }
                None => false,
            }
        }
    }

    /// 130 speeches (two runs) of a few thousand characters (several
    /// buckets); `edited` with a paragraph more.
    fn archive(edited: Option<usize>) -> Archive {
        let chars: Vec<char> = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严".chars().collect();
        let mut seed = 7u64;
        let mut next = || {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) as usize
        };
        let documents = (0..130)
            .map(|i| {
                let mut body = String::new();
                for _ in 0..12 {
                    body.extend((0..300).map(|_| chars[next() % chars.len()]));
                    body.push_str("。\n\n");
                }
                if edited == Some(i) {
                    body.push_str("新增一段文字，用于测试增量构建。\n");
                }
                let text = format!("---\ntitle: 讲话{i}\ndate: 2020-04-03\nspeaker: 李\ncity: 安康市\n---\n\n{body}");
                crate::load::parse_document(
                    std::path::Path::new(&format!("content/speeches/2020/s{i:03}.md")),
                    &text,
                    &[],
                )
                .unwrap()
            })
            .collect();
        Archive::new(documents, Vec::new())
    }

    /// The index of `archive` through `sink`, its runs kept in `dir`.
    fn build_into(archive: &Archive, dir: &std::path::Path, sink: &dyn Sink) {
        let table = std::collections::BTreeMap::new();
        let words = Words { language: "zh-CN", t: &table };
        let index = crate::index::build_index(archive);
        let search = inputs(archive, &index, &words);
        let store = RunStore::in_dir(dir.to_path_buf(), true);
        let runs = search.runs(&store).unwrap();
        assert!(runs.len() == 2 && runs.buckets() >= 4, "two runs, several buckets");
        search.write(runs, sink).unwrap();
    }

    type Files = std::collections::BTreeMap<String, (Fingerprint, Vec<u8>)>;

    /// The index of `archive` as a clean build makes it.
    fn reference(archive: &Archive) -> Vec<(String, Vec<u8>)> {
        let table = std::collections::BTreeMap::new();
        let words = Words { language: "zh-CN", t: &table };
        build_search(archive, &crate::index::build_index(archive), &words).unwrap().files
    }

    /// The index of `archive` built over the files `before` in a sink
    /// that keeps them, its runs kept in `dir`: the files, and how many kept.
    fn rebuild(archive: &Archive, dir: &std::path::Path, before: Files) -> (Files, usize) {
        let sink = Keeping { before, ..Default::default() };
        build_into(archive, dir, &sink);
        (sink.now.into_inner().unwrap(), sink.kept.into_inner())
    }

    fn bytes(files: &Files) -> Vec<(String, Vec<u8>)> {
        files.iter().map(|(rel, (_, bytes))| (rel.clone(), bytes.clone())).collect()
    }

    /// Flips a bit of the first byte of every section of a run file,
    /// leaving its header whole.
    fn damage_every_section(path: &std::path::Path) {
        let mut bytes = std::fs::read(path).unwrap();
        let word = |bytes: &[u8], i: usize| u64::from_le_bytes(bytes[i..i + 8].try_into().unwrap()) as usize;
        let sections = word(&bytes, 24);
        let data = 32 + 8 * (2 * sections + 1);
        for s in 0..sections {
            let (from, to) = (word(&bytes, 32 + 8 * s), word(&bytes, 40 + 8 * s));
            if to > from {
                bytes[data + from] ^= 4;
            }
        }
        std::fs::write(path, bytes).unwrap();
    }

    #[test]
    fn an_edit_keeps_the_files_it_does_not_change_and_never_trusts_a_damaged_cache() {
        let dir = tempfile::tempdir().unwrap();
        let (first, _) = rebuild(&archive(None), dir.path(), Files::new());
        assert_eq!(bytes(&first), reference(&archive(None)), "a first build is the index");

        // One speech of the second run edited, the first run's file
        // damaged in every section but its header: the files the edit
        // does not change are kept, the others read the damaged run,
        // which is indexed again.
        let run = dir.path().join("0.run");
        let good = std::fs::read(&run).unwrap();
        damage_every_section(&run);
        let (second, kept) = rebuild(&archive(Some(129)), dir.path(), first);
        assert_eq!(bytes(&second), reference(&archive(Some(129))), "the edit's index is a clean build's");
        assert!(kept > 0 && kept < second.len(), "some files kept, not all: {kept} of {}", second.len());
        assert!(std::fs::read(&run).unwrap() == good, "the damaged run was indexed again where it was read");

        // The file that says what each bucket holds, damaged: not used.
        let lists = dir.path().join("lists.bin");
        let mut damaged = std::fs::read(&lists).unwrap();
        let at = damaged.len() - 9;
        damaged[at] ^= 4;
        std::fs::write(&lists, damaged).unwrap();
        let (third, kept) = rebuild(&archive(Some(5)), dir.path(), second);
        assert_eq!(bytes(&third), reference(&archive(Some(5))));
        assert_eq!(kept, 0, "no bucket known: every file made again");

        // And with it whole again: an edit back keeps what it can.
        let (fourth, kept) = rebuild(&archive(None), dir.path(), third);
        assert_eq!(bytes(&fourth), reference(&archive(None)));
        assert!(kept > 0);
    }
}
