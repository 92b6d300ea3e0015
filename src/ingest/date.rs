//! Dates stated in page text: the newest complete date (year, month, day).
//!
//! It must NOT guess missing parts (a date without a year is ignored) and must
//! not read manifests (the driver does that).

use regex::Regex;
use std::sync::LazyLock;

static DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日").expect("static regex")
});

/// The newest valid complete date the text states, if any.
pub fn newest_date(text: &str) -> Option<(i32, u32, u32)> {
    DATE.captures_iter(text)
        .filter_map(|c| {
            let y: i32 = c[1].parse().ok()?;
            let m: u32 = c[2].parse().ok()?;
            let d: u32 = c[3].parse().ok()?;
            valid(y, m, d).then_some((y, m, d))
        })
        .max()
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
    fn newest_complete_date() {
        let t = "2020 年 8 月 19 日召开；受理截止时间为 2024 年 11 月 15 日。12月2日";
        assert_eq!(newest_date(t), Some((2024, 11, 15)));
    }

    #[test]
    fn invalid_or_partial_dates_ignored() {
        assert_eq!(newest_date("2023年2月30日 与 3月29日"), None);
        assert_eq!(newest_date("没有日期"), None);
    }
}
