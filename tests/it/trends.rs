//! A phrase through time: the per-year counts of the library's `trend`
//! (which the page's chart mirrors) against a scan of the text, and in
//! headless Chromium the chart, its table, its CSV and the year click.

use std::time::Duration;

use speech_archive::search::{self, Filters, Trend};

use crate::search::{corpus, results, search_url, served, Corpus};

/// Per year from the first to the last of the archive: documents passing
/// `keep`, and per phrase of `q` the documents of those that match it and
/// their occurrences, by a scan.
/// Per year: the year, its documents, and per phrase (documents, occurrences).
type Rows = Vec<(i32, usize, Vec<(usize, usize)>)>;

fn scanned_trend(c: &Corpus, q: &str, keep: impl Fn(usize) -> bool) -> Rows {
    let (first, last) = (*c.years.iter().min().unwrap(), *c.years.iter().max().unwrap());
    let phrases = search::phrases(q);
    (first..=last)
        .map(|year| {
            let docs: Vec<usize> = (0..c.texts.len()).filter(|&d| c.years[d] == year && keep(d)).collect();
            let counts = phrases
                .iter()
                .map(|phrase| {
                    let mut found = (0, 0);
                    for &d in &docs {
                        let per_term: Vec<usize> = phrase.iter().map(|t| c.occurrences(d, t).0).collect();
                        if per_term.iter().all(|&n| n > 0) {
                            found.0 += 1;
                            found.1 += per_term.iter().sum::<usize>();
                        }
                    }
                    found
                })
                .collect();
            (year, docs.len(), counts)
        })
        .collect()
}

fn rows(trend: &Trend) -> Rows {
    trend.years.iter().map(|y| (y.year, y.documents, y.counts.clone())).collect()
}

fn facet_docs(c: &Corpus, key: &str, slug: &str) -> Vec<usize> {
    let facet = c.index.facets.iter().find(|f| f.key == key).unwrap();
    facet.terms.iter().find(|t| t.slug == slug).unwrap().docs.clone()
}

#[test]
fn per_year_counts_of_fifty_random_queries_equal_a_scan() {
    let c = corpus();
    let samples = c.samples(70, 0x7e4d);
    // Forty single substrings, and ten comparisons of three.
    let mut queries: Vec<String> = samples[..40].to_vec();
    queries.extend(samples[40..].chunks(3).map(|w| w.join(", ")));
    assert_eq!(queries.len(), 50);
    let mut compared = 0;
    for q in &queries {
        let trend = search::trend(&c.index, q, &Filters::default());
        assert_eq!(rows(&trend), scanned_trend(&c, q, |_| true), "query `{q}`");
        assert_eq!(trend.phrases.len(), search::phrases(q).len());
        compared += (trend.phrases.len() > 1) as usize;
    }
    assert!(compared >= 10, "comparisons were counted: {compared}");
}

#[test]
fn the_trend_applies_every_filter_but_the_years() {
    let c = corpus();
    let speeches = facet_docs(&c, "kind", "speech");
    let filters = Filters(
        [("kind".to_string(), vec!["speech".to_string()]), ("year".to_string(), vec!["2017".to_string()])]
            .into_iter()
            .collect(),
    );
    for q in ["扶贫", "精准扶贫, 乡村振兴", "两不愁三保障", "驻村 帮扶"] {
        let trend = search::trend(&c.index, q, &filters);
        let expected = scanned_trend(&c, q, |d| speeches.contains(&d));
        assert_eq!(rows(&trend), expected, "query `{q}`");
        if q == "扶贫" {
            let years = trend.years.iter().filter(|y| y.counts[0].0 > 0).count();
            assert!(years > 1, "the year's filter is not applied: {years} years");
        }
    }
    // Years without documents are in the trend, as gaps.
    let trend = search::trend(&c.index, "扶贫", &Filters::default());
    let years: Vec<i32> = trend.years.iter().map(|y| y.year).collect();
    assert_eq!(years, (2013..=2020).collect::<Vec<_>>());
    assert_eq!(trend.years.iter().find(|y| y.year == 2014).unwrap().documents, 0);
}

// ---- in the browser ----

/// The trend table as shown: per row, its cells' text.
const TABLE: &str = "Array.from(document.querySelectorAll('#trend-table tbody tr')).map(r => Array.from(r.children).map(c => c.textContent))";

fn expected_table(trend: &Trend, mode: &str) -> Vec<Vec<String>> {
    trend
        .years
        .iter()
        .map(|y| {
            let mut row = vec![y.year.to_string(), y.documents.to_string()];
            row.extend(y.counts.iter().map(|&(docs, occurrences)| match mode {
                "occurrences" => occurrences.to_string(),
                "share" if y.documents == 0 => "—".to_string(),
                "share" => format!("{:.1}%", 100.0 * docs as f64 / y.documents as f64),
                _ => docs.to_string(),
            }));
            row
        })
        .collect()
}

#[test]
#[ignore = "needs chromium; run by scripts/test"]
fn the_chart_its_table_and_csv_match_the_library_and_a_year_click_filters_the_results() {
    let c = corpus();
    let (_site, server, browser) = served(&[], "/");
    let tab = browser.new_tab();
    tab.set_viewport(1280, 900);
    let q = "精准扶贫，乡村振兴";
    tab.goto(&search_url(&server, q, "&trend=documents"));
    results(&tab);
    tab.wait_for("document.getElementById('search-trend').dataset.state === 'done'", Duration::from_secs(10));
    let trend = search::trend(&c.index, q, &Filters::default());
    assert_eq!(trend.phrases, ["精准扶贫", "乡村振兴"]);
    let shown: Vec<Vec<String>> = serde_json::from_value(tab.eval(TABLE)).unwrap();
    assert_eq!(shown, expected_table(&trend, "documents"));
    // The chart draws a column per phrase and year with documents, as tall
    // as its number, and a group per year.
    let columns = tab.eval("document.querySelectorAll('#trend-chart svg rect.col').length");
    let nonzero = trend.years.iter().flat_map(|y| &y.counts).filter(|c| c.0 > 0).count();
    assert_eq!(columns, nonzero as u64);
    assert_eq!(tab.eval("document.querySelectorAll('#trend-chart svg g[data-year]').length"), trend.years.len() as u64);

    // The measure switches, and the URL says which.
    for mode in ["occurrences", "share"] {
        tab.eval(&format!("document.querySelector('#search-trend input[value={mode}]').click(); true"));
        tab.wait_for(&format!("location.search.includes('trend={mode}')"), Duration::from_secs(10));
        let shown: Vec<Vec<String>> = serde_json::from_value(tab.eval(TABLE)).unwrap();
        assert_eq!(shown, expected_table(&trend, mode), "{mode}");
    }

    // The CSV holds every measure of every phrase.
    let csv = tab.eval("fetch(document.getElementById('trend-csv').href).then(r => r.text())");
    let lines: Vec<&str> = csv.as_str().unwrap().trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines.len(), 1 + trend.years.len());
    assert!(
        lines[0].starts_with("年份,当年文稿,精准扶贫 文稿数,精准扶贫 出现次数,精准扶贫 占当年文稿比例,乡村振兴 文稿数"),
        "{}",
        lines[0]
    );
    for (line, y) in lines[1..].iter().zip(&trend.years) {
        let mut expected = vec![y.year.to_string(), y.documents.to_string()];
        for &(docs, occurrences) in &y.counts {
            let share =
                if y.documents == 0 { String::new() } else { format!("{:.4}", docs as f64 / y.documents as f64) };
            expected.extend([docs.to_string(), occurrences.to_string(), share]);
        }
        assert_eq!(*line, expected.join(","));
    }

    // A click on a year's column filters the results to that year; the
    // chart still shows every year, and the table marks the one chosen.
    tab.eval("document.getElementById('search-app').dataset.state = 'stale'; document.querySelector('#trend-chart g[data-year=\"2017\"] rect.hit').dispatchEvent(new MouseEvent('click', {bubbles: true})); true");
    let filtered = results(&tab);
    let filters = Filters([("year".to_string(), vec!["2017".to_string()])].into_iter().collect());
    let expected: Vec<String> =
        search::search(&c.index, q, &filters).iter().map(|h| format!("/{}", c.url(h.doc))).collect();
    assert!(!expected.is_empty());
    assert_eq!(filtered, expected);
    tab.wait_for("location.search.includes('year=2017')", Duration::from_secs(10));
    assert_eq!(
        tab.eval("document.querySelector('#trend-table button[data-year=\"2017\"]').getAttribute('aria-pressed')"),
        "true"
    );
    let shown: Vec<Vec<String>> = serde_json::from_value(tab.eval(TABLE)).unwrap();
    assert_eq!(shown, expected_table(&trend, "share"), "the chart keeps every year");
    // The table's button does it by keyboard: pressed again, the filter is off.
    tab.eval("document.getElementById('search-app').dataset.state = 'stale'; document.querySelector('#trend-table button[data-year=\"2017\"]').click(); true");
    assert_eq!(results(&tab).len(), search::search(&c.index, q, &Filters::default()).len());
    tab.wait_for("!location.search.includes('year=')", Duration::from_secs(10));

    // The shared URL opens the chart as it was left.
    let url = tab.eval("location.href");
    let other = browser.new_tab();
    other.goto(url.as_str().unwrap());
    results(&other);
    other.wait_for("document.getElementById('search-trend').dataset.state === 'done'", Duration::from_secs(10));
    assert_eq!(other.eval("document.querySelector('#search-trend input[value=share]').checked"), true);
    let shown: Vec<Vec<String>> = serde_json::from_value(other.eval(TABLE)).unwrap();
    assert_eq!(shown, expected_table(&trend, "share"));
}
