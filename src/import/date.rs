//! The delivery date of a document: a dated line in parentheses, a date
//! or year in the title, the date a report's lead gives its event, a
//! compilation's posting date; never the page's posting date itself.
//! Dates in posting information are `provenance`'s (`find_date`).

use std::sync::OnceLock;

use regex::Regex;

use super::kind::is_compilation;
use super::meta::Meta;
use super::provenance::find_date;
use super::split::Header;
use super::title::Title;
use crate::model::{Kind, PartialDate};
use crate::script::simplify;

/// The delivery date: a dated line in parentheses, a date or year in the
/// title, and for a report or a Q&A the date its lead gives the event
/// (completed with the year of the page's own date when it is printed the
/// same month or just after; a run of days keeps only the month). Never
/// the page's posting date itself, but for a compilation (`…100问`), whose
/// date is when it was compiled.
pub fn detect_date(m: &mut Meta, h: &Header, title: &Title, body: &str, kind: Kind) {
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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn dates_keep_their_precision() {
        assert_eq!(date_in_parenthesis("（2017年2月19，根据录音整理）").unwrap().to_string(), "2017-02-19");
        assert_eq!(date_in_parenthesis("（2017年5月）").unwrap().to_string(), "2017-05");
        assert_eq!(date_in_parenthesis("（根据录音整理）"), None);
    }
}
