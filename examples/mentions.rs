use folio::classify::{
    aliases::AliasIndex,
    gazetteer::Gazetteer,
    segment::{base_jieba, place_jieba},
};
fn main() {
    let gz = Gazetteer::builtin();
    let idx = AliasIndex::new(gz, base_jieba());
    for f in [
        "seeds/002_079d793a3125e5cb.txt",
        "seeds/003_cab917b2aac53aaa.txt",
        "seeds/004_a7e1f55fe3067108.txt",
    ] {
        let s: String = std::fs::read_to_string(f)
            .unwrap()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let chars: Vec<char> = s.chars().collect();
        let mut seen = std::collections::BTreeMap::new();
        for m in idx.find(&s, place_jieba(), base_jieba()) {
            let w: String = chars[m.start..m.end].iter().collect();
            let ctx: String = chars[m.start.saturating_sub(4)..(m.end + 4).min(chars.len())]
                .iter()
                .collect();
            let names: Vec<String> = m
                .candidates
                .iter()
                .map(|&c| gz.get(c).path.clone())
                .collect();
            seen.entry(format!(
                "{w} {} {:?}",
                if m.ordinary { "ORD" } else { "" },
                names
            ))
            .or_insert_with(Vec::new)
            .push(ctx);
        }
        println!("== {f}");
        for (k, v) in seen {
            println!("{k} x{} e.g. {}", v.len(), v[0]);
        }
    }
}
