//! Where in the site's own files a problem lies: the front-matter line of a key, the
//! template file behind a tera report, the Markdown line of a link found in a built
//! article page. Used by [`super::site`] so every problem names a file the user edits.
//!
//! Only reads files; it must NOT modify anything.

use std::path::Path;

use super::links::decode;

/// 1-based file line of `key = …` inside the front matter of the article at `path`, or
/// `None` if the key is not set there (or the file cannot be read).
pub fn front_matter_key_line(path: &Path, key: &str) -> Option<usize> {
    let text = std::fs::read_to_string(path).ok()?;
    let mut lines = text.lines().enumerate();
    lines
        .next()
        .filter(|(_, l)| l.trim_start_matches('\u{feff}').trim_end() == "+++")?;
    lines
        .take_while(|(_, l)| l.trim_end() != "+++")
        .find(|(_, l)| {
            l.trim_start()
                .strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        })
        .map(|(i, _)| i + 1)
}

/// One problem in a tera report: template name, 1-based line, message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateReport {
    pub template: String,
    pub line: usize,
    pub message: String,
}

/// The reports in a tera message that carries only text (unknown filters, tests,
/// functions and components are found when templates are loaded and reported as
/// `error: MESSAGE` followed by ` --> NAME:LINE:COLUMN` and a source excerpt).
pub fn template_reports(text: &str) -> Vec<TemplateReport> {
    let mut reports = Vec::new();
    let mut message: Option<&str> = None;
    for line in text.lines() {
        let at = if line.starts_with("error: ") {
            Some(0)
        } else {
            line.find(": error: ").map(|i| i + 2)
        };
        if let Some(m) = at.map(|i| &line[i + "error: ".len()..]) {
            message = Some(m.trim());
        } else if let (Some(m), Some(place)) = (message, line.trim_start().strip_prefix("--> ")) {
            let mut parts = place.trim().rsplitn(3, ':');
            let (_column, line_no, name) = (parts.next(), parts.next(), parts.next());
            if let (Some(name), Some(Ok(line_no))) = (name, line_no.map(str::parse::<usize>)) {
                reports.push(TemplateReport {
                    template: name.to_string(),
                    line: line_no,
                    message: m.to_string(),
                });
            }
            message = None;
        }
    }
    reports
}

/// The file a template comes from, in the theme's override order: `<site>/templates/`,
/// then `themes/<theme>/templates/`, then the built-in default theme.
pub fn template_file(site_root: &Path, theme: &str, name: &str) -> String {
    [
        site_root.join("templates").join(name),
        site_root
            .join("themes")
            .join(theme)
            .join("templates")
            .join(name),
    ]
    .into_iter()
    .find(|p| p.is_file())
    .map_or_else(
        || format!("themes/default/templates/{name}"),
        |p| p.display().to_string(),
    )
}

/// 1-based line of the Markdown file at `path` that holds the link `target` (as found in
/// the built HTML, where non-ASCII may be percent-encoded), after the front matter.
pub fn markdown_link_line(path: &Path, target: &str) -> Option<usize> {
    let text = std::fs::read_to_string(path).ok()?;
    let decoded = decode(target);
    let body_start = text
        .lines()
        .enumerate()
        .skip(1)
        .find(|(_, l)| l.trim_end() == "+++")
        .map_or(0, |(i, _)| i + 1);
    let forms = [
        format!("({target}"),
        format!("<{target}>"),
        format!("]: {target}"),
        format!("({decoded}"),
        format!("<{decoded}>"),
        format!("]: {decoded}"),
    ];
    text.lines()
        .enumerate()
        .skip(body_start)
        .find(|(_, l)| {
            let plain = decode(l);
            forms
                .iter()
                .any(|f| l.contains(f.as_str()) || plain.contains(f.as_str()))
        })
        .map(|(i, _)| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_lines_are_found_in_front_matter_only() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.md");
        std::fs::write(
            &p,
            "+++\ntitle = \"x\"\nslug = \"s\"\n+++\n\nreview = body text\n",
        )
        .unwrap();
        assert_eq!(front_matter_key_line(&p, "slug"), Some(3));
        assert_eq!(front_matter_key_line(&p, "review"), None);
        assert_eq!(
            front_matter_key_line(&dir.path().join("none.md"), "slug"),
            None
        );
    }

    #[test]
    fn tera_text_reports_are_parsed() {
        let text = "theme: error: Unknown filter `nope`\n --> article.html:9:33\n  |\n9 | {{ x | nope }}\n  |        ^^^^\n\nerror: Unknown function `f`\n --> base.html:2:4\n";
        assert_eq!(
            template_reports(text),
            vec![
                TemplateReport {
                    template: "article.html".into(),
                    line: 9,
                    message: "Unknown filter `nope`".into()
                },
                TemplateReport {
                    template: "base.html".into(),
                    line: 2,
                    message: "Unknown function `f`".into()
                }
            ]
        );
        assert!(template_reports("theme \"x\" not found").is_empty());
    }

    #[test]
    fn template_files_follow_the_override_order() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        assert_eq!(
            template_file(root, "dark", "a.html"),
            "themes/default/templates/a.html"
        );
        std::fs::create_dir_all(root.join("themes/dark/templates")).unwrap();
        std::fs::write(root.join("themes/dark/templates/a.html"), "").unwrap();
        assert!(template_file(root, "dark", "a.html").ends_with("themes/dark/templates/a.html"));
        std::fs::create_dir_all(root.join("templates")).unwrap();
        std::fs::write(root.join("templates/a.html"), "").unwrap();
        assert_eq!(
            template_file(root, "dark", "a.html"),
            root.join("templates/a.html").display().to_string()
        );
    }

    #[test]
    fn markdown_links_are_found_as_written_or_encoded() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.md");
        std::fs::write(
            &p,
            "+++\ntitle = \"(/x/)\"\n+++\n\n段落。\n\n见[甲](/x/)和[乙](/专题/#第一)。\n\n[丙]: /y/\n",
        )
        .unwrap();
        assert_eq!(markdown_link_line(&p, "/x/"), Some(7));
        assert_eq!(
            markdown_link_line(&p, "/%E4%B8%93%E9%A2%98/#%E7%AC%AC%E4%B8%80"),
            Some(7)
        );
        assert_eq!(markdown_link_line(&p, "/y/"), Some(9));
        assert_eq!(markdown_link_line(&p, "/z/"), None);
    }
}
