//! One article page: reads the body from disk, renders it to HTML and fills
//! `article.html`. The body is read only when the page must be rendered (its
//! cache key uses the article file's hash). Must not hold other articles' bodies.

use serde::Serialize;

use super::items::ArticleItem;
use super::{PageContext, RenderError, Renderer, markdown_to_html};
use crate::site::ArticleId;

/// Where the article came from in the seed text.
#[derive(Debug, Clone, Serialize)]
struct SourceView {
    seed: String,
    first_line: usize,
    last_line: usize,
}

/// The `article` variable of `article.html`.
#[derive(Debug, Clone, Serialize)]
struct ArticleView<'a> {
    #[serde(flatten)]
    item: ArticleItem<'a>,
    author_affiliation: String,
    /// The credits as printed that say more than the names in `authors` ("本报记者 王伟
    /// 通讯员 李娜", "株洲日报（全媒体记者/刘平）"); the affiliation line is left out.
    credits: Vec<String>,
    captions: Vec<String>,
    /// Where the story goes on, as its jump marker printed it ("下转第4版"), or empty.
    continued_on: String,
    /// The body as HTML (already safe: raw HTML in the Markdown is escaped).
    body: String,
    source: Option<SourceView>,
    /// Front matter fields Folio does not know.
    extra: toml::Table,
    /// The month page of the article's date in the archive, or empty.
    archive_url: String,
    /// Every region with its ancestors, for breadcrumbs: one chain per region.
    /// ([`Link`](super::items::Link)s, count 0, shared with the article items.)
    region_paths: Vec<Vec<tera::Value>>,
}

/// Renders the article `id`; returns the bytes written. The page's key is
/// worked out first; its template values only if it must be rendered.
pub(super) fn render(r: &Renderer<'_>, id: ArticleId) -> Result<u64, RenderError> {
    let site = r.site;
    let a = &site.articles[id as usize];
    let (older, newer) = site.neighbours(id);
    let related_ids: &[ArticleId] = site.related.get(id as usize).map_or(&[], |v| v);

    let mut ctx = PageContext::new();
    // The whole view, body HTML and `page` metadata included, is a function of
    // the file, the permalink (the page URL, part of the key) and what the site
    // fingerprint covers (program, configuration, strings): the file's hash
    // stands for it.
    ctx.hash_only("article-file", a.hash.as_bytes());
    // Neighbours and related articles enter the key by their item digests.
    ctx.hash_only("older", &r.items_key(older.as_slice()));
    ctx.hash_only("newer", &r.items_key(newer.as_slice()));
    ctx.hash_only("related", &r.items_key(related_ids));
    r.page_lazy("article.html", &a.permalink, ctx, |ctx| {
        let mut meta = r.meta(&a.permalink, &r.display_title(a).0, "article");
        if !a.summary.is_empty() {
            meta.description = a.summary.clone();
        }
        let view = view(r, id, markdown_to_html(&crate::content::read_body(a)?));
        ctx.insert_unhashed("article", &view);
        ctx.insert_unhashed("older", &older.map(|o| r.item_value(o)));
        ctx.insert_unhashed("newer", &newer.map(|n| r.item_value(n)));
        ctx.insert_unhashed("related", &r.items(related_ids));
        Ok(meta)
    })
}

/// The `article` variable of article `id`, with its body as HTML.
fn view<'a>(r: &Renderer<'a>, id: ArticleId, body: String) -> ArticleView<'a> {
    let site = r.site;
    let a = &site.articles[id as usize];
    let region_paths = site
        .article_regions(id)
        .into_iter()
        .map(|d| {
            site.gazetteer
                .ancestors(d)
                .into_iter()
                .map(|x| r.region_value(x))
                .collect()
        })
        .collect();
    ArticleView {
        author_affiliation: a.meta.author_affiliation.clone().unwrap_or_default(),
        credits: a.meta.credits_beyond_names(),
        captions: a.meta.captions.clone(),
        continued_on: a.meta.continued_on.clone().unwrap_or_default(),
        body,
        source: a.meta.source.as_ref().map(|s| SourceView {
            seed: s.seed.clone(),
            first_line: s.lines[0],
            last_line: s.lines[1],
        }),
        extra: a.meta.extra.clone(),
        archive_url: a
            .meta
            .date
            .map(|d| r.href(&format!("/archive/{}/{:02}/", d.year, d.month)))
            .unwrap_or_default(),
        region_paths,
        item: r.item(id),
    }
}
