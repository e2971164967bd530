//! Citations of a document, in every form a reader or a reference manager
//! takes: GB/T 7714-2015 and Chicago (notes-bibliography, 17th ed.) as
//! text, BibTeX, CSL-JSON and RIS as records, and the page's Highwire
//! `citation_*` tags and schema.org JSON-LD. A neutral module: the render
//! stage shows them on the page, the download files carry the records.
//! Nothing here is invented: a value the content lacks is left out, and a
//! value the editor supplied (`supplied`) is marked `[ ]` where the style
//! has a way to say so.

mod records;
pub mod romanize;

pub use records::{bibtex, csl_json, highwire, json_ld, ris};

use crate::model::{Document, Kind, PartialDate, SourceKind};
use crate::words::{format_date, MONTHS};

/// The ready-made citations of one document.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Citation {
    /// GB/T 7714: the text before the access date, the access date (the
    /// build's day; a script puts the reader's), and the text after it.
    pub gbt7714: String,
    pub gbt7714_head: String,
    pub accessed: String,
    pub gbt7714_tail: String,
    /// GB/T 7714 of one paragraph: `{n}` stands for its number and
    /// `{accessed}` for the access date.
    pub gbt7714_paragraph: String,
    pub chicago: String,
    /// Chicago of one paragraph, `{n}` for its number.
    pub chicago_paragraph: String,
    pub bibtex: String,
}

/// Everything a citation needs besides the document.
pub struct Context<'a> {
    /// The document page's absolute URL.
    pub permalink: &'a str,
    /// The day of access: the build's.
    pub accessed: &'a str,
}

pub fn cite(doc: &Document, cx: &Context) -> Citation {
    let (head, location) = gbt7714_head(doc);
    let tail = format!(". {}.", cx.permalink);
    let paragraph = format!("{head}{location}, 第{{n}}段[{{accessed}}]. {}#p-{{n}}.", cx.permalink);
    let head = format!("{head}{location}[");
    let tail = format!("]{tail}");
    // The body romanises names, title and place: made once for both forms.
    let body = chicago_body(doc);
    let chicago = chicago_of(&body, cx.permalink);
    let chicago_paragraph = format!("{body}, par. {{n}}, {}#p-{{n}}.", cx.permalink);
    Citation {
        gbt7714: format!("{head}{}{tail}", cx.accessed),
        gbt7714_head: head,
        accessed: cx.accessed.to_string(),
        gbt7714_tail: tail,
        gbt7714_paragraph: paragraph,
        chicago,
        chicago_paragraph,
        bibtex: bibtex(doc, cx.permalink),
    }
}

/// `[x]` when the editor supplied `field`'s value, else `x`.
fn mark(doc: &Document, field: &str, text: String) -> String {
    if doc.curation.supplied(field) {
        format!("[{text}]")
    } else {
        text
    }
}

/// The GB/T 7714 type code: the source's, or EB for the archive's own page
/// when the text has no source to be a part of.
pub fn gbt_code(doc: &Document) -> &'static str {
    match doc.source.as_ref() {
        Some(s) if s.title.is_some() || s.kind == Some(SourceKind::Web) => s.kind.map_or("Z", SourceKind::gbt_code),
        _ => "EB",
    }
}

/// GB/T 7714-2015: the part of the text before the access date, and the
/// location within the source (`: 第二十二期`, `(2022-06-09)`), each in
/// the form the standard gives the source's kind:
/// - printed in a bulletin, compilation, book or report (析出文献, 4.2 and
///   8.1.2): `主要责任者. 题名: 讲话日期[类型/OL]//来源题名. 出版者, 年: 期次[引用日期]. URL.`
/// - an article in a newspaper or journal (连续出版物中的析出文献, 4.4):
///   `…[N/OL]. 报纸名, 出版日期(版次)[引用日期]. URL.`, `…[J/OL]. 刊名, 年(期)[引用日期]. URL.`
/// - a web page (电子资源, 4.8): `…[EB/OL]. 网站, 年(发布日期)[引用日期]. URL.`,
///   no `//`: a web page is not a part of a host work;
/// - no known source, the archive's own page: `…[EB/OL]. [引用日期]. URL.`
fn gbt7714_head(doc: &Document) -> (String, String) {
    let mut s = String::new();
    if !doc.speakers.is_empty() {
        let mut names: Vec<&str> = doc.speakers.iter().map(String::as_str).take(3).collect();
        if doc.speakers.len() > 3 {
            names.push("等");
        }
        s.push_str(&mark(doc, "speaker", names.join(", ")));
        s.push_str(". ");
    }
    s.push_str(&mark(doc, "title", doc.title.clone()));
    s.push_str(": ");
    s.push_str(&mark(doc, "date", format_date(&doc.date, "zh")));
    s.push_str(&format!("[{}/OL]", gbt_code(doc)));
    let Some(src) = doc.source.as_ref() else {
        return (format!("{s}. "), String::new());
    };
    let year = src.date.map(|d| d.year.to_string());
    match src.kind {
        Some(SourceKind::Web) => {
            let site = src.publisher.as_deref().or(src.title.as_deref());
            // 出版者, 出版年: the year only beside the site that published it.
            let published: Vec<String> =
                site.map(|p| [Some(p.to_string()), year].into_iter().flatten().collect()).unwrap_or_default();
            let updated = src.date.map(|d| format!("({d})")).unwrap_or_default();
            if published.is_empty() && updated.is_empty() {
                return (format!("{s}. "), String::new());
            }
            (format!("{s}. {}", published.join(", ")), updated)
        }
        Some(kind @ (SourceKind::Newspaper | SourceKind::Journal)) if src.title.is_some() => {
            let title = src.title.as_deref().unwrap_or_default();
            let date = match kind {
                SourceKind::Newspaper => src.date.map(|d| d.to_string()),
                _ => year,
            };
            let head: Vec<String> = std::iter::once(title.to_string()).chain(date).collect();
            (format!("{s}. {}", head.join(", ")), src.issue.as_deref().map(|i| format!("({i})")).unwrap_or_default())
        }
        _ => {
            let Some(title) = src.title.as_deref() else {
                return (format!("{s}. "), String::new());
            };
            s.push_str(&format!("//{title}. "));
            let publisher = src.publisher.as_deref().filter(|p| *p != title);
            let published: Vec<String> = publisher.map(str::to_string).into_iter().chain(year).collect();
            s.push_str(&published.join(", "));
            let location = match &src.issue {
                Some(issue) if published.is_empty() => issue.clone(),
                Some(issue) => format!(": {issue}"),
                None => String::new(),
            };
            (s, location)
        }
    }
}

/// `April 3, 2020`, `April 2020`, `2020`: Chicago's form.
pub fn en_date(d: &PartialDate) -> String {
    match (d.month, d.day) {
        (Some(m), Some(day)) => format!("{} {day}, {}", MONTHS[m as usize - 1], d.year),
        (Some(m), None) => format!("{} {}", MONTHS[m as usize - 1], d.year),
        _ => d.year.to_string(),
    }
}

/// Chicago 17th ed., notes-bibliography, bibliography form (14.217 for
/// speeches, 14.107 and 11.83 for titles in Chinese: romanised title, the
/// characters, an English translation in brackets).
pub fn chicago(doc: &Document, permalink: &str) -> String {
    chicago_of(&chicago_body(doc), permalink)
}

/// Chicago from its body (`chicago_body`) and the page's URL.
fn chicago_of(body: &str, permalink: &str) -> String {
    format!("{body}. {permalink}.")
}

/// Chicago without its final URL and period.
fn chicago_body(doc: &Document) -> String {
    let mut parts: Vec<String> = Vec::new();
    if !doc.speakers.is_empty() {
        let names: Vec<String> = doc.speakers.iter().map(|n| format!("{} {n}", romanize::name(n))).collect();
        let names = match names.len() {
            1 => names[0].clone(),
            2 => format!("{} and {}", names[0], names[1]),
            _ => format!("{}, and {}", names[..names.len() - 1].join(", "), names[names.len() - 1]),
        };
        parts.push(mark(doc, "speaker", names));
    }
    let pinyin = doc.curation.title_pinyin.clone().unwrap_or_else(|| romanize::text(&doc.title));
    let mut title = format!("\u{201c}{pinyin}\u{201d} {}", doc.title);
    if let Some(en) = &doc.curation.title_en {
        title.push_str(&format!(" [{en}]"));
    }
    parts.push(mark(doc, "title", title));
    let mut event = vec![kind_word(doc.kind).to_string()];
    let place = place_en(doc);
    if !place.is_empty() {
        event.push(mark(doc, "place", place));
    }
    event.push(mark(doc, "date", en_date(&doc.date)));
    parts.push(event.join(", "));
    if let Some(container) = chicago_source(doc) {
        parts.push(container);
    }
    parts.join(". ")
}

fn kind_word(kind: Kind) -> &'static str {
    match kind {
        Kind::Speech => "Speech",
        Kind::Remarks => "Remarks as chair",
        Kind::Excerpt => "Excerpts of a speech",
        Kind::Qa => "Questions and answers",
        Kind::Article => "Article",
    }
}

/// `Ankang, Shaanxi`: where the text was delivered, in pinyin.
pub fn place_en(doc: &Document) -> String {
    let mut places = vec![romanize::place(&doc.city)];
    if let Some(p) = doc.province.as_deref().filter(|p| *p != doc.city) {
        places.push(romanize::place(p));
    }
    places.join(", ")
}

/// The source in Chicago's words: a periodical's title, issue and date; a
/// compilation or book as the volume the text is in; a web site with its
/// date.
fn chicago_source(doc: &Document) -> Option<String> {
    let src = doc.source.as_ref()?;
    let title = src.title.as_deref()?;
    let pinyin = src.title_pinyin.clone().unwrap_or_else(|| romanize::text(title));
    let mut name = format!("{pinyin} {title}");
    if let Some(en) = &src.title_en {
        name.push_str(&format!(" [{en}]"));
    }
    let date = src.date.map(|d| en_date(&d));
    let publisher = src.publisher.as_deref().filter(|p| *p != title);
    Some(match src.kind {
        Some(SourceKind::Bulletin | SourceKind::Journal | SourceKind::Newspaper) => {
            let issue = src.issue.as_deref().map(|i| match chinese_number(i) {
                Some(n) => format!(", no. {n}"),
                None => format!(", {i}"),
            });
            let date = date.map(|d| format!(" ({d})")).unwrap_or_default();
            format!("Printed in {name}{}{date}", issue.unwrap_or_default())
        }
        Some(SourceKind::Web) => {
            let date = date.map(|d| format!(", {d}")).unwrap_or_default();
            format!("Reposted on {name}{date}")
        }
        _ => {
            let publisher = publisher.map(|p| format!("{} {p}", romanize::text(p)));
            let year = src.date.map(|d| d.year.to_string());
            let published: Vec<String> = publisher.into_iter().chain(year).collect();
            let issue = src.issue.as_deref().map(|i| format!(", {i}")).unwrap_or_default();
            if published.is_empty() {
                format!("In {name}{issue}")
            } else {
                format!("In {name}{issue}. {}", published.join(", "))
            }
        }
    })
}

/// `第二十二期` → 22, `第3期` → 3.
fn chinese_number(issue: &str) -> Option<u32> {
    let inner = issue.strip_prefix('第')?.strip_suffix('期')?;
    if let Ok(n) = inner.parse() {
        return Some(n);
    }
    let digit = |c: char| "零一二三四五六七八九".chars().position(|d| d == c).map(|d| d as u32);
    let (mut total, mut current) = (0u32, 0u32);
    for c in inner.chars() {
        match c {
            '十' => {
                total += current.max(1) * 10;
                current = 0;
            }
            '百' => {
                total += current.max(1) * 100;
                current = 0;
            }
            c => current = digit(c)?,
        }
    }
    Some(total + current)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue_numbers_in_chinese_are_read() {
        assert_eq!(chinese_number("第二十二期"), Some(22));
        assert_eq!(chinese_number("第十期"), Some(10));
        assert_eq!(chinese_number("第一百零五期"), Some(105));
        assert_eq!(chinese_number("第3期"), Some(3));
        assert_eq!(chinese_number("增刊"), None);
    }

    fn doc(front: &str) -> Document {
        let text = format!("---\n{front}\n---\n\n正文。\n");
        crate::load::parse_document(std::path::Path::new("content/speeches/a.md"), &text, &[]).unwrap()
    }

    const CX: Context = Context { permalink: "https://example.org/speeches/a/", accessed: "2026-12-04" };

    #[test]
    fn a_speech_in_a_bulletin_is_cited_as_a_part_of_it() {
        let d = doc("title: 在全市驻村帮扶干部培训班上的讲话\ndate: 2020-04-03\nspeaker: 何邦军\ncity: 安康市\nprovince: 陕西省\ntitle_pinyin: Zai quanshi zhucun bangfu ganbu peixunban shang de jianghua\ntitle_en: Speech at the municipal training course\nsource:\n  title: 安政通报\n  kind: bulletin\n  title_pinyin: An zheng tongbao\n  issue: 第二十二期\n  publisher: 安康市人民政府办公室\n  date: 2020-04-15");
        let c = cite(&d, &CX);
        assert_eq!(c.gbt7714, "何邦军. 在全市驻村帮扶干部培训班上的讲话: 2020年4月3日[A/OL]//安政通报. 安康市人民政府办公室, 2020: 第二十二期[2026-12-04]. https://example.org/speeches/a/.");
        assert_eq!(c.chicago, "He Bangjun 何邦军. \u{201c}Zai quanshi zhucun bangfu ganbu peixunban shang de jianghua\u{201d} 在全市驻村帮扶干部培训班上的讲话 [Speech at the municipal training course]. Speech, Ankang, Shaanxi, April 3, 2020. Printed in An zheng tongbao 安政通报, no. 22 (April 15, 2020). https://example.org/speeches/a/.");
        assert_eq!(
            c.gbt7714_paragraph.replace("{n}", "7").replace("{accessed}", "2027-01-01"),
            "何邦军. 在全市驻村帮扶干部培训班上的讲话: 2020年4月3日[A/OL]//安政通报. 安康市人民政府办公室, 2020: 第二十二期, 第7段[2027-01-01]. https://example.org/speeches/a/#p-7."
        );
    }

    /// The standard's own worked examples (程根伟 and OCLC as the
    /// gbt7714-bibtex-style project's tests print them; 韩吉人, the
    /// standard's example of a paper in a 汇编), taken apart
    /// only where the archive differs on purpose: the speech date is the
    /// title's other information (题名: 其他题名信息), the text is cited
    /// online (/OL, then [引用日期]. URL), and the content model has no host
    /// editors, place of publication or pages, so those are left out.
    #[test]
    fn the_standards_worked_examples_give_the_shape() {
        let cx = Context { permalink: "https://example.org/speeches/a/", accessed: "2012-12-10" };
        let online = |example: &str, date: &str, code: &str| {
            example.replacen(&format!("[{code}]"), &format!(": {date}[{code}/OL]"), 1).trim_end_matches('.').to_string()
                + "[2012-12-10]. https://example.org/speeches/a/."
        };
        // A part of a book (析出文献): 程根伟. 1998年长江洪水的成因与减灾对策[M]//许厚泽, 赵其国. 长江流域洪涝灾害与科技对策. 北京: 科学出版社, 1999: 32-36.
        let example = "程根伟. 1998年长江洪水的成因与减灾对策[M]//许厚泽, 赵其国. 长江流域洪涝灾害与科技对策. 北京: 科学出版社, 1999: 32-36.";
        let shaped = example.replace("许厚泽, 赵其国. ", "").replace("北京: ", "").replace(": 32-36", "");
        let d = doc("title: 1998年长江洪水的成因与减灾对策\ndate: 1998\nspeaker: 程根伟\ncity: 北京市\nsource:\n  title: 长江流域洪涝灾害与科技对策\n  kind: book\n  publisher: 科学出版社\n  date: 1999");
        assert_eq!(cite(&d, &cx).gbt7714, online(&shaped, "1998年", "M"));
        // A paper in a compilation is the same with G (汇编): 韩吉人. 论职工教育的特点[G]//中国职工教育研究会. 职工教育研究论文集. 北京: 人民教育出版社, 1985: 90-99.
        let example =
            "韩吉人. 论职工教育的特点[G]//中国职工教育研究会. 职工教育研究论文集. 北京: 人民教育出版社, 1985: 90-99.";
        let shaped = example.replace("中国职工教育研究会. ", "").replace("北京: ", "").replace(": 90-99", "");
        let d = doc("title: 论职工教育的特点\ndate: 1985-03\nspeaker: 韩吉人\ncity: 北京市\nsource:\n  title: 职工教育研究论文集\n  kind: compilation\n  publisher: 人民教育出版社\n  date: 1985");
        assert_eq!(cite(&d, &cx).gbt7714, online(&shaped, "1985年3月", "G"));
        // A web resource with no update date: the access date alone in [ ].
        let example = "Online Computer Library Center, Inc. About OCLC: History of cooperation[EB/OL]. [2012-03-27]. http://www.oclc.org/about/cooperation.en.html.";
        let shaped = example.replace("History of cooperation", "2012年3月").replace(
            "[2012-03-27]. http://www.oclc.org/about/cooperation.en.html",
            "[2012-12-10]. https://example.org/speeches/a/",
        );
        let d = doc("title: About OCLC\ndate: 2012-03\nspeaker: \"Online Computer Library Center, Inc\"\ncity: 北京市");
        assert_eq!(cite(&d, &cx).gbt7714, shaped);

        // Examples cited online: the archive's access date and URL stand in
        // the example's, and the speech date follows the title.
        let ours = |example: &str, date: &str, code: &str, tail: &str| {
            example
                .replacen(&format!("[{code}/OL]"), &format!(": {date}[{code}/OL]"), 1)
                .replace(tail, "[2012-12-10]. https://example.org/speeches/a/.")
        };
        // A web page is no part of a host work (电子资源, no `//`): its
        // date of publication in ( ), then the access date.
        let example = "萧钰. 出版业信息化迈入快车道[EB/OL]. (2001-12-19)[2002-04-15]. http://www.creader.com/news/20011219/200112190019.html.";
        let d = doc("title: 出版业信息化迈入快车道\ndate: 2001-12\nspeaker: 萧钰\ncity: 北京市\nsource:\n  kind: web\n  date: 2001-12-19");
        let tail = "[2002-04-15]. http://www.creader.com/news/20011219/200112190019.html.";
        assert_eq!(cite(&d, &cx).gbt7714, ours(example, "2001年12月", "EB", tail));
        // With the site named, it stands as the publisher, with the year
        // (4.8.1: 出版者, 出版年(更新或修改日期)).
        let d = doc("title: 出版业信息化迈入快车道\ndate: 2001-12\nspeaker: 萧钰\ncity: 北京市\nsource:\n  title: 华夏快递\n  kind: web\n  date: 2001-12-19");
        let named = example.replace(". (2001-12-19)", ". 华夏快递, 2001(2001-12-19)");
        assert_eq!(cite(&d, &cx).gbt7714, ours(&named, "2001年12月", "EB", tail));
        // An article in a newspaper (连续出版物中的析出文献): the paper's
        // title, its date and the page (版次) in ( ), no `//`.
        let example = "傅刚, 赵承, 李佳路. 大风沙过后的思考[N/OL]. 北京青年报, 2000-04-12(14)[2005-07-12]. http://www.bjyouth.com.cn/Bqb/20000412/GB/4216%5ED0412B1401.htm.";
        let d = doc("title: 大风沙过后的思考\ndate: 2000-04\nspeaker: [傅刚, 赵承, 李佳路]\ncity: 北京市\nkind: article\nsource:\n  title: 北京青年报\n  kind: newspaper\n  issue: \"14\"\n  date: 2000-04-12");
        let tail = "[2005-07-12]. http://www.bjyouth.com.cn/Bqb/20000412/GB/4216%5ED0412B1401.htm.";
        assert_eq!(cite(&d, &cx).gbt7714, ours(example, "2000年4月", "N", tail));
        // An article in a journal: 刊名, 年(期).
        let example =
            "李炳穆. 韩国图书馆法[J/OL]. 图书情报工作, 2008(6)[2013-10-25]. http://www.docin.com/p-400265742.html.";
        let d = doc("title: 韩国图书馆法\ndate: 2008\nspeaker: 李炳穆\ncity: 北京市\nkind: article\nsource:\n  title: 图书情报工作\n  kind: journal\n  issue: \"6\"\n  date: 2008");
        let tail = "[2013-10-25]. http://www.docin.com/p-400265742.html.";
        assert_eq!(cite(&d, &cx).gbt7714, ours(example, "2008年", "J", tail));
    }

    #[test]
    fn supplied_values_are_bracketed_and_no_author_is_invented() {
        let d = doc("title: 关于扶贫攻坚的论述（片段，无标题）\ndate: 2013\ncity: 遵义市\nprovince: 贵州省\nkind: article\nsupplied: [title, date, place]\nsource:\n  title: 脱贫攻坚讲话整理\n  kind: compilation\n  publisher: 天天文库\n  date: 2017-08-04");
        let c = cite(&d, &CX);
        assert_eq!(c.gbt7714, "[关于扶贫攻坚的论述（片段，无标题）]: [2013年][G/OL]//脱贫攻坚讲话整理. 天天文库, 2017[2026-12-04]. https://example.org/speeches/a/.");
        assert!(c.chicago.starts_with("[\u{201c}Guan yu fu pin gong jian de lun shu (pian duan, wu biao ti)\u{201d} 关于扶贫攻坚的论述（片段，无标题）]. Article, [Zunyi, Guizhou], [2013]. In Tuo pin gong jian jiang hua zheng li 脱贫攻坚讲话整理. Tian tian wen ku 天天文库, 2017. https://"), "{}", c.chicago);
        // A text with no source is the archive's own web page.
        let d = doc("title: 讲话\ndate: 2020-01\nspeaker: 王德佳\ncity: 锦州市\nsupplied: date");
        assert_eq!(
            cite(&d, &CX).gbt7714,
            "王德佳. 讲话: [2020年1月][EB/OL]. [2026-12-04]. https://example.org/speeches/a/."
        );
    }
}
