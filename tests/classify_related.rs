//! Whole-component checks of related-article selection on synthetic
//! archives: bounded work per item, determinism, and timing at scale
//! (`cargo test --release --test classify_related -- --ignored --nocapture`).

use std::time::Instant;

use folio::classify::related::{RelatedInput, related};

const TOPICS: &[&str] = &[
    "health",
    "economy",
    "education",
    "integrity",
    "culture-tourism",
    "environment",
];
const REGIONS: &[&str] = &[
    "湖南省/岳阳市",
    "湖南省/长沙市",
    "湖南省/湘西土家族苗族自治州/保靖县",
    "湖南省/郴州市/桂阳县",
];
const CHARS: &str = "医院学校产业经济文化旅游生态环境乡村振兴党建廉政城市建设社区治理交通安全教育健康农业企业项目发展群众服务改革创新";

/// Deterministic synthetic archive: each item gets a topic, a region and a
/// summary of 12 pseudo-random two-character words.
fn synthetic(n: usize) -> Vec<RelatedInput> {
    let chars: Vec<char> = CHARS.chars().collect();
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) as usize
    };
    (0..n)
        .map(|_| {
            let mut text = String::new();
            for _ in 0..12 {
                text.push(chars[next() % chars.len()]);
                text.push(chars[next() % chars.len()]);
                text.push(' ');
            }
            RelatedInput {
                regions: vec![REGIONS[next() % REGIONS.len()].to_string()],
                topics: vec![TOPICS[next() % TOPICS.len()].to_string()],
                text,
            }
        })
        .collect()
}

#[test]
fn small_archive_is_deterministic_and_bounded() {
    let items = synthetic(3000);
    let a = related(&items, 5);
    assert_eq!(a, related(&items, 5));
    assert_eq!(a.len(), items.len());
    for (i, r) in a.iter().enumerate() {
        assert!(r.len() <= 5 && !r.contains(&i));
        // Every item shares a topic and a region with many others, so each gets 5.
        assert_eq!(r.len(), 5);
        let mut sorted = r.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), r.len());
    }
}

#[test]
#[ignore = "timing run: 100k items, use --release"]
fn hundred_thousand_items() {
    let items = synthetic(100_000);
    let t = Instant::now();
    let r = related(&items, 5);
    let secs = t.elapsed().as_secs_f64();
    println!("related() on {} items: {secs:.2} s", items.len());
    assert_eq!(r.len(), items.len());
    assert!(r.iter().all(|x| x.len() == 5));
}
