//! Who spoke, and in what office: from the title and the header, from
//! posting information, from the respondents a Q&A names, from the office
//! a speaker gives themselves in the text. Telling a name or an office
//! apart is `people`'s.

use std::sync::OnceLock;

use regex::Regex;

use super::meta::Meta;
use super::people::{is_name, split_office_name};
use super::split::Header;
use super::title::Title;
use crate::model::Kind;
use crate::script::simplify;

/// Who spoke, and in what office: the header's office and name, a name
/// printed after the title, the respondents of a Q&A. An article reports a
/// speech: its speaker is not the writer, so it has none.
pub fn detect_speaker(m: &mut Meta, h: &Header, title: &Title, body: &str, kind: Kind) {
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
    let name = title.name.clone().or_else(|| h.name.as_deref().map(simplify)).or(posted_author);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn respondents_of_a_press_conference() {
        let body = "9月9日上午，国务院新闻办公室举行发布会。省委书记彭清华作主发布并回答媒体记者提问，省委副书记、省长尹力回答有关提问。\n中央电视台记者：请问？\n彭清华：感谢你。";
        let r = respondents(body);
        assert_eq!(r, [("彭清华".to_string(), "省委书记".to_string()), ("尹力".into(), "省委副书记、省长".into())]);
    }
}
