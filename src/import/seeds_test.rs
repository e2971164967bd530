//! Imports the five raw seeds (`content/raw/`) in memory and holds the
//! result against the hand-curated `content/speeches`: no Han character
//! lost or reordered, per-field agreement, nothing invented.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use super::archive::KnownDocuments;
use super::clean::han_chars;
use super::draft::{import_file, link, ImportedFile};
use super::similar::{jaccard, shingles};
use crate::model::Document;

const SEEDS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/content/raw");
const FIELDS: [&str; 18] = [
    "title",
    "date",
    "speaker",
    "speaker_title",
    "city",
    "province",
    "county",
    "occasion",
    "kind",
    "transcribed",
    "placeholders",
    "variant_of",
    "source.title",
    "source.kind",
    "source.issue",
    "source.publisher",
    "source.raw",
    "source.raw_sha256",
];

/// The agreement the importer reaches on the seeds today (see the table the
/// test prints); a change that lowers it fails. 244/272: one document less
/// than before issue #17 — huang-yuguo's county (孟津县, printed once by its
/// short name) now loses to 南召县, which the speech names in full.
const MIN_AGREEMENT: f64 = 0.895;

fn seed_paths() -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = match std::fs::read_dir(SEEDS) {
        Ok(dir) => {
            dir.filter_map(Result::ok).map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "txt")).collect()
        }
        Err(_) => Vec::new(),
    };
    paths.sort();
    assert!(!paths.is_empty(), "no raw seeds at {SEEDS}");
    paths
}

fn import_seeds() -> Vec<(PathBuf, Vec<u8>, ImportedFile)> {
    let mut known = KnownDocuments::default();
    seed_paths()
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            let mut file = import_file(&name, &bytes).unwrap_or_else(|e| panic!("{name}: {e:?}"));
            for d in &mut file.drafts {
                link(d, &mut known);
            }
            (p, bytes, file)
        })
        .collect()
}

fn curated() -> Vec<Document> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut docs = Vec::new();
    for e in walkdir::WalkDir::new(root.join("content/speeches")).into_iter().filter_map(Result::ok) {
        if e.path().extension().is_some_and(|x| x == "md") {
            let text = std::fs::read_to_string(e.path()).unwrap();
            let rel = e.path().strip_prefix(root).unwrap();
            docs.push(crate::load::parse_document(rel, &text, &[]).unwrap());
        }
    }
    docs
}

fn is_subsequence(needle: &[char], hay: &[char]) -> bool {
    let mut it = hay.iter();
    needle.iter().all(|c| it.any(|h| h == c))
}

#[test]
fn every_han_character_of_every_seed_is_kept_in_order_or_reported_removed() {
    for (path, bytes, file) in import_seeds() {
        let text = String::from_utf8(bytes).unwrap();
        let seed: Vec<char> = han_chars(&text).collect();
        let bodies: Vec<char> = file.drafts.iter().flat_map(|d| han_chars(&d.body).collect::<Vec<_>>()).collect();
        let removed: usize = file.removed.iter().map(|r| han_chars(&r.text).count()).sum();
        assert!(is_subsequence(&bodies, &seed), "{}: body characters are out of order", path.display());
        assert_eq!(bodies.len() + removed, seed.len(), "{}: Han characters unaccounted for", path.display());
    }
}

/// For each curated document, the imported draft whose body is most like it.
fn match_documents<'a>(
    imported: &'a [(PathBuf, Vec<u8>, ImportedFile)],
    curated: &'a [Document],
) -> Vec<(&'a Document, Option<&'a super::draft::Draft>)> {
    let mut pairs = Vec::new();
    for (ci, c) in curated.iter().enumerate() {
        let raw = c.source.as_ref().and_then(|s| s.raw.clone()).unwrap_or_default();
        let cs = shingles(c.body.text().unwrap());
        for (_, _, f) in imported.iter().filter(|(_, _, f)| f.name == raw) {
            for (di, d) in f.drafts.iter().enumerate() {
                pairs.push((jaccard(&cs, &shingles(&d.body)), ci, (f.name.clone(), di)));
            }
        }
    }
    pairs.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut taken_c = HashSet::new();
    let mut taken_d = HashSet::new();
    let mut matched: BTreeMap<usize, (String, usize)> = BTreeMap::new();
    for (score, ci, d) in pairs {
        if score >= 0.2 && !taken_c.contains(&ci) && !taken_d.contains(&d) {
            taken_c.insert(ci);
            taken_d.insert(d.clone());
            matched.insert(ci, d);
        }
    }
    curated
        .iter()
        .enumerate()
        .map(|(ci, c)| {
            let draft = matched
                .get(&ci)
                .map(|(name, di)| &imported.iter().find(|(_, _, f)| &f.name == name).unwrap().2.drafts[*di]);
            (c, draft)
        })
        .collect()
}

fn curated_value(c: &Document, field: &str) -> Option<String> {
    let s = c.source.clone().unwrap_or_default();
    match field {
        "title" => Some(c.title.clone()),
        "date" => Some(c.date.to_string()),
        "speaker" => (!c.speakers.is_empty()).then(|| c.speakers.join("、")),
        "speaker_title" => c.speaker_title.clone(),
        "city" => Some(c.city.clone()),
        "province" => c.province.clone(),
        "county" => c.county.clone(),
        "occasion" => c.occasion.clone(),
        "kind" => Some(c.kind.key().to_string()),
        "transcribed" => Some(c.transcribed.to_string()),
        "placeholders" => Some(c.placeholders.to_string()),
        "variant_of" => c.variant_of.clone(),
        "source.title" => s.title,
        "source.kind" => s.kind.map(|k| k.key().to_string()),
        "source.issue" => s.issue,
        "source.publisher" => s.publisher,
        "source.raw" => s.raw,
        "source.raw_sha256" => s.raw_sha256,
        _ => unreachable!(),
    }
}

fn draft_value(d: &super::draft::Draft, field: &str) -> Option<String> {
    let m = &d.meta;
    match field {
        "title" => m.title.clone(),
        "date" => m.date.map(|d| d.to_string()),
        "speaker" => m.speaker.clone(),
        "speaker_title" => m.speaker_title.clone(),
        "city" => m.city.clone(),
        "province" => m.province.clone(),
        "county" => m.county.clone(),
        "occasion" => m.occasion.clone(),
        "kind" => Some(m.kind.unwrap_or(crate::model::Kind::Speech).key().to_string()),
        "transcribed" => Some(m.transcribed.to_string()),
        "placeholders" => Some(m.placeholders.to_string()),
        "variant_of" => m.variant_of.clone(),
        "source.title" => m.source.title.clone(),
        "source.kind" => m.source.kind.map(|k| k.key().to_string()),
        "source.issue" => m.source.issue.clone(),
        "source.publisher" => m.source.publisher.clone(),
        "source.raw" => m.source.raw.clone(),
        "source.raw_sha256" => m.source.raw_sha256.clone(),
        _ => unreachable!(),
    }
}

#[test]
fn per_field_agreement_with_the_curated_archive() {
    let imported = import_seeds();
    let curated = curated();
    let matches = match_documents(&imported, &curated);
    // The importer names its own slugs; a variant_of agrees when it names
    // the draft matched to the curated original.
    let slug_of_curated: BTreeMap<String, String> =
        matches.iter().filter_map(|(c, d)| d.map(|d| (d.slug.clone(), c.slug.clone()))).collect();
    let mut agree: BTreeMap<&str, usize> = BTreeMap::new();
    let mut misses = Vec::new();
    let (mut filled, mut filled_agree, mut wrong) = (0, 0, 0);
    for (c, d) in &matches {
        for field in FIELDS {
            let want = curated_value(c, field);
            let got = d.and_then(|d| draft_value(d, field)).map(|v| {
                if field == "variant_of" {
                    slug_of_curated.get(&v).cloned().unwrap_or(v)
                } else {
                    v
                }
            });
            let set_by_curator = want.as_deref().is_some_and(|w| w != "false");
            filled += usize::from(set_by_curator);
            filled_agree += usize::from(set_by_curator && want == got);
            wrong += usize::from(got.as_deref().is_some_and(|g| g != "false") && want.is_some() && want != got);
            if want == got {
                *agree.entry(field).or_default() += 1;
            } else {
                misses.push(format!("{}: {field}: curated {want:?}, imported {got:?}", c.slug));
            }
        }
    }
    let n = matches.len();
    println!("{:<18} agreement (of {n} curated documents)", "field");
    for field in FIELDS {
        let a = agree.get(field).copied().unwrap_or(0);
        println!("{field:<18} {a:>3}/{n}  {:>5.1}%", 100.0 * a as f64 / n as f64);
    }
    let total: usize = agree.values().sum();
    let overall = total as f64 / (n * FIELDS.len()) as f64;
    println!("overall {total}/{}  {:.1}%", n * FIELDS.len(), 100.0 * overall);
    println!("of the values the curator set: {filled_agree}/{filled} imported the same");
    println!("imported values that differ from a curated value: {wrong}");
    for m in &misses {
        println!("  differs: {m}");
    }
    assert!(overall >= MIN_AGREEMENT, "agreement {overall:.3} fell below {MIN_AGREEMENT}");
}

#[test]
fn what_a_reprint_takes_from_its_original_is_marked_supplied() {
    let imported = import_seeds();
    let curated = curated();
    let repost = "he-bangjun-2020-zhucun-ganbu-peixun-jiuli-repost";
    let matches = match_documents(&imported, &curated);
    let (c, d) = matches.iter().find(|(c, _)| c.slug == repost).expect("the repost is curated");
    let d = d.expect("the repost is imported");
    assert!(d.meta.variant_of.is_some(), "found as a reprint");
    let mut supplied = d.meta.supplied.clone();
    supplied.sort_unstable();
    let mut want: Vec<&str> = c.curation.supplied.iter().map(String::as_str).collect();
    want.sort_unstable();
    assert_eq!(supplied, want, "the curator's `supplied`");
    // A text that prints its own values supplies none.
    let original = matches.iter().find(|(c, _)| c.slug == "he-bangjun-2020-zhucun-ganbu-peixun").unwrap().1.unwrap();
    assert!(original.meta.supplied.is_empty(), "{:?}", original.meta.supplied);
}

#[test]
fn nothing_is_invented() {
    let imported = import_seeds();
    let squeeze = |t: &str| -> String {
        super::clean::normalize_punctuation(&t.chars().filter(|c| !c.is_whitespace()).collect::<String>())
    };
    let all_text: String = imported.iter().map(|(_, b, _)| squeeze(&String::from_utf8_lossy(b))).collect();
    for (path, bytes, file) in &imported {
        let own = squeeze(&String::from_utf8_lossy(bytes));
        for d in &file.drafts {
            let inherited = |f: &str| d.meta.found.iter().any(|(g, _, how)| *g == f && how.starts_with("inherited"));
            for field in FIELDS.iter().filter(|f| {
                !["kind", "transcribed", "placeholders", "variant_of", "source.kind", "source.raw", "source.raw_sha256"]
                    .contains(f)
            }) {
                let Some(value) = draft_value(d, field) else { continue };
                let text = if inherited(field) { &all_text } else { &own };
                let pieces: Vec<String> = match *field {
                    "date" => vec![value[..4].to_string()],
                    "source.title" => value.split(['《', '》']).filter(|p| !p.is_empty()).map(str::to_string).collect(),
                    "city" | "province" => vec![value.clone()],
                    _ => vec![value.clone()],
                };
                for piece in pieces {
                    let short =
                        crate::places::find(&piece).and_then(|p| p.short_name()).is_some_and(|s| text.contains(s));
                    let named =
                        text.contains(&piece) || (*field == "county" && short) || derived_place(&piece, d, text);
                    assert!(named, "{}: {field} `{piece}` is not in the text", path.display());
                }
            }
        }
    }
}

/// A city or province the place table derives from a place the text names
/// (a county of the city, or the city by its counties).
fn derived_place(value: &str, d: &super::draft::Draft, text: &str) -> bool {
    use crate::places::{self, Level};
    let short = |name: &str| places::find(name).and_then(|p| p.short_name()).is_some_and(|s| text.contains(s));
    let named = |name: &str| text.contains(name) || short(name);
    let county = d.meta.county.as_deref().filter(|c| named(c));
    let by_counties = |city: &str| {
        places::all().iter().any(|p| {
            p.level == Level::County
                && places::locate(p.name, Level::County).first().and_then(|l| l.city) == Some(city)
                && named(p.name)
        })
    };
    let city = d
        .meta
        .city
        .as_deref()
        .filter(|c| named(c) || short(c) || county.and_then(places::city_of_county).is_some() || by_counties(c));
    (Some(value) == d.meta.city.as_deref() && city.is_some())
        || (Some(value) == d.meta.province.as_deref() && city.and_then(places::province_of) == Some(value))
}

#[test]
fn every_imported_body_reads_in_order_in_its_curated_file() {
    let imported = import_seeds();
    let curated = curated();
    let mut failures = Vec::new();
    for (c, d) in match_documents(&imported, &curated) {
        let Some(d) = d else { continue };
        let want: Vec<char> = han_chars(c.body.text().unwrap()).collect();
        let got: Vec<char> = han_chars(&d.body).collect();
        if !is_subsequence(&got, &want) {
            let mut it = want.iter();
            let first = got.iter().position(|g| !it.any(|w| w == g)).unwrap_or(0);
            let context: String = got[first.saturating_sub(10)..(first + 30).min(got.len())].iter().collect();
            failures.push(format!("{}: imported text not in the curated body from `{context}`", c.slug));
        }
    }
    for f in &failures {
        println!("{f}");
    }
    // Two known misses, both at the seams of untitled fragments in the
    // compilation 003: the article 感悟习近平… has its title run into its
    // first sentence with nothing to cut at, and the fragment 一是扶贫攻坚任务重…
    // follows a meeting report with no header, no blank and no repeat.
    assert!(failures.len() <= 2, "{} bodies differ", failures.len());
}

#[test]
fn no_truncation_or_corruption_of_a_seed_panics() {
    for path in seed_paths() {
        let bytes = std::fs::read(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let step = (bytes.len() / 40).max(1);
        for cut in (0..bytes.len()).step_by(step) {
            let _ = import_file(&name, &bytes[..cut]);
            let mut flipped = bytes.clone();
            flipped[cut] ^= 0xA5;
            let _ = import_file(&name, &flipped);
        }
    }
}
