//! Every page that is not an article: home, region tree and region pages,
//! topics, the date archive with its bar charts, search and 404. Builds each
//! template's context from the site model; must not read article bodies.

use rayon::prelude::*;
use serde::Serialize;

use super::items::{Link, PagerView, region_url, topic_url};
use super::{PageContext, PageMeta, RenderError, Renderer};
use crate::classify::gazetteer::{DivisionId, Level};
use crate::site::ArticleId;
use crate::site::paginate::paginate;

type Written = (usize, u64);

fn add(a: Written, b: Written) -> Written {
    (a.0 + b.0, a.1 + b.1)
}

/// Renders all list and index pages; returns (pages, bytes).
pub(super) fn render_all(r: &Renderer<'_>) -> Result<Written, RenderError> {
    let mut total = home(r)?;
    total = add(total, regions_index(r)?);
    let region_ids: Vec<DivisionId> = r.site.regions.keys().copied().collect();
    total = add(
        total,
        region_ids
            .par_iter()
            .map(|&id| region(r, id))
            .try_reduce(|| (0, 0), |a, b| Ok(add(a, b)))?,
    );
    total = add(total, topics_index(r)?);
    for i in 0..r.site.topics.len() {
        total = add(total, topic(r, i)?);
    }
    total = add(total, archive(r)?);
    total = add(total, search(r)?);
    total = add(total, not_found(r)?);
    Ok(total)
}

/// Renders every page of a paginated list at `base`; `fill` adds the
/// page-specific variables. Each page gets `articles` and `pager`.
fn paginated(
    r: &Renderer<'_>,
    base: &str,
    ids: &[ArticleId],
    template: &str,
    meta: &PageMeta,
    fill: &(dyn Fn(&mut PageContext) + Sync),
) -> Result<Written, RenderError> {
    let pagers = paginate(
        base,
        ids.len(),
        r.site.config.paginate,
        r.site.config.page_urls,
    );
    // The shared variables are hashed once; a page that renders inserts them again.
    let mut shared = PageContext::new();
    fill(&mut shared);
    pagers
        .par_iter()
        .map(|p| {
            let mut m = meta.clone();
            m.url = r.href(&p.url);
            m.canonical = r.abs(&p.url);
            m.prev = p.prev.as_deref().map(|u| r.href(u)).unwrap_or_default();
            m.next = p.next.as_deref().map(|u| r.href(u)).unwrap_or_default();
            if p.number > 1 {
                m.title = format!(
                    "{} · {}",
                    meta.title,
                    r.s("page_n").replace("{n}", &p.number.to_string())
                );
            }
            let mut ctx = shared.fork();
            let slice = &ids[p.start..p.end];
            ctx.hash_only("articles", &r.items_key(slice));
            // The pager view is a function of the pager, the list length and what the
            // site fingerprint covers (strings, base URL): those stand for it in the key.
            let total = ids.len();
            let mut pager_key = Vec::with_capacity(48 + p.url.len());
            for n in [p.number, p.total_pages, p.start, p.end, total] {
                pager_key.extend_from_slice(&(n as u64).to_le_bytes());
            }
            for u in [Some(p.url.as_str()), p.prev.as_deref(), p.next.as_deref()] {
                pager_key.extend_from_slice(u.unwrap_or("\u{1}").as_bytes());
                pager_key.push(0);
            }
            ctx.hash_only("pager", &pager_key);
            r.listed(&p.url);
            r.page_with(template, &p.url, &m, ctx, |ctx| {
                fill(ctx);
                ctx.insert_unhashed("pager", &PagerView::new(r, p, total));
                ctx.insert_unhashed("articles", &r.items(slice));
                if r.theme.uses_entries {
                    ctx.insert_unhashed("entries", &r.entries(slice, &p.url)?);
                }
                Ok(())
            })
            .map(|b| (1, b))
        })
        .try_reduce(|| (0, 0), |a, b| Ok(add(a, b)))
}

/// Years with counts, newest first.
fn year_links(r: &Renderer<'_>) -> Vec<Link> {
    r.site
        .years
        .iter()
        .map(|y| {
            r.link(
                r.year_text(y.year),
                r.href(&format!("/archive/{}/", y.year)),
                y.count,
            )
        })
        .collect()
}

/// Topics with counts, most articles first (vocabulary order on ties).
fn topic_links(r: &Renderer<'_>) -> Vec<Link> {
    let mut topics: Vec<Link> = r
        .site
        .topics
        .iter()
        .map(|t| r.topic_link(&t.slug, t.articles.len()))
        .collect();
    topics.sort_by_key(|t| std::cmp::Reverse(t.count));
    topics
}

fn home(r: &Renderer<'_>) -> Result<Written, RenderError> {
    let site = r.site;
    let years = year_links(r);
    let topics = topic_links(r);
    let mut places: Vec<(usize, &String, DivisionId)> = site
        .regions
        .values()
        .filter(|n| site.gazetteer.get(n.id).level == Level::Prefecture)
        .map(|n| (n.articles.len(), &site.gazetteer.get(n.id).code, n.id))
        .collect();
    places.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
    let places: Vec<Link> = places
        .into_iter()
        .take(12)
        .map(|(n, _, id)| r.region_link(id, n))
        .collect();
    let mut meta = r.meta("/", &site.config.title, "home");
    meta.feed = r.site_feed();
    let fill = |ctx: &mut PageContext| {
        ctx.insert("years", &years);
        ctx.insert("topics", &topics);
        ctx.insert("regions", &places);
    };
    paginated(r, "/", &site.all(), "index.html", &meta, &fill)
}

/// One node of the `/regions/` tree.
#[derive(Serialize)]
struct TreeNode {
    name: String,
    url: String,
    count: usize,
    count_text: String,
    /// Bar length in percent of the largest prefecture.
    bar: f64,
    children: Vec<TreeNode>,
}

fn regions_index(r: &Renderer<'_>) -> Result<Written, RenderError> {
    let site = r.site;
    let gz = site.gazetteer;
    let count = |id: &DivisionId| site.regions.get(id).map_or(0, |n| n.articles.len());
    let max = site
        .regions
        .values()
        .filter(|n| gz.get(n.id).level == Level::Prefecture)
        .map(|n| n.articles.len())
        .max()
        .unwrap_or(1)
        .max(1);
    let bar = |n: usize| ((n as f64) * 1000.0 / max as f64).round() / 10.0;
    let node = |id: DivisionId, children: Vec<TreeNode>| {
        let l = r.region_link(id, count(&id));
        TreeNode {
            bar: bar(l.count),
            name: l.name,
            url: l.url,
            count: l.count,
            count_text: l.count_text,
            children,
        }
    };
    let provinces: Vec<TreeNode> = site
        .region_roots
        .iter()
        .map(|&p| {
            let prefs = site.regions[&p]
                .children
                .iter()
                .map(|&c| {
                    let counties = site.regions[&c]
                        .children
                        .iter()
                        .map(|&k| node(k, Vec::new()))
                        .collect();
                    node(c, counties)
                })
                .collect();
            node(p, prefs)
        })
        .collect();
    let meta = r.meta("/regions/", &r.s("regions"), "regions");
    let mut ctx = PageContext::new();
    ctx.insert("provinces", &provinces);
    r.listed("/regions/");
    Ok((1, r.page("regions.html", "/regions/", &meta, ctx)?))
}

/// The `region` variable of `region.html`.
#[derive(Serialize)]
struct RegionView {
    name: String,
    /// Full path of names, e.g. `湖南省 / 岳阳市`.
    path: Vec<String>,
    level: &'static str,
    level_label: String,
    count: usize,
    url: String,
    feed: String,
}

fn region(r: &Renderer<'_>, id: DivisionId) -> Result<Written, RenderError> {
    let site = r.site;
    let gz = site.gazetteer;
    let node = &site.regions[&id];
    let d = gz.get(id);
    let chain = gz.ancestors(id);
    let base = region_url(&d.url_path);
    let level = match d.level {
        Level::Province => "province",
        Level::Prefecture => "prefecture",
        Level::County => "county",
    };
    let feed = if site.config.feeds.enabled {
        r.href(&format!("{base}atom.xml"))
    } else {
        String::new()
    };
    let view = RegionView {
        name: d.name.clone(),
        path: chain.iter().map(|&x| gz.get(x).name.clone()).collect(),
        level,
        level_label: r.s(&format!("level_{level}")),
        count: node.articles.len(),
        url: r.href(&base),
        feed: feed.clone(),
    };
    let ancestors: Vec<Link> = chain[..chain.len() - 1]
        .iter()
        .map(|&a| r.region_link(a, site.regions.get(&a).map_or(0, |n| n.articles.len())))
        .collect();
    let children: Vec<Link> = node
        .children
        .iter()
        .map(|&c| r.region_link(c, site.regions[&c].articles.len()))
        .collect();
    let mut topic_counts: Vec<(usize, usize, Link)> = node
        .topic_counts
        .iter()
        .filter_map(|(slug, &n)| {
            let order = site.config.topics.iter().position(|t| &t.slug == slug)?;
            Some((n, order, r.topic_link(slug, n)))
        })
        .collect();
    topic_counts.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let topic_counts: Vec<Link> = topic_counts.into_iter().map(|x| x.2).collect();
    let mut meta = r.meta(&base, &d.name, "regions");
    meta.feed = feed;
    let fill = |ctx: &mut PageContext| {
        ctx.insert("region", &view);
        ctx.insert("ancestors", &ancestors);
        ctx.insert("children", &children);
        ctx.insert("topic_counts", &topic_counts);
    };
    paginated(r, &base, &node.articles, "region.html", &meta, &fill)
}

/// A topic as `topics.html` and `topic.html` show it.
#[derive(Serialize)]
struct TopicView {
    slug: String,
    name: String,
    description: String,
    count: usize,
    url: String,
    feed: String,
    bar: f64,
}

fn topic_view(r: &Renderer<'_>, i: usize, max: usize) -> TopicView {
    let node = &r.site.topics[i];
    let def = r.site.config.topic(&node.slug);
    let base = topic_url(&node.slug);
    TopicView {
        slug: node.slug.clone(),
        name: def.map_or_else(|| node.slug.clone(), |t| t.name.clone()),
        description: def.map(|t| t.description.clone()).unwrap_or_default(),
        count: node.articles.len(),
        url: r.href(&base),
        feed: if r.site.config.feeds.enabled {
            r.href(&format!("{base}atom.xml"))
        } else {
            String::new()
        },
        bar: ((node.articles.len() as f64) * 1000.0 / max.max(1) as f64).round() / 10.0,
    }
}

fn topics_index(r: &Renderer<'_>) -> Result<Written, RenderError> {
    let max = r
        .site
        .topics
        .iter()
        .map(|t| t.articles.len())
        .max()
        .unwrap_or(1);
    let topics: Vec<TopicView> = (0..r.site.topics.len())
        .map(|i| topic_view(r, i, max))
        .collect();
    let meta = r.meta("/topics/", &r.s("topics"), "topics");
    let mut ctx = PageContext::new();
    ctx.insert("topics", &topics);
    r.listed("/topics/");
    Ok((1, r.page("topics.html", "/topics/", &meta, ctx)?))
}

fn topic(r: &Renderer<'_>, i: usize) -> Result<Written, RenderError> {
    let site = r.site;
    let node = &site.topics[i];
    let view = topic_view(r, i, node.articles.len());
    let mut counts: Vec<(usize, &String, DivisionId)> = node
        .region_counts
        .iter()
        .map(|(&id, &n)| (n, &site.gazetteer.get(id).code, id))
        .collect();
    counts.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
    let region_counts: Vec<Link> = counts
        .into_iter()
        .map(|(n, _, id)| r.region_link(id, n))
        .collect();
    let base = topic_url(&node.slug);
    let mut meta = r.meta(&base, &view.name, "topics");
    meta.feed = view.feed.clone();
    if !view.description.is_empty() {
        meta.description = view.description.clone();
    }
    let fill = |ctx: &mut PageContext| {
        ctx.insert("topic", &view);
        ctx.insert("region_counts", &region_counts);
    };
    paginated(r, &base, &node.articles, "topic.html", &meta, &fill)
}

/// A bar chart, laid out at build time; templates draw it as inline SVG.
#[derive(Serialize)]
struct Chart {
    width: u32,
    height: u32,
    /// y of the baseline.
    base: u32,
    max: usize,
    bars: Vec<Bar>,
}

#[derive(Serialize)]
struct Bar {
    label: String,
    count: usize,
    /// Empty for bars without a page (months with no articles).
    url: String,
    x: f64,
    y: f64,
    w: f64,
    h: f64,
    /// Centre of the bar, for labels.
    cx: f64,
    /// False for labels left out so they do not overlap.
    show_label: bool,
}

fn chart(entries: Vec<(String, usize, String)>) -> Chart {
    let (width, height, top, bottom) = (720u32, 220u32, 22.0, 28.0);
    let plot = height as f64 - top - bottom;
    let max = entries.iter().map(|e| e.1).max().unwrap_or(0).max(1);
    let n = entries.len().max(1) as f64;
    let slot = width as f64 / n;
    let w = (slot * 0.66).min(64.0);
    let round = |v: f64| (v * 10.0).round() / 10.0;
    let step = entries.len().div_ceil(16).max(1);
    let last = entries.len().saturating_sub(1);
    let bars = entries
        .into_iter()
        .enumerate()
        .map(|(i, (label, count, url))| {
            let h = if count == 0 {
                0.0
            } else {
                (count as f64 / max as f64 * plot).max(2.0)
            };
            let cx = slot * i as f64 + slot / 2.0;
            Bar {
                label,
                count,
                url,
                x: round(cx - w / 2.0),
                y: round(height as f64 - bottom - h),
                w: round(w),
                h: round(h),
                cx: round(cx),
                show_label: i % step == 0 || i == last,
            }
        })
        .collect();
    Chart {
        width,
        height,
        base: height - bottom as u32,
        max,
        bars,
    }
}

fn archive(r: &Renderer<'_>) -> Result<Written, RenderError> {
    let site = r.site;
    let mut total = (0, 0);
    let year_url = |y: i32| format!("/archive/{y}/");
    let years: Vec<Link> = site
        .years
        .iter()
        .map(|y| r.link(r.year_text(y.year), r.href(&year_url(y.year)), y.count))
        .collect();
    // Oldest first, left to right, like a timeline.
    let year_chart = chart(
        site.years
            .iter()
            .rev()
            .map(|y| (y.year.to_string(), y.count, r.href(&year_url(y.year))))
            .collect(),
    );
    let undated = (!site.undated.is_empty()).then(|| {
        r.link(
            r.s("undated"),
            r.href("/archive/undated/"),
            site.undated.len(),
        )
    });
    let meta = r.meta("/archive/", &r.s("archive"), "archive");
    let mut ctx = PageContext::new();
    ctx.insert("years", &years);
    ctx.insert("chart", &year_chart);
    ctx.insert("undated", &undated);
    r.listed("/archive/");
    total = add(total, (1, r.page("archive.html", "/archive/", &meta, ctx)?));

    for (i, y) in site.years.iter().enumerate() {
        let url = year_url(y.year);
        let month_url = |m: u32| format!("/archive/{}/{m:02}/", y.year);
        let months: Vec<Link> = y
            .months
            .iter()
            .map(|m| {
                r.link(
                    r.month_text(y.year, m.month),
                    r.href(&month_url(m.month)),
                    m.articles.len(),
                )
            })
            .collect();
        let month_chart = chart(
            (1..=12)
                .map(|m| {
                    let found = y.months.iter().find(|x| x.month == m);
                    (
                        r.month_short(m),
                        found.map_or(0, |x| x.articles.len()),
                        found.map(|_| r.href(&month_url(m))).unwrap_or_default(),
                    )
                })
                .collect(),
        );
        let this = r.link(r.year_text(y.year), r.href(&url), y.count);
        // site.years is newest first: the older year follows.
        let older = years.get(i + 1).cloned();
        let newer = i.checked_sub(1).map(|j| years[j].clone());
        let mut meta = r.meta(&url, &this.name, "archive");
        meta.prev = older.as_ref().map(|l| l.url.clone()).unwrap_or_default();
        meta.next = newer.as_ref().map(|l| l.url.clone()).unwrap_or_default();
        let mut ctx = PageContext::new();
        ctx.insert("year", &this);
        ctx.insert("months", &months);
        ctx.insert("chart", &month_chart);
        ctx.insert("older", &older);
        ctx.insert("newer", &newer);
        r.listed(&url);
        total = add(total, (1, r.page("archive_year.html", &url, &meta, ctx)?));

        for m in &y.months {
            let url = month_url(m.month);
            let name = r.month_text(y.year, m.month);
            let meta = r.meta(&url, &name, "archive");
            let month = r.link(name, r.href(&url), m.articles.len());
            let fill = |ctx: &mut PageContext| {
                ctx.insert("month", &month);
                ctx.insert("year", &this);
            };
            total = add(
                total,
                paginated(r, &url, &m.articles, "archive_month.html", &meta, &fill)?,
            );
        }
    }
    if let Some(u) = &undated {
        let url = "/archive/undated/";
        let meta = r.meta(url, &u.name, "archive");
        let fill = |ctx: &mut PageContext| {
            ctx.insert("month", u);
            ctx.insert("year", &None::<Link>);
        };
        total = add(
            total,
            paginated(r, url, &site.undated, "archive_month.html", &meta, &fill)?,
        );
    }
    Ok(total)
}

fn search(r: &Renderer<'_>) -> Result<Written, RenderError> {
    let strings = r
        .theme
        .strings
        .get("search")
        .cloned()
        .unwrap_or(toml::Value::Table(Default::default()));
    let json = serde_json::to_string(&strings).unwrap_or_else(|_| "{}".into());
    let meta = r.meta("/search/", &r.s("search_title"), "search");
    let mut ctx = PageContext::new();
    ctx.insert("search_strings", &json);
    ctx.insert("topics", &topic_links(r));
    ctx.insert("years", &year_links(r));
    r.listed("/search/");
    Ok((1, r.page("search.html", "/search/", &meta, ctx)?))
}

fn not_found(r: &Renderer<'_>) -> Result<Written, RenderError> {
    let meta = r.meta("/404.html", &r.s("not_found_title"), "404");
    Ok((
        1,
        r.page("404.html", "/404.html", &meta, PageContext::new())?,
    ))
}

impl Renderer<'_> {
    /// Link of the site-wide feed, or empty when feeds are off.
    pub fn site_feed(&self) -> String {
        if self.site.config.feeds.enabled {
            self.href("/atom.xml")
        } else {
            String::new()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chart_scales_bars_to_the_largest() {
        let c = chart(vec![
            ("2022".into(), 5, "/a/".into()),
            ("2023".into(), 10, "/b/".into()),
            ("2024".into(), 0, String::new()),
        ]);
        assert_eq!(c.max, 10);
        assert_eq!(c.bars.len(), 3);
        let plot = (c.base as f64) - 22.0;
        assert!(
            (c.bars[1].h - plot).abs() < 0.1,
            "largest bar fills the plot"
        );
        assert!((c.bars[0].h - plot / 2.0).abs() < 0.1);
        assert_eq!(c.bars[2].h, 0.0);
        assert!(c.bars[0].x < c.bars[1].x && c.bars[1].x < c.bars[2].x);
        assert!(c.bars.iter().all(|b| b.y + b.h <= c.base as f64 + 0.05));
        assert!(c.bars.iter().all(|b| b.show_label));
        // Many bars: labels thinned out, first and last kept.
        let many = chart((0..40).map(|i| (i.to_string(), i, String::new())).collect());
        assert!(many.bars[0].show_label && many.bars[39].show_label);
        assert!(many.bars.iter().filter(|b| b.show_label).count() <= 21);
    }
}
