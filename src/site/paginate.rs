//! Pagination with stable URLs: page 1 is the list's own URL, page N is
//! `<list>/page/N/`; there is no `/page/1/` duplicate. Pure arithmetic.

/// One page of a paginated list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pager {
    /// 1-based page number.
    pub number: usize,
    pub total_pages: usize,
    /// Range of item positions on this page.
    pub start: usize,
    pub end: usize,
    /// Site-relative URLs.
    pub url: String,
    pub prev: Option<String>,
    pub next: Option<String>,
}

/// URL of page `n` of the list at `base` (which ends with `/`).
pub fn page_url(base: &str, n: usize) -> String {
    if n <= 1 {
        base.to_string()
    } else {
        format!("{base}page/{n}/")
    }
}

/// The pages of a list of `len` items at `base`, `per_page` per page.
/// An empty list still has one (empty) page.
pub fn paginate(base: &str, len: usize, per_page: usize) -> Vec<Pager> {
    let per_page = per_page.max(1);
    let total = len.div_ceil(per_page).max(1);
    (1..=total)
        .map(|n| Pager {
            number: n,
            total_pages: total,
            start: (n - 1) * per_page,
            end: (n * per_page).min(len),
            url: page_url(base, n),
            prev: (n > 1).then(|| page_url(base, n - 1)),
            next: (n < total).then(|| page_url(base, n + 1)),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boundaries() {
        let p = paginate("/", 41, 20);
        assert_eq!(p.len(), 3);
        assert_eq!(p[0].url, "/");
        assert_eq!(p[0].prev, None);
        assert_eq!(p[0].next.as_deref(), Some("/page/2/"));
        assert_eq!(p[1].prev.as_deref(), Some("/"));
        assert_eq!((p[2].start, p[2].end), (40, 41));
        assert_eq!(p[2].next, None);
        assert_eq!(paginate("/t/", 40, 20).len(), 2);
        assert_eq!(paginate("/t/", 0, 20).len(), 1);
        assert_eq!(paginate("/t/", 20, 20).len(), 1);
    }
}
