//! Metadata of one document, detected from its header and body: title,
//! speaker and office, delivery date, occasion, kind, transcription,
//! placeholders and place. Each value records how it was found and with what
//! confidence; what cannot be found stays empty. Everything is matched on a
//! simplified copy of the text and written in simplified characters (a
//! traditional body keeps its script). Reprints are `similar`'s.

use std::sync::OnceLock;

use regex::Regex;
use serde::Serialize;

use super::people::{is_name, is_office, split_office_name};
use super::places_in_text::{locate, Clues};
use super::provenance::{find_date, SourceFacts};
use super::split::Header;
use crate::model::{Kind, PartialDate};
use crate::script::simplify;

/// What was detected for one document.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Meta {
    pub title: Option<String>,
    #[serde(serialize_with = "serialize_date")]
    pub date: Option<PartialDate>,
    pub speaker: Option<String>,
    pub speaker_title: Option<String>,
    pub city: Option<String>,
    pub province: Option<String>,
    pub county: Option<String>,
    pub occasion: Option<String>,
    #[serde(serialize_with = "serialize_kind")]
    pub kind: Option<Kind>,
    pub transcribed: bool,
    pub placeholders: bool,
    pub variant_of: Option<String>,
    pub source: SourceFacts,
    /// Values not printed with this text but known from elsewhere (a
    /// reprint's speaker, date or place taken from its original), as the
    /// content model's `supplied` names them: citations bracket them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub supplied: Vec<&'static str>,
    /// Field → (confidence 0–1, how it was found); the report lists these.
    #[serde(skip)]
    pub found: Vec<(&'static str, f32, String)>,
    /// Places the text names that fit more than one unit: for a human.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub place_candidates: Vec<String>,
}

impl Meta {
    fn set<T>(&mut self, field: &'static str, value: Option<T>, confidence: f32, how: &str) -> Option<T> {
        if value.is_some() {
            self.found.push((field, confidence, how.to_string()));
        }
        value
    }
}

/// A title taken apart: what it says, and what was printed around it.
#[derive(Debug, Default, PartialEq)]
struct Title {
    /// As it goes into the archive: simplified, without prefixes.
    text: String,
    office: Option<String>,
    name: Option<String>,
    /// A `某市领导` in place of the speaker.
    anonymous: bool,
    date: Option<PartialDate>,
    /// `胡春华：…`: the person a headline is about.
    subject: Option<String>,
}

/// Detects the metadata of one document. `body` is its cleaned text.
pub fn detect_meta(header: Option<&Header>, body: &str, source: &SourceFacts) -> Meta {
    let mut m = Meta { source: source.clone(), ..Meta::default() };
    let h = header.cloned().unwrap_or_default();
    let simple = simplify(body);
    let title = read_title(&h.title, &h.prefix);
    let salutation = opens_with_salutation(&simple);
    m.kind = Some(detect_kind(&title.text, &simple, salutation));
    m.found.push(("kind", 0.7, "title wording and the text's layout".into()));
    let kind = m.kind.unwrap_or(Kind::Speech);
    m.title = m.set("title", Some(title.text.clone()).filter(|t| !t.is_empty()), 0.9, "header");
    detect_speaker(&mut m, &h, &title, &simple, kind);
    m.transcribed = h.text.contains("录音");
    if m.transcribed {
        m.found.push(("transcribed", 0.95, "header says 根据录音整理".into()));
    }
    let redactions = count_placeholders(&simple);
    m.placeholders = redactions > 0;
    if m.placeholders {
        m.found.push(("placeholders", 0.8, format!("{redactions} redactions such as X, xx, 201x or 某某")));
    }
    detect_date(&mut m, &h, &title, &simple, kind);
    let occasion = h
        .subtitle
        .as_deref()
        .and_then(|s| occasion_of(&simplify(s)))
        .or_else(|| occasion_of(&title.text))
        .map(|o| (o, "title `在…上的讲话`"))
        .or_else(|| occasion_in_text(&title.text, &simple).map(|o| (o, "the meeting the text says was held")))
        .or_else(|| {
            let office = m.speaker_title.as_deref().or(h.office.as_deref()).or(title.office.as_deref());
            work_report(office.unwrap_or(""), &simple).map(|o| (o, "a government's work report to its congress"))
        });
    if let Some((occasion, how)) = occasion {
        m.occasion = m.set("occasion", Some(fast2s::convert(&occasion)), 0.7, how);
    }
    let clues = Clues {
        office: m.speaker_title.as_deref().or(h.office.as_deref()).or(title.office.as_deref()).unwrap_or(""),
        // A bulletin's issuing office, not a website's name.
        publisher: source
            .publisher
            .as_deref()
            .filter(|p| source.issue.is_some() || p.ends_with("办公室") || p.ends_with("办公厅"))
            .unwrap_or(""),
        title: &title.text,
        occasion: m.occasion.as_deref().unwrap_or(""),
        body: &simple,
        spoken: kind != Kind::Article,
    };
    let place = locate(&clues);
    m.county = m.set("county", place.county, place.confidence, &place.how);
    m.city = m.set("city", place.city, place.confidence, &place.how);
    m.province = m.set("province", place.province, place.confidence, &place.how);
    m.place_candidates = place.candidates;
    m
}

/// The title as the archive keeps it: simplified, without an outline
/// number, a date, a `姓名：` or `<职务><姓名>` before `在…讲话`, a site's
/// `（文+图）` or sequence number after it.
fn read_title(raw: &str, prefix: &str) -> Title {
    static PARTS: OnceLock<[Regex; 6]> = OnceLock::new();
    let [outline, date, subject, annotation, sequence, speech] = PARTS.get_or_init(|| {
        [
            Regex::new(r"^[一二三四五六七八九十]{1,3}、").expect("valid regex"),
            Regex::new(r"^(\d{4})年(\d{1,2})月(\d{1,2})日").expect("valid regex"),
            Regex::new(r"^(\p{Han}{2,4})[：:]").expect("valid regex"),
            Regex::new(r"[（(](文\+图|图\+文|图文|组图|图|视频|全文|附全文|附视频)[)）]$").expect("valid regex"),
            Regex::new(r"(讲话|发言|主持词|讲话稿|发言稿|演讲稿|致辞|报告|材料|范文)\d{1,3}$").expect("valid regex"),
            Regex::new(r"^(.{0,30}?)(在.{2,80}(?:讲话|发言|主持词|致辞)(?:摘编|摘要)?)$").expect("valid regex"),
        ]
    });
    let mut t = Title::default();
    let mut text: String = fast2s::convert(raw).chars().filter(|c| !c.is_whitespace()).collect();
    text = outline.replace(&text, "").into_owned();
    if let Some(c) = date.captures(&text) {
        t.date = PartialDate::parse(&format!("{}-{:0>2}-{:0>2}", &c[1], &c[2], &c[3])).ok();
        text = text[c.get(0).expect("match").end()..].to_string();
    }
    if let Some(c) = subject.captures(&text) {
        if is_name(&c[1]) {
            t.subject = Some(c[1].to_string());
            text = text[c.get(0).expect("match").end()..].to_string();
        }
    }
    text = annotation.replace(&text, "").into_owned();
    if let Some(c) = sequence.captures(&text) {
        // `2021年…主持讲话3`: a document site's listing; its year too.
        let end = c.get(1).expect("word").end();
        text.truncate(end);
        let year = text.get(..4).is_some_and(|y| y.bytes().all(|b| b.is_ascii_digit()));
        if year && text[4..].starts_with('年') && text.chars().count() > 8 {
            text = text[4 + '年'.len_utf8()..].to_string();
        }
    }
    let prefix = simplify(prefix);
    let (before, rest) = match speech.captures(&text) {
        Some(c) => (c[1].to_string(), c[2].to_string()),
        None => (String::new(), text.clone()),
    };
    let before = if before.is_empty() { prefix.trim_end_matches("同志").to_string() } else { before };
    if !before.is_empty() {
        if let Some((office, name)) = split_office_name(&before) {
            t.name = Some(name);
            t.office = Some(office).filter(|o| !o.is_empty());
        } else if before.contains('某') || before.contains("领导") && !is_office(&before) {
            t.anonymous = true;
        } else if is_office(&before) {
            t.office = Some(before.clone());
        } else if is_name(&before) {
            t.name = Some(before.clone());
        }
    }
    // A speaker's prefix goes; anything else before `在` is part of the title.
    t.text = if t.anonymous || t.name.is_some() || t.office.is_some() { rest } else { text };
    t
}

/// Who spoke, and in what office: the header's office and name, a name
/// printed after the title, the respondents of a Q&A. An article reports a
/// speech: its speaker is not the writer, so it has none.
fn detect_speaker(m: &mut Meta, h: &Header, title: &Title, body: &str, kind: Kind) {
    if kind == Kind::Article || title.anonymous {
        return;
    }
    if kind == Kind::Qa {
        let respondents = respondents(body);
        if !respondents.is_empty() {
            let names: Vec<&str> = respondents.iter().map(|(n, _)| n.as_str()).collect();
            m.speaker = m.set("speaker", Some(names.join("、")), 0.7, "the respondents named in the text");
            let offices: Vec<String> =
                respondents.iter().filter(|(_, o)| !o.is_empty()).map(|(n, o)| format!("{n}：{o}")).collect();
            let office = match (respondents.len(), offices.len()) {
                (1, 1) => Some(respondents[0].1.clone()),
                (_, 0) => office_in_body(body),
                _ => Some(offices.join("；")),
            };
            m.speaker_title = m.set("speaker_title", office, 0.6, "the respondents' offices in the text");
        }
        return;
    }
    let posted_author = h.posting.as_deref().and_then(author_of_posting);
    let name = title.name.clone().or_else(|| h.name_after.as_deref().map(simplify)).or(posted_author);
    m.speaker = m.set("speaker", name.map(|s| s.trim_end_matches("同志").to_string()), 0.9, "header");
    let office = title.office.clone().or_else(|| h.office.clone());
    m.speaker_title = m.set("speaker_title", office, 0.9, "header");
    if m.speaker_title.is_none() && m.speaker.is_some() {
        m.speaker_title = m.set("speaker_title", office_in_body(body), 0.6, "the speaker's `作为…` in the text");
    }
}

/// The people who answer in a Q&A: those the lead says answer questions
/// (`省长尹力回答有关提问`), then those whose name labels an answer
/// (`董良鸿：`), each once, in order, with the office printed before them.
fn respondents(body: &str) -> Vec<(String, String)> {
    static ANSWER: OnceLock<Regex> = OnceLock::new();
    static LABEL: OnceLock<Regex> = OnceLock::new();
    let answer = ANSWER.get_or_init(|| {
        Regex::new(r"(答记者问|回答[^。，]{0,8}提问|作主发布|回答[^。，]{0,6}问题)").expect("valid regex")
    });
    let label = LABEL.get_or_init(|| Regex::new(r"(?m)^([^。，：:\n]{2,30})[：:]").expect("valid regex"));
    let mut found: Vec<(String, String)> = Vec::new();
    // A label's office is as printed for the answer; a sentence's may be
    // longer or shorter.
    let mut add = |name: String, office: String| {
        if let Some(existing) = found.iter_mut().find(|(n, _)| *n == name) {
            if !office.is_empty() {
                existing.1 = office;
            }
        } else {
            found.push((name, office));
        }
    };
    let lead: String = body.chars().take(600).collect();
    for sentence in lead.split(['。', '！']) {
        if answer.is_match(sentence) {
            for (office, name) in named_people(sentence) {
                add(name, office);
            }
        }
    }
    for c in label.captures_iter(body) {
        let text = &c[1];
        if ["记者", "主持人", "发言人", "问", "答"].iter().any(|w| text.contains(w)) {
            continue;
        }
        if let Some((office, name)) = split_office_name(text) {
            add(name, office);
        }
    }
    found
}

/// `甘肃省委副书记、省长唐仁健，省委副书记孙伟介绍…` → the people named
/// after an office, with that office.
fn named_people(sentence: &str) -> Vec<(String, String)> {
    static PERSON: OnceLock<Regex> = OnceLock::new();
    let re = PERSON.get_or_init(|| {
        Regex::new(r"((?:[\p{Han}]{0,16}?(?:书记|省长|市长|县长|主席|主任|部长|局长|厅长|州长|区长|总理|委员))(?:、[\p{Han}]{0,12}?(?:书记|省长|市长|县长|主席|主任|部长|局长|厅长|州长|区长|委员))*)(\p{Han}{2,4})")
            .expect("valid regex")
    });
    let mut out = Vec::new();
    for c in re.captures_iter(sentence) {
        let office = c[1].trim_start_matches(['，', '、']).to_string();
        let run: Vec<char> = c[2].chars().collect();
        // The name is the shortest start of the run followed by a break.
        let after = &sentence[c.get(2).expect("name").start()..];
        let name = (2..=run.len().min(3)).map(|n| run[..n].iter().collect::<String>()).find(|n| {
            let next = after[n.len()..].chars().next();
            is_name(n) && next.is_none_or(|c| "，,、等作并回介答和与及：:（(".contains(c))
        });
        if let Some(name) = name {
            out.push((office, name));
        }
    }
    out
}

/// `作为县委书记，作为…第一责任人`: the speaker names their own office.
fn office_in_body(body: &str) -> Option<String> {
    static SELF: OnceLock<Regex> = OnceLock::new();
    let re = SELF.get_or_init(|| {
        Regex::new(r"作为(?:一名)?((?:县|区|市|州)委(?:副)?书记|(?:县|区|市)长)[，,。]").expect("valid regex")
    });
    re.captures(body).map(|c| c[1].to_string())
}

/// `作者：朱前明` in posting information names the speaker.
fn author_of_posting(posting: &str) -> Option<String> {
    let author = posting.rsplit_once("作者：")?.1;
    let name: String = author.chars().take_while(|c| crate::script::is_han(*c)).collect();
    is_name(&name).then_some(name)
}

/// `在全县脱贫攻坚工作会议上的讲话` → `全县脱贫攻坚工作会议`.
fn occasion_of(title: &str) -> Option<String> {
    static OCCASION: OnceLock<Regex> = OnceLock::new();
    let re = OCCASION.get_or_init(|| {
        Regex::new(r"^在(.{2,80}?)(?:上|时|期间)的?(?:主持讲话|主持词|讲话|发言|致辞|表态发言)").expect("valid regex")
    });
    re.captures(title).map(|c| c[1].to_string())
}

/// The meeting the title or the first paragraphs say was held: `X在…召开`,
/// `召开X`, `出席X时`, `<机构>在…举行X` (the organiser's X), `在<县>召开X`,
/// `<机构>召开会议` (`市委常委会召开会议` → 市委常委会会议).
fn occasion_in_text(title: &str, body: &str) -> Option<String> {
    static HELD: OnceLock<[Regex; 5]> = OnceLock::new();
    let meeting = r"(?:会议|大会|座谈会|推进会|现场会|论坛|发布会|见面会|报告会|研讨会|培训班|开幕式|动员会|部署会|调度会|表彰会|会)";
    let [held_at, organiser, convened, attended, body_met] = HELD.get_or_init(|| {
        [
            Regex::new(&format!(r"([^，。；：“”的,]{{4,50}}?{meeting})(?:\d{{1,2}}日(?:至\d{{1,2}}日)?)?在[^，。；]{{1,20}}?(?:召开|举行|举办|开幕)")).expect("valid regex"),
            Regex::new(&format!(r"((?:国务院新闻办公室|国新办|[\p{{Han}}]{{2,12}}(?:办公室|政府|委员会|领导小组)))(?:在[^，。；]{{1,12}}?)?(?:举行|召开|举办)“?([^，。；“”]{{4,40}}?{meeting})")).expect("valid regex"),
            Regex::new(&format!(r"(?:在(\p{{Han}}{{2,6}}(?:县|区|旗)))?(?:主持)?(?:召开|举行|举办)(?:了)?“?([^，。；、“”]{{6,50}}?{meeting})”?")).expect("valid regex"),
            Regex::new(&format!(r"出席([^，。；、“”]{{4,50}}?(?:{meeting}|开幕式|仪式))(?:时|并)")).expect("valid regex"),
            Regex::new(r"(?:^|[，。；])(\p{Han}{1,12}?(?:常委会|常务会|党组|领导小组|委员会))(?:召开|举行)(?:了)?会议").expect("valid regex"),
        ]
    });
    let lead: String = body.split('\n').next().unwrap_or("").chars().take(400).collect();
    for text in [lead.as_str(), title] {
        if let Some(c) = held_at.captures(text) {
            return Some(strip_date(&c[1]));
        }
        if let Some(c) = organiser.captures(text) {
            return Some(format!("{}{}", &c[1], &c[2]));
        }
        if let Some(c) = convened.captures(text) {
            let place = c.get(1).map_or("", |p| p.as_str());
            return Some(format!("{place}{}", &c[2]));
        }
        if let Some(c) = attended.captures(text) {
            return Some(c[1].to_string());
        }
        if let Some(c) = body_met.captures(text) {
            return Some(format!("{}会议", &c[1]));
        }
    }
    None
}

/// `我代表市人民政府，向大会报告工作` by `信阳市人民政府市长`: a government
/// work report, delivered to the people's congress of the government's
/// unit (`信阳市人民代表大会会议`), which the office names.
fn work_report(office: &str, body: &str) -> Option<String> {
    let lead: String = body.chars().take(300).collect();
    if !(lead.contains("向大会报告") && lead.contains("人民政府")) {
        return None;
    }
    let (unit, _) = office.split_once("人民政府")?;
    (unit.chars().count() >= 2).then(|| format!("{unit}人民代表大会会议"))
}

/// `12月7日2018年…`, `新华社郑州10月16日电全国…` → `2018年…`, `全国…`: a
/// lead's date or dispatch line is not the meeting's name.
fn strip_date(text: &str) -> String {
    static DATE: OnceLock<Regex> = OnceLock::new();
    let re = DATE.get_or_init(|| {
        Regex::new(
            r"^([^，。]{0,16}?(\d{1,2}月)?\d{1,2}日(电|讯)|[^，。]{0,12}讯)?((\d{1,2}月)?\d{1,2}日(上午|下午|晚)?)?",
        )
        .expect("valid regex")
    });
    re.replace(text, "").into_owned()
}

/// `同志们：`, `各位代表：`, `尊敬的…：`: a text addressed to its audience.
fn opens_with_salutation(body: &str) -> bool {
    static SALUTATION: OnceLock<Regex> = OnceLock::new();
    let re = SALUTATION.get_or_init(|| {
        Regex::new(r"^(尊敬的[^。\n]{0,80}|各位[^。\n]{0,60}|[^。，\n]{0,20}同志们|女士们、?先生们|[^。，\n]{2,16}们)[：:，,！!]")
            .expect("valid regex")
    });
    re.is_match(body.trim_start())
}

/// What sort of text it is. Hosting remarks by their title or a host's
/// wording; an excerpt by its title or its numbered points; a Q&A by its
/// question and answer labels; a speech by its salutation or its title;
/// an article by a reporter's wording.
fn detect_kind(title: &str, body: &str, salutation: bool) -> Kind {
    static HOST: OnceLock<Regex> = OnceLock::new();
    static REPORT: OnceLock<Regex> = OnceLock::new();
    static LABELS: OnceLock<Regex> = OnceLock::new();
    static POINT: OnceLock<Regex> = OnceLock::new();
    let host = HOST.get_or_init(|| {
        Regex::new(r"第[一二三四五六七八九十]项议程|议程[：:，]|出席今天会议的|参加今天会议的还有|现在开会|会议到此结束|散会|请大家以热烈的掌声").expect("valid regex")
    });
    let report = REPORT.get_or_init(|| {
        Regex::new(r"(会议|他|她|\p{Han}{2,3})(指出|强调|表示|要求|说|称)[，：:]|出席[^。]{0,20}并(讲话|致辞)|主持召开|主持会议|本报讯|本报[\p{Han}\d]{0,6}讯|[\p{Han}]{0,8}网讯|日电|记者\s?\p{Han}{2,3}|会见了?|参加调研|会议由|会上[，,]|(参加|出席)了?会议|(他|她)(要求|强调|指出|说)").expect("valid regex")
    });
    let labels = LABELS.get_or_init(|| {
        Regex::new(r"(?m)^([^。，：:\n]{0,20}(记者|主持人|发言人)|问|答|[^。，：:\n]{0,16}\p{Han}{2,3})[：:]")
            .expect("valid regex")
    });
    let point = POINT.get_or_init(|| Regex::new(r"(?m)^\d{1,2}\.\p{Han}").expect("valid regex"));
    if title.contains("主持词") || title.contains("主持讲话") || title.contains("主持稿") {
        return Kind::Remarks;
    }
    if ["摘编", "摘要", "摘录", "节选"].iter().any(|w| title.contains(w)) {
        return Kind::Excerpt;
    }
    // Labels of turns: a reporter's or host's, or one that is a name.
    let question_labels = labels
        .captures_iter(body)
        .filter(|c| {
            let label = &c[1];
            c.get(2).is_some() || label == "问" || label == "答" || split_office_name(label).is_some()
        })
        .count();
    let qa_title = ["答记者问", "问答", "新闻发布会", "记者见面会", "记者会", "实录"].iter().any(|w| title.contains(w));
    if question_labels >= 2 || question_labels >= 1 && qa_title || is_compilation(title) {
        return Kind::Qa;
    }
    if host.find_iter(body).count() >= 2 {
        return Kind::Remarks;
    }
    if !salutation && point.find_iter(body).count() >= 3 && super::head::is_speech_title(title) {
        return Kind::Excerpt;
    }
    if salutation {
        return Kind::Speech;
    }
    let lead: String = body.chars().take(800).collect();
    let reporting = report.find_iter(&lead).count();
    let speaking = lead.matches("我们").count() + lead.matches("我").count() / 2;
    if super::head::is_speech_title(title) && reporting < 3 {
        return Kind::Speech;
    }
    if reporting >= 2 || reporting >= 1 && speaking == 0 {
        Kind::Article
    } else {
        Kind::Speech
    }
}

/// `脱贫攻坚100问`, `…问答汇编`: a compilation of questions and answers.
fn is_compilation(title: &str) -> bool {
    static COMPILATION: OnceLock<Regex> = OnceLock::new();
    let re = COMPILATION.get_or_init(|| Regex::new(r"\d+问|问答(汇编|手册)|百问|应知应会").expect("valid regex"));
    re.is_match(title)
}

/// Redactions: `X年`, `xx副县长`, `201x`, `20_`, `某某`, a lone `*` (`蔡锦*`;
/// `**` is emphasis); or two looser ones (`X月X日`, a lone `X`).
pub fn count_placeholders(body: &str) -> usize {
    static STRONG: OnceLock<Regex> = OnceLock::new();
    static PLACEHOLDER: OnceLock<Regex> = OnceLock::new();
    let strong = STRONG.get_or_init(|| {
        Regex::new(r"(?:^|[^A-Za-z])[xX×]{1,4}(?:同志|书记|副?县长|副?市长|副?区长|副?主任|局长|年|户|人|万|%)|20\d?[_xX×]|某某|(?:^|[^*])\*(?:[^*]|$)")
            .expect("valid regex")
    });
    let re = PLACEHOLDER.get_or_init(|| {
        Regex::new(r"×+|[xX]{2,4}年|[xX]{1,2}月[xX]{1,2}日|(?:^|[^A-Za-z+])X+(?:[^A-Za-z+]|$)").expect("valid regex")
    });
    let strong = strong.find_iter(body).count();
    let loose = re.find_iter(body).count();
    if strong > 0 {
        strong + loose
    } else if loose >= 2 {
        loose
    } else {
        0
    }
}

/// The delivery date: a dated line in parentheses, a date or year in the
/// title, and for a report or a Q&A the date its lead gives the event
/// (completed with the year of the page's own date when it is printed the
/// same month or just after; a run of days keeps only the month). Never
/// the page's posting date itself, but for a compilation (`…100问`), whose
/// date is when it was compiled.
fn detect_date(m: &mut Meta, h: &Header, title: &Title, body: &str, kind: Kind) {
    static TODAY: OnceLock<Regex> = OnceLock::new();
    static YEAR: OnceLock<Regex> = OnceLock::new();
    if let Some(date) = h.dated.as_deref().map(simplify).as_deref().and_then(date_in_parenthesis) {
        m.date = m.set("date", Some(date), 0.95, "dated header");
        return;
    }
    if let Some(date) = title.date {
        m.date = m.set("date", Some(date), 0.9, "date in the title");
        return;
    }
    let posted = h.posting.as_deref().and_then(find_date).or(m.source.date);
    if matches!(kind, Kind::Article | Kind::Qa) {
        if let Some((date, how)) = lead_date(body, posted) {
            m.date = m.set("date", Some(date), 0.6, &how);
            return;
        }
    }
    // A compilation's date is when it was compiled: its posting date.
    if is_compilation(&title.text) && posted.is_some() {
        m.date = m.set("date", posted, 0.5, "a compilation's posting date");
        return;
    }
    let today = TODAY.get_or_init(|| Regex::new(r"今天(?:已经)?是(\d{1,2})月(\d{1,2})日").expect("valid regex"));
    if let (Some(c), Some(year)) = (today.captures(body), posted.map(|d| d.year)) {
        let date = PartialDate::parse(&format!("{year}-{:0>2}-{:0>2}", &c[1], &c[2])).ok();
        let how = format!("`{}` in the text, year of the posting date", &c[0]);
        m.date = m.set("date", date, 0.5, &how);
        return;
    }
    let year = YEAR.get_or_init(|| Regex::new(r"^在(\d{4})年").expect("valid regex"));
    if let Some(c) = year.captures(&title.text) {
        m.date = m.set("date", PartialDate::parse(&c[1]).ok(), 0.7, "year in the title");
    }
}

/// The date of the event a report's lead tells of: in the first sentences,
/// one that gives a date (not a dispatch line's) and says a meeting was
/// held, attended, discussed. The year from that sentence (`2018年全市…大会`)
/// or else from the page's date, when the event falls up to 45 days before
/// it; the month from the page's date when only a day is printed.
fn lead_date(body: &str, posted: Option<PartialDate>) -> Option<(PartialDate, String)> {
    static DATE: OnceLock<Regex> = OnceLock::new();
    static EVENT: OnceLock<Regex> = OnceLock::new();
    static YEAR: OnceLock<Regex> = OnceLock::new();
    static DISPATCH: OnceLock<Regex> = OnceLock::new();
    let date = DATE.get_or_init(|| {
        Regex::new(r"(?:(\d{4})年)?(?:(\d{1,2})月)?(\d{1,2})日(?:至(?:\d{1,2}月)?(\d{1,2})日)?").expect("valid regex")
    });
    let event = EVENT.get_or_init(|| {
        Regex::new(r"召开|举行|举办|开幕|出席|主持|会见|讨论|调研|考察|视察|座谈|发布会|会议|讲话|报告会")
            .expect("valid regex")
    });
    let year_re = YEAR.get_or_init(|| Regex::new(r"(\d{4})年").expect("valid regex"));
    let dispatch = DISPATCH.get_or_init(|| Regex::new(r"^(电|讯)").expect("valid regex"));
    let lead: String = body.chars().take(400).collect();
    for sentence in lead.split(['。', '！', '？', '\n']).take(4) {
        if !event.is_match(sentence) {
            continue;
        }
        let Some(c) =
            date.captures_iter(sentence).find(|c| !dispatch.is_match(&sentence[c.get(0).expect("m").end()..]))
        else {
            continue;
        };
        let day: u8 = c[3].parse().ok()?;
        let month: Option<u8> = c.get(2).and_then(|m| m.as_str().parse().ok());
        let range = c.get(4).is_some();
        let year: Option<i32> = c.get(1).and_then(|y| y.as_str().parse().ok()).or_else(|| {
            year_re.captures(sentence).and_then(|y| y[1].parse().ok()).filter(|y| (1990..2100).contains(y))
        });
        let (year, month, how) = match (year, month, posted) {
            (Some(y), Some(mo), _) => (y, mo, "the date the lead gives the event"),
            (y, mo, Some(p)) => {
                let (pm, pd) = (p.month?, p.day?);
                let mo = mo.unwrap_or(pm);
                // The event falls on or before the page's date, within weeks.
                let before = (mo, day) <= (pm, pd) || mo + 1 == pm;
                if !before || pm.checked_sub(mo)? > 1 {
                    continue;
                }
                (y.unwrap_or(p.year), mo, "the lead's month and day, the page's year")
            }
            _ => continue,
        };
        let text = if range { format!("{year}-{month:0>2}") } else { format!("{year}-{month:0>2}-{day:0>2}") };
        return PartialDate::parse(&text).ok().map(|d| (d, format!("{how} (`{}`)", &c[0])));
    }
    None
}

/// `（2017年2月19，根据录音整理）` → 2017-02-19; `（2017年5月）` → 2017-05.
fn date_in_parenthesis(text: &str) -> Option<PartialDate> {
    static DATE: OnceLock<Regex> = OnceLock::new();
    let re = DATE.get_or_init(|| Regex::new(r"(\d{4})年(?:(\d{1,2})月(?:(\d{1,2})日?)?)?").expect("valid regex"));
    let c = re.captures(text)?;
    let mut date = c[1].to_string();
    for part in [c.get(2), c.get(3)].into_iter().flatten() {
        date.push_str(&format!("-{:0>2}", part.as_str()));
    }
    PartialDate::parse(&date).ok()
}

pub fn serialize_date<S: serde::Serializer>(date: &Option<PartialDate>, s: S) -> Result<S::Ok, S::Error> {
    date.map(|d| d.to_string()).serialize(s)
}

fn serialize_kind<S: serde::Serializer>(kind: &Option<Kind>, s: S) -> Result<S::Ok, S::Error> {
    kind.map(Kind::key).serialize(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_lose_what_was_printed_around_them() {
        let t = read_title("區長在全區扶貧攻堅動員大會上的講話", "");
        assert_eq!(
            (t.text.as_str(), t.office.as_deref(), t.name),
            ("在全区扶贫攻坚动员大会上的讲话", Some("区长"), None)
        );
        let t = read_title("某市领导在精准扶贫行动协调会议上的讲话", "");
        assert_eq!((t.text.as_str(), t.anonymous), ("在精准扶贫行动协调会议上的讲话", true));
        let t = read_title("一、2020 年 3 月 6 日习近平在决战决胜脱贫攻坚座谈会上的讲话", "");
        assert_eq!(t.text, "在决战决胜脱贫攻坚座谈会上的讲话");
        assert_eq!((t.name.as_deref(), t.date.map(|d| d.to_string())), (Some("习近平"), Some("2020-03-06".into())));
        let t = read_title("胡春華:堅決打贏易地扶貧搬遷攻堅戰", "");
        assert_eq!((t.text.as_str(), t.subject.as_deref()), ("坚决打赢易地扶贫搬迁攻坚战", Some("胡春华")));
        assert_eq!(read_title("國新辦在蘭州舉行新聞發佈會實錄(文+圖)", "").text, "国新办在兰州举行新闻发布会实录");
        assert_eq!(read_title("2021年脱贫攻坚会议主持讲话3", "").text, "脱贫攻坚会议主持讲话");
        assert_eq!(read_title("扶貧講話發言稿1", "").text, "扶贫讲话发言稿");
        assert_eq!(read_title("在2018年全县摘帽部署大会上的讲话", "").text, "在2018年全县摘帽部署大会上的讲话");
        let t = read_title("在全县工作会上的讲话", "县委书记钟益民");
        assert_eq!((t.office.as_deref(), t.name.as_deref()), (Some("县委书记"), Some("钟益民")));
    }

    #[test]
    fn kinds_by_title_and_layout() {
        let speech = "同志们：\n今天我们召开全县大会。";
        assert_eq!(detect_kind("", speech, true), Kind::Speech);
        assert_eq!(detect_kind("脱贫攻坚会议主持讲话", "今天，县委决定召开大会。", false), Kind::Remarks);
        let report = "5月4日下午，市委召开推进大会。会议强调，要狠抓落实。市委书记全桂寿出席并讲话。";
        assert_eq!(detect_kind("", report, false), Kind::Article);
        let qa = "中央电视台记者：\n请问有什么感受？\n董良鸿：\n很高兴和大家交流。";
        assert_eq!(detect_kind("国新办举行记者见面会", qa, false), Kind::Qa);
        let host = "出席今天会议的领导有：…\n今天的会议共有两项议程：\n首先，进行会议第一项议程：请汇报。";
        assert_eq!(detect_kind("", host, true), Kind::Remarks);
        let points = "1.党的十八大以来，我们坚持。\n2.目前看，脱贫进度符合预期。\n3.今年任务完成后。";
        assert_eq!(detect_kind("在座谈会上的讲话", points, false), Kind::Excerpt);
        assert_eq!(
            detect_kind("在县领导小组会议上的讲话", "一、清醒认识形势\n我们按照部署开展了工作。", false),
            Kind::Speech
        );
    }

    #[test]
    fn a_reports_lead_dates_its_event() {
        let posted = PartialDate::parse("2020-09-10").ok();
        let d = |body: &str, p| lead_date(body, p).map(|(d, _)| d.to_string());
        assert_eq!(d("9月9日上午，国务院新闻办公室在成都举行发布会。", posted).as_deref(), Some("2020-09-09"));
        assert_eq!(d("12月7日，2018年江西省工作电视电话会议在南昌召开。", None).as_deref(), Some("2018-12-07"));
        assert_eq!(
            d("新华社郑州10月16日电 现场会15日至16日在南阳市召开。", PartialDate::parse("2018-10-16").ok()).as_deref(),
            Some("2018-10")
        );
        assert_eq!(d("4月16日，市委常委会召开会议。", None), None, "no year anywhere");
        assert_eq!(
            d("“我们脱贫啦！”11月20日，自治区政府批准8个县退出。", PartialDate::parse("2020-11-23").ok()),
            None,
            "no meeting"
        );
        assert_eq!(
            d("6月2日下午，大会隆重举行。", PartialDate::parse("2021-09-03").ok()),
            None,
            "months before the page"
        );
    }

    #[test]
    fn respondents_of_a_press_conference() {
        let body = "9月9日上午，国务院新闻办公室举行发布会。省委书记彭清华作主发布并回答媒体记者提问，省委副书记、省长尹力回答有关提问。\n中央电视台记者：请问？\n彭清华：感谢你。";
        let r = respondents(body);
        assert_eq!(r, [("彭清华".to_string(), "省委书记".to_string()), ("尹力".into(), "省委副书记、省长".into())]);
    }

    #[test]
    fn placeholders_are_counted_but_real_letters_are_not() {
        assert!(count_placeholders("xx副县长通报了情况") > 0);
        assert!(count_placeholders("截止201x年底，我市有x户") > 0);
        assert!(count_placeholders("我于20_年7月到村") > 0);
        assert!(count_placeholders("市委书记蔡锦*，市长") > 0);
        assert_eq!(count_placeholders("“支部+x+贫困户”和GDP、PPT、X光"), 0);
    }

    #[test]
    fn occasions_from_the_lead_and_from_a_work_report() {
        let o = |body: &str| occasion_in_text("", body);
        assert_eq!(o("4月16日，市委常委会召开会议，传达精神。").as_deref(), Some("市委常委会会议"));
        assert_eq!(o("县扶贫开发领导小组召开会议，研究工作。").as_deref(), Some("县扶贫开发领导小组会议"));
        assert_eq!(o("4月16日，市委召开会议，传达精神。"), None, "no body that met");
        let report = "各位代表：\n现在，我代表市人民政府，向大会报告工作，请予审议。";
        assert_eq!(work_report("信阳市人民政府市长", report).as_deref(), Some("信阳市人民代表大会会议"));
        assert_eq!(work_report("市长", report), None, "the office names no unit");
        assert_eq!(work_report("信阳市人民政府市长", "同志们：\n今天召开全市大会。"), None);
    }

    #[test]
    fn dates_keep_their_precision() {
        assert_eq!(date_in_parenthesis("（2017年2月19，根据录音整理）").unwrap().to_string(), "2017-02-19");
        assert_eq!(date_in_parenthesis("（2017年5月）").unwrap().to_string(), "2017-05");
        assert_eq!(date_in_parenthesis("（根据录音整理）"), None);
    }

    #[test]
    fn a_header_gives_title_speaker_date_occasion_kind() {
        let h = Header {
            text: "县委书记钟益民在全县脱贫攻坚工作会上的讲话（2017年2月19，根据录音整理）".into(),
            prefix: "县委书记钟益民".into(),
            title: "在全县脱贫攻坚工作会上的讲话".into(),
            dated: Some("（2017年2月19，根据录音整理）".into()),
            ..Header::default()
        };
        let m = detect_meta(
            Some(&h),
            "同志们：\n拖累进贤人民，我们都是进贤人。全县上下，进贤县要。",
            &SourceFacts::default(),
        );
        assert_eq!(m.speaker.as_deref(), Some("钟益民"));
        assert_eq!(m.speaker_title.as_deref(), Some("县委书记"));
        assert_eq!(m.date.unwrap().to_string(), "2017-02-19");
        assert_eq!(m.occasion.as_deref(), Some("全县脱贫攻坚工作会"));
        assert_eq!(m.kind, Some(Kind::Speech));
        assert!(m.transcribed);
        assert_eq!(m.county.as_deref(), Some("进贤县"));
        assert_eq!((m.city.as_deref(), m.province.as_deref()), (Some("南昌市"), Some("江西省")));
    }
}
