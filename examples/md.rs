use folio::classify::{
    gazetteer::Gazetteer,
    regions::{ArticleText, assign_regions_with_byline},
    topics::{TopicClassifier, default_topics},
};
fn main() {
    let gz = Gazetteer::builtin();
    let tc = TopicClassifier::new(&default_topics());
    let s = std::fs::read_to_string("seeds/002_079d793a3125e5cb.txt").unwrap();
    for art in s.split("\n## ") {
        let mut lines = art.lines();
        let title = lines
            .next()
            .unwrap_or("")
            .trim_start_matches("## ")
            .to_string();
        let rest: Vec<&str> = lines.filter(|l| !l.trim().is_empty()).collect();
        let byline = rest.first().copied().unwrap_or("");
        let body = rest.get(1..).unwrap_or(&[]).join("\n\n");
        let text = ArticleText {
            title: &title,
            body: &body,
            ..Default::default()
        };
        println!(
            "{title} | {byline}\n   {:?} {:?}",
            assign_regions_with_byline(gz, "湖南省", &text, byline),
            tc.assign(&text)
        );
    }
}
