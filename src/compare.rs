//! A reprint beside its original: the two bodies diffed by character
//! (Chinese has no spaces to diff words by) with the `similar` crate's
//! Myers diff, the changes cut into rows of paragraphs that line up, and
//! redactions — a name, a number or a date replaced by placeholders
//! (`X月X日` for `3月6日`, `××` for a name, `XX`, `某某`) — told apart
//! from other changes. Pure: text in, a [`Comparison`] out; the page that
//! shows it is `render`'s.

use serde::Serialize;
use similar::{capture_diff_slices, Algorithm, DiffTag};

use crate::markdown::segments::body_segments;

/// Characters that stand in for what a reprint left out.
const PLACEHOLDERS: [char; 10] = ['X', 'x', 'Ｘ', 'ｘ', '×', '*', '＊', '某', '□', '■'];

/// Characters that belong with a number before them (`6日`, `9个`, `58万`):
/// a redacted number takes its unit into the redaction.
const UNITS: [char; 14] = ['年', '月', '日', '号', '时', '分', '秒', '万', '亿', '元', '个', '人', '户', '%'];

/// How a piece of text differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// In both.
    Same,
    /// Only in the original (on its side).
    Deleted,
    /// Only in the reprint (on its side).
    Inserted,
    /// In the original, where the reprint has placeholders (its side).
    Redacted,
    /// The reprint's placeholders (its side).
    Redaction,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Piece {
    pub kind: Kind,
    pub text: String,
}

/// One side's paragraph in a row: where it is on its page, and its text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Paragraph {
    /// `p-N` or `s-N` (empty for text outside both).
    pub anchor: String,
    pub pieces: Vec<Piece>,
}

/// Paragraphs of the two texts that line up: those of a row end together
/// in both. One side may hold several (a paragraph split in two) or none
/// (a paragraph added or dropped).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Row {
    pub original: Vec<Paragraph>,
    pub reprint: Vec<Paragraph>,
    /// Something differs in the row.
    pub changed: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Characters deleted or inserted, redactions aside (paragraph breaks
    /// not counted).
    pub changed: usize,
    /// Places where the reprint put placeholders for the original's text.
    pub redactions: usize,
    /// Paragraphs of the reprint not in the original, and of the original
    /// not in the reprint: less than a third of their characters in the
    /// other text.
    pub paragraphs_added: usize,
    pub paragraphs_dropped: usize,
    /// Paragraph breaks only in the reprint (a paragraph split), only in
    /// the original (two joined).
    pub splits: usize,
    pub joins: usize,
    /// Characters in both, and the original's length, in characters.
    pub same: usize,
    pub original_length: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Comparison {
    /// The titles, each with its side's pieces.
    pub title: [Vec<Piece>; 2],
    pub rows: Vec<Row>,
    pub summary: Summary,
}

/// Compares an original and its reprint: titles and Markdown bodies.
pub fn compare(original: (&str, &str), reprint: (&str, &str)) -> Comparison {
    let (a, b) = (Text::of(original.1), Text::of(reprint.1));
    let groups = groups(&a.chars, &b.chars);
    let title = {
        let (ta, tb): (Vec<char>, Vec<char>) = (original.0.chars().collect(), reprint.0.chars().collect());
        let mut sides = [Vec::new(), Vec::new()];
        for g in groups_of(&ta, &tb) {
            push(&mut sides[0], g.kind_original(), &ta[g.a.clone()]);
            push(&mut sides[1], g.kind_reprint(), &tb[g.b.clone()]);
        }
        sides
    };
    let rows = rows(&a, &b, &groups);
    let summary = summarise(&a, &b, &groups);
    Comparison { title, rows, summary }
}

/// A body as one sequence of characters, its segments joined by `\n`, and
/// each character's segment.
struct Text {
    chars: Vec<char>,
    segment: Vec<usize>,
    anchors: Vec<String>,
}

impl Text {
    fn of(markdown: &str) -> Text {
        let segments = body_segments(markdown);
        let (mut chars, mut segment) = (Vec::new(), Vec::new());
        for (i, s) in segments.iter().enumerate() {
            if i > 0 {
                chars.push('\n');
                segment.push(i - 1);
            }
            for c in s.text.chars() {
                chars.push(c);
                segment.push(i);
            }
        }
        Text { chars, segment, anchors: segments.into_iter().map(|s| s.anchor).collect() }
    }
}

/// A run of the diff: equal in both, or a change (either side may be
/// empty), possibly a redaction.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Group {
    a: std::ops::Range<usize>,
    b: std::ops::Range<usize>,
    equal: bool,
    redaction: bool,
}

impl Group {
    fn kind_original(&self) -> Kind {
        match (self.equal, self.redaction) {
            (true, _) => Kind::Same,
            (false, true) => Kind::Redacted,
            (false, false) => Kind::Deleted,
        }
    }

    fn kind_reprint(&self) -> Kind {
        match (self.equal, self.redaction) {
            (true, _) => Kind::Same,
            (false, true) => Kind::Redaction,
            (false, false) => Kind::Inserted,
        }
    }
}

/// The diff of `a` and `b` as alternating equal runs and changes, with
/// redactions marked and joined (below).
fn groups(a: &[char], b: &[char]) -> Vec<Group> {
    let mut out = groups_of(a, b);
    for g in out.iter_mut().filter(|g| !g.equal) {
        g.redaction = is_redaction(&a[g.a.clone()], &b[g.b.clone()]);
    }
    join_redactions(&mut out, a);
    out
}

/// The Myers diff of `a` and `b` as equal runs and changes, each change
/// all the deletions and insertions between two equal runs.
fn groups_of(a: &[char], b: &[char]) -> Vec<Group> {
    let mut out: Vec<Group> = Vec::new();
    for op in capture_diff_slices(Algorithm::Myers, a, b) {
        let (tag, ra, rb) = op.as_tag_tuple();
        let equal = tag == DiffTag::Equal;
        match out.last_mut() {
            Some(last) if !last.equal && !equal => {
                last.a.end = ra.end;
                last.b.end = rb.end;
            }
            _ => out.push(Group { a: ra, b: rb, equal, redaction: false }),
        }
    }
    out
}

/// Placeholders where the original has other text, within a paragraph.
fn is_redaction(old: &[char], new: &[char]) -> bool {
    !old.is_empty()
        && !new.is_empty()
        && new.iter().all(|c| PLACEHOLDERS.contains(c))
        && !old.iter().any(|c| PLACEHOLDERS.contains(c) || *c == '\n')
}

/// One redaction of a date or a figure is often several changes
/// (`3月6日` → `X月X日` is `3` → `X`, `月`, `6` → `X`, `日`): redactions
/// with only a unit or two between them become one, and a redaction takes
/// the unit after it (`日`, `个`, `万`) in both texts.
fn join_redactions(groups: &mut Vec<Group>, a: &[char]) {
    let short = |g: &Group| g.equal && g.a.len() <= 2 && a[g.a.clone()].iter().all(|c| UNITS.contains(c));
    let mut i = 0;
    while i + 2 < groups.len() {
        if groups[i].redaction && short(&groups[i + 1]) && groups[i + 2].redaction {
            let (end_a, end_b) = (groups[i + 2].a.end, groups[i + 2].b.end);
            groups[i].a.end = end_a;
            groups[i].b.end = end_b;
            groups.drain(i + 1..i + 3);
        } else {
            i += 1;
        }
    }
    for i in 0..groups.len().saturating_sub(1) {
        if groups[i].redaction && groups[i + 1].equal && UNITS.contains(&a[groups[i + 1].a.start]) {
            groups[i].a.end += 1;
            groups[i].b.end += 1;
            groups[i + 1].a.start += 1;
            groups[i + 1].b.start += 1;
        }
    }
    groups.retain(|g| !g.a.is_empty() || !g.b.is_empty());
}

/// Appends text of a kind to a paragraph's pieces, joining it to the last
/// piece of the same kind.
fn push(pieces: &mut Vec<Piece>, kind: Kind, text: &[char]) {
    if text.is_empty() {
        return;
    }
    match pieces.last_mut() {
        Some(last) if last.kind == kind => last.text.extend(text),
        _ => pieces.push(Piece { kind, text: text.iter().collect() }),
    }
}

/// One side of the row being built: its finished paragraphs and the one
/// under way.
struct Side<'a> {
    text: &'a Text,
    done: Vec<Paragraph>,
    open: Option<Paragraph>,
}

impl<'a> Side<'a> {
    fn new(text: &'a Text) -> Self {
        Side { text, done: Vec::new(), open: None }
    }

    /// Adds characters `range` of the text as `kind`, closing a paragraph
    /// at each break.
    fn add(&mut self, range: std::ops::Range<usize>, kind: Kind) {
        let mut start = range.start;
        for i in range.clone() {
            if self.text.chars[i] == '\n' {
                self.piece(start..i, kind);
                self.close();
                start = i + 1;
            }
        }
        self.piece(start..range.end, kind);
    }

    fn piece(&mut self, range: std::ops::Range<usize>, kind: Kind) {
        if range.is_empty() {
            return;
        }
        let anchor = self.text.anchors[self.text.segment[range.start]].clone();
        let open = self.open.get_or_insert(Paragraph { anchor, pieces: Vec::new() });
        push(&mut open.pieces, kind, &self.text.chars[range]);
    }

    fn close(&mut self) {
        self.done.extend(self.open.take());
    }

    fn take(&mut self) -> Vec<Paragraph> {
        self.close();
        std::mem::take(&mut self.done)
    }
}

/// The rows: a row ends where both texts break a paragraph at once.
fn rows(a: &Text, b: &Text, groups: &[Group]) -> Vec<Row> {
    let mut rows = Vec::new();
    let (mut left, mut right) = (Side::new(a), Side::new(b));
    let mut changed = false;
    for g in groups {
        if !g.equal {
            left.add(g.a.clone(), g.kind_original());
            right.add(g.b.clone(), g.kind_reprint());
            changed = true;
            continue;
        }
        // Equal runs hold the same characters: their breaks are shared.
        let mut start = 0;
        for (k, &c) in a.chars[g.a.clone()].iter().enumerate() {
            if c == '\n' {
                left.add(g.a.start + start..g.a.start + k, Kind::Same);
                right.add(g.b.start + start..g.b.start + k, Kind::Same);
                rows.push(Row { original: left.take(), reprint: right.take(), changed });
                changed = false;
                start = k + 1;
            }
        }
        left.add(g.a.start + start..g.a.end, Kind::Same);
        right.add(g.b.start + start..g.b.end, Kind::Same);
    }
    let (original, reprint) = (left.take(), right.take());
    if !original.is_empty() || !reprint.is_empty() {
        rows.push(Row { original, reprint, changed });
    }
    rows
}

fn summarise(a: &Text, b: &Text, groups: &[Group]) -> Summary {
    let mut s = Summary { original_length: a.chars.iter().filter(|&&c| c != '\n').count(), ..Summary::default() };
    // Per paragraph: its characters, and those in both texts.
    let mut kept_a = vec![(0, 0); a.anchors.len()];
    let mut kept_b = vec![(0, 0); b.anchors.len()];
    let count = |text: &Text, range: std::ops::Range<usize>, same: bool, kept: &mut Vec<(usize, usize)>| {
        for i in range.filter(|&i| text.chars[i] != '\n') {
            kept[text.segment[i]].0 += 1;
            kept[text.segment[i]].1 += same as usize;
        }
    };
    for g in groups {
        count(a, g.a.clone(), g.equal, &mut kept_a);
        count(b, g.b.clone(), g.equal, &mut kept_b);
        let (ta, tb) = (&a.chars[g.a.clone()], &b.chars[g.b.clone()]);
        let breaks = |t: &[char]| t.iter().filter(|&&c| c == '\n').count();
        if g.equal {
            s.same += ta.len() - breaks(ta);
        } else if g.redaction {
            s.redactions += 1;
        } else {
            s.changed += ta.len() - breaks(ta) + tb.len() - breaks(tb);
            s.joins += breaks(ta);
            s.splits += breaks(tb);
        }
    }
    // A paragraph with less than a third of its characters in the other
    // text is not in it: a character diff of Chinese finds a common 的 or
    // 。 in any two paragraphs.
    let gone = |kept: &[(usize, usize)]| kept.iter().filter(|(all, same)| 3 * same < *all).count();
    s.paragraphs_dropped = gone(&kept_a);
    s.paragraphs_added = gone(&kept_b);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The text of one side of a comparison, with `[-…-]` around deleted,
    /// `{+…+}` around inserted, `[#…#]` around redacted and `{#…#}` around
    /// redaction pieces, paragraphs joined by `|`, rows by ` / `.
    fn marked(c: &Comparison, reprint: bool) -> String {
        let show = |pieces: &[Piece]| -> String {
            pieces
                .iter()
                .map(|p| match p.kind {
                    Kind::Same => p.text.clone(),
                    Kind::Deleted => format!("[-{}-]", p.text),
                    Kind::Inserted => format!("{{+{}+}}", p.text),
                    Kind::Redacted => format!("[#{}#]", p.text),
                    Kind::Redaction => format!("{{#{}#}}", p.text),
                })
                .collect()
        };
        c.rows
            .iter()
            .map(|r| {
                let side = if reprint { &r.reprint } else { &r.original };
                side.iter().map(|p| show(&p.pieces)).collect::<Vec<_>>().join("|")
            })
            .collect::<Vec<_>>()
            .join(" / ")
    }

    #[test]
    fn a_redacted_date_is_one_redaction_with_its_units() {
        let c = compare(("讲话", "总书记3月6日在座谈会上的讲话。"), ("讲话", "总书记X月X日在座谈会上的讲话。"));
        assert_eq!(marked(&c, false), "总书记[#3月6日#]在座谈会上的讲话。");
        assert_eq!(marked(&c, true), "总书记{#X月X日#}在座谈会上的讲话。");
        assert_eq!((c.summary.redactions, c.summary.changed), (1, 0));
    }

    #[test]
    fn names_and_figures_replaced_by_placeholders_are_redactions_and_edits_are_not() {
        let c = compare(("讲话", "安康有60万人在外务工。未满足营业。"), ("讲话", "X有X万人在外务工。未满负荷营业。"));
        assert_eq!(marked(&c, false), "[#安康#]有[#60万#]人在外务工。未满[-足-]营业。");
        assert_eq!(marked(&c, true), "{#X#}有{#X万#}人在外务工。未满{+负荷+}营业。");
        assert_eq!((c.summary.redactions, c.summary.changed), (2, 3));
        let c = compare(("讲话", "李明同志说"), ("讲话", "××同志说"));
        assert_eq!(marked(&c, true), "{#××#}同志说");
        let c = compare(("讲话", "张三同志说"), ("讲话", "某某同志说"));
        assert_eq!(c.summary.redactions, 1);
        // Placeholders added where the original has nothing hide nothing.
        let c = compare(("讲话", "同志说"), ("讲话", "XX同志说"));
        assert_eq!((c.summary.redactions, c.summary.changed), (0, 2));
    }

    #[test]
    fn rows_line_up_paragraphs_split_added_and_dropped() {
        let original = "甲段落。\n\n乙段落：一是这样；二是那样。\n\n丙段落。\n\n丁段落被删了。\n";
        let reprint = "甲段落。\n\n乙段落：\n\n——这样；\n\n——那样。\n\n丙段落。\n\n另补充一条意见。\n";
        let c = compare(("讲话", original), ("转载", reprint));
        assert_eq!(c.rows.len(), 4, "{}", marked(&c, false));
        assert_eq!(c.rows[1].original.len(), 1);
        assert_eq!(c.rows[1].reprint.len(), 3, "a paragraph split in three");
        assert_eq!(c.rows[1].reprint.iter().map(|p| p.anchor.as_str()).collect::<Vec<_>>(), ["p-2", "p-3", "p-4"]);
        assert!(!c.rows[0].changed && c.rows[1].changed && !c.rows[2].changed);
        assert_eq!((c.summary.splits, c.summary.joins), (2, 0));
        assert_eq!((c.summary.paragraphs_added, c.summary.paragraphs_dropped), (1, 1));
        assert_eq!(c.title[1], [Piece { kind: Kind::Inserted, text: "转载".into() }]);
        // Every character of each text is on its side, in order.
        let all = |reprint: bool| -> String {
            c.rows
                .iter()
                .flat_map(|r| if reprint { &r.reprint } else { &r.original })
                .flat_map(|p| p.pieces.iter().map(|x| x.text.clone()))
                .collect()
        };
        assert_eq!(all(false), "甲段落。乙段落：一是这样；二是那样。丙段落。丁段落被删了。");
        assert_eq!(all(true), "甲段落。乙段落：——这样；——那样。丙段落。另补充一条意见。");
    }
}
