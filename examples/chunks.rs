use folio::classify::{
    gazetteer::Gazetteer,
    regions::{ArticleText, assign_regions},
    topics::{TopicClassifier, default_topics},
};
fn main() {
    let gz = Gazetteer::builtin();
    let tc = TopicClassifier::new(&default_topics());
    for f in [
        "seeds/003_cab917b2aac53aaa.txt",
        "seeds/004_a7e1f55fe3067108.txt",
    ] {
        println!("== {f}");
        let s = std::fs::read_to_string(f).unwrap();
        let lines: Vec<String> = s
            .lines()
            .map(|l| l.chars().filter(|c| !c.is_whitespace()).collect::<String>())
            .filter(|l: &String| !l.is_empty())
            .collect();
        let mut i = 0;
        let mut body = String::new();
        while i < lines.len() {
            let l = &lines[i];
            body.push_str(l);
            body.push_str("\n\n");
            i += 1;
            let byline = (l.ends_with('）') || l.ends_with(')'))
                && l.contains('（')
                && l.chars().count() < 40;
            if byline && body.chars().count() > 300 {
                let mut head = Vec::new();
                while i < lines.len()
                    && lines[i].chars().count() <= 22
                    && head.len() < 3
                    && !lines[i].ends_with('。')
                {
                    head.push(lines[i].clone());
                    i += 1;
                }
                let title = head.join(" ");
                let text = ArticleText {
                    title: &title,
                    body: &body,
                    ..Default::default()
                };
                println!(
                    "{title}\n   {:?} {:?}",
                    assign_regions(gz, "湖南省", &text),
                    tc.assign(&text)
                );
                body.clear();
            }
        }
        let text = ArticleText {
            body: &body,
            ..Default::default()
        };
        println!(
            "(tail)\n   {:?} {:?}",
            assign_regions(gz, "湖南省", &text),
            tc.assign(&text)
        );
    }
}
