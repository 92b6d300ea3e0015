use folio::classify::{
    gazetteer::Gazetteer,
    regions::{ArticleText, assign_regions},
    topics::{TopicClassifier, default_topics},
};
fn main() {
    let gz = Gazetteer::builtin();
    let tc = TopicClassifier::new(&default_topics());
    for f in [
        "seeds/002_079d793a3125e5cb.txt",
        "seeds/003_cab917b2aac53aaa.txt",
        "seeds/004_a7e1f55fe3067108.txt",
    ] {
        println!("== {f}");
        let s = std::fs::read_to_string(f).unwrap();
        let mut chunk = String::new();
        for line in s.lines() {
            let l: String = line.chars().filter(|c| !c.is_whitespace()).collect();
            if l.is_empty() {
                continue;
            }
            chunk.push_str(&l);
            chunk.push_str("\n\n");
            let byline = (l.ends_with('）') || l.ends_with(')'))
                && l.chars().count() < 40
                && l.contains('（');
            if byline && chunk.chars().count() > 300 {
                let text = ArticleText {
                    body: &chunk,
                    ..Default::default()
                };
                let head: String = chunk.chars().take(40).collect();
                println!(
                    "{head}\n   {:?} {:?}",
                    assign_regions(gz, "湖南省", &text),
                    tc.assign(&text)
                );
                chunk.clear();
            }
        }
        let text = ArticleText {
            body: &chunk,
            ..Default::default()
        };
        let head: String = chunk.chars().take(40).collect();
        println!(
            "{head}\n   {:?} {:?}",
            assign_regions(gz, "湖南省", &text),
            tc.assign(&text)
        );
    }
}
