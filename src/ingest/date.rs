//! Dates stated in page text: the newest complete date (year, month, day) that is not a
//! deadline or a plan.
//!
//! It must NOT guess missing parts (a date without a year is ignored) and must
//! not read manifests (the driver does that).

use regex::Regex;
use std::sync::LazyLock;

static DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日").expect("static regex")
});

/// Words before a date that make it a deadline or a plan, not a day that has happened:
/// "截止时间为", "将于", "预计".
const AHEAD_BEFORE: &[&str] = &[
    "截止",
    "截止时间为",
    "截止日期为",
    "截止日期",
    "将于",
    "计划于",
    "预计于",
    "预计",
    "力争",
    "争取",
    "届时",
    "拟于",
    "定于",
];
/// Words right after a date that make it a deadline: "12月31日前", "…之前", "…止".
const AHEAD_AFTER: &[&str] = &["前", "之前", "以前", "止", "为止", "截止"];

/// The newest valid complete date the text states, if any. Deadlines and plans ("截止时间为
/// 2024年11月15日", "2023年12月31日前", "将于…") are not dates a story reports, and are left out.
pub fn newest_date(text: &str) -> Option<(i32, u32, u32)> {
    DATE.captures_iter(text)
        .filter(|c| {
            let whole = c.get(0).map_or(0..0, |m| m.range());
            let before: String = text[..whole.start]
                .chars()
                .rev()
                .filter(|c| !c.is_whitespace())
                .take(6)
                .collect::<Vec<char>>()
                .into_iter()
                .rev()
                .collect();
            let after: String = text[whole.end..]
                .chars()
                .filter(|c| !c.is_whitespace())
                .take(3)
                .collect();
            !AHEAD_BEFORE.iter().any(|w| before.ends_with(w))
                && !AHEAD_AFTER.iter().any(|w| after.starts_with(w))
        })
        .filter_map(|c| {
            let y: i32 = c[1].parse().ok()?;
            let m: u32 = c[2].parse().ok()?;
            let d: u32 = c[3].parse().ok()?;
            valid(y, m, d).then_some((y, m, d))
        })
        .max()
}

/// The date a seed's name gives, when an archivist named pages by issue: "2024-06-18.txt",
/// "湘西日报_20240618_03.txt", "团结报/2023/05-08.txt", "2023/05/08/page3.txt". A year
/// (19xx or 20xx), month and day with separators or none, not inside a longer run of
/// letters or digits (a hash such as "8ee1e14b…" gives none).
pub fn date_from_seed_name(name: &str) -> Option<(i32, u32, u32)> {
    static NAMED: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"(?:^|[^0-9A-Za-z])((?:19|20)\d{2})(?:([-_./])(\d{1,2})([-_./])(\d{1,2})|(\d{2})(\d{2}))(?:[^0-9A-Za-z]|$)",
        )
        .expect("static regex")
    });
    let stem = name.rsplit_once('.').map_or(name, |(stem, _)| stem);
    NAMED
        .captures_iter(stem)
        .filter_map(|c| {
            let y: i32 = c[1].parse().ok()?;
            let (m, d) = match (c.get(3), c.get(5), c.get(6), c.get(7)) {
                (Some(m), Some(d), _, _) => (m.as_str(), d.as_str()),
                (_, _, Some(m), Some(d)) => (m.as_str(), d.as_str()),
                _ => return None,
            };
            let (m, d): (u32, u32) = (m.parse().ok()?, d.parse().ok()?);
            valid(y, m, d).then_some((y, m, d))
        })
        .last()
}

/// A calendar date (see [`crate::content::Date::new`]) in the years a newspaper
/// archive can state.
pub(super) fn valid(y: i32, m: u32, d: u32) -> bool {
    (1900..=2200).contains(&y) && crate::content::Date::new(y, m, d).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_names_that_give_the_issue_date() {
        for (name, date) in [
            ("2024-06-18.txt", Some((2024, 6, 18))),
            ("益阳日报/2024/2024-06-18.txt", Some((2024, 6, 18))),
            ("湘西日报_20240618_03.txt", Some((2024, 6, 18))),
            ("团结报/2023/05-08.txt", Some((2023, 5, 8))),
            ("2023/05/08/page3.txt", Some((2023, 5, 8))),
            ("000_8ee1e14b781f4bbe.txt", None),
            ("a20240618b.txt", None),
            ("2024-02-30.txt", None),
            ("page-3.txt", None),
        ] {
            assert_eq!(date_from_seed_name(name), date, "{name}");
        }
    }

    #[test]
    fn newest_complete_date() {
        let t = "2020 年 8 月 19 日召开；2024 年 11 月 5 日公布。12月2日";
        assert_eq!(newest_date(t), Some((2024, 11, 5)));
    }

    #[test]
    fn deadlines_and_plans_are_not_dates_of_the_story() {
        let t = "2020 年 8 月 19 日召开；受理截止时间为\n\n2024 年 11 月 15 日。";
        assert_eq!(newest_date(t), Some((2020, 8, 19)));
        let t = "5月8日一早，确保2023年12月31日前实现全覆盖。2023年5月6日，记者走访。";
        assert_eq!(newest_date(t), Some((2023, 5, 6)));
        assert_eq!(newest_date("大会将于2025年10月1日召开。"), None);
        // "截至" (as of) is a day that has come.
        assert_eq!(
            newest_date("截至2023年5月8日，共接待游客。"),
            Some((2023, 5, 8))
        );
    }

    #[test]
    fn invalid_or_partial_dates_ignored() {
        assert_eq!(newest_date("2023年2月30日 与 3月29日"), None);
        assert_eq!(newest_date("没有日期"), None);
    }
}
