//! Index stage: groups the archive's documents into facets (province, city,
//! county, year, theme, speaker, kind) and their terms, orders them, and
//! gives every term a stable slug and URL, and every document its URL. Pure functions of the archive;
//! no rendering and no I/O.

mod paginate;

use std::collections::BTreeMap;

use rayon::prelude::*;

pub use paginate::Paginator;

use crate::model::{Archive, Document, Kind};
use crate::places;
use crate::slug;

/// A document's page: `speeches/<slug>/`.
pub fn document_url(doc: &Document) -> String {
    format!("speeches/{}/", doc.slug)
}

/// What `city` says of a national speech.
pub const NATIONAL: &str = "全国";

/// Province-level names that may stand in `city` for a provincial speech.
const MUNICIPALITIES: [&str; 4] = ["北京市", "天津市", "上海市", "重庆市"];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FacetKey {
    Province,
    City,
    County,
    Year,
    Theme,
    Speaker,
    Kind,
}

impl FacetKey {
    pub const ALL: [FacetKey; 7] = [
        FacetKey::Province,
        FacetKey::City,
        FacetKey::County,
        FacetKey::Year,
        FacetKey::Theme,
        FacetKey::Speaker,
        FacetKey::Kind,
    ];

    pub fn key(self) -> &'static str {
        match self {
            FacetKey::Province => "province",
            FacetKey::City => "city",
            FacetKey::County => "county",
            FacetKey::Year => "year",
            FacetKey::Theme => "theme",
            FacetKey::Speaker => "speaker",
            FacetKey::Kind => "kind",
        }
    }

    /// The folder of the facet's pages, e.g. `cities`.
    pub fn dir(self) -> &'static str {
        match self {
            FacetKey::Province => "provinces",
            FacetKey::City => "cities",
            FacetKey::County => "counties",
            FacetKey::Year => "years",
            FacetKey::Theme => "themes",
            FacetKey::Speaker => "speakers",
            FacetKey::Kind => "kinds",
        }
    }

    pub fn url(self) -> String {
        format!("{}/", self.dir())
    }
}

/// One value of a facet and the documents that have it.
#[derive(Debug, Clone, PartialEq)]
pub struct Term {
    /// What readers see: `安康市`, `2020`, `speech`.
    pub name: String,
    pub slug: String,
    /// Indices into `Archive::documents`, newest first.
    pub docs: Vec<usize>,
    /// For a city, its province; for a county, its city (index into that facet).
    pub parent: Option<usize>,
}

impl Term {
    pub fn url(&self, facet: FacetKey) -> String {
        format!("{}/{}/", facet.dir(), self.slug)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Facet {
    pub key: FacetKey,
    /// In the facet's natural order: years newest first, kinds in model
    /// order, others by count then slug.
    pub terms: Vec<Term>,
}

/// Every facet, and for each document the terms it is listed under.
#[derive(Debug, Clone, PartialEq)]
pub struct Index {
    pub facets: Vec<Facet>,
    /// Per document: (facet, term index) pairs, in facet order.
    pub terms_of: Vec<Vec<(FacetKey, usize)>>,
}

impl Index {
    pub fn facet(&self, key: FacetKey) -> &Facet {
        &self.facets[key as usize]
    }
}

/// The province of a document: as given, else the city itself when it is a
/// province-level name (or 全国, which stands beside the provinces), else
/// the province the place table knows for the city, else unknown.
pub fn province_of(doc: &Document) -> Option<String> {
    if let Some(p) = &doc.province {
        return Some(p.clone());
    }
    if is_above_city(&doc.city) {
        return Some(doc.city.clone());
    }
    places::province_of(&doc.city).map(str::to_string)
}

/// Where a document was delivered, outermost first: `陕西省 › 安康市 › 平利县`.
pub fn place_path(doc: &Document) -> String {
    let province = province_of(doc).filter(|p| *p != doc.city);
    [province, Some(doc.city.clone()), doc.county.clone()].into_iter().flatten().collect::<Vec<_>>().join(" › ")
}

/// `city` names a province or the whole country: the document is listed on
/// that province's page, and on no city page.
fn is_above_city(city: &str) -> bool {
    city == NATIONAL
        || places::is_province(city)
        || city.ends_with('省')
        || city.ends_with("自治区")
        || MUNICIPALITIES.contains(&city)
}

/// A term's identity within its facet (counties are told apart by city).
fn identities(doc: &Document, key: FacetKey) -> Vec<(String, String)> {
    let same = |s: &str| (s.to_string(), s.to_string());
    match key {
        FacetKey::Province => province_of(doc).iter().map(|p| same(p)).collect(),
        FacetKey::City if is_above_city(&doc.city) || province_of(doc).as_deref() == Some(doc.city.as_str()) => {
            Vec::new()
        }
        FacetKey::City => vec![same(&doc.city)],
        FacetKey::County => doc.county.iter().map(|c| (format!("{}/{c}", doc.city), c.clone())).collect(),
        FacetKey::Year => vec![same(&doc.date.year.to_string())],
        FacetKey::Theme => doc.themes.iter().map(|t| same(t)).collect(),
        FacetKey::Speaker => doc.speakers.iter().map(|s| same(s)).collect(),
        FacetKey::Kind => vec![same(doc.kind.key())],
    }
}

/// Groups the archive into facets. Documents must be newest first (as
/// `Archive::new` orders them), so every term's list is newest first too.
/// Facets are grouped in parallel, and so are documents' term lists.
pub fn build_index(archive: &Archive) -> Index {
    let (mut facets, positions): (Vec<Facet>, Vec<BTreeMap<String, usize>>) =
        FacetKey::ALL.par_iter().map(|&key| group_by_facet(archive, key)).unzip();
    link_parents(archive, &mut facets, &positions);
    let terms_of = archive
        .documents
        .par_iter()
        .map(|doc| {
            FacetKey::ALL
                .iter()
                .flat_map(|&key| {
                    let pos = &positions[key as usize];
                    identities(doc, key).into_iter().map(move |(id, _)| (key, pos[&id]))
                })
                .collect()
        })
        .collect();
    Index { facets, terms_of }
}

/// One facet's terms in order, and each term's position by identity.
fn group_by_facet(archive: &Archive, key: FacetKey) -> (Facet, BTreeMap<String, usize>) {
    let mut found: BTreeMap<String, (String, Vec<usize>)> = BTreeMap::new();
    for (i, doc) in archive.documents.iter().enumerate() {
        for (id, name) in identities(doc, key) {
            found.entry(id).or_insert_with(|| (name, Vec::new())).1.push(i);
        }
    }
    let slugs = match key {
        FacetKey::Year | FacetKey::Kind => found.keys().map(|k| (k.clone(), k.clone())).collect(),
        _ => slug::assign_keyed(found.iter().map(|(id, (name, _))| (id.as_str(), name.as_str()))),
    };
    let mut terms: Vec<(String, Term)> = found
        .into_iter()
        .map(|(id, (name, docs))| {
            let slug = slugs[&id].clone();
            (id, Term { name, slug, docs, parent: None })
        })
        .collect();
    match key {
        FacetKey::Year => terms.sort_by(|a, b| b.1.name.cmp(&a.1.name)),
        FacetKey::Kind => terms.sort_by_key(|t| Kind::from_key(&t.1.name)),
        _ => terms.sort_by(|a, b| b.1.docs.len().cmp(&a.1.docs.len()).then_with(|| a.1.slug.cmp(&b.1.slug))),
    }
    let positions = terms.iter().enumerate().map(|(i, (id, _))| (id.clone(), i)).collect();
    (Facet { key, terms: terms.into_iter().map(|(_, t)| t).collect() }, positions)
}

/// Cities point at their province, counties at their city.
fn link_parents(archive: &Archive, facets: &mut [Facet], positions: &[BTreeMap<String, usize>]) {
    for doc in &archive.documents {
        let province = province_of(doc).and_then(|p| positions[FacetKey::Province as usize].get(&p).copied());
        let city = positions[FacetKey::City as usize].get(&doc.city).copied();
        if let Some(c) = city {
            let term = &mut facets[FacetKey::City as usize].terms[c];
            term.parent = term.parent.or(province);
        }
        if let Some(county) = &doc.county {
            let id = format!("{}/{county}", doc.city);
            if let Some(&k) = positions[FacetKey::County as usize].get(&id) {
                facets[FacetKey::County as usize].terms[k].parent = city;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::PartialDate;

    fn doc(slug: &str, date: &str, city: &str, county: Option<&str>, speaker: &str) -> Document {
        Document {
            path: format!("content/speeches/{slug}.md").into(),
            slug: slug.into(),
            title: slug.into(),
            date: PartialDate::parse(date).unwrap(),
            speakers: vec![speaker.into()],
            speaker_title: None,
            city: city.into(),
            province: Some("陕西省".into()),
            county: county.map(Into::into),
            occasion: None,
            kind: Kind::Speech,
            themes: vec!["驻村帮扶".into()],
            transcribed: false,
            placeholders: false,
            variant_of: None,
            source: None,
            summary: None,
            editorial_note: None,
            curation: Default::default(),
            needs: Vec::new(),
            draft: false,
            extra: Default::default(),
            body: crate::model::Body::InFile,
            body_len: 0,
            body_line: 1,
            digest: 0,
        }
    }

    #[test]
    fn terms_list_documents_newest_first_and_link_parents() {
        let archive = Archive::new(
            vec![
                doc("a", "2017-08-25", "安康市", Some("平利县"), "何邦军"),
                doc("b", "2020-04-03", "安康市", None, "何邦军"),
                doc("c", "2019", "汉中市", None, "李伟"),
            ],
            vec![],
        );
        let index = build_index(&archive);
        let cities = index.facet(FacetKey::City);
        assert_eq!(cities.terms[0].name, "安康市");
        let ankang: Vec<&str> = cities.terms[0].docs.iter().map(|&i| archive.documents[i].slug.as_str()).collect();
        assert_eq!(ankang, ["b", "a"]);
        let years: Vec<&str> = index.facet(FacetKey::Year).terms.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(years, ["2020", "2019", "2017"]);
        let county = &index.facet(FacetKey::County).terms[0];
        assert_eq!((county.name.as_str(), county.slug.as_str()), ("平利县", "ping-li-xian"));
        assert_eq!(county.parent, Some(0));
        assert_eq!(cities.terms[0].parent, Some(0));
    }

    #[test]
    fn homophone_speakers_do_not_merge() {
        let archive = Archive::new(
            vec![doc("a", "2020", "安康市", None, "李伟"), doc("b", "2019", "安康市", None, "李薇")],
            vec![],
        );
        let speakers = &index_of(&archive).facets[FacetKey::Speaker as usize].terms;
        assert_eq!(speakers.len(), 2);
        assert_ne!(speakers[0].slug, speakers[1].slug);
        assert!(speakers.iter().all(|t| t.docs.len() == 1));
    }

    #[test]
    fn same_county_name_in_two_cities_stays_two_terms() {
        let archive = Archive::new(
            vec![doc("a", "2020", "安康市", Some("城关镇"), "x"), doc("b", "2019", "汉中市", Some("城关镇"), "y")],
            vec![],
        );
        let counties = &index_of(&archive).facets[FacetKey::County as usize].terms;
        assert_eq!(counties.len(), 2);
        assert_ne!(counties[0].slug, counties[1].slug);
    }

    fn index_of(archive: &Archive) -> Index {
        build_index(archive)
    }

    #[test]
    fn the_place_table_supplies_a_missing_province() {
        let mut d = doc("a", "2020", "安康市", None, "x");
        d.province = None;
        assert_eq!(province_of(&d).as_deref(), Some("陕西省"));
    }

    #[test]
    fn a_provincial_speech_is_listed_on_its_province_and_no_city() {
        let mut d = doc("a", "2020", "陕西省", None, "x");
        d.province = None;
        assert_eq!(province_of(&d).as_deref(), Some("陕西省"));
        let mut national = doc("b", "2019", "全国", None, "y");
        national.province = None;
        let index = build_index(&Archive::new(vec![d, national], vec![]));
        assert!(index.facet(FacetKey::City).terms.is_empty());
        let provinces: Vec<&str> = index.facet(FacetKey::Province).terms.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(provinces, ["全国", "陕西省"]);
    }
}
