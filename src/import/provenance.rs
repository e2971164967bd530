//! Where an input was printed or found, read from the chrome `lines` set
//! aside: a bulletin's masthead (name, issue, publisher, date), a website's
//! name and posting date, an upload's title. Fills `source`, with the sort
//! of publication that chrome marks (a masthead: a bulletin; a site's
//! breadcrumb, copyright or upload line: the web, which `import_file` makes
//! a compilation when the file holds several documents); never the
//! delivery date.

use std::sync::OnceLock;

use regex::Regex;

use super::lines::{upload_title, Removed};
use crate::model::{PartialDate, SourceKind};

/// What the chrome of one input says about its source.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct SourceFacts {
    pub title: Option<String>,
    pub issue: Option<String>,
    pub publisher: Option<String>,
    #[serde(serialize_with = "super::meta::serialize_date")]
    pub date: Option<PartialDate>,
    /// The raw file's name and the SHA-256 of its bytes.
    pub raw: Option<String>,
    pub raw_sha256: Option<String>,
    /// The distribution list (主送, 抄送), one entry per addressee line;
    /// lines broken in print are joined to the entry they continue.
    pub distribution: Vec<String>,
    /// The sort of publication, as its chrome shows it; `None` when the
    /// file has no chrome to tell.
    #[serde(serialize_with = "serialize_kind")]
    pub kind: Option<SourceKind>,
}

fn serialize_kind<S: serde::Serializer>(kind: &Option<SourceKind>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(kind.map_or("", SourceKind::key))
}

/// Reads the source facts of one input from its removed chrome.
pub fn read_source(removed: &[Removed]) -> SourceFacts {
    let mut facts = SourceFacts::default();
    let mut site = None;
    let mut upload = None;
    let mut masthead = false;
    for r in removed {
        let text = r.text.as_str();
        match r.reason {
            "masthead" => {
                masthead = true;
                read_masthead(text, &mut facts);
            }
            "breadcrumb" => site = site.or_else(|| site_of_breadcrumb(text)),
            "copyright" => site = site.or_else(|| site_of_copyright(text)),
            "upload information" => {
                if let Some(title) = upload_title(text) {
                    let name = text.rsplit(['-', '—']).next().map(str::trim).filter(|s| is_site_name(s));
                    site = site.or(name.map(str::to_string));
                    upload = Some(title);
                }
            }
            "posting information" if facts.date.is_none() => facts.date = find_date(text),
            "distribution list" => match facts.distribution.last_mut() {
                Some(last) if !text.starts_with("主送") && !text.starts_with("抄送") => last.push_str(text),
                _ => facts.distribution.push(text.to_string()),
            },
            _ => {}
        }
    }
    if facts.title.is_none() {
        facts.title = match (&site, &upload) {
            // An uploaded file's own title; the site that hosts it is the publisher.
            (Some(_), Some(u)) => Some(u.clone()),
            (Some(s), None) => Some(s.clone()),
            _ => None,
        };
    }
    facts.kind = if masthead || !facts.distribution.is_empty() {
        Some(SourceKind::Bulletin)
    } else if site.is_some() || upload.is_some() {
        Some(SourceKind::Web)
    } else {
        None
    };
    if facts.publisher.is_none() {
        facts.publisher = site;
    }
    facts
}

fn read_masthead(text: &str, facts: &mut SourceFacts) {
    static PUBLISHER: OnceLock<Regex> = OnceLock::new();
    let publisher = PUBLISHER.get_or_init(|| {
        Regex::new(r"^(\p{Han}{2,20}(?:办公室|办公厅|人民政府|委员会|编辑部))(.*)$").expect("valid regex")
    });
    if text.starts_with('第') && text.ends_with('期') {
        facts.issue.get_or_insert_with(|| text.to_string());
    } else if let Some(c) = publisher.captures(text) {
        facts.publisher.get_or_insert_with(|| c[1].to_string());
        if facts.date.is_none() {
            facts.date = find_date(&c[2]);
        }
    } else if let Some(date) = find_date(text) {
        facts.date.get_or_insert(date);
    } else {
        facts.title.get_or_insert_with(|| text.to_string());
    }
}

/// `当前位置:九力公文网>专题范文 > …` → `九力公文网`.
fn site_of_breadcrumb(text: &str) -> Option<String> {
    let rest = text.split_once('：').map_or(text, |(_, r)| r);
    let site = rest.split(['>', '＞', '›']).next()?.trim();
    (is_site_name(site) && site != "首页" && site != "首頁").then(|| site.to_string())
}

/// `版权所有:九力公文网 2013-2024 …` → `九力公文网`.
fn site_of_copyright(text: &str) -> Option<String> {
    let rest = text.split_once("版权所有：")?.1;
    let site: String = rest.chars().take_while(|c| crate::script::is_han(*c)).collect();
    is_site_name(&site).then_some(site)
}

/// 2 to 20 Han characters: a site's or a publisher's name (a person's is
/// `people::is_name`).
fn is_site_name(text: &str) -> bool {
    let n = text.chars().count();
    (2..=20).contains(&n) && text.chars().all(crate::script::is_han)
}

/// The first full date in `text`: `2020年4月15日`, `2017-04-30`, and the
/// day-first `05.06.2016` of some sites (5 June).
pub fn find_date(text: &str) -> Option<PartialDate> {
    static DATE: OnceLock<Regex> = OnceLock::new();
    let re = DATE.get_or_init(|| {
        Regex::new(
            r"(\d{4})(?:年|-|/)(\d{1,2})(?:月|-|/)(\d{1,2})|(?:^|[^\d.])(\d{1,2})\.(\d{1,2})\.(\d{4})(?:$|[^\d.])",
        )
        .expect("valid regex")
    });
    let c = re.captures(text)?;
    let date = match c.get(1) {
        Some(_) => format!("{}-{:0>2}-{:0>2}", &c[1], &c[2], &c[3]),
        None => format!("{}-{:0>2}-{:0>2}", &c[6], &c[5], &c[4]),
    };
    PartialDate::parse(&date).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn removed(items: &[(&'static str, &str)]) -> Vec<Removed> {
        items.iter().map(|(reason, text)| Removed { reason, text: text.to_string(), line: 1 }).collect()
    }

    #[test]
    fn posting_dates_in_every_form() {
        let d = |t: &str| find_date(t).map(|d| d.to_string());
        assert_eq!(d("时间：2017-04-30 10:19").as_deref(), Some("2017-04-30"));
        assert_eq!(d("2021年06月03日11:01 来源：天津日报").as_deref(), Some("2021-06-03"));
        assert_eq!(d("05.06.2016  05:44").as_deref(), Some("2016-06-05"));
        assert_eq!(d("第1.2.3条"), None);
    }

    #[test]
    fn a_bulletin_masthead() {
        let facts = read_source(&removed(&[
            ("masthead", "安政通报"),
            ("masthead", "第二十二期"),
            ("masthead", "安康市人民政府办公室"),
            ("masthead", "2020年4月15日"),
        ]));
        assert_eq!(facts.title.as_deref(), Some("安政通报"));
        assert_eq!(facts.issue.as_deref(), Some("第二十二期"));
        assert_eq!(facts.publisher.as_deref(), Some("安康市人民政府办公室"));
        assert_eq!(facts.date.unwrap().to_string(), "2020-04-15");
        assert_eq!(facts.kind, Some(SourceKind::Bulletin));
    }

    #[test]
    fn a_website_and_an_upload() {
        let facts = read_source(&removed(&[
            ("breadcrumb", "当前位置：九力公文网>专题范文>公文范文"),
            ("posting information", "时间：2022-06-09 13:30:02公文范文来源：网友投稿"),
        ]));
        assert_eq!((facts.title.as_deref(), facts.publisher.as_deref()), (Some("九力公文网"), Some("九力公文网")));
        assert_eq!(facts.date.unwrap().to_string(), "2022-06-09");
        assert_eq!(facts.kind, Some(SourceKind::Web));
        let facts = read_source(&removed(&[
            ("upload information", "《脱贫攻坚讲话整理》由会员上传分享，免费在线阅读，更多相关内容在应用文档-天天文库"),
            ("posting information", "时间：2017-08-04"),
        ]));
        assert_eq!(facts.title.as_deref(), Some("脱贫攻坚讲话整理"));
        assert_eq!(facts.publisher.as_deref(), Some("天天文库"));
        assert_eq!(facts.kind, Some(SourceKind::Web), "a compilation only when it holds several documents");
        assert_eq!(read_source(&[]).kind, None, "no chrome, nothing to tell");
    }
}
