//! Scores `archive import` against a development set with hand-made ground
//! truth (`expected.json`, conventions in its README), for `benches/importer`.
//!
//! Each text is imported on its own, through the real binary, into an empty
//! archive; the content files it writes are read back (front matter with
//! serde_yaml_ng) and compared field by field with the truth by its
//! conventions. Also counted: lines that are not the speech (page chrome,
//! titles, datelines, junk named in `noise`) left in the bodies, and Han
//! characters of the speech (from `body_first` to `body_last`) missing from
//! them. Prints a Markdown report; `--json` writes the figures, `--before`
//! puts an earlier run's figures beside them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{json, Value};

/// The archive's own script module (what a Han character is), compiled in
/// from its source so that the scorer counts exactly what the importer
/// counts, without building the whole archive as a library.
#[allow(dead_code)]
#[path = "../../../src/script.rs"]
mod script;
use script::is_han;

const FIELDS: [&str; 13] = [
    "title",
    "speaker",
    "speaker_title",
    "date",
    "date_published",
    "province",
    "city",
    "county",
    "occasion",
    "kind",
    "transcribed",
    "placeholders",
    "traditional_title",
];

struct Options {
    archive: PathBuf,
    dev: PathBuf,
    before: Option<PathBuf>,
    json: Option<PathBuf>,
    verbose: bool,
}

fn main() {
    let options = parse_args();
    let expected: Value = match std::fs::read_to_string(options.dev.join("expected.json")) {
        Ok(text) => serde_json::from_str(&text).unwrap_or_else(|e| fail(&format!("expected.json: {e}"))),
        Err(e) => fail(&format!("{}: {e}", options.dev.join("expected.json").display())),
    };
    let files = expected["files"].as_array().unwrap_or_else(|| fail("expected.json has no `files` list"));
    let scratch = std::env::temp_dir().join(format!("importer-score-{}", std::process::id()));
    let mut score = Score::default();
    for truth in files {
        let name = truth["file"].as_str().unwrap_or_else(|| fail("an entry without `file`"));
        let raw = std::fs::read_to_string(options.dev.join(name)).unwrap_or_else(|e| fail(&format!("{name}: {e}")));
        let imported = import(&options.archive, &options.dev.join(name), &scratch.join(name));
        score.add(name, truth, &raw, &imported, options.verbose);
    }
    let _ = std::fs::remove_dir_all(&scratch);
    let figures = score.figures();
    let before = options.before.as_ref().map(|p| {
        let text = std::fs::read_to_string(p).unwrap_or_else(|e| fail(&format!("{}: {e}", p.display())));
        serde_json::from_str::<Value>(&text).unwrap_or_else(|e| fail(&format!("{}: {e}", p.display())))
    });
    print!("{}", render(&figures, before.as_ref()));
    if let Some(path) = &options.json {
        let text = serde_json::to_string_pretty(&figures).expect("figures serialise");
        std::fs::write(path, text + "\n").unwrap_or_else(|e| fail(&format!("{}: {e}", path.display())));
    }
}

fn parse_args() -> Options {
    let mut archive = None;
    let mut dev = None;
    let mut before = None;
    let mut json = None;
    let mut verbose = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().map(PathBuf::from).unwrap_or_else(|| fail(&format!("{arg} needs a value")));
        match arg.as_str() {
            "--archive" => archive = Some(value()),
            "--dev" => dev = Some(value()),
            "--before" => before = Some(value()),
            "--json" => json = Some(value()),
            "--verbose" | "-v" => verbose = true,
            _ => fail(&format!("unknown argument {arg}")),
        }
    }
    match (archive, dev) {
        (Some(archive), Some(dev)) => Options { archive, dev, before, json, verbose },
        _ => fail("usage: bench-importer-score --archive BIN --dev DIR [--before FILE] [--json FILE] [-v]"),
    }
}

fn fail(message: &str) -> ! {
    eprintln!("bench-importer-score: {message}");
    std::process::exit(2)
}

/// What one import wrote.
struct Imported {
    exit: Option<i32>,
    stderr: String,
    /// Front matter and body of each content file written, in path order.
    documents: Vec<(Value, String)>,
}

fn import(archive: &Path, raw: &Path, scratch: &Path) -> Imported {
    let _ = std::fs::remove_dir_all(scratch);
    let site = scratch.join("site");
    let out = scratch.join("out");
    std::fs::create_dir_all(&site).unwrap_or_else(|e| fail(&format!("{}: {e}", site.display())));
    let output = Command::new(archive)
        .args(["import", "-q", "--root"])
        .arg(&site)
        .arg("--out")
        .arg(&out)
        .arg(raw)
        .output()
        .unwrap_or_else(|e| fail(&format!("running {}: {e}", archive.display())));
    let mut paths = Vec::new();
    collect_markdown(&out, &mut paths);
    paths.sort();
    let documents = paths
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .filter_map(|text| {
            let rest = text.strip_prefix("---\n")?;
            let end = rest.find("\n---\n")?;
            let front: Value = serde_yaml_ng::from_str(&rest[..end]).ok()?;
            Some((front, rest[end + 5..].to_string()))
        })
        .collect();
    Imported { exit: output.status.code(), stderr: String::from_utf8_lossy(&output.stderr).into_owned(), documents }
}

fn collect_markdown(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_markdown(&path, out);
        } else if path.extension().is_some_and(|e| e == "md") {
            out.push(path);
        }
    }
}

fn han(text: &str) -> String {
    text.chars().filter(|c| is_han(*c)).collect()
}

/// The truth's normalisation of titles and names: simplified script,
/// whitespace removed, full-width ASCII forms as ASCII.
fn normalise(text: &str) -> String {
    let ascii: String = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .collect();
    fast2s::convert(&ascii)
}

/// An occasion is a description: parenthesised glosses the annotator added
/// (`全区扶贫攻坚动员大会(乌达区)`) and those printed in a meeting's name
/// (`领导小组(扩大)会议`) are left out on both sides.
fn normalise_occasion(text: &str) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    for c in normalise(text).chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// A place's name with or without its ethnic designation is the same
/// unit: `维西傈僳族自治县` and `维西县`, `迪庆藏族自治州` and `迪庆州`.
fn normalise_place(text: &str) -> String {
    const PEOPLES: &str = "蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 拉祜 水 东乡 纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 乌孜别克 俄罗斯 鄂温克 德昂 保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺";
    let name = normalise(text);
    for suffix in ["自治州", "自治县", "自治旗"] {
        let Some(mut stem) = name.strip_suffix(suffix) else { continue };
        let mut stripped = false;
        loop {
            let before = stem;
            stem = stem.strip_suffix("各族").unwrap_or(stem);
            if let Some(s) = stem.strip_suffix('族') {
                if let Some(p) = PEOPLES.split(' ').filter(|p| s.ends_with(p)).max_by_key(|p| p.len()) {
                    stem = &s[..s.len() - p.len()];
                }
            }
            stripped |= stem != before;
            if stem == before {
                break;
            }
        }
        if stripped {
            return format!("{stem}{}", suffix.chars().last().unwrap_or('县'));
        }
    }
    name
}

const MUNICIPALITIES: [&str; 4] = ["北京市", "天津市", "上海市", "重庆市"];

/// One field's value as the truth states it, normalised; `None` when empty.
fn truth_value(truth: &Value, field: &str) -> Option<String> {
    let text = |v: &Value| v.as_str().map(str::to_string);
    match field {
        "title" => text(&truth["title"]).map(|t| normalise(&t)),
        "speaker" => names(&truth["speaker"]),
        "speaker_title" => text(&truth["speaker_title"]).map(|t| normalise(&t)),
        "date" => text(&truth["date"]),
        "date_published" => text(&truth["date_published"]),
        "province" | "city" | "county" => text(&truth[field]).map(|t| normalise_place(&t)),
        "occasion" => text(&truth["occasion"]).map(|t| normalise_occasion(&t)),
        "kind" => text(&truth["kind"]),
        "transcribed" | "placeholders" => truth[field].as_bool().filter(|b| *b).map(|b| b.to_string()),
        // A traditional text's title is written in simplified characters
        // (the body keeps the printed script): checked where a title exists.
        "traditional_title" => None,
        _ => unreachable!(),
    }
}

fn names(value: &Value) -> Option<String> {
    let list: Vec<String> = match value {
        Value::String(s) => vec![normalise(s)],
        Value::Array(items) => items.iter().filter_map(Value::as_str).map(normalise).collect(),
        _ => Vec::new(),
    };
    (!list.is_empty()).then(|| list.join("、"))
}

/// The same field as the importer wrote it, mapped to the truth's terms.
fn imported_value(front: &Value, field: &str) -> Option<String> {
    let text = |v: &Value| match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    let yaml = serde_json::to_value(front).unwrap_or(Value::Null);
    let province = text(&yaml["province"]);
    match field {
        "title" => text(&yaml["title"]).map(|t| normalise(&t)),
        "speaker" => names(&yaml["speaker"]),
        "speaker_title" => text(&yaml["speaker_title"]).map(|t| normalise(&t)),
        "date" => text(&yaml["date"]),
        "date_published" => text(&yaml["source"]["date"]),
        "province" | "county" => text(&yaml[field]).map(|t| normalise_place(&t)),
        // The content model writes a provincial speech's province, or 全国,
        // as its `city`; the truth leaves city empty then (a municipality is
        // both).
        "city" => text(&yaml["city"])
            .filter(|c| {
                let provincial = Some(c) == province.as_ref() && !MUNICIPALITIES.contains(&c.as_str());
                !provincial && c != "全国"
            })
            .map(|c| normalise_place(&c)),
        "occasion" => text(&yaml["occasion"]).map(|t| normalise_occasion(&t)),
        "kind" => Some(text(&yaml["kind"]).unwrap_or_else(|| "speech".into())),
        "transcribed" | "placeholders" => yaml[field].as_bool().filter(|b| *b).map(|b| b.to_string()),
        "traditional_title" => None,
        _ => unreachable!(),
    }
}

#[derive(Default)]
struct FieldScore {
    /// Files whose value equals the truth (both empty included).
    right: usize,
    /// Non-empty truth values, and those found exactly.
    filled: usize,
    found: usize,
    /// Set where the truth is empty.
    invented: usize,
    /// Set, and different from a non-empty truth.
    wrong: usize,
}

#[derive(Default)]
struct Score {
    files: usize,
    failed: Vec<String>,
    split: Vec<String>,
    fields: BTreeMap<&'static str, FieldScore>,
    junk: usize,
    junk_left: usize,
    speech_han: usize,
    han_lost: usize,
    kinds: BTreeMap<String, (usize, usize)>,
}

impl Score {
    fn add(&mut self, name: &str, truth: &Value, raw: &str, imported: &Imported, verbose: bool) {
        self.files += 1;
        if imported.documents.is_empty() {
            self.failed.push(format!("{name}: exit {:?}: {}", imported.exit, imported.stderr.trim()));
        }
        if imported.documents.len() > 1 {
            self.split.push(format!("{name}: {} documents", imported.documents.len()));
        }
        // The document holding most of the text is the one scored.
        let main = imported.documents.iter().max_by_key(|(_, body)| han(body).chars().count());
        let traditional = truth["traditional_script"].as_bool().unwrap_or(false);
        for field in FIELDS {
            let want = truth_value(truth, field);
            let got = main.and_then(|(front, _)| imported_value(front, field));
            let s = self.fields.entry(field).or_default();
            if field == "traditional_title" {
                // Checked on every traditional text that has a title.
                if let (true, Some(title)) = (traditional, main.and_then(|(f, _)| f["title"].as_str())) {
                    s.filled += 1;
                    let simplified = fast2s::convert(title) == title;
                    s.found += usize::from(simplified);
                    s.right += usize::from(simplified);
                }
                continue;
            }
            s.right += usize::from(want == got);
            if want.is_some() {
                s.filled += 1;
                s.found += usize::from(want == got);
                s.wrong += usize::from(got.is_some() && want != got);
            } else if got.is_some() {
                s.invented += 1;
            }
            if verbose && want != got {
                eprintln!("{name}: {field}: truth {want:?}, imported {got:?}");
            }
        }
        let kind = truth["kind"].as_str().unwrap_or("?").to_string();
        let entry = self.kinds.entry(kind.clone()).or_default();
        entry.0 += 1;
        entry.1 += usize::from(main.and_then(|(f, _)| imported_value(f, "kind")) == Some(kind));
        let bodies: String = imported.documents.iter().map(|(_, b)| b.as_str()).collect::<Vec<_>>().join("\n\n");
        let body = Body::new(&bodies);
        let span = SpeechSpan::find(raw, truth);
        let (outside, inside) = junk_pieces(raw, truth, span.as_ref());
        let speech: String = span.as_ref().map(|s| s.speech_han(raw, &inside).into_iter().collect()).unwrap_or_default();
        let junk: Vec<&String> = outside.iter().chain(&inside).collect();
        for piece in junk {
            let left = body.contains(piece, &speech);
            self.junk += 1;
            self.junk_left += usize::from(left);
            if verbose && left {
                eprintln!("{name}: junk left in the body: {piece:?}");
            }
        }
        match span {
            Some(span) => {
                let speech = span.speech_han(raw, &inside);
                let kept = lcs(&speech, &han(&bodies).chars().collect::<Vec<_>>());
                self.speech_han += speech.len();
                self.han_lost += speech.len() - kept;
                if verbose && kept < speech.len() {
                    eprintln!("{name}: {} Han characters of the speech lost", speech.len() - kept);
                }
            }
            None => eprintln!("{name}: body_first/body_last not found in the text; Han loss not counted"),
        }
    }

    fn figures(&self) -> Value {
        let mut fields = serde_json::Map::new();
        let (mut filled, mut found, mut invented, mut wrong) = (0, 0, 0, 0);
        for field in FIELDS {
            let s = &self.fields[field];
            fields.insert(
                field.to_string(),
                json!({"right": s.right, "filled": s.filled, "found": s.found, "invented": s.invented, "wrong": s.wrong}),
            );
            if field != "traditional_title" {
                filled += s.filled;
                found += s.found;
                invented += s.invented;
                wrong += s.wrong;
            }
        }
        json!({
            "files": self.files,
            "failed": self.failed,
            "split": self.split,
            "fields": fields,
            "filled": filled,
            "found": found,
            "invented": invented,
            "wrong": wrong,
            "junk": self.junk,
            "junk_left": self.junk_left,
            "speech_han": self.speech_han,
            "han_lost": self.han_lost,
            "kinds": self.kinds.iter().map(|(k, (n, r))| (k.clone(), json!({"files": n, "right": r}))).collect::<serde_json::Map<_, _>>(),
        })
    }
}

/// The imported bodies, unescaped, as paragraphs and as one string.
struct Body {
    paragraphs: Vec<String>,
    squeezed: String,
    han: String,
}

impl Body {
    fn new(markdown: &str) -> Body {
        let squeeze = |t: &str| -> String { t.chars().filter(|c| !c.is_whitespace() && *c != '\\').collect() };
        let paragraphs: Vec<String> =
            markdown.split("\n\n").map(|p| squeeze(p.trim_start_matches('#'))).filter(|p| !p.is_empty()).collect();
        Body { squeezed: paragraphs.concat(), han: han(markdown), paragraphs }
    }

    /// Whether a piece of text that is not the speech is in the body (more
    /// often than the speech itself says it: a headline may repeat a
    /// sentence): a short piece only when it stands as a paragraph of its own.
    fn contains(&self, piece: &str, speech: &str) -> bool {
        let squeezed: String = piece.chars().filter(|c| !c.is_whitespace() && *c != '\\').collect();
        let piece_han = han(piece);
        let n = piece_han.chars().count();
        if n >= 4 {
            return self.han.matches(&piece_han).count() > speech.matches(&piece_han).count();
        }
        if n >= 2 {
            return self.paragraphs.iter().any(|p| han(p) == piece_han);
        }
        if squeezed.chars().count() >= 4 {
            return self.squeezed.contains(&squeezed);
        }
        self.paragraphs.contains(&squeezed)
    }
}

/// Where the body proper lies in the raw text, in bytes.
struct SpeechSpan {
    start: usize,
    end: usize,
}

impl SpeechSpan {
    fn find(raw: &str, truth: &Value) -> Option<SpeechSpan> {
        let first: Vec<char> = truth["body_first"].as_str()?.chars().collect();
        let last: Vec<char> = truth["body_last"].as_str()?.chars().collect();
        let offsets: Vec<(usize, char)> = raw.char_indices().filter(|(_, c)| is_han(*c)).collect();
        let chars: Vec<char> = offsets.iter().map(|(_, c)| *c).collect();
        let at = |needle: &[char], from: usize| (from..chars.len()).find(|&i| chars[i..].starts_with(needle));
        let s = at(&first, 0)?;
        let mut e = None;
        let mut from = s;
        while let Some(i) = at(&last, from) {
            e = Some(i);
            from = i + 1;
        }
        let e = e? + last.len() - 1;
        let (end_offset, end_char) = offsets[e];
        // Digits before the first Han character (`2017年…`) and closing
        // punctuation after the last are the body's too.
        let start = raw[..offsets[s].0].trim_end_matches(|c: char| c.is_ascii_digit()).len();
        let end = end_offset + end_char.len_utf8();
        let closing = |c: char| c.is_ascii_digit() || "。！？!?”’」』…".contains(c);
        let end = end + raw[end..].chars().take_while(|c| closing(*c)).map(char::len_utf8).sum::<usize>();
        Some(SpeechSpan { start, end })
    }

    /// The speech's Han characters: the span's, less those of junk in it.
    fn speech_han(&self, raw: &str, junk: &[String]) -> Vec<char> {
        let text = &raw[self.start..self.end];
        let mut masked = vec![false; text.len()];
        for piece in junk {
            for (i, _) in text.match_indices(piece.as_str()) {
                masked[i..i + piece.len()].iter_mut().for_each(|m| *m = true);
            }
        }
        text.char_indices().filter(|(i, c)| is_han(*c) && !masked[*i]).map(|(_, c)| c).collect()
    }
}

/// Pieces of the raw text that are not the speech: every line, or part of
/// a line, before and after the body proper (chrome, titles, datelines,
/// bylines, footers), lines inside it that hold Latin junk and no Han, and
/// the quoted examples of junk the truth's `noise` names inside it.
fn junk_pieces(raw: &str, truth: &Value, span: Option<&SpeechSpan>) -> (Vec<String>, Vec<String>) {
    let mut pieces = Vec::new();
    let mut inside_pieces = Vec::new();
    let Some(span) = span else { return (pieces, inside_pieces) };
    let mut offset = 0;
    for line in raw.split('\n') {
        let (start, end) = (offset, offset + line.len());
        offset = end + 1;
        let outside = if end <= span.start || start >= span.end {
            line.to_string()
        } else {
            let before = &raw[start..span.start.max(start)];
            let after = &raw[span.end.min(end)..end];
            let inside = &raw[span.start.max(start)..span.end.min(end)];
            let latin_junk =
                !inside.chars().any(is_han) && inside.chars().filter(char::is_ascii_alphabetic).count() >= 2;
            if latin_junk {
                inside_pieces.push(inside.trim().to_string());
            }
            format!("{before}\n{after}")
        };
        pieces.extend(outside.split('\n').map(str::trim).filter(|p| !p.is_empty()).map(str::to_string));
    }
    let inside = &raw[span.start..span.end];
    for entry in truth["noise"].as_array().into_iter().flatten().filter_map(Value::as_str) {
        if !is_junk_note(entry) {
            continue;
        }
        for example in quoted_outside_parentheses(entry) {
            // Inside the speech, an example counts where it is junk: a line
            // of its own, a run with non-Han junk, or a long phrase (a short
            // label such as 重要讲话 is also said in sentences).
            let own_line = inside.lines().any(|l| l.trim() == example.trim());
            let long = han(&example).chars().count() >= 6 || han(&example).chars().count() < example.trim().chars().count();
            if !example.trim().is_empty() && inside.contains(&example) && (own_line || long) {
                inside_pieces.push(example);
            }
        }
    }
    (pieces, inside_pieces)
}

/// A `noise` note about junk (not about layout, glosses or punctuation).
fn is_junk_note(note: &str) -> bool {
    const JUNK: [&str; 30] = [
        "caption",
        "breadcrumb",
        "chrome",
        "banner",
        "SEO",
        "spam",
        "小编",
        "footer",
        "navigation",
        "social",
        "share widget",
        "HTML",
        "anti-scraping",
        "page marker",
        "section label",
        "byline",
        "host credit",
        "column label",
        "site name",
        "site label",
        "timestamp",
        "date line",
        "date/source line",
        "meta line",
        "kicker",
        "subheadline",
        "原标题",
        "teaser",
        "numeric ID",
        "broken tag",
    ];
    JUNK.iter().any(|k| note.contains(k))
}

/// `"…"` examples in a note, except those inside `( … )`, which quote the
/// speech around the junk (`"-2-" in a sentence ("最-2-艰巨")`).
fn quoted_outside_parentheses(note: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut current: Option<String> = None;
    for c in note.chars() {
        match (&mut current, c) {
            (Some(q), '"') => {
                if depth == 0 {
                    out.push(std::mem::take(q));
                }
                current = None;
            }
            (Some(q), c) => q.push(c),
            (None, '"') => current = Some(String::new()),
            (None, '(') => depth += 1,
            (None, ')') => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    out
}

/// Length of the longest common subsequence.
fn lcs(a: &[char], b: &[char]) -> usize {
    let mut row = vec![0usize; b.len() + 1];
    for x in a {
        let mut diagonal = 0;
        for (j, y) in b.iter().enumerate() {
            let up = row[j + 1];
            row[j + 1] = if x == y { diagonal + 1 } else { up.max(row[j]) };
            diagonal = up;
        }
    }
    row[b.len()]
}

fn percent(a: u64, b: u64) -> String {
    if b == 0 {
        "–".into()
    } else {
        format!("{:.1} %", 100.0 * a as f64 / b as f64)
    }
}

fn render(now: &Value, before: Option<&Value>) -> String {
    let n = |v: &Value, k: &str| v[k].as_u64().unwrap_or(0);
    let mut out = String::new();
    let files = n(now, "files");
    out.push_str(&format!("{files} texts imported one by one into an empty archive.\n\n"));
    let cell = |v: &Value, field: &str| {
        let f = &v["fields"][field];
        format!(
            "{}/{} · {}/{} · {} · {}",
            n(f, "right"),
            if field == "traditional_title" { n(f, "filled") } else { files },
            n(f, "found"),
            n(f, "filled"),
            n(f, "invented"),
            n(f, "wrong")
        )
    };
    match before {
        Some(b) => {
            out.push_str("| field | before: right · found/non-empty · invented · wrong | now |\n|---|---|---|\n");
            for field in FIELDS {
                out.push_str(&format!("| {field} | {} | {} |\n", cell(b, field), cell(now, field)));
            }
        }
        None => {
            out.push_str("| field | right · found/non-empty · invented · wrong |\n|---|---|\n");
            for field in FIELDS {
                out.push_str(&format!("| {field} | {} |\n", cell(now, field)));
            }
        }
    }
    let summary = |v: &Value| {
        vec![
            format!("{} ({}/{})", percent(n(v, "found"), n(v, "filled")), n(v, "found"), n(v, "filled")),
            n(v, "invented").to_string(),
            n(v, "wrong").to_string(),
            format!(
                "{} ({} of {} left)",
                percent(n(v, "junk") - n(v, "junk_left"), n(v, "junk")),
                n(v, "junk_left"),
                n(v, "junk")
            ),
            format!("{} of {}", n(v, "han_lost"), n(v, "speech_han")),
            v["kinds"]
                .as_object()
                .map(|k| {
                    k.iter()
                        .map(|(kind, s)| format!("{kind} {}/{}", n(s, "right"), n(s, "files")))
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_default(),
            v["failed"].as_array().map_or(0, Vec::len).to_string(),
            v["split"].as_array().map_or(0, Vec::len).to_string(),
        ]
    };
    let labels = [
        "non-empty truth values found exactly",
        "values invented (set where the truth is empty)",
        "values wrong (differ from a non-empty truth)",
        "junk lines removed",
        "Han characters of the speech lost",
        "kind right, by kind",
        "texts not imported",
        "texts split into several documents",
    ];
    out.push('\n');
    let now_summary = summary(now);
    match before {
        Some(b) => {
            out.push_str("| | before | now |\n|---|---|---|\n");
            for ((label, a), b) in labels.iter().zip(&now_summary).zip(summary(b)) {
                out.push_str(&format!("| {label} | {b} | {a} |\n"));
            }
        }
        None => {
            out.push_str("| | |\n|---|---|\n");
            for (label, a) in labels.iter().zip(&now_summary) {
                out.push_str(&format!("| {label} | {a} |\n"));
            }
        }
    }
    for (key, label) in [("failed", "not imported"), ("split", "split")] {
        for line in now[key].as_array().into_iter().flatten().filter_map(Value::as_str) {
            out.push_str(&format!("\n- {label}: {line}"));
        }
    }
    out.push('\n');
    out
}
