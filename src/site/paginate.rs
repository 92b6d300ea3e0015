//! Pagination with stable URLs: page 1 is the list's own URL, page N is
//! `<list>/page/N.html` (or `<list>/page/N/` with `page_urls = "folder"`); there is no
//! page 1 duplicate. Pure arithmetic.

use crate::config::PageUrls;

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
pub fn page_url(base: &str, n: usize, urls: PageUrls) -> String {
    if n <= 1 {
        base.to_string()
    } else {
        urls.page(&format!("{base}page/{n}"))
    }
}

/// The pages of a list of `len` items at `base`, `per_page` per page.
/// An empty list still has one (empty) page.
pub fn paginate(base: &str, len: usize, per_page: usize, urls: PageUrls) -> Vec<Pager> {
    let per_page = per_page.max(1);
    let total = len.div_ceil(per_page).max(1);
    (1..=total)
        .map(|n| Pager {
            number: n,
            total_pages: total,
            start: (n - 1) * per_page,
            end: (n * per_page).min(len),
            url: page_url(base, n, urls),
            prev: (n > 1).then(|| page_url(base, n - 1, urls)),
            next: (n < total).then(|| page_url(base, n + 1, urls)),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boundaries() {
        let p = paginate("/", 41, 20, PageUrls::File);
        assert_eq!(p.len(), 3);
        assert_eq!(p[0].url, "/");
        assert_eq!(p[0].prev, None);
        assert_eq!(p[0].next.as_deref(), Some("/page/2.html"));
        assert_eq!(p[1].url, "/page/2.html");
        assert_eq!(p[1].prev.as_deref(), Some("/"));
        assert_eq!(p[2].prev.as_deref(), Some("/page/2.html"));
        assert_eq!((p[2].start, p[2].end), (40, 41));
        assert_eq!(p[2].next, None);
        assert_eq!(paginate("/t/", 40, 20, PageUrls::File).len(), 2);
        assert_eq!(paginate("/t/", 0, 20, PageUrls::File).len(), 1);
        assert_eq!(paginate("/t/", 20, 20, PageUrls::File).len(), 1);
        let f = paginate("/t/", 41, 20, PageUrls::Folder);
        assert_eq!(f[1].url, "/t/page/2/");
        assert_eq!(f[1].next.as_deref(), Some("/t/page/3/"));
    }
}
