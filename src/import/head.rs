//! The head of a page, line by line, before its lines are joined into
//! paragraphs: what stands between the site's chrome and the first words of
//! the text — headlines, a kicker or subheadline, a `——在…上的讲话`
//! subtitle, the speaker's office and name, a dateline in parentheses (also
//! when it is broken over lines, one number a line), section and column
//! labels — read into a `Header`; and where the text itself begins (a
//! salutation, a question label, an outline heading, a news dateline or the
//! first sentence). A title run straight into the first sentence is cut off
//! it. Matching is on a simplified copy; what the metadata means is `meta`'s.

use std::sync::OnceLock;

use regex::Regex;

use super::lines::{Removed, Segment};
use super::people::{is_office, split_office_name};
use super::split::Header;
use crate::script::simplify;

/// How far into a text its head may reach, in lines.
const MAX_HEAD_LINES: usize = 40;

/// Reads the head of a text off its first lines: the header found (if the
/// head holds a title or a speaker) and the lines that remain, from the
/// first one of the text. Head lines that are neither go to `removed`.
pub fn read_head(mut segments: Vec<Segment>, removed: &mut Vec<Removed>) -> (Option<Header>, Vec<Segment>) {
    let mut lines: Vec<(Kind, String, usize)> = Vec::new();
    let mut start = segments.len();
    let mut dateline = String::new();
    for (i, seg) in segments.iter_mut().enumerate().take(MAX_HEAD_LINES) {
        let simple = simplify(&seg.text);
        // A dateline broken over lines, one piece a line: `(`, `2021`, `年`…
        if is_date_piece(&simple) && (!dateline.is_empty() || simple.starts_with(['（', '('])) {
            dateline.push_str(&seg.text);
            if is_dateline(&simplify(&dateline)) {
                lines.push((Kind::Dateline, std::mem::take(&mut dateline), seg.line));
            }
            continue;
        }
        if !dateline.is_empty() {
            lines.push((Kind::Other, std::mem::take(&mut dateline), seg.line));
        }
        if let Some(cut) = title_run_into_text(&simple) {
            lines.push((Kind::Title, seg.text[..cut].to_string(), seg.line));
            seg.text = seg.text[cut..].to_string();
            start = i;
            break;
        }
        if starts_text(&simple) {
            start = i;
            break;
        }
        lines.push((classify(&simple), seg.text.clone(), seg.line));
    }
    if start == segments.len() && segments.len() > MAX_HEAD_LINES {
        start = MAX_HEAD_LINES;
    }
    // A title broken over two lines (`在全市…工作` / `推进现场会上的讲话`).
    let mut i = 0;
    while i + 1 < lines.len() {
        let joined = format!("{}{}", lines[i].1, lines[i + 1].1);
        let broken = lines[i].0 == Kind::Title && lines[i + 1].0 == Kind::Title && simplify(&lines[i].1).contains('在');
        if broken && !is_speech_title(&lines[i].1) && is_speech_title(&joined) {
            lines[i].1 = joined;
            lines.remove(i + 1);
        }
        i += 1;
    }
    // A header at the top of a compilation (`<职务><姓名>在…上的讲话（…）`,
    // also over lines) is `split`'s, which finds it anywhere; so is a text
    // with no head.
    let speaker_before_speech = lines
        .windows(2)
        .any(|w| w[0].0 == Kind::Speaker && w[1].0 == Kind::Title && simplify(&w[1].1).starts_with('在'));
    if lines.is_empty() || speaker_before_speech || lines.iter().any(|(k, _, _)| *k == Kind::Compilation) {
        return (None, segments);
    }
    let Some((header, used)) = make_header(&lines) else {
        // Only title-like lines and no title chosen: leave them to the body.
        if lines.iter().all(|(k, _, _)| *k == Kind::Title) {
            return (None, segments);
        }
        // Labels, captions, kickers and no title: not the text either.
        let body = segments.split_off(start);
        removed.extend(lines.into_iter().map(|(kind, text, line)| {
            let reason = if kind == Kind::Label { "section label" } else { "page head" };
            Removed { reason, text, line }
        }));
        return (None, body);
    };
    let body = segments.split_off(start);
    // Every head line is accounted for: those read into the header make up
    // its text (reported with it), the others are reported here.
    for (n, (kind, text, line)) in lines.iter().enumerate() {
        if !used.contains(&n) {
            let reason = match kind {
                Kind::Label => "section label",
                Kind::Kicker => "kicker or subheadline",
                _ => "page head",
            };
            removed.push(Removed { reason, text: text.clone(), line: *line });
        }
    }
    (Some(header), body)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Title,
    /// `——在…上的讲话`.
    Subtitle,
    Dateline,
    /// An office and a name, a name, or an office alone.
    Speaker,
    Office,
    /// `胡春华在…上强调`: a kicker over a headline.
    Kicker,
    /// `重要讲话`, `【…】`, `履职·心声`.
    Label,
    /// A header `split` reads (an office and name before `在…讲话`, dated).
    Compilation,
    Other,
}

fn classify(text: &str) -> Kind {
    static KICKER: OnceLock<Regex> = OnceLock::new();
    let kicker = KICKER.get_or_init(|| {
        Regex::new(r"^\p{Han}{2,4}在.{2,40}(上|时|期间)(强调|指出|表示|要求|提出)$").expect("valid regex")
    });
    let n = text.chars().count();
    if is_dateline(text) {
        Kind::Dateline
    } else if text.starts_with("——") || text.starts_with("—") && text.contains("讲话") {
        Kind::Subtitle
    } else if split_office_name(text).is_some() {
        Kind::Speaker
    } else if is_office(text) {
        Kind::Office
    } else if kicker.is_match(text) {
        Kind::Kicker
    } else if text.starts_with('【') && text.ends_with('】') || n <= 5 || (n <= 13 && text.contains('·')) {
        Kind::Label
    } else if super::split::find_header(text)
        .is_some_and(|(start, _, h)| start == 0 && (h.dated.is_some() || h.name.is_some()))
    {
        Kind::Compilation
    } else if n <= 100 && !text.contains(['。', '！', '？', '；']) {
        Kind::Title
    } else {
        Kind::Other
    }
}

/// The first line of the text itself.
fn starts_text(text: &str) -> bool {
    static OPENING: OnceLock<Regex> = OnceLock::new();
    let opening = OPENING.get_or_init(|| {
        Regex::new(concat!(
            r"^(尊敬的|各位|同志们|女士们|先生们|亲爱的|朋友们)|^[^。，：:]{2,16}们[：:，,！!]",
            r"|^[一二三四五六七八九十]{1,3}、|^（[一二三四五六七八九十]{1,3}）",
            r"|^(本报|本刊|新华社|中新社|中新网|人民网|央广网)|^[^。，]{0,12}(讯|电)[（(\s]|^[^。，]{0,12}(讯|电)$|^[^。，]{0,20}日(讯|电)",
        ))
        .expect("valid regex")
    });
    let n = text.chars().count();
    let label = n <= 24 && (text.ends_with('：') || text.ends_with(':')) && !text.contains(['，', '。']);
    // Prose: a sentence, or a line of a page broken at a fixed width (with
    // commas or enumeration marks no title has).
    let prose = text.contains(['。', '！', '？']) && n >= 6
        || text.contains('，') && n >= 20
        || text.matches('、').count() >= 2 && n >= 20;
    opening.is_match(text) || label || prose
}

/// `2021年脱贫攻坚会议主持讲话3今天，县委…`, `在…上的讲话同志们：今天…`:
/// a title run into the first sentence; the byte offset where the text starts.
fn title_run_into_text(text: &str) -> Option<usize> {
    static RUN: OnceLock<Regex> = OnceLock::new();
    let re = RUN.get_or_init(|| {
        Regex::new(concat!(
            r"^[^。，！？：:；]{4,60}?(?:讲话|发言|主持词|主持讲话|讲话稿|发言稿|致辞|演讲稿|报告)(?:摘编|摘要)?\d{0,3}",
            r"(?:同志们|各位|尊敬的|今天|这次|刚才|当前|近年来|首先)",
        ))
        .expect("valid regex")
    });
    let m = re.find(text)?;
    let opener = ["同志们", "各位", "尊敬的", "今天", "这次", "刚才", "当前", "近年来", "首先"];
    let at = opener.iter().filter_map(|o| m.as_str().rfind(o)).max()?;
    Some(at)
}

/// `（2015年11月4日）`, `(2019年7月1日)`, `（2017年2月19，根据录音整理）`.
fn is_dateline(text: &str) -> bool {
    static DATELINE: OnceLock<Regex> = OnceLock::new();
    DATELINE
        .get_or_init(|| {
            Regex::new(r"^[（(]\s*(\d{4}\s*年[^（）()]{0,24}|[^（）()]{0,12}录音[^（）()]{0,12})[)）]$")
                .expect("valid regex")
        })
        .is_match(text)
}

/// A piece of a dateline broken over lines: `(`, `2021`, `年`, `5`, `日)`.
fn is_date_piece(text: &str) -> bool {
    let n = text.chars().count();
    (1..=6).contains(&n) && text.chars().all(|c| c.is_ascii_digit() || "年月日（）()".contains(c))
}

/// The header the head lines make: the title (the block before a
/// `——在…讲话` subtitle, else the last `在…讲话` line, else the first
/// headline), the speaker from an office and name line, the dateline.
fn make_header(lines: &[(Kind, String, usize)]) -> Option<(Header, Vec<usize>)> {
    let of = |kind: Kind| {
        lines.iter().enumerate().filter(move |(_, (k, _, _))| *k == kind).map(|(i, (_, t, _))| (i, t.as_str()))
    };
    let mut used = Vec::new();
    let subtitle = lines.iter().position(|(k, _, _)| *k == Kind::Subtitle);
    let title = match subtitle {
        Some(at) => {
            // The headline lines right before the subtitle, as one.
            let block: Vec<usize> =
                (0..at).rev().take_while(|&i| lines[i].0 == Kind::Title && lines[i].1.chars().count() > 4).collect();
            used.extend(&block);
            (!block.is_empty()).then(|| block.iter().rev().map(|&i| lines[i].1.as_str()).collect::<String>())
        }
        None => {
            let speeches: Vec<(usize, &str)> =
                of(Kind::Title).filter(|(_, t)| simplify(t).contains('在') && is_speech_title(t)).collect();
            let chosen = speeches.last().copied().or_else(|| of(Kind::Title).next());
            used.extend(chosen.map(|(i, _)| i));
            chosen.map(|(_, t)| t.to_string())
        }
    };
    used.extend(subtitle);
    let subtitle_text = subtitle.map(|at| lines[at].1.trim_start_matches('—').to_string());
    let dated = of(Kind::Dateline).next().map(|(i, d)| {
        used.push(i);
        let d: String = d.chars().filter(|c| !c.is_whitespace()).collect();
        d.replace('(', "（").replace(')', "）")
    });
    let mut office = of(Kind::Office).next().map(|(i, o)| {
        used.push(i);
        simplify(o)
    });
    let mut name = None;
    for (i, line) in of(Kind::Speaker) {
        if let Some((o, n)) = split_office_name(&simplify(line)) {
            used.push(i);
            name = Some(n);
            if !o.is_empty() {
                office = Some(o);
            }
        }
    }
    if title.is_none() && name.is_none() {
        return None;
    }
    used.sort_unstable();
    let text = used.iter().map(|&i| lines[i].1.as_str()).collect::<String>();
    let header = Header {
        text,
        prefix: String::new(),
        title: title.unwrap_or_default(),
        name,
        dated,
        posting: None,
        office,
        subtitle: subtitle_text,
    };
    Some((header, used))
}

/// `在…上的讲话`, `…主持词`: a speech's own title.
pub fn is_speech_title(text: &str) -> bool {
    static SPEECH: OnceLock<Regex> = OnceLock::new();
    SPEECH
        .get_or_init(|| {
            Regex::new(r"(讲话|发言|主持词|致辞|讲话稿|发言稿|演讲稿)(摘编|摘要)?\d{0,3}$").expect("valid regex")
        })
        .is_match(&simplify(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segments(lines: &[&str]) -> Vec<Segment> {
        lines.iter().enumerate().map(|(i, t)| Segment { text: t.to_string(), line: i + 1, hard: false }).collect()
    }

    fn head(lines: &[&str]) -> (Header, Vec<String>) {
        let (h, body) = read_head(segments(lines), &mut Vec::new());
        (h.expect("a header"), body.into_iter().map(|s| s.text).collect())
    }

    #[test]
    fn a_headline_then_the_text() {
        let (h, body) = head(&["全国先进事迹报告会在金寨举行", "10月21日，报告会在我省金寨县举行。"]);
        assert_eq!(h.title, "全国先进事迹报告会在金寨举行");
        assert_eq!(body.len(), 1);
    }

    #[test]
    fn a_title_over_three_lines_with_its_subtitle_speaker_and_dateline() {
        let (h, body) = head(&[
            "重要讲话",
            "精准统筹精准施策",
            "全力以赴推进精准扶贫",
            "取得更大成效",
            "——在罗平县精准扶贫工作推进会上的讲话",
            "吕品红",
            "（2015年11月4日）",
            "同志们：",
            "今天，县委、县政府决定召开推进会。",
        ]);
        assert_eq!(h.title, "精准统筹精准施策全力以赴推进精准扶贫取得更大成效");
        assert_eq!(h.subtitle.as_deref(), Some("在罗平县精准扶贫工作推进会上的讲话"));
        assert_eq!((h.name.as_deref(), h.dated.as_deref()), (Some("吕品红"), Some("（2015年11月4日）")));
        assert_eq!(body[0], "同志们：");
    }

    #[test]
    fn an_office_line_a_name_line_and_a_broken_dateline() {
        let (h, body) = head(&[
            "在全区脱贫攻坚大会上的讲话",
            "广西壮族自治区党委书记",
            "鹿心社",
            "(",
            "2021",
            "年",
            "5",
            "月",
            "7",
            "日)",
            "同志们:",
        ]);
        assert_eq!(h.title, "在全区脱贫攻坚大会上的讲话");
        assert_eq!(h.office.as_deref(), Some("广西壮族自治区党委书记"));
        assert_eq!(h.name.as_deref(), Some("鹿心社"));
        assert_eq!(h.dated.as_deref(), Some("（2021年5月7日）"));
        assert_eq!(body, ["同志们:"]);
    }

    #[test]
    fn of_two_speech_titles_the_second_is_the_documents() {
        let (h, _) = head(&[
            "在2018年全县脱贫攻坚工作推进会上的讲话",
            "在全县脱贫攻坚工作推进会上的讲话",
            "(2018年3月9日)",
            "同志们:",
        ]);
        assert_eq!(h.title, "在全县脱贫攻坚工作推进会上的讲话");
        assert_eq!(h.dated.as_deref(), Some("（2018年3月9日）"));
    }

    #[test]
    fn a_title_run_into_the_first_sentence_is_cut_off() {
        let (h, body) = head(&["2021年脱贫攻坚会议主持讲话3今天，县委、县政府决定召开全县大会。"]);
        assert_eq!(h.title, "2021年脱贫攻坚会议主持讲话3");
        assert_eq!(body, ["今天，县委、县政府决定召开全县大会。"]);
        let (h, body) = head(&["在全县摘帽部署大会上的讲话同志们：今天我们召开大会。"]);
        assert_eq!(h.title, "在全县摘帽部署大会上的讲话");
        assert_eq!(body, ["同志们：今天我们召开大会。"]);
    }

    #[test]
    fn captions_labels_and_kickers_are_not_titles() {
        let (h, body) = head(&[
            "【东西部扶贫座谈会发言材料】",
            "习近平：东西部扶贫协作须长期坚持",
            "中共中央总书记习近平20日在银川主持召开座谈会并发表重要讲话。",
        ]);
        assert_eq!(h.title, "习近平：东西部扶贫协作须长期坚持");
        assert_eq!(body.len(), 1);
        let (h, _) = head(&[
            "唐仁健在宕昌县主持召开推进会",
            "唐仁健在宕昌县推进会上强调",
            "较真碰硬「督」凝心聚力「战」",
            "甘肃日报宕昌讯（记者 金鑫）4月1日，省长唐仁健在宕昌县主持召开推进会。",
        ]);
        assert_eq!(h.title, "唐仁健在宕昌县主持召开推进会");
    }

    #[test]
    fn a_speaker_line_without_a_title() {
        let (h, body) = head(&["信陽市人民政府市長尚朝陽", "各位代表：", "現在，我代表市人民政府向大會報告工作。"]);
        assert_eq!(
            (h.title.as_str(), h.office.as_deref(), h.name.as_deref()),
            ("", Some("信阳市人民政府市长"), Some("尚朝阳"))
        );
        assert_eq!(body.len(), 2);
    }

    #[test]
    fn a_compilation_header_over_lines_is_left_to_split() {
        let lines = [
            "何邦军同志",
            "在全市市派单位联村包抓帮扶工作",
            "推进现场会上的讲话",
            "（2017年8月25日，根据录音整理）",
            "今天我们用一天时间来观摩、交流、研究市派部门联村包抓",
        ];
        let (h, body) = read_head(segments(&lines), &mut Vec::new());
        assert!(h.is_none());
        assert_eq!(body.len(), 5);
    }

    #[test]
    fn a_text_that_starts_at_once_has_no_head() {
        let (h, body) =
            read_head(segments(&["4月16日，市委常委会召开会议，听取我市脱贫攻坚工作汇报。"]), &mut Vec::new());
        assert!(h.is_none());
        assert_eq!(body.len(), 1);
    }
}
