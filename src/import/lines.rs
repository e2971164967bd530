//! Line structure of a raw text: website and print chrome (breadcrumbs,
//! masthead, page numbers, download prompts, copyright lines, distribution
//! lists) is set aside with its reason, one-line dumps are cut at their
//! paragraph breaks, and lines broken mid-sentence are rejoined without
//! inserting spaces. Character-level cleanup is `clean`'s business.

use std::sync::OnceLock;

use regex::Regex;

use super::clean::{normalize_punctuation, remove_ocr_spaces, remove_pinyin_annotations};

/// A paragraph of cleaned text and the raw line it starts on.
#[derive(Debug, Clone, PartialEq)]
pub struct Unit {
    pub text: String,
    pub line: usize,
}

/// Text taken out of the body, and why.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Removed {
    pub reason: &'static str,
    pub text: String,
    pub line: usize,
}

/// A raw line cut into segments; `hard` marks a segment that starts a
/// paragraph of its own (a cut inside a one-line dump).
#[derive(Debug, Clone)]
pub struct Segment {
    pub text: String,
    pub line: usize,
    pub hard: bool,
}

/// Cleans a decoded text into lines, setting chrome aside; `rejoin` makes
/// paragraphs of them (after the page's head is read line by line).
pub fn clean_lines(text: &str) -> (Vec<Segment>, Vec<Removed>) {
    let mut removed = Vec::new();
    let mut segments = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let (line, junk) = remove_markup_and_junk(raw.trim());
        removed.extend(junk.into_iter().map(|(reason, text)| Removed { reason, text, line: i + 1 }));
        let (line, pinyin) = remove_pinyin_annotations(line.trim());
        removed.extend(pinyin.into_iter().map(|p| Removed { reason: "pinyin annotation", text: p, line: i + 1 }));
        for (k, piece) in cut_inline(&line).into_iter().enumerate() {
            let text = remove_ocr_spaces(&normalize_punctuation(piece.trim()));
            for (j, text) in cut_view_counter(text).into_iter().enumerate() {
                segments.push(Segment { text, line: i + 1, hard: k > 0 || j > 0 });
            }
        }
    }
    // A lone number continued by the next line (`4` / `月25日`) is text
    // broken around it, not a page number.
    let continued: Vec<bool> = (0..segments.len())
        .map(|i| {
            let number = !segments[i].text.is_empty() && segments[i].text.chars().all(|c| c.is_ascii_digit());
            let next = segments.get(i + 1).and_then(|s| s.text.chars().next());
            let prev = i.checked_sub(1).and_then(|j| segments[j].text.chars().last());
            number
                && (next.is_some_and(|c| "年月日号时分秒个万亿元%％.．、—-~～多余人户".contains(c))
                    || prev.is_some_and(|c| "（(第约近共".contains(c)))
        })
        .collect();
    let upload_title = segments.iter().find_map(|s| upload_title(&s.text));
    let running = running_heads(&segments);
    let mut kept = Vec::new();
    let mut in_distribution = false;
    for (index, s) in segments.into_iter().enumerate() {
        in_distribution |= s.text.starts_with("主送：") || s.text.starts_with("抄送：");
        let reason = if in_distribution && s.text.chars().count() < 80 {
            Some("distribution list")
        } else if index < 12 && upload_title.as_deref() == Some(s.text.as_str()) {
            Some("upload title")
        } else if running.contains(&s.text) {
            Some("page header")
        } else if continued[index] {
            None
        } else {
            classify_chrome(&s.text, index)
        };
        if reason == Some("breadcrumb") && index < 12 {
            // What stands above a page's breadcrumb is the site's header.
            for above in kept.drain(..) {
                let Segment { text, line, .. } = above;
                removed.push(Removed { reason: "site header (above the breadcrumb)", text, line });
            }
        }
        match reason {
            Some(reason) => removed.push(Removed { reason, text: s.text, line: s.line }),
            None => kept.push(s),
        }
    }
    (kept, removed)
}

/// Short lines printed three times or more: running heads of a paged
/// print (a speech does not repeat a short line word for word).
fn running_heads(segments: &[Segment]) -> std::collections::HashSet<String> {
    let mut counts: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    let heading_or_salutation = |t: &str| t.ends_with(['。', '：']) || super::outline::heading_level(t).is_some();
    for s in segments.iter().filter(|s| (2..=30).contains(&s.text.chars().count()) && !heading_or_salutation(&s.text)) {
        *counts.entry(s.text.as_str()).or_default() += 1;
    }
    counts.into_iter().filter(|(_, n)| *n >= 3).map(|(t, _)| t.to_string()).collect()
}

/// Why a segment is chrome rather than speech, if it is. `index` is its
/// position among the segments: a masthead only stands at the top. Matched
/// on a simplified copy, so traditional pages are read the same way.
fn classify_chrome(text: &str, index: usize) -> Option<&'static str> {
    static PATTERNS: OnceLock<Vec<(&'static str, Regex)>> = OnceLock::new();
    let patterns = PATTERNS.get_or_init(|| {
        [
            ("breadcrumb", r"^(当前位置|您的位置|您所在的位置|所在位置|当前页|位置)\s*[：:]|^首页\s*(>|＞|»|/|$)|^[^。，]{0,40}(>>|->|»)\s*\S|^(\S{1,12}\s*>\s*){2,}\S{1,12}$"),
            ("posting information", r"^(发布|更新)?(时间|日期)\s*[：:]\s*\d{4}[-年./]"),
            ("posting information", r"^(来源|作者|发布者|编辑|责任编辑|稿源|文章来源|信息来源)\s*[：:].{0,40}$"),
            ("posting information", r"^[^。，！？]{0,30}\d{4}[-/]\d{1,2}[-/]\d{1,2}\s*\d{1,2}[:：]\d{2}([:：]\d{2})?([^。！？]{0,80})$"),
            ("posting information", r"^\d{1,2}\.\d{1,2}\.\d{4}\s+\d{1,2}:\d{2}$"),
            ("posting information", r"^[^。，！？]{0,30}\d{4}年\d{1,2}月\d{1,2}日\s*(\d{1,2}[:：]\d{2}|星期.|周.)[^。，！？]{0,60}$"),
            ("posting information", r"^[^。，！？\d]{2,16}\s*\d{4}年\d{1,2}月\d{1,2}日$|^\d{4}-\d{1,2}-\d{1,2}\s*[^。，！？\s\d]{2,16}$"),
            ("posting information", r"^[^。，！？]{0,40}\d{4}[-年]\d{1,2}[-月]\d{1,2}日?\s*[^。，！？]{0,20}来源\s*[：:][^。！？]{0,40}$"),
            ("editor's introduction", r"小编|编辑精心整理|希望对(您|你|大家)有(所)?(用|帮助)|以下是.{0,30}整理的|下面是.{0,30}(整理|收集|分享)的"),
            ("keyword footer", r"^(推荐访问|相关推荐|相关阅读|相关文章|关键词|标签|热门推荐|猜你喜欢)\s*[：:]"),
            ("copyright", r"版权所有|(?i:copyright)|All Rights Reserved|ICP备|Powered by|©"),
            ("download prompt", r"^.{0,40}下载.{0,40}$|^温馨提示：?$|^关闭$|^资源描述：?$"),
            ("advertisement", r"二维码|扫码|扫一扫|立即了解|写作神器|公文高手|关注(我们的)?公众号|领取.{0,12}资料|开通VIP|点击(查看|阅读)全文"),
            ("site notice", r"^.{0,30}(本文档由用户上传|联系客服|版权归属|投诉处理|侵权|免责声明).{0,40}$"),
            ("upload information", r"^(ID|大小|页数|上传者)：|由会员上传分享"),
            ("page number", r"^(-\s*\d+\s*-|第\s*\d+\s*页(/共\d+页)?|\d{1,3}|.{1,30}_第\d+页|Page\s+\d+.{0,40}|P\.\s*\d+)$"),
            ("view counter", r"^(点击|浏览|阅读)(次数|量)?：\s*\d+次?$"),
            ("page furniture", r"^(分享到?|微信|微博|QQ|qq|Qzone|QQ空间|头条|空间|打印|关闭(窗口)?|返回(顶部)?|顶部|收藏|手机版|简体版|繁体版|无障碍|支持IPv6|版面导航|上一篇|下一篇|上一版|下一版|【纠错】|纠错|【字体|字体\s*[：:]|扫一扫|关注\S{1,10}网|\[?打印本页|查看回信留言)([\s|：:].{0,60})?$"),
            ("page furniture", r"^第\s*\d{1,3}\s*版(\s*[：:].{0,20})?$|^\d{12,}$|^[|•·]+$|^【纠错】.{0,40}$"),
            ("photo caption", r"^图为.{0,120}$|^.{2,120}[（(]\S{0,12}\s?\S{0,8}\s?摄[)）]$|^.{0,60}(本报记者|记者)\s*\S{2,4}\s+摄$|^\S{2,12}现场$"),
            ("byline", r"^(\p{Han}{0,8}记者|通讯员|本报记者)\s*[\p{Han}\s、]{2,20}$|^[（(](记者|通讯员)\s*[\p{Han}\s、]{2,20}[)）]$"),
            ("original title", r"^原标题\s*[：:]"),
        ]
        .into_iter()
        .map(|(r, p)| (r, Regex::new(p).expect("valid regex")))
        .collect()
    });
    let simple = crate::script::simplify(text);
    if index < 8 && is_masthead(&simple) {
        return Some("masthead");
    }
    if let Some((reason, _)) = patterns.iter().find(|(_, re)| re.is_match(&simple)) {
        // A sentence that mentions a download or a page is speech.
        let sentence = simple.chars().count() > 60 && simple.contains('。');
        let bounded = matches!(*reason, "editor's introduction" | "advertisement" | "copyright");
        if !sentence || bounded {
            return Some(reason);
        }
    }
    (index < 8 && is_masthead(&simple)).then_some("masthead")
}

/// HTML tags and entities, anti-scraping runs of random ASCII (`) @4 B( R)
/// e6 O$`) and page markers inside sentences (`最-2-艰巨`): taken out of a
/// raw line with their reasons.
fn remove_markup_and_junk(line: &str) -> (String, Vec<(&'static str, String)>) {
    static TAG: OnceLock<Regex> = OnceLock::new();
    static JUNK: OnceLock<Regex> = OnceLock::new();
    static MARKER: OnceLock<Regex> = OnceLock::new();
    let tag = TAG.get_or_init(|| {
        Regex::new(r"</?[a-zA-Z][a-zA-Z0-9]*(\s[^<>]{0,200})?/?>|&(nbsp|amp|lt|gt|quot|apos|#\d{1,6}|#x[0-9a-fA-F]{1,5});|^•\s*")
            .expect("valid regex")
    });
    let junk =
        JUNK.get_or_init(|| Regex::new(r"[\x21-\x7E]{1,3}(?:[ ][\x21-\x7E]{1,3}){3,}[ ]?").expect("valid regex"));
    let marker =
        MARKER.get_or_init(|| Regex::new(r"(^|[^0-9A-Za-z.\-])(-\s?\d{1,3}\s?-)($|[^0-9])").expect("valid regex"));
    let mut removed = Vec::new();
    let mut out = tag
        .replace_all(line, |c: &regex::Captures| {
            let m = &c[0];
            removed.push(("HTML markup", m.to_string()));
            match m {
                "&nbsp;" => " ".to_string(),
                "&amp;" => "&".to_string(),
                _ => String::new(),
            }
        })
        .into_owned();
    // Random ASCII: short tokens of letters, digits and symbols, with at
    // least two symbols no text uses that way.
    let junky = |m: &str| {
        let symbols = m.chars().filter(|c| "$#@%&~^*[]{}|;'\"\\`+?!=<>".contains(*c)).count();
        let letters = m.chars().filter(char::is_ascii_alphanumeric).count();
        symbols >= 2 && letters >= 2
    };
    out = junk
        .replace_all(&out, |c: &regex::Captures| {
            if junky(&c[0]) {
                removed.push(("anti-scraping junk", c[0].to_string()));
                String::new()
            } else {
                c[0].to_string()
            }
        })
        .into_owned();
    static BYLINE: OnceLock<Regex> = OnceLock::new();
    let byline = BYLINE.get_or_init(|| {
        Regex::new(r"([。！？”])\s*([（(](?:记者|記者|通讯员|通訊員)[^（）()]{1,30}[)）])\s*$").expect("valid regex")
    });
    if let Some(c) = byline.captures(&out) {
        removed.push(("byline", c[2].to_string()));
        let end = c.get(1).expect("sentence end").end();
        out.truncate(end);
    }
    out = marker
        .replace_all(&out, |c: &regex::Captures| {
            removed.push(("page number", c[2].to_string()));
            format!("{}{}", &c[1], &c[3])
        })
        .into_owned();
    (out, removed)
}

/// `点击：1200次前言`: a view counter run into the next line.
fn cut_view_counter(text: String) -> Vec<String> {
    static COUNTER: OnceLock<Regex> = OnceLock::new();
    let re =
        COUNTER.get_or_init(|| Regex::new(r"^((?:点击|浏览|阅读)(?:次数|量)?：\d+次?)(.+)$").expect("valid regex"));
    match re.captures(&text) {
        Some(c) => vec![c[1].to_string(), c[2].to_string()],
        None if text.is_empty() => Vec::new(),
        None => vec![text],
    }
}

/// Masthead lines of a printed bulletin: its name, issue, publisher, date.
fn is_masthead(text: &str) -> bool {
    static MASTHEAD: OnceLock<Regex> = OnceLock::new();
    MASTHEAD
        .get_or_init(|| {
            Regex::new(concat!(
                r"^(\p{Han}{2,8}(通报|简报|专报|快报|动态|通讯|参阅|信息)|第[一二三四五六七八九十百零〇\d]{1,6}期",
                r"|\p{Han}{2,20}(办公室|办公厅|人民政府|委员会|编辑部)(\d{4}年\d{1,2}月\d{1,2}日)?",
                r"|\d{4}年\d{1,2}月\d{1,2}日)$"
            ))
            .expect("valid regex")
        })
        .is_match(text)
}

/// `《脱贫攻坚讲话整理》由会员上传分享…` names the upload's title.
pub fn upload_title(text: &str) -> Option<String> {
    let rest = text.strip_prefix('《')?;
    let (title, tail) = rest.split_once('》')?;
    tail.starts_with("由会员上传").then(|| title.to_string())
}

/// Cuts a long line (a whole document dumped on one line) at the breaks it
/// still shows: runs of two or more spaces, a space after a sentence end,
/// and an outline number right after a sentence end.
fn cut_inline(line: &str) -> Vec<String> {
    static BREAK: OnceLock<Regex> = OnceLock::new();
    static LABEL: OnceLock<Regex> = OnceLock::new();
    // `履职·心声 作为新当选的…`: a column label before the first sentence.
    let label = LABEL
        .get_or_init(|| Regex::new(r"^(\p{Han}{2,6}·\p{Han}{2,6})[ \u{3000}\u{A0}]+(\p{Han})").expect("valid regex"));
    if let Some(c) = label.captures(line) {
        let rest = &line[c.get(2).expect("a character").start()..];
        return std::iter::once(c[1].to_string()).chain(cut_inline(rest)).collect();
    }
    if line.chars().count() < 300 {
        return vec![line.to_string()];
    }
    let re = BREAK.get_or_init(|| {
        Regex::new(
            r"[ \u{3000}\u{A0}]{2,}|([。！？!?；;])[ \u{3000}\u{A0}]+|([。！？!?:：)）])([一二三四五六七八九十]{1,3}、|\d{1,3}\.\p{Han})",
        )
        .expect("valid regex")
    });
    let mut pieces = Vec::new();
    let mut start = 0;
    for c in re.captures_iter(line) {
        let whole = c.get(0).expect("match");
        let (end, next) = match (c.get(1), c.get(2), c.get(3)) {
            (Some(p), _, _) => (p.end(), whole.end()),
            (_, Some(p), Some(n)) => (p.end(), n.start()),
            _ => (whole.start(), whole.end()),
        };
        pieces.push(line[start..end].to_string());
        start = next;
    }
    pieces.push(line[start..].to_string());
    pieces.retain(|p| !p.trim().is_empty());
    let pieces = pieces.into_iter().flat_map(cut_heading).flat_map(cut_question);
    if line.len() < 6000 {
        return pieces.collect();
    }
    pieces.flat_map(cut_items).collect()
}

/// In a whole document dumped on one line (some 2,000 characters or more),
/// list items (`一是`, `第一，`, `①`), a renewed `同志们，` and sub-headings
/// (`（一）`) after a sentence end also open paragraphs. A run-in
/// sub-heading (`（一）扶贫对象精准。我们…`) stays in its paragraph, as printed.
fn cut_items(piece: String) -> Vec<String> {
    static ITEM: OnceLock<Regex> = OnceLock::new();
    let re = ITEM.get_or_init(|| {
        Regex::new(r"([。！？!?：:；;])([一二三四五六七八九十]是|第[一二三四五六七八九十]{1,2}[，,、]|同志们[，,]|[①②③④⑤⑥⑦⑧⑨⑩]|[（(][一二三四五六七八九十]{1,2}[)）])")
            .expect("valid regex")
    });
    let mut pieces = Vec::new();
    let mut start = 0;
    for c in re.captures_iter(&piece) {
        let cut = c.get(2).expect("item").start();
        pieces.push(piece[start..cut].to_string());
        start = cut;
    }
    pieces.push(piece[start..].to_string());
    pieces.retain(|p| !p.trim().is_empty());
    pieces
}

/// `1.脱贫攻坚的要义是什么？贵在精准…`: a numbered question run into its
/// answer is cut after the question mark.
fn cut_question(piece: String) -> Vec<String> {
    let numbered = piece.chars().take_while(char::is_ascii_digit).count();
    let question = piece[numbered..].starts_with('.').then(|| piece.find(['？', '?'])).flatten();
    match question {
        Some(i) if numbered > 0 && numbered <= 3 && piece[..i].chars().count() <= 80 => {
            let end = i + piece[i..].chars().next().map_or(1, char::len_utf8);
            let (q, a) = piece.split_at(end);
            [q.to_string(), a.trim().to_string()].into_iter().filter(|p| !p.is_empty()).collect()
        }
        _ => vec![piece],
    }
}

/// `一、认清形势 今年…`: a heading run into its paragraph, told apart only
/// by a space within its first 40 characters.
fn cut_heading(piece: String) -> Vec<String> {
    let trimmed = piece.trim_start();
    if super::outline::heading_level(trimmed.split([' ', '\u{3000}', '\u{A0}']).next().unwrap_or("")).is_none() {
        return vec![piece];
    }
    let head: String = trimmed.chars().take(40).collect();
    match head.find([' ', '\u{3000}', '\u{A0}']) {
        Some(i) if !head[..i].contains('。') => vec![trimmed[..i].to_string(), trimmed[i..].trim_start().to_string()],
        _ => vec![piece],
    }
}

/// Joins lines broken mid-sentence. A line ends its paragraph when it ends a
/// sentence (in a fixed-width layout: and is shorter than the full width),
/// is a heading, or the next line opens a paragraph.
pub fn rejoin(segments: Vec<Segment>) -> Vec<Unit> {
    let width = typical_width(&segments);
    let fixed = width < 60;
    let mut units: Vec<Unit> = Vec::new();
    let mut open = false;
    for s in segments {
        if open && !s.hard && !starts_paragraph(&s.text) {
            let last = units.last_mut().expect("an open unit");
            last.text.push_str(&s.text);
        } else {
            units.push(Unit { text: s.text.clone(), line: s.line });
        }
        let last = &units.last().expect("a unit").text;
        let len = s.text.chars().count();
        open = if ends_sentence(last) {
            fixed && len + 1 >= width
        } else {
            let heading = super::outline::heading_level(last).is_some() && !last.ends_with(['，', '、']);
            !(ends_header(last) || (!fixed || len + 2 < width) && heading)
        };
    }
    units
}

fn typical_width(segments: &[Segment]) -> usize {
    let mut lens: Vec<usize> =
        segments.iter().filter(|s| !s.hard).map(|s| s.text.chars().count()).filter(|&n| n >= 10).collect();
    lens.sort_unstable();
    lens.get(lens.len() * 3 / 4).copied().unwrap_or(usize::MAX)
}

fn ends_sentence(text: &str) -> bool {
    static DATED: OnceLock<Regex> = OnceLock::new();
    let dated =
        DATED.get_or_init(|| Regex::new(r"[（(][^（）()]*(\d{4}年|录音)[^（）()]*[)）]$").expect("valid regex"));
    matches!(text.chars().last(), Some('。' | '！' | '？' | '：' | '…' | '”' | '」' | '!' | '?'))
        || dated.is_match(text)
}

fn ends_header(text: &str) -> bool {
    ["讲话", "摘编", "发言", "问答汇编"].iter().any(|e| text.ends_with(e))
}

fn starts_paragraph(text: &str) -> bool {
    static OPENER: OnceLock<Regex> = OnceLock::new();
    OPENER
        .get_or_init(|| {
            Regex::new(r"^(同志们|各位|[一二三四五六七八九十]{1,3}、|（[一二三四五六七八九十]{1,3}）|第[一二三四五六七八九十]{1,3}[，、]|[一二三四五六七八九十]是|[（(]\d{4}年)").expect("valid regex")
        })
        .is_match(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(units: &[Unit]) -> Vec<&str> {
        units.iter().map(|u| u.text.as_str()).collect()
    }

    fn paragraphs(text: &str) -> (Vec<Unit>, Vec<Removed>) {
        let (segments, removed) = clean_lines(text);
        (rejoin(segments), removed)
    }

    #[test]
    fn lines_broken_mid_sentence_are_rejoined_without_spaces() {
        let (units, _) = paragraphs(
            "一、认清形势\n\n今年脱贫任务很重，2016年初\n\n我市剩余贫困人口 58.17 万人。\n\n第二，疫情影响大。",
        );
        assert_eq!(
            texts(&units),
            ["一、认清形势", "今年脱贫任务很重，2016年初我市剩余贫困人口58.17万人。", "第二，疫情影响大。"]
        );
    }

    #[test]
    fn a_fixed_width_layout_joins_full_lines_that_end_a_sentence() {
        let text = "今天我们用一天时间来观摩、交流。研究市派部门\n\n帮扶脱贫攻坚工作，上午参观了城关镇社区兴隆。\n\n镇马鞍桥村两个帮扶示范点，西安交大帮扶的村。\n\n情况短。\n\n第一，好。";
        let (units, _) = paragraphs(text);
        assert_eq!(units.len(), 2, "{units:?}");
        assert!(units[0].text.ends_with("情况短。"));
    }

    #[test]
    fn chrome_is_set_aside_with_its_reason() {
        let text = "当前位置:九力公文网>专题范文\n下面是小编为大家整理的讲话\n同志们：\n推荐访问:帮扶 班上\n版权所有:九力公文网\n3\n主送：各县区人民政府。\n中、省驻安各单位。";
        let (units, removed) = paragraphs(text);
        assert_eq!(texts(&units), ["同志们："]);
        let reasons: Vec<&str> = removed.iter().map(|r| r.reason).collect();
        assert_eq!(
            reasons,
            [
                "breadcrumb",
                "editor's introduction",
                "keyword footer",
                "copyright",
                "page number",
                "distribution list",
                "distribution list"
            ]
        );
    }

    #[test]
    fn a_sentence_that_mentions_downloads_is_speech() {
        let text = "要组织党员干部下载学习强国，每天坚持学习，把学习成果转化为推动脱贫攻坚的实际行动，切实做到学用结合、知行合一。";
        assert_eq!(classify_chrome(text, 20), None);
        assert_eq!(classify_chrome("当前文档最多预览五页，下载文档查看全文", 20), Some("download prompt"));
    }

    #[test]
    fn running_heads_of_a_paged_print_go() {
        let page = "我们要坚决打赢脱贫攻坚战，确保如期完成任务。\n";
        let text = format!("安政通报\n同志们：\n{page}安政通报\n同志们：\n{page}安政通报\n同志们：\n{page}");
        let (units, removed) = paragraphs(&text);
        assert!(units.iter().all(|u| !u.text.contains("安政通报")), "{units:?}");
        assert_eq!(units.iter().filter(|u| u.text == "同志们：").count(), 3);
        assert_eq!(removed.iter().filter(|r| r.reason == "page header").count(), 3);
    }

    #[test]
    fn a_whole_speech_on_one_line_is_cut_before_its_list_items() {
        let body = "这是一个很长的句子，".repeat(300);
        let line =
            format!("{body}主要原因：一是思想认识不到位。二是工作落实不到位。（一）扶贫对象精准。我们认真开展了识别。");
        let pieces = cut_inline(&line);
        let starts: Vec<String> = pieces.iter().map(|p| p.chars().take(4).collect()).collect();
        assert_eq!(starts, ["这是一个", "一是思想", "二是工作", "（一）扶"]);
    }

    #[test]
    fn a_one_line_dump_is_cut_at_its_breaks() {
        let body = "这是一个很长的句子，".repeat(30);
        let line = format!("{body}结束。  同志们：  今天开会。我讲两点。一、认清形势 {body}完。");
        let pieces = cut_inline(&line);
        assert_eq!(pieces.len(), 5, "{pieces:?}");
        assert_eq!(pieces[1], "同志们：");
        assert_eq!(pieces[3], "一、认清形势");
    }
}
