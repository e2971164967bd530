//! The occasion a text was delivered at: the meeting its title names
//! (`在…上的讲话`), the one its title or lead says was held, or for a
//! government work report the people's congress it was delivered to.

use std::sync::OnceLock;

use regex::Regex;

/// `在全县脱贫攻坚工作会议上的讲话` → `全县脱贫攻坚工作会议`.
pub fn occasion_of(title: &str) -> Option<String> {
    static OCCASION: OnceLock<Regex> = OnceLock::new();
    let re = OCCASION.get_or_init(|| {
        Regex::new(r"^在(.{2,80}?)(?:上|时|期间)的?(?:主持讲话|主持词|讲话|发言|致辞|表态发言)").expect("valid regex")
    });
    re.captures(title).map(|c| c[1].to_string())
}

/// The meeting the first paragraph (its first 400 characters) or else the
/// title says was held: `X在…召开`, `召开X`, `出席X时`, `<机构>在…举行X`
/// (the organiser's X), `在<县>召开X`, `<机构>召开会议` (`市委常委会召开会议`
/// → 市委常委会会议).
pub fn occasion_in_text(title: &str, body: &str) -> Option<String> {
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
pub fn work_report(office: &str, body: &str) -> Option<String> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
