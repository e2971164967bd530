//! Compilations → documents: finds each document's header (`<职务><姓名>在…上的
//! 讲话（date）`, `在…上的讲话<姓名>（date）`, `…讲话摘编`, a title followed by
//! posting information, a leading title line) anywhere in the cleaned
//! paragraphs, and cuts there. What a header means is `meta`'s business.

use std::sync::OnceLock;

use regex::Regex;

use super::lines::{Removed, Unit};

/// A document's header as printed, taken apart.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Header {
    /// The whole header text (with its date and posting information).
    pub text: String,
    /// What stands before `在` (office and name), if anything.
    pub prefix: String,
    /// `在…上的讲话`, or a title line as printed.
    pub title: String,
    /// The speaker's name printed apart from the title: after it
    /// (`在…上的讲话黄玉国（2017年5月5日）`) or, in a page head, on a line of
    /// its own with the office.
    pub name: Option<String>,
    /// The dated parenthesis, e.g. `（2017年5月5日）`.
    pub dated: Option<String>,
    /// Posting information printed after the title (`来源：… 时间：…`).
    pub posting: Option<String>,
    /// The speaker's office on a line of its own (simplified).
    pub office: Option<String>,
    /// A `——在…上的讲话` subtitle under the title.
    pub subtitle: Option<String>,
}

/// One document of an input: its header (none for an untitled fragment)
/// and its paragraphs.
#[derive(Debug, Clone, Default)]
pub struct Part {
    pub header: Option<Header>,
    pub units: Vec<Unit>,
    pub line: usize,
}

/// Cuts the paragraphs of one input into documents at their headers.
pub fn split_documents(units: Vec<Unit>, head: Option<Header>, removed: &mut Vec<Removed>) -> Vec<Part> {
    let mut parts: Vec<Part> = Vec::new();
    let mut current = Part { line: units.first().map_or(1, |u| u.line), header: head, ..Part::default() };
    for (index, unit) in units.into_iter().enumerate() {
        let mut rest = unit.text.as_str();
        while !rest.is_empty() {
            let found = if index == 0 && current.units.is_empty() && current.header.is_none() {
                find_header(rest).or_else(|| title_line(rest).map(|h| (0, rest.len(), h)))
            } else {
                find_header(rest)
            };
            let Some((start, end, header)) = found else {
                let undated = current.header.as_mut().filter(|h| h.dated.is_none() && h.posting.is_none());
                if let Some(h) = undated.filter(|_| current.units.is_empty() && is_dated_parenthesis(rest)) {
                    h.dated = Some(rest.to_string());
                    h.text.push_str(rest);
                } else if current.header.as_ref().is_some_and(|h| h.title == rest && current.units.is_empty()) {
                    removed.push(Removed { reason: "repeated title", text: rest.to_string(), line: unit.line });
                } else {
                    current.units.push(Unit { text: rest.to_string(), line: unit.line });
                }
                break;
            };
            if start > 0 {
                current.units.push(Unit { text: rest[..start].to_string(), line: unit.line });
            }
            if !current.units.is_empty() || current.header.is_some() {
                parts.push(std::mem::take(&mut current));
            }
            current = Part { header: Some(header), units: Vec::new(), line: unit.line };
            rest = &rest[end..];
        }
    }
    if !current.units.is_empty() || current.header.is_some() {
        parts.push(current);
    }
    parts
}

/// The first header in `text` that starts at a paragraph or sentence
/// boundary: its byte range and its parts.
pub fn find_header(text: &str) -> Option<(usize, usize, Header)> {
    let boundaries = std::iter::once(0).chain(
        text.char_indices()
            .filter(|(_, c)| matches!(c, '。' | '！' | '？' | '）' | '”'))
            .map(|(i, c)| i + c.len_utf8()),
    );
    boundaries.filter(|&b| b < text.len()).find_map(|b| parse_header(&text[b..]).map(|(len, h)| (b, b + len, h)))
}

/// A header at the very start of `text`, and its length in bytes.
fn parse_header(text: &str) -> Option<(usize, Header)> {
    static SPEECH: OnceLock<Regex> = OnceLock::new();
    static POSTED: OnceLock<Regex> = OnceLock::new();
    let speech = SPEECH.get_or_init(|| {
        Regex::new(concat!(
            r"^(?P<pre>[\p{Han}、]{0,24}?)(?P<title>在[^。！？；，“”（）]{2,60}?(?:主持讲话|讲话摘编|讲话|发言))",
            r"(?P<after>\p{Han}{2,3}(?:同志)?)?(?P<dated>（[^（）]{0,30}?(?:\d{4}年|录音)[^（）]{0,20}）)?"
        ))
        .expect("valid regex")
    });
    let posted = POSTED.get_or_init(|| {
        Regex::new(r"^(?P<title>[^。！？；，：]{4,50}?)(?P<posting>(?:时间：\d{4}|来源：).*)$").expect("valid regex")
    });
    if let Some(c) = speech.captures(text) {
        let mut end = c.get(0).expect("match").end();
        let pre = c["pre"].to_string();
        let dated = c.name("dated").map(|m| m.as_str().to_string());
        let mut after = c.name("after").map(|m| m.as_str().to_string());
        if after.is_some() && dated.is_none() {
            // A name after the title counts only when a date follows it.
            end = c.name("title").expect("title").end();
            after = None;
        }
        let tail = &text[end..];
        if after.is_none() {
            if let Some(name) = name_before_salutation(tail) {
                after = Some(name.to_string());
                end += name.len();
            }
        }
        let tail = &text[end..];
        let posting = (tail.starts_with("来源：") || tail.starts_with("时间：")) && tail.chars().count() < 120;
        let title = c["title"].to_string();
        let named = !pre.is_empty() && super::people::split_office_name(&pre).is_some();
        let whole = tail.is_empty() || posting;
        let accepted = dated.is_some() || after.is_some() || posting || (named && (whole || title.ends_with("摘编")));
        if !accepted || (!pre.is_empty() && !named) {
            return None;
        }
        if posting {
            end = text.len();
        }
        let header = Header {
            text: text[..end].to_string(),
            prefix: pre,
            title,
            name: after,
            dated,
            posting: posting.then(|| tail.to_string()),
            ..Header::default()
        };
        return Some((end, header));
    }
    let c = posted.captures(text)?;
    let title = c["title"].to_string();
    let header = Header { text: text.to_string(), title, posting: Some(c["posting"].to_string()), ..Header::default() };
    Some((text.len(), header))
}

/// `（2020年4月3日，根据录音整理）` standing alone under a header.
fn is_dated_parenthesis(text: &str) -> bool {
    let inner = text.strip_prefix('（').and_then(|t| t.strip_suffix('）'));
    inner.is_some_and(|t| {
        !t.contains(['（', '）']) && t.chars().count() <= 30 && (t.contains('年') || t.contains("录音"))
    })
}

/// `李自贤同志们：` or a lone `李自贤`: a name printed after the date.
fn name_before_salutation(tail: &str) -> Option<&str> {
    let han: usize = tail.chars().take_while(|c| crate::script::is_han(*c)).map(char::len_utf8).sum();
    let name = tail[..han].strip_suffix("同志们").unwrap_or(&tail[..han]);
    let n = name.chars().count();
    let rest = &tail[name.len()..];
    ((2..=3).contains(&n) && (rest.is_empty() || rest.starts_with("同志们"))).then_some(name)
}

/// A leading short line without sentence punctuation is the title.
fn title_line(text: &str) -> Option<Header> {
    let n = text.chars().count();
    let plain = !text.contains(['。', '！', '？', '；', '，']);
    (plain && (4..=50).contains(&n)).then(|| Header {
        text: text.to_string(),
        title: text.to_string(),
        ..Header::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn units(texts: &[&str]) -> Vec<Unit> {
        texts.iter().enumerate().map(|(i, t)| Unit { text: t.to_string(), line: i + 1 }).collect()
    }

    #[test]
    fn each_header_layout_is_found() {
        let cases = [
            ("县委书记钟益民在全县脱贫攻坚工作会上的讲话（2017年2月19，根据录音整理）同志们：", "县委书记钟益民", None),
            ("在全县脱贫攻坚第六次推进会议上的讲话黄玉国（2017年5月5日）同志们：", "", Some("黄玉国")),
            ("在全县脱贫攻坚工作三级干部大会上的讲话（2017年5月10日）李自贤同志们：今天", "", Some("李自贤")),
            ("吕旅同志在全县脱贫攻坚工作会议上的讲话（2016年1月28日根据录音整理）", "吕旅同志", None),
            ("汉中市委书记王建军在市委常委扩大会议专题研究脱贫攻坚时的讲话摘编今天，我们", "汉中市委书记王建军", None),
            ("锦州市委书记王德佳在2020年全市脱贫攻坚工作电视电话会议上的主持讲话", "锦州市委书记王德佳", None),
        ];
        for (text, prefix, after) in cases {
            let (start, _, h) = find_header(text).unwrap_or_else(|| panic!("no header in {text}"));
            assert_eq!(start, 0);
            assert_eq!(h.prefix, prefix, "{text}");
            assert_eq!(h.name.as_deref(), after, "{text}");
        }
    }

    #[test]
    fn posting_information_after_a_title_makes_a_header() {
        let text = "朱前明在全县坚决打赢脱贫攻坚战推进大会上的讲话来源：新化县依法治县领导小组办公室时间：2017年05月24日作者：朱前明";
        let (_, end, h) = find_header(text).unwrap();
        assert_eq!(end, text.len());
        assert!(h.posting.unwrap().starts_with("来源："));
        let (_, _, h) = find_header("脱贫攻坚100问（学习中省市领导讲话精神问答汇编）时间：2017-04-3010:19").unwrap();
        assert_eq!(h.title, "脱贫攻坚100问（学习中省市领导讲话精神问答汇编）");
    }

    #[test]
    fn speeches_mentioned_in_running_text_are_not_headers() {
        assert!(find_header("习近平总书记在中央扶贫工作会议上的讲话指出，要精准。").is_none());
        assert!(find_header("我们要认真学习在全省会议上的讲话精神。").is_none());
    }

    #[test]
    fn a_compilation_is_cut_at_each_header() {
        let mut removed = Vec::new();
        let parts = split_documents(
            units(&[
                "这是前一篇的结尾。吕旅同志在全县脱贫攻坚工作会议上的讲话（2016年1月28日根据录音整理）",
                "同志们：",
                "今天开会。",
            ]),
            None,
            &mut removed,
        );
        assert_eq!(parts.len(), 2);
        assert!(parts[0].header.is_none());
        assert_eq!(parts[0].units[0].text, "这是前一篇的结尾。");
        assert_eq!(parts[1].units.len(), 2);
    }
}
