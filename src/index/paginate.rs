//! Cutting a list of documents into pages and naming each page's URL.

/// Pages of `per_page` items under `base` (a site-relative folder URL):
/// page 1 is `base`, page N is `base/page/N/`.
#[derive(Debug, Clone, PartialEq)]
pub struct Paginator {
    pub base: String,
    pub per_page: usize,
    pub count: usize,
}

impl Paginator {
    pub fn new(base: impl Into<String>, per_page: usize, count: usize) -> Self {
        Paginator { base: base.into(), per_page: per_page.max(1), count }
    }

    /// Number of pages; an empty list still has one (empty) page.
    pub fn pages(&self) -> usize {
        self.count.div_ceil(self.per_page).max(1)
    }

    /// URL of 1-based page `n`.
    pub fn url(&self, n: usize) -> String {
        if n <= 1 {
            self.base.clone()
        } else {
            format!("{}page/{n}/", self.base)
        }
    }

    /// The item range of 1-based page `n`.
    pub fn range(&self, n: usize) -> std::ops::Range<usize> {
        let start = ((n.max(1) - 1) * self.per_page).min(self.count);
        start..(start + self.per_page).min(self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_and_ranges() {
        let p = Paginator::new("cities/an-kang-shi/", 20, 41);
        assert_eq!(p.pages(), 3);
        assert_eq!(p.range(3), 40..41);
        assert_eq!(p.url(1), "cities/an-kang-shi/");
        assert_eq!(p.url(2), "cities/an-kang-shi/page/2/");
        assert_eq!(Paginator::new("x/", 20, 0).pages(), 1);
        assert_eq!(Paginator::new("x/", 20, 40).pages(), 2);
    }
}
