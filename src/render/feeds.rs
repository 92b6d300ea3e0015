//! Machine-readable files: Atom feeds (site, per region, per topic), the
//! sitemap index with its `sitemap-N.xml` files, and `robots.txt`.
//! Dates come from articles, never from the clock. Must not render HTML pages.

use std::fmt::Write as _;

use rayon::prelude::*;

use super::items::{region_url, topic_url};
use super::markdown::{escape, escape_into};
use super::{RenderError, Renderer};
use crate::content::Date;
use crate::site::ArticleId;

/// URLs per sitemap file (the protocol's limit).
pub const SITEMAP_LIMIT: usize = 50_000;

/// Writes every feed; returns (feeds, bytes).
pub(super) fn render_feeds(r: &Renderer<'_>) -> Result<(usize, u64), RenderError> {
    let site = r.site;
    let all = site.all();
    let mut jobs: Vec<(String, String, &[ArticleId])> =
        vec![("/atom.xml".into(), site.config.title.clone(), &all)];
    for node in site.regions.values() {
        let d = site.gazetteer.get(node.id);
        jobs.push((
            format!("{}atom.xml", region_url(&d.url_path)),
            format!("{} · {}", d.name, site.config.title),
            &node.articles,
        ));
    }
    for t in &site.topics {
        let name = site
            .config
            .topic(&t.slug)
            .map_or(t.slug.as_str(), |x| &x.name);
        jobs.push((
            format!("{}atom.xml", topic_url(&t.slug)),
            format!("{name} · {}", site.config.title),
            &t.articles,
        ));
    }
    jobs.par_iter()
        .map(|(url, title, ids)| {
            let xml = atom(r, url, title, ids);
            r.write(url, xml.as_bytes()).map(|b| (1, b))
        })
        .try_reduce(|| (0, 0), |a, b| Ok((a.0 + b.0, a.1 + b.1)))
}

fn timestamp(d: Date) -> String {
    format!("{}T00:00:00Z", d.iso())
}

/// One Atom feed of the newest `feeds.limit` articles of `ids` (site order).
pub fn atom(r: &Renderer<'_>, url: &str, title: &str, ids: &[ArticleId]) -> String {
    let site = r.site;
    let newest = ids
        .iter()
        .filter_map(|&i| site.articles[i as usize].meta.date)
        .max();
    let updated = newest.map_or_else(|| "1970-01-01T00:00:00Z".to_string(), timestamp);
    let self_url = r.abs(url);
    let home = r.abs(url.strip_suffix("atom.xml").unwrap_or("/"));
    let mut x = String::new();
    x.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    x.push_str(&format!(
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">\n",
        escape(&site.config.language)
    ));
    x.push_str(&format!("  <title>{}</title>\n", escape(title)));
    if !site.config.description.is_empty() {
        x.push_str(&format!(
            "  <subtitle>{}</subtitle>\n",
            escape(&site.config.description)
        ));
    }
    x.push_str(&format!("  <id>{}</id>\n", escape(&self_url)));
    x.push_str(&format!(
        "  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n",
        escape(&self_url)
    ));
    x.push_str(&format!(
        "  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
        escape(&home)
    ));
    x.push_str(&format!("  <updated>{updated}</updated>\n"));
    x.push_str("  <generator>Folio</generator>\n");
    for &id in ids.iter().take(site.config.feeds.limit) {
        let a = &site.articles[id as usize];
        let (title, _) = r.display_title(a);
        let link = r.abs(&a.permalink);
        let date = a.meta.date.map_or_else(|| updated.clone(), timestamp);
        x.push_str("  <entry>\n");
        x.push_str(&format!("    <title>{}</title>\n", escape(&title)));
        x.push_str(&format!("    <id>{}</id>\n", escape(&link)));
        x.push_str(&format!(
            "    <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
            escape(&link)
        ));
        x.push_str(&format!("    <published>{date}</published>\n"));
        x.push_str(&format!("    <updated>{date}</updated>\n"));
        let authors = if a.meta.authors.is_empty() {
            vec![site.config.title.clone()]
        } else {
            a.meta.authors.clone()
        };
        for name in authors {
            x.push_str(&format!(
                "    <author><name>{}</name></author>\n",
                escape(&name)
            ));
        }
        for t in &a.meta.topics {
            if let Some(topic) = site.config.topic(t) {
                x.push_str(&format!(
                    "    <category term=\"{}\" label=\"{}\"/>\n",
                    escape(&topic.slug),
                    escape(&topic.name)
                ));
            }
        }
        if !a.summary.is_empty() {
            x.push_str(&format!("    <summary>{}</summary>\n", escape(&a.summary)));
        }
        x.push_str("  </entry>\n");
    }
    x.push_str("</feed>\n");
    x
}

/// Writes `sitemap.xml` (an index) and `sitemap-1.xml`… with the list pages
/// (`list_urls`, sorted) and every article; returns (files, bytes).
pub(super) fn render_sitemaps(
    r: &Renderer<'_>,
    list_urls: &[String],
) -> Result<(usize, u64), RenderError> {
    let site = r.site;
    let entries: Vec<(&str, Option<Date>)> = list_urls
        .iter()
        .map(|u| (u.as_str(), None))
        .chain(
            site.articles
                .iter()
                .map(|a| (a.permalink.as_str(), a.meta.date)),
        )
        .collect();
    // Each file of the sitemap built on its own, in parallel.
    let chunks: Vec<&[(&str, Option<Date>)]> = entries.chunks(SITEMAP_LIMIT).collect();
    let files = chunks.len();
    let mut bytes = chunks
        .par_iter()
        .enumerate()
        .map(|(i, chunk)| {
            let xml = sitemap_file(chunk.iter().copied(), |u| r.abs(u));
            r.write(&format!("/sitemap-{}.xml", i + 1), xml.as_bytes())
        })
        .try_reduce(|| 0, |a, b| Ok(a + b))?;
    bytes += r.write(
        "/sitemap.xml",
        sitemap_index(files, |u| r.abs(u)).as_bytes(),
    )?;
    Ok((files + 1, bytes))
}

/// One sitemap file (`<urlset>`) of `entries` (site-relative URL, date); a site's
/// entries are split into files of at most [`SITEMAP_LIMIT`] URLs. Non-ASCII bytes
/// are percent-encoded, as sitemaps require plain URIs.
pub fn sitemap_file<'u>(
    entries: impl Iterator<Item = (&'u str, Option<Date>)>,
    abs: impl Fn(&str) -> String,
) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    // The URL with its non-ASCII bytes percent-encoded, reused from entry to entry.
    let mut uri = String::new();
    for (url, date) in entries {
        uri.clear();
        let absolute = abs(url);
        uri.extend(percent_encoding::percent_encode(
            absolute.as_bytes(),
            &percent_encoding::AsciiSet::EMPTY,
        ));
        xml.push_str("  <url><loc>");
        escape_into(&mut xml, &uri);
        xml.push_str("</loc>");
        if let Some(d) = date {
            xml.push_str("<lastmod>");
            let _ = write!(xml, "{d}");
            xml.push_str("</lastmod>");
        }
        xml.push_str("</url>\n");
    }
    xml.push_str("</urlset>\n");
    xml
}

/// The sitemap index pointing at `sitemap-1.xml` … `sitemap-<files>.xml`.
pub fn sitemap_index(files: usize, abs: impl Fn(&str) -> String) -> String {
    let mut index = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for n in 1..=files {
        index.push_str(&format!(
            "  <sitemap><loc>{}</loc></sitemap>\n",
            escape(&abs(&format!("/sitemap-{n}.xml")))
        ));
    }
    index.push_str("</sitemapindex>\n");
    index
}

/// `robots.txt`: everything may be crawled; points at the sitemap.
pub fn robots(r: &Renderer<'_>) -> String {
    format!(
        "User-agent: *\nAllow: /\n\nSitemap: {}\n",
        r.abs("/sitemap.xml")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sitemaps_split_at_the_limit() {
        let urls: Vec<String> = (0..5).map(|i| format!("/a/{i}/")).collect();
        let entries: Vec<(&str, Option<Date>)> = urls
            .iter()
            .map(|u| (u.as_str(), Date::new(2024, 1, 2)))
            .collect();
        // As `render_sitemaps` splits them, with a limit of 2.
        let files: Vec<(usize, String)> = entries
            .chunks(2)
            .enumerate()
            .map(|(i, c)| {
                (
                    i + 1,
                    sitemap_file(c.iter().copied(), |u| format!("https://x.org{u}")),
                )
            })
            .collect();
        let n = files.len();
        assert_eq!(n, 3);
        assert_eq!(files.iter().map(|f| f.0).collect::<Vec<_>>(), [1, 2, 3]);
        assert_eq!(files[0].1.matches("<url>").count(), 2);
        assert_eq!(files[2].1.matches("<url>").count(), 1);
        assert!(
            files[2]
                .1
                .contains("<loc>https://x.org/a/4/</loc><lastmod>2024-01-02</lastmod>")
        );
        assert!(files.iter().all(|f| f.1.ends_with("</urlset>\n")));
        assert!(files.iter().all(|f| f.1.starts_with("<?xml")));
        let index = sitemap_index(n, |u| format!("https://x.org{u}"));
        assert_eq!(index.matches("<sitemap>").count(), 3);
        assert!(index.contains("<loc>https://x.org/sitemap-3.xml</loc>"));
        // Exactly the limit: one file.
        let n = entries[..2].chunks(2).count();
        assert_eq!(n, 1);
        // Undated entries have no `lastmod`.
        let undated = sitemap_file([("/b/", None)].into_iter(), |u| u.to_string());
        assert!(undated.contains("<url><loc>/b/</loc></url>"));
    }

    #[test]
    fn sitemap_urls_are_ascii_and_escaped() {
        let xml = sitemap_file(
            [("/articles/专题/a%20b/?x=1&y='2'", None)].into_iter(),
            |u| format!("https://x.org{u}"),
        );
        assert!(xml.contains(
            "<loc>https://x.org/articles/%E4%B8%93%E9%A2%98/a%20b/?x=1&amp;y=&#39;2&#39;</loc>"
        ));
    }
}
