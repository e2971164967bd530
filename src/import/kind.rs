//! What sort of text a document is (speech, remarks, excerpt, Q&A,
//! article), from its title wording and its layout: a salutation, a
//! host's agenda, numbered points, question and answer labels, a
//! reporter's wording.

use std::sync::OnceLock;

use regex::Regex;

use super::people::split_office_name;
use crate::model::Kind;

/// `同志们：`, `各位代表：`, `尊敬的…：`: a text addressed to its audience.
pub fn opens_with_salutation(body: &str) -> bool {
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
pub fn detect_kind(title: &str, body: &str, salutation: bool) -> Kind {
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
pub fn is_compilation(title: &str) -> bool {
    static COMPILATION: OnceLock<Regex> = OnceLock::new();
    let re = COMPILATION.get_or_init(|| Regex::new(r"\d+问|问答(汇编|手册)|百问|应知应会").expect("valid regex"));
    re.is_match(title)
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
